"""The model as JSON: the ``pressout parse --json`` contract, and the way back.

``issue_to_dict`` gives the documented shape (README, "JSON output"); keys beyond the
contract (``byline``, ``closing``, ``marks`` …) carry the rest of the model so that
``issue_from_dict(issue_to_dict(issue)) == issue`` — the build cache relies on it.

Keys for parts of the model that most pages do not have are written only when there is
something in them (a paragraph's ``marks``, ``repairs``, ``joins``; an article's ``meta``,
the fields of its source record as ``[name, value]`` pairs in source order; the issue's
``removed``, the source's scaffolding as ``{"rule", "text"}`` objects), and read as empty
when absent: a page without them gives the JSON it always gave, and a cache file written
before they existed still loads. ``publication`` is ``""`` when nothing names the paper.
``pages`` (the issue's pages, ``{"label", "name"}`` in order) and each article's ``page``
(its page's label, or null) are always written; a document without them (written before
pages were read) loads with no pages. ``sources`` (``{"name", "sha256"}`` of each file an
issue was gathered from, see ``pressout.read.gather``) is written only for such an issue.

``format_version`` (``FORMAT_VERSION``, first in every document) says which contract the
JSON follows: it is raised when a key changes meaning or goes away (adding a key does not
raise it). ``issue_from_dict`` refuses a newer version than it knows (an InputError), and
reads a document without one as version 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import (
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

__all__ = ["FORMAT_VERSION", "issue_from_dict", "issue_to_dict"]

FORMAT_VERSION = 1


def issue_to_dict(issue: Issue) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "source": issue.source,
        "id": issue.id,
        "publication": issue.publication,
        "date": issue.date.isoformat() if issue.date else None,
        "language": issue.language,
        "articles": [_article_to_dict(a) for a in issue.articles],
        "publication_slug": issue.publication_slug,
        "date_cert": issue.date_cert,
        "page": issue.page,
        "pages": [{"label": p.label, "name": p.name} for p in issue.pages],
        "sha256": issue.sha256,
        "furniture": [
            {"id": f.id, "kind": f.kind, "text": f.text, "position": f.position} for f in issue.furniture
        ],
        "rules_applied": list(issue.rules_applied),
    }
    if issue.sources:
        out["sources"] = [{"name": name, "sha256": sha} for name, sha in issue.sources]
    if issue.removed:
        out["removed"] = [{"rule": r.rule, "text": r.text} for r in issue.removed]
    return out


def _credit_to_dict(credit: Credit | None) -> dict[str, Any] | None:
    if credit is None:
        return None
    return {"text": credit.text, "contributors": [_person(c) for c in credit.contributors]}


def _person(c: Contributor) -> dict[str, str]:
    return {"name": c.name, "role": c.role.value}


def _article_to_dict(a: Article) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "kind": a.kind.value,
        "title": a.title,
        "display_title": a.display_title,
        "kicker": a.kicker,
        "subtitle": a.subtitle,
        "column": a.column,
        "dateline": a.dateline,
        "contributors": [_person(c) for c in a.contributors],
        "body": [_block_to_dict(b) for b in a.body],
        "byline": _credit_to_dict(a.byline),
        "closing": [_credit_to_dict(c) for c in a.closing],
        "page": a.page,
    }
    if a.meta:
        out["meta"] = [[name, value] for name, value in a.meta]
    return out


def _block_to_dict(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {"type": block.type, "text": block.text}
    if isinstance(block, Paragraph):
        if block.marks:
            out["marks"] = [[m.start, m.end, m.style] for m in block.marks]
        if block.repairs:
            out["repairs"] = [
                {"start": r.start, "end": r.end, "orig": r.orig, "reason": r.reason} for r in block.repairs
            ]
        if block.joins:
            out["joins"] = list(block.joins)
    elif isinstance(block, Figure):
        out["credit"] = _credit_to_dict(block.credit)
        out["photographers"] = [
            c.name for c in (block.credit.contributors if block.credit else ()) if c.role is Role.PHOTOGRAPHER
        ]
    elif isinstance(block, Note):
        out["kind"] = block.kind
    return out


# --- back -------------------------------------------------------------------------


def issue_from_dict(data: dict[str, Any]) -> Issue:
    version = data.get("format_version", 1)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        from .errors import InputError

        raise InputError(f"model JSON format_version {version!r} is newer than this pressout reads "
                         f"({FORMAT_VERSION}); upgrade pressout")
    return Issue(
        source=data["source"],
        id=data["id"],
        sha256=data["sha256"],
        articles=tuple(_article_from_dict(a) for a in data["articles"]),
        publication=data["publication"],
        publication_slug=data["publication_slug"],
        date=dt.date.fromisoformat(data["date"]) if data["date"] else None,
        date_cert=data["date_cert"],
        page=data["page"],
        pages=tuple(Page(p["label"], p.get("name")) for p in data.get("pages", ())),
        language=data["language"],
        furniture=tuple(
            Furniture(id=f["id"], kind=f["kind"], text=f["text"], position=f["position"])
            for f in data["furniture"]
        ),
        removed=tuple(Removal(rule=r["rule"], text=r["text"]) for r in data.get("removed", ())),
        rules_applied=tuple(data.get("rules_applied", ())),
        sources=tuple((s["name"], s["sha256"]) for s in data.get("sources", ())),
    )


def _credit_from_dict(data: dict[str, Any] | None) -> Credit | None:
    if data is None:
        return None
    return Credit(
        text=data["text"],
        contributors=tuple(Contributor(name=c["name"], role=Role(c["role"])) for c in data["contributors"]),
    )


def _article_from_dict(data: dict[str, Any]) -> Article:
    closing = tuple(_credit_from_dict(c) for c in data["closing"])
    return Article(
        id=data["id"],
        kind=Kind(data["kind"]),
        title=data["title"],
        body=tuple(_block_from_dict(b) for b in data["body"]),
        kicker=data["kicker"],
        subtitle=data["subtitle"],
        column=data["column"],
        dateline=data["dateline"],
        byline=_credit_from_dict(data["byline"]),
        closing=tuple(c for c in closing if c is not None),
        meta=tuple((name, value) for name, value in data.get("meta", ())),
        page=data.get("page"),
    )


def _block_from_dict(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "paragraph":
        return Paragraph(
            text=data["text"],
            marks=tuple(Mark(s, e, style) for s, e, style in data.get("marks", ())),
            repairs=tuple(
                Repair(r["start"], r["end"], r["orig"], r["reason"]) for r in data.get("repairs", ())
            ),
            joins=tuple(data.get("joins", ())),
        )
    if kind == "subhead":
        return Subhead(text=data["text"])
    if kind == "figure":
        return Figure(text=data["text"], credit=_credit_from_dict(data.get("credit")))
    if kind == "note":
        return Note(text=data["text"], kind=data.get("kind", "continuation"))
    raise ValueError(f"unknown block type {kind!r}")
