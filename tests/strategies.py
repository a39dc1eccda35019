"""Hypothesis strategies for the article model, for any exporter's or reader's tests.

``issues()`` draws whole ``Issue`` objects that keep the model's invariants: text is NFC
Chinese, ASCII and punctuation (never an XML-invalid control character, which the reader
never lets through), ids are NCNames prefixed with the issue id, every contributor's name
occurs in its credit's text in order, marks and repairs lie inside their paragraph and
nest (a mark inside a repair, never across its edge), tuples are in page/offset order, and
``date_cert`` is None exactly when ``date`` is.
"""

from __future__ import annotations

import datetime as dt
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import replace

from hypothesis import strategies as st

from pressout.model import (
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
    Paragraph,
    Repair,
    Role,
    Subhead,
)
from pressout.read.rules import RULES

__all__ = [
    "articles",
    "blocks",
    "credits",
    "issues",
    "names",
    "paragraphs",
    "replicas",
    "texts",
]

CJK_PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】—…·「」"
# Markup-like ASCII is in on purpose: every exporter must keep it as text.
ASCII = string.ascii_letters + string.digits + string.punctuation + " "

_chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK unified ideographs
    st.sampled_from(ASCII),
    st.sampled_from(CJK_PUNCTUATION),
)


def texts(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """NFC text of Chinese characters, ASCII and punctuation."""
    return st.text(_chars, min_size=min_size, max_size=max_size).filter(
        lambda s: unicodedata.is_normalized("NFC", s)
    )


def names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=2, max_size=4),
        texts(min_size=1, max_size=8),
    )


@st.composite
def credits(draw: st.DrawFn) -> Credit:
    """Printed words with the contributors' names in them, in order."""
    people = draw(st.lists(st.builds(Contributor, names(), st.sampled_from(list(Role))), max_size=3))
    pieces = [draw(texts(max_size=6))]
    for person in people:
        pieces += [person.name, draw(texts(max_size=6))]
    return Credit("".join(pieces), tuple(people))


REASONS = ("latex-scripts", "markdown-bold", "photo-credit-inside-paragraph")
STYLES = ("subscript", "superscript", "bold")


@st.composite
def paragraphs(draw: st.DrawFn) -> Paragraph:
    text = draw(texts(max_size=40))
    n = len(text)
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=8)))
    marks: list[Mark] = []
    repairs: list[Repair] = []
    # Pairs of cuts give disjoint ranges; each becomes a mark, a repair, or a repair
    # holding a mark on part of its text (PM_{2.5} → PM<sub>2.5</sub>).
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        what = draw(st.sampled_from(["mark", "repair", "repair+mark"]))
        if what != "mark":
            repairs.append(Repair(start, end, draw(texts(max_size=10)), draw(st.sampled_from(REASONS))))
        if what != "repair":
            inner = sorted(draw(st.sets(st.integers(start, end), min_size=2, max_size=2)))
            if what == "mark":
                inner = [start, end]
            marks.append(Mark(inner[0], inner[1], draw(st.sampled_from(STYLES))))
    # Zero-width repairs: words the reader took out (a photo credit inside a sentence).
    for at in draw(st.sets(st.integers(0, n), max_size=2)):
        repairs.append(Repair(at, at, draw(texts(min_size=1, max_size=8)), "photo-credit-inside-paragraph"))
    joins = tuple(sorted(draw(st.sets(st.integers(0, n), max_size=3))))
    return Paragraph(
        text,
        marks=tuple(sorted(marks, key=lambda m: (m.start, m.end))),
        repairs=tuple(sorted(repairs, key=lambda r: (r.start, r.end))),
        joins=joins,
    )


def blocks() -> st.SearchStrategy[Block]:
    return st.one_of(
        paragraphs(),
        st.builds(Subhead, texts(max_size=15)),
        st.builds(Figure, texts(max_size=30), st.none() | credits()),
        st.builds(Note, texts(min_size=1, max_size=10)),
    )


optional_text = st.none() | texts(max_size=20)


@st.composite
def articles(draw: st.DrawFn, article_id: str = "tyrb-x-i00000000") -> Article:
    return Article(
        id=article_id,
        kind=draw(st.sampled_from(list(Kind))),
        title=draw(optional_text),
        body=tuple(draw(st.lists(blocks(), max_size=6))),
        kicker=draw(optional_text),
        subtitle=draw(optional_text),
        column=draw(optional_text),
        dateline=draw(optional_text),
        byline=draw(st.none() | credits()),
        closing=tuple(draw(st.lists(credits(), max_size=2))),
    )


@st.composite
def issues(draw: st.DrawFn) -> Issue:
    date = draw(st.none() | st.dates(dt.date(1949, 10, 1), dt.date(2049, 12, 31)))
    slug = draw(st.sampled_from(["tyrb", "sxrb", "rmrb"]))
    if date is None:
        issue_id = f"{slug}-x-{draw(st.text(string.ascii_lowercase + string.digits, min_size=4, max_size=8))}"
    else:
        issue_id = f"{slug}-{date.isoformat()}-{draw(st.sampled_from('abc'))}"
    ids = draw(st.lists(st.integers(0, 2**32 - 1), unique=True, max_size=4))
    items = tuple(draw(articles(f"{issue_id}-i{n:08x}")) for n in ids)
    positions = sorted(draw(st.lists(st.integers(0, len(items)), max_size=2)))
    furniture = tuple(
        Furniture(
            f"{issue_id}-b{k + 1}",
            draw(st.sampled_from(["banner", "editor-box"])),
            draw(texts(min_size=1, max_size=20)),
            at,
        )
        for k, at in enumerate(positions)
    )
    return Issue(
        source=draw(texts(min_size=1, max_size=12)) + ".txt",
        id=issue_id,
        sha256=draw(st.text("0123456789abcdef", min_size=64, max_size=64)),
        articles=items,
        publication=draw(st.sampled_from(["太原日报", "山西日报"]) | texts(min_size=1, max_size=8)),
        publication_slug=slug,
        date=date,
        date_cert=None if date is None else draw(st.sampled_from(["high", "medium", "low"])),
        page=draw(st.none() | st.integers(1, 64)),
        language=draw(st.sampled_from(["zh-CN", "zh-Hans"])),
        furniture=furniture,
        # Any subset of the reading rules, in the rules' order (as the reader records them).
        rules_applied=tuple(r.name for r in RULES if r.name in draw(st.sets(st.sampled_from(RULE_ORDER)))),
    )


RULE_ORDER = [r.name for r in RULES]


def replicas(bases: list[Issue], count: int) -> Iterator[Issue]:
    """``count`` distinct issues made from ``bases`` (new ids and dates), lazily.

    For streaming tests and benchmarks: a generator, so the caller never holds them all.
    """
    for k in range(count):
        base = bases[k % len(bases)]
        new_id = f"{base.id}-r{k:06d}"

        def renamed(item, new_id=new_id, old_id=base.id):  # ids keep their issue-id prefix
            return replace(item, id=new_id + item.id[len(old_id) :])

        yield replace(
            base,
            id=new_id,
            source=f"r{k:06d}-{base.source}",
            date=None if base.date is None else base.date + dt.timedelta(days=k),
            articles=tuple(map(renamed, base.articles)),
            furniture=tuple(map(renamed, base.furniture)),
        )
