"""Gathering: files that each hold one article of a paper's day, made into that day's issue.

The most common public crawls of a paper hold one article per file (``YYYYMMDD-PP-NN.txt``;
a blog post per article, with its date and page in front matter; a JSON record per
article). Read one by one they are so many one-article issues: a year of People's Daily
would be 25,000 books. ``[build] group = "auto"`` (the default) gathers them: every
**article file** of one paper, date and edition goes into one issue, in page and item
order. ``group = "file"`` keeps one issue per source file (page dumps are never gathered).

An article file is a file with a known date that says it holds one item of the paper: its
name numbers the item on its page (``YYYYMMDD-PP-NN``; the item may be a box of briefs,
read as several articles), or it is read into exactly one article and its front matter
titles it, or it is a dump format's one record (rule ``container-*``), or it opens with a
per-article crawl's headline slots (rule ``crawl-header-slots``). A page dump that happens
to hold one article is none of these, and stays a page.

The gathered issue (``gather``) is the parts' articles, pages, furniture and scaffolding in
order, with ``sources`` listing each file and its sha256; its id is the day's
(``{slug}-{date}-{edition}``), its ``source`` the first file's name, its ``sha256`` that of
the list of sources (so it changes when any file does). Article ids are the files' own, so
an article keeps its id (and its web page's address) when another file joins its day.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from pathlib import Path

from ..model import Diagnostic, Issue, Page
from .meta import IssueMeta, date_from_filename, issue_id
from .rules import RULES

__all__ = ["GatherKey", "article_file", "gather", "gather_key", "slot"]

GatherKey = tuple[str, str, str]  # (publication slug, ISO date, edition)

_ITEM_NAME = re.compile(r"(?:19|20)\d{6}-(?P<page>\d{2})-(?P<item>\d{2})")
_ONE_ARTICLE_RULES = ("front-matter", "crawl-header-slots")
_RULE_ORDER = {rule.name: n for n, rule in enumerate(RULES)}


def article_file(issue: Issue) -> bool:
    """Whether ``issue`` was read from an article file (see the module docstring)."""
    if issue.date is None or not issue.articles:
        return False
    if _ITEM_NAME.fullmatch(Path(issue.source).stem):
        return True  # (an item may be a box of briefs, each an article)
    return len(issue.articles) == 1 and any(rule in _ONE_ARTICLE_RULES or rule.startswith("container-") for rule in issue.rules_applied)


def gather_key(issue: Issue, edition: str | None) -> GatherKey:
    """The day an article file belongs to: its paper (slug), date and edition."""
    assert issue.date is not None
    return (issue.publication_slug, issue.date.isoformat(), edition or "a")


def slot(issue: Issue) -> tuple[str, int] | None:
    """The place an article file's name claims: (page label, item on the page), or None."""
    found = _ITEM_NAME.fullmatch(Path(issue.source).stem)
    return (str(int(found.group("page"))), int(found.group("item"))) if found else None


def _page_order(label: str | None) -> tuple[int, str, int]:
    """Pages in the paper's order: no page first, then section letters (none before A),
    then the number (A01 < A02 < B01; 2 < 10)."""
    if label is None:
        return (0, "", 0)
    letters = label.rstrip("0123456789")
    digits = label[len(letters):]
    return (1, letters, int(digits) if digits else 0)


def _order(issue: Issue) -> tuple[tuple[int, str, int], int, str]:
    claimed = slot(issue)
    label = issue.articles[0].page if issue.articles else None
    return (_page_order(label), claimed[1] if claimed else 0, issue.source)


def gather(parts: list[Issue], edition: str | None = None) -> Issue:
    """One issue of ``parts`` (article files of one day, in any order): see the module
    docstring. The caller has checked that no two parts claim one slot."""
    parts = sorted(parts, key=_order)
    first = parts[0]
    assert first.date is not None
    pages: dict[str, Page] = {}
    for part in sorted(parts, key=lambda p: min((_page_order(pg.label) for pg in p.pages), default=(0, "", 0))):
        for page in part.pages:
            known = pages.get(page.label)
            if known is None or (known.name is None and page.name):
                pages[page.label] = page
    ordered = tuple(sorted(pages.values(), key=lambda p: _page_order(p.label)))
    articles = tuple(a for part in parts for a in part.articles)
    furniture = []
    before = 0
    for part in parts:
        furniture += [dataclasses.replace(f, position=f.position + before) for f in part.furniture]
        before += len(part.articles)
    sources = tuple((part.source, part.sha256) for part in parts)
    digest = hashlib.sha256("".join(f"{name}\0{sha}\n" for name, sha in sources).encode("utf-8")).hexdigest()
    publication = next((p.publication for p in parts if p.publication), "")
    languages = Counter(p.language for p in parts).most_common()
    ident = issue_id(first.publication_slug, IssueMeta(date=first.date, edition=edition), first.source, digest)
    diagnostics: list[Diagnostic] = [d for p in parts for d in p.diagnostics]
    for part in parts:
        named = date_from_filename(part.source)
        if named is not None and named != part.date:
            other = next((p.source for p in parts if p is not part), None)
            diagnostics.append(Diagnostic("PO301", part.source, f"its name says {named.isoformat()} but its "
                                          f"metadata says {part.date}: gathered into {ident} by the metadata's date"
                                          + (f", with {other}" if other else "")))
    return Issue(
        source=first.source,
        id=ident,
        sha256=digest,
        articles=articles,
        publication=publication,
        publication_slug=first.publication_slug,
        date=first.date,
        date_cert=first.date_cert,
        page=ordered[0].number if len(ordered) == 1 and ordered[0].label.isdigit() else None,
        language=min(tag for tag, n in languages if n == languages[0][1]),  # the most common
        furniture=tuple(furniture),
        pages=ordered,
        removed=tuple(r for p in parts for r in p.removed),
        rules_applied=tuple(sorted({r for p in parts for r in p.rules_applied}, key=_RULE_ORDER.__getitem__)),
        sources=sources,
        diagnostics=tuple(diagnostics),
    )
