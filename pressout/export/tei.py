"""The TEI P5 archive: one ``TEI`` document per issue, or a streamed ``teiCorpus`` of many.

The archive is the copy that outlives the EPUBs and feeds, so it holds everything the model
holds and ``pressout.read.tei.read_tei`` rebuilds the model from it (the mapping below is
the contract between the two modules):

=========================  ==========================================================
model                      TEI
=========================  ==========================================================
Issue                      ``TEI xml:id=issue.id``; source, sha256, publication (with
                           its slug as ``@key``), date (``@cert`` unless high), page and
                           language in ``sourceDesc/bibl``
Article                    ``div type="article" xml:id=article.id`` (``subtype`` photo /
                           notice); ``head type="column|kicker|main|sub"``, ``dateline``
byline / closing credit    ``byline`` / ``byline rend="closing"`` holding the printed text,
                           with ``persName role=…`` around each contributor's name
Subhead and what follows   nested ``div type="section"`` with a ``head``
Paragraph                  ``p``; marks ``hi rend=…``; repairs in place
                           ``choice/orig + reg resp="#pressout" type=reason``; joins
                           ``cb break="no"`` (``keep_breaks``, the default: without
                           it the archive drops the joins and reads back without them)
Figure                     ``figure type="photo"``: caption ``p``, credit ``byline``
Note                       ``note type="continuation" place="inline"``
Furniture                  ``div type="banner"`` (or ``"editor-box"``) ``xml:id=…`` holding
                           an ``ab``, placed after
                           the ``position`` articles printed before it
Article.meta               ``note type="source-record"`` closing the article's ``div``:
                           a ``list type="gloss"`` of ``label`` (the field's name) and
                           ``item`` (its value) pairs, in the record's order
Issue.removed              ``fileDesc/notesStmt``: a ``noteGrp type="removed"`` per
                           rule (``@n`` the rule's name, a ``desc`` with the count),
                           one ``note`` per passage, ``@n`` its place (1, 2 …) in
                           ``removed``
Issue.publication ""       ``title level="j" type="unknown"`` showing ``Issue.masthead``
                           (报刊不详)
Issue.sources              ``sourceDesc/listBibl type="sources"``: a ``bibl`` per file
                           gathered, its name and sha256 (``idno``), in the issue's order
Issue.pages                ``sourceDesc/list type="pages"``: an ``item n=label`` per page
                           in the paper's order, showing 第3版 / A03版 with the name, when
                           there is one, as a ``name`` (``""``: an empty ``name``)
Article.page (by_page)     each run of articles on one page is a ``div type="page"
                           n=label``; articles of no page stand outside any
page-header furniture      the ``head type="page-header" xml:id=…`` of the page div it
heading a run              heads; else (no header printed) the div's head is
                           ``head type="supplied" resp="#pressout"`` (Page.heading)
=========================  ==========================================================

Fields of the source record that are not printed text (a web dump's url, record id,
crawl time, media field: ``Article.meta``) stay with their article but outside its text: a
note is no part of the running text, and a gloss list is TEI's own list of names and
their values. Names go in ``label`` elements, not in attributes, because they are the
dump's own words (``link``, ``PDF链接``, ``抓取 时间``, even empty) and no attribute
datatype of TEI holds all of them; values are text as found (a URL too: the archive
records the record, it does not follow it). Scaffolding that a reading rule took out of
the source (``Issue.removed``: a crawl time, a word count, a channel title) is about the
source file, not the page, so it is in the header: the rule that took it out is stated
in ``editorialDecl`` (``p n=rule``) and names its group in ``notesStmt``, whose ``desc``
counts the passages; each passage is kept as it was, so an archivist sees exactly what
the text leaves out, and the ``change`` in ``revisionDesc`` counts them too. A page whose
paper nothing names (``publication`` "") shows the masthead every other output shows,
marked ``type="unknown"``, so that it is not read as the paper's name.

Pages (版面) are stated twice, for two readers. The header lists the issue's pages, in
the paper's order, with their names: the source's own description, and the only place
that can hold a page no article is on, or pages in an order the articles do not follow.
The body groups the articles as printed: each run of ``Issue.by_page`` is a ``div
type="page"`` whose ``@n`` is the page's label (TEI's place for a division's number or
label), so that an archivist walking the text meets the pages in it; a page the dump
comes back to is a second div with the same ``@n``, and no article moves. Every page div
has a head saying which page it is. Where a page header was printed at the start of the
run, that header is the head, its text and xml:id as printed (``A01 要闻``, ``[A03版：文体]``,
``Page 1``): the furniture is not written twice, and the name stays where the paper
printed it, inside the header, rather than being cut out of it by a guess. Where none was
printed (a per-article file: one page, known from its file name), pressout supplies the
heading (第1版), marked ``type="supplied"`` with ``resp`` pointing at pressout, so that it
is never read as the page's text. The name the reader took from the header is in the
header's list, as a ``name``: nothing is derived from a head's text on reading back.
Which furniture goes inside which page div follows from the order alone: furniture between
two runs goes with the later run, except that the last page header printed before a page
run heads it and what was printed before that header (a staff line closing the page
before) stays with the earlier run; furniture after the last article is in the last run's
div. A one-page issue gets its one page div too, so every issue with pages reads alike.
An issue without pages (``pages`` empty) has neither the list nor page divs, and its
document is what it was before pages existed.

Nothing here reads the clock: the header's dates come from the issue (``timestamps``), as
``xsd:date`` values of any year from 0001 to 9999. The archive records only what the page
printed: an article without a headline (``title`` None) has no ``head type="main"``, an
empty one an empty ``head``; the titles the other exporters make up for such an item
(``html.headline``) are not part of the text.
Whitespace is only ever added between the children of element-only containers (``div``,
``body``, header sections), never inside ``p``, ``head``, ``byline`` or other mixed content:
in Chinese an indent inside running text would read as a space.

Everything is written as a stream through lxml's ``etree.xmlfile``, never as a tree: a
corpus of any size is written in constant memory, and no xml:id is ever registered in
libxml2's thread-wide string dictionary (which keeps every id a tree was given, so
building one tree per issue grows the process by ~60 bytes per id, for good).

A corpus is the concatenation of three kinds of bytes: ``corpus_head`` (the XML
declaration, the root's start tag and the corpus header), one ``corpus_fragment`` per
issue, and ``CORPUS_END``. ``write_corpus`` writes exactly that; the build keeps each
issue's fragment and assembles the corpus from them, so an unchanged issue is never
serialised again.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO, Any

from lxml import etree

from .. import __version__
from ..errors import InputError, OutputError
from ..model import (
    Article,
    Credit,
    Figure,
    Furniture,
    Issue,
    IssueLike,
    Kind,
    Note,
    Page,
    Paragraph,
    Removal,
    Subhead,
)
from ..read.rules import RULES, Rule
from ..timestamps import issue_instant
from ._paths import file_target
from .registry import Exporter, Settings, Validator

__all__ = [
    "APP_ID",
    "CORPUS_END",
    "TEI_NS",
    "corpus_fragment",
    "corpus_head",
    "text_lang",
    "tei_bytes",
    "tei_documents",
    "write_corpus",
    "write_tei",
]

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_ID = f"{{{XML_NS}}}id"
# The application's xml:id: the target of every change/@who and reg/@resp. Inside a corpus
# only the corpus header carries it, so the id stays unique across the whole file.
APP_ID = "pressout"
HEADER_LANG = "en"
CLOSING = "closing"  # byline/@rend of a credit printed after the text
EMPTY_BODY = "empty"  # div/@type standing in for the articles of a page that has none
SOURCE_RECORD = "source-record"  # note/@type of an article's source fields (Article.meta)
REMOVED = "removed"  # noteGrp/@type of the scaffolding a rule took out (Issue.removed)
UNKNOWN = "unknown"  # title/@type of the masthead shown for a paper nothing names
PAGE = "page"  # div/@type of the articles printed on one page (Issue.by_page's runs)
PAGES = "pages"  # list/@type in sourceDesc stating the issue's pages (Issue.pages)
SOURCES = "sources"  # listBibl/@type in sourceDesc: the files a gathered issue was made of (Issue.sources)
PAGE_HEADER = "page-header"  # head/@type of a page div headed by the page header as printed
SUPPLIED = "supplied"  # head/@type of a page div's heading where no page header was printed


def t(name: str) -> str:
    """The Clark name of a TEI element."""
    return f"{{{TEI_NS}}}{name}"


# --- what the editorialDecl says ------------------------------------------------------
#
# The reader's own rules (pressout.read.rules.RULES) are stated one by one, each as a p
# whose @n is the rule's name, grouped by how TEI records them. The statements below are
# about the encoding itself, which is this module's business, not the reader's.
_RECORDS = {
    "silent": ("normalization", {"method": "silent"}),
    "markup": ("normalization", {"method": "markup"}),
    "interpretation": ("interpretation", {}),
}
_ENCODING_RULES: tuple[tuple[str, dict[str, str], str, str], ...] = (
    (
        "punctuation",
        {"marks": "all"},
        "punctuation-as-text",
        "All punctuation is kept as text; none is expressed by markup.",
    ),
    ("hyphenation", {"eol": "none"}, "no-hyphenation", "Chinese text has no end-of-line hyphenation."),
    (
        "segmentation",
        {},
        "tei-structure",
        'Each article is a div type="article" in page order (subtype photo or notice); '
        'headline lines are head type="column", "kicker", "main" and "sub"; each '
        'paragraph is a p; a subhead opens a nested div type="section" holding what follows '
        'it; page furniture is a div type="banner" or "editor-box"; photo captions and credits are figure '
        'type="photo"; credits are byline (rend="closing" after the text) with persName '
        "and role; repairs are choice/orig/reg with reg/@type naming the repair.",
    ),
)


def text_lang(language: str) -> str:
    """The ``xml:lang`` of the text: Chinese is tagged by script, as TEI prefers.

    A script subtag says it (``zh-Hant``, ``zh-Hans-HK``); else the region's usual script:
    Traditional in Taiwan, Hong Kong and Macao, Simplified elsewhere (mainland China,
    Singapore, Malaysia). Other languages keep their tag."""
    primary, *subtags = language.split("-")
    if primary.lower() != "zh":
        return language
    upper = {tag.upper() for tag in subtags}
    if "HANT" in upper:
        return "zh-Hant"
    if "HANS" not in upper and upper & _TRADITIONAL_REGIONS:
        return "zh-Hant"
    return "zh-Hans"


_TRADITIONAL_REGIONS = {"TW", "HK", "MO"}

_SOURCE_TAG = "(the source page's language tag)"
_LANG_NAMES = {
    "en": "English (header prose)",
    "zh-Hans": "Chinese, simplified script",
    "zh-Hant": "Chinese, traditional script",
    "zh-CN": f"Chinese as used in mainland China {_SOURCE_TAG}",
    "zh-TW": f"Chinese as used in Taiwan {_SOURCE_TAG}",
    "zh-HK": f"Chinese as used in Hong Kong {_SOURCE_TAG}",
    "zh-MO": f"Chinese as used in Macao {_SOURCE_TAG}",
    "zh-SG": f"Chinese as used in Singapore {_SOURCE_TAG}",
    "zh-MY": f"Chinese as used in Malaysia {_SOURCE_TAG}",
}


# --- public API -------------------------------------------------------------------


def tei_bytes(issue: Issue, *, keep_breaks: bool = True) -> bytes:
    """One issue as a standalone TEI document (UTF-8, with an XML declaration)."""
    return _standalone(issue, keep_breaks=keep_breaks)[0]


def tei_documents(issue: Issue, *, keep_breaks: bool = True) -> tuple[bytes, bytes]:
    """``tei_bytes`` and ``corpus_fragment`` of one issue, serialised once (a build needs both).

    The fragment differs from the standalone document only where the writer puts it: no
    declaration, no namespace declarations on ``TEI`` (the corpus root has them), no
    ``xml:id`` on the application (the corpus header has it), and every line indented
    one level more. Those are the writer's own newlines as long as no text holds a raw
    newline (the writer knows: ``_Writer.raw_newline``); otherwise it is written anew."""
    document, raw_newline = _standalone(issue, keep_breaks=keep_breaks)
    if raw_newline:
        return document, corpus_fragment(issue, keep_breaks=keep_breaks)
    declaration, rest = document.split(b"\n", 1)
    root, body = rest.removesuffix(b"\n").split(b">", 1)
    root = root.replace(_NS_DECLARATIONS, b"", 1)
    body = body.replace(_APP_ELEMENT, _APP_ELEMENT_IN_CORPUS, 1)
    return document, b"\n  " + root + b">" + body.replace(b"\n", b"\n  ")


def _standalone(issue: Issue, *, keep_breaks: bool) -> tuple[bytes, bool]:
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        xf.write_declaration()
        writer = _Writer(xf)
        _tei(writer, issue, keep_breaks=keep_breaks, standalone=True)
    return buffer.getvalue() + b"\n", writer.raw_newline


def write_tei(issue: Issue, path: str | os.PathLike[str], *, keep_breaks: bool = True) -> Path:
    """Write one issue's TEI document atomically; returns the file written.

    ``path`` is a folder when it ends with a slash (``"out/"``) or is an existing directory:
    the document is written into it as ``{issue.id}.xml``. Any other ``path`` is the file
    itself. Missing folders (and the folders above them) are made.
    """
    data = tei_bytes(issue, keep_breaks=keep_breaks)
    return _atomic_write(file_target(path, f"{issue.id}.xml"), lambda out: out.write(data))


def write_corpus(issues: Iterable[Issue], path: str | os.PathLike[str], *, keep_breaks: bool = True) -> Path:
    """Write a ``teiCorpus`` of the issues to ``path`` atomically, one issue at a time, in
    the order given (the build and ``pressout tei`` give ``registry.corpus_order``: by date,
    then page).

    ``issues`` may be a generator: each issue is written before the next is asked for, so
    memory does not grow with the number of issues, except for the set of issue ids that
    keeps xml:ids unique (about 120 bytes an issue). Raises InputError for no issues or for
    two issues with the same id.
    """
    stream = iter(issues)
    first = next(stream, None)
    if first is None:
        raise InputError("a TEI corpus needs at least one issue", path=path)

    def write(out: IO[bytes]) -> None:
        seen: set[str] = set()
        out.write(corpus_head(first, keep_breaks=keep_breaks))
        for issue in chain((first,), stream):
            if issue.id in seen:
                raise InputError(f"two issues have the id {issue.id!r}", path=path)
            seen.add(issue.id)
            out.write(corpus_fragment(issue, keep_breaks=keep_breaks))
        out.write(CORPUS_END)

    return _atomic_write(Path(path), write)


def corpus_head(first: IssueLike, *, keep_breaks: bool = True) -> bytes:
    """The start of a corpus: the XML declaration, the root's start tag and the corpus
    header, whose dates are those of ``first`` (the corpus's first issue). Only ``date``
    of ``first`` is read."""
    data = _in_corpus(lambda w: _corpus_header(w, first, keep_breaks=keep_breaks), declaration=True)
    return data[: -len(_ROOT_CLOSE)]


def corpus_fragment(issue: Issue, *, keep_breaks: bool = True) -> bytes:
    """One issue's ``TEI`` element as it stands inside a corpus (indented one level, after
    a newline): a corpus is ``corpus_head`` + its issues' fragments + ``CORPUS_END``."""
    data = _in_corpus(lambda w: _tei(w, issue, keep_breaks=keep_breaks, standalone=False), declaration=False)
    return data[len(_ROOT_START) : -len(_ROOT_CLOSE)]


def _in_corpus(write: Callable[[_Writer], None], *, declaration: bool) -> bytes:
    """What ``write`` writes inside a ``teiCorpus`` root, with the root's tags around it:
    written in its place in the corpus, so its namespaces and indentation are the ones
    the corpus has there."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="UTF-8") as xf:
        if declaration:
            xf.write_declaration()
        w = _Writer(xf)
        with w.block("teiCorpus", nsmap=_NSMAP):
            write(w)
    data = buffer.getvalue()
    assert data.endswith(_ROOT_CLOSE) and (declaration or data.startswith(_ROOT_START)), data[:200]
    return data


def _atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write through a temporary file beside ``path`` and rename it into place."""
    # Not tempfile.mkstemp: its 0600 mode would survive the rename; open() honours umask.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as out:
            write(out)
        os.replace(tmp, path)
    except OSError as error:
        _remove(tmp)
        raise OutputError(f"cannot write the TEI file: {error.strerror or error}", path=path) from error
    except BaseException:
        _remove(tmp)
        raise
    return path


def _remove(tmp: Path) -> None:
    try:
        tmp.unlink()
    except OSError:
        pass  # never written (its folder is missing), or already gone


# --- the writer -------------------------------------------------------------------------

# The xml prefix is declared on the root: without it lxml's xmlfile binds the XML namespace
# to a made-up prefix (ns0:id), which XML forbids.
_NSMAP = {None: TEI_NS, "xml": XML_NS}
# The corpus root's tags as the writer writes them (the end tag on a line of its own).
_ROOT_START = f'<teiCorpus xmlns="{TEI_NS}" xmlns:xml="{XML_NS}">'.encode()
_ROOT_CLOSE = b"\n</teiCorpus>"
CORPUS_END = _ROOT_CLOSE + b"\n"
# What tei_documents takes out of a standalone document to make it a corpus fragment.
_NS_DECLARATIONS = f' xmlns="{TEI_NS}" xmlns:xml="{XML_NS}"'.encode()
_APP_ELEMENT = f'<application xml:id="{APP_ID}" '.encode()
_APP_ELEMENT_IN_CORPUS = b"<application "


class _Writer:
    """TEI elements onto an ``xmlfile``, indented only where the content is element-only."""

    def __init__(self, xf: Any) -> None:
        self.xf = xf
        self.depth = 0
        self.raw_newline = False  # some text holds a newline (not one of the indentation's)

    def _newline(self) -> None:
        if self.depth:  # nothing may precede the root element
            self.xf.write("\n" + "  " * self.depth)

    # The three kinds of element are contexts lxml's own ``element`` and a small class make:
    # ``contextlib.contextmanager`` wrappers cost a third of the document's time.

    def block(
        self,
        name: str,
        attrs: Mapping[str, str | None] | None = None,
        *,
        nsmap: dict[str | None, str] | None = None,
        **kw: str | None,
    ) -> _Block:
        """An element-only container: each child starts on its own line."""
        self._newline()
        return _Block(self, self.xf.element(t(name), _attrs(attrs, kw), nsmap=nsmap))

    def mixed(self, name: str, attrs: Mapping[str, str | None] | None = None, **kw: str | None) -> Any:
        """Mixed content on its own line: nothing is added inside it."""
        self._newline()
        return self.xf.element(t(name), _attrs(attrs, kw))

    def inline(self, name: str, attrs: Mapping[str, str | None] | None = None, **kw: str | None) -> Any:
        """An element inside mixed content."""
        return self.xf.element(t(name), _attrs(attrs, kw))

    def leaf(
        self, name: str, text: str | None, attrs: Mapping[str, str | None] | None = None, **kw: str | None
    ) -> None:
        with self.mixed(name, attrs, **kw):
            self.text(text)

    def text(self, text: str | None) -> None:
        if text:
            if "\n" in text:
                self.raw_newline = True
            self.xf.write(text)


class _Block:
    """The context of a ``block``: its children one level deeper, its end tag on a line of
    its own (the root's too)."""

    __slots__ = ("element", "writer")

    def __init__(self, writer: _Writer, element: Any) -> None:
        self.writer = writer
        self.element = element

    def __enter__(self) -> None:
        self.element.__enter__()
        self.writer.depth += 1

    def __exit__(self, *exc: object) -> Any:
        writer = self.writer
        writer.depth -= 1
        if exc[0] is None:
            writer.xf.write("\n" + "  " * writer.depth)
        return self.element.__exit__(*exc)


def _attrs(attrs: Mapping[str, str | None] | None, kw: Mapping[str, str | None]) -> dict[str, str]:
    """Attributes without the ones that are None (left out, not written empty)."""
    merged = {**(attrs or {}), **kw}
    return {k: v for k, v in merged.items() if v is not None}


def _tei(w: _Writer, issue: Issue, *, keep_breaks: bool, standalone: bool) -> None:
    lang = text_lang(issue.language)
    with w.block("TEI", {XML_LANG: lang, XML_ID: issue.id}, nsmap=_NSMAP if standalone else None):
        _issue_header(w, issue, lang, keep_breaks=keep_breaks, standalone=standalone)
        with w.block("text"), w.block("body"):
            if issue.page is not None:
                w.leaf("pb", None, n=str(issue.page))
            for segment in _segments(issue):
                if segment.page is None:
                    _items(w, segment.items, keep_breaks=keep_breaks)
                    continue
                with w.block("div", type=PAGE, n=segment.page.label):
                    if segment.head is not None:
                        w.leaf("head", segment.head.text, {XML_ID: segment.head.id}, type=PAGE_HEADER)
                    else:
                        w.leaf("head", segment.page.heading, type=SUPPLIED, resp=f"#{APP_ID}")
                    _items(w, segment.items, keep_breaks=keep_breaks)
            if not issue.articles and not issue.furniture:
                w.leaf("div", None, type=EMPTY_BODY)  # TEI does not allow an empty body


@dataclass
class _Segment:
    """A stretch of the body: a page's div (``page``, headed by the printed page header
    ``head`` or a supplied heading) or, with ``page`` None, what stands outside any."""

    page: Page | None
    head: Furniture | None = None
    items: list[Article | Furniture] = field(default_factory=list)


def _segments(issue: Issue) -> list[_Segment]:
    """The body in page order: the articles, run by run (``Issue.by_page``), with the
    furniture among them where its ``position`` puts it (at equal positions in the order
    given).

    Furniture between two runs goes with the later run, except that when the later run is
    on a page and a page header was printed before it, the last such header heads that
    page's div and what was printed before the header stays with the earlier run (inside
    its page's div, or outside any). Furniture after the last article goes with the last
    run. Concatenated, the segments give the flat order the body has without pages, so
    the reader gets every piece's ``position`` back from the document order alone."""
    labels = {page.label for page in issue.pages}
    if "" in labels:
        raise ValueError(f"issue {issue.id} has a page without a label")
    for article in issue.articles:
        if article.page is not None and article.page not in labels:
            raise ValueError(f"article {article.id} is on page {article.page!r}, which is not one of its issue's pages")
    furniture = sorted(issue.furniture, key=lambda f: f.position)
    runs = issue.by_page() if issue.pages else ([(None, issue.articles)] if issue.articles else [])
    segments: list[_Segment] = []
    at = index = 0

    def placed_before(limit: int) -> list[Furniture]:
        nonlocal at
        start = at
        while at < len(furniture) and furniture[at].position <= limit:
            at += 1
        return furniture[start:at]

    for page, articles in runs:
        segment = _Segment(page)
        boundary = placed_before(index)
        headers = [n for n, piece in enumerate(boundary) if piece.kind == PAGE_HEADER]
        if page is not None and headers:
            cut = headers[-1]
            if cut:
                if segments:
                    segments[-1].items.extend(boundary[:cut])
                else:
                    segments.append(_Segment(None, items=list(boundary[:cut])))
            segment.head, boundary = boundary[cut], boundary[cut + 1 :]
        segment.items.extend(boundary)
        for k, article in enumerate(articles):
            if k:
                segment.items.extend(placed_before(index + k))
            segment.items.append(article)
        index += len(articles)
        segments.append(segment)
    if at < len(furniture):
        if not segments:
            segments.append(_Segment(None))
        segments[-1].items.extend(furniture[at:])
    return segments


def _items(w: _Writer, items: list[Article | Furniture], *, keep_breaks: bool) -> None:
    for item in items:
        if isinstance(item, Article):
            _article(w, item, keep_breaks=keep_breaks)
        else:
            _furniture(w, item)


# --- header -------------------------------------------------------------------------


def _when(issue: IssueLike) -> str:
    return issue_instant(issue).date().isoformat()


def _issue_header(w: _Writer, issue: Issue, lang: str, *, keep_breaks: bool, standalone: bool) -> None:
    with w.block("teiHeader", {XML_LANG: HEADER_LANG}):
        with w.block("fileDesc"):
            with w.block("titleStmt"):
                w.leaf("title", issue.title, {XML_LANG: lang}, type="main")
                w.leaf("title", "TEI archive edition produced by pressout", type="sub")
            _publication_stmt(w, issue, idno=issue.id)
            if issue.removed:
                _removed(w, issue.removed, lang)
            with w.block("sourceDesc"):
                with w.mixed("bibl", {XML_LANG: lang}, type="newspaperIssue"):
                    _bibl(w, issue)
                if issue.pages:
                    _pages(w, issue.pages, lang)
                if issue.sources:
                    _sources(w, issue.sources)
        _encoding_desc(
            w, standalone=standalone, rules=issue.rules_applied, keep_breaks=keep_breaks, pages=bool(issue.pages)
        )
        _lang_usage(w, dict.fromkeys([HEADER_LANG, lang, issue.language]))
        repairs = [r for a in issue.articles for p in _paragraphs(a) for r in p.repairs]
        joins = sum(len(p.joins) for a in issue.articles for p in _paragraphs(a))
        reasons = ", ".join(sorted({r.reason for r in repairs})) or "none"
        breaks = 'kept as cb break="no"' if keep_breaks else "not recorded"
        removed = ""
        if issue.removed:
            removed = f"; {_passages(len(issue.removed))} of source scaffolding taken out, kept in notesStmt"
        with w.block("revisionDesc"):
            w.leaf(
                "change",
                f"Converted by pressout {__version__} from {issue.source} (sha256 {issue.sha256}): "
                f"{len(repairs)} regularisations recorded in place (rules: {reasons}); "
                f"{joins} rejoined breaks, {breaks}{removed}.",
                when=_when(issue),
                who=f"#{APP_ID}",
            )


def _passages(count: int) -> str:
    return f"{count} passage" if count == 1 else f"{count} passages"


def _removed(w: _Writer, removed: tuple[Removal, ...], lang: str) -> None:
    """The source's scaffolding that reading rules took out: a group per rule, in the order
    the rules first took something out, each passage with its place in ``removed``."""
    groups: dict[str, list[tuple[int, Removal]]] = {}
    for n, removal in enumerate(removed, start=1):
        groups.setdefault(removal.rule, []).append((n, removal))
    with w.block("notesStmt"):
        for rule, passages in groups.items():
            with w.block("noteGrp", type=REMOVED, n=rule):
                w.leaf(
                    "desc",
                    f"{_passages(len(passages))} of the source taken out by the reading rule {rule} "
                    "and kept here as found: no part of the page's text.",
                )
                for n, removal in passages:
                    w.leaf("note", removal.text, {XML_LANG: lang}, n=str(n))


def _bibl(w: _Writer, issue: Issue) -> None:
    """The source: paper, date, page, language, file and its hash (mixed content: no indent)."""

    def item(name: str, text: str | None, **attrs: str | None) -> None:
        with w.inline(name, attrs):
            w.text(text)

    # A paper nothing names shows the masthead all outputs show, marked as no name.
    unknown = None if issue.publication else UNKNOWN
    item("title", issue.masthead, level="j", key=issue.publication_slug, type=unknown)
    if issue.date is not None:
        d = issue.date
        cert = None if issue.date_cert == "high" else (issue.date_cert or "unknown")
        item("date", f"{d.year}年{d.month}月{d.day}日", when=d.isoformat(), cert=cert)
    else:
        item("date", "日期不详", cert=issue.date_cert)
    if issue.page is not None:
        n = str(issue.page)
        item("biblScope", f"第{n}版", unit="page", **{"from": n, "to": n})
    item("textLang", issue.language, mainLang=issue.language)
    item("idno", issue.source, type="sourceFile")
    item("idno", issue.sha256, type="sha256")


def _sources(w: _Writer, sources: tuple[tuple[str, str], ...]) -> None:
    """The files an issue was gathered from (``pressout.read.gather``), in its order: a
    ``bibl`` per file with its name and sha256, as the issue's own ``bibl`` gives them."""
    with w.block("listBibl", type=SOURCES):
        for name, sha in sources:
            with w.mixed("bibl", type="sourceFile"):
                with w.inline("idno", {"type": "sourceFile"}):
                    w.text(name)
                with w.inline("idno", {"type": "sha256"}):
                    w.text(sha)


def _pages(w: _Writer, pages: tuple[Page, ...], lang: str) -> None:
    """The pages the issue covers, in the paper's order: an ``item`` per page, ``@n`` its
    label, showing the page as a reader names it (第3版, A03版) with its name, when one was
    printed, as a ``name`` (mixed content: no indent inside an item)."""
    with w.block("list", {XML_LANG: lang}, type=PAGES):
        for page in pages:
            with w.mixed("item", n=page.label):
                label = Page(page.label).heading
                if page.name is None:
                    w.text(label)
                    continue
                w.text(f"{label} " if page.name else label)
                with w.inline("name"):
                    w.text(page.name)


def _paragraphs(article: Article) -> Iterator[Paragraph]:
    return (b for b in article.body if isinstance(b, Paragraph))


def _publication_stmt(w: _Writer, issue: IssueLike, *, idno: str | None) -> None:
    with w.block("publicationStmt"):
        w.leaf("publisher", "pressout archive")
        when = _when(issue)
        w.leaf("date", when, when=when)
        if idno is not None:
            w.leaf("idno", idno, type="pressout")
        with w.block("availability", status="restricted"):
            w.leaf("p", "The text of the source newspaper remains under its publisher's copyright.")


_BREAKS_KEPT = (
    " Where the reader rejoined a paragraph split by a page or column break, the point is "
    'marked with cb break="no".'
)
_BREAKS_DROPPED = (
    " Where the reader rejoined a paragraph split by a page or column break, the join leaves "
    "no trace in the text (written without keep_breaks)."
)

_PAGES_STATED = (
    ' The pages the issue covers are listed in sourceDesc (list type="pages", an item per '
    'page with its label as @n and its printed name as name); the articles of each page '
    'are a div type="page" with the label as @n, headed by the page header as printed '
    '(head type="page-header"; a page header that heads no page div stays a div '
    'type="page-header") or, where none was printed, by a heading pressout supplies '
    '(head type="supplied"); articles of no known page stand outside any page div.'
)


def _encoding_desc(
    w: _Writer, *, standalone: bool, rules: tuple[str, ...] | None, keep_breaks: bool, pages: bool = False
) -> None:
    """``rules``: the reading rules this issue's text went through (None: all of them, as
    the corpus header states the reader's whole method). ``pages``: the issue's articles
    are grouped by page, which the segmentation statement then says."""
    with w.block("encodingDesc"):
        with w.block("projectDesc"):
            w.leaf(
                "p",
                "Plain-text dumps of newspaper pages are read into articles and encoded in TEI "
                "for long-term archiving alongside EPUB and feed editions. The text was not "
                "proofread against page images.",
            )
        with w.block("editorialDecl"):
            groups: dict[str, list[Rule]] = {}
            applied = None if rules is None else set(rules)
            for rule in RULES:
                if applied is None or rule.name in applied:
                    groups.setdefault(rule.record, []).append(rule)
            for record, members in groups.items():
                name, attrs = _RECORDS[record]
                with w.block(name, attrs):
                    for member in members:
                        w.leaf("p", member.description, n=member.name)
            for name, attrs, rule_name, prose in _ENCODING_RULES:
                if name == "hyphenation":
                    prose += _BREAKS_KEPT if keep_breaks else _BREAKS_DROPPED
                if name == "segmentation" and pages:
                    prose += _PAGES_STATED
                with w.block(name, attrs):
                    w.leaf("p", prose, n=rule_name)
        with w.block("appInfo"):
            ident = {XML_ID: APP_ID} if standalone else {}
            with w.block("application", ident, ident="pressout", version=__version__):
                w.leaf("label", "pressout")


def _lang_usage(w: _Writer, langs: Iterable[str]) -> None:
    with w.block("profileDesc"), w.block("langUsage"):
        for ident in langs:
            name = _LANG_NAMES.get(ident, f"{ident} (language of the source page)")
            w.leaf("language", name, ident=ident)


def _corpus_header(w: _Writer, first: IssueLike, *, keep_breaks: bool) -> None:
    with w.block("teiHeader", {XML_LANG: HEADER_LANG}):
        with w.block("fileDesc"):
            with w.block("titleStmt"):
                w.leaf("title", "pressout TEI archive of newspaper issues")
            # Streaming writes the header before the issues are seen: its date is the
            # first issue's (or SOURCE_DATE_EPOCH), never the clock.
            _publication_stmt(w, first, idno=None)
            with w.block("sourceDesc"):
                w.leaf(
                    "p", "A collection of the TEI documents that follow; each describes its own source page."
                )
        _encoding_desc(w, standalone=True, rules=None, keep_breaks=keep_breaks)
        _lang_usage(w, [HEADER_LANG])
        with w.block("revisionDesc"):
            w.leaf(
                "change", f"Corpus assembled by pressout {__version__}.", when=_when(first), who=f"#{APP_ID}"
            )


# --- body ---------------------------------------------------------------------------


def _furniture(w: _Writer, piece: Furniture) -> None:
    with w.block("div", {XML_ID: piece.id}, type=piece.kind):
        w.leaf("ab", piece.text)


_SUBTYPES = {Kind.ARTICLE: None, Kind.PHOTO: "photo", Kind.NOTICE: "notice"}


def _article(w: _Writer, article: Article, *, keep_breaks: bool) -> None:
    with w.block("div", {XML_ID: article.id}, type="article", subtype=_SUBTYPES[article.kind]):
        for head_type, text in (
            ("column", article.column),
            ("kicker", article.kicker),
            ("main", article.title),
            ("sub", article.subtitle),
        ):
            if text is not None:
                w.leaf("head", text, type=head_type)
        if article.dateline is not None:
            w.leaf("dateline", article.dateline)
        if article.byline is not None:
            _credit(w, article.byline)
        # A subhead opens a nested section holding everything up to the next one: TEI
        # allows no p after a nested div.
        sections: list[list[Any]] = [[None]]
        for block in article.body:
            if isinstance(block, Subhead):
                sections.append([block])
            else:
                sections[-1].append(block)
        _blocks(w, sections[0][1:], keep_breaks=keep_breaks)
        for subhead, *blocks in sections[1:]:
            with w.block("div", type="section"):
                w.leaf("head", subhead.text)
                _blocks(w, blocks, keep_breaks=keep_breaks)
        for credit in article.closing:
            _credit(w, credit, rend=CLOSING)
        if article.meta:
            _source_record(w, article.meta)


def _source_record(w: _Writer, meta: tuple[tuple[str, str], ...]) -> None:
    """The fields of the article's source record that are not printed text, as a gloss
    list (``label`` name, ``item`` value) in a note: note is mixed content, so the whole
    note is one line, with nothing added between its elements."""
    with w.mixed("note", type=SOURCE_RECORD), w.inline("list", type="gloss"):
        for name, value in meta:
            with w.inline("label"):
                w.text(name)
            with w.inline("item"):
                w.text(value)


def _blocks(w: _Writer, blocks: list[Any], *, keep_breaks: bool) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            with w.mixed("p"):
                _paragraph(w, block, keep_breaks=keep_breaks)
        elif isinstance(block, Figure):
            with w.block("figure", type="photo"):
                if block.text:
                    w.leaf("p", block.text)
                if block.credit is not None:
                    _credit(w, block.credit)
                w.leaf("figDesc", "Photograph not included in the text dump.", {XML_LANG: HEADER_LANG})
        elif isinstance(block, Note):
            w.leaf("note", block.text, type=block.kind, place="inline")
        else:  # pragma: no cover - the model has no other blocks
            raise TypeError(f"unknown block {block!r}")


def _credit(w: _Writer, credit: Credit, *, rend: str | None = None) -> None:
    """The printed credit, with each contributor's name (found in order) as a persName."""
    with w.mixed("byline", rend=rend):
        at = 0
        people = credit.contributors
        n = 0
        while n < len(people):
            person = people[n]
            roles = [person.role.value]
            # The same name printed once in two roles (（圖文：記者甲）): one persName, both roles.
            while n + 1 < len(people) and people[n + 1].name == person.name:
                n += 1
                roles.append(people[n].role.value)
            n += 1
            found = credit.text.find(person.name, at)
            if found < 0:
                raise ValueError(
                    f"contributor {person.name!r} does not occur (in order) in the credit {credit.text!r}"
                )
            w.text(credit.text[at:found])
            with w.inline("persName", role=" ".join(roles)):
                w.text(person.name)
            at = found + len(person.name)
        w.text(credit.text[at:])


# --- inline markup: marks, repairs and breaks as one tree of spans -----------------


@dataclass
class _Span:
    start: int
    end: int
    rank: int  # at equal ranges the lower rank is outside: a repair holds its marks
    kind: str
    value: Any = None
    children: list[_Span] = field(default_factory=list)

    def holds(self, other: _Span) -> bool:
        # A zero-width span on this span's edge stays outside it (siblings read the same
        # offsets back and keep a canonical order).
        if other.start == other.end:
            return self.start < other.start < self.end
        return self.start <= other.start and other.end <= self.end


def _paragraph(w: _Writer, para: Paragraph, *, keep_breaks: bool) -> None:
    text = para.text
    spans = [_Span(r.start, r.end, 0, "repair", r) for r in para.repairs]
    spans += [_Span(m.start, m.end, 1, "mark", m) for m in para.marks]
    if keep_breaks:
        spans += [_Span(j, j, 2, "join") for j in para.joins]
    for span in spans:
        if not 0 <= span.start <= span.end <= len(text):
            raise ValueError(f"{span.kind} {span.start}:{span.end} is outside the paragraph {text!r}")
    spans.sort(key=lambda s: (s.start, s.start != s.end, -s.end, s.rank))
    root = _Span(0, len(text), -1, "root")
    stack = [root]
    for span in spans:
        while stack[-1] is not root and not stack[-1].holds(span):
            top = stack.pop()
            if span.start < top.end < span.end:
                raise ValueError(
                    f"{span.kind} {span.start}:{span.end} crosses {top.kind} "
                    f"{top.start}:{top.end} in {text!r}; TEI needs them nested"
                )
        stack[-1].children.append(span)
        if span.start != span.end:
            stack.append(span)
    _emit(w, text, root)


def _emit(w: _Writer, text: str, span: _Span) -> None:
    at = span.start
    for child in span.children:
        w.text(text[at : child.start])
        if child.kind == "mark":
            with w.inline("hi", rend=child.value.style):
                _emit(w, text, child)
        elif child.kind == "repair":
            repair = child.value
            with w.inline("choice"):
                with w.inline("orig"):
                    w.text(repair.orig)
                with w.inline("reg", resp=f"#{APP_ID}", type=repair.reason or None):
                    _emit(w, text, child)
        else:
            with w.inline("cb", {"break": "no"}):
                pass
        at = child.end
    w.text(text[at : span.end])


# The one place the TEI files' names are written (see pressout.export.registry).
TEI_FILE = "tei/{id}.xml"
CORPUS_FILE = "tei/corpus.xml"


class TeiExporter(Exporter):
    """``tei/{id}.xml`` per issue, and ``tei/corpus.xml``: the concatenation of the issues'
    fragments between ``corpus_head`` and ``CORPUS_END`` (see the module docstring)."""

    name = "tei"
    concatenated = CORPUS_FILE

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return (TEI_FILE,)

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        document, fragment = tei_documents(issue, keep_breaks=settings.config.keep_breaks)
        yield TEI_FILE.format(id=issue.id), document
        yield CORPUS_FILE, fragment

    def fragment(self, issue: Issue, settings: Settings) -> bytes:
        return corpus_fragment(issue, keep_breaks=settings.config.keep_breaks)

    def concatenation_ends(self, first: IssueLike, settings: Settings) -> tuple[bytes, bytes]:
        return corpus_head(first, keep_breaks=settings.config.keep_breaks), CORPUS_END

    def validators(self) -> tuple[Validator, ...]:
        from ..validate import tei_check

        return (Validator("tei", tei_check),)


EXPORTER = TeiExporter()
