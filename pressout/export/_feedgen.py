"""The one place pressout touches feedgen: Atom 1.0 and RSS 2.0 documents from plain values.

Callers describe a feed document with ``Head`` and ``Entry`` (already ordered, dates
already derived from the model) and get UTF-8 bytes back. feedgen 1.0.0 has traps,
measured in ``shared/reference/feeds.md``; each is hidden here, and tests/test_feed.py has
a regression test for each:

1. ``add_entry()`` prepends by default, reversing the caller's order: we pass
   ``order='append'``.
2. The RSS channel ``<link>`` is the last feed link added, whatever its rel: we add the
   self link first and the site's alternate link last, one FeedGenerator per document.
3. Atom entry links lose ``rel``/``type``/``length`` (upstream issues #135/#143), so an
   enclosure would become a second alternate link: Atom enclosures are added after
   feedgen has written the document.
4. ``updated``/``lastBuildDate`` default to the build clock: both are always set from
   ``Head.updated``; naive datetimes are refused.
5. RSS has ``content:encoded`` only when a description exists too: every entry gets
   ``content(html, type='html')`` and a plain-text ``summary`` (never ``type='CDATA'``,
   which makes Atom invalid); in RSS the summary is HTML-escaped, since readers take an
   RSS description for HTML.
6. An RSS ``<author>`` needs an e-mail address: names go to ``dc:creator`` (and editors
   to ``dc:contributor``) through feedgen's dc extension, loaded for RSS only. An item
   has one ``dc:creator`` holding all its authors' names in order, joined with ``、``
   (``NAME_SEPARATOR``, the enumeration comma Chinese lists names with: ``韩睿、高雅慧``),
   and one ``dc:contributor`` the same way: newsboat and feedparser keep only the last of
   several ``dc:creator`` (a reporter's story was credited to its photographer). Atom
   keeps an ``author`` (``contributor``) per person, which newsboat joins with ``, ``
   and feedparser lists in order (its ``author``, one string, is the last of them).
7. Enclosures need a real byte length and an ASCII URL: both are checked/encoded here.
8. A control character anywhere makes lxml refuse the whole document with a bare
   ValueError: every string is checked first and named in an ``OutputError``.
9. The language must be a BCP 47 tag (``zh-CN``; ``zh_CN`` is an error in both formats).
10. Entries sharing one ``updated`` instant draw ``DuplicateUpdated``: refused here.
11. The RSS channel ``<description>`` is the feed's subtitle, which readers take for HTML
    like an item's: it is HTML-escaped as the summaries are (trap 5), so a site title
    holding ``<b>&amp;`` reads back as itself.
12. RSS dates are written by feedgen with ``strftime``, which leaves a year below 1000
    unpadded (``Mon, 01 Jan 1 …``, read by feedparser as 2000) and depends on the
    locale: pressout writes them itself, with a four-digit year and the instant's fixed
    offset. RFC 822/2822 dates hold only the years 1900 and later (RFC 2822 §3.3), so an
    instant before 1900 (in its own offset) is written as ``dc:date`` (W3CDTF, like the
    Atom and JSON dates) in place of ``pubDate`` — and, for the channel, in place of
    ``pubDate`` and ``lastBuildDate`` —, never as a date a reader would misread.

Two things feedgen has no API for are added after it has written the document, as the
enclosures of trap 3 are: an entry's ``language`` other than the feed's becomes the Atom
entry's ``xml:lang`` (RSS has no language below the channel), and the address of the
article's original (``Entry.related``) an Atom ``link rel="related"``. RSS keeps its
``<link>`` to our copy and says nothing of the original: its ``source`` names a channel,
``comments`` a discussion page, and neither is an article's original.

Feed-level RFC 5005 links (``prev-archive``/``next-archive``/``current``), the WebSub hub
(``Head.hub``) and ``fh:archive`` are added here too, since feedgen writes none of them into
RSS.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape as html_escape
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from lxml import etree

from ..errors import OutputError

__all__ = [
    "Category",
    "Enclosure",
    "Entry",
    "Head",
    "NAME_SEPARATOR",
    "atom_document",
    "check_document",
    "check_entries",
    "check_head",
    "check_text",
    "rss_document",
    "uri",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC822_EARLIEST_YEAR = 1900  # RFC 2822 §3.3: "any numeric year 1900 or later"
# Between the names of an RSS item's one dc:creator (and dc:contributor): trap 6.
NAME_SEPARATOR = "、"

# XML 1.0 forbids C0 controls other than tab/LF/CR, surrogates and U+FFFE/U+FFFF; C1
# controls and DEL are allowed by XML but "discouraged" and mean a broken page, so they
# are refused as well.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def check_text(value: str, where: str) -> str:
    """``value`` unchanged, or an OutputError naming ``where`` and the offending character.

    lxml would otherwise refuse the whole feed with a bare ValueError that names nothing.
    """
    bad = _NOT_TEXT.search(value)
    if bad:
        raise OutputError(
            f"{where}: control character U+{ord(bad.group()):04X} at offset {bad.start()} "
            "cannot be written to XML; fix the text in the model"
        )
    return value


@dataclass(frozen=True, slots=True)
class Category:
    """An entry's category: Atom ``<category term label scheme>``; RSS ``<category>`` holds
    the label (feedgen's choice), with the scheme as its ``domain``. ``scheme``, when given,
    is an absolute IRI that says what the term means (written as a URI, see ``uri``)."""

    term: str
    label: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    length: int  # bytes of the file as published
    type: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    link: str  # the entry's web page (Atom alternate, RSS link)
    published: dt.datetime
    updated: dt.datetime
    content_html: str
    summary: str
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    enclosure: Enclosure | None = None
    language: str | None = None  # a BCP 47 tag, when it is not the feed's
    related: str | None = None  # the absolute http(s) URL of the original (Atom rel="related")


@dataclass(frozen=True, slots=True)
class Head:
    id: str
    title: str
    subtitle: str
    site_url: str  # the web page this feed belongs to
    self_url: str
    updated: dt.datetime
    author: str
    language: str = "zh-CN"
    generator: str = "pressout"
    generator_version: str | None = None
    # RFC 5005: ``archive`` marks an archive document; the rest are links between pages.
    archive: bool = False
    current: str | None = None
    prev_archive: str | None = None
    next_archive: str | None = None
    # WebSub (W3C Recommendation): the hub subscribers may ask for pushed updates
    # (``link rel="hub"``; the topic is the self link).
    hub: str | None = None


def atom_document(head: Head, entries: Sequence[Entry], *, checked: bool = False) -> bytes:
    """An Atom 1.0 document, entries in the given order. ``checked``: the caller has run
    ``check_entries`` on these entries for this head's ``updated`` (a feed page's documents
    share their entries, so they are checked once)."""
    fg = _generator(head, entries, rss=False, checked=checked)
    root = _reparse(fg.atom_str(pretty=False))
    entry_elements = root.findall(f"{{{ATOM_NS}}}entry")
    for element, entry in zip(entry_elements, entries, strict=True):
        # feedgen dropped rel and type from the page link too; say what it is.
        page = element.find(f"{{{ATOM_NS}}}link")
        assert page is not None, entry.id
        page.set("rel", "alternate")
        page.set("type", "text/html")
        if entry.language is not None and entry.language != head.language:
            element.set(XML_LANG, entry.language)
        if entry.related is not None:
            original = etree.Element(f"{{{ATOM_NS}}}link")
            original.set("rel", "related")
            original.set("href", uri(entry.related))
            page.addnext(original)
        if entry.enclosure is not None:
            enclosure = entry.enclosure
            link = etree.Element(f"{{{ATOM_NS}}}link")
            link.set("rel", "enclosure")
            link.set("type", enclosure.type)
            link.set("length", str(enclosure.length))
            link.set("href", uri(enclosure.url))
            last_link = element.findall(f"{{{ATOM_NS}}}link")[-1]
            last_link.addnext(link)
    if head.archive:
        # fh:archive goes with the metadata, before the first entry.
        marker = etree.Element(f"{{{FH_NS}}}archive")
        if entry_elements:
            entry_elements[0].addprevious(marker)
        else:
            root.append(marker)
    return _serialise(root)


def rss_document(head: Head, entries: Sequence[Entry], *, checked: bool = False) -> bytes:
    """An RSS 2.0 document, items in the given order (``checked``: see atom_document)."""
    fg = _generator(head, entries, rss=True, checked=checked)
    # feedgen's own tree, which rss_str would serialise: in RSS its namespaces are real
    # ones (unlike its Atom tree, see _reparse), and it has no blank text to drop.
    root = fg._create_rss()[0]
    channel = root.find("channel")
    assert channel is not None
    _rss_dates(channel, head, entries)
    self_link = channel.find(f"{{{ATOM_NS}}}link")
    assert self_link is not None and self_link.get("rel") == "self"
    anchor = self_link
    # feedgen writes only the self link into RSS; the archive links and the hub follow it.
    for rel, href in _archive_links(head):
        link = etree.Element(f"{{{ATOM_NS}}}link", rel=rel, href=href)
        if rel != "current":
            link.set("type", "application/rss+xml")
        anchor.addnext(link)
        anchor = link
    if head.hub is not None:
        link = etree.Element(f"{{{ATOM_NS}}}link", rel="hub", href=uri(head.hub))
        anchor.addnext(link)
        anchor = link
    if head.archive:
        anchor.addnext(etree.Element(f"{{{FH_NS}}}archive"))
    return _serialise(root)


# --- internals ------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822_date(value: dt.datetime) -> str | None:
    """``Fri, 10 Dec 2021 00:59:59 +0800`` (RFC 2822 §3.3, at the instant's own offset),
    or None for an instant that such a date cannot hold (before 1900 there)."""
    if value.year < RFC822_EARLIEST_YEAR:
        return None
    offset = value.utcoffset()
    assert offset is not None  # aware: checked before
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return (f"{_DAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} {value.year:04d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} {zone}")


def _rss_dates(channel: etree._Element, head: Head, entries: Sequence[Entry]) -> None:
    """The channel's and the items' dates as trap 12 says (feedgen's are replaced)."""

    def put(parent: etree._Element, names: tuple[str, ...], value: dt.datetime) -> None:
        text = rfc822_date(value)
        elements: list[etree._Element] = []
        for name in names:
            element = parent.find(name)
            assert element is not None, names
            if text is not None:
                element.text = text
            elements.append(element)
        if text is None:
            date = etree.Element(f"{{{DC_NS}}}date", nsmap={"dc": DC_NS})
            date.text = value.isoformat()
            elements[0].addprevious(date)
            for element in elements:
                parent.remove(element)

    put(channel, ("lastBuildDate", "pubDate"), head.updated)
    for item, entry in zip(channel.iterfind("item"), entries, strict=True):
        put(item, ("pubDate",), entry.published)


def _archive_links(head: Head) -> list[tuple[str, str]]:
    pairs = [
        ("current", head.current),
        ("prev-archive", head.prev_archive),
        ("next-archive", head.next_archive),
    ]
    return [(rel, href) for rel, href in pairs if href]


def _aware(value: dt.datetime, where: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{where}: naive datetime {value.isoformat()}; dates come from the model")
    return value


def check_document(head: Head, entries: Sequence[Entry]) -> None:
    """Refuse what would make a reader or validator reject the document (traps 4, 8-10)."""
    check_head(head)
    check_entries(entries, head.updated)


def check_head(head: Head) -> None:
    """The feed-level part of ``check_document``."""
    if not _LANGUAGE.match(head.language):
        raise ValueError(f"feed language {head.language!r} is not a BCP 47 tag such as zh-CN")
    for name in ("id", "title", "subtitle", "site_url", "self_url", "author"):
        check_text(getattr(head, name), f"feed {head.self_url}: {name}")
    _aware(head.updated, f"feed {head.self_url}: updated")


def check_entries(entries: Sequence[Entry], updated: dt.datetime) -> None:
    """The entries' part of ``check_document``, for a feed ``updated`` at that instant."""
    seen: dict[dt.datetime, str] = {}
    for entry in entries:
        where = f"feed entry {entry.id}"
        texts = [entry.id, entry.title, entry.link, entry.content_html, entry.summary, *entry.authors,
                 *entry.contributors, entry.related or "",
                 *(text for c in entry.categories for text in (c.term, c.label, c.scheme or ""))]
        # One scan of all the entry's text ("\n" is allowed, so it joins them safely); the
        # field by field scan, which names the field, runs only where it will find something.
        # (A document is checked for each of its formats: this is most of a feed's checks.)
        if _NOT_TEXT.search("\n".join(texts)):
            for name in ("id", "title", "link", "content_html", "summary"):
                check_text(getattr(entry, name), f"{where}: {name}")
            check_text(entry.related or "", f"{where}: related")
            for name in (*entry.authors, *entry.contributors):
                check_text(name, f"{where}: author")
            for category in entry.categories:
                check_text(category.term, f"{where}: category")
                check_text(category.label, f"{where}: category")
                check_text(category.scheme or "", f"{where}: category scheme")
        if entry.language is not None and not _LANGUAGE.match(entry.language):
            raise ValueError(f"{where}: language {entry.language!r} is not a BCP 47 tag such as zh-CN")
        _aware(entry.published, f"{where}: published")
        _aware(entry.updated, f"{where}: updated")
        if entry.published > entry.updated:
            raise ValueError(f"{where}: published is after updated")
        if entry.updated > updated:
            raise ValueError(f"{where}: updated is after the feed's updated")
        if entry.updated in seen:
            raise ValueError(f"{where}: same updated instant as {seen[entry.updated]}")
        seen[entry.updated] = entry.id
        if entry.enclosure is not None and not (
            isinstance(entry.enclosure.length, int) and entry.enclosure.length >= 0
        ):
            raise ValueError(f"{where}: enclosure length must be the file's byte count")


def uri(url: str) -> str:
    """An IRI as a URI: non-ASCII characters percent-encoded, existing escapes kept."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def _generator(head: Head, entries: Sequence[Entry], *, rss: bool, checked: bool) -> FeedGenerator:
    check_head(head)
    if not checked:
        check_entries(entries, head.updated)
    fg = FeedGenerator()
    if rss:
        # Names without e-mail addresses: dc:creator, in RSS only (Atom has author/name).
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(head.id)
    fg.title(head.title)
    # Also the RSS channel description, HTML there as an item's is (trap 11).
    fg.subtitle(html_escape(head.subtitle, quote=False) if rss else head.subtitle)
    fg.author({"name": head.author})
    fg.language(head.language)
    fg.generator(head.generator, version=head.generator_version)
    fg.updated(head.updated)
    fg.lastBuildDate(head.updated)
    fg.pubDate(head.updated)
    media = "application/rss+xml" if rss else "application/atom+xml"
    # Self first and the alternate last: RSS takes the channel <link> from the last one.
    fg.link(href=head.self_url, rel="self", type=media)
    if not rss:
        for rel, href in _archive_links(head):
            link = {"href": href, "rel": rel}
            if rel != "current":
                link["type"] = media
            fg.link(link)
        if head.hub is not None:
            fg.link(href=uri(head.hub), rel="hub")
    fg.link(href=head.site_url, rel="alternate", type="text/html")

    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)  # also the RSS guid, isPermaLink="false"
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        fe.content(entry.content_html, type="html")
        # An RSS description is read as HTML by readers (and feedparser), so the plain
        # summary is HTML-escaped there, or "<b>" in the text would become bold type.
        # Atom says type="text" and carries it as is.
        fe.summary(html_escape(entry.summary, quote=False) if rss else entry.summary)
        if entry.categories:
            fe.category([_category(c) for c in entry.categories])
        if rss:
            # One element each, all the names in it (trap 6).
            if entry.authors:
                fe.dc.dc_creator(NAME_SEPARATOR.join(entry.authors))
            if entry.contributors:
                fe.dc.dc_contributor(NAME_SEPARATOR.join(entry.contributors))
            if entry.enclosure is not None:
                # Atom gets its enclosure link after serialisation (trap 3).
                fe.enclosure(uri(entry.enclosure.url), str(entry.enclosure.length), entry.enclosure.type)
        else:
            for name in entry.authors:
                fe.author({"name": name})
            for name in entry.contributors:
                fe.contributor({"name": name})
    return fg


def _category(category: Category) -> dict[str, str]:
    """A category as feedgen takes it (the scheme only when there is one: feedgen would
    write an empty ``scheme``/``domain`` attribute)."""
    fields = {"term": category.term, "label": category.label}
    if category.scheme is not None:
        fields["scheme"] = uri(category.scheme)
    return fields


def _reparse(data: bytes) -> etree._Element:
    # feedgen's output is asked for without indentation (it is parsed again here, and then
    # indented once, by _serialise); dropping any blank text lets the final pretty-printing
    # indent the added elements too. (Its tree cannot be used as it is: feedgen declares
    # the Atom namespace as the default but names its elements without it.)
    return etree.fromstring(data, _PARSER)


# One parser for the process (builds run in processes, never threads).
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


def _serialise(root: etree._Element) -> bytes:
    # The history namespace is declared once on the root, not on each fh:archive.
    if root.find(f".//{{{FH_NS}}}archive") is not None:
        etree.cleanup_namespaces(root, top_nsmap={"fh": FH_NS})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- entries without feedgen ------------------------------------------------------------
# A document's entries, as atom_document and rss_document serialise them, built as the
# same tree directly (feedgen's own objects, its serialisation and the Atom document's
# parse again are three quarters of the time of those two functions). For the build's
# feed pieces (pressout.export.feed_pieces), which check them against the functions above
# at a process's first issue, and use those wherever an entry has what this does not
# write the same way (an empty title, summary or content, an instant before 1900).

_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_A = f"{{{ATOM_NS}}}"
# Where a document's entries begin, and how it ends after them (both formats indented).
ATOM_ENTRY, ATOM_END = b"\n  <entry", b"</feed>\n"
RSS_ITEM, RSS_END = b"\n    <item>", b"  </channel>\n</rss>\n"


def plain_entries(entries: Sequence[Entry]) -> bool:
    """Whether ``atom_entries`` and ``rss_items`` write these entries."""
    return all(e.title and e.summary and e.content_html and e.published.year >= RFC822_EARLIEST_YEAR
               for e in entries)


def atom_entries(language: str, entries: Sequence[Entry]) -> list[bytes]:
    """The ``<entry>`` blocks of ``atom_document`` for a head in ``language`` (each with its
    indentation and the line end after it), for ``plain_entries``."""
    sub = etree.SubElement
    root = etree.Element(f"{_A}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    for entry in entries:
        element = sub(root, f"{_A}entry")
        sub(element, f"{_A}id").text = entry.id
        sub(element, f"{_A}title").text = entry.title
        sub(element, f"{_A}updated").text = entry.updated.isoformat()
        for name in entry.authors:
            if name:
                sub(sub(element, f"{_A}author"), f"{_A}name").text = name
        content = sub(element, f"{_A}content")
        content.text = entry.content_html
        content.set("type", "html")
        link = sub(element, f"{_A}link", href=entry.link)
        link.set("rel", "alternate")
        link.set("type", "text/html")
        if entry.related is not None:
            related = sub(element, f"{_A}link")
            related.set("rel", "related")
            related.set("href", uri(entry.related))
        if entry.enclosure is not None:
            enclosure = sub(element, f"{_A}link")
            enclosure.set("rel", "enclosure")
            enclosure.set("type", entry.enclosure.type)
            enclosure.set("length", str(entry.enclosure.length))
            enclosure.set("href", uri(entry.enclosure.url))
        sub(element, f"{_A}summary").text = entry.summary
        for category in entry.categories:
            term = sub(element, f"{_A}category", term=category.term)
            if category.scheme is not None:
                term.set("scheme", uri(category.scheme))
            if category.label:
                term.set("label", category.label)
        for name in entry.contributors:
            if name:
                sub(sub(element, f"{_A}contributor"), f"{_A}name").text = name
        sub(element, f"{_A}published").text = entry.published.isoformat()
        if entry.language is not None and entry.language != language:
            element.set(XML_LANG, entry.language)
    return _blocks(root, ATOM_ENTRY, ATOM_END)


def rss_items(entries: Sequence[Entry]) -> list[bytes]:
    """The ``<item>`` blocks of ``rss_document`` (as ``atom_entries``)."""
    sub = etree.SubElement
    root = etree.Element("rss", nsmap={"dc": DC_NS, "atom": ATOM_NS, "content": _CONTENT_NS})
    channel = sub(root, "channel")
    for entry in entries:
        item = sub(channel, "item")
        sub(item, "title").text = entry.title
        sub(item, "link").text = entry.link
        sub(item, "description").text = html_escape(entry.summary, quote=False)
        sub(item, f"{{{_CONTENT_NS}}}encoded").text = entry.content_html
        guid = sub(item, "guid")
        guid.text = entry.id
        guid.set("isPermaLink", "false")
        for category in entry.categories:
            term = sub(item, "category")
            term.text = category.label
            if category.scheme is not None:
                term.set("domain", uri(category.scheme))
        if entry.enclosure is not None:
            sub(item, "enclosure", url=uri(entry.enclosure.url), length=str(entry.enclosure.length),
                type=entry.enclosure.type)
        sub(item, "pubDate").text = rfc822_date(entry.published)
        if entry.contributors:
            sub(item, f"{{{DC_NS}}}contributor").text = NAME_SEPARATOR.join(entry.contributors)
        if entry.authors:
            sub(item, f"{{{DC_NS}}}creator").text = NAME_SEPARATOR.join(entry.authors)
    return _blocks(root, RSS_ITEM, RSS_END)


def _blocks(root: etree._Element, start: bytes, end: bytes) -> list[bytes]:
    """The blocks of the serialised ``root`` (see ``cut``; none when it has no entries)."""
    if not len(root) or (root.tag == "rss" and not len(root[0])):
        return []
    return cut(etree.tostring(root, encoding="UTF-8", pretty_print=True), start, end)


def cut(document: bytes, start: bytes, end: bytes) -> list[bytes]:
    """The blocks of ``document`` that begin at each ``start`` (after its newline) and the
    last ending before ``end``, which closes the document."""
    assert document.endswith(end), document[-200:]
    first = document.index(start) + 1
    body = document[first: len(document) - len(end)]
    starts = [0]
    at = body.find(start)
    while at != -1:
        starts.append(at + 1)
        at = body.find(start, at + 1)
    return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
