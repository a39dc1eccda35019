"""Kobo edition of an issue: ``epub/{id}.kepub.epub``, made with ``[epub] kobo = true``.

A Kobo e-reader reads a file named ``*.kepub.epub`` with its own engine (not Adobe's),
which keeps the reading position, bookmarks, highlights and reading statistics by the
sentence: it needs each sentence of the text in a span of its own, as Kobo's shop books
have them and as kepubify (github.com/pgaskin/kepubify, ``kepub/transform.go``) adds them
to any EPUB. Without the spans such a book opens, but remembers only the chapter.

**The same book.** The Kobo edition is the issue's (horizontal) EPUB, as the EPUB format
makes it (``pressout.export.epub``: its exporter's own output, so cover, styles and
metadata are the EPUB's whatever that module does), changed afterwards in its finished
entries: every content document of the manifest (``application/xhtml+xml``: the cover,
the items and the navigation document, which Kobo shows as a page too) gets what
kepubify gives it; the package document (but for the cover mark below), the NCX and the
zip entries' names, order, times and permissions stay as they are. The same issue gives
the same bytes.

What a content document gets, following kepubify:

* **Sentence spans.** In the body, every sentence of every text node is wrapped in
  ``<span class="koboSpan" id="kobo.P.S">``, P the paragraph number and S the sentence
  number within it (from 1), counted as kepubify counts them: per document, P goes up at
  the first span after a ``p``, ``ol``, ``ul``, ``table`` or ``h1``–``h6`` starts (text
  before any of them is paragraph 0), and an image gets a span (and a paragraph) of its
  own. Text in ``script``, ``style``, ``pre``, ``audio``, ``video``, ``svg`` and ``math``
  is left alone; text of white space alone is wrapped only directly in a ``p``. A
  sentence never crosses an element (``<b>``, a link): each text node is split on its
  own, so the markup stays as it was and only spans are added. Every character stays, in
  order: the spans' text, read in order, is the document's text.
* **Sentence ends** (``split_sentences``) are those of Chinese: a sentence ends after
  。！？ (and ｡), with any further ends, closing quotes and brackets (”’」』）》〉】〕 …)
  and combining marks after them, and the white space after that. Latin text ends a
  sentence as kepubify has it: after . ! ? (once more a closing quote) when white space
  follows. The text is split by characters (Python's code points), never by bytes.
* **Wrapper divs.** The body's content goes into ``<div id="book-columns"><div
  id="book-inner">``, the two divs Kobo's engine lays the pages out with.
* **Kobo's style.** kepubify's ``kobostylehacks`` style element, at the end of the head:
  ``div#book-inner`` without top and bottom margins (kepubify drops the rest of what
  Kobo's own books have there: forced font sizes, link colours, all margins set to 0).
  One rule is pressout's own: the spans take their font and colour from their parent,
  so that a style sheet's rule for ``span`` does not reach the sentence spans, as Kobo's
  guidelines warn it would (github.com/kobolabs/epub-spec, "Choosing Selectors"):
  epub.css sets the column headings of the table of contents in bold with
  ``nav[role="doc-toc"] span``, which would make every entry bold. The id in
  ``div#book-inner span.koboSpan`` outweighs any such rule without ``!important``.

**Style sheets.** kepubify takes nothing out of a book's CSS, and Kobo's kepub engine
(WebKit-based) reads what the EPUB's style sheets use, ``@media`` included (it is Adobe's
engine, which Kobo uses for plain EPUBs, that drops a whole sheet over ``@media`` or
``min()``). What its old WebKit predates are CSS custom properties (``--name:`` and
``var(``): declarations with them are taken out of the Kobo edition's sheets
(``kobo_css``), as Kobo's engine would drop them anyway and Send to Kindle refuses them. pressout's own sheets have none (the
tests check it), so they go in unchanged; only a desk's own sheets (``[build] styles``)
can lose a declaration. Kobo's guidelines also advise against background colours
(epub.css gives the body white paper and black ink); that is advice for Kobo's apps in
night mode, not something the engine refuses, and the edition keeps the EPUB's look.

**Also as kepubify:** a manifest item named by ``<meta name="cover">`` that is not marked
``cover-image`` is marked so (Kobo finds the cover only by the property); pressout's own
books need no title page placeholder (their first page is ``cover.xhtml``).

The file's name ends in ``.kepub.epub``, which makes Kobo's firmware use this engine;
EPUBCheck reads it as any EPUB (``pressout validate`` runs EPUBCheck, Ace and the Kindle
check over every ``epub/*.epub``, the Kobo editions included). The book's identifier is
the EPUB's: it is the same publication, in another packaging.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from urllib.parse import unquote

from lxml import etree

from ..config import Config
from ..errors import OutputError
from ..model import Issue
from .registry import Exporter, Settings, Validator

__all__ = ["EXPORTER", "KEPUB_FILE", "KOBO_STYLE", "kepub_bytes", "kepub_from_epub", "kobo_css", "kobo_document",
           "split_sentences"]

# The one place the Kobo edition's name is written (see pressout.export.registry).
KEPUB_FILE = "epub/{id}.kepub.epub"

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPF_NS = "http://www.idpf.org/2007/opf"
_H = f"{{{XHTML_NS}}}"
_CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"

# kepubify's kobostylehacks, and the spans' inheritance (see the module docstring).
KOBO_STYLE = ("div#book-inner { margin-top: 0; margin-bottom: 0; }\n"
              "div#book-inner span.koboSpan { font: inherit; color: inherit; }")

# Where a Chinese sentence ends, and what stays with it after the end.
_CJK_ENDS = frozenset("。！？｡")
_CLOSERS = frozenset("”’」』﹂﹄）》〉】〕〗〙〛］｝＞\"')]}»›")
# kepubify's rule for Latin text: . ! ? (and one closing quote), then white space.
_LATIN_ENDS = frozenset(".!?")
_LATIN_CLOSERS = frozenset("'\"”’“…")
_LATIN_SPACE = frozenset(" \t\n\r\f")
# Elements whose text is kept as it is (kepubify's list), by local name.
_KEEP = frozenset({"script", "style", "pre", "audio", "video", "svg", "math"})
# Elements that start a paragraph (kepubify's list).
_PARAGRAPHS = frozenset({"p", "ol", "ul", "table", "h1", "h2", "h3", "h4", "h5", "h6"})


def kepub_bytes(issue: Issue, *, styles: Mapping[str, bytes] | None = None) -> bytes:
    """The issue's Kobo edition, in memory: its EPUB (as the EPUB format makes it, with
    ``styles`` replacing shipped style sheets by name) with Kobo's spans."""
    return next(KepubExporter().issue_outputs(issue, Settings(Config(kobo=True), styles or {}), {}))[1]


def kepub_from_epub(epub: bytes) -> bytes:
    """The Kobo edition of an EPUB pressout made: the same archive, its content documents
    with Kobo's spans, divs and style (``kobo_document``), its style sheets without custom
    properties (``kobo_css``). Raises OutputError for an archive it cannot read."""
    try:
        source = zipfile.ZipFile(io.BytesIO(epub))
        infos = source.infolist()
        files = {info.filename: source.read(info) for info in infos}
        opf_path = _package_path(files)
        opf = _parse(files[opf_path])
        folder = posixpath.dirname(opf_path)
        manifest = opf.find(f"{{{OPF_NS}}}manifest")
        if manifest is None:
            raise OutputError("the EPUB's package document has no manifest")
        for item in manifest.iterfind(f"{{{OPF_NS}}}item"):
            path = posixpath.normpath(posixpath.join(folder, unquote(item.get("href", ""))))
            if path not in files:
                continue
            media_type = item.get("media-type")
            if media_type == "application/xhtml+xml":
                files[path] = kobo_document(files[path])
            elif media_type == "text/css":
                files[path] = kobo_css(files[path])
        cover = _marked_cover(opf)
        if cover is not None:
            files[opf_path] = cover
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise OutputError(f"cannot make the Kobo edition: {error}") from error

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:  # same order, names, times and permissions; mimetype first, stored
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            target.writestr(copy, files[info.filename], compresslevel=9)
    return out.getvalue()


# --- a content document ----------------------------------------------------------------------


def kobo_document(data: bytes) -> bytes:
    """An XHTML content document with Kobo's sentence spans, wrapper divs and style (see
    the module docstring); a document that already has sentence spans is returned as it is."""
    root = _parse(data)
    body = root.find(f"{_H}body")
    head = root.find(f"{_H}head")
    if body is None or head is None:
        raise OutputError("a content document without head or body")
    if body.find(f".//{_H}span[@class='koboSpan']") is not None:
        return data

    style = etree.SubElement(head, f"{_H}style", {"type": "text/css", "class": "kobostylehacks"})
    style.text = KOBO_STYLE
    if len(head) > 1:
        style.tail, head[-2].tail = head[-2].tail, head.text
    columns = etree.Element(f"{_H}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{_H}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)  # (with its tail)
    columns.tail = "\n  "
    body.text = "\n    "
    body.append(columns)
    _Spans().element(inner)

    doctype = str(getattr(root.getroottree().docinfo, "doctype", "") or "<!DOCTYPE html>")  # (not in lxml's stubs)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", doctype=doctype)


class _Spans:
    """kepubify's span counters: the paragraph and sentence numbers, and whether the
    next span starts a paragraph."""

    def __init__(self) -> None:
        self.para = 0
        self.seg = 0
        self.new_para = False

    def element(self, element: etree._Element) -> None:
        """Wrap the sentences of ``element``'s text and of everything in it, in document order."""
        if _local(element) in _PARAGRAPHS:
            self.new_para = True
        in_p = _local(element) == "p"
        pieces: list[str | etree._Element] = []
        if element.text:
            pieces += self.text(element.text, in_p)
        for child in list(element):
            tail, child.tail = child.tail, None
            if isinstance(child.tag, str) and _local(child) == "img":
                pieces.append(self.image(child))
            else:
                if isinstance(child.tag, str) and _local(child) not in _KEEP:
                    self.element(child)
                pieces.append(child)  # (a comment or processing instruction too)
            if tail:
                pieces += self.text(tail, in_p)
        element.text = None
        for child in list(element):
            element.remove(child)
        last: etree._Element | None = None
        for piece in pieces:
            if isinstance(piece, str):
                if last is None:
                    element.text = (element.text or "") + piece
                else:
                    last.tail = (last.tail or "") + piece
            else:
                element.append(piece)
                last = piece

    def text(self, text: str, in_p: bool) -> list[str | etree._Element]:
        out: list[str | etree._Element] = []
        for sentence in split_sentences(text):
            if sentence.isspace() and not in_p:
                out.append(sentence)
                continue
            if self.new_para:
                self.para, self.seg, self.new_para = self.para + 1, 0, False
            out.append(self.span(sentence))
        return out

    def image(self, image: etree._Element) -> etree._Element:
        self.para, self.seg, self.new_para = self.para + 1, 0, False
        span = self.span(None)
        span.append(image)
        return span

    def span(self, text: str | None) -> etree._Element:
        self.seg += 1
        span = etree.Element(f"{_H}span", {"class": "koboSpan", "id": f"kobo.{self.para}.{self.seg}"})
        span.text = text
        return span


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each sentence (see the module docstring): the pieces, joined,
    are ``text``; none is empty (an empty text gives one empty piece)."""
    pieces: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in _CJK_ENDS:
            j = i + 1
            while j < n and (text[j] in _CJK_ENDS or text[j] in _CLOSERS or _mark(text[j])):
                j += 1
            while j < n and text[j].isspace():
                j += 1
        elif char in _LATIN_ENDS:
            j = i + 1
            while j < n and text[j] in _LATIN_ENDS:
                j += 1
            if j < n and text[j] in _LATIN_CLOSERS:
                j += 1
            end = j
            while j < n and text[j] in _LATIN_SPACE:
                j += 1
            if j == end:  # no white space: not an end (3.5, U.S.A)
                i = j
                continue
        else:
            i += 1
            continue
        if j < n:
            pieces.append(text[start:j])
            start = j
        i = j
    pieces.append(text[start:])
    return pieces


def _mark(char: str) -> bool:
    """A combining mark or variation selector: it belongs to the character before it."""
    return unicodedata.category(char).startswith("M")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


# --- style sheets ------------------------------------------------------------------------------

# Comments and strings (skipped whole), and the characters that end CSS's pieces.
_CSS_PIECES = re.compile(r"/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?|[{};]", re.S)
_QUIET = re.compile(r"/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?", re.S)
_CUSTOM = re.compile(r"^\s*--|\bvar\s*\(", re.I)


def kobo_css(css: bytes) -> bytes:
    """A style sheet without the declarations Kobo's engine does not know: custom
    properties (``--name: …``) and values with ``var(…)``. A sheet without them (or one
    that is not UTF-8) is returned as it is."""
    try:
        text = css.decode("utf-8")
    except UnicodeDecodeError:
        return css
    out: list[str] = []
    depth = 0
    start = 0
    dropped = False
    for match in _CSS_PIECES.finditer(text):
        end = match.group()
        if end not in ("{", "}", ";"):
            continue  # a comment or string: part of the piece it is in
        piece = text[start:match.start()]
        if depth > 0 and end != "{" and _CUSTOM.search(_QUIET.sub(" ", piece)):
            dropped = True
            out.append("}" if end == "}" else "")
        else:
            out.append(piece + end)
        depth = depth + 1 if end == "{" else max(depth - 1, 0) if end == "}" else depth
        start = match.end()
    out.append(text[start:])
    return "".join(out).encode("utf-8") if dropped else css


# --- the package ---------------------------------------------------------------------------------


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


def _package_path(files: Mapping[str, bytes]) -> str:
    container = _parse(files["META-INF/container.xml"])
    rootfile = container.find(f"{{{_CONTAINER_NS}}}rootfiles/{{{_CONTAINER_NS}}}rootfile")
    path = None if rootfile is None else rootfile.get("full-path")
    if not path:
        raise OutputError("the EPUB names no package document")
    return path


def _marked_cover(opf: etree._Element) -> bytes | None:
    """The package document with the item ``<meta name="cover">`` names marked
    ``cover-image`` (kepubify's one change to it); None when there is nothing to mark."""
    meta = opf.find(f"{{{OPF_NS}}}metadata/{{{OPF_NS}}}meta[@name='cover']")
    if meta is None or not meta.get("content"):
        return None
    for item in opf.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item"):
        if item.get("id") == meta.get("content") and (item.get("media-type") or "").startswith("image/"):
            properties = (item.get("properties") or "").split()
            if "cover-image" in properties:
                return None
            item.set("properties", " ".join([*properties, "cover-image"]))
            return etree.tostring(opf.getroottree(), xml_declaration=True, encoding="utf-8")
    return None


# --- the format ----------------------------------------------------------------------------------


class KepubExporter(Exporter):
    """``epub/{id}.kepub.epub`` per issue with ``[epub] kobo = true`` (of the horizontal
    book only: there is no vertical Kobo edition); the ``kindle`` check of every EPUB."""

    name = "kepub"
    sized = True  # the OPDS catalog links the Kobo edition by its size

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return (KEPUB_FILE,) if settings.config.kobo else ()

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        if not settings.config.kobo:
            return
        from .epub import EPUB_FILE
        from .epub import EXPORTER as EPUB

        # The EPUB as its format makes it (horizontal only: no vertical Kobo edition).
        horizontal = dataclasses.replace(settings, config=dataclasses.replace(settings.config, vertical=False))
        epub_path = EPUB_FILE.format(id=issue.id)
        epub = next((data for path, data in EPUB.issue_outputs(issue, horizontal, made, bound) if path == epub_path),
                    None)
        if epub is None:
            raise OutputError(f"the EPUB format made no {epub_path} to make the Kobo edition of", path=issue.source)
        yield KEPUB_FILE.format(id=issue.id), kepub_from_epub(epub)

    def validators(self) -> tuple[Validator, ...]:
        from .kindle import kindle_check

        return (Validator("kindle", kindle_check),)


EXPORTER = KepubExporter()
