"""What Send to Kindle rejects in an EPUB, found before Amazon finds it.

Amazon's service converts a sent EPUB on its servers and answers a book it cannot take
with a bare "E999" (or a mail saying the document could not be sent), never with the
reason. ``kindle_problems`` looks in an EPUB's bytes for the four causes pressout can
have a hand in, and says what and where:

* **dc:language**: missing, or not a BCP 47 tag of a language Kindle reads
  (``KINDLE_LANGUAGES``: the languages Amazon lists for Kindle books, and Chinese, which
  Kindle reads in both scripts: ``zh``, ``zh-CN``, ``zh-Hant``, ``zh-TW`` … are fine).
  The tag must have BCP 47's shape (language, then optional script, region and variants:
  ``zh-Hant-TW``); extended language subtags (``zh-cmn``), extensions and private use
  (``x-…``) are not tags Kindle knows, and are reported too.
* **Encoding declaration**: every content document (each manifest item of type
  ``application/xhtml+xml``, the navigation document included) starts with an XML
  declaration naming its encoding (``<?xml version='1.0' encoding='utf-8'?>``).
* **CSS custom properties**: no ``--name:`` declaration and no ``var(`` in any style
  sheet (the manifest's ``text/css`` items, ``<style>`` elements and ``style``
  attributes). Comments and quoted strings are not looked into.
* **Fragment links**: every ``href`` of a content document (``a``, ``area``, ``link``)
  and every ``src`` of the NCX that points into the book reaches a file of the book, and
  its ``#fragment`` an ``id`` in that file. Links with a scheme (``http:``, ``mailto:``)
  leave the book and are not followed.

Nothing is fixed here: the answer is a list of problems (empty: nothing found), each
naming the file in the archive. ``kindle_check`` runs it over every ``epub/*.epub`` of a
build folder (the Kobo editions, ``*.kepub.epub``, included): the ``kindle`` check of
``pressout validate``, which the Kobo format (``pressout.export.kepub``) registers.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from lxml import etree

if TYPE_CHECKING:
    from ..validate import Check, ValidateOptions

__all__ = ["KINDLE_LANGUAGES", "css_custom_properties", "kindle_check", "kindle_problems", "language_problem"]

# The primary language subtags of the languages Amazon lists for Kindle books (Kindle
# Direct Publishing's list), and Chinese, which Kindle reads in both scripts.
KINDLE_LANGUAGES = frozenset({
    "af", "ar", "br", "ca", "co", "cy", "da", "de", "en", "es", "eu", "fi", "fr", "frr", "frs", "fy", "ga",
    "gd", "gl", "gsw", "gu", "gv", "hi", "is", "it", "ja", "kw", "la", "lb", "ml", "mr", "nb", "nl", "nn",
    "no", "oc", "pl", "pt", "rm", "sco", "sv", "ta", "zh",
})

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
_CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_XHTML_TYPE = "application/xhtml+xml"
_NCX_TYPE = "application/x-dtbncx+xml"

# BCP 47 (RFC 5646) language tags without extended language subtags, extensions or
# private use: language, script, region, variants.
_TAG = re.compile(r"(?P<language>[A-Za-z]{2,3})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
                  r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*")
# An XML declaration with an encoding, at the very start (after a byte order mark).
_DECLARATION = re.compile(rb"<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*['\"][A-Za-z][A-Za-z0-9._-]*['\"]")
# What is not CSS to look into: comments and quoted strings.
_CSS_QUIET = re.compile(r"/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?", re.S)
_CUSTOM_PROPERTY = re.compile(r"(?<![\w-])--[\w-]*[ \t\r\n\f]*:|\bvar[ \t\r\n\f]*\(", re.I)


def language_problem(tag: str | None) -> str | None:
    """What is wrong with ``tag`` as a Kindle book's ``dc:language``; None when nothing is."""
    if tag is None or not tag.strip():
        return "dc:language is empty"
    match = _TAG.fullmatch(tag.strip())
    if match is None:
        return f"dc:language {tag!r} is not a BCP 47 language tag (language[-Script][-REGION], e.g. zh-CN)"
    if match["language"].lower() not in KINDLE_LANGUAGES:
        return f"dc:language {tag!r} is not a language Kindle reads"
    return None


def css_custom_properties(css: str) -> list[str]:
    """The custom properties (``--name:``) and ``var(`` references in a style sheet, as
    written, outside comments and strings."""
    quiet = _CSS_QUIET.sub(" ", css)
    return [" ".join(m.group().split()) for m in _CUSTOM_PROPERTY.finditer(quiet)]


def kindle_problems(epub: bytes) -> list[str]:
    """What Send to Kindle would reject in the EPUB ``epub`` (see the module docstring):
    one line per problem, naming the file in the archive; empty when there is none."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(epub))
        files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        return [f"not a readable zip archive: {error}"]
    problems: list[str] = []
    opf_path = _package_path(files, problems)
    if opf_path is None:
        return problems
    try:
        opf = _parse(files[opf_path])
    except etree.XMLSyntaxError as error:
        return [f"{opf_path}: not well-formed XML: {error}"]

    languages = [el.text for el in opf.iterfind(f"{{{OPF_NS}}}metadata/{{{DC_NS}}}language")]
    if not languages:
        problems.append(f"{opf_path}: no dc:language")
    problems += [f"{opf_path}: {why}" for why in map(language_problem, languages) if why]

    folder = posixpath.dirname(opf_path)
    items: list[tuple[str, str]] = []  # (path in the archive, media type)
    for item in opf.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item"):
        href = item.get("href")
        if href:
            items.append((posixpath.normpath(posixpath.join(folder, unquote(href))), item.get("media-type", "")))

    documents: dict[str, etree._Element] = {}
    links: list[tuple[str, str]] = []  # (file the link is in, the link)
    for path, media_type in items:
        data = files.get(path)
        if data is None:
            continue  # (a missing manifest file is EPUBCheck's to report)
        if media_type == "text/css":
            problems += _css_problems(path, data.decode("utf-8", "replace"))
        elif media_type in (_XHTML_TYPE, _NCX_TYPE):
            if media_type == _XHTML_TYPE and not _DECLARATION.match(data.removeprefix(b"\xef\xbb\xbf")):
                problems.append(f"{path}: no XML declaration naming the encoding "
                                "(<?xml version='1.0' encoding='utf-8'?>)")
            try:
                root = _parse(data)
            except etree.XMLSyntaxError as error:
                problems.append(f"{path}: not well-formed XML: {error}")
                continue
            if media_type == _XHTML_TYPE:
                documents[path] = root
                problems += _inline_css_problems(path, root)
                links += [(path, href) for href in _strings(root.xpath("//h:*/@href", namespaces={"h": XHTML_NS}))]
            else:
                links += [(path, src) for src in _strings(root.xpath("//n:content/@src", namespaces={"n": NCX_NS}))]

    ids: dict[str, set[str]] = {}
    for source, link in links:
        problem = _link_problem(source, link, files, documents, ids)
        if problem:
            problems.append(f"{source}: {problem}")
    return problems


def kindle_check(root: Path, options: ValidateOptions) -> Check:
    """``pressout validate``'s ``kindle`` check: ``kindle_problems`` of every EPUB in
    ``epub/`` (the Kobo editions too)."""
    from ..validate import Check

    books = sorted((root / "epub").glob("*.epub"))
    check = Check("kindle", files=len(books))
    if not books:
        check.note = "no EPUBs in epub/"
        return check
    for book in books:
        check.problems += [f"{book.name}: {problem}" for problem in kindle_problems(book.read_bytes())]
    check.ok = not check.problems
    check.note = "language, encoding declarations, CSS custom properties, fragment links"
    return check


# --- the parts -----------------------------------------------------------------------------


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _package_path(files: dict[str, bytes], problems: list[str]) -> str | None:
    """The package document's path, from META-INF/container.xml."""
    container = files.get("META-INF/container.xml")
    if container is None:
        problems.append("no META-INF/container.xml")
        return None
    try:
        root = _parse(container)
    except etree.XMLSyntaxError as error:
        problems.append(f"META-INF/container.xml: not well-formed XML: {error}")
        return None
    rootfile = root.find(f"{{{_CONTAINER_NS}}}rootfiles/{{{_CONTAINER_NS}}}rootfile")
    path = None if rootfile is None else rootfile.get("full-path")
    if not path or path not in files:
        problems.append(f"META-INF/container.xml: the package document {path!r} is not in the archive")
        return None
    return path


def _css_problems(path: str, css: str, where: str = "") -> list[str]:
    return [f"{path}: CSS custom property{where}: {found}" for found in css_custom_properties(css)]


def _inline_css_problems(path: str, root: etree._Element) -> list[str]:
    problems: list[str] = []
    for style in root.iterfind(f".//{{{XHTML_NS}}}style"):
        problems += _css_problems(path, "".join(map(str, style.itertext())), " in <style>")
    for element in root.iterfind(".//*[@style]"):
        problems += _css_problems(path, element.get("style", ""), " in a style attribute")
    return problems


def _link_problem(source: str, link: str, files: dict[str, bytes], documents: dict[str, etree._Element],
                  ids: dict[str, set[str]]) -> str | None:
    """What is wrong with ``link`` (an href or src of the file ``source``); None when it
    leads where it says, or out of the book."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return f"link {link!r} cannot be read"
    if parts.scheme or parts.netloc:
        return None  # out of the book
    target = source
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
    if target not in files:
        return f"link {link!r} leads to {target}, which is not in the book"
    fragment = unquote(parts.fragment)
    if not fragment:
        return None
    document = documents.get(target)
    if document is None:
        return f"link {link!r} has a fragment, but {target} is not a content document"
    if target not in ids:
        ids[target] = set(_strings(document.xpath("//@id | //@xml:id")))
    if fragment not in ids[target]:
        return f"link {link!r}: {target} has no id {fragment!r}"
    return None


def _strings(result: object) -> list[str]:
    """The strings of an XPath result (attribute values)."""
    return [str(value) for value in result] if isinstance(result, list) else []
