"""Read pressout's own TEI archive back into the model: the inverse of ``export.tei``.

A ``TEI`` file gives one issue, a ``teiCorpus`` file gives all of its issues in order. The
corpus is parsed incrementally and each issue's tree dropped once read, so a large archive
does not have to fit in memory as a tree. The mapping is documented in
``pressout.export.tei``; anything outside it (a TEI file some other tool wrote, an element
pressout never writes) is an InputError with a one-line message, not a guess.

``joins`` come back only from files written with ``keep_breaks`` (they are the ``cb``
milestones); everything else in the model comes back equal: an article's source fields
(``note type="source-record"``), the scaffolding the reading rules took out
(``notesStmt/noteGrp type="removed"``, put back in the order of its notes' ``@n``), a
publication nothing named (``title level="j" type="unknown"`` is ``""``, whatever it
shows), and the pages: ``Issue.pages`` from the header's page list (each item's ``@n``
and ``name``), each article's page from the ``@n`` of the page div it stands in (none
outside one), and a page div's printed head (``head type="page-header"``) as the page
header furniture it is, at its place among the articles; a supplied head is pressout's,
not the page's, and is not read.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import InputError
from ..export.tei import (
    CLOSING,
    EMPTY_BODY,
    PAGE,
    PAGE_HEADER,
    PAGES,
    REMOVED,
    SOURCE_RECORD,
    SOURCES,
    SUPPLIED,
    TEI_NS,
    UNKNOWN,
    XML_ID,
    t,
)
from ..model import (
    Article,
    Block,
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
    Removal,
    Repair,
    Role,
    Subhead,
)
from .decode import check_regular_file
from .rules import RULES

__all__ = ["read_tei"]

NS = {"t": TEI_NS}


class _Bad(Exception):
    """What is wrong with the file, before the path is attached."""


def read_tei(path: str | os.PathLike[str]) -> list[Issue]:
    """The issues in a pressout TEI file or teiCorpus file, in document order.

    Only a regular file is read (a symlink to one is followed): a FIFO, device, socket or
    folder is an InputError, found by ``os.stat`` before the file is opened."""
    path = Path(path)
    try:
        status = os.stat(path)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read: {getattr(error, 'strerror', None) or error}", path=path) from None
    check_regular_file(status, path, "TEI archive")
    issues: list[Issue] = []
    root_tag: str | None = None
    try:
        # No entity expansion or network access: an archive is data, never instructions.
        for event, el in etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
        ):
            if root_tag is None:
                root_tag = el.tag
                if root_tag not in (t("TEI"), t("teiCorpus")):
                    raise _Bad(f"not a TEI file (root element {_name(el)})")
            if event == "end" and el.tag == t("TEI"):
                issues.append(_issue(el))
                # The issue is read: drop its tree and those of the issues before it.
                el.clear()
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
    except _Bad as bad:
        raise InputError(str(bad), path=path) from None
    except etree.XMLSyntaxError as error:
        raise InputError(f"not well-formed XML: {_one_line(error)}", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None
    if not issues:
        raise InputError("a teiCorpus without any TEI document", path=path)
    return issues


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _name(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else repr(el.tag)


def _text(el: Any) -> str:
    return "".join(el.itertext())


def _one(parent: Any, path: str, what: str) -> Any:
    found = parent.find(path, NS)
    if found is None:
        raise _Bad(f"not a pressout TEI file: missing {what}")
    return found


RULE_ORDER = {rule.name: n for n, rule in enumerate(RULES)}


# --- header -------------------------------------------------------------------------


def _issue(tei: Any) -> Issue:
    issue_id = tei.get(XML_ID)
    if not issue_id:
        raise _Bad("not a pressout TEI file: a TEI element without xml:id")
    header = _one(tei, "t:teiHeader", "teiHeader")
    if header.find("t:encodingDesc/t:appInfo/t:application[@ident='pressout']", NS) is None:
        raise _Bad(f"{issue_id}: not written by pressout (no appInfo/application ident=pressout)")
    bibl = _one(header, "t:fileDesc/t:sourceDesc/t:bibl", f"{issue_id}: sourceDesc/bibl")
    journal = _one(bibl, "t:title[@level='j']", f"{issue_id}: bibl/title level=j")
    date_el = _one(bibl, "t:date", f"{issue_id}: bibl/date")
    when = date_el.get("when")
    cert = date_el.get("cert")
    try:
        date = dt.date.fromisoformat(when) if when else None
    except ValueError:
        raise _Bad(f"{issue_id}: bad issue date {when!r}") from None
    if date is not None:
        cert = "high" if cert is None else cert
    date_cert = None if cert in (None, "unknown") else cert
    if date_cert not in (None, "high", "medium", "low"):
        raise _Bad(f"{issue_id}: bad date certainty {cert!r}")
    page_el = bibl.find("t:biblScope[@unit='page']", NS)
    try:
        page = int(page_el.get("from")) if page_el is not None else None
    except (TypeError, ValueError):
        raise _Bad(f"{issue_id}: bad page number") from None
    language = _one(bibl, "t:textLang", f"{issue_id}: bibl/textLang").get("mainLang")
    pages = _pages(header, issue_id)
    articles, furniture = _body(_one(tei, "t:text/t:body", f"{issue_id}: text/body"), pages, issue_id)
    return Issue(
        source=_text(_one(bibl, "t:idno[@type='sourceFile']", f"{issue_id}: idno type=sourceFile")),
        id=issue_id,
        sha256=_text(_one(bibl, "t:idno[@type='sha256']", f"{issue_id}: idno type=sha256")),
        articles=articles,
        publication="" if journal.get("type") == UNKNOWN else _text(journal),
        publication_slug=journal.get("key", ""),
        date=date,
        date_cert=date_cert,
        page=page,
        language=language or "",
        furniture=furniture,
        pages=pages,
        sources=tuple(
            (_text(_one(b, "t:idno[@type='sourceFile']", f"{issue_id}: a source without its name")),
             _text(_one(b, "t:idno[@type='sha256']", f"{issue_id}: a source without its sha256")))
            for b in header.iterfind(f"t:fileDesc/t:sourceDesc/t:listBibl[@type='{SOURCES}']/t:bibl", NS)
        ),
        removed=_removed(header, issue_id),
        # Stated grouped by how TEI records them; the model keeps the rules' own order.
        rules_applied=tuple(
            sorted(
                (
                    n
                    for p in header.iterfind("t:encodingDesc/t:editorialDecl/*/t:p[@n]", NS)
                    if (n := p.get("n")) in RULE_ORDER
                ),
                key=RULE_ORDER.__getitem__,
            )
        ),
    )


def _removed(header: Any, issue_id: str) -> tuple[Removal, ...]:
    """The passages of ``notesStmt``'s removed groups, in the order of their ``@n``."""
    found: list[tuple[int, Removal]] = []
    for group in header.iterfind(f"t:fileDesc/t:notesStmt/t:noteGrp[@type='{REMOVED}']", NS):
        rule = group.get("n", "")
        for note in group.iterfind("t:note", NS):
            try:
                place = int(note.get("n", ""))
            except ValueError:
                raise _Bad(f"{issue_id}: a removed passage without its place (note/@n)") from None
            found.append((place, Removal(rule, _text(note))))
    found.sort(key=lambda pair: pair[0])
    if [place for place, _ in found] != list(range(1, len(found) + 1)):
        raise _Bad(f"{issue_id}: the removed passages are not numbered 1 to {len(found)}")
    return tuple(removal for _, removal in found)


def _pages(header: Any, issue_id: str) -> tuple[Page, ...]:
    """The pages stated in ``sourceDesc``'s page list, in its order: each item's ``@n`` is
    the label, its ``name`` (when there is one) the page's name; the rest of the item's
    text is only the label shown to readers."""
    pages: list[Page] = []
    for item in header.iterfind(f"t:fileDesc/t:sourceDesc/t:list[@type='{PAGES}']/t:item", NS):
        label = item.get("n")
        names = item.findall("t:name", NS)
        if not label or len(names) > 1:
            raise _Bad(f"{issue_id}: a page item without its label (@n) or with two names")
        pages.append(Page(label, _text(names[0]) if names else None))
    return tuple(pages)


# --- body ---------------------------------------------------------------------------


def _body(body: Any, pages: tuple[Page, ...], issue_id: str) -> tuple[tuple[Article, ...], tuple[Furniture, ...]]:
    """The articles and furniture in document order, each piece of furniture at the number
    of articles before it. A page div gives its articles its label; its head is furniture
    when it is the page header as printed (a supplied heading is no part of the page)."""
    articles: list[Article] = []
    furniture: list[Furniture] = []
    labels = {page.label for page in pages}

    def item(el: Any, page: str | None) -> None:
        if el.tag != t("div"):
            raise _Bad(f"unexpected {_name(el)} in {'a page div' if page is not None else 'body'}")
        kind = el.get("type")
        if kind == "article":
            articles.append(_article(el, page))
        elif kind in ("banner", "editor-box", "page-header"):
            ab = _one(el, "t:ab", f"ab in a {kind} div")
            furniture.append(Furniture(el.get(XML_ID, ""), kind, _text(ab), len(articles)))
        elif kind == EMPTY_BODY and page is None:
            return
        else:
            raise _Bad(f"unexpected div type={kind!r} in {'a page div' if page is not None else 'body'}")

    for el in body:
        if el.tag == t("pb"):
            continue
        if el.tag != t("div") or el.get("type") != PAGE:
            item(el, None)
            continue
        label = el.get("n")
        if label not in labels:
            raise _Bad(f"{issue_id}: a page div n={label!r} of no page in the page list of sourceDesc")
        children = iter(el)
        head = next(children, None)
        if head is None or head.tag != t("head") or head.get("type") not in (PAGE_HEADER, SUPPLIED):
            raise _Bad(f"{issue_id}: a page div n={label!r} without its head")
        if head.get("type") == PAGE_HEADER:
            furniture.append(Furniture(head.get(XML_ID, ""), "page-header", _text(head), len(articles)))
        for child in children:
            item(child, label)
    return tuple(articles), tuple(furniture)


_KINDS = {None: Kind.ARTICLE, "photo": Kind.PHOTO, "notice": Kind.NOTICE}
_HEADS = ("column", "kicker", "main", "sub")


def _article(div: Any, page: str | None) -> Article:
    article_id = div.get(XML_ID)
    if not article_id:
        raise _Bad("an article div without xml:id")
    if div.get("subtype") not in _KINDS:
        raise _Bad(f"{article_id}: unknown article subtype {div.get('subtype')!r}")
    heads: dict[str, str] = {}
    dateline: str | None = None
    byline: Credit | None = None
    closing: list[Credit] = []
    body: list[Block] = []
    meta: list[tuple[str, str]] = []
    for el in div:
        tag = el.tag
        if tag == t("note") and el.get("type") == SOURCE_RECORD:
            meta.extend(_source_record(el, article_id))
        elif tag == t("head"):
            kind = el.get("type")
            if kind not in _HEADS or kind in heads:
                raise _Bad(f"{article_id}: unexpected head type={kind!r}")
            heads[kind] = _text(el)
        elif tag == t("dateline"):
            dateline = _text(el)
        elif tag == t("byline"):
            if el.get("rend") == CLOSING:
                closing.append(_credit(el))
            elif byline is None:
                byline = _credit(el)
            else:
                raise _Bad(f"{article_id}: two bylines")
        elif tag == t("div") and el.get("type") == "section":
            children = iter(el)
            head = next(children, None)
            if head is None or head.tag != t("head"):
                raise _Bad(f"{article_id}: a section without its head")
            body.append(Subhead(_text(head)))
            body.extend(_block(child, article_id) for child in children)
        else:
            body.append(_block(el, article_id))
    return Article(
        id=article_id,
        kind=_KINDS[div.get("subtype")],
        title=heads.get("main"),
        body=tuple(body),
        kicker=heads.get("kicker"),
        subtitle=heads.get("sub"),
        column=heads.get("column"),
        dateline=dateline,
        byline=byline,
        closing=tuple(closing),
        meta=tuple(meta),
        page=page,
    )


def _source_record(note: Any, article_id: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a source-record note's gloss list, in order."""
    lists = list(note)
    if len(lists) != 1 or lists[0].tag != t("list"):
        raise _Bad(f"{article_id}: a source-record note without its one list")
    items = list(lists[0])
    names, values = items[0::2], items[1::2]
    if len(names) != len(values) or any(
        n.tag != t("label") or v.tag != t("item") for n, v in zip(names, values, strict=True)
    ):
        raise _Bad(f"{article_id}: a source-record list that is not label/item pairs")
    return [(_text(n), _text(v)) for n, v in zip(names, values, strict=True)]


def _block(el: Any, article_id: str) -> Block:
    tag = el.tag
    if tag == t("p"):
        return _paragraph(el)
    if tag == t("figure"):
        caption = el.find("t:p", NS)
        credit = el.find("t:byline", NS)
        return Figure(
            _text(caption) if caption is not None else "",
            _credit(credit) if credit is not None else None,
        )
    if tag == t("note"):
        if el.get("type") != "continuation":
            raise _Bad(f"{article_id}: unknown note type {el.get('type')!r}")
        return Note(_text(el), kind="continuation")
    raise _Bad(f"{article_id}: unexpected {_name(el)} in an article")


def _credit(byline: Any) -> Credit:
    people = []
    for person in byline.iter(t("persName")):
        # One printed name in two roles (（圖文：記者甲）: reporter and photographer) is one
        # persName whose role lists both.
        for word in (person.get("role") or "").split() or [""]:
            try:
                role = Role(word)
            except ValueError:
                raise _Bad(f"unknown contributor role {person.get('role')!r}") from None
            people.append(Contributor(_text(person), role))
    return Credit(_text(byline), tuple(people))


class _Inline:
    """Text, marks, repairs and joins collected from a paragraph, offsets in code points."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.marks: list[Mark | None] = []
        self.repairs: list[Repair | None] = []
        self.joins: list[int] = []

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)

    def walk(self, el: Any) -> None:
        """The content of ``el`` (its text and children with their tails)."""
        self.add(el.text)
        for child in el:
            self.child(child)
            self.add(child.tail)

    def child(self, el: Any) -> None:
        tag = el.tag
        start = self.length
        if tag == t("hi"):
            # Reserve the slot first: marks are listed in document order of their starts.
            slot = len(self.marks)
            self.marks.append(None)
            self.walk(el)
            self.marks[slot] = Mark(start, self.length, el.get("rend"))
        elif tag == t("choice"):
            orig = el.find("t:orig", NS)
            reg = el.find("t:reg", NS)
            if orig is None or reg is None or len(el) != 2:
                raise _Bad("a choice without exactly one orig and one reg")
            slot = len(self.repairs)
            self.repairs.append(None)
            self.walk(reg)
            self.repairs[slot] = Repair(start, self.length, _text(orig), reg.get("type", ""))
        elif tag == t("cb") and el.get("break") == "no":
            self.joins.append(start)
        else:
            raise _Bad(f"unexpected {_name(el)} in a paragraph")


def _paragraph(p: Any) -> Paragraph:
    inline = _Inline()
    inline.walk(p)
    for mark in inline.marks:
        if mark is not None and mark.style not in ("subscript", "superscript", "bold"):
            raise _Bad(f"unknown hi rend={mark.style!r}")
    return Paragraph(
        "".join(inline.parts),
        marks=tuple(m for m in inline.marks if m is not None),
        repairs=tuple(r for r in inline.repairs if r is not None),
        joins=tuple(inline.joins),
    )
