"""The EPUB exporter, checked by reopening what it wrote (the validators are in test_epub_validators).

Every check reads the finished archive with zipfile and lxml, never ebooklib's objects,
and compares it with the model: spine order is page order, the nav lists the display
titles, every paragraph appears exactly once and in order, language tags are everywhere,
hostile text stays text, writes are atomic and rebuilds are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from lxml import etree
from samples import HOSTILE, WEB_URL, hostile_issue, paged_issue, sample_issue, web_issue

from pressout.errors import OutputError
from pressout.export import _ebooklib, epub
from pressout.export.epub import epub_bytes, epub_name, write_epub
from pressout.export.html import byline_text, inline, upright, upright_runs
from pressout.model import (
    Article,
    Contributor,
    Credit,
    Figure,
    Furniture,
    Issue,
    Kind,
    Mark,
    Note,
    Page,
    Paragraph,
    Role,
    Subhead,
)
from pressout.timestamps import issue_instant

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _read_seed(path: Path) -> Issue:
    from pressout.read import read_page

    return read_page(path)


def _columns_issue() -> Issue:
    """The sample with several column runs, one of them interrupted: A A - A B."""
    issue = sample_issue()
    columns = ("评论", "评论", None, "评论", "并州论坛")
    return replace(
        issue,
        id=f"{issue.id}-columns",
        articles=tuple(replace(a, column=c) for a, c in zip(issue.articles, columns, strict=True)),
    )


def _web_single() -> Issue:
    """One article of a web dump as a book of its own, its record giving the original's address."""
    issue = web_issue()
    return replace(issue, id=f"{issue.id}-single", articles=issue.articles[:1])


ISSUES = {
    "sample": sample_issue,
    "hostile": hostile_issue,
    "columns": _columns_issue,
    "web": web_issue,  # Traditional script (zh-TW), no paper named, source fields
    "web-single": _web_single,
}
ISSUES.update({f"seed-{p.name[:3]}": (lambda p=p: _read_seed(p)) for p in SEEDS})


@pytest.fixture(scope="module", params=sorted(ISSUES))
def issue(request) -> Issue:
    return ISSUES[request.param]()


@pytest.fixture(scope="module", params=[False, True], ids=["horizontal", "vertical"])
def vertical(request) -> bool:
    return request.param


@dataclass
class Opened:
    """An EPUB reopened: its raw entries, package document, and parsed XHTML by href."""

    infos: list[zipfile.ZipInfo]
    files: dict[str, bytes]
    opf: etree._Element
    base: str  # folder of the package document inside the zip

    def xml(self, href: str) -> etree._Element:
        return etree.fromstring(self.files[self.base + href])

    @property
    def manifest(self) -> dict[str, etree._Element]:
        return {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    @property
    def spine(self) -> list[str]:
        items = self.manifest
        return [items[r.get("idref")].get("href") for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    @property
    def xhtml(self) -> list[str]:
        return [
            i.get("href") for i in self.manifest.values() if i.get("media-type") == "application/xhtml+xml"
        ]

    def nav_href(self) -> str:
        (item,) = [i for i in self.manifest.values() if "nav" in (i.get("properties") or "").split()]
        return item.get("href")

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind("opf:metadata/opf:meta", NS) if m.get("property") == prop]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def reopen(data: bytes) -> Opened:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        files = {i.filename: z.read(i) for i in infos}
    container = etree.fromstring(files["META-INF/container.xml"])
    opf_path = container.find(".//c:rootfile", NS).get("full-path")
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    return Opened(infos, files, etree.fromstring(files[opf_path]), base)


@pytest.fixture(scope="module")
def book(issue: Issue, vertical: bool) -> Opened:
    return reopen(epub_bytes(issue, vertical=vertical))


def article_docs(book: Opened) -> list[etree._Element]:
    """The <article> of each spine document that has one, in spine order."""
    found = []
    for href in book.spine:
        articles = book.xml(href).findall(".//h:article", NS)
        assert len(articles) <= 1, f"{href}: one article per document"
        found.extend(articles)
    return found


def text(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


def body_paragraphs(article: etree._Element) -> list[str]:
    """Text of the article's own paragraphs (not header, notes, captions or credits)."""
    out = []
    for p in article.findall("h:p", NS):
        if p.get("class"):
            continue
        words = text(p)
        lead = p.find("h:span[@class='dateline']", NS)
        if lead is not None and p.index(lead) == 0 and not (p.text or "").strip():
            words = words[len(text(lead)) :].removeprefix("\u3000")
        out.append(words)
    return out


# --- the package --------------------------------------------------------------------------


def test_zip_layout(issue: Issue, vertical: bool, book: Opened) -> None:
    first = book.infos[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert book.files["mimetype"] == b"application/epub+zip"
    names = [i.filename for i in book.infos[1:]]
    assert names == sorted(names)
    when = issue_instant(issue)
    assert {i.date_time for i in book.infos} == {max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))}


def test_spine_is_page_order(issue: Issue, book: Opened) -> None:
    spine = book.spine
    assert spine[0] == "cover.xhtml" and spine[1] == book.nav_href()
    assert [a.get("id") for a in article_docs(book)] == [a.id for a in issue.articles]
    assert len(spine) == 2 + len(issue.articles)
    assert book.opf.find("opf:spine", NS).get("toc") in book.manifest
    # No document is left out of the reading order or hidden from it.
    assert sorted(spine) == sorted(book.xhtml)
    assert all(r.get("linear") in (None, "yes") for r in book.opf.iterfind("opf:spine/opf:itemref", NS))


def test_nav_lists_display_titles_grouped_by_column(issue: Issue, book: Opened) -> None:
    nav = book.xml(book.nav_href())
    (toc,) = [n for n in nav.iterfind(".//h:nav", NS) if n.get(f"{{{NS['epub']}}}type") == "toc"]
    assert toc.get("role") == "doc-toc"
    links = toc.findall(".//h:a", NS)
    assert [text(a) for a in links] == [a.display_title for a in issue.articles]
    spine_articles = book.spine[2:]
    assert [a.get("href") for a in links] == spine_articles

    # Runs of items under one column sit under a heading; others are at the top level.
    expected: list[tuple[str | None, list[str]]] = []
    for article in issue.articles:
        if article.column and expected and expected[-1][0] == article.column:
            expected[-1][1].append(article.display_title)
        else:
            expected.append((article.column, [article.display_title]))
    found = []
    for li in toc.findall("h:ol/h:li", NS):
        span = li.find("h:span", NS)
        if span is not None:
            found.append((text(span), [text(a) for a in li.findall("h:ol/h:li/h:a", NS)]))
        else:
            found.append((None, [text(li.find("h:a", NS))]))
    assert found == expected


def test_landmarks(book: Opened) -> None:
    nav = book.xml(book.nav_href())
    (marks,) = [n for n in nav.iterfind(".//h:nav", NS) if n.get(f"{{{NS['epub']}}}type") == "landmarks"]
    kinds = {a.get(f"{{{NS['epub']}}}type"): a.get("href") for a in marks.iterfind(".//h:a", NS)}
    assert kinds == {"cover": "cover.xhtml", "toc": book.nav_href(), "bodymatter": book.spine[2]}
    assert marks.get("hidden") is not None


def test_ncx_nesting_depth_and_order(issue: Issue, book: Opened) -> None:
    toc_id = book.opf.find("opf:spine", NS).get("toc")
    ncx = book.xml(book.manifest[toc_id].get("href"))
    assert ncx.get(XML_LANG) == issue.language
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("ncx:head/ncx:meta", NS)}
    assert head["dtb:uid"] == book.dc("identifier")[0]
    grouped = any(a.column for a in issue.articles)
    assert head["dtb:depth"] == ("2" if grouped else "1")
    points = ncx.findall(".//ncx:navPoint", NS)
    leaves = [p for p in points if p.find("ncx:navPoint", NS) is None]
    assert [text(p.find("ncx:navLabel/ncx:text", NS)) for p in leaves] == [
        a.display_title for a in issue.articles
    ]
    assert [p.find("ncx:content", NS).get("src") for p in leaves] == book.spine[2:]
    for point in points:  # a group heading opens its first item
        children = point.findall("ncx:navPoint", NS)
        if children:
            assert point.find("ncx:content", NS).get("src") == children[0].find("ncx:content", NS).get("src")
    # playOrder: one per target, in reading order; ids unique.
    orders = [int(p.get("playOrder")) for p in points]
    srcs = [p.find("ncx:content", NS).get("src") for p in points]
    assert orders == [sorted(dict.fromkeys(srcs)).index(s) + 1 for s in srcs]
    assert len({p.get("id") for p in points}) == len(points)


# --- metadata ---------------------------------------------------------------------------------


def _vertical_word(issue: Issue) -> str:
    return "直排" if issue.language in ("zh-TW", "zh-HK", "zh-MO", "zh-Hant") else "竖排"


def test_metadata(issue: Issue, vertical: bool, book: Opened) -> None:
    # The vertical edition is a book of its own title: a library holding both shows two.
    assert book.dc("title") == [f"{issue.title} {_vertical_word(issue)}" if vertical else issue.title]
    assert book.dc("language") == [issue.language]
    assert book.dc("publisher") == [issue.masthead]  # 报刊不详 when nothing names the paper
    source, *original = book.dc("source")
    assert issue.source in source and issue.sha256 in source
    # A book of one web article names its original too; a page of several does not.
    assert original == ([WEB_URL] if issue.id.endswith("-single") else [])
    assert book.dc("date") == ([issue.date.isoformat()] if issue.date else [])
    (ident,) = book.dc("identifier")
    assert ident.startswith("urn:uuid:")
    assert uuid.UUID(ident.removeprefix("urn:uuid:")).version == 5
    when = issue_instant(issue).astimezone(dt.UTC)
    assert book.meta("dcterms:modified") == [when.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_series_metadata_groups_a_papers_books(issue: Issue, vertical: bool, book: Opened) -> None:
    """A paper's books are one series on the reader (EPUB 3's collection, and calibre's
    meta that Kobo and KOReader read), in date and page order; its vertical books are a
    series of their own (太原日报 竖排), at the same positions, so no series holds two books
    of one place. Pages whose paper nothing names are no series: they are not one paper."""
    collections = [m for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
                   if m.get("property") == "belongs-to-collection"]
    if not issue.publication:
        assert collections == []
        assert not [m for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
                    if (m.get("name") or "").startswith("calibre:series")
                    or m.get("property") in ("collection-type", "group-position")]
        return
    (collection,) = collections
    series = f"{issue.publication} {_vertical_word(issue)}" if vertical else issue.publication
    assert collection.text == series
    refines = {m.get("property"): m.text for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
               if m.get("refines") == f"#{collection.get('id')}"}
    named = {m.get("name"): m.get("content") for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
             if m.get("name")}
    assert refines["collection-type"] == "series" and named["calibre:series"] == series
    position = epub.series_position(issue)
    assert refines.get("group-position") == position and named.get("calibre:series_index") == position
    assert (position is None) == (issue.date is None)


def test_series_positions_sort_by_date_then_page() -> None:
    base = sample_issue()
    issues = [replace(base, date=dt.date(2024, 6, d), page=p) for d in (7, 8) for p in (None, 1, 9, 10, 16)]
    positions = [epub.series_position(i) for i in issues]
    assert positions[:3] == ["20240607", "20240607.001", "20240607.009"]
    assert sorted(positions, key=float) == positions  # as calibre's series index sorts them


def test_accessibility_metadata(book: Opened) -> None:
    assert book.meta("schema:accessMode") == ["textual"]
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(
        book.meta("schema:accessibilityFeature")
    )
    assert book.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = book.meta("schema:accessibilitySummary")
    assert summary.strip()
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert book.meta("a11y:certifiedBy")


def test_identifiers_are_stable_and_distinct() -> None:
    a, b = sample_issue(), hostile_issue()
    ids = {
        (issue.id, v): reopen(epub_bytes(issue, vertical=v)).dc("identifier")[0]
        for issue in (a, b)
        for v in (False, True)
    }
    assert len(set(ids.values())) == 4
    assert reopen(epub_bytes(a)).dc("identifier")[0] == ids[(a.id, False)]


def test_language_tags_everywhere(issue: Issue, book: Opened) -> None:
    assert book.opf.get(XML_LANG) == issue.language
    for href in book.xhtml:
        root = book.xml(href)
        assert root.get("lang") == issue.language, href
        assert root.get(XML_LANG) == issue.language, href
        assert root.find("h:head/h:title", NS) is not None and text(root.find("h:head/h:title", NS)), href


def test_vertical_edition(vertical: bool, book: Opened) -> None:
    spine = book.opf.find("opf:spine", NS)
    modes = [
        m.get("content")
        for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
        if m.get("name") == "primary-writing-mode"
    ]
    css_hrefs = [i.get("href") for i in book.manifest.values() if i.get("media-type") == "text/css"]
    if vertical:
        assert spine.get("page-progression-direction") == "rtl"
        assert modes == ["vertical-rl"]
        (sheet,) = [h for h in css_hrefs if h.endswith("vertical.css")]
        assert re.search(rb"(?<![-\w])writing-mode:\s*vertical-rl", book.files[book.base + sheet])
    else:
        assert spine.get("page-progression-direction") is None
        assert modes == []
        assert not [h for h in css_hrefs if "vertical" in h]
    for href in book.xhtml:  # every page gets every sheet, in cascade order
        links = [link.get("href") for link in book.xml(href).iterfind("h:head/h:link", NS)]
        assert links == css_hrefs, href
        assert book.xml(href).find("h:body", NS).get("dir") is None  # never dir=rtl on Chinese


def test_styles_follow_clreq() -> None:
    from importlib.resources import files

    css = files("pressout.styles").joinpath("article.css").read_text(encoding="utf-8")
    assert re.search(r"text-indent:\s*2em", css)
    assert re.search(r"text-align:\s*justify", css)
    body = re.search(r"^article\.item \{(.*?)\}", css, re.S | re.M).group(1)
    assert 1.6 <= float(re.search(r"line-height:\s*([0-9.]+)\s*;", body).group(1)) <= 1.9
    assert not re.search(r"line-height:\s*[0-9.]+(px|em|rem|%)", css), "line-height must be unitless"
    assert "Noto Serif CJK SC" in css and "Noto Sans CJK SC" in css
    epub_css = files("pressout.styles").joinpath("epub.css").read_text(encoding="utf-8")
    assert re.search(r"break-after:\s*page", epub_css)


# The roles as MARC relator codes (https://id.loc.gov/vocabulary/relators), written out
# here so that a change in the exporter's table shows.
MARC = {"reporter": "rpt", "correspondent": "ctb", "photographer": "pht", "author": "aut", "editor": "edt"}


def _refinements(book: Opened, uid: str) -> list[tuple[str, str | None, str]]:
    return [(m.get("property"), m.get("scheme"), m.text) for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
            if m.get("refines") == f"#{uid}"]


def _agents(book: Opened, element: str) -> list[tuple[str, list[str], list[tuple[str, str | None, str]]]]:
    """Each dc:creator or dc:contributor: its name, its roles (checked to be MARC relator
    codes) and its other refinements."""
    out = []
    for el in book.opf.iterfind(f"opf:metadata/dc:{element}", NS):
        uid = el.get("id")
        assert uid, f"dc:{element} {el.text} has no id to refine"
        refined = _refinements(book, uid)
        roles = [value for prop, scheme, value in refined if prop == "role"]
        assert all(scheme == "marc:relators" for prop, scheme, _ in refined if prop == "role")
        out.append((el.text, roles, [r for r in refined if r[0] != "role"]))
    return out


def test_creator_contributors_and_subjects(issue: Issue, book: Opened) -> None:
    """The paper is the book's creator (the author a library shows: MARC aut, filed under its
    name); everyone the articles credit is a contributor, once, in page order, with a MARC
    relator role per role they are credited in (at most 30 of them); the pages' names and
    the columns are its subjects, once each."""
    assert _agents(book, "creator") == [(issue.masthead, ["aut"], [("file-as", None, issue.masthead)])]
    expected: dict[str, list[str]] = {}
    for article in issue.articles:
        for credit in article.credits:
            for person in credit.contributors:
                if person.name not in expected and len(expected) < 30:
                    expected[person.name] = []
                if person.name in expected and MARC[person.role.value] not in expected[person.name]:
                    expected[person.name].append(MARC[person.role.value])
    assert _agents(book, "contributor") == [(name, roles, []) for name, roles in expected.items()]
    subjects = dict.fromkeys([p.name for p in issue.pages if p.name] + [a.column for a in issue.articles if a.column])
    assert book.dc("subject") == list(subjects)[:20]
    assert len(set(book.dc("subject"))) == len(book.dc("subject"))


def test_contributor_roles_are_marc_relators() -> None:
    """Reporters rpt, photographers pht, signed authors aut, editors edt, correspondents
    (通讯员) ctb; one person in two roles is one contributor with both."""
    sample = reopen(epub_bytes(sample_issue()))
    roles = {name: found for name, found, _ in _agents(sample, "contributor")}
    assert roles["赵继钊"] == ["rpt"] and roles["牛利敏"] == ["pht"] and roles["何宝国"] == ["aut"]
    paged = reopen(epub_bytes(paged_issue()))
    assert [(name, found) for name, found, _ in _agents(paged, "contributor")] == [
        ("张三", ["rpt"]), ("李四", ["rpt"]), ("王五", ["rpt"]), ("赵六", ["ctb"]), ("孙七", ["rpt"])
    ]
    assert paged.dc("subject") == ["要闻", "杭州新闻", "文体"]
    hostile = reopen(epub_bytes(hostile_issue()))
    assert [(name, found) for name, found, _ in _agents(hostile, "contributor")] == [
        (HOSTILE, ["rpt", "pht", "aut"])
    ]
    assert hostile.dc("subject") == [HOSTILE]
    editor = Article(id="x-e", kind=Kind.ARTICLE, title="t", body=(Paragraph("正文。"),),
                     closing=(Credit("（以上由王勇编辑整理）", (Contributor("王勇", Role.EDITOR),)),))
    issue = replace(sample_issue(), articles=(*sample_issue().articles, editor))
    roles = {name: found for name, found, _ in _agents(reopen(epub_bytes(issue)), "contributor")}
    assert roles["王勇"] == ["rpt", "edt"]  # a reporter of the sample, and its editor here
    # Every role the model has is mapped.
    assert set(epub.MARC_ROLES) == set(Role) and {r.value: c for r, c in epub.MARC_ROLES.items()} == MARC


def test_contributors_and_subjects_are_capped() -> None:
    """A whole issue credits more people than a library lists: the first 30 in page order,
    and still every role of those; subjects at most 20."""
    people = [Contributor(f"记者{n:02d}", Role.REPORTER) for n in range(40)]
    articles = tuple(
        Article(id=f"x-{n}", kind=Kind.ARTICLE, title=f"稿{n}", body=(Paragraph("正文。"),), column=f"栏目{n % 25}",
                byline=Credit(" ".join(p.name for p in people[n * 4 : n * 4 + 4]), tuple(people[n * 4 : n * 4 + 4])))
        for n in range(10)
    )
    last = Article(id="x-last", kind=Kind.PHOTO, title=None,
                   body=(Figure("图片说明", Credit("记者00 摄", (Contributor("记者00", Role.PHOTOGRAPHER),))),))
    issue = replace(sample_issue(), articles=(*articles, last),
                    pages=tuple(Page(str(n), f"版名{n}") for n in range(1, 16)))
    book = reopen(epub_bytes(issue))
    agents = _agents(book, "contributor")
    assert [name for name, _, _ in agents] == [p.name for p in people[:30]]
    assert agents[0][1] == ["rpt", "pht"]
    assert book.dc("subject") == [f"版名{n}" for n in range(1, 16)] + [f"栏目{n}" for n in range(5)]


def test_vertical_edition_is_a_book_of_its_own() -> None:
    """Beside the horizontal book, the vertical one has its own title (竖排, or 直排 for a
    Traditional-script paper), identifier and series, at the same place in its series: a
    library shows two books, not one twice. The horizontal book is as it was."""
    for issue, word in ((sample_issue(), "竖排"), (paged_issue(), "竖排"), (web_issue(), "直排")):
        flat, tall = reopen(epub_bytes(issue)), reopen(epub_bytes(issue, vertical=True))
        assert flat.dc("title") == [issue.title] and tall.dc("title") == [f"{issue.title} {word}"]
        assert flat.dc("identifier") != tall.dc("identifier")
        assert flat.dc("identifier") == [_ebooklib.identifier(issue.id)]
        assert tall.dc("identifier") == [_ebooklib.identifier(f"{issue.id}#vertical")]
        flat_series, tall_series = flat.meta("belongs-to-collection"), tall.meta("belongs-to-collection")
        if issue.publication:
            assert flat_series == [issue.publication] and tall_series == [f"{issue.publication} {word}"]
            assert flat.meta("group-position") == tall.meta("group-position") == [epub.series_position(issue)]
        else:
            assert flat_series == tall_series == []
        # The rest of the package's metadata is the same.
        for name in ("creator", "contributor", "subject", "publisher", "date", "language", "source"):
            assert flat.dc(name) == tall.dc(name), name
        ncx = etree.fromstring(tall.files[tall.base + "toc.ncx"])
        assert text(ncx.find("ncx:docTitle/ncx:text", NS)) == f"{issue.title} {word}"
    assert epub.vertical_word("zh-Hant-HK") == "直排" and epub.vertical_word("zh-Hans-HK") == "竖排"
    assert epub.vertical_word("zh-SG") == "竖排" and epub.vertical_word("zh-MO") == "直排"


# --- vertical typesetting -------------------------------------------------------------------

TCY = '<span class="tcy">{}</span>'


@pytest.mark.parametrize(("given", "shown"), [
    ("11月9日", f"{TCY.format(11)}月{TCY.format(9)}日"),  # one and two digits: across the line
    ("2021年11月", f"2021年{TCY.format(11)}月"),  # four digits: sideways, as written
    ("117件，受理106件", "117件，受理106件"),  # three digits too
    ("A股和B超", f"{TCY.format('A')}股和{TCY.format('B')}超"),  # a letter or two
    ("5G网络", f"{TCY.format('5G')}网络"),
    ("CT室", f"{TCY.format('CT')}室"),
    ("PM2.5+臭氧", "PM2.5+臭氧"),  # one Latin segment of six characters
    ("增长20%，", "增长20%，"),
    ("A03版", "A03版"),
    ("共 3 人", f"共 {TCY.format(3)} 人"),  # spaces around a number among Chinese
    ("Type 3 号", "Type 3 号"),  # a number in a Latin phrase stays in the phrase
    ("3·15晚会", f"{TCY.format(3)}·{TCY.format(15)}晚会"),
    ("１２月", "１２月"),  # full-width digits are upright already
    ("&1<b>", "&amp;1&lt;b&gt;"),  # a segment of more than letters and digits: escaped only
    ("9", TCY.format(9)),
    ("", ""),
])
def test_upright_combines_runs_of_one_or_two_letters_or_digits(given: str, shown: str) -> None:
    assert upright(given) == shown
    assert [given[a:b] for a, b in upright_runs(given)] == re.findall(r'<span class="tcy">(\w+)</span>', shown)


def test_marks_render_right_in_vertical_text() -> None:
    """Marks keep their offsets: a run inside a mark is combined inside it, a run that a
    mark's edge cuts through (m², CO₂) is not combined at all, and the horizontal
    rendering is as it always was."""
    text = "第3版CO2排放与m2及11月"
    marks = (Mark(1, 2, "bold"), Mark(5, 6, "subscript"), Mark(10, 11, "superscript"), Mark(12, 15, "bold"))
    assert inline(text, marks) == "第<b>3</b>版CO<sub>2</sub>排放与m<sup>2</sup>及<b>11月</b>"
    assert inline(text, marks, vertical=True) == (
        f"第<b>{TCY.format(3)}</b>版CO<sub>2</sub>排放与m<sup>2</sup>及<b>{TCY.format(11)}月</b>"
    )
    # Out of order and at the text's ends.
    assert inline("9日与5", (Mark(2, 3, "bold"), Mark(0, 1, "superscript")), vertical=True) == (
        f"<sup>{TCY.format(9)}</sup>日<b>与</b>{TCY.format(5)}"
    )
    # Through the book: the paragraph's text is whole, its marks where they were.
    issue = replace(sample_issue(), articles=(
        Article(id="x-marks", kind=Kind.ARTICLE, title="标题", body=(Paragraph(text, marks),)),
    ))
    for vertical in (False, True):
        book = reopen(epub_bytes(issue, vertical=vertical))
        (article,) = article_docs(book)
        (p,) = article.findall("h:p", NS)
        assert text_of(p) == text
        assert [(etree.QName(c).localname, text_of(c)) for c in p] == [
            ("b", "3"), ("sub", "2"), ("sup", "2"), ("b", "11月")
        ]
        assert len(p.findall(".//h:span[@class='tcy']", NS)) == (2 if vertical else 0)


def text_of(el: etree._Element) -> str:
    return "".join(el.itertext())


_SEGMENT = re.compile(r"[!-~]+(?: [!-~]+)*")


def _flatten(el: etree._Element) -> tuple[str, list[tuple[int, int]], set[int]]:
    """An element's text, where its tcy spans are in it, and the edges of its marks."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    edges: set[int] = set()

    def walk(e: etree._Element) -> None:
        if e.text:
            parts.append(e.text)
        for child in e:
            start = sum(map(len, parts))
            walk(child)
            end = sum(map(len, parts))
            name = etree.QName(child).localname
            if name == "span" and child.get("class") == "tcy":
                assert len(child) == 0 and re.fullmatch(r"[0-9A-Za-z]{1,2}", child.text or "")
                spans.append((start, end))
            elif name in ("b", "sub", "sup"):
                edges.update((start, end))
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts), spans, edges


def _blocks(book: Opened) -> list[etree._Element]:
    """Every element of the book's pages and table of contents that holds a run of text."""
    found = []
    for href in book.xhtml:
        root = book.xml(href)
        if href == book.nav_href():
            toc = root.find(".//h:nav[@role='doc-toc']", NS)
            found += toc.findall(".//h:h1", NS) + toc.findall(".//h:li/h:a", NS) + toc.findall(".//h:li/h:span", NS)
        else:
            for tag in ("p", "h1", "h2", "figcaption", "li/h:a"):
                found += root.findall(f".//h:body//h:{tag}", NS)
    return found


def test_vertical_pages_combine_exactly_the_short_runs(issue: Issue, vertical: bool, book: Opened) -> None:
    """In the vertical book's pages, cover and table of contents, every Latin segment of one
    or two ASCII letters or digits (11月9日, A股) is in a tcy span, and nothing else is; a
    run a mark's edge cuts through is left alone. The horizontal book has none."""
    if not vertical:
        for href in book.xhtml:
            assert b'class="tcy"' not in book.files[book.base + href], href
        return
    blocks = _blocks(book)
    assert blocks
    for el in blocks:
        words, spans, edges = _flatten(el)
        expected = [m.span() for m in _SEGMENT.finditer(words) if re.fullmatch(r"[0-9A-Za-z]{1,2}", m.group())]
        assert spans == [(a, b) for a, b in expected if not any(a < e < b for e in edges)], words
    ncx = book.files[book.base + "toc.ncx"]
    assert b"<span" not in ncx  # the NCX is plain text


def test_vertical_pages_are_the_horizontal_ones_with_tcy(issue: Issue) -> None:
    """Only the tcy spans (and the vertical sheet's link) tell a vertical page from its
    horizontal one: same text, same marks, same markup; the horizontal pages never change."""
    flat, tall = reopen(epub_bytes(issue)), reopen(epub_bytes(issue, vertical=True))
    link = b'    <link href="styles/vertical.css" rel="stylesheet" type="text/css"/>\n'
    assert sorted(flat.xhtml) == sorted(tall.xhtml)
    combined = 0
    for href in tall.xhtml:
        page = tall.files[tall.base + href]
        assert page.count(link) == 1, href
        plain, n = re.subn(rb'<span class="tcy">([0-9A-Za-z]{1,2})</span>', rb"\1", page.replace(link, b""))
        combined += n
        assert plain == flat.files[flat.base + href], href
    if issue.id.startswith(("tyrb-2021-12-10", "tyrb-2021-11-08")):
        assert combined > 10  # dates (12月9日) in every report


def test_vertical_cover_and_nav_are_vertical() -> None:
    """The cover and the table of contents are vertical documents too: they link the
    vertical sheet, and the cover's date has its tcy spans."""
    book = reopen(epub_bytes(sample_issue(), vertical=True))
    for href in ("cover.xhtml", book.nav_href()):
        links = [link.get("href") for link in book.xml(href).iterfind("h:head/h:link", NS)]
        assert links[-1] == "styles/vertical.css", href
    date = book.xml("cover.xhtml").find(".//h:p[@class='issue-date']", NS)
    assert [text_of(s) for s in date.iterfind("h:span[@class='tcy']", NS)] == ["12", "10"]


def test_vertical_styles() -> None:
    """vertical.css: writing-mode for every reading system that has it; tcy combined
    upright (text-combine-upright, and the prefixed forms older engines read); the
    layout that only fits vertical text inside @supports, so a reading system without
    vertical text keeps the horizontal layout."""
    from importlib.resources import files

    css = files("pressout.styles").joinpath("vertical.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    supports = css.index("@supports")
    head, guarded = css[:supports], css[supports:]
    html = re.search(r"^html \{(.*?)\}", head, re.S | re.M).group(1)
    for decl in ("-epub-writing-mode: vertical-rl", "-webkit-writing-mode: vertical-rl",
                 "writing-mode: vertical-rl", "text-orientation: mixed"):
        assert decl in html
    tcy = re.search(r"^\.tcy \{(.*?)\}", head, re.S | re.M).group(1)
    for decl in ("text-combine-upright: all", "-webkit-text-combine: horizontal", "-epub-text-combine: horizontal"):
        assert decl in tcy
    assert re.match(r"@supports \(writing-mode: vertical-rl\) or \(-webkit-writing-mode: vertical-rl\) \{", guarded)
    assert "border-top" in guarded and "border-left: 0.2em double" in guarded
    # Nothing but the html and .tcy rules is outside it.
    assert re.sub(r"^html \{.*?\}|^\.tcy \{.*?\}", "", head, flags=re.S | re.M).strip() == ""


# --- contents -------------------------------------------------------------------------------------


def test_every_paragraph_once_in_order(issue: Issue, book: Opened) -> None:
    shown = [p for article in article_docs(book) for p in body_paragraphs(article)]
    expected = [p.text for a in issue.articles for p in a.paragraphs]
    # A dateline with no paragraph after it gets a paragraph of its own.
    expected_datelines = [a for a in issue.articles if a.dateline and not a.paragraphs]
    assert [p for p in shown if p] == [p for p in expected if p]
    assert len(shown) - len([p for p in shown if p]) == len(expected_datelines) + len(
        [p for p in expected if not p]
    )


def test_each_article_page_carries_the_model(issue: Issue, book: Opened) -> None:
    for article, el in zip(issue.articles, article_docs(book), strict=True):
        assert article.kind.value in el.get("class").split()
        header = el.find("h:header", NS)
        assert text(header.find("h:h1", NS)) == article.display_title
        for field_, cls in (("kicker", "kicker"), ("subtitle", "subtitle"), ("column", "column")):
            value = getattr(article, field_)
            found = header.find(f"h:p[@class='{cls}']", NS)
            assert (text(found) if found is not None else None) == value, field_
        byline = header.find("h:p[@class='byline']", NS)
        if article.byline and article.byline.contributors:
            assert text(byline) == byline_text(article.byline)
        else:
            assert byline is None
        assert [text(h) for h in el.findall("h:h2", NS)] == [
            b.text for b in article.body if isinstance(b, Subhead)
        ]
        captions = [text(f.find("h:figcaption", NS)) for f in el.findall("h:figure", NS)]
        assert captions == [
            " ".join(x for x in (b.text, b.credit.text if b.credit else "") if x)
            for b in article.body
            if isinstance(b, Figure)
        ]
        notes = [text(p) for p in el.findall("h:p", NS) if "note" in (p.get("class") or "").split()]
        assert notes == [b.text for b in article.body if isinstance(b, Note)]
        closing = [text(p) for p in el.findall("h:footer/h:p", NS)]
        assert closing == [c.text for c in article.closing]
        # Body blocks come in model order.
        order = [
            {"p": Paragraph, "h2": Subhead, "figure": Figure}.get(etree.QName(c).localname)
            for c in el
            if etree.QName(c).localname in ("p", "h2", "figure")
        ]
        model_order = [type(b) if not isinstance(b, Note) else Paragraph for b in article.body]
        if article.dateline and not article.paragraphs:
            model_order.append(Paragraph)
        assert order == model_order


def test_chinese_roles_in_bylines() -> None:
    book = reopen(epub_bytes(sample_issue()))
    bylines = [text(p) for a in article_docs(book) for p in a.iterfind(".//h:p[@class='byline']", NS)]
    assert "记者 赵继钊、殷雪莺" in bylines
    captions = [text(f) for a in article_docs(book) for f in a.iterfind(".//h:figcaption", NS)]
    assert any(c.endswith("牛利敏 摄") for c in captions)
    kinds = [a.get("class").split()[1] for a in article_docs(book)]
    assert Kind.PHOTO.value in kinds and Kind.NOTICE.value in kinds


def test_cover_has_masthead_date_headlines_and_banners(issue: Issue, book: Opened) -> None:
    cover = book.xml("cover.xhtml")
    assert text(cover.find(".//h:h1", NS)) == issue.masthead
    words = text(cover.find("h:body", NS))
    if issue.date:
        assert f"{issue.date.year}年{issue.date.month}月{issue.date.day}日" in words
    else:
        assert "日期不详" in words
    leads = cover.findall(".//h:nav[@class='leads']//h:a", NS)
    assert leads
    titles = {f"a{n:03d}.xhtml": a.display_title for n, a in enumerate(issue.articles, 1)}
    for a in leads:
        assert titles[a.get("href")] == text(a)
    for furniture in issue.furniture:
        (shown,) = [p for p in cover.iterfind(".//h:p", NS) if text(p) == furniture.text]
        assert shown.get("class") == ("banner" if furniture.kind == "banner" else "imprint")


def test_source_fields_are_no_part_of_the_book() -> None:
    """A record's url, id, crawl time and media field are not printed text: no page shows
    them (only the package's dc:source names the original of a one-article book)."""
    for issue in (web_issue(), _web_single()):
        book = reopen(epub_bytes(issue))
        for name, data in book.files.items():
            if name.endswith(".xhtml"):
                words = data.decode()
                assert "5500123" not in words and "06:43" not in words and "自由" not in words, name
                assert "原文" not in words and "news.example.com.tw" not in words, name
        assert book.opf.get(XML_LANG) == "zh-TW"


def test_editor_box_is_an_imprint_on_the_cover() -> None:
    issue = sample_issue()
    staff = Furniture(f"{issue.id}-e1", "editor-box", "责任编辑：王勇 <版式>", len(issue.articles))
    book = reopen(epub_bytes(replace(issue, furniture=(*issue.furniture, staff))))
    cover = book.xml("cover.xhtml")
    assert [text(p) for p in cover.iterfind(".//h:p[@class='imprint']", NS)] == [staff.text]
    assert [text(p) for p in cover.iterfind(".//h:p[@class='banner']", NS)] == [issue.furniture[0].text]


def test_hostile_text_shows_as_text() -> None:
    data = epub_bytes(hostile_issue())
    book = reopen(data)
    (el,) = article_docs(book)
    assert text(el.find(".//h:h1", NS)) == f"标题{HOSTILE}"
    for cls in ("kicker", "subtitle", "column"):
        assert text(el.find(f".//h:p[@class='{cls}']", NS)) == HOSTILE
    assert body_paragraphs(el) == [f"正文{HOSTILE}。"]
    assert text(el.find(".//h:span[@class='dateline']", NS)) == HOSTILE
    assert text(el.find(".//h:h2", NS)) == HOSTILE
    assert text(el.find(".//h:figcaption", NS)) == f"{HOSTILE} {HOSTILE} 摄"
    assert text(el.find(".//h:footer/h:p", NS)) == f"（{HOSTILE}）"
    for name, raw in book.files.items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            root = etree.fromstring(raw)  # well-formed despite ]]> and &amp;
            assert not root.findall(".//h:script", NS) and not root.findall(".//script"), name
            assert not [e for e in root.iter("{*}b") if text(e) == "粗"], name
    assert book.dc("source")[0].startswith("hostile <&> ]]>.txt")
    nav = book.xml(book.nav_href())
    assert [text(a) for a in nav.iterfind(".//h:nav[@role='doc-toc']//h:a", NS)] == [f"标题{HOSTILE}"]


def test_reads_back_with_ebooklib(issue: Issue, vertical: bool, tmp_path: Path) -> None:
    # A second, independent reader of the package: what calibre-style tools would see.
    from ebooklib import ITEM_DOCUMENT
    from ebooklib import epub as ebook

    path = write_epub(issue, tmp_path, vertical=vertical)
    loaded = ebook.read_epub(str(path), {"ignore_ncx": False})
    assert loaded.get_metadata("DC", "title")[0][0] == epub.book_title(issue, vertical=vertical)
    assert loaded.get_metadata("DC", "creator")[0][0] == issue.masthead
    docs = [i.get_name() for i in loaded.get_items_of_type(ITEM_DOCUMENT)]
    assert len([d for d in docs if re.fullmatch(r"a\d{3}\.xhtml", d)]) == len(issue.articles)


def test_no_articles_is_an_output_error() -> None:
    with pytest.raises(OutputError):
        epub_bytes(replace(sample_issue(), articles=()))


# --- pages (版面) ------------------------------------------------------------------------------

EPUB_TYPE = f"{{{NS['epub']}}}type"


def _mixed_pages_issue() -> Issue:
    """The paged sample reshuffled: a lead of no known page, a column on A01, A02, then
    A01 again (the dump went back to it): runs None, A01, A02, A01."""
    issue = paged_issue()
    a1, a2, a3, a4 = issue.articles
    articles = (replace(a1, page=None), replace(a2, column="评论"), a3, replace(a4, page="A01"))
    return replace(issue, id=f"{issue.id}-mixed", articles=articles)


def _nav(book: Opened, kind: str) -> etree._Element | None:
    found = [n for n in book.xml(book.nav_href()).iterfind(".//h:nav", NS) if n.get(EPUB_TYPE) == kind]
    assert len(found) <= 1
    return found[0] if found else None


def _nav_outline(ol: etree._Element | None) -> list[tuple[str, str | None, list]]:
    """An <ol> of the nav as (text, href or None for a heading, children)."""
    out: list[tuple[str, str | None, list]] = []
    for li in [] if ol is None else ol.findall("h:li", NS):
        head = li.find("h:a", NS)
        head = li.find("h:span", NS) if head is None else head
        out.append((text(head), head.get("href"), _nav_outline(li.find("h:ol", NS))))
    return out


def _ncx_outline(parent: etree._Element) -> list[tuple[str, str, list]]:
    return [(text(p.find("ncx:navLabel/ncx:text", NS)), p.find("ncx:content", NS).get("src"), _ncx_outline(p))
            for p in parent.findall("ncx:navPoint", NS)]


def _ncx(book: Opened) -> etree._Element:
    return book.xml(book.manifest[book.opf.find("opf:spine", NS).get("toc")].get("href"))


def _page_breaks(book: Opened) -> list[tuple[str, etree._Element]]:
    """Every page-break marker of the book, in spine order, with its document."""
    return [(href, el) for href in book.spine for el in book.xml(href).iter()
            if el.get(EPUB_TYPE) == "pagebreak" or el.get("role") == "doc-pagebreak"]


@pytest.mark.parametrize("vertical", [False, True], ids=["horizontal", "vertical"])
def test_paged_issue_contents_go_by_page(vertical: bool) -> None:
    """A whole issue's contents (nav and NCX) have one entry per page, titled as a reader
    names the page and opening its first item, with its items under it; the page-list
    leads to a page-break marker at the start of each page."""
    issue = paged_issue()
    book = reopen(epub_bytes(issue, vertical=vertical))
    titles = [a.display_title for a in issue.articles]
    expected = [
        ("A01版 要闻", "a001.xhtml", [(titles[0], "a001.xhtml", []), (titles[1], "a002.xhtml", [])]),
        ("A02版 杭州新闻", "a003.xhtml", [(titles[2], "a003.xhtml", [])]),
        ("A03版 文体", "a004.xhtml", [(titles[3], "a004.xhtml", [])]),
    ]
    toc = _nav(book, "toc")
    assert toc is not None and toc.get("role") == "doc-toc"
    assert _nav_outline(toc.find("h:ol", NS)) == expected
    ncx = _ncx(book)
    assert _ncx_outline(ncx.find("ncx:navMap", NS)) == expected
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("ncx:head/ncx:meta", NS)}
    assert head["dtb:depth"] == "2"
    points = ncx.findall(".//ncx:navPoint", NS)
    assert len({p.get("id") for p in points}) == len(points)
    assert [p.get("playOrder") for p in points] == ["1", "1", "2", "3", "3", "4", "4"]

    pages = _nav(book, "page-list")
    assert pages is not None and pages.get("hidden") is not None
    assert [(text(a), a.get("href")) for a in pages.iterfind("h:ol/h:li/h:a", NS)] == [
        ("A01", "a001.xhtml#page-A01"), ("A02", "a003.xhtml#page-A02"), ("A03", "a004.xhtml#page-A03")
    ]
    breaks = _page_breaks(book)
    assert [(href, el.get("id"), el.get("aria-label")) for href, el in breaks] == [
        ("a001.xhtml", "page-A01", "A01"), ("a003.xhtml", "page-A02", "A02"), ("a004.xhtml", "page-A03", "A03")
    ]
    for href, el in breaks:  # an empty marker just before the page's first article
        assert etree.QName(el).localname == "span" and el.get(EPUB_TYPE) == "pagebreak"
        assert el.get("role") == "doc-pagebreak" and not text(el) and len(el) == 0
        assert etree.QName(el.getnext()).localname == "article", href

    # Said in the package: where the page breaks come from, and that a reader can use them.
    assert book.meta("pageBreakSource") == [issue.title]
    assert {"pageBreakMarkers", "pageNavigation"} <= set(book.meta("schema:accessibilityFeature"))
    assert "版面" in book.meta("schema:accessibilitySummary")[0]
    # The rest of the book is as for any issue: every item once, in order.
    assert [a.get("id") for a in article_docs(book)] == [a.id for a in issue.articles]
    assert [p for el in article_docs(book) for p in body_paragraphs(el)] == [
        p.text for a in issue.articles for p in a.paragraphs
    ]


def test_pages_revisited_and_items_of_no_page() -> None:
    """Items of no known page stay at the top level; a page the dump goes back to is a
    second entry in the contents, but begins (marker and page-list) only once; a column
    run on a page is a group inside the page's."""
    issue = _mixed_pages_issue()
    book = reopen(epub_bytes(issue))
    t = [a.display_title for a in issue.articles]
    expected = [
        (t[0], "a001.xhtml", []),
        ("A01版 要闻", "a002.xhtml", [("评论", None, [(t[1], "a002.xhtml", [])])]),
        ("A02版 杭州新闻", "a003.xhtml", [(t[2], "a003.xhtml", [])]),
        ("A01版 要闻", "a004.xhtml", [(t[3], "a004.xhtml", [])]),
    ]
    assert _nav_outline(_nav(book, "toc").find("h:ol", NS)) == expected
    ncx = _ncx(book)
    assert _ncx_outline(ncx.find("ncx:navMap", NS)) == [
        (title, href, [(c, h or "a002.xhtml", cc) for c, h, cc in children]) for title, href, children in expected
    ]
    head = {m.get("name"): m.get("content") for m in ncx.iterfind("ncx:head/ncx:meta", NS)}
    assert head["dtb:depth"] == "3"
    points = ncx.findall(".//ncx:navPoint", NS)
    assert len({p.get("id") for p in points}) == len(points)
    assert [(text(a), a.get("href")) for a in _nav(book, "page-list").iterfind("h:ol/h:li/h:a", NS)] == [
        ("A01", "a002.xhtml#page-A01"), ("A02", "a003.xhtml#page-A02")
    ]
    assert [(href, el.get("id")) for href, el in _page_breaks(book)] == [
        ("a002.xhtml", "page-A01"), ("a003.xhtml", "page-A02")
    ]


@pytest.mark.parametrize("vertical", [False, True], ids=["horizontal", "vertical"])
def test_one_page_issue_keeps_the_flat_contents(vertical: bool) -> None:
    """A book of one page is the book of no known page, byte for byte but for the page's
    name as its subject: a flat table of contents, no page-break marker, no page-list, no
    pagination metadata."""
    issue = paged_issue()
    one_page = replace(issue, pages=issue.pages[:1], articles=tuple(replace(a, page="A01") for a in issue.articles))
    no_page = replace(issue, pages=(), articles=tuple(replace(a, page=None) for a in issue.articles))
    assert len(one_page.by_page()) == 1 and one_page.by_page()[0][0] == issue.pages[0]
    data = epub_bytes(one_page, vertical=vertical)
    book, unpaged = reopen(data), reopen(epub_bytes(no_page, vertical=vertical))
    opf = f"{book.base}content.opf"
    assert [(i.filename, i.date_time) for i in book.infos] == [(i.filename, i.date_time) for i in unpaged.infos]
    assert {n: d for n, d in book.files.items() if n != opf} == {n: d for n, d in unpaged.files.items() if n != opf}
    assert book.files[opf].replace("    <dc:subject>要闻</dc:subject>\n".encode(), b"") == unpaged.files[opf]
    assert _nav_outline(_nav(book, "toc").find("h:ol", NS)) == [
        (a.display_title, f"a{n:03d}.xhtml", []) for n, a in enumerate(issue.articles, 1)
    ]
    assert _nav(book, "page-list") is None and _page_breaks(book) == []
    assert book.meta("pageBreakSource") == []
    assert not {"pageBreakMarkers", "pageNavigation"} & set(book.meta("schema:accessibilityFeature"))
    assert book.meta("schema:accessibilitySummary") == [epub.A11Y_SUMMARY]


def test_page_marker_ids_are_xml_names_one_per_label() -> None:
    labels = ["1", "12", "A03", "B-2", "B_2d_2", "二", "A 3"]
    ids = [epub._marker_id(Page(label)) for label in labels]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"page-[A-Za-z0-9_]+", i) for i in ids)
    assert ids[:3] == ["page-1", "page-12", "page-A03"]


# --- writing ------------------------------------------------------------------------------------


def test_names() -> None:
    issue = sample_issue()
    assert epub_name(issue) == "tyrb-2021-12-10-a.epub"
    assert epub_name(issue, vertical=True) == "tyrb-2021-12-10-a-vertical.epub"


def test_write_to_file_and_folder(tmp_path: Path) -> None:
    issue = sample_issue()
    into_folder = write_epub(issue, tmp_path, vertical=True)
    assert into_folder == tmp_path / epub_name(issue, vertical=True)
    to_file = write_epub(issue, str(tmp_path / "x.epub"))
    assert to_file == tmp_path / "x.epub"
    assert to_file.read_bytes() == epub_bytes(issue)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.epub", epub_name(issue, vertical=True)])
    # Permissions follow the umask like any new file, not mkstemp's private 0600.
    umask = os.umask(0)
    os.umask(umask)
    assert to_file.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_build_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(book):
        raise _ebooklib.BookError("simulated")

    monkeypatch.setattr(_ebooklib, "build", broken)
    with pytest.raises(OutputError, match="simulated"):
        write_epub(sample_issue(), tmp_path / "a.epub")
    assert list(tmp_path.iterdir()) == []


def test_empty_chapter_is_caught_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ebooklib turns a document it cannot parse into an empty file without a word.
    real_page = epub._page
    monkeypatch.setattr(epub, "_page", lambda item, **kw: replace(real_page(item, **kw), body=""))
    with pytest.raises(OutputError, match="empty"):
        write_epub(sample_issue(), tmp_path / "a.epub")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.epub"
    target.write_bytes(b"previous edition")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="No space left"):
        write_epub(sample_issue(), target)
    assert target.read_bytes() == b"previous edition"
    assert [p.name for p in tmp_path.iterdir()] == ["a.epub"]


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        write_epub(sample_issue(), tmp_path / "missing" / "a.epub")
    assert caught.value.exit_code == 5
    assert not (tmp_path / "missing").exists()


# --- reproducible ---------------------------------------------------------------------------

_BUILD_ALL = r"""
import datetime, hashlib, json, os, sys, time
shift = float(sys.argv[1])
if shift:
    # A clock far from today: anything read from it would change the bytes.
    real_time = time.time
    time.time = lambda: real_time() + shift
    class Shifted(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.fromtimestamp(time.time(), tz)
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcfromtimestamp(time.time())
        @classmethod
        def today(cls):
            return cls.now()
    datetime.datetime = Shifted
sys.path.insert(0, sys.argv[2])
from tests.samples import sample_issue, hostile_issue
from pressout.export.epub import epub_bytes
issues = [sample_issue(), hostile_issue()]
if sys.argv[3:]:
    from pressout.read import read_page
    issues += [read_page(p) for p in sys.argv[3:]]
print(json.dumps({
    f"{n}-{i.id}-{v}": hashlib.sha256(epub_bytes(i, vertical=v)).hexdigest()
    for n, i in enumerate(issues) for v in (False, True)
}))
"""


def test_byte_identical_under_other_clock_and_tz() -> None:
    seeds = [str(p) for p in SEEDS]
    runs = []
    for tz, shift in (("UTC", 0), ("America/Los_Angeles", 3.2e8), ("Pacific/Kiritimati", -6.0e8)):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(TZ=tz, PYTHONHASHSEED="random")
        out = subprocess.run(
            [sys.executable, "-c", _BUILD_ALL, str(shift), str(ROOT), *seeds],
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) == 2 * (2 + len(seeds))
    # And in this process, twice in a row.
    issue = sample_issue()
    assert hashlib.sha256(epub_bytes(issue)).hexdigest() == runs[0][f"0-{issue.id}-False"]


@pytest.mark.parametrize("vertical", [False, True], ids=["horizontal", "vertical"])
def test_pages_are_what_ebooklib_s_epubhtml_writes(seed_paths, vertical: bool) -> None:
    """The wrapper hands ebooklib finished XHTML pages instead of EpubHtml items (which parse
    the body with an HTML parser and write it out again); for every page of the seeds the
    bytes are those EpubHtml writes, so the books did not change when the wrapper did."""
    from ebooklib import epub as ebooklib_epub

    from pressout.read import read_page

    for issue in map(read_page, seed_paths):
        book = epub._book(issue, vertical=vertical, styles={})
        holder = ebooklib_epub.EpubBook()
        holder.set_language(book.language)
        styles = [ebooklib_epub.EpubItem(file_name=name, media_type="text/css") for name, _ in book.stylesheets]
        for doc in book.documents:
            page = ebooklib_epub.EpubHtml(uid=doc.id, file_name=doc.name, title=doc.title, lang=book.language)
            page.content = f"<html><body>{doc.body}</body></html>".encode()
            for style in styles:
                page.add_item(style)
            page.book = holder
            assert _ebooklib._page(doc, book) == page.get_content(), (issue.id, doc.name)


@pytest.mark.parametrize("vertical", [False, True], ids=["horizontal", "vertical"])
def test_entries_are_what_ebooklib_s_own_writer_zips(seed_paths, vertical: bool) -> None:
    """The wrapper lets ebooklib write into a dict instead of a zip archive it would then
    read back: for every seed, the entries are those ebooklib's own writer puts in its
    archive (names and bytes), so a change in ebooklib's writer shows here."""
    from ebooklib import epub as ebooklib_epub

    from pressout.read import read_page

    for issue in map(read_page, seed_paths):
        book = epub._book(issue, vertical=vertical, styles={})
        out = io.BytesIO()
        writer = ebooklib_epub.EpubWriter(out, _ebooklib._ebooklib_book(book), _ebooklib._writer_options(book))
        writer.process()
        writer.write()
        with zipfile.ZipFile(out) as archive:
            zipped = {info.filename: archive.read(info) for info in archive.infolist()}
        assert _ebooklib._write_with_ebooklib(book) == zipped, issue.id


def test_zip_is_what_zipfile_writes() -> None:
    """The wrapper writes the zip archive itself; the bytes are those of zipfile for the
    same members (stored first, then deflated at level 9, Unix 0644, the book's time),
    a non-ASCII name and an empty member included, and zipfile reads them back."""
    when = (2024, 3, 9, 7, 30, 41)
    members = [
        ("mimetype", b"application/epub+zip", False),
        ("EPUB/article.css", b"p { margin: 0 }\n" * 40, True),
        ("EPUB/a001.xhtml", "<p>太原日报 ，报道。</p>".encode() * 300, False),
        ("EPUB/empty.txt", b"", False),
        ("EPUB/图片说明.xhtml", "<p>说明</p>".encode(), False),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n, (name, data, _) in enumerate(members):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_STORED if n == 0 else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=None if n == 0 else 9)
    assert _ebooklib._zip(members, when) == out.getvalue()
    assert _ebooklib._zip(members, when) == out.getvalue()  # the shared member, from the cache
    with zipfile.ZipFile(io.BytesIO(_ebooklib._zip(members, when))) as archive:
        assert archive.testzip() is None
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == [(n, d) for n, d, _ in members]


def test_hostile_text_stays_text_in_the_book_s_pages() -> None:
    """Markup-like text in a page's title and body is text (escaped), and every page is
    well-formed: the wrapper checks each page as it packs it."""
    with zipfile.ZipFile(io.BytesIO(epub_bytes(hostile_issue()))) as book:
        for name in book.namelist():
            if name.endswith(".xhtml") and not name.endswith("nav.xhtml"):
                root = etree.fromstring(book.read(name))
                assert root.find(".//h:script", NS) is None, name
    broken = _ebooklib.Document(name="a001.xhtml", id="a001", title="t", body="<p>unclosed")
    good = epub._book(hostile_issue(), vertical=False, styles={})
    with pytest.raises(_ebooklib.BookError, match="not well-formed"):
        _ebooklib.build(replace(good, documents=(good.documents[0], broken)))


def test_a_whole_issues_cover_leads_the_issue_without_its_page_headers() -> None:
    """A whole issue's cover lists the issue's leads (本期要目, not 本版要目, a page's), and
    its page headers are its contents' pages, not imprint lines; a page's cover is as it was."""
    cover = reopen(epub_bytes(paged_issue())).xml("cover.xhtml")
    assert text(cover.find(".//h:h2", NS)) == "本期要目"
    assert not [p for p in cover.iterfind(".//h:p[@class='imprint']", NS) if "要闻" in text(p)]
    page = reopen(epub_bytes(sample_issue())).xml("cover.xhtml")
    assert text(page.find(".//h:h2", NS)) == "本版要目"
