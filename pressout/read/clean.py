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


_MARKS = tuple((k, v) for k, v in _FULLWIDTH.items() if k not in "()")
# Marks that may have to stay ASCII: neither neighbour is Chinese. The pattern starts with
# the mark itself, so the scan is fast; the lookarounds run only at the (rare) marks.
_STAYING = re.compile(f"[,:;?!](?<![{CJK}][,:;?!])(?![{CJK}])")
_PARENS = re.compile(r"[()]")


def fullwidth_punctuation(text: str) -> str:
    """ASCII , : ; ? ! ( ) in Chinese text → full width (rule fullwidth-punctuation).

    A mark converts when the nearest non-space character on either side is Chinese;
    brackets go by pairs, converting when their content or surroundings are Chinese.
    Between digits or Latin letters nothing changes (1,000, 10:30, f(x)).
    """
    original = text
    if "," in text or ":" in text or ";" in text or "?" in text or "!" in text:
        stay = [m.start() for m in _STAYING.finditer(text)]
        converted = text
        for ascii_mark, wide in _MARKS:  # str.replace scans in C: faster than translate here
            if ascii_mark in converted:
                converted = converted.replace(ascii_mark, wide)
        if stay:
            chars = list(converted)
            for i in stay:
                before, after = _neighbours(text, i)  # a space may stand between mark and text
                chinese = _is_cjk(before) or _is_cjk(after)
                if not chinese or (text[i] in ",:" and before.isdigit() and after.isdigit()):
                    chars[i] = text[i]
            converted = "".join(chars)
        text = converted
    if "(" in text or ")" in text:
        text = _fullwidth_brackets(text)
    if text != original:
        fired("fullwidth-punctuation")
    return text


def _fullwidth_brackets(text: str) -> str:
    """Brackets go by pairs: a pair converts when its content or surroundings are Chinese;
    an unpaired bracket converts when a neighbour is."""
    chars = list(text)
    stack: list[int] = []
    paired: set[int] = set()
    hits = [m.start() for m in _PARENS.finditer(text)]
    for i in hits:
        if text[i] == "(":
            stack.append(i)
        elif stack:
            start = stack.pop()
            paired.update((start, i))
            before, _ = _neighbours(text, start)
            _, after = _neighbours(text, i)
            if _is_cjk(before) or _is_cjk(after) or _CJK_CHAR.search(text, start + 1, i):
                chars[start], chars[i] = "（", "）"
    for i in hits:
        if i not in paired:
            before, after = _neighbours(text, i)
            if _is_cjk(before) or _is_cjk(after):
                chars[i] = _FULLWIDTH[text[i]]
    return "".join(chars)


def drop_stray_spaces(text: str) -> str:
    """Drop spaces between Chinese characters in running text (rule stray-spaces).

    A space stays between Latin words or numbers (``iPhone 13``) and inside
    quotation marks, where it separates the parts of a quoted slogan (“相约浦江 共享未来”).
    """
    if " " not in text and "\t" not in text:
        return text
    out: list[str] = []
    depth = 0
    closers = set(OPENERS.values()) - {"）"}
    openers = set(OPENERS) - {"（"}
    for i, ch in enumerate(text):
        if ch in openers:
            depth += 1
        elif ch in closers and depth:
            depth -= 1
        if ch not in " \t":
            out.append(ch)
            continue
        before, after = _neighbours(text, i)
        if i > 0 and text[i - 1] in " \t":
            continue  # one space per run at most
        if not before or not after:
            continue
        cjk_before, cjk_after = _is_cjk(before), _is_cjk(after)
        if depth and cjk_before and cjk_after:
            out.append(" ")
        elif not (cjk_before or cjk_after):
            out.append(" ")
        # else: Chinese on either side needs no space (clreq), so the space goes
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


_MARKUP = re.compile(
    r"(?P<bold>\*\*(?P<bold_text>[^*]+?)\*\*)"
    r"|(?P<tex>(?P<dollar>\$?)(?P<base>[A-Za-z0-9.]*)(?P<op>[_^])"
    r"(?:\{(?P<arg>[^{}\s]{1,16})\}|(?P<digit>\d))(?P=dollar))"
)


def convert_markup(text: str) -> Inline:
    """Markdown bold and LaTeX sub/superscripts → plain text with marks (rules markdown-bold,
    latex-scripts); each conversion is recorded as a Repair with the printed original."""
    if "*" not in text and "_" not in text and "^" not in text:
        return Inline(text)
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
            style = "subscript" if m.group("op") == "_" else "superscript"
            marks.append(Mark(start + len(base), length, style))
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
    text = ""
    marks: list[Mark] = []
    repairs: list[Repair] = []
    joins: list[int] = []
    for piece in pieces:
        if text:
            if (
                text[-1].isascii()
                and text[-1].isalnum()
                and piece.text[:1].isascii()
                and piece.text[:1].isalnum()
            ):
                text += " "
            joins.append(len(text))
        shift = len(text)
        marks.extend(Mark(m.start + shift, m.end + shift, m.style) for m in piece.marks)
        repairs.extend(Repair(r.start + shift, r.end + shift, r.orig, r.reason) for r in piece.repairs)
        text += piece.text
    return Inline(text, tuple(marks), tuple(repairs)), tuple(joins)
