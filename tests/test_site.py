"""The web edition, read back as files: well-formed pages, language, links that resolve.

Every page is parsed as XML (the pages are polyglot XHTML), every relative link and every
autodiscovery link is resolved against the written folder, and every feed entry's link is
matched to its article page. Hostile text must stay text; writes are atomic and
rebuilds byte-identical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import pytest
from lxml import etree
from samples import HOSTILE, hostile_issue, sample_issue
from test_feed import BASE, another_day, stand_in_epubs, three_issues

from pressout.errors import OutputError
from pressout.export.feed import SiteOptions, article_tag, order_issues, write_feeds
from pressout.export.site import build_site, write_site
from pressout.model import Paragraph

H = "http://www.w3.org/1999/xhtml"
NS = {"h": H}
FEED_TYPES = {"application/atom+xml", "application/rss+xml", "application/feed+json"}


def page(path: Path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def resolve(root: Path, html: Path, href: str) -> Path:
    """The file a relative link in ``html`` points to (an absolute one must be under BASE)."""
    here = BASE + html.relative_to(root).as_posix()
    url = urljoin(here, href)
    assert url.startswith(BASE), (html, href)
    path = unquote(urlsplit(url).path.removeprefix(urlsplit(BASE).path))
    target = root / path
    return target / "index.html" if path.endswith("/") or not path else target


@pytest.fixture
def site(tmp_path: Path):
    issues = [*three_issues(), hostile_issue()]
    epubs = stand_in_epubs(tmp_path, issues)
    options = SiteOptions()
    write_feeds(issues, tmp_path, options, epubs)
    written = write_site(issues, tmp_path, options, epubs)
    return tmp_path, issues, options, epubs, written


def test_layout_one_page_per_issue_and_article(site) -> None:
    root, issues, _, _, written = site
    names = {p.relative_to(root).as_posix() for p in written}
    expected = {"index.html", "styles/site.css", "styles/article.css"}
    for issue in issues:
        expected.add(f"issues/{issue.id}/index.html")
        expected |= {f"issues/{issue.id}/{a.id}.html" for a in issue.articles}
    assert names == expected


def test_every_page_is_well_formed_zh_cn_and_styled(site) -> None:
    root, *_ = site
    for path in pages(root):
        html = page(path)
        assert html.tag == f"{{{H}}}html"
        assert (
            html.get("lang") == "zh-CN" and html.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
        )
        assert html.findtext("h:head/h:title", namespaces=NS).strip()
        assert html.find("h:head/h:meta[@charset='utf-8']", NS) is not None
        sheets = [link.get("href") for link in html.findall("h:head/h:link[@rel='stylesheet']", NS)]
        assert [resolve(root, path, s).name for s in sheets] == ["site.css", "article.css"]
        assert all(resolve(root, path, s).is_file() for s in sheets)
        assert path.read_bytes().startswith(b"<!DOCTYPE html>")


def test_autodiscovery_links_resolve_to_the_feeds(site) -> None:
    root, *_ = site
    for path in pages(root):
        alternates = page(path).findall("h:head/h:link[@rel='alternate']", NS)
        types = {link.get("type") for link in alternates}
        assert FEED_TYPES <= types, path
        for link in alternates:
            target = resolve(root, path, link.get("href"))
            assert target.is_file(), (path, link.get("href"))
            assert link.get("title")
            if link.get("type") != "application/feed+json":
                assert not feedparser.parse(target.read_bytes()).bozo


def test_every_link_in_every_page_resolves(site) -> None:
    root, *_ = site
    checked = 0
    for path in pages(root):
        html = page(path)
        for element in html.iter(f"{{{H}}}a", f"{{{H}}}link"):
            href = element.get("href")
            if element.get("rel") == "canonical":
                assert href == BASE + path.relative_to(root).as_posix()
                continue
            assert resolve(root, path, href).is_file(), (path.name, href)
            checked += 1
    assert checked > 100


def test_feed_links_open_the_article_pages(site) -> None:
    root, issues, options, _, _ = site
    parsed = feedparser.parse((root / "atom.xml").read_bytes())
    articles = {article_tag(options, i, a): a for i in issues for a in i.articles}
    assert len(parsed.entries) == len(articles)
    for entry in parsed.entries:
        assert entry.link.startswith(BASE)
        target = root / unquote(entry.link.removeprefix(BASE))
        html = page(target)
        article = html.find(".//h:article", NS)
        assert article.get("id") == articles[entry.id].id
        assert html.find(".//h:article/h:header/h:h1", NS).text == entry.title
        assert html.find("h:head/h:link[@rel='canonical']", NS).get("href") == entry.link


def test_index_lists_issues_newest_first_with_epubs(site) -> None:
    root, issues, _, epubs, _ = site
    html = page(root / "index.html")
    items = html.findall(".//h:ol[@class='issues']/h:li", NS)
    ordered = order_issues(issues)
    assert [li.find("h:a", NS).text for li in items] == [i.title for i in ordered]
    assert ordered[0].date == dt.date(2021, 12, 11)
    for li, issue in zip(items, ordered, strict=True):
        epub = li.find("h:a[@class='epub']", NS)
        assert resolve(root, root / "index.html", epub.get("href")) == epubs[issue.id]
        assert epub.get("type") == "application/epub+zip"


def test_issue_page_is_the_table_of_contents_in_page_order(site) -> None:
    root, issues, _, epubs, _ = site
    issue = sample_issue()
    path = root / f"issues/{issue.id}/index.html"
    html = page(path)
    assert html.findtext(".//h:main/h:h1", namespaces=NS) == issue.title
    links = html.findall(".//h:ol[@class='toc']/h:li/h:a", NS)
    assert [a.text for a in links] == [a.display_title for a in issue.articles]
    assert [a.get("href") for a in links] == [f"{a.id}.html" for a in issue.articles]
    epub = html.find(".//h:a[@class='epub']", NS)
    assert resolve(root, path, epub.get("href")) == epubs[issue.id]
    assert epub.get("download") == epubs[issue.id].name


def test_article_pages_show_the_shared_fragment_and_link_neighbours(site) -> None:
    root, _, _, _, _ = site
    issue = sample_issue()
    for n, article in enumerate(issue.articles):
        path = root / f"issues/{issue.id}/{article.id}.html"
        html = page(path)
        text = "".join(html.find(".//h:main", NS).itertext())
        for block in article.body:
            if isinstance(block, Paragraph):
                assert block.text in text
        prev = html.find(".//h:nav[@class='pager']/h:a[@rel='prev']", NS)
        nxt = html.find(".//h:nav[@class='pager']/h:a[@rel='next']", NS)
        assert (prev is None) == (n == 0) and (nxt is None) == (n == len(issue.articles) - 1)
        if nxt is not None:
            assert nxt.get("href") == f"{issue.articles[n + 1].id}.html"


def test_hostile_text_stays_text_in_pages(site) -> None:
    root, *_ = site
    issue = hostile_issue()
    for path in [root / "index.html", *sorted((root / f"issues/{issue.id}").glob("*.html"))]:
        data = path.read_bytes()
        html = page(path)
        assert html.find(".//h:script", NS) is None and html.find(".//h:main//h:b", NS) is None
        assert b"<script" not in data
    article = page(root / f"issues/{issue.id}/{issue.articles[0].id}.html")
    assert article.findtext("h:head/h:title", namespaces=NS).startswith(f"标题{HOSTILE}")
    assert HOSTILE in "".join(article.find(".//h:article", NS).itertext())


def test_pages_without_epubs_offer_no_download(tmp_path: Path) -> None:
    issues = three_issues()
    write_site(issues, tmp_path)
    for path in pages(tmp_path):
        html = page(path)
        assert html.find(".//h:a[@class='epub']", NS) is None
        assert "application/atom+xml" in {link.get("type") for link in html.findall(".//h:link", NS)}
        hrefs = [link.get("href") for link in html.findall(".//h:link[@rel='alternate']", NS)]
        assert not any("editions" in h for h in hrefs)


def test_rebuilds_are_identical_and_atomic(tmp_path: Path) -> None:
    issues = three_issues()
    epubs = stand_in_epubs(tmp_path, issues)
    assert build_site(issues, SiteOptions(), epubs) == build_site(
        list(reversed(issues)), SiteOptions(), epubs
    )
    write_site(issues, tmp_path, SiteOptions(), epubs)
    first = {p: p.read_bytes() for p in pages(tmp_path)}
    write_site(issues, tmp_path, SiteOptions(), epubs)
    assert {p: p.read_bytes() for p in pages(tmp_path)} == first
    assert not [p for p in tmp_path.rglob(".*")]


def test_site_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    issue = sample_issue()
    bad = replace(issue, articles=(replace(issue.articles[0], title="标题\x0b"),))
    with pytest.raises(OutputError, match="U\\+000B"):
        write_site([bad], tmp_path / "out")
    with pytest.raises(OutputError, match="EPUB"):
        write_site([issue], tmp_path / "out", SiteOptions(), {issue.id: tmp_path / "missing.epub"})
    assert not (tmp_path / "out").exists()
    other = another_day(issue, dt.date(2022, 1, 1))
    with pytest.raises(OutputError, match="no EPUB"):
        write_site([issue, other], tmp_path / "out", SiteOptions(), stand_in_epubs(tmp_path, [issue]))


def test_seed_site(tmp_path: Path, seed_paths: list[Path]) -> None:
    from pressout.read import read_page

    issues = [read_page(p) for p in seed_paths]
    write_feeds(issues, tmp_path)
    written = write_site(issues, tmp_path)
    assert len(written) == 1 + len(issues) + sum(len(i.articles) for i in issues) + 2
    for path in pages(tmp_path):
        html = page(path)
        assert html.get("lang") == "zh-CN"
        for element in html.iter(f"{{{H}}}a", f"{{{H}}}link"):
            if element.get("rel") != "canonical":
                assert resolve(tmp_path, path, element.get("href")).is_file()


def test_known_epub_sizes_give_the_pages_and_feeds_the_disk_gives(tmp_path: Path) -> None:
    """A build knows the sizes of the EPUBs it wrote and passes them (``EpubFile``) instead of
    paths to look up on disk: the web pages and the feeds come out the same, byte for byte,
    the vertical edition's link included."""
    from pressout.export.feed import EpubFile, build_feeds

    issues = three_issues()
    paths = stand_in_epubs(tmp_path, issues)
    vertical = paths[issues[0].id].with_name(f"{issues[0].id}-vertical.epub")
    vertical.write_bytes(b"PK" * 3000)
    known = {ident: EpubFile(path, path.stat().st_size,
                             vertical.stat().st_size if ident == issues[0].id else None)
             for ident, path in paths.items()}
    assert build_site(issues, SiteOptions(), known) == build_site(issues, SiteOptions(), paths)
    assert build_feeds(issues, SiteOptions(), known) == build_feeds(issues, SiteOptions(), paths)
    index = build_site(issues, SiteOptions(), known)["index.html"].decode()
    assert f'download="{vertical.name}"' in index and "竖排版（6 KB）" in index
