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
from samples import HOSTILE, WEB_URL, hostile_issue, paged_issue, sample_issue, web_issue
from test_feed import BASE, another_day, stand_in_epubs, three_issues

from pressout.errors import OutputError
from pressout.export.feed import SiteOptions, article_page, article_tag, issue_page, order_issues, write_feeds
from pressout.export.site import RECENT_DAYS, build_site, issue_pages, write_site, year_page
from pressout.model import PUBLICATION_UNKNOWN, Page, Paragraph

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
    expected = {"index.html", "favicon.svg", "styles/site.css", "styles/article.css"}
    for issue in issues:
        expected.add(year_page(issue.date))
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


def test_front_page_lists_the_newest_days_with_their_epubs(site) -> None:
    """最新 is the newest day alone (its pages with their EPUBs and headlines); 往期, the
    older days of the week in short, each page with its EPUBs too, then the years."""
    root, issues, _, epubs, _ = site
    html = page(root / "index.html")
    latest = html.findall(".//h:section[@aria-labelledby='latest']/h:ol/h:li", NS)
    older = html.findall(".//h:section[@aria-labelledby='past']/h:ol[@class='days compact']/h:li", NS)
    ordered = order_issues(issues)
    dated = [i for i in ordered if i.date is not None]
    assert ordered[0].date == dt.date(2021, 12, 11)
    assert [d.find("h:h3/h:time", NS).get("datetime") for d in latest] == ["2021-12-11"]
    # one page a day here: every older day is listed, newest first, the undated last
    assert [d.find("h:h3/h:time", NS).get("datetime") for d in older if d.find("h:h3/h:time", NS) is not None] \
        == [i.date.isoformat() for i in dated[1:]]
    assert older[-1].findtext("h:h3", namespaces=NS) == "日期不详"
    assert latest[0].find(".//h:ul[@class='headlines']", NS) is not None
    assert all(d.find(".//h:ul[@class='headlines']", NS) is None for d in older)
    links = [li for d in (*latest, *older) for li in d.findall("h:ol[@class='issues']/h:li", NS)]
    assert [resolve(root, root / "index.html", li.find("h:a", NS).get("href")).parent.name for li in links] \
        == [i.id for i in ordered]
    # every page listed, the newest day's and the older days', with its EPUB
    for li, issue in zip(links, ordered, strict=True):
        epub = li.find("h:a[@class='epub']", NS)
        assert resolve(root, root / "index.html", epub.get("href")) == epubs[issue.id]
        assert epub.get("type") == "application/epub+zip" and epub.get("download") == epubs[issue.id].name
    # ... and the years of the archive, each with its months
    years = html.findall(".//h:section[@aria-labelledby='past']/h:ol[@class='years']/h:li", NS)
    assert [li.find("h:a", NS).text for li in years] == ["2021年", "日期不详"]
    assert [a.text for a in years[0].findall("h:span[@class='months']/h:a", NS)] == ["12月"]
    assert years[0].find("h:span[@class='months']/h:a", NS).get("href") == "years/2021.html#m12"


def _days_of_a_big_archive() -> list:
    """Three pages a day for 20 days across a new year, and an undated page."""
    base = sample_issue()
    start = dt.date(2021, 12, 20)
    return [another_day(base, start + dt.timedelta(days=n), page=p) for n in range(20) for p in (3, 1, 2)] \
        + [hostile_issue()]


def test_front_page_shows_a_week_and_the_year_pages_every_issue(tmp_path: Path) -> None:
    """A day's pages are one day on the front page (第1版, 第2版, 第3版, in page order); the
    front page holds the newest week; each year page holds all its days, by month, newest
    first; every issue is listed exactly once in the year pages, and their links resolve
    (anchors too)."""
    issues = _days_of_a_big_archive()
    write_site(issues, tmp_path, SiteOptions(), stand_in_epubs(tmp_path, issues))
    front = page(tmp_path / "index.html")
    days = [*front.findall(".//h:section[@aria-labelledby='latest']/h:ol/h:li", NS),
            *front.findall(".//h:section[@aria-labelledby='past']/h:ol[@class='days compact']/h:li", NS)]
    assert len(days) == RECENT_DAYS
    assert days[0].findtext("h:h3/h:time", namespaces=NS) == "2022年1月8日"
    assert days[1].findtext("h:h3/h:time", namespaces=NS) == "2022年1月7日"
    assert len(front.findall(".//h:section[@aria-labelledby='latest']/h:ol/h:li", NS)) == 1
    # the older days' pages on one line each, with their EPUBs
    assert [a.text for a in days[1].findall("h:ol/h:li/h:a[1]", NS)] == ["第1版", "第2版", "第3版"]
    assert len(days[1].findall("h:ol/h:li/h:a[@class='epub']", NS)) == 3
    assert [a.text for a in days[0].findall("h:ol/h:li/h:a[1]", NS)] == ["第1版", "第2版", "第3版"]
    # the newest day's pages show their headlines, linked to the articles; older days do not
    newest = [i for i in issues if i.date == dt.date(2022, 1, 8)]
    for li, issue in zip(days[0].findall("h:ol/h:li", NS), sorted(newest, key=lambda i: i.page), strict=True):
        headlines = li.findall("h:ul[@class='headlines']/h:li/h:a", NS)
        assert [a.text for a in headlines] == [a.display_title for a in issue.articles]
        assert [resolve(tmp_path, tmp_path / "index.html", a.get("href")) for a in headlines] == [
            tmp_path / "issues" / issue.id / f"{a.id}.html" for a in issue.articles]
    assert days[1].find(".//h:ul[@class='headlines']", NS) is None
    years = front.findall(".//h:ol[@class='years']/h:li", NS)
    assert [li.findtext("h:span[@class='count']", namespaces=NS) for li in years] == [
        "8 期 · 24 版", "12 期 · 36 版", "1 版"]

    listed: list[str] = []
    for name, months in (("2022", ["1月"]), ("2021", ["12月"]), ("undated", [])):
        path = tmp_path / "years" / f"{name}.html"
        html = page(path)
        assert [h.text for h in html.findall(".//h:main/h:section/h:h2", NS)] == months
        for a in html.findall(".//h:ol[@class='issues']/h:li/h:a", NS):
            listed.append(resolve(tmp_path, path, a.get("href")).parent.name)
        ids = {e.get("id") for e in html.iter() if e.get("id")}
        for a in front.iter(f"{{{H}}}a"):
            href = a.get("href")
            if href.startswith(f"years/{name}.html#"):
                assert href.split("#")[1] in ids
    assert sorted(listed) == sorted(i.id for i in issues)
    assert len(listed) == len(set(listed))
    december = page(tmp_path / "years" / "2021.html")
    assert [t.text for t in december.iterfind(".//h:h3/h:time", NS)][:2] == ["12月31日", "12月30日"]
    assert december.find(".//h:nav[@class='pager']/h:a[@rel='next']", NS).get("href") == "2022.html"
    # an issue's pages lead back to its month
    issue = issues[0]
    crumbs = page(tmp_path / "issues" / issue.id / "index.html").findall(".//h:nav[@class='crumbs']/h:a", NS)
    assert [(a.text, a.get("href")) for a in crumbs] == [("首页", "../../index.html"),
                                                        ("2021年12月", "../../years/2021.html#m12")]


def test_an_issue_with_a_page_number_is_titled_with_it() -> None:
    """Sixteen pages of one day are sixteen books on an e-reader and sixteen entries in the
    editions feed: the page number keeps their titles apart."""
    base = sample_issue()
    assert another_day(base, dt.date(2024, 6, 7), page=8).title == "太原日报 2024年6月7日 第8版"
    assert another_day(base, dt.date(2024, 6, 7)).title == "太原日报 2024年6月7日"


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
    years = {i.date.year for i in issues}
    assert len(written) == 1 + len(years) + 1 + len(issues) + sum(len(i.articles) for i in issues) + 2
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
    own = build_site(issues, SiteOptions(), known)[f"issues/{issues[0].id}/index.html"].decode()
    assert f'download="{vertical.name}"' in own and "竖排版（6 KB）" in own


# --- web dumps: languages, the original's address, an unknown paper -------------------------------


def lang_of(data: bytes) -> str:
    html = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert html.get("lang") == html.get("{http://www.w3.org/XML/1998/namespace}lang")
    return html.get("lang")


def test_pages_are_in_their_issues_language(tmp_path: Path) -> None:
    """An issue's pages in its language; the front page in most issues' language, a year
    page in that of most of its issues, a tie going to the newest issue."""
    web, base = web_issue(), sample_issue()  # zh-TW 2026, zh-CN 2021
    issues = [web, base, another_day(base, dt.date(2021, 12, 11))]
    site = build_site(issues, SiteOptions(), stand_in_epubs(tmp_path, issues))
    assert lang_of(site["index.html"]) == "zh-CN"
    assert lang_of(site["years/2026.html"]) == "zh-TW" and lang_of(site["years/2021.html"]) == "zh-CN"
    for issue in issues:
        paths = [issue_page(issue), *(article_page(issue, a) for a in issue.articles)]
        assert {lang_of(site[path]) for path in paths} == {issue.language}
    tie = build_site([base, web], SiteOptions())
    assert lang_of(tie["index.html"]) == "zh-TW"  # one each: the newest (2026) decides
    # An issue's pages made alone (as a build's workers make them) are the same pages.
    alone = dict(issue_pages(web, "pressout", SiteOptions()))
    assert alone == {path: data for path, data in build_site([web], SiteOptions()).items() if path in alone}


def test_an_article_page_links_to_its_original(tmp_path: Path) -> None:
    web = web_issue()
    site = build_site([web], SiteOptions())
    first, second, third = (page_of(site, article_page(web, a)) for a in web.articles)
    (original,) = first.findall(".//h:p[@class='source']/h:a[@class='original']", NS)
    assert (original.get("href"), original.text, original.get("rel")) == (WEB_URL, "原文", "external")
    # javascript: is no address; a record without a link has none.
    for html in (second, third):
        assert html.find(".//h:a[@class='original']", NS) is None
    assert b"javascript" not in site[article_page(web, web.articles[1])]
    # Only the article's printed text: the record's other fields are shown nowhere.
    for data in site.values():
        assert b"5500123.pdf" not in data and "抓取".encode() not in data


def page_of(site: dict[str, bytes], path: str) -> etree._Element:
    return etree.fromstring(site[path], etree.XMLParser(resolve_entities=False, no_network=True))


def test_a_paper_nothing_names_is_shown_by_its_masthead() -> None:
    web, base = web_issue(), sample_issue()
    site = build_site([web], SiteOptions())
    source = "".join(page_of(site, article_page(web, web.articles[0])).find(".//h:p[@class='source']", NS).itertext())
    assert source.startswith(f"{PUBLICATION_UNKNOWN} · 2026年8月22日")
    assert "《" not in source  # no book-title marks around a name that is none
    toc = page_of(site, issue_page(web))
    assert toc.findtext(".//h:main/h:h1", namespaces=NS) == f"{PUBLICATION_UNKNOWN} 2026年8月22日"
    assert page_of(site, "index.html").findtext(".//h:main/h:h1", namespaces=NS) == "pressout 网络版"
    named = build_site([base], SiteOptions())
    shown = "".join(page_of(named, article_page(base, base.articles[0])).find(".//h:p[@class='source']", NS).itertext())
    assert shown.startswith("原载《太原日报》2021年12月10日")
    # Two papers' pages on one day are told apart by their mastheads.
    same_day = [replace(web, page=1), replace(base, id="tyrb-2026-08-22-a", date=web.date, page=2, articles=())]
    index = page_of(build_site(same_day, SiteOptions()), "index.html")
    labels = [a.text for a in index.findall(".//h:ol[@class='issues']/h:li/h:a", NS)]
    assert labels == [f"{PUBLICATION_UNKNOWN} 第1版", "太原日报 第2版"]


# --- an issue of several pages (版面) ---------------------------------------------------------------


def _sections(html: etree._Element) -> list[tuple[str | None, list[str]]]:
    """The issue page's contents: (page heading or None, the article links under it), in order."""
    main = html.find(".//h:main", NS)
    out = []
    for child in main:
        if child.tag == f"{{{H}}}ol":
            out.append((None, [a.get("href") for a in child.findall("h:li/h:a", NS)]))
        elif child.tag == f"{{{H}}}section":
            out.append((child.findtext("h:h2", namespaces=NS),
                        [a.get("href") for a in child.findall("h:ol[@class='toc']/h:li/h:a", NS)]))
    return out


def test_an_issue_of_several_pages_lists_each_page_with_its_articles(tmp_path: Path) -> None:
    """A whole issue's page reads as the paper does: a line of links to its pages, then each
    page under its heading (A01版 要闻) with its articles; every article page leads back to
    its page's section."""
    issue = paged_issue()
    write_feeds([issue], tmp_path)
    write_site([issue], tmp_path)
    path = tmp_path / issue_page(issue)
    html = page(path)
    a01, a02, a03 = issue.articles[:2], issue.articles[2:3], issue.articles[3:]
    assert _sections(html) == [
        ("A01版 要闻", [f"{a.id}.html" for a in a01]),
        ("A02版 杭州新闻", [f"{a.id}.html" for a in a02]),
        ("A03版 文体", [f"{a.id}.html" for a in a03]),
    ]
    nav = html.findall(".//h:main/h:nav[@class='pages']/h:a", NS)
    assert [(a.text, a.get("href")) for a in nav] == [
        ("A01版 要闻", "#page-A01"), ("A02版 杭州新闻", "#page-A02"), ("A03版 文体", "#page-A03")]
    ids = {element.get("id") for element in html.iter() if element.get("id")}
    for section in html.findall(".//h:main/h:section", NS):
        assert section.get("aria-labelledby") == section.find("h:h2", NS).get("id")
    assert {a.get("href")[1:] for a in nav} <= ids
    for article in issue.articles:
        article_html = page(tmp_path / article_page(issue, article))
        *_, title, where = article_html.findall(".//h:nav[@class='crumbs']/h:a", NS)
        heading = issue.page_of(article).heading
        assert (title.text, title.get("href")) == (issue.title, "index.html")
        assert (where.text, where.get("href")) == (heading, f"index.html#page-{article.page}")
    for path in pages(tmp_path):  # and every link still resolves
        for element in page(path).iter(f"{{{H}}}a", f"{{{H}}}link"):
            if element.get("rel") != "canonical" and not element.get("href").startswith("#"):
                assert resolve(tmp_path, path, element.get("href")).is_file(), (path, element.get("href"))


def test_articles_of_no_known_page_come_first_without_a_heading() -> None:
    """A whole issue's contents before its first page have no page: listed first, under no
    heading; should such an article come after a page, it is under 版面不详, never taken for
    that page's. A page the dump went back to is a second section, its anchor only once."""
    issue = paged_issue()
    first, second, third, fourth = issue.articles
    lead = replace(first, id=f"{issue.id}-i00000001", page=None)
    stray = replace(third, id=f"{issue.id}-i00000002", page=None)
    again = replace(fourth, id=f"{issue.id}-i00000003", page="A01")
    odd = replace(issue, articles=(lead, first, second, third, stray, fourth, again))
    site = build_site([odd], SiteOptions())
    html = page_of(site, issue_page(odd))
    assert [(heading, len(links)) for heading, links in _sections(html)] == [
        (None, 1), ("A01版 要闻", 2), ("A02版 杭州新闻", 1), ("版面不详", 1), ("A03版 文体", 1), ("A01版 要闻", 1)]
    ids = [element.get("id") for element in html.iter() if element.get("id")]
    assert ids == ["page-A01", "page-A02", "page-A03"]
    # The pages are listed once each, in the order they come.
    nav = html.findall(".//h:main/h:nav[@class='pages']/h:a", NS)
    assert [a.get("href") for a in nav] == ["#page-A01", "#page-A02", "#page-A03"]
    # An article of no page leads back to the issue alone.
    crumbs = page_of(site, article_page(odd, lead)).findall(".//h:nav[@class='crumbs']/h:a", NS)
    assert crumbs[-1].get("href") == "index.html"


def test_an_issue_of_one_page_keeps_its_plain_list() -> None:
    """One page (or none known): the list of articles, the very bytes of an issue without
    pages, and its article pages too."""
    issue = paged_issue()
    one = replace(issue, pages=issue.pages[:1], articles=tuple(replace(a, page="A01") for a in issue.articles))
    none = replace(issue, pages=(), articles=tuple(replace(a, page=None) for a in issue.articles))
    assert build_site([one], SiteOptions()) == build_site([none], SiteOptions())
    html = page_of(build_site([one], SiteOptions()), issue_page(one))
    assert html.find(".//h:section", NS) is None and html.find(".//h:nav[@class='pages']", NS) is None
    assert _sections(html) == [(None, [f"{a.id}.html" for a in issue.articles])]


def test_a_page_label_that_is_no_plain_name_is_anchored_by_its_place() -> None:
    """A source can give any label (a JSON dump, say): its section's id is made from the
    page's place among the issue's pages, which no plain label's id can equal."""
    issue = paged_issue()
    pages_ = (issue.pages[0], Page("A 2/\"x\"", "杭州新闻"), issue.pages[2])
    articles = tuple(replace(a, page="A 2/\"x\"") if a.page == "A02" else a for a in issue.articles)
    odd = replace(issue, pages=pages_, articles=articles)
    site = build_site([odd], SiteOptions())
    html = page_of(site, issue_page(odd))
    assert [a.get("href") for a in html.findall(".//h:main/h:nav[@class='pages']/h:a", NS)] == [
        "#page-A01", "#page-_2", "#page-A03"]
    assert [h.text for h in html.findall(".//h:main/h:section/h:h2", NS)] == [
        "A01版 要闻", 'A 2/"x"版 杭州新闻', "A03版 文体"]


# --- issue 17: the issue before and after, link previews, the icon, the photo's credit ------------


def _head(issue, sizes: dict[str, int] | None = None):
    """An issue's head as a build keeps it (its files' sizes: the covers, the EPUBs)."""
    from pressout.export.html import headline
    from pressout.model import ArticleHead, IssueHead

    return IssueHead(issue.id, issue.source, issue.date, issue.page, issue.publication, issue.publication_slug,
                     issue.title, tuple(ArticleHead(a.id, headline(a)) for a in issue.articles), issue.language,
                     tuple(sorted((sizes or {}).items())))


def _pager(html: etree._Element) -> dict[str, tuple[str, str]]:
    """An issue page's way to the issue before and after: rel → (href, text), from the
    pager under the contents; the head's links must say the same."""
    found = {a.get("rel"): (a.get("href"), a.text) for a in html.findall(".//h:nav[@class='pager issues']/h:a", NS)}
    head = {link.get("rel"): link.get("href") for link in html.findall("h:head/h:link", NS)
            if link.get("rel") in ("prev", "next")}
    assert head == {rel: href for rel, (href, _) in found.items()}
    return found


def test_an_issue_page_links_the_issue_before_and_after_by_date_then_page(tmp_path: Path) -> None:
    """Pages of one day in page order (第1版 → 第2版 → 第3版), then the next day's 第1版;
    the first issue has no 上一期, the newest no 下一期; an undated page is in no row
    with the dated ones; every link resolves to the issue it names."""
    from pressout.export.site import issue_neighbours

    issues = _days_of_a_big_archive()
    write_site(issues, tmp_path, SiteOptions(), stand_in_epubs(tmp_path, issues))
    dated = sorted((i for i in issues if i.date is not None), key=lambda i: (i.date, i.page))
    assert [i.page for i in dated[:4]] == [1, 2, 3, 1]
    by_id = {i.id: i for i in issues}
    for n, issue in enumerate(dated):
        path = tmp_path / issue_page(issue)
        pager = _pager(page(path))
        expected = {}
        if n > 0:
            expected["prev"] = dated[n - 1]
        if n + 1 < len(dated):
            expected["next"] = dated[n + 1]
        assert set(pager) == set(expected), issue.id
        for rel, other in expected.items():
            href, text = pager[rel]
            assert resolve(tmp_path, path, href) == tmp_path / issue_page(other)
            assert text == ("上一期：" if rel == "prev" else "下一期：") + by_id[other.id].title
    undated = hostile_issue()
    assert _pager(page(tmp_path / issue_page(undated))) == {}
    near = issue_neighbours(issues)
    assert near[dated[0].id] == (None, (dated[1].id, dated[1].title))
    assert near[dated[-1].id] == ((dated[-2].id, dated[-2].title), None)
    assert near[undated.id] == (None, None)
    # Undated pages are a row of their own.
    two = [undated, replace(undated, id="x-undated-2", source="x.txt", page=2)]
    assert issue_neighbours([*two, dated[0]])["x-undated-2"] == (None, (undated.id, undated.title))  # unnumbered last
    # An article's page leads back to its issue.
    article = page(tmp_path / article_page(dated[0], dated[0].articles[0]))
    crumbs = article.findall(".//h:nav[@class='crumbs']/h:a", NS)
    assert (crumbs[-1].text, crumbs[-1].get("href")) == (dated[0].title, "index.html")


def test_issue_pages_made_alone_with_their_neighbours_are_the_site_s() -> None:
    """What a build's workers make of one issue, given the site's title and its
    neighbours (``SiteExporter.bounds``), is what the whole site has: byte for byte."""
    from pressout.config import Config
    from pressout.export.feed import EpubFile
    from pressout.export.registry import Settings
    from pressout.export.site import EXPORTER, issue_neighbours

    issues = three_issues()
    sizes = {i.id: {f"epub/{i.id}.epub": 30000 + n} for n, i in enumerate(issues)}
    epubs = {i.id: EpubFile(Path(f"epub/{i.id}.epub"), 30000 + n) for n, i in enumerate(issues)}
    site = build_site(issues, SiteOptions(), epubs)
    near = issue_neighbours(issues)
    settings = Settings(Config(), {}, SiteOptions())
    heads = [_head(i, sizes[i.id]) for i in issues]
    values = EXPORTER.bounds(heads, settings)
    assert len(set(values)) == 3  # one value each: the first, the middle and the last issue
    for issue, value in zip(issues, values, strict=True):
        alone = dict(issue_pages(issue, "太原日报", SiteOptions(), epubs, neighbours=near[issue.id]))
        assert alone == {path: data for path, data in site.items() if path in alone}
        made = dict(EXPORTER.issue_outputs(issue, settings, sizes[issue.id], value))
        # (a build's pages also link the sections' and columns' pages it makes)
        assert made == dict(issue_pages(issue, "太原日报", SiteOptions(), epubs, neighbours=near[issue.id],
                                        sections=True))
        assert made.keys() == alone.keys()
    # The value of an issue alone (a worker's first guess) names no neighbour.
    assert EXPORTER.bounds(heads[:1], settings)[0] != values[0]
    made = dict(EXPORTER.issue_outputs(issues[1], settings, sizes[issues[1].id]))
    assert b'rel="prev"' not in made[issue_page(issues[1])] and b'rel="next"' not in made[issue_page(issues[1])]


def test_each_issue_s_value_reads_back_as_its_title_and_neighbours() -> None:
    """The values the build keeps (one per issue) are JSON, whatever the titles hold, and
    read back as the site's title and the issue's neighbours; made for all issues at once,
    they are the strings made one by one."""
    from pressout.export.site import _bound_value, _bound_values, _from_bound, issue_neighbours

    base = sample_issue()
    odd = '太原"日报\\\t</x>'
    issues = [replace(another_day(base, dt.date(2021, 12, d), page=p), publication=odd) for d in (1, 2) for p in (2, 1)]
    issues += [hostile_issue(), replace(hostile_issue(), id="second-undated", source="x\ty.txt", page=1)]
    near = issue_neighbours(issues)
    values = _bound_values(odd, issues)
    assert values == {i.id: _bound_value(odd, near[i.id]) for i in issues}
    for issue in issues:
        assert _from_bound(values[issue.id]) == (odd, near[issue.id])
    assert _from_bound(_bound_values(odd, issues[:1])[issues[0].id]) == (odd, (None, None))
    assert [near[i.id][1][0] if near[i.id][1] else None for i in issues[:4]] == [
        issues[3].id, issues[0].id, None, issues[2].id]  # 12-01 第1版 → 第2版 → 12-02 第1版 → 第2版


def _issue_pages_of(dist: Path) -> dict[str, int]:
    """The web pages of every issue → inode (a page made again is a new file)."""
    return {p.relative_to(dist).as_posix(): p.stat().st_ino for p in sorted((dist / "issues").rglob("*.html"))}


def _chain(dist: Path) -> list[str]:
    """The issues in the order their pages' 下一期 links lead, from the one without 上一期;
    each 上一期 must lead back."""
    pages_ = {p.parent.name: _pager(page(p)) for p in (dist / "issues").glob("*/index.html")}
    first = [ident for ident, pager in pages_.items() if "prev" not in pager]
    assert len(first) == 1, first
    chain = first
    while "next" in pages_[chain[-1]]:
        following = pages_[chain[-1]]["next"][0].split("/")[-2]
        assert pages_[following]["prev"][0].split("/")[-2] == chain[-1]
        chain.append(following)
    assert sorted(chain) == sorted(pages_)
    return chain


def test_prev_and_next_stay_right_in_incremental_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day added in the middle of the archive: the incremental build equals a clean one
    (byte for byte), the issues' pages lead through every day in order, and only the new
    day's pages and those of its two neighbours were made again (the other issues' pages
    are the very files of the build before); a day removed again: its neighbours' pages
    link each other, and no other issue's page is touched. Each issue's pages are made
    once a build at most (not by the worker that reads its page, which cannot know its
    neighbours, and again by the build)."""
    import hashlib
    import shutil
    from dataclasses import replace as with_

    from pressout.config import load_config
    from pressout.export.site import SiteExporter
    from pressout.pipeline import build

    rendered: list[str] = []  # the issues whose pages were made (jobs=1: all in this process)
    issue_outputs = SiteExporter.issue_outputs

    def counted(self, issue, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.append(issue.id)
        return issue_outputs(self, issue, *args, **kwargs)

    monkeypatch.setattr(SiteExporter, "issue_outputs", counted)

    def outputs(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file() and ".pressout" not in p.relative_to(folder).parts}

    seeds = tmp_path / "seeds"
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", seeds)
    for file in seeds.iterdir():
        file.chmod(0o644)
    middle = seeds / "002_6d3b14249bc8cb53.txt"  # 2022-07-29, between 2021-12-10 and 2025-11-05
    parked = tmp_path / middle.name
    middle.rename(parked)
    config = with_(load_config(None), covers=False)
    dist = tmp_path / "dist"
    assert not build([seeds], dist, config=config, jobs=1).failures
    days = ["tyrb-2021-11-08-a", "tyrb-2021-12-10-a", "tyrb-2025-11-05-a", "tyrb-2025-11-10-a"]
    assert _chain(dist) == days
    assert sorted(rendered) == days
    before = _issue_pages_of(dist)

    parked.rename(middle)
    rendered.clear()
    report = build([seeds], dist, config=config, jobs=1)
    assert not report.failures and report.rebuilt == 1
    added = "tyrb-2022-07-29-a"
    assert sorted(rendered) == [days[1], added, days[2]]
    assert _chain(dist) == [*days[:2], added, *days[2:]]
    clean = build([seeds], tmp_path / "clean", config=config, jobs=1, force=True)
    assert outputs(dist) == outputs(tmp_path / "clean") and report.outputs == clean.outputs
    after = _issue_pages_of(dist)
    made = {rel.split("/")[1] for rel, inode in after.items() if before.get(rel) != inode}
    assert made == {days[1], added, days[2]}

    middle.rename(parked)
    rendered.clear()
    report = build([seeds], dist, config=config, jobs=1)
    assert not report.failures and report.rebuilt == 0
    assert _chain(dist) == days
    assert sorted(rendered) == [days[1], days[2]]
    shutil.rmtree(tmp_path / "clean")
    build([seeds], tmp_path / "clean", config=config, jobs=1, force=True)
    assert outputs(dist) == outputs(tmp_path / "clean")
    again = _issue_pages_of(dist)
    assert {rel.split("/")[1] for rel, inode in again.items() if after.get(rel) != inode} == {days[1], days[2]}
    # The manifest keeps each issue's value: the title and its neighbours.
    import json

    rendered.clear()
    assert not build([seeds], dist, config=config, jobs=1).changed and rendered == []  # nothing changed
    manifest = json.loads((dist / ".pressout" / "manifest.json").read_text(encoding="utf-8"))
    values = {ident: json.loads(value) for _, issues, _ in manifest["pages"].values() for ident, value in issues}
    assert values[days[0]] == ["太原日报", None, [days[1], "太原日报 2021年12月10日"]]
    assert values[days[1]][2] == [days[2], "太原日报 2025年11月5日"]


def _meta(html: etree._Element) -> dict[str, str]:
    return {(m.get("property") or m.get("name")): m.get("content") for m in html.findall("h:head/h:meta", NS)
            if m.get("property") or m.get("name") not in (None, "viewport")}


def test_pages_carry_open_graph_and_twitter_cards(tmp_path: Path) -> None:
    """The front page, every issue page and every article page: og:title, og:type
    (article for an article, website for the others), og:url absolute (the canonical
    address), og:description (an article's first sentence, an issue's headlines, the
    newest day's on the front page), og:locale, and a Twitter card; no image without
    covers."""
    base = "https://example.org/paper/"
    issues = three_issues()
    options = SiteOptions(base_url=base)
    site = build_site(issues, options)
    checked = 0
    for path in site:
        if not path.endswith(".html") or path.startswith("years/"):
            continue
        html = page_of(site, path)
        meta = _meta(html)
        assert meta["og:url"] == base + path == html.find("h:head/h:link[@rel='canonical']", NS).get("href")
        assert meta["og:locale"] == "zh_CN" and meta["og:site_name"] == "太原日报"
        assert meta["og:description"] and meta["og:title"]
        assert meta["twitter:card"] == "summary" and "og:image" not in meta
        is_article = path.startswith("issues/") and not path.endswith("/index.html")
        assert meta["og:type"] == ("article" if is_article else "website")
        checked += 1
    assert checked == 1 + len(issues) + sum(len(i.articles) for i in issues)
    front = _meta(page_of(site, "index.html"))
    newest = order_issues(issues)[0]
    assert front["og:title"] == "太原日报 网络版"
    assert front["og:description"].startswith("2021年12月11日：" + newest.articles[0].display_title + "；")
    issue = issues[1]
    toc = _meta(page_of(site, issue_page(issue)))
    assert toc["og:title"] == issue.title
    assert toc["og:description"].startswith("；".join(a.display_title for a in issue.articles[:2]))
    article = issue.articles[0]
    card = _meta(page_of(site, article_page(issue, article)))
    assert card["og:title"] == article.display_title
    assert card["article:published_time"] == issue.date.isoformat()
    first = next(b.text for b in article.body if isinstance(b, Paragraph))
    assert card["og:description"] == first[: first.index("。") + 1]
    # An issue in Traditional Chinese (zh-TW) says so.
    web = web_issue()
    assert _meta(page_of(build_site([web], options), issue_page(web)))["og:locale"] == "zh_TW"


def test_the_cover_image_is_the_pages_preview(tmp_path: Path) -> None:
    """When the build made an issue's cover (``covers/{id}.png`` in its head's sizes), its
    pages and the front page show it: og:image absolute, and a large-image Twitter card."""
    from pressout.config import Config
    from pressout.export.registry import Settings
    from pressout.export.site import EXPORTER, iter_site

    base = "https://example.org/"
    options = SiteOptions(base_url=base)
    issues = three_issues()
    newest = order_issues(issues)[0]
    heads = [_head(i, {f"covers/{i.id}.png": 20000} if i is newest else {}) for i in issues]
    front = dict(iter_site(heads, options, per_issue=False))
    meta = _meta(page_of(front, "index.html"))
    assert meta["og:image"] == f"{base}covers/{newest.id}.png"
    assert (meta["og:image:width"], meta["og:image:height"], meta["og:image:type"]) == ("600", "800", "image/png")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image:alt"] == f"{newest.title} 封面"
    from pressout.export.feed import EpubFile

    settings = Settings(Config(), {}, options)
    sizes = {f"covers/{newest.id}.png": 20000, f"epub/{newest.id}.epub": 30000}
    made = dict(EXPORTER.issue_outputs(newest, settings, sizes))
    epub = {newest.id: EpubFile(Path(f"epub/{newest.id}.epub"), 30000)}
    assert made == dict(issue_pages(newest, "太原日报", options, epub, cover=True, sections=True))
    for path in made:
        meta = _meta(page_of(made, path))
        assert meta["og:image"] == f"{base}covers/{newest.id}.png" and meta["twitter:card"] == "summary_large_image"
    # without a cover there is none
    older = dict(EXPORTER.issue_outputs(issues[0], settings, {f"epub/{issues[0].id}.epub": 30000}))
    assert all("og:image" not in _meta(page_of(older, path)) for path in older)


def test_og_locale() -> None:
    from pressout.export.site import og_locale

    assert [og_locale(tag) for tag in ("zh-CN", "zh-TW", "zh-HK", "zh-Hans", "zh-Hant", "zh-Hant-HK", "zh",
                                       "en", "en-GB")] == [
        "zh_CN", "zh_TW", "zh_HK", "zh_CN", "zh_TW", "zh_HK", "zh_CN", "en", "en_GB"]


def test_every_page_names_the_icon_made_from_the_masthead(site) -> None:
    from pressout.export.site import favicon

    root, *_ = site
    icon = root / "favicon.svg"
    svg = etree.parse(str(icon)).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.findtext("{http://www.w3.org/2000/svg}text") == "太"
    assert svg.findtext("{http://www.w3.org/2000/svg}title") == "太原日报"
    assert b"url(" not in icon.read_bytes() and b"@import" not in icon.read_bytes()  # no font fetched
    for path in pages(root):
        (link,) = page(path).findall("h:head/h:link[@rel='icon']", NS)
        assert link.get("type") == "image/svg+xml" and resolve(root, path, link.get("href")) == icon
    assert b">P</text>" in favicon("pressout") and b">\xe6\x96\xb0</text>" in favicon("《新民晚报》")
    hostile = etree.fromstring(favicon('<&"报'))
    assert hostile.findtext("{http://www.w3.org/2000/svg}title") == '<&"报'


def test_a_photo_without_its_photo_is_a_credit_line() -> None:
    """An item whose photo the text lost, only its credit left (高劲鹏 摄), is set as a
    credit line (figure.photo.credit-only: no box, no rule, flush at the line's end), never
    an empty captioned box; one with nothing left shows nothing (empty); a photo with its
    caption keeps its box; in the EPUB's fragment (horizontal and vertical) the same."""
    from pressout.export.css import stylesheet
    from pressout.export.html import render_article
    from pressout.model import Credit, Figure

    issue = sample_issue()
    article = issue.articles[0]
    credit = Credit("高劲鹏 摄", ())
    lost = replace(article, body=(*article.body[:1], Figure("", credit), *article.body[1:]))
    assert ('<figure class="photo credit-only"><figcaption><span class="credit">高劲鹏 摄</span></figcaption>'
            "</figure>") in render_article(lost)
    assert '<figure class="photo empty"><figcaption></figcaption></figure>' in render_article(
        replace(article, body=(Figure("", None),)))
    kept = render_article(replace(article, body=(Figure("雨后云海。", credit),)))
    assert '<figure class="photo"><figcaption>雨后云海。 <span class="credit">高劲鹏 摄</span></figcaption></figure>' \
        in kept
    vertical = render_article(replace(article, body=(Figure("", Credit("AB 摄", ())),)), vertical=True)
    assert '<figure class="photo credit-only"><figcaption><span class="credit"><span class="tcy">AB</span> 摄' \
        in vertical

    def rule(css: str, selector: str) -> str:
        found = css[css.index(selector + " {"):]
        return found[: found.index("}")]

    css = stylesheet("article.css").decode()
    line = rule(css, "article.item figure.photo.credit-only")
    assert "border: none" in line and "padding: 0" in line and "text-align: end" in line
    assert "display: none" in rule(css, "article.item figure.photo.empty")
    # (vertical.css's rules for figure.photo are less specific: they cannot put the box back)
    assert "figure.photo.credit-only" not in stylesheet("vertical.css").decode()
    # on the web page too
    site = build_site([replace(issue, articles=(lost,))], SiteOptions())
    (figure,) = page_of(site, article_page(issue, lost)).findall(".//h:figure", NS)
    assert figure.get("class") == "photo credit-only" and "".join(figure.itertext()) == "高劲鹏 摄"


def test_seed_photo_credit_is_a_line(tmp_path: Path, seed_paths: list[Path]) -> None:
    """The seeds' 万亩生态园 雨后现云海 (太原日报 2025-11-10): its photo is only its credit."""
    from pressout.read import read_page

    issues = [read_page(p) for p in seed_paths]
    site = build_site(issues, SiteOptions())
    found = [path for path, data in site.items() if path.endswith(".html") and "高劲鹏 摄".encode() in data]
    assert found
    for path in found:
        for figure in page_of(site, path).iterfind(".//h:figure", NS):
            caption = figure.find("h:figcaption", NS)
            if not (caption.text or "").strip():  # no caption: the credit alone, as a line
                assert figure.get("class") == "photo credit-only" and "".join(caption.itertext()) == "高劲鹏 摄"
            else:
                assert figure.get("class") == "photo"
