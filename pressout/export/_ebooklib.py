"""The one place pressout touches ebooklib: a plain description of a book in, EPUB bytes out.

ebooklib 0.20 packages an EPUB well enough but has traps (see the project's EPUB notes):
it swallows write errors, draws a random identifier, stamps ``dcterms:modified`` and zip
entries with the clock, cannot put ``xml:lang`` on ``<package>``, writes NCX depth 0 and
no play order, shows landmarks and turns a chapter it cannot parse into an empty file
without a word. This module hands ebooklib only what it does well (manifest, spine,
metadata, nav and NCX skeletons; the pages go in finished, as XHTML it stores as they are),
takes the entries ebooklib writes, repairs the rest in them and writes the zip container
itself (mimetype first and stored, fixed times and permissions), so no caller ever sees an
ebooklib object or quirk. Everything it writes is a function of the ``Book`` it is given:
same ``Book``, same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import struct
import uuid
import zlib
from dataclasses import dataclass
from html import escape
from xml.parsers import expat

from ebooklib import epub
from lxml import etree

from .html import TCY_CLASS, upright_runs

__all__ = ["Agent", "Book", "BookError", "Document", "Landmark", "NavPoint", "Series", "build", "identifier"]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# ebooklib's fixed layout: the package document and all content live in EPUB/.
_FOLDER = "EPUB"
_NAV_NAME = "nav.xhtml"
_NCX_NAME = "toc.ncx"
# A stable namespace for identifiers, so uuid5(key) is the same on every machine.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pressout.invalid/epub")
# The zip format's dates (MS-DOS dates: a 7-bit year from 1980, two-second resolution).
_EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LATEST_ZIP_TIME = (2107, 12, 31, 23, 59, 58)
_EARLIEST_UTC = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


class BookError(Exception):
    """The book could not be packaged (ebooklib failed, or produced a broken document)."""


@dataclass(frozen=True, slots=True)
class Document:
    """One XHTML content document; ``body`` is well-formed XHTML for inside ``<body>``."""

    name: str  # file name in the package, flat (no folders), e.g. "a01.xhtml"
    id: str  # manifest id: an XML name
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class NavPoint:
    """A table-of-contents entry; without ``href`` it is a heading for its children."""

    title: str
    href: str | None
    children: tuple[NavPoint, ...] = ()


@dataclass(frozen=True, slots=True)
class Landmark:
    type: str  # EPUB 3 structural semantics: cover, toc, bodymatter …
    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Series:
    """The series a book belongs to (a newspaper, for its pages), and its place in it."""

    name: str
    position: str | None = None  # a decimal number, as EPUB's group-position wants it


@dataclass(frozen=True, slots=True)
class Agent:
    """A ``dc:creator`` or ``dc:contributor``: a name, its MARC relator roles (``aut``,
    ``pht`` …: each a ``role`` refinement, scheme ``marc:relators``) and, when given, the
    form a library files it under (a ``file-as`` refinement)."""

    name: str
    roles: tuple[str, ...] = ()
    file_as: str | None = None


@dataclass(frozen=True, slots=True)
class Book:
    """Everything that goes into one EPUB, already decided by the caller."""

    key: str  # stable key the urn:uuid identifier is derived from
    title: str
    language: str
    modified: dt.datetime  # aware; becomes dcterms:modified and the zip entry times (see _zip_time)
    documents: tuple[Document, ...]  # spine order; the nav goes in after ``nav_after`` of them
    toc: tuple[NavPoint, ...]
    landmarks: tuple[Landmark, ...]
    nav_title: str
    landmarks_title: str
    nav_after: int = 1
    # The nav's page-list: each page's label and its page-break marker (href#id); a book
    # without one has no page-list.
    page_list: tuple[NavPoint, ...] = ()
    page_list_title: str = ""
    stylesheets: tuple[tuple[str, bytes], ...] = ()  # (file name, CSS), linked from every page
    dc: tuple[tuple[str, str], ...] = ()  # extra Dublin Core: (element, value)
    properties: tuple[tuple[str, str], ...] = ()  # <meta property=…>value</meta>
    named_meta: tuple[tuple[str, str], ...] = ()  # EPUB 2 style <meta name=… content=…/>
    rtl: bool = False  # page-progression-direction="rtl"
    series: Series | None = None
    creators: tuple[Agent, ...] = ()  # dc:creator, id creator, creator-2 …
    contributors: tuple[Agent, ...] = ()  # dc:contributor, id contributor-1 …
    # Vertical text: the nav's table of contents gets its short Latin runs combined
    # upright, as the pages have them (``html.upright``); the NCX stays plain text.
    upright: bool = False
    # The cover image (file name in the package, PNG bytes): the manifest's cover-image,
    # and EPUB 2's <meta name="cover">, which Kindle and older readers look for.
    cover_image: tuple[str, bytes] | None = None


def identifier(key: str) -> str:
    """The book's ``urn:uuid``: a uuid5 of its key, never a random one."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, key)}"


def build(book: Book) -> bytes:
    """The EPUB file for ``book``, as bytes; raises BookError if it cannot be made."""
    try:
        return _package(_write_with_ebooklib(book), book)
    except BookError:
        raise
    except Exception as error:  # ebooklib and lxml raise anything from ValueError to KeyError
        raise BookError(f"packaging failed: {error}") from error


# --- ebooklib ------------------------------------------------------------------------


def _write_with_ebooklib(book: Book) -> dict[str, bytes]:
    """The archive's entries as ebooklib writes them: name → bytes."""
    writer = _EntryWriter("", _ebooklib_book(book), _writer_options(book))
    writer.process()
    writer.write()
    return writer.out.entries


def _ebooklib_book(book: Book) -> epub.EpubBook:
    eb = epub.EpubBook()
    eb.set_identifier(identifier(book.key))
    eb.set_title(book.title)
    eb.set_language(book.language)
    if book.rtl:
        eb.set_direction("rtl")  # only used for the spine, never as dir= on pages
    for n, agent in enumerate(book.creators, start=1):
        _add_agent(eb, "creator", "creator" if n == 1 else f"creator-{n}", agent)
    for n, agent in enumerate(book.contributors, start=1):
        _add_agent(eb, "contributor", f"contributor-{n}", agent)
    for element, value in book.dc:
        eb.add_metadata("DC", element, value)
    for prop, value in book.properties:
        eb.add_metadata(None, "meta", value, {"property": prop})
    for name, content in book.named_meta:
        eb.add_metadata(None, "meta", "", {"name": name, "content": content})
    if book.series is not None:
        # EPUB 3's collection (Apple Books, calibre, KOReader), and calibre's own series
        # meta, which Kobo's firmware and KOReader read from a side-loaded book.
        series = book.series
        eb.add_metadata(None, "meta", series.name, {"property": "belongs-to-collection", "id": "series"})
        eb.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        eb.add_metadata(None, "meta", "", {"name": "calibre:series", "content": series.name})
        if series.position is not None:
            eb.add_metadata(None, "meta", series.position, {"refines": "#series", "property": "group-position"})
            eb.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": series.position})

    if book.cover_image is not None:
        eb.set_cover(book.cover_image[0], book.cover_image[1], create_page=False)
    styles = []
    for name, css in book.stylesheets:
        styles.append(
            eb.add_item(epub.EpubItem(uid=_css_id(name), file_name=name, media_type="text/css", content=css))
        )

    pages: dict[str, epub.EpubItem] = {}
    for doc in book.documents:
        # A finished page, which ebooklib stores as it is. (Its EpubHtml would parse the
        # body with an HTML parser and write it out again: the same bytes, at the cost of
        # half of ebooklib's time, and a body it cannot parse became an empty file.)
        page = epub.EpubItem(uid=doc.id, file_name=doc.name, media_type="application/xhtml+xml",
                             content=_page(doc, book))
        pages[doc.name] = eb.add_item(page)

    nav = epub.EpubNav(uid="nav", file_name=_NAV_NAME, title=book.nav_title)
    for style in styles:
        nav.add_item(style)
    eb.add_item(nav)
    # EPUB 3 requires the nav, ebooklib always writes toc="ncx": the NCX is never optional.
    eb.add_item(epub.EpubNcx(uid="ncx", file_name=_NCX_NAME))

    spine: list[object] = [pages[d.name] for d in book.documents]
    spine.insert(book.nav_after, nav)
    eb.spine = spine
    eb.toc = [_toc_entry(point) for point in book.toc]
    eb.guide = [
        {"type": _GUIDE_TYPES.get(m.type, m.type), "title": m.title, "href": m.href} for m in book.landmarks
    ]

    return eb


def _add_agent(eb: epub.EpubBook, element: str, uid: str, agent: Agent) -> None:
    # (ebooklib's add_author puts the marc:relators scheme on file-as too: written here.)
    eb.add_metadata("DC", element, agent.name, {"id": uid})
    if agent.file_as is not None:
        eb.add_metadata(None, "meta", agent.file_as, {"refines": f"#{uid}", "property": "file-as"})
    for role in agent.roles:
        eb.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})


def _writer_options(book: Book) -> dict[str, object]:
    return {
        "raise_exceptions": True,
        # ebooklib formats this as UTC ("…Z") without converting: give it UTC.
        "mtime": _utc(book.modified).replace(tzinfo=None),
        "landmark_title": book.landmarks_title,
        "epub3_pages": False,
        "play_order": {"enabled": False},  # set in _fix_ncx, where duplicates share one
    }


class _Entries:
    """Stands where ebooklib's writer keeps its ZipFile: it only ever calls ``writestr``,
    and here that keeps the entry (ZipFile's way: text as UTF-8)."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def writestr(self, name: str, data: str | bytes, *args: object, **kwargs: object) -> None:
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data


class _EntryWriter(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer, writing its entries into a dict instead of a zip file.

    ``_package`` rewrites three of them and zips everything once, so an archive written
    by ebooklib only to be read back (both through zipfile, a quarter of the EPUB's
    time) is never made. ``write`` is ebooklib 0.20's own, less the ZipFile (the version
    is pinned; test_epub checks the entries against the real writer's archive)."""

    def write(self) -> None:
        self.out = _Entries()
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()


# EPUB 2 guide names for the EPUB 3 landmark types; ebooklib maps "text" back to bodymatter.
_GUIDE_TYPES = {"bodymatter": "text"}


def _page(doc: Document, book: Book) -> bytes:
    """The XHTML content document, as ebooklib's EpubHtml would write it (the tests check
    this byte for byte against ebooklib), with every style sheet linked."""
    lang = escape(book.language, quote=True)
    links = "".join(f'    <link href="{escape(name, quote=True)}" rel="stylesheet" type="text/css"/>\n'
                    for name, _ in book.stylesheets)
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n"
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" epub:prefix="{_Z3998}" lang="{lang}" xml:lang="{lang}">\n'
        f"  <head>\n    <title>{escape(doc.title, quote=False)}</title>\n{links}  </head>\n"
        f"  <body>\n    {doc.body}\n  </body>\n</html>\n"
    ).encode()


_Z3998 = "z3998: http://www.daisy.org/z3998/2012/vocab/structure/#"


def _css_id(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "css-" + "".join(c if c.isalnum() else "-" for c in stem)


def _toc_entry(point: NavPoint) -> object:
    if not point.children:
        if point.href is None:
            raise BookError(f"table of contents entry {point.title!r} has neither link nor children")
        return epub.Link(point.href, point.title, _link_id(point.href))
    # A Section without href becomes a <span> heading in the nav; the NCX, which needs a
    # target for every navPoint, gets the first child's (ebooklib fills it in).
    section = epub.Section(point.title, point.href or "")
    return (section, [_toc_entry(child) for child in point.children])


def _link_id(href: str) -> str:
    return "toc-" + "".join(c if c.isalnum() else "-" for c in href)


# --- repairs on the finished archive ---------------------------------------------------


def _package(entries: dict[str, bytes], book: Book) -> bytes:
    opf = f"{_FOLDER}/content.opf"
    entries[opf] = _fix_opf(entries[opf], book)
    entries[f"{_FOLDER}/{_NCX_NAME}"] = _fix_ncx(entries[f"{_FOLDER}/{_NCX_NAME}"], book)
    entries[f"{_FOLDER}/{_NAV_NAME}"] = _fix_nav(entries[f"{_FOLDER}/{_NAV_NAME}"], book)
    for doc in book.documents:
        _check_document(entries.get(f"{_FOLDER}/{doc.name}", b""), doc)
    # OCF: "mimetype" first, stored, no extra field; the rest sorted, so the order of
    # ebooklib's writes never shows.
    mimetype = entries.pop("mimetype")
    styles = {f"{_FOLDER}/{name}" for name, _ in book.stylesheets}
    members = [("mimetype", mimetype, False)]
    members += [(name, entries[name], name in styles) for name in sorted(entries)]
    return _zip(members, _zip_time(book.modified))


# --- the zip archive -----------------------------------------------------------------------
#
# Written here rather than with zipfile: its per-entry machinery (a ZipInfo, a write handle,
# a header written, then sought back to and written again) cost more than compressing. The
# bytes are those zipfile writes for the same entries (a test compares them): local headers
# with the CRC and sizes in them, no extra fields, Unix permissions 0644, version 2.0.

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20
_UNIX = 3
_PERMISSIONS = 0o644 << 16
_STORED, _DEFLATED = 0, 8
_PACKED = (".png", ".jpg", ".jpeg")  # members stored as they are
_ZIP32_LIMIT = (1 << 31) - 1  # past this zipfile would switch to Zip64; a page never gets near


def _zip(members: list[tuple[str, bytes, bool]], when: tuple[int, ...]) -> bytes:
    """A zip archive of ``(name, data, shared)``: the first member and images stored, the
    others deflated; ``shared`` data (the style sheets, the same in every book) is compressed once
    per process."""
    dosdate = (when[0] - 1980) << 9 | when[1] << 5 | when[2]
    dostime = when[3] << 11 | when[4] << 5 | (when[5] // 2)
    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for n, (name, data, shared) in enumerate(members):
        if n == 0 or name.endswith(_PACKED):  # (an image is compressed already: deflating it again gains nothing)
            method, crc, packed = _STORED, zlib.crc32(data), data
        else:
            method = _DEFLATED
            crc, packed = _deflate_shared(data) if shared else (zlib.crc32(data), _deflate(data))
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # the "name is UTF-8" bit, as zipfile sets it
        header = _LOCAL.pack(b"PK\003\004", _VERSION, 0, flags, method, dostime, dosdate, crc,
                             len(packed), len(data), len(encoded), 0)
        directory.append(_CENTRAL.pack(b"PK\001\002", _VERSION, _UNIX, _VERSION, 0, flags, method,
                                       dostime, dosdate, crc, len(packed), len(data), len(encoded),
                                       0, 0, 0, 0, _PERMISSIONS, offset) + encoded)
        parts += (header, encoded, packed)
        offset += len(header) + len(encoded) + len(packed)
        if offset > _ZIP32_LIMIT:
            raise BookError("the book is larger than 2 GB")
    central = b"".join(directory)
    parts += (central, _END.pack(b"PK\005\006", 0, 0, len(members), len(members), len(central), offset, 0))
    return b"".join(parts)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@functools.lru_cache(maxsize=16)
def _deflate_shared(data: bytes) -> tuple[int, bytes]:
    return zlib.crc32(data), _deflate(data)


def _utc(modified: dt.datetime) -> dt.datetime:
    """``modified`` in UTC, for ``dcterms:modified``; an instant before the first one a
    datetime holds (a book dated 1 January of year 1 east of Greenwich) is written as
    0001-01-01T00:00:00Z."""
    if modified < _EARLIEST_UTC:
        return _EARLIEST_UTC
    return modified.astimezone(dt.UTC)


def _zip_time(modified: dt.datetime) -> tuple[int, int, int, int, int, int]:
    # Zip times have no zone: use the wall clock where the book is dated, as given, within
    # the dates a zip entry can hold (1980-01-01 to 2107-12-31): a book dated outside them
    # gets the nearest one (its true date is in the package document).
    t = modified.timetuple()[:6]
    return min(max(t, _EARLIEST_ZIP_TIME), _LATEST_ZIP_TIME)


# One parser for the process (pressout builds in processes, never threads): making one
# per document cost a sixth of the parse.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)


def _serialize(root: etree._Element, doctype: str | None = None) -> bytes:
    tree = root.getroottree()
    if doctype is None:  # (lxml's own default; its stubs only take a str)
        return etree.tostring(tree, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8", pretty_print=True, doctype=doctype)


def _fix_opf(data: bytes, book: Book) -> bytes:
    root = _parse(data)
    root.set(XML_LANG, book.language)  # Ace requires it; ebooklib has no API for it
    # ebooklib writes the date with strftime, which leaves a year below 1000 unpadded
    # (1-01-01T…, not a date): written here, always CCYY-MM-DDThh:mm:ssZ.
    modified = root.find(f"{{{OPF_NS}}}metadata/{{{OPF_NS}}}meta[@property='dcterms:modified']")
    if modified is None:
        raise BookError("ebooklib wrote no dcterms:modified")
    modified.text = _w3cdtf(_utc(book.modified))
    return _serialize(root)


def _w3cdtf(value: dt.datetime) -> str:
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
            f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z")


def _fix_ncx(data: bytes, book: Book) -> bytes:
    root = _parse(data)
    root.set(XML_LANG, book.language)
    ns = {"n": NCX_NS}
    points = root.findall(".//n:navPoint", ns)

    def depth(el: etree._Element) -> int:
        return 1 + max((depth(c) for c in el.findall("n:navPoint", ns)), default=0)

    nav_map = root.find("n:navMap", ns)
    if nav_map is None:
        raise BookError("ebooklib wrote no NCX navMap")
    max_depth = max((depth(p) for p in nav_map.findall("n:navPoint", ns)), default=1)
    for meta in root.findall("n:head/n:meta", ns):
        if meta.get("name") == "dtb:depth":
            meta.set("content", str(max_depth))
    # A column heading and its first article point to the same file: NCX wants one play
    # order per target, so they share it.
    order: dict[str, int] = {}
    for point in points:
        content = point.find("n:content", ns)
        src = "" if content is None else content.get("src", "")
        if not src:
            raise BookError(f"NCX entry {point.get('id')} has no target")
        point.set("playOrder", str(order.setdefault(src, len(order) + 1)))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", pretty_print=True)


def _fix_nav(data: bytes, book: Book) -> bytes:
    root = _parse(data)
    ns = {"h": XHTML_NS}
    for nav in root.iterfind(".//h:nav", ns):
        kind = nav.get(f"{{{EPUB_NS}}}type")
        if kind == "toc":
            nav.set("id", "toc")  # ebooklib names it "id"
            heading = nav.find("h:h2", ns)
            if heading is not None:
                heading.tag = f"{{{XHTML_NS}}}h1"  # the page's only heading
            if book.upright:
                _combine_upright(nav)
        elif kind == "landmarks":
            nav.set("hidden", "hidden")  # for reading systems, not for reading
    if book.page_list:
        body = root.find("h:body", ns)
        if body is None:
            raise BookError("ebooklib wrote a nav without a body")
        page_list = _page_list_nav(book)
        etree.indent(page_list, space="  ", level=2)  # as ebooklib's navs are laid out
        page_list.tail, body[-1].tail = body[-1].tail, "\n    "
        body.append(page_list)
    return _serialize(root, doctype="<!DOCTYPE html>")


def _combine_upright(root: etree._Element) -> None:
    """Each text node under ``root`` with its ``upright_runs`` in ``<span class="tcy">``."""
    for el in list(root.iter(f"{{{XHTML_NS}}}*")):
        # An element's text goes into spans at its start; its tail into spans after it.
        if el.text:
            head, spans = _split_upright(el.text)
            el.text = head
            for n, span in enumerate(spans):
                el.insert(n, span)
        parent = el.getparent()
        if el.tail and parent is not None and el is not root:
            head, spans = _split_upright(el.tail)
            el.tail = head
            for n, span in enumerate(spans, start=parent.index(el) + 1):
                parent.insert(n, span)


def _split_upright(text: str) -> tuple[str, list[etree._Element]]:
    """``text`` as the text before its first upright run, and a span per run (its tail the
    text up to the next one)."""
    runs = upright_runs(text)
    if not runs:
        return text, []
    spans = []
    for n, (a, b) in enumerate(runs):
        span = etree.Element(f"{{{XHTML_NS}}}span", {"class": TCY_CLASS})
        span.text = text[a:b]
        span.tail = text[b : runs[n + 1][0] if n + 1 < len(runs) else len(text)] or None
        spans.append(span)
    return text[: runs[0][0]], spans


def _page_list_nav(book: Book) -> etree._Element:
    """The nav's page-list, written here: ebooklib's collects the pages from EpubHtml
    items, which pressout does not give it. Hidden like the landmarks: the table of
    contents already shows the pages; this list is for the reading system's "go to page"."""
    h = f"{{{XHTML_NS}}}"
    nav = etree.Element(f"{h}nav", {f"{{{EPUB_NS}}}type": "page-list", "id": "page-list", "hidden": "hidden"})
    etree.SubElement(nav, f"{h}h2").text = book.page_list_title
    ol = etree.SubElement(nav, f"{h}ol")
    for page in book.page_list:
        if page.href is None:
            raise BookError(f"page-list entry {page.title!r} has no link")
        etree.SubElement(etree.SubElement(ol, f"{h}li"), f"{h}a", {"href": page.href}).text = page.title
    return nav


def _check_document(data: bytes, doc: Document) -> None:
    # A page that is not well-formed stops a reading system at that page: caught here, by
    # expat (namespaces on, so an unbound prefix counts), which only checks, in half the
    # time lxml takes to build a tree nobody reads.
    try:
        expat.ParserCreate(namespace_separator=" ").Parse(data, True)
    except expat.ExpatError as error:
        raise BookError(f"{doc.name} ({doc.title}) is not well-formed: {error}") from error
    if "<" not in doc.body:  # ebooklib stores the page as given: only the body can be empty
        raise BookError(f"{doc.name} ({doc.title}) came out empty")
