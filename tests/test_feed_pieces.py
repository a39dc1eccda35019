"""Feed pages put together from pieces made per issue (``pressout.export.feed_pieces``) are
byte for byte the pages ``render_page`` makes from the whole issues: with instants after and
before 1900 (RSS spells those as ``dc:date``), pages whose language is not every entry's
(Atom ``xml:lang``), archive pages (the history namespace), dump pages with links to
their originals and several authors (RSS: one ``dc:creator`` holding them all), and issues
of several pages (each entry's page a category); at the default time of day and offset and at
others (the pieces are made with a stand-in instant, whatever the time)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from samples import paged_issue

from pressout.export.feed import SiteOptions, feed_pages, page_entries, render_page
from pressout.export.feed_pieces import pieces_of, render_page_from_pieces
from pressout.model import Issue
from pressout.read import read_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CORPUS = Path(__file__).resolve().parent / "corpus" / "files"


def _seed_issues() -> list[Issue]:
    return [read_page(str(p)) for p in sorted(SEEDS.glob("*.txt"))]


def _variants() -> dict[str, list[Issue]]:
    seeds = _seed_issues()
    old = [dataclasses.replace(issue, date=dt.date(1872 + n, 4, 30) if n % 2 else issue.date,
                               id=f"{issue.id}-old")
           for n, issue in enumerate(seeds)]
    mixed = [dataclasses.replace(issue, language="zh-HK") if n in (1, 3) else issue for n, issue in enumerate(seeds)]
    # the evaluation corpus's dumps: HTML, JSON, RSS, Markdown … of many papers, Traditional too
    dumps = [read_page(str(p)) for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix != ".toml"]
    # a whole issue of three pages, and the same with an article of no known page first and
    # one on a page the dump went back to, among the seeds (which have no pages)
    paged = paged_issue()
    lead = dataclasses.replace(paged.articles[0], id=f"{paged.id}-i00000001", page=None)
    again = dataclasses.replace(paged.articles[2], id=f"{paged.id}-i00000002", page="A01")
    odd = dataclasses.replace(paged, id=f"{paged.id}-odd", date=dt.date(2026, 4, 5),
                              articles=tuple(dataclasses.replace(a, id=f"{a.id}-odd")
                                             for a in (lead, *paged.articles, again)))
    return {"seeds": seeds, "before 1900": old, "languages": mixed, "web dumps": dumps,
            "pages": [paged, odd, *seeds]}


CLOCKS = {"default": {}, "23:00 -05:00": {"time": "23:00", "utc_offset": "-05:00"},
          "00:00 +14:00": {"time": "00:00", "utc_offset": "+14:00"}}


@pytest.mark.parametrize("feed_size", [50, 4])
@pytest.mark.parametrize("name", ["seeds", "before 1900", "languages", "web dumps", "pages"])
def test_pages_from_pieces_are_the_rendered_pages(name: str, feed_size: int, clock: str = "default") -> None:
    issues = _variants()[name]
    options = SiteOptions(feed_size=feed_size, **CLOCKS[clock])
    pieces = {issue.id: pieces_of(options, issue) for issue in issues}
    documents = 0
    for page in feed_pages(issues, options):
        if page.family != "articles":
            continue
        whole = list(render_page(options, page, page_entries(options, page)))
        parts = list(render_page_from_pieces(options, page, {head.id: pieces[head.id] for head, _, _ in page.items}))
        assert [(role, path) for role, path, _ in parts] == [(role, path) for role, path, _ in whole]
        for (_, path, data), (_, _, expected) in zip(parts, whole, strict=True):
            assert data == expected, path
            documents += 1
    assert documents >= 3


@pytest.mark.parametrize("clock", ["23:00 -05:00", "00:00 +14:00"])
@pytest.mark.parametrize("name", ["seeds", "before 1900"])
def test_pages_from_pieces_at_other_times_and_offsets(name: str, clock: str) -> None:
    test_pages_from_pieces_are_the_rendered_pages(name, 4, clock)
    issues = _variants()[name]
    options = SiteOptions(feed_size=4, **CLOCKS[clock])
    page = next(feed_pages(issues, options))
    heads = {head.id: head for head, _, _ in page.items}
    (_, _, atom), *_ = render_page_from_pieces(options, page, {i: pieces_of(options, h) for i, h in heads.items()})
    assert f"T{CLOCKS[clock]['time'][:2]}:59:59{CLOCKS[clock]['utc_offset']}</updated>".encode() in atom


def test_the_variants_have_what_they_test() -> None:
    variants = _variants()
    options = SiteOptions(feed_size=4)
    rss = b"".join(data for page in feed_pages(variants["before 1900"], options) if page.family == "articles"
                   for role, _, data in render_page(options, page, page_entries(options, page)) if role == "rss")
    assert b"<dc:date" in rss and b"<pubDate>" in rss
    assert "<dc:creator>韩睿、高雅慧</dc:creator>".encode() in rss  # several authors, one element
    atom = b"".join(data for page in feed_pages(variants["languages"], options) if page.family == "articles"
                    for role, _, data in render_page(options, page, page_entries(options, page)) if role == "atom")
    assert b'<entry xml:lang="' in atom and b"xmlns:fh=" in atom
    dumps = variants["web dumps"]
    assert len({issue.language for issue in dumps}) >= 3 and len(dumps) >= 40
    assert any(article.meta for issue in dumps for article in issue.articles)  # links to originals
    atom = b"".join(data for page in feed_pages(variants["pages"], options) if page.family == "articles"
                    for role, _, data in render_page(options, page, page_entries(options, page)) if role == "atom")
    # every article on a known page has it as a category: 4 + 5 (the odd issue's lead has none)
    assert atom.count(b'<category term="A01" scheme="') == 5 and atom.count(b' scheme="') == 9


def test_entries_built_without_feedgen_are_feedgens() -> None:
    """The pieces' entries are built as lxml trees directly (``_feedgen.atom_entries``,
    ``rss_items``): byte for byte what feedgen's documents hold, for entries with everything
    an entry can have (several authors and contributors, an empty name, categories with and
    without a scheme or a label, a link to the original, an enclosure, another language,
    text that needs escaping); entries those do not write the same way (an empty summary,
    an instant before 1900) are left to feedgen."""
    from pressout.export import _feedgen as fg
    from pressout.export import feed_pieces

    when = dt.datetime(2021, 11, 8, 8, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    full = fg.Entry(id="tag:example.org,2021-11-08:p/a&1", title="标题 <b>&amp;</b>", link="https://example.org/a?b=1&c=2",
                    published=when, updated=when + dt.timedelta(seconds=1), content_html="<p>正文 &amp; “引号”</p>\n<p>二</p>",
                    summary="摘要 <i>x</i> & y", authors=("记者甲", "", "记者乙"), contributors=("摄影丙",),
                    categories=(fg.Category("article", "文章"), fg.Category("p1", "", "https://example.org/版面"),
                                fg.Category("要闻", "要闻", "https://example.org/s")),
                    enclosure=fg.Enclosure("https://example.org/图.jpg", 12345, "image/jpeg"),
                    language="zh-HK", related="https://example.org/原文/1")
    bare = fg.Entry(id="tag:example.org,2021-11-08:p/a2", title="二", link="https://example.org/b", published=when,
                    updated=when, content_html="<p>二</p>", summary="二")
    head = fg.Head(id="tag:example.org,2021:f", title="t", subtitle="s", site_url="https://example.org/",
                   self_url="https://example.org/atom.xml", updated=when + dt.timedelta(days=1), author="a")
    for batch in ([full], [bare, full], [full, bare, dataclasses.replace(full, id=full.id + "3", language="zh-CN")]):
        assert fg.plain_entries(batch)
        assert (fg.atom_entries(head.language, batch), fg.rss_items(batch)) == feed_pieces._slow(head, batch)
    assert not fg.plain_entries([bare, dataclasses.replace(bare, summary="")])
    assert not fg.plain_entries([dataclasses.replace(bare, published=when.replace(year=1899),
                                                     updated=when.replace(year=1899))])
    assert feed_pieces._quick(head, [dataclasses.replace(bare, summary="")]) is None
