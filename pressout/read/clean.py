"""Cleaning of one line of a page: spaces, punctuation width, leftover markup.

Silent normalisations (spaces, full-width punctuation) return plain strings; repairs that
are judgement calls (Markdown bold, LaTeX sub/superscripts) return an ``Inline``: the
clean text plus the marks and repairs that keep what the page printed, offsets in code
points. ``join`` glues inline pieces (a paragraph rejoined across a break) and shifts
their offsets.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..model import Mark, Repair
from .rules import CJK, OPENERS
from .trace import fired

__all__ = [
    "Inline",
    "convert_markup",
    "drop_stray_spaces",
    "fullwidth_punctuation",
    "join",
    "normalize_spaces",
    "widen_punctuation",
]

# Zero-width characters and stray BOMs carry nothing visible.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# Every other Unicode space (NBSP, U+3000 ideographic space, thin spaces …) is a space.
_SPACES = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CJK_CHAR = re.compile(f"[{CJK}]")


def normalize_spaces(line: str) -> str:
    """One plain space per run of spaces, tabs kept (they separate headline parts), trimmed."""
    # Fast path (a C-level scan): every special space, tab and zero-width character is
    # "not printable" for Python, so a printable line needs only its ends trimmed.
    if line.isprintable() and "  " not in line:
        return line.strip(" ")
    stripped = _ZERO_WIDTH.sub("", line)
    if len(stripped) != len(line):
        fired("zero-width")
    line = _SPACES.sub(" ", stripped)
    line = re.sub(r" *\t[ \t]*", "\t", line)
    return line.strip(" \t")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_CHAR.match(ch))


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """The nearest non-space characters before and after position i ("" at the ends)."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    k = i + 1
    while k < len(text) and text[k] in " \t":
        k += 1
    return (text[j] if j >= 0 else ""), (text[k] if k < len(text) else "")


_FULLWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


# Per ASCII mark: its full-width form, and where that mark may have to stay ASCII (neither
# neighbour is Chinese). One pattern per mark, each starting with the mark itself: the
# regex engine scans for a single literal character far faster than for a class of five,
# and the lookarounds run only where the mark is.
_MARKS = tuple(
    (mark, wide, re.compile(f"{re.escape(mark)}(?<![{CJK}]{re.escape(mark)})(?![{CJK}])"))
    for mark, wide in _FULLWIDTH.items()
    if mark not in "()"
)
_STAYING = re.compile(f"[,:;?!](?<![{CJK}][,:;?!])(?![{CJK}])")  # any of them
_PARENS = re.compile(r"[()]")


def fullwidth_punctuation(text: str) -> str:
    """ASCII , : ; ? ! ( ) in Chinese text → full width (rule fullwidth-punctuation).

    A mark converts when the nearest non-space character on either side is Chinese;
    brackets go by pairs, converting when their content or surroundings are Chinese.
    Between digits or Latin letters nothing changes (1,000, 10:30, f(x)).
    """
    widened = widen_punctuation(text)
    if widened != text:
        fired("fullwidth-punctuation")
    return widened


def widen_punctuation(text: str) -> str:
    """``fullwidth_punctuation`` without the trace: ``page_lines`` calls it for every line
    and fires the rule once for the page."""
    if "," in text or ":" in text or ";" in text or "?" in text or "!" in text:
        converted = text
        staying = False  # may a mark have to stay ASCII? (usually none may)
        for ascii_mark, wide, staying_mark in _MARKS:
            if ascii_mark in text:  # str.replace scans in C: faster than translate here
                converted = converted.replace(ascii_mark, wide)
                staying = staying or staying_mark.search(text) is not None
        if staying:
            chars = list(converted)
            for m in _STAYING.finditer(text):
                i = m.start()
                before, after = _neighbours(text, i)  # a space may stand between mark and text
                chinese = _is_cjk(before) or _is_cjk(after)
                if not chinese or (text[i] in ",:" and before.isdigit() and after.isdigit()):
                    chars[i] = text[i]
            converted = "".join(chars)
        text = converted
    if "(" in text or ")" in text:
        text = _fullwidth_brackets(text)
    return text


def _fullwidth_brackets(text: str) -> str:
    """Brackets go by pairs: a pair converts when its content or surroundings are Chinese;
    an unpaired bracket converts when a neighbour is."""
    if _chinese_pairs_only(text):
        return text.replace("(", "（").replace(")", "）")
    hits = [m.start() for m in _PARENS.finditer(text)]
    stack: list[int] = []
    paired: set[int] = set()
    keep: list[int] = []  # brackets that stay ASCII
    for i in hits:
        if text[i] == "(":
            stack.append(i)
        elif stack:
            start = stack.pop()
            paired.update((start, i))
            # Chinese inside decides most pairs ("(记者 王勇)"): test it before the neighbours.
            if _CJK_CHAR.search(text, start + 1, i):
                continue
            before, _ = _neighbours(text, start)
            _, after = _neighbours(text, i)
            if not (_is_cjk(before) or _is_cjk(after)):
                keep += (start, i)
    for i in hits:
        if i not in paired:
            before, after = _neighbours(text, i)
            if not (_is_cjk(before) or _is_cjk(after)):
                keep.append(i)
    if not keep:  # the common case: every bracket converts
        return text.replace("(", "（").replace(")", "）")
    chars = list(text)
    for i in hits:
        chars[i] = _FULLWIDTH[text[i]]
    for i in keep:
        chars[i] = text[i]
    return "".join(chars)


def _chinese_pairs_only(text: str) -> bool:
    """Are the brackets side by side pairs, none nested, each with Chinese inside (as in
    ``(记者 王勇)``)? Then every bracket converts: found with a few ``str.find``, without
    the general pairing above."""
    at = 0
    while True:
        opening = text.find("(", at)
        closing = text.find(")", at)
        if opening < 0:
            return closing < 0
        if closing < opening or text.find("(", opening + 1, closing) >= 0:
            return False
        if not _CJK_CHAR.search(text, opening + 1, closing):
            return False
        at = closing + 1


# Quotation marks and brackets other than （）: a space inside them is kept between hanzi.
_QUOTE_OPENERS = frozenset(OPENERS) - {"（"}
_QUOTE_CLOSERS = frozenset(OPENERS.values()) - {"）"}
# What drop_stray_spaces has to look at: a run of spaces and tabs, or a quotation mark
# (then with the run after it, if any). Everything between is copied as it is.
_RUN_OR_QUOTE = re.compile("[ \t" + re.escape("".join(sorted(_QUOTE_OPENERS | _QUOTE_CLOSERS))) + "][ \t]*")


def drop_stray_spaces(text: str) -> str:
    """Drop spaces between Chinese characters in running text (rule stray-spaces).

    A space stays between Latin words or numbers (``iPhone 13``) and inside
    quotation marks, where it separates the parts of a quoted slogan (“相约浦江 共享未来”).
    A run of spaces keeps one space at most; a run at either end of the text goes.
    """
    if " " not in text and "\t" not in text:
        return text
    out: list[str] = []
    copied = 0  # text[:copied] is dealt with
    depth = 0
    for m in _RUN_OR_QUOTE.finditer(text):
        start, end = m.span()
        mark = text[start]
        if mark in _QUOTE_OPENERS:
            depth += 1
            start += 1
        elif mark in _QUOTE_CLOSERS:
            if depth:
                depth -= 1
            start += 1
        if start == end:
            continue  # a quotation mark with no space after it
        out.append(text[copied:start])
        copied = end
        if start == 0 or end == len(text):
            continue
        cjk_before, cjk_after = _is_cjk(text[start - 1]), _is_cjk(text[end])
        if (depth and cjk_before and cjk_after) or not (cjk_before or cjk_after):
            out.append(" ")
        # else: Chinese on either side needs no space (clreq), so the space goes
    out.append(text[copied:])
    cleaned = "".join(out)
    if len(cleaned) != len(text):
        fired("stray-spaces")
    return cleaned


class Inline(NamedTuple):
    """Clean text with the marks and repairs that remember what the page printed.

    (A named tuple, not a frozen dataclass: one is made per line, and tuples are cheap.)"""

    text: str
    marks: tuple[Mark, ...] = ()
    repairs: tuple[Repair, ...] = ()


# ``Inline(text)`` runs the named tuple's Python-level ``__new__``; the plain piece of text
# that most lines are is made with the tuple constructor itself (all three fields, in order).
_new_inline = tuple.__new__


_MARKUP = re.compile(
    r"(?P<bold>\*\*(?P<bold_text>[^*]+?)\*\*)"
    r"|(?P<tex>(?P<dollar>\$?)(?P<base>[A-Za-z0-9.]*)(?P<op>[_^])"
    r"(?:\{(?P<arg>[^{}\s]{1,16})\}|(?P<digit>\d))(?P=dollar))"
)


def convert_markup(text: str) -> Inline:
    """Markdown bold and LaTeX sub/superscripts → plain text with marks (rules markdown-bold,
    latex-scripts); each conversion is recorded as a Repair with the printed original."""
    if "*" not in text and "_" not in text and "^" not in text:
        return _new_inline(Inline, (text, (), ()))
    out: list[str] = []
    marks: list[Mark] = []
    repairs: list[Repair] = []
    at = 0
    length = 0
    for m in _MARKUP.finditer(text):
        if m.group("tex") and m.group("digit") and not m.group("base")[-1:].isupper():
            continue  # CO_2 is a formula; snake_case_1 and a bare _1 are not
        out.append(text[at : m.start()])
        length += m.start() - at
        start = length
        if m.group("bold"):
            inner = m.group("bold_text")
            out.append(inner)
            length += len(inner)
            marks.append(Mark(start, length, "bold"))
            repairs.append(Repair(start, length, m.group(0), "markdown-bold"))
        else:
            base = m.group("base")
            arg = m.group("arg") or m.group("digit")
            out.append(base + arg)
            length += len(base) + len(arg)
            marks.append(Mark(start + len(base), length, "subscript" if m.group("op") == "_" else "superscript"))
            repairs.append(Repair(start, length, m.group(0), "latex-scripts"))
        at = m.end()
    if not marks:
        return Inline(text)
    for reason in {r.reason for r in repairs}:
        fired(reason)
    out.append(text[at:])
    return Inline("".join(out), tuple(marks), tuple(repairs))


def join(pieces: list[Inline]) -> tuple[Inline, tuple[int, ...]]:
    """Glue the pieces of a broken paragraph; returns the paragraph and the join offsets.

    Chinese needs nothing between the pieces; two Latin words or numbers meeting at the
    break get a space, as the line end stood for one.
    """
    if len(pieces) == 1:
        return pieces[0], ()
    fired("rejoin-broken-paragraph")
    parts: list[str] = []  # joined once at the end: no string rebuilt per piece
    marks: list[Mark] = []
    repairs: list[Repair] = []
    joins: list[int] = []
    length = 0
    last = ""  # the last character so far
    for piece in pieces:
        text = piece.text
        if length:
            first = text[:1]
            if last.isascii() and last.isalnum() and first.isascii() and first.isalnum():
                parts.append(" ")
                length += 1
            joins.append(length)
        if piece.marks:
            marks.extend(Mark(m.start + length, m.end + length, m.style) for m in piece.marks)
        if piece.repairs:
            repairs.extend(Repair(r.start + length, r.end + length, r.orig, r.reason) for r in piece.repairs)
        parts.append(text)
        if text:
            length += len(text)
            last = text[-1]
    return Inline("".join(parts), tuple(marks), tuple(repairs)), tuple(joins)
