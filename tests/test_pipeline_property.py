"""The whole pipeline on generated pages (issue 13's acceptance): the reader, then every
exporter, in memory.

Pages are made of the lines a newspaper dump has (headlines, datelines, bylines, body
text, photo credits, jump lines, notices, staff lines) and the odd ones that broke builds
before: empty or punctuation-only headlines and lines, credits with leading punctuation
(``！本报记者 王五 摄``), a page that is just ``。``, markup characters, dates from year 1
to 9999 (given as the sidecar gives them, ``IssueMeta(date=…)``), and site titles with
markup characters. For each page:

- nothing raises (an issue without items has no EPUB: that one ``OutputError`` is the
  documented answer, see ``pressout.export.epub``);
- every XML output is well-formed: each XHTML, OPF and NCX in the EPUB (horizontal and
  vertical), the TEI document and a corpus of it, the Atom, RSS and editions feeds (which
  feedparser also reads without complaint) and every web page (XHTML, and HTML to
  lxml.html); JSON Feed is JSON;
- every letter and digit of the page is in the model's text, as many times as on the page
  (the normalisation of the "no character lost" test in test_reader.py, ``_significant``;
  that test also holds the seeds to page order). Pages are not given a front matter
  block of known keys, whose words become metadata rather than text (``---`` lines are
  drawn, so unknown blocks are).

``PRESSOUT_PROPERTY_EXAMPLES`` sets the number of examples (a few dozen by default, to
keep the suite fast; run it with several hundred to hunt).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from strategies import CJK_PUNCTUATION, texts
from test_reader import _significant

from pressout.errors import InputError, OutputError
from pressout.export.epub import epub_bytes
from pressout.export.feed import EpubFile, SiteOptions, build_feeds
from pressout.export.site import build_site
from pressout.export.tei import CORPUS_END, corpus_fragment, corpus_head, tei_bytes
from pressout.model import Issue
from pressout.read import IssueMeta, read_text
from pressout.read.page import FRONT_MATTER_UNUSED

EXAMPLES = int(os.environ.get("PRESSOUT_PROPERTY_EXAMPLES", "60"))
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

# --- pages --------------------------------------------------------------------------------

hanzi = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12)
names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=2, max_size=3)
punctuation = st.text(st.sampled_from(CJK_PUNCTUATION + "!?.,;:-*#_~<>&\"'"), min_size=1, max_size=4)
MARKUP = ["<b>&amp;</b>", "<script>", "&lt;", "]]>", "**粗**", "# ", "PM_{2.5}", "H_2O", "x^{2}", '"\'']


@st.composite
def sentences(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(hanzi, texts(max_size=12), st.sampled_from(MARKUP),
                                    st.sampled_from(["12月9日，", "2024年6月7日下午，", "0351-2366977", "5.24公里"])),
                          min_size=1, max_size=5))
    return "".join(parts) + draw(st.sampled_from(["。", "！", "？", "……", "", "，", "：", "”。"]))


@st.composite
def credits(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(["", "！", "。", "…", "（", "、", "**"]))
    name = draw(names)
    form = draw(st.sampled_from([
        "本报记者 {n} 摄", "{n} 摄", "（记者 {n} 通讯员 {m}）", "本报记者 {n}", "记者 {n}",
        "（{n}）", "（以上由{n}编辑整理）", "责任编辑 {n}", "版式设计 {n} 校对 {m}", "{n} 文/图",
    ]))
    return lead + form.format(n=name, m=draw(names))


@st.composite
def datelines(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(["本报讯", "新华社北京12月9日电", "本报讯（记者 {n}）", "据新华社电",
                                 "本报讯 {n} 摄"])).format(n=draw(names))
    return f"{line} {draw(sentences())}"


line = st.one_of(
    hanzi,  # a headline
    hanzi.map(lambda h: h[:4] + " " + h[4:]),  # a headline with a space in it
    st.sampled_from(["", "标题", "……", "。", "！", "  ", "　", "**", "#", "通告", "（下转第3版）", "---"]),
    punctuation,
    credits(),
    datelines(),
    sentences(),
    st.builds("".join, st.lists(sentences(), min_size=2, max_size=4)),  # a paragraph
    texts(max_size=40),
)


@st.composite
def pages(draw: st.DrawFn) -> str:
    lines = draw(st.lists(line, min_size=1, max_size=14))
    seps = draw(st.lists(st.sampled_from(["\n", "\n\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    return "".join(text + sep for text, sep in zip(lines, seps, strict=True))


dates = st.one_of(
    st.none(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(1900, 1, 1), dt.date(1988, 7, 1), dt.date(2107, 12, 31),
                     dt.date(2108, 1, 1), dt.date(9999, 12, 31)]),
)
site_titles = st.one_of(
    st.none(),
    st.sampled_from(["报<b>&amp;</b>", "A & B <i>", "]]>“晚报”", "'\"&amp;"]),
    texts(min_size=1, max_size=12).filter(lambda s: s.strip()),
)


# --- the check ------------------------------------------------------------------------------


def _xml(name: str, data: bytes) -> None:
    try:
        etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as error:  # pragma: no cover - the failure shows the document
        raise AssertionError(f"{name} is not well-formed: {error}\n{data[:2000]!r}") from error


def _epub(issue: Issue, vertical: bool) -> None:
    book = zipfile.ZipFile(io.BytesIO(epub_bytes(issue, vertical=vertical)))
    assert book.testzip() is None
    assert book.namelist()[0] == "mimetype"
    for name in book.namelist():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            _xml(f"EPUB {name}", book.read(name))


def export_everything(issue: Issue, options: SiteOptions) -> None:
    """Every exporter on ``issue``, asserting well-formed output."""
    if issue.articles:
        _epub(issue, vertical=False)
        _epub(issue, vertical=True)
    else:
        try:
            epub_bytes(issue)
        except OutputError as error:
            assert "no items" in str(error)
        else:  # pragma: no cover
            raise AssertionError("an issue without items made an EPUB")

    _xml("TEI", tei_bytes(issue))
    _xml("TEI corpus", corpus_head(issue) + corpus_fragment(issue) + CORPUS_END)
    _xml("TEI without breaks", tei_bytes(issue, keep_breaks=False))

    epubs = {issue.id: EpubFile(Path(f"{issue.id}.epub"), 4321, 4567)}
    for name, data in build_feeds([issue], options, epubs).items():
        if name.endswith(".json"):
            assert json.loads(data)["version"] == "https://jsonfeed.org/version/1.1"
            continue
        _xml(f"feed {name}", data)
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert all(entry.title.strip() for entry in parsed.entries), name
    for name, data in build_site([issue], options, epubs).items():
        if name.endswith(".html"):
            _xml(f"web page {name}", data)
            assert lxml.html.document_fromstring(data).find(".//title").text.strip()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Found by this test: a front matter block's lines that are not ``key: value`` pairs (and
# the pairs it does not know) were dropped, text and all (now: not front matter; PO104).
# Found by this test: a page opening with inline markup was read as a web page, its tags'
# names lost (now: only a document's or a block's element makes a web page).
@example(page="<script>。\n", date=None, title=None, feed_size=1, page_number=None, publication=None)
@example(page="<b>&amp;</b>。\n", date=None, title=None, feed_size=1, page_number=None, publication=None)
@example(page="---\n一\n---\n", date=None, title=None, feed_size=1, page_number=None, publication=None)
@example(page="---\nfoo: bar\n---\n正文。\n", date=None, title=None, feed_size=1, page_number=None,
         publication=None)
@given(page=pages(), date=dates, title=site_titles, feed_size=st.integers(1, 3),
       page_number=st.none() | st.integers(1, 99), publication=st.none() | st.sampled_from(["晚报<b>&amp;", "太原日报"]))
def test_any_page_goes_through_the_reader_and_every_exporter(page, date, title, feed_size, page_number, publication):
    meta = IssueMeta(date=date, date_cert=None if date is None else "high", page=page_number,
                     publication=publication)
    try:
        issue = read_text(page, source="property.txt", meta=meta)
    except InputError as error:  # a page with no text at all: refused, in one line
        assert "\n" not in str(error)
        return
    export_everything(issue, SiteOptions(title=title, feed_size=feed_size))
    # Not a character lost: each letter and digit of the page is in the model as often.
    if any(rule.startswith("container-") for rule in issue.rules_applied):
        page = re.sub(r"<[^<>]*>", " ", page)  # a web page or feed: its tags are markup, not text
    lost = Counter(_significant(page)) - Counter(_significant("".join(model_strings(issue))))
    assert not lost, f"lost {''.join(lost.elements())!r}"


def model_strings(issue: Issue) -> Iterator[str]:
    """Every text of the model that stands for words of the page: its items' heads, credits
    and blocks, and the furniture (not what a repair records the page printed: the text
    must hold it)."""
    yield from (piece.text for piece in issue.furniture)
    # the metadata front matter gave, and the front matter lines the reader recorded (PO104)
    yield from (issue.publication, issue.date.isoformat() if issue.date else "", str(issue.page or ""))
    yield from (d.message.removeprefix(FRONT_MATTER_UNUSED) for d in issue.diagnostics if d.code == "PO104")
    # the dump's scaffolding a rule took out, and each record's fields (a url, a time)
    yield from (removal.text for removal in issue.removed)
    yield from (f"{name} {value}" for article in issue.articles for name, value in article.meta)
    for article in issue.articles:
        yield from (article.column or "", article.kicker or "", article.title or "", article.subtitle or "",
                    article.dateline or "")
        yield from (credit.text for credit in article.credits)
        yield from (block.text for block in article.body)


def test_the_pages_that_once_aborted_the_build() -> None:
    """Issue 13's examples, each alone on a page and all together."""
    odd = ["……", "标题", "本报讯 正文。", "！本报记者 王五 摄", "。", "本报讯 图为活动现场。本报记者 王五 摄"]
    for page in [*odd, "\n\n".join(odd)]:
        for date in (None, dt.date(1, 1, 1), dt.date(1988, 7, 1), dt.date(9999, 12, 31)):
            meta = IssueMeta(date=date, date_cert=None if date is None else "high")
            issue = read_text(page + "\n", source="odd.txt", meta=meta)
            export_everything(issue, SiteOptions(title="报<b>&amp;</b>", feed_size=1))
