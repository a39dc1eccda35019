"""OPDS catalogs: the archive's EPUBs as a library an e-reader browses and downloads from.

Two serialisations of one catalog, written side by side into ``opds/`` of the web root
(``SiteOptions.base_url``; every link in them is absolute, made from it)::

    opds/root.xml       OPDS 1.2 (Atom) navigation feed: the catalog's entry point
    opds/root.json      the same in OPDS 2.0 (``application/opds+json``)
    opds/latest.xml     acquisition feed: every issue, newest first, paged (below)
    opds/latest-{k}.xml   its older pages, k = 1 the oldest
    opds/{YYYY}.xml     navigation feed of a year: its months, newest first
    opds/{YYYY}-{MM}.xml, opds/{YYYY}-{MM}-{k}.xml
                        acquisition feed of a month: its issues, newest first, paged
    opds/undated.xml, opds/undated-{k}.xml
                        acquisition feed of the issues without a date, paged
    opds/all.xml, opds/all-{k}.xml
                        the complete acquisition feed (``rel="http://opds-spec.org/crawlable"``)

and each ``.xml`` has its ``.json`` twin of the same name. The names are made in one place,
``catalog_path``; the entry points the web edition's front page advertises are
``ENTRY_POINTS``. The root lists 最新 (``latest``, with ``rel`` ``…/sort/new``), then each
year (newest first), then 日期不详 when there are undated issues; a year lists its months,
a month its issues. Every document links ``start`` (the root), ``up`` (the feed above it),
the complete feed (``http://opds-spec.org/crawlable``), its twin in the other
serialisation (``alternate``) and the web edition's page of the same issues (``alternate``,
``text/html``).

Entries: one per issue (``Publication``), the same in every feed that lists it. Its title
is ``IssueHead.title``, its id the ``tag:`` URI of the issue's entry in the editions feed
(``pressout.export.feed``: the same publication, the same id), its ``updated`` and
``published`` the instant the editions feed gives it (``feed.entry_instants`` over
``pressout.timestamps.issue_instant``: the model's date, never the clock), with the date
itself as ``dc:issued`` (OPDS 2 ``published``); its language (``dc:language``), its
author the paper (``IssueHead.masthead``), its summary the headlines of its articles
(``；`` between them). It links its web page (``alternate``) and one acquisition link
(``http://opds-spec.org/acquisition``, with the file's ``length``, OPDS 2 ``size``) for
each edition the build made, as ``IssueHead.sizes`` records them: the EPUB
(``epub/{id}.epub``), the vertical EPUB (``epub/{id}-vertical.epub``, ``[epub]
vertical``) and the Kobo edition (``epub/{id}.kepub.epub``, ``application/kepub+zip``); and
the cover and its thumbnail (``covers/{id}.png``, ``covers/{id}-thumb.png``: Atom
``http://opds-spec.org/image`` and ``…/image/thumbnail``, the OPDS 2 ``images``) only when
those files are among its sizes. So a link is there exactly when its file is. An issue
with no edition among its sizes has nothing to acquire and is left out of the catalog.

Pagination: an acquisition feed is a series of pages, newest first (RFC 5005 paged feeds:
``first``, ``last``, ``next`` towards the older, ``previous`` towards the newer; OPDS 2 the
same relations). The size is ``SiteOptions.feed_size`` (``[site] feed_size``, 50 by
default), the subscription feeds' own: the older pages hold exactly that many issues and
are filled from the oldest issue on (``latest-1`` holds the oldest), and the first page
(``latest.xml``, a fixed name) holds the rest, between ``feed_size`` and ``2 × feed_size -
1`` issues (all of them while there are fewer). So a new day's pages, which come first,
change the first page only, and once in ``feed_size`` issues also make a new older page
and change one link of the page before it: every full page keeps its bytes, whatever the
archive's size. For the same reason an older page says nothing that grows (its number
among the pages, the number of items): the first page alone gives ``numberOfItems`` (the
feed's total). The complete feed is one document, marked ``fh:complete``, while the
archive has fewer than ``2 × CRAWL_SIZE`` issues; beyond, it is paged the same way with
``CRAWL_SIZE`` issues a page (OPDS 1.2 §2.5: "should not be paginated unless extremely
large"), so that a new issue does not mean writing a document of every issue again.

Build: the catalog is made from ``IssueHead``s only, never an issue's text. Each document
pair (``.xml`` and ``.json``) is one archive job (``CatalogPage``, planned by
``catalog_pages``) whose digest is the page's whole plan: what it shows, entries included,
so the build makes again exactly the pages whose bytes change. Output is deterministic:
no clock, no dict order that is not the plan's.

Validation (``validators``): ``opds`` runs the OPDS 1.2 RELAX NG schema
(``pressout/schemas/opds-1.2.rng``, which includes the RFC 4287 one beside it) and the
Atom schema alone over every ``.xml``, with jing or lxml; ``opds2`` runs the OPDS 2.0 JSON
Schema (``pressout/schemas/opds2/``: OPDS's with the Readium Web Publication Manifest's
it refers to, found by their ``$id``, never fetched) over every ``.json`` with
``jsonschema``. Both also check that every catalog link leads to a catalog document that is
there, and every acquisition and image link to a file of the build of the length given. A
check that cannot run (no schema, no jsonschema, no catalog) fails; it never passes.
``$PRESSOUT_OPDS_SCHEMA`` names another OPDS 1.2 schema (``$PRESSOUT_SHARED/schemas`` is
looked in too), ``$PRESSOUT_OPDS2_SCHEMAS`` another folder of JSON Schemas.

Served: the documents' media types are ``NAVIGATION_TYPE``, ``ACQUISITION_TYPE`` and
``OPDS2_TYPE``; ``catalog_media_type`` says which a file of ``opds/`` has, for a web server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, unquote

from ..model import IssueHead
from ..timestamps import UNKNOWN_DATE
from ._feedgen import check_text, uri
from .cover import COVER
from .cover import THUMBNAIL as THUMBNAIL_FILE
from .epub import EPUB_FILE, VERTICAL_FILE
from .feed import (
    FEED_TAG_DATE,
    SiteOptions,
    common_language,
    entry_instants,
    issue_language,
    issue_page,
    order_issues,
)
from .html import escape
from .kepub import KEPUB_FILE
from .registry import ArchiveJob, Exporter, Settings, Validator

if TYPE_CHECKING:
    from ..validate import Check, ValidateOptions

__all__ = [
    "ACQUISITION",
    "ACQUISITION_TYPE",
    "CRAWL_SIZE",
    "ENTRY_POINTS",
    "EXPORTER",
    "NAVIGATION_TYPE",
    "OPDS2_TYPE",
    "CatalogPage",
    "Publication",
    "atom_document",
    "catalog_media_type",
    "catalog_pages",
    "catalog_path",
    "json_document",
    "opds2_validator",
]

FOLDER = "opds"  # the catalog's folder in the web root
ROOT, LATEST, ALL, UNDATED = "root", "latest", "all", "undated"  # its feeds' names (years and months: digits)
NAVIGATION_TYPE = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPDS2_TYPE = "application/opds+json"
HTML_TYPE = "text/html"
ACQUISITION = "http://opds-spec.org/acquisition"
CRAWLABLE = "http://opds-spec.org/crawlable"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
SORT_NEW = "http://opds-spec.org/sort/new"
CRAWL_SIZE = 1000  # issues a page of the complete feed holds once it must be paged

# The editions an issue may have, as the formats that make them name them (their paths in
# IssueHead.sizes): path template, media type, title.
EDITIONS = (
    (EPUB_FILE, "application/epub+zip", "EPUB"),
    (VERTICAL_FILE, "application/epub+zip", "EPUB 竖排版"),
    (KEPUB_FILE, "application/kepub+zip", "Kobo 版"),
)
# Its images (pressout.export.cover's): path template, OPDS 1 relation, media type.
IMAGES = ((COVER, IMAGE, "image/png"), (THUMBNAIL_FILE, THUMBNAIL, "image/png"))

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/terms/"
OPDS_NS = "http://opds-spec.org/2010/catalog"
FH_NS = "http://purl.org/syndication/history/1.0"


def catalog_path(stem: str, ext: str = "xml") -> str:
    """The path in the web root of a catalog document: ``stem`` is a feed's name with its
    page's number (``latest``, ``latest-2``, ``2025-11``), ``ext`` ``xml`` or ``json``."""
    return f"{FOLDER}/{stem}.{ext}"


def _stem(feed: str, number: int) -> str:
    """A page's stem: the feed's name for its first page (0), ``{feed}-{number}`` for the
    older ones (1 the oldest)."""
    return f"{feed}-{number}" if number else feed


def catalog_media_type(path: str) -> str | None:
    """The media type a web server should give a file of the build at ``path`` (relative
    to the web root) when it is a catalog document (None for any other file): the JSON
    documents ``application/opds+json``, the root and the years' the OPDS navigation type,
    the others the acquisition type."""
    folder, _, name = path.rpartition("/")
    stem, _, ext = name.rpartition(".")
    if folder != FOLDER or not stem:
        return None
    if ext == "json":
        return OPDS2_TYPE
    if ext != "xml":
        return None
    return NAVIGATION_TYPE if stem == ROOT or (stem.isdigit() and len(stem) >= 4) else ACQUISITION_TYPE


# What the web edition's front page links as the catalog (path, media type, label).
ENTRY_POINTS = (
    (catalog_path(ROOT), NAVIGATION_TYPE, "OPDS 1.2"),
    (catalog_path(ROOT, "json"), OPDS2_TYPE, "OPDS 2.0"),
)


# --- the plan --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A document's link: to a catalog feed (``kind`` navigation or acquisition: ``target``
    is a document's stem, written ``.xml`` or ``.json`` as the document that links it is)
    or to a web page (``kind`` html: ``target`` is its path in the web root)."""

    rel: str
    target: str
    kind: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Publication:
    """An issue as the catalog lists it (see the module's docstring), made from its head."""

    id: str
    title: str
    updated: dt.datetime
    issued: dt.date | None
    language: str
    author: str
    summary: str
    page: str  # its web page
    editions: tuple[tuple[str, str, str, int], ...]  # path, media type, title, size
    images: tuple[tuple[str, str, str], ...]  # path, OPDS 1 relation, media type


@dataclass(frozen=True, slots=True)
class Navigation:
    """An entry of a navigation feed: a feed below it."""

    title: str
    id: str
    target: str  # the feed's first page's stem
    kind: str  # the target's kind: navigation or acquisition
    rel: str
    updated: dt.datetime
    content: str
    count: int  # the issues it holds


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """One document of the catalog, in both serialisations: all they show (an archive job's
    work; its digest is its repr). ``entries`` are ``Navigation``s in a navigation feed,
    ``Publication``s in an acquisition feed. ``total``: the feed's number of issues, on its
    first page only; ``complete``: the one document of the complete feed."""

    stem: str
    id: str
    kind: str  # navigation | acquisition
    title: str
    author: str
    language: str
    updated: dt.datetime
    links: tuple[Link, ...]
    entries: tuple[Any, ...]
    total: int | None = None
    complete: bool = False

    @property
    def paths(self) -> tuple[str, str]:
        return catalog_path(self.stem), catalog_path(self.stem, "json")


# The templates split at {id} (a big archive's plan makes 100,000s of these names).
_EDITIONS = tuple((*template.split("{id}"), media, title) for template, media, title in EDITIONS)
_IMAGES = tuple((*template.split("{id}"), rel, media) for template, rel, media in IMAGES)


def _editions(ident: str, sizes: Mapping[str, int]) -> tuple[tuple[str, str, str, int], ...]:
    """The issue's editions among ``sizes`` (its ``IssueHead.sizes``): path, type, title, size."""
    return tuple((path, media, title, sizes[path]) for before, after, media, title in _EDITIONS
                 if (path := before + ident + after) in sizes)


def _images(ident: str, sizes: Mapping[str, int]) -> tuple[tuple[str, str, str], ...]:
    """The issue's images among ``sizes``: path, OPDS 1 relation, media type."""
    return tuple((path, rel, media) for before, after, rel, media in _IMAGES if (path := before + ident + after) in sizes)


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")  # what quote(…, safe="-._~") leaves as it is


def _quoted(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="-._~")


def edition_id(options: SiteOptions, head: IssueHead) -> str:
    """The issue's ``tag:`` URI: its entry's id in the editions feed (``feed.edition_tag``),
    dated by the issue's date, not its instant (``SOURCE_DATE_EPOCH`` must not move an id)."""
    when = (head.date or UNKNOWN_DATE.date()).isoformat()
    return f"tag:{options.tag_authority},{when}:{_quoted(head.publication_slug)}/edition/{_quoted(head.id)}"


def _feed_id(options: SiteOptions, slug: str, feed: str) -> str:
    return f"tag:{options.tag_authority},{FEED_TAG_DATE}:{quote(slug, safe='-._~')}/catalog/{feed}"


def _publication(options: SiteOptions, head: IssueHead, when: dt.datetime,
                 editions: tuple[tuple[str, str, str, int], ...], sizes: Mapping[str, int]) -> Publication:
    headlines = "；".join(a.display_title for a in head.articles)
    return Publication(
        id=edition_id(options, head),
        title=head.title,
        updated=when,
        issued=head.date,
        language=issue_language(head),
        author=head.masthead,
        summary=headlines or head.title,
        page=issue_page(head),
        editions=editions,
        images=_images(head.id, sizes),
    )


_T = TypeVar("_T")


def _pages(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    """``items`` (newest first) as a feed's pages, its first (newest) page first: pages of
    exactly ``size`` filled from the oldest item on, the first holding the rest (``size``
    to ``2 × size - 1`` items, or all of them when there are fewer)."""
    older = max(0, len(items) // size - 1)
    first = len(items) - older * size
    return [items[:first], *(items[first + k * size : first + (k + 1) * size] for k in range(older))]


def catalog_pages(heads: Iterable[IssueHead], options: SiteOptions) -> Iterator[CatalogPage]:
    """Every document of the catalog (none when no issue has an edition): the root, the
    latest feed's pages, each year and its months' pages, the undated issues' pages, the
    complete feed's pages."""
    tz = options.tz
    made = {}
    for head in heads:
        sizes = dict(head.sizes)
        editions = _editions(head.id, sizes)
        if editions:
            made[head.id] = (head, editions, sizes)
    ordered = order_issues([head for head, _, _ in made.values()], tz=tz, time=options.time_of_day)
    if not ordered:
        return
    when = entry_instants(((head, head.id) for head in ordered), tz=tz, time=options.time_of_day)
    items = [(head, _publication(options, head, when[head.id], *made[head.id][1:])) for head in ordered]
    del when, made
    title = options.site_title(ordered)
    slug = ordered[0].publication_slug

    def feed_page(feed: str, number: int, kind: str, label: str, links: Sequence[Link],
                  entries: Sequence[Any], language: str, *, total: int | None = None,
                  complete: bool = False) -> CatalogPage:
        updated = max(entry.updated for entry in entries)
        starts = [Link("start", ROOT, "navigation"), Link(CRAWLABLE, ALL, "acquisition")]
        return CatalogPage(_stem(feed, number), _feed_id(options, slug, feed), kind,
                           f"{title} 电子版书库" if feed == ROOT else f"{title} 电子版 · {label}",
                           title, language, updated, (*starts, *links), tuple(entries), total, complete)

    def paged(feed: str, label: str, members: Sequence[tuple[IssueHead, Publication]], up: Link,
              html: str, size: int, *, crawl: bool = False) -> Iterator[CatalogPage]:
        pages = _pages(members, size)
        last = len(pages) - 1
        numbers = [0, *range(last, 0, -1)]  # the first page, then the older ones from the newest
        for k, page in enumerate(pages):
            links = [up, Link("alternate", html, "html"),
                     Link("first", _stem(feed, 0), "acquisition"), Link("last", _stem(feed, numbers[last]), "acquisition")]
            if k > 0:
                links.append(Link("previous", _stem(feed, numbers[k - 1]), "acquisition"))
            if k < last:
                links.append(Link("next", _stem(feed, numbers[k + 1]), "acquisition"))
            yield feed_page(feed, numbers[k], "acquisition", label, links, [p for _, p in page],
                            common_language(h for h, _ in page), total=len(members) if k == 0 else None,
                            complete=crawl and last == 0)

    years: dict[int, dict[int, list[tuple[IssueHead, Publication]]]] = {}
    undated: list[tuple[IssueHead, Publication]] = []
    for head, publication in items:
        if head.date is None:
            undated.append((head, publication))
        else:
            years.setdefault(head.date.year, {}).setdefault(head.date.month, []).append((head, publication))

    def count(n: int) -> str:
        return f"{n} 本电子版"

    root_up = Link("up", ROOT, "navigation")
    navigation = [Navigation("最新", _feed_id(options, slug, LATEST), LATEST, "acquisition", SORT_NEW,
                             items[0][1].updated, f"最新各期，新的在前：{count(len(items))}", len(items))]
    for year, months in years.items():
        members = [member for month in months.values() for member in month]
        navigation.append(Navigation(f"{year}年", _feed_id(options, slug, f"{year:04d}"), f"{year:04d}", "navigation",
                                     "subsection", members[0][1].updated,
                                     f"{year}年，{len(months)} 个月：{count(len(members))}", len(members)))
    if undated:
        navigation.append(Navigation("日期不详", _feed_id(options, slug, UNDATED), UNDATED, "acquisition",
                                     "subsection", undated[0][1].updated, f"日期不详：{count(len(undated))}",
                                     len(undated)))
    root_links = [Link("alternate", "index.html", "html")]
    from .sections import index_of

    sections = index_of(ordered)
    if sections is not None:  # every section's and column's feeds (pressout.export.sections)
        root_links.append(Link("related", sections, "html", "版面与栏目：各自的订阅"))
    yield feed_page(ROOT, 0, "navigation", "", root_links, navigation, common_language(ordered))
    yield from paged(LATEST, "最新", items, root_up, "index.html", options.feed_size)
    for year, months in years.items():
        feed = f"{year:04d}"
        entries = [Navigation(f"{year}年{month}月", _feed_id(options, slug, f"{feed}-{month:02d}"), f"{feed}-{month:02d}",
                              "acquisition", "subsection", members[0][1].updated,
                              f"{year}年{month}月：{count(len(members))}", len(members))
                   for month, members in months.items()]
        html = f"years/{year}.html"  # pressout.export.site.year_page
        language = common_language(h for members in months.values() for h, _ in members)
        yield feed_page(feed, 0, "navigation", f"{year}年", [root_up, Link("alternate", html, "html")], entries, language)
        for month, members in months.items():
            yield from paged(f"{feed}-{month:02d}", f"{year}年{month}月", members, Link("up", feed, "navigation"),
                             f"{html}#m{month:02d}", options.feed_size)
    if undated:
        yield from paged(UNDATED, "日期不详", undated, root_up, "years/undated.html", options.feed_size)
    yield from paged(ALL, "全部", items, root_up, "index.html", CRAWL_SIZE, crawl=True)


# --- the documents -----------------------------------------------------------------------


_ATOM_TYPES = {"navigation": NAVIGATION_TYPE, "acquisition": ACQUISITION_TYPE}


def _href(options: SiteOptions, link: Link, ext: str) -> tuple[str, str]:
    """A link's absolute URL (ASCII) and media type in a document of ``ext``."""
    if link.kind == "html":
        path, _, fragment = link.target.partition("#")
        return uri(options.url(path)) + (f"#{fragment}" if fragment else ""), HTML_TYPE
    return uri(options.url(catalog_path(link.target, ext))), _ATOM_TYPES[link.kind] if ext == "xml" else OPDS2_TYPE


def _attrs(**values: str | int | None) -> str:
    return "".join(f' {name}="{escape(str(value))}"' for name, value in values.items() if value is not None)


def atom_document(options: SiteOptions, page: CatalogPage) -> bytes:
    """The page as an OPDS 1.2 catalog feed document (Atom)."""
    url = options.url
    fh = f' xmlns:fh="{FH_NS}"' if page.complete else ""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xmlns:dc="{DC_NS}" xmlns:opds="{OPDS_NS}"{fh} xml:lang="{escape(page.language)}">',
        f"  <id>{escape(page.id)}</id>",
        f"  <title>{escape(page.title)}</title>",
        f"  <updated>{page.updated.isoformat()}</updated>",
        f"  <author><name>{escape(page.author)}</name><uri>{escape(uri(options.base_url))}</uri></author>",
    ]
    if page.complete:
        out.append("  <fh:complete/>")
    out.append(f'  <link{_attrs(rel="self", href=uri(url(page.paths[0])), type=_ATOM_TYPES[page.kind])}/>')
    for link in page.links:
        href, media = _href(options, link, "xml")
        out.append(f"  <link{_attrs(rel=link.rel, href=href, type=media, title=link.title or None)}/>")
    out.append(f'  <link{_attrs(rel="alternate", href=uri(url(page.paths[1])), type=OPDS2_TYPE)}/>')
    for entry in page.entries:
        if isinstance(entry, Navigation):
            href, media = _href(options, Link(entry.rel, entry.target, entry.kind), "xml")
            out += [
                "  <entry>",
                f"    <title>{escape(entry.title)}</title>",
                f"    <id>{escape(entry.id)}</id>",
                f"    <updated>{entry.updated.isoformat()}</updated>",
                f'    <content type="text">{escape(entry.content)}</content>',
                f"    <link{_attrs(rel=entry.rel, href=href, type=media, title=entry.title)}/>",
                "  </entry>",
            ]
            continue
        assert isinstance(entry, Publication)
        lang = f' xml:lang="{escape(entry.language)}"' if entry.language != page.language else ""
        out += [
            f"  <entry{lang}>",
            f"    <title>{escape(entry.title)}</title>",
            f"    <id>{escape(entry.id)}</id>",
            f"    <updated>{entry.updated.isoformat()}</updated>",
            f"    <published>{entry.updated.isoformat()}</published>",
            f"    <author><name>{escape(entry.author)}</name></author>",
            f"    <dc:language>{escape(entry.language)}</dc:language>",
        ]
        if entry.issued is not None:
            out.append(f"    <dc:issued>{entry.issued.isoformat()}</dc:issued>")
        out += [
            f'    <summary type="text">{escape(entry.summary)}</summary>',
            f"    <link{_attrs(rel='alternate', href=uri(url(entry.page)), type=HTML_TYPE, title='网络版')}/>",
        ]
        out += [f"    <link{_attrs(rel=rel, href=uri(url(path)), type=media)}/>" for path, rel, media in entry.images]
        out += [f"    <link{_attrs(rel=ACQUISITION, href=uri(url(path)), type=media, length=size, title=title)}/>"
                for path, media, title, size in entry.editions]
        out.append("  </entry>")
    out.append("</feed>\n")
    text = "\n".join(out)
    check_text(text, f"OPDS catalog {page.paths[0]}")
    return text.encode("utf-8")


def json_document(options: SiteOptions, page: CatalogPage) -> bytes:
    """The page as an OPDS 2.0 feed (``application/opds+json``)."""
    url = options.url
    metadata: dict[str, Any] = {"identifier": page.id, "title": page.title, "modified": page.updated.isoformat()}
    if page.total is not None:
        metadata["numberOfItems"] = page.total
    links: list[dict[str, Any]] = [{"rel": "self", "href": uri(url(page.paths[1])), "type": OPDS2_TYPE}]
    for link in page.links:
        href, media = _href(options, link, "json")
        links.append({"rel": link.rel, "href": href, "type": media} | ({"title": link.title} if link.title else {}))
    links.append({"rel": "alternate", "href": uri(url(page.paths[0])), "type": _ATOM_TYPES[page.kind]})
    doc: dict[str, Any] = {"metadata": metadata, "links": links}
    if page.kind == "navigation":
        doc["navigation"] = [
            {"href": _href(options, Link(e.rel, e.target, e.kind), "json")[0], "title": e.title, "type": OPDS2_TYPE,
             "rel": e.rel, "properties": {"numberOfItems": e.count}}
            for e in page.entries
        ]
    else:
        doc["publications"] = [_json_publication(options, e) for e in page.entries]
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    check_text(text, f"OPDS catalog {page.paths[1]}")
    return text.encode("utf-8")


def _json_publication(options: SiteOptions, entry: Publication) -> dict[str, Any]:
    url = options.url
    metadata: dict[str, Any] = {
        "identifier": entry.id,
        "title": entry.title,
        "author": {"name": entry.author},
        "language": entry.language,
        "modified": entry.updated.isoformat(),
    }
    if entry.issued is not None:
        metadata["published"] = entry.issued.isoformat()
    metadata["description"] = entry.summary
    links: list[dict[str, Any]] = [{"rel": "alternate", "href": uri(url(entry.page)), "type": HTML_TYPE, "title": "网络版"}]
    links += [{"rel": ACQUISITION, "href": uri(url(path)), "type": media, "title": title, "size": size}
              for path, media, title, size in entry.editions]
    out: dict[str, Any] = {"metadata": metadata, "links": links}
    if entry.images:
        out["images"] = [{"href": uri(url(path)), "type": media} for path, _, media in entry.images]
    return out


# --- the format --------------------------------------------------------------------------


class OpdsExporter(Exporter):
    """The OPDS catalogs (see the module's docstring): one archive job per document pair."""

    name = "opds"
    folders = (FOLDER,)

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[ArchiveJob]:
        options: SiteOptions = settings.options
        # An issue's entry is on three pages or more (latest, its month, the complete feed):
        # its part of their digests is made once (the plan keeps every Publication alive).
        known: dict[int, str] = {}
        for page in catalog_pages(heads, options):
            parts = []
            for entry in page.entries:
                if isinstance(entry, Publication):
                    part = known.get(id(entry))
                    if part is None:
                        part = known[id(entry)] = hashlib.sha256(repr(entry).encode("utf-8")).hexdigest()
                    parts.append(part)
                else:
                    parts.append(repr(entry))
            plan = repr((options, replace(page, entries=()), parts))
            yield ArchiveJob(page.paths, hashlib.sha256(plan.encode("utf-8")).hexdigest(), (), page)

    def run_job(self, job: ArchiveJob, inputs: Mapping[str, Any], settings: Settings) -> Iterator[tuple[str, bytes]]:
        page: CatalogPage = job.work
        yield page.paths[0], atom_document(settings.options, page)
        yield page.paths[1], json_document(settings.options, page)

    def validators(self) -> tuple[Validator, ...]:
        return (Validator("opds", opds_check), Validator("opds2", opds2_check))


EXPORTER = OpdsExporter()


# --- validation --------------------------------------------------------------------------

SCHEMA = "opds-1.2.rng"  # in pressout/schemas, beside atom-rfc4287.rng, which it includes
JSON_SCHEMAS = "opds2"  # the folder of the OPDS 2.0 JSON Schemas in pressout/schemas
FEED_SCHEMA = "https://drafts.opds.io/schema/feed.schema.json"
_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")  # ECMA 262's (?<name>, Python's (?P<name>


def _python_patterns(node: Any) -> Any:
    """A JSON Schema with its regular expressions (ECMA 262, as JSON Schema has them) in
    Python's dialect: named groups ``(?<name>…)`` become ``(?P<name>…)``; nothing else in
    these schemas' patterns differs."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = _NAMED_GROUP.sub("(?P<", value)
            elif key == "patternProperties" and isinstance(value, dict):
                out[key] = {_NAMED_GROUP.sub("(?P<", k): _python_patterns(v) for k, v in value.items()}
            else:
                out[key] = _python_patterns(value)
        return out
    if isinstance(node, list):
        return [_python_patterns(value) for value in node]
    return node


_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
_URI_REFERENCE = re.compile(r"[^\s<>\"{}|\\^`]*")


def opds2_validator(folder: str | os.PathLike[str] | None = None) -> Any:
    """A ``jsonschema`` validator of OPDS 2.0 feeds: the schemas of ``folder`` (default the
    shipped ones), each known by its ``$id``, nothing fetched; formats checked (``uri`` and
    ``uri-reference`` loosely, by the characters a URI cannot hold, where jsonschema's own
    checks need packages that are not installed). ImportError without jsonschema;
    OSError or ValueError for a missing or broken schema."""
    jsonschema = import_module("jsonschema")
    referencing = import_module("referencing")
    drafts = import_module("referencing.jsonschema")
    from ..validate import SHIPPED_SCHEMAS

    where = Path(folder) if folder is not None else SHIPPED_SCHEMAS / JSON_SCHEMAS
    resources = []
    for path in sorted(where.glob("*.schema.json")):
        schema = _python_patterns(json.loads(path.read_bytes()))
        resources.append((schema["$id"], referencing.Resource.from_contents(schema, default_specification=drafts.DRAFT7)))
    registry = referencing.Registry().with_resources(resources)
    ids = {ident for ident, _ in resources}
    if FEED_SCHEMA not in ids:
        raise OSError(f"no OPDS 2.0 feed schema ({FEED_SCHEMA}) in {where}")
    checker = jsonschema.FormatChecker()
    for name, pattern in (("uri", _URI), ("uri-reference", _URI_REFERENCE)):
        if name not in checker.checkers:
            checker.checks(name)(_matcher(pattern))
    return jsonschema.Draft7Validator(registry.contents(FEED_SCHEMA), registry=registry, format_checker=checker)


def _matcher(pattern: re.Pattern[str]) -> Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or pattern.fullmatch(value) is not None


def _catalog_files(root: Path, ext: str) -> list[Path]:
    return sorted((root / FOLDER).glob(f"*.{ext}"))


def _base(root: Path) -> str | None:
    """The base URL the catalog was made for: its root's self link, less its path."""
    try:
        doc = json.loads((root / catalog_path(ROOT, "json")).read_bytes())
        self_link = next(link["href"] for link in doc["links"] if link.get("rel") == "self")
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        return None
    suffix = uri(catalog_path(ROOT, "json"))
    return self_link[: -len(suffix)] if isinstance(self_link, str) and self_link.endswith(suffix) else None


def _link_problems(root: Path, name: str, base: str | None, links: Iterable[tuple[str, str, int | None]]) -> list[str]:
    """Each ``(href, kind, length)`` of a document checked: a link to a catalog document, an
    edition or an image leads to a file of the build (under ``base``), an edition's of the
    length it gives (links to web pages are the web edition's to check)."""
    if base is None:
        return [f"{name}: the catalog's base URL is unknown (no self link in {catalog_path(ROOT, 'json')})"]
    problems = []
    for href, kind, length in links:
        if kind == "html":
            continue
        if not href.startswith(base):
            problems.append(f"{name}: {kind} link {href} is not under {base}")
            continue
        rel = unquote(href[len(base):].partition("#")[0])
        target = root / rel
        if not target.is_file():
            problems.append(f"{name}: {kind} link to {rel}, which is not in the build")
        elif kind == "acquisition" and length is None:
            problems.append(f"{name}: the acquisition link to {rel} gives no length")
        elif length is not None and target.stat().st_size != length:
            problems.append(f"{name}: {rel} is {target.stat().st_size} bytes, the link says {length}")
    return problems


def _atom_links(path: Path) -> Iterator[tuple[str, str, int | None]]:
    from lxml import etree

    for link in etree.parse(str(path)).iter(f"{{{ATOM_NS}}}link"):
        href, rel, media = link.get("href", ""), link.get("rel", "alternate"), link.get("type", "")
        if rel == ACQUISITION:
            length = link.get("length")
            yield href, "acquisition", int(length) if length and length.isdigit() else None
        elif rel in (IMAGE, THUMBNAIL):
            yield href, "image", None
        elif "profile=opds-catalog" in media or media == OPDS2_TYPE:
            yield href, "catalog", None
        else:
            yield href, "html", None


def _json_links(doc: Any) -> Iterator[tuple[str, str, int | None]]:
    if not isinstance(doc, dict):
        return
    for link in [*doc.get("links", []), *doc.get("navigation", [])]:
        if isinstance(link, dict) and isinstance(link.get("href"), str):
            media = str(link.get("type", ""))
            yield link["href"], "catalog" if media == OPDS2_TYPE or "profile=opds-catalog" in media else "html", None
    for publication in doc.get("publications", []):
        if not isinstance(publication, dict):
            continue
        for link in publication.get("links", []):
            if isinstance(link, dict) and link.get("rel") == ACQUISITION:
                size = link.get("size")
                yield str(link.get("href", "")), "acquisition", size if isinstance(size, int) else None
        for image in publication.get("images", []):
            if isinstance(image, dict):
                yield str(image.get("href", "")), "image", None


def opds_check(root: Path, options: ValidateOptions) -> Check:
    """The OPDS 1.2 documents against the OPDS 1.2 and the Atom RELAX NG schemas, and
    their links against the build's files."""
    from ..validate import Check, _relaxng, _schema

    files = _catalog_files(root, "xml")
    check = Check("opds", files=len(files))
    opds = _schema(None, "PRESSOUT_OPDS_SCHEMA", SCHEMA)
    atom = _schema(options.atom_schema, "PRESSOUT_ATOM_SCHEMA", "atom-rfc4287.rng")
    if not (root / catalog_path(ROOT)).is_file():
        check.ok, check.problems = False, [f"no OPDS catalog: {catalog_path(ROOT)} is not in the build"]
        return check
    if opds is None or atom is None:
        check.ok, check.missing = False, True
        check.note = f"schema not found: {SCHEMA if opds is None else 'atom-rfc4287.rng'} (shipped in pressout/schemas)"
        check.problems = [check.note]
        return check
    check.problems = _relaxng(opds, files) + _relaxng(atom, files)
    base = _base(root)
    for path in files:
        try:
            check.problems += _link_problems(root, path.name, base, _atom_links(path))
        except Exception as error:  # noqa: BLE001 - a damaged file is a finding (the schemas said so too)
            check.problems.append(f"{path.name}: {error}")
    check.ok = not check.problems
    check.note = f"{'jing' if _jing() else 'lxml'} with {opds.name} and {atom.name}; links against the files"
    return check


def _jing() -> bool:
    import shutil

    return shutil.which("jing") is not None


def opds2_check(root: Path, options: ValidateOptions) -> Check:
    """The OPDS 2.0 documents against the OPDS 2.0 JSON Schema, and their links against
    the build's files."""
    from ..validate import Check

    files = _catalog_files(root, "json")
    check = Check("opds2", files=len(files))
    if not (root / catalog_path(ROOT, "json")).is_file():
        check.ok, check.problems = False, [f"no OPDS 2.0 catalog: {catalog_path(ROOT, 'json')} is not in the build"]
        return check
    folder = os.environ.get("PRESSOUT_OPDS2_SCHEMAS")
    try:
        validator = opds2_validator(folder)
    except ImportError as error:
        check.ok, check.missing = False, True
        check.note = f"jsonschema not installed ({error}): pip install 'jsonschema>=4.18'"
        check.problems = [check.note]
        return check
    except (OSError, ValueError, KeyError) as error:
        check.ok, check.missing = False, True
        check.note = f"OPDS 2.0 schemas not usable: {error}"
        check.problems = [check.note]
        return check
    base = _base(root)
    for path in files:
        try:
            doc = json.loads(path.read_bytes())
        except ValueError as broken:
            check.problems.append(f"{path.name}: not JSON: {broken}")
            continue
        for found in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
            where = "/".join(str(p) for p in found.absolute_path) or "(document)"
            check.problems.append(f"{path.name}: {where}: {found.message}")
        check.problems += _link_problems(root, path.name, base, _json_links(doc))
    check.ok = not check.problems
    check.note = "jsonschema with the OPDS 2.0 feed schema (pressout/schemas/opds2); links against the files"
    return check
