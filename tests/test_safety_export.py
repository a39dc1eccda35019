"""Issue 13, the exporters' part: no item crashes an exporter, dates at a fixed offset in
any year, and the RSS channel description escaped like an item's.

Each test failed on the exporters as they were before the fix: an item without a title
made feedgen raise ``ValueError: Required fields not set`` (defect 4); dates came out in
``Asia/Shanghai``'s history (+08:05:43 before 1901, +09:00 in the summers of 1986–91),
RSS wrote year 1 as ``1``, and an EPUB dated before 1 AD in UTC or after 2107 could not
be packaged (defect 10); the RSS channel description was the site title unescaped
(defect 11).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from samples import sample_issue, web_issue

from pressout.errors import ConfigError
from pressout.export import _feedgen
from pressout.export.epub import epub_bytes
from pressout.export.feed import EpubFile, SiteOptions, build_feeds, entry_instants
from pressout.export.html import UNTITLED, headline
from pressout.export.site import build_site
from pressout.export.tei import corpus_fragment, tei_bytes
from pressout.model import Article, Contributor, Credit, Figure, Issue, Kind, Paragraph, Role
from pressout.read import IssueMeta, read_text
from pressout.timestamps import BEIJING, issue_instant

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
OPF = "http://www.idpf.org/2007/opf"
NS = {"a": ATOM, "dc": DC, "opf": OPF}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def epubs_for(issues: list[Issue]) -> dict[str, EpubFile]:
    return {issue.id: EpubFile(Path(f"{issue.id}.epub"), 1234) for issue in issues}


def everything(issue: Issue, options: SiteOptions | None = None) -> dict[str, bytes]:
    """Every exporter's output for one issue, in memory, by a name for each document."""
    options = options or SiteOptions()
    out = {f"feeds/{k}": v for k, v in build_feeds([issue], options, epubs_for([issue])).items()}
    out |= {f"site/{k}": v for k, v in build_site([issue], options, epubs_for([issue])).items()}
    out["tei"] = tei_bytes(issue)
    out["tei-fragment"] = corpus_fragment(issue)
    if issue.articles:
        for vertical in (False, True):
            book = zipfile.ZipFile(io.BytesIO(epub_bytes(issue, vertical=vertical)))
            out |= {f"epub{'-v' if vertical else ''}/{n}": book.read(n) for n in book.namelist()}
    return out


def well_formed(docs: dict[str, bytes]) -> None:
    for name, data in docs.items():
        if name.endswith((".xml", ".xhtml", ".html", ".opf", ".ncx")) or name.startswith("tei"):
            wrapped = b"<r>" + data + b"</r>" if name == "tei-fragment" else data
            etree.fromstring(wrapped, PARSER)  # raises if not
        elif name.endswith(".json"):
            json.loads(data)


# --- 1. no item crashes an exporter (defect 4) ---------------------------------------------


@dataclass(frozen=True)
class Blank(Article):
    """An article whose display title is blank, whatever the model would derive: the
    exporters must not depend on the reader never making one."""

    blank: str = ""

    @property
    def display_title(self) -> str:
        return self.blank


def _issue_of(*articles: Article) -> Issue:
    return replace(sample_issue(), articles=articles, furniture=())


IID = "tyrb-2021-12-10-a"
PHOTO_CREDIT = Credit("本报记者 王五 摄", (Contributor("王五", Role.PHOTOGRAPHER),))
BLANK_ITEMS = {
    # what the fallback finds (pressout.model.derive_display_title): the first words, else （无题）
    "ellipsis": (Blank(f"{IID}-i1", Kind.ARTICLE, None, (Paragraph("……"),)), UNTITLED),
    "full-stop": (Blank(f"{IID}-i2", Kind.ARTICLE, "", (Paragraph("。"),), blank="  "), UNTITLED),
    "photo": (  # a credit is no title
        Blank(f"{IID}-i3", Kind.PHOTO, None, (Figure("！", PHOTO_CREDIT),), blank="\u3000"),
        UNTITLED,
    ),
    "report": (  # the model's rule: the first words, from the first letter on
        Blank(f"{IID}-i4", Kind.ARTICLE, "", (Paragraph("。正文， 第二句很长" + "长" * 80 + "。"),),
              dateline="本报讯"),
        "正文， 第二句很长" + "长" * 50 + "…",
    ),
    "nothing": (Blank(f"{IID}-i5", Kind.NOTICE, None, ()), UNTITLED),
}


@pytest.mark.parametrize("name", sorted(BLANK_ITEMS))
def test_an_item_with_a_blank_title_goes_through_every_exporter(name: str) -> None:
    article, shown = BLANK_ITEMS[name]
    assert not article.display_title.strip()
    assert headline(article) == shown
    issue = _issue_of(article)
    docs = everything(issue)
    well_formed(docs)
    for feed in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(docs[f"feeds/{feed}"])
        assert not parsed.bozo and [e.title for e in parsed.entries] == [shown]
    assert json.loads(docs["feeds/feed.json"])["items"][0]["title"] == shown
    page = docs[f"site/issues/{IID}/{article.id}.html"].decode()
    assert f"<title>{html.escape(shown)} - " in page
    assert f'<h1 class="derived">{html.escape(shown)}</h1>' in page
    assert f"<title>{html.escape(shown)}</title>" in docs["epub/EPUB/a001.xhtml"].decode()
    nav = etree.fromstring(docs["epub/EPUB/nav.xhtml"], PARSER)
    toc = nav.xpath("//h:nav[@id='toc']//h:a/text()", namespaces={"h": "http://www.w3.org/1999/xhtml"})
    assert toc == [shown]


def test_one_blank_item_among_others_keeps_them_as_they_were() -> None:
    base = sample_issue()
    blank, _ = BLANK_ITEMS["ellipsis"]
    with_blank = replace(base, articles=(*base.articles, blank))
    before = build_feeds([base], SiteOptions(), epubs_for([base]))["atom.xml"]
    after = build_feeds([with_blank], SiteOptions(), epubs_for([with_blank]))["atom.xml"]
    titles = [e.title for e in feedparser.parse(after).entries]
    assert titles == [e.title for e in feedparser.parse(before).entries] + [UNTITLED]


@pytest.mark.parametrize("text", ["……", "本报讯 正文。", "！本报记者 王五 摄", "。", "标题\n\n……", "……\n\n本报讯 正文。"])
def test_odd_pages_as_read_go_through_every_exporter(text: str) -> None:
    """The pages of the issue, as the reader reads them (today or after its own fixes)."""
    issue = read_text(text + "\n", source="odd.txt", meta=IssueMeta(date=dt.date(2021, 12, 10)))
    docs = everything(issue)
    well_formed(docs)
    for article in issue.articles:
        assert headline(article).strip()


def test_a_blank_publication_still_names_the_feeds() -> None:
    issue = replace(sample_issue(), publication="")
    docs = build_feeds([issue], SiteOptions(), epubs_for([issue]))
    assert feedparser.parse(docs["atom.xml"]).feed.title == "pressout"
    well_formed({f"feeds/{k}": v for k, v in docs.items()})


def test_a_web_dump_page_goes_through_every_exporter() -> None:
    """Source fields (a javascript: link, an empty name, markup in a value), removed
    scaffolding, Traditional script and no paper named: every output is well-formed, in
    the page's language, and shows the masthead, never an empty name."""
    issue = web_issue()
    docs = everything(issue)
    well_formed(docs)
    for name, data in docs.items():
        if name.startswith("tei"):  # the archive keeps every field, as text
            assert b"<item>&lt;b&gt;&amp;amp;&lt;/b&gt;</item>" in data and b"<b>" not in data
        else:  # the others show none but the original's address, and only an http(s) one
            assert b"javascript" not in data and b"<b>&amp;</b>" not in data, name
    assert b'xml:lang="zh-TW"' in docs["epub/EPUB/content.opf"]
    assert b'lang="zh-TW"' in docs[f"site/issues/{issue.id}/index.html"]
    assert b'<title level="j" key="paper" type="unknown">' in docs["tei"]
    assert "报刊不详".encode() in docs["epub/EPUB/cover.xhtml"]


# --- 2. dates (defect 10) -----------------------------------------------------------------


def on(day: dt.date) -> Issue:
    return replace(sample_issue(), date=day)


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(1988, 7, 1), dt.date(1991, 6, 15)])
def test_feed_dates_are_always_plus_eight(day: dt.date, schemas_dir: Path) -> None:
    assert issue_instant(on(day)).utcoffset() == dt.timedelta(hours=8)
    assert issue_instant(on(day)).isoformat() == f"{day.isoformat()}T08:00:00+08:00"
    docs = build_feeds([on(day)], SiteOptions(), epubs_for([on(day)]))
    atom = etree.fromstring(docs["atom.xml"], PARSER)
    stamps = atom.xpath("//a:updated/text() | //a:published/text()", namespaces=NS)
    assert stamps and all(s.endswith("+08:00") and s.startswith(day.isoformat()) for s in stamps)
    assert etree.RelaxNG(etree.parse(str(schemas_dir / "atom-rfc4287.rng"))).validate(atom.getroottree())
    rss = etree.fromstring(docs["rss.xml"], PARSER)
    assert {d[-5:] for d in rss.xpath("//pubDate/text() | //lastBuildDate/text()")} == {"+0800"}
    items = json.loads(docs["feed.json"])["items"]
    assert all(i["date_published"].endswith("+08:00") for i in items)
    # feedparser reads the instant the model says: the issue's midnight, Beijing time.
    for name in ("atom.xml", "rss.xml"):
        first = feedparser.parse(docs[name]).entries[0]
        when = dt.datetime.fromtimestamp(calendar.timegm(first.published_parsed), dt.UTC)
        assert dt.timedelta(0) <= when - issue_instant(on(day)) < dt.timedelta(hours=1)


def test_the_offset_is_fixed_and_configurable() -> None:
    assert BEIJING.utcoffset(None) == dt.timedelta(hours=8)
    options = SiteOptions(utc_offset="-05:30")
    assert options.tz == dt.timezone(-dt.timedelta(hours=5, minutes=30))
    day = dt.date(1988, 7, 1)
    docs = build_feeds([on(day)], options, epubs_for([on(day)]))
    atom = etree.fromstring(docs["atom.xml"], PARSER)
    assert atom.findtext("a:updated", namespaces=NS) == "1988-07-01T08:59:59-05:30"
    assert etree.fromstring(docs["rss.xml"], PARSER).findtext("channel/item/pubDate") == (
        "Fri, 01 Jul 1988 08:59:59 -0530"
    )
    assert json.loads(docs["feed.json"])["items"][0]["date_published"] == "1988-07-01T08:59:59-05:30"
    when = entry_instants([(on(day), "x")], tz=options.tz)["x"]
    assert when.isoformat() == "1988-07-01T08:59:59-05:30"
    assert SiteOptions().utc_offset == "+08:00" and SiteOptions(utc_offset="+00:00").tz == dt.UTC


@pytest.mark.parametrize("bad", ["08:00", "+8:00", "+0800", "+24:00", "+14:30", "-00:00", "+08:60", "Z", "UTC", "+08:00\n", "", " +08:00"])
def test_a_bad_offset_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="utc_offset"):
        SiteOptions(utc_offset=bad)


EXTREMES = [dt.date(1, 1, 1), dt.date(99, 12, 31), dt.date(999, 6, 1), dt.date(1899, 12, 31),
            dt.date(1979, 12, 31), dt.date(2107, 12, 31), dt.date(2108, 1, 1), dt.date(9999, 12, 31)]


@pytest.mark.parametrize("day", EXTREMES, ids=str)
def test_any_year_goes_through_every_exporter(day: dt.date) -> None:
    issue = on(day)
    docs = everything(issue)
    well_formed(docs)
    # EPUB: the zip entries within the zip format's dates, dcterms:modified a real date.
    book = zipfile.ZipFile(io.BytesIO(epub_bytes(issue)))
    times = {info.date_time for info in book.infolist()}
    assert len(times) == 1
    (stamp,) = times
    assert (1980, 1, 1, 0, 0, 0) <= stamp <= (2107, 12, 31, 23, 59, 58)
    if 1980 < day.year < 2107:
        assert stamp == (day.year, day.month, day.day, 0, 0, 0)
    opf = etree.fromstring(book.read("EPUB/content.opf"), PARSER)
    modified = opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", modified), modified
    assert opf.findtext("opf:metadata/dc:date", namespaces=NS) == day.isoformat()
    # Atom and JSON Feed: RFC 3339 holds every year from 0001 to 9999.
    atom = etree.fromstring(docs["feeds/atom.xml"], PARSER)
    assert atom.findtext("a:entry/a:updated", namespaces=NS).startswith(f"{day.isoformat()}T08:59:59+08:00")
    # RSS: RFC 822 dates from 1900 with a four-digit year; dc:date (W3CDTF) before.
    rss = etree.fromstring(docs["feeds/rss.xml"], PARSER)
    item = rss.find("channel/item")
    if day.year >= 1900:
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} 08:59:59 \+0800", item.findtext("pubDate"))
        assert item.find("dc:date", NS) is None
    else:
        assert item.find("pubDate") is None and rss.find("channel/pubDate") is None
        assert rss.find("channel/lastBuildDate") is None
        assert item.findtext("dc:date", namespaces=NS) == f"{day.isoformat()}T08:59:59+08:00"
    parsed = feedparser.parse(docs["feeds/rss.xml"])
    assert not parsed.bozo
    if day.year >= 100:  # (a struct_time of year 0, 1 BC in UTC, makes no datetime)
        entry = parsed.entries[0]  # feedparser reads dc:date as "updated"
        published = dt.datetime(*(entry.get("published_parsed") or entry.updated_parsed)[:6], tzinfo=dt.UTC)
        assert published == issue_instant(issue) + dt.timedelta(minutes=59, seconds=59)
    # TEI and the web edition carry the date as it is.
    assert f'when="{day.isoformat()}"'.encode() in docs["tei"]
    assert f'<time datetime="{day.isoformat()}">'.encode() in docs[f"site/issues/{issue.id}/index.html"]


def test_extreme_years_are_valid_tei(tei_relaxng) -> None:
    for day in (dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        document = etree.fromstring(tei_bytes(on(day)), PARSER)
        assert tei_relaxng.validate(document.getroottree()), tei_relaxng.error_log


def test_rfc822_dates() -> None:
    plus8 = BEIJING
    assert _feedgen.rfc822_date(dt.datetime(2021, 12, 10, 0, 59, 59, tzinfo=plus8)) == (
        "Fri, 10 Dec 2021 00:59:59 +0800"
    )
    assert _feedgen.rfc822_date(dt.datetime(1900, 1, 1, tzinfo=plus8)) == "Mon, 01 Jan 1900 00:00:00 +0800"
    assert _feedgen.rfc822_date(dt.datetime(1899, 12, 31, tzinfo=plus8)) is None


def test_a_bad_source_date_epoch_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    undated = replace(sample_issue(), date=None, date_cert=None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999")
    assert issue_instant(undated).isoformat() == "2000-01-01T08:00:00+08:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert issue_instant(undated).isoformat() == "1970-01-01T08:00:00+08:00"


# --- 3. the RSS channel description (defect 11) ---------------------------------------------

MARKUP_TITLE = "报<b>&amp;</b> “x” & <i>y"


def test_rss_channel_description_is_escaped_and_round_trips() -> None:
    issue = sample_issue()
    docs = build_feeds([issue], SiteOptions(title=MARKUP_TITLE), epubs_for([issue]))
    for name, subtitle in (("rss.xml", f"{MARKUP_TITLE}：每篇文章的全文"),
                           ("editions-rss.xml", f"{MARKUP_TITLE}：每期一本 EPUB 电子书")):
        channel = etree.fromstring(docs[name], PARSER).find("channel")  # well-formed
        assert channel.findtext("description") == html.escape(subtitle, quote=False)
        parsed = feedparser.parse(docs[name])
        assert not parsed.bozo
        assert parsed.feed.title == channel.findtext("title")
        assert parsed.feed.subtitle_detail.type == "text/html"  # readers take it for HTML
        assert "<b>" not in parsed.feed.subtitle and html.unescape(parsed.feed.subtitle) == subtitle
    assert feedparser.parse(docs["rss.xml"]).feed.title == MARKUP_TITLE
    # Atom says type="text": there the subtitle is the text itself.
    atom = feedparser.parse(docs["atom.xml"]).feed
    assert atom.title == MARKUP_TITLE and atom.subtitle == f"{MARKUP_TITLE}：每篇文章的全文"
