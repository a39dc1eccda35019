"""Lines of a page → units (paragraphs, headline lines, credits …) → articles.

Two passes, each small enough to reason about:

``units(lines)``
    walks the lines once and rebuilds paragraphs: a body line that does not end a
    sentence continues in the next body line (rule rejoin-broken-paragraph, also across
    a page header: rule page-header), a photo credit dropped inside such a paragraph
    becomes a figure after it, and each other line is classified (headline line, credit,
    byline, photo credit, jump line, column label, page header, advertisement …).
``segment(units)``
    groups units into articles: a stack of headline lines starts an article (or is a
    subhead of the current one, or page furniture when nothing follows it), credits and
    jump lines close one, a dateline or a bracketed byline after a closed article starts
    a headline-less one; ``title_labels`` takes a column label or an author off a
    headline.

The rules are named in ``pressout.read.rules.RULES``; the comments below cite them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ..model import (
    Contributor,
    Credit,
    Diagnostic,
    Figure,
    Kind,
    Mark,
    Note,
    Page,
    Paragraph,
    Repair,
    Role,
    Subhead,
)
from . import credits as cr
from .clean import Inline, convert_markup, drop_stray_spaces, join
from .rules import (
    AUTHOR_NOTE_RE,
    BOX_LABEL_MAX,
    BRACKET_HEADLINE_RE,
    CLOSERS,
    CLOSING_DATELINE_RE,
    COLUMN_BRACKET_MAX,
    COLUMN_BRACKET_RE,
    COLUMN_GENRE_CHARS,
    COLUMN_GENRE_CHARS_BOOK,
    COLUMN_GENRE_ENDINGS,
    COLUMN_LABEL_RE,
    CREDIT_FIRST,
    DANGLING_ENDINGS,
    DATELINE_FIRST,
    DATELINE_RE,
    EDITOR_BOX_FIRST,
    EDITOR_BOX_RE,
    FILE_HEADER_RE,
    FULL_DATE_RE,
    HAN_RE,
    HEADLINE_AUTHOR_RE,
    HEADLINE_MAX,
    HEADLINE_MAX_COMMAS,
    JUMP_RE,
    KICKER_ENDINGS,
    LEADING_COLUMN_RE,
    LEADING_DATE,
    MASTHEAD_HEADER_RE,
    NOT_COLUMN_BRACKET_RE,
    NOTICE_CLOSING_RE,
    NOTICE_WORDS,
    OPENERS,
    PAGE_HEADER_FIRST,
    PAGE_HEADER_MAX,
    PAGE_HEADER_RE,
    PHOTO_CREDIT_LAST,
    PICTURES_TOO,
    SENTENCE_END,
    SIGNATURE_MAX,
    SUBTITLE_DASHES,
    SUBTITLE_ENDINGS,
)
from .trace import fired, recorder

__all__ = ["Line", "RawArticle", "Segmented", "header_page", "segment", "title_labels", "units"]


class Line(NamedTuple):
    """One non-blank line of the page, spaces and punctuation width already normalised.

    (A named tuple: pages have many lines, and tuples are the cheapest to make.)"""

    no: int  # 1-based line number in the source file
    text: str
    gap: int  # blank lines before it
    level: int = 0  # Markdown heading level (# = 1), 0 for none
    bold: bool = False  # the whole line was **bold**


# ``Line(...)`` runs the named tuple's Python-level ``__new__``; the reader makes a Line
# for every line of every page, so it builds them as ``new_line(Line, (no, text, gap,
# level, bold))``, the tuple constructor itself (all five fields, in order).
new_line = tuple.__new__


# --- units ------------------------------------------------------------------------


@dataclass(slots=True)
class Unit:
    kind: str  # head, para, credit, byline, figure, note, notice, editor-box, page-header, file-header, ad
    line: Line
    text: str
    gap: int  # (every unit has these four: given by position, the cheapest way to make one)
    level: int = 0
    bold: bool = False
    inline: Inline | None = None  # para: the clean paragraph
    joins: tuple[int, ...] = ()
    dateline: str | None = None
    credit: Credit | None = None  # credit, figure; para: the dateline's credit
    byline: Credit | None = None  # figure: the credit printed with its dateline


_SHORT_LINE = 60
_PLAIN_END = frozenset(SENTENCE_END)  # a line ending in one of these carries no trailing credit
_QUOTE_END = frozenset(CLOSERS) - {"）"}  # nor in these (a credit ends in a name or in ）)
# A long line is running text unless it starts a report or a notice.
# (and a bracketed byline, 〔記者甲／台北報導〕, rule bracketed-byline)
_LONG_SPECIAL = re.compile(
    DATELINE_RE.pattern + "|(?:" + "|".join(NOTICE_WORDS) + ")[\\s：:]" + "|[〔【][^〔〕【】]{3,60}[〕】]"
)
_NOTICE_FIRST = frozenset(word[0] for word in NOTICE_WORDS)
_LONG_SPECIAL_FIRST = DATELINE_FIRST | _NOTICE_FIRST | {"〔", "【"}  # a cheap test first


def _finished(text: str) -> bool:
    """Does this body text end a sentence? ``…。`` and ``…！”`` do; ``…“果篮子”`` does not;
    nor does ``…。（回信全文另发）``, a bracketed note after the last sentence (rule
    note-ends-paragraph)."""
    core = text.rstrip().rstrip(CLOSERS)
    if core and core[-1] in SENTENCE_END:
        return True
    if text[-1:] == "）":
        opening = text.rfind("（")
        if opening > 0 and text[opening - 1] in SENTENCE_END and "）" not in text[opening:-1]:
            fired("note-ends-paragraph")
            return True
    return False


_BRACKET = re.compile("[" + re.escape("".join(OPENERS) + "".join(OPENERS.values())) + "]")


_PARTNER = {**OPENERS, **{closer: opener for opener, closer in OPENERS.items()}}


def _balanced(text: str) -> bool:
    """Does every kind of quote and bracket open as often as it closes?"""
    if _BRACKET.search(text) is None:
        return True  # most headlines: neither quotes nor brackets
    found = _BRACKET.findall(text)
    # Only the kinds present can be out of balance: one or two, not all nine.
    for mark in set(found):
        if found.count(mark) != found.count(_PARTNER[mark]):
            if mark == "》" and "《" not in found and found.count("》") == 1:
                continue  # a column label's mark, 時論廣場》… (rule column-label-leading)
            return False
    return True


def looks_like_headline(text: str) -> bool:
    """Rules headline-line and fragment-not-headline: short, unfinished, phrase-like."""
    if len(text) > 2 * HEADLINE_MAX:  # cheap bound before copying: spaces are few
        return False
    t = text.replace(" ", "").replace("\t", "")
    if not t or len(t) > HEADLINE_MAX:
        return False
    if "。" in t or "！" in t or "？" in t or "!" in t or "?" in t:
        return False
    if t[-1] in "，,、；;：:…" or t[-1] in DANGLING_ENDINGS:
        return False
    if t.count("，") + t.count(",") > HEADLINE_MAX_COMMAS:
        return False
    if not _balanced(t):
        return False
    # LEADING_DATE starts with \d (a decimal digit), DATELINE_RE with a DATELINE_FIRST
    # character: test the first character before running either.
    if t[0].isdecimal() and LEADING_DATE.match(t):
        return False
    if t[0] in "〔【" and cr.match_run_in_byline(text):
        return False  # a byline that starts a report (rule bracketed-byline)
    if t[-1] in _BYLINE_TAIL_LAST and cr.match_credit_line(text):
        return False  # 記者陳政宇／特稿: a credit line
    return not (t[0] in DATELINE_FIRST and DATELINE_RE.match(t))


def _deck(text: str, lines: list[Line], idx: int, test_headline: bool = False) -> bool:
    """Rule deck-before-dateline: is this line, right under a headline line, its deck?
    It ends no sentence, is no headline line itself, and a dateline follows it."""
    return (
        idx + 1 < len(lines)
        and not _finished(text)
        and "。" not in text  # (a deck is one phrase: a full stop inside makes it text)
        and "！" not in text
        and "？" not in text
        and _dateline(lines[idx + 1].text) is not None
        and _dateline(text) is None
        and not (test_headline and looks_like_headline(text))  # (a headline line is one anyway)
    )


def _asking_headline(text: str, lines: list[Line]) -> bool:
    """Rule headline-question: the page's first line, set apart by a blank line, is its
    headline even when it asks or exclaims (來亂的？卓伯源籲…, …靈肉分離？)."""
    if ("？" not in text and "！" not in text) or text[0] in _PLAIN_END:
        return False
    if len(lines) > 1 and not lines[1].gap:
        return False
    if cr.split_trailing_credit(text) or (
        (text[-1:] in _PHOTO_LAST or text[:1] in _PHOTO_FIRST) and cr.match_photo_credit(text)
    ):
        return False  # (a credit after the question: a sentence and its credit)
    return looks_like_headline(text.replace("？", "").replace("！", ""))


def _running_text_follows(lines: list[Line], idx: int) -> bool:
    """Is the next line (past any photo credit) running text of the same paragraph kind:
    not a heading, dateline, credit, jump line, column label, notice or headline line?"""
    k = idx + 1
    while k < len(lines):
        photo = cr.match_photo_credit(lines[k].text) if cr.may_be_photo_credit(lines[k].text) else None
        if not (photo and not photo[0]):
            break
        k += 1
    if k >= len(lines):
        return False
    line = lines[k]
    text = line.text
    if (  # (the cheap tests of ``units`` first, as there)
        line.level
        or line.bold
        or (text[:1] in "（(" and JUMP_RE.match(text))
        or cr.match_credit_line(text)
        or (("|" in text or "｜" in text) and COLUMN_LABEL_RE.match(text))
        or _notice_start(text)
        or cr.match_dateline(text)
        or (text[:1] in "〔【" and cr.match_run_in_byline(text))
        or (text[:1] == "[" and BRACKET_HEADLINE_RE.match(text))
        or looks_like_headline(text)
    ):
        return False
    # Rule deck-before-dateline: an unfinished line that a dateline follows is the deck
    # under this headline, not running text.
    return _finished(text) or k + 1 >= len(lines) or _dateline(lines[k + 1].text) is None


def _caption_like(unit: Unit) -> bool:
    """A paragraph that reads as a photo caption: set apart by a wide gap, or starting
    with a date clause or 图为 (rule photo-item). After a dateline only 图为 says so (a
    dated report may be set apart or open with a date too)."""
    if unit.text.startswith("图为"):
        return True
    return not unit.dateline and (unit.gap >= 2 or bool(LEADING_DATE.match(unit.text)))


def _body_inline(text: str) -> Inline:
    # (drop_stray_spaces's first test, without the call: most pieces have no space)
    return convert_markup(drop_stray_spaces(text) if " " in text or "\t" in text else text)


def _para_unit(line: Line, text: str) -> Unit:
    """A paragraph that is one whole line of body text."""
    # _body_inline's fast paths, inlined: most paragraphs have no space and no markup,
    # and their unit needs no Inline (``_paragraph`` reads plain text from ``unit.text``).
    if " " in text or "\t" in text:
        text = drop_stray_spaces(text)
    if "*" in text or "_" in text or "^" in text:
        inline = convert_markup(text)
        return Unit("para", line, inline.text, line.gap, inline=inline)
    return Unit("para", line, text, line.gap)


_BYLINE_TAIL_LAST = frozenset("導导稿")  # a byline's tail, ／台北報導, ／特稿, ends in one

# ``credits.may_be_photo_credit``'s first test, inlined where every line passes: the last
# and first characters a photo or graphic credit can have.
_PHOTO_LAST = frozenset(PHOTO_CREDIT_LAST | {"）"})
_PHOTO_FIRST = frozenset("制製图圖")


def _page_header(text: str) -> bool:
    """Rule page-header: ``Page 2``, ``第3版``, ``A03 要闻``, ``01版：要闻``, and any of them
    in brackets (``[01版：要闻]``, ``【第3版】``)."""
    if text[:1] in _HEADER_OPEN and text[-1:] in _HEADER_CLOSE:
        text = text[1:-1].strip()
    return (
        len(text) <= PAGE_HEADER_MAX
        and text[:1] in PAGE_HEADER_FIRST
        and PAGE_HEADER_RE.match(text) is not None
    )


_HEADER_OPEN, _HEADER_CLOSE = frozenset("[【"), frozenset("]】")


def _notice_start(text: str) -> bool:
    if not text.startswith(NOTICE_WORDS):
        return False
    first = text.split(" ", 1)[0].rstrip("：:")
    return first in NOTICE_WORDS or bool(NOTICE_CLOSING_RE.search(text) and text.startswith(NOTICE_WORDS))


@dataclass(slots=True)
class _OpenParagraph:
    first: Line
    pieces: list[Inline] = field(default_factory=list)
    dateline: str | None = None
    credit: Credit | None = None
    figures: list[Unit] = field(default_factory=list)  # photo credits found inside
    moved: list[tuple[int, str]] = field(default_factory=list)  # (piece index, printed credit)

    def tail(self) -> str:
        """The end of the paragraph so far (enough to tell whether a sentence ended)."""
        for piece in reversed(self.pieces):
            if piece.text:
                return piece.text
        return ""


def units(
    lines: list[Line], diagnostics: list[Diagnostic], source: str, *, blank_ends: bool = False
) -> list[Unit]:
    """The page's units. ``blank_ends``: the page does not separate its paragraphs by
    blank lines, so a blank line ends the paragraph before it (rule blank-line-ends-paragraph)."""
    out: list[Unit] = []
    append = out.append
    para: _OpenParagraph | None = None
    fire = recorder()
    held: list[Unit] = []  # page headers met inside an open paragraph (rule page-header)
    ad: list[str] | None = None  # the lines of an advertisement (rule bracketed-advertisement)
    ad_line: Line | None = None

    def close(unfinished_ok: bool = True) -> None:
        nonlocal para
        if para is None:
            return
        joined, joins = join(para.pieces)
        if not para.moved and len(joined.repairs) < 2:
            inline = joined  # nothing to add or sort: the usual paragraph
        else:
            repairs = list(joined.repairs)
            for piece_index, printed in para.moved:
                # The credit stood where piece ``piece_index`` starts (or at the very end).
                at = joins[piece_index - 1] if 0 < piece_index <= len(joins) else len(joined.text)
                repairs.append(Repair(at, at, printed, "photo-credit-inside-paragraph"))
            repairs.sort(key=lambda r: (r.start, r.end))
            inline = Inline(joined.text, joined.marks, tuple(repairs))
        if inline.text or para.dateline:
            append(
                Unit(
                    "para",
                    para.first,
                    inline.text,
                    para.first.gap,
                    inline=inline,
                    joins=joins,
                    dateline=para.dateline,
                    credit=para.credit,
                )
            )
        out.extend(para.figures)
        para = None
        if held:  # page headers the paragraph ran across (rule page-header)
            out.extend(held)
            held.clear()

    def add_body(line: Line, text: str, dl: _Dateline | None | Literal[False] = False) -> None:
        """Add a body line to the open paragraph or start one; split a trailing credit.

        ``dl`` is the line's ``match_dateline`` when the caller has it (False: not known)."""
        nonlocal para
        if para is None:
            if dl is False:
                dl = _dateline(text)
            if text[-1:] in _PLAIN_END and not dl:
                # The common case, a whole paragraph on one line ending in 。 (so no credit
                # can follow it): no assembly needed.
                append(_para_unit(line, text))
                return
        if text[-1:] in _PLAIN_END:
            trailing = photo = None  # (the first test of both matchers: no credit ends in 。)
        else:
            trailing = cr.split_trailing_credit(text)
            photo = (
                None
                if trailing or not (text[-1:] in _PHOTO_LAST or text[:1] in _PHOTO_FIRST)
                else cr.match_photo_credit(text)
            )
        if trailing:
            text = trailing[0]
            dl = False  # a shorter text: its dateline is looked up again
        elif photo and photo[0]:
            text = photo[0]
            dl = False
        if para is None:
            if dl is False:
                dl = _dateline(text)
            if not photo:
                # The common case, a whole paragraph on one line (a credit may follow it,
                # a dateline may lead it): the unit is made here, without the assembly
                # below, which would close the paragraph again at once.
                if dl is None:
                    if trailing or _finished(text):
                        append(_para_unit(line, text))
                        if trailing:
                            append(Unit("credit", line, trailing[1].text, 0, credit=trailing[1]))
                        return
                elif dl[2]:
                    piece = _body_inline(dl[2])
                    if trailing or _finished(piece.text):
                        append(
                            Unit(
                                "para",
                                line,
                                piece.text,
                                line.gap,
                                inline=piece,
                                dateline=dl[0],
                                credit=dl[1],
                            )
                        )
                        if trailing:
                            append(Unit("credit", line, trailing[1].text, 0, credit=trailing[1]))
                        return
            para = _OpenParagraph(line)
            if dl:
                para.dateline, para.credit, text = dl
        if text:
            para.pieces.append(_body_inline(text))
        if photo and photo[0]:
            # A caption with its credit on the same line (rule photo-item).
            caption = para
            if caption.moved:
                # Photo credits dropped inside the text before this caption: that text
                # is a paragraph, they stay inside it, and what follows the last of them
                # is the caption (in page order, nothing lost).
                at = caption.moved[-1][0]
                para = _OpenParagraph(
                    caption.first,
                    caption.pieces[:at],
                    caption.dateline,
                    caption.credit,
                    caption.figures,
                    caption.moved,
                )
                close()
                caption = _OpenParagraph(line, caption.pieces[at:])
            para = None
            joined, joins = join(caption.pieces)
            append(
                Unit(
                    "figure",
                    caption.first,
                    joined.text,
                    caption.first.gap,
                    inline=joined,
                    joins=joins,
                    credit=photo[1],
                    dateline=caption.dateline,
                    byline=caption.credit,
                )
            )
            return
        if trailing:
            close()
            append(Unit("credit", line, trailing[1].text, 0, credit=trailing[1]))
        elif _finished(para.tail()) and not (para.dateline and not para.pieces):
            close()

    def end_ad() -> None:
        nonlocal ad
        if ad:
            assert ad_line is not None
            append(Unit("ad", ad_line, "\n".join(ad), ad_line.gap))
        ad = None

    in_report = False  # inside a 本报讯-style report (rule fragment-not-headline)
    brackets = False  # the page marks its headlines by brackets (rule bracketed-headline)
    numbered = enumerate(lines)
    for idx, line in numbered:
        _, text, gap, level, bold = line
        if gap and blank_ends and para is not None:
            if not _finished(para.tail()):
                fire("blank-line-ends-paragraph")
            close()
        first = text[:1]
        if first in _HEADER_OPEN and text[-1:] in _HEADER_CLOSE and _page_header(text):
            # Rule page-header, in brackets: [01版：要闻] heads a page, it is no headline.
            if ad is not None:
                end_ad()
            header = Unit("page-header", line, text, gap)
            if para is not None:
                held.append(header)
            else:
                append(header)
            fire("page-header")
            continue
        if first == "[" or ad is not None:  # (rare: a bracketed line, an advertisement)
            bracketed = BRACKET_HEADLINE_RE.match(text) if first == "[" else None
            if ad is not None:
                # An advertisement runs to the next headline or page header.
                if bracketed is None and not _page_header(text):
                    ad.append(text)
                    continue
                end_ad()
            if bracketed:
                if para is not None:
                    close()
                in_report = False
                if bracketed.group("signer"):
                    # Rule bracketed-advertisement: [headline] [signer], then its text.
                    append(Unit("ad", line, bracketed.group("head"), gap))
                    append(Unit("ad", line, bracketed.group("signer"), 0))
                    ad, ad_line = [], line
                    fire("bracketed-advertisement")
                else:
                    append(Unit("head", line, bracketed.group("head"), gap, level=level, bold=bold))
                    fire("bracketed-headline")
                    brackets = True
                continue
        if "\t" in text and para is None and not level and not bold:
            parts = [part.strip() for part in text.split("\t") if part.strip()]
            if len(parts) > 1 and all(map(looks_like_headline, parts)):
                # Tabs joining kicker / headline / subtitle on one line: a headline stack.
                in_report = False
                out.extend(Unit("head", line, part, gap if n == 0 else 1) for n, part in enumerate(parts))
                continue
            text = text.replace("\t", " ")
        # Only short lines can be jump lines, credits, labels; a long line is running text
        # unless it starts a report or a notice.
        if (
            len(text) > _SHORT_LINE
            and not level
            and not bold
            and not (text[0] in _LONG_SPECIAL_FIRST and _LONG_SPECIAL.match(text))
        ):
            if not gap and para is None and out and out[-1].kind == "head" and _deck(text, lines, idx, True):
                in_report = False
                append(Unit("head", line, text, gap))
                fire("deck-before-dateline")
                continue
            if para is None and (text[-1] in _PLAIN_END or (text[-1] in _QUOTE_END and _finished(text))):
                # add_body's common case, a paragraph on one line ending in 。 (or in 。”):
                # taken here without its dateline test (_LONG_SPECIAL includes DATELINE_RE)
                # and without looking for a credit after it.
                append(_para_unit(line, text))
            else:
                add_body(line, text, None)  # (no dateline, as above)
            continue
        if (first in PAGE_HEADER_FIRST and len(text) <= PAGE_HEADER_MAX and PAGE_HEADER_RE.match(text)) or (
            "日期" in text and len(text) <= 2 * PAGE_HEADER_MAX and MASTHEAD_HEADER_RE.match(text)
        ):
            header = Unit("page-header", line, "#" * level + " " + text if level else text, gap)
            if para is not None:
                held.append(header)  # the paragraph goes on after it
            else:
                append(header)
            fire("page-header")
            continue
        if level or bold:
            if idx == 0 and level == 1 and first.isdecimal() and FILE_HEADER_RE.match(text):
                append(Unit("file-header", line, "# " + text, gap))
                fire("file-header")
                continue
            if para is not None:
                close()
            in_report = False
            append(Unit("head", line, text.replace("\t", " "), gap, level=level, bold=bold))
            continue
        if first in "（(" and JUMP_RE.match(text):
            if para is not None:
                close()
            in_report = False
            append(Unit("note", line, text, gap))
            continue
        # Each matcher below is tried only when the line has what its shape must start or
        # end with (the same tests the matchers open with, without the call).
        photo = cr.match_photo_credit(text) if (text[-1:] in _PHOTO_LAST or first in _PHOTO_FIRST) else None
        if photo and not photo[0]:
            if para is not None and not para.pieces:
                # A dateline alone, then a photo credit: the dateline is the photo's.
                append(
                    Unit(
                        "figure",
                        para.first,
                        "",
                        para.first.gap,
                        credit=photo[1],
                        dateline=para.dateline,
                        byline=para.credit,
                    )
                )
                para = None
                continue
            if para is not None and not _finished(para.tail()):
                # A credit inside a broken paragraph (rule photo-credit-inside-paragraph).
                para.moved.append((len(para.pieces), photo[1].text))
                fire("photo-credit-inside-paragraph")
                para.figures.append(Unit("figure", line, "", gap, credit=photo[1]))
                continue
            if para is not None:
                close()
            if out and out[-1].kind == "para" and gap <= 1 and _caption_like(out[-1]):
                # The credit on the line under its caption (rule photo-item).
                cap = out.pop()
                append(
                    Unit(
                        "figure",
                        cap.line,
                        cap.text,
                        cap.gap,
                        inline=cap.inline,
                        joins=cap.joins,
                        credit=photo[1],
                        dateline=cap.dateline,
                        byline=cap.credit,
                    )
                )
            else:
                append(Unit("figure", line, "", gap, credit=photo[1]))
            continue
        if first in ("（", "(") and text[-1:] in ("）", ")"):
            closing = CLOSING_DATELINE_RE.match(text)
            if closing:  # rule closing-dateline
                if para is not None:
                    close()
                in_report = False
                append(Unit("dateline", line, text, gap, dateline=closing.group("dateline")))
                continue
            if text[1:3] == "作者" and AUTHOR_NOTE_RE.match(text):
                # Rule headline-author: （作者為…） on its own line is the author's note, a
                # credit line that names nobody (not a paragraph, not a headline).
                if para is not None:
                    close()
                in_report = False
                append(Unit("credit", line, text, gap, credit=Credit(text, ())))
                fire("headline-author")
                continue
        if first in EDITOR_BOX_FIRST and EDITOR_BOX_RE.match(text):
            if para is not None:
                close()
            append(Unit("editor-box", line, text, gap))
            continue
        if first in "〔【":
            run_in = cr.match_run_in_byline(text)
            if run_in is not None:
                # Rule bracketed-byline: 〔記者甲／台北報導〕 starts a report.
                if para is not None:
                    close()
                in_report = True
                append(Unit("byline", line, run_in[0].text, gap, credit=run_in[0]))
                fire("bracketed-byline")
                rest = run_in[1].strip()
                if rest:
                    add_body(line, rest)
                continue
        credit = cr.match_credit_line(text) if first in CREDIT_FIRST or first.isspace() else None
        if credit is not None:
            if para is not None:
                close()
            in_report = False
            append(Unit("credit", line, credit.text, gap, credit=credit))
            continue
        column = COLUMN_LABEL_RE.match(text) if ("|" in text or "｜" in text) else None
        if column and (not column.group("rest") or looks_like_headline(column.group("rest"))):
            if para is not None:
                close()
            in_report = False
            append(Unit("column", line, column.group("column"), gap))
            fire("column-label")
            if column.group("rest"):
                append(Unit("head", line, column.group("rest"), 0))
            continue
        if first in _NOTICE_FIRST and _notice_start(text):
            if para is not None:
                close()
            in_report = False
            append(Unit("notice", line, text, gap))
            continue
        dateline = cr.match_dateline(text) if first in DATELINE_FIRST else None
        if dateline:
            if para is not None:
                if not _finished(para.tail()):
                    warning = "paragraph ends mid-sentence before a new dateline"
                    diagnostics.append(Diagnostic("PO210", source, warning, para.first.no))
                close()
            in_report = True
            rest = dateline[2]
            photo = cr.match_photo_credit(rest) if rest and cr.may_be_photo_credit(rest) else None
            if photo and not photo[0]:
                # A dateline and a photo credit alone on the line: a photo's (rule photo-item).
                append(
                    Unit("figure", line, "", gap, credit=photo[1], dateline=dateline[0], byline=dateline[1])
                )
                continue
            add_body(line, text, dateline)
            continue
        if para is not None:
            add_body(line, text)
            continue
        headline = looks_like_headline(text)
        if headline and brackets:
            headline = False  # a page that brackets its headlines: an unbracketed line is text
        elif not headline:
            if not gap and out and out[-1].kind == "head" and _deck(text, lines, idx):
                in_report = False
                append(Unit("head", line, text, gap))
                fire("deck-before-dateline")
                continue
            if idx == 0 and _asking_headline(text, lines):
                headline = True
                fire("headline-question")
        elif (
            len(text) <= SIGNATURE_MAX
            and idx + 1 < len(lines)
            and lines[idx + 1].text[-1:] == "日"
            and out
            and out[-1].kind == "para"
            and not lines[idx + 1].level
            and FULL_DATE_RE.match(lines[idx + 1].text)
        ):
            # Rule letter-signature: a signature and its date after a finished paragraph.
            append(_para_unit(line, text))
            append(_para_unit(lines[idx + 1], lines[idx + 1].text))
            fire("letter-signature")
            next(numbered)  # (the date line, taken)
            continue
        if headline:
            if not (in_report and _running_text_follows(lines, idx)):
                in_report = False
                append(Unit("head", line, text, gap))
                continue
            fire("fragment-not-headline")  # inside a report, running text follows
        elif len(text) <= HEADLINE_MAX and not _finished(text):
            fire("fragment-not-headline")  # short and unfinished, but it reads as a sentence piece
        add_body(line, text)
    end_ad()
    close()
    out.extend(held)
    return out


_Dateline = tuple[str, Credit | None, str]  # what match_dateline finds


def _dateline(text: str) -> _Dateline | None:
    """``match_dateline`` behind its own first-character test (most lines fail it)."""
    return cr.match_dateline(text) if text[:1] in DATELINE_FIRST else None


# --- articles ---------------------------------------------------------------------


@dataclass(slots=True)
class RawArticle:
    """An article being assembled; the reader gives it an id and freezes it."""

    kind: Kind
    line: int  # where it starts in the source
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    column: str | None = None
    dateline: str | None = None
    byline: Credit | None = None
    body: list[Paragraph | Subhead | Figure | Note] = field(default_factory=list)
    closing: list[Credit] = field(default_factory=list)
    closed: bool = False
    level: int = 0  # Markdown level of its headline, 0 when none
    has_text: bool = False  # a paragraph or figure so far (kept, not recounted: pages can be huge)

    def add(self, block: Paragraph | Subhead | Figure | Note) -> None:
        self.body.append(block)
        if isinstance(block, (Paragraph, Figure)):
            self.has_text = True


@dataclass(slots=True)
class Segmented:
    articles: list[RawArticle]
    furniture: list[tuple[str, str, int]]  # (kind, text, number of articles before it)
    # The page headers read (rule page-header), as printed: ``Page 1``, ``A03 要闻``; their
    # furniture kind is "banner" until the model has a kind for them (see header_page).
    page_headers: list[str] = field(default_factory=list)


_HEADER_PAGE = re.compile(r"(\d{1,3})")
# A page header's parts: its label (a number, or a section letter and number) and the
# page's name after it (rule page-header's forms, in brackets or not).
_HEADER_PARTS = re.compile(
    r"^[\[【]?\s*(?:(?:当前|當前)版\s*[:：]\s*)?(?:[Pp]age\s*|第\s*)?(?P<label>[A-Fa-f]?\d{1,3})"
    r"(?:\s*版)?\s*[:：]?\s*(?P<name>.*?)\s*[\]】]?$"
)


def page_of_header(header: str) -> Page | None:
    """The page a page header heads: ``第3版：要闻`` → Page("3", "要闻"), ``A03 杭州新闻`` →
    Page("A03", "杭州新闻"), ``[01版：要闻]`` → Page("1", "要闻"), ``Page 2`` → Page("2");
    None when it names no page (an archive's masthead line without 版次)."""
    header = header.lstrip("# ").strip()
    masthead = MASTHEAD_HEADER_RE.match(header)
    if masthead is not None:  # (its date's numbers are no page)
        page = masthead.group("page")
        return Page(page_label(page)) if page else None
    m = _HEADER_PARTS.match(header)
    if m is None:
        return None
    return Page(page_label(m.group("label")), m.group("name") or None)


def page_label(printed: str) -> str:
    """A page's label as the model keeps it: a bare number without leading zeros (``01`` →
    ``1``), a section letter upper-cased with its number as printed (``a03`` → ``A03``)."""
    printed = printed.strip()
    if printed.isdigit():
        return str(int(printed))
    return printed[:1].upper() + printed[1:]


def header_page(header: str) -> int | None:
    """The page a page header names: ``Page 2`` → 2, ``第3版`` → 3, ``A03 要闻`` → 3,
    ``01版：要闻`` → 1 (the first number in it)."""
    masthead = MASTHEAD_HEADER_RE.match(header)
    if masthead is not None:  # (its date's numbers are no page)
        page = masthead.group("page")
        return int(re.sub(r"\D", "", page)) if page else None
    m = _HEADER_PAGE.search(header)
    return int(m.group(1)) if m else None


def _credit_first(credit: Credit) -> bool:
    """Was this dateline's credit printed before it? (中央社記者甲台北10日電: rule
    dateline-traditional; a bracketed credit follows its dateline.)"""
    return credit.text[:1] not in "（("


def _as_printed(dateline: str, credit: Credit | None) -> str:
    """A run-in dateline and its credit, in the order the page printed them."""
    if credit is None:
        return dateline
    return credit.text + dateline if _credit_first(credit) else dateline + credit.text


def _is_subtitle(text: str) -> bool:
    return text.startswith(SUBTITLE_DASHES) or text.endswith(SUBTITLE_ENDINGS)


def _prepend(lead: str, p: Paragraph) -> Paragraph:
    """``lead`` + the paragraph, its offsets moved along."""
    by = len(lead)
    return Paragraph(
        lead + p.text,
        tuple(Mark(m.start + by, m.end + by, m.style) for m in p.marks),
        tuple(Repair(r.start + by, r.end + by, r.orig, r.reason) for r in p.repairs),
        tuple(j + by for j in p.joins),
    )


def _paragraph(unit: Unit) -> Paragraph:
    inline = unit.inline
    if inline is None:  # plain text (see _para_unit)
        return Paragraph(unit.text, (), (), unit.joins)
    return Paragraph(inline.text, inline.marks, inline.repairs, unit.joins)


_LABEL_LAST = ("）", ")")  # a headline ending in one may end in a column label or an author
# Rule notice: a headline that is a notice's title in 【】, 【君綺高雄診所聲明】.
_NOTICE_TITLE = re.compile(r"^【[^【】]{0,30}(?:" + "|".join(NOTICE_WORDS) + r")】$")


def title_labels(art: RawArticle, fire: Callable[[str], None] = fired) -> None:
    """What a headline line holds besides the headline, taken off ``art.title``: an author
    in brackets at its end (rule headline-author), a column label at its head (rule
    column-label-leading) or in brackets at its end (rule column-label-bracketed).

    The assembler calls it for every headline it reads; a reader that takes a title from
    elsewhere (a record's title field) can call it on its article too."""
    title = art.title or ""
    if title[-1:] in _LABEL_LAST:
        _headline_author(art, fire)
        title = art.title or ""
    if art.column is None and ("》" in title or "／" in title or title[:1] == "【"):
        _leading_column(art, fire)
        title = art.title or ""
    if title[-1:] in _LABEL_LAST:
        _bracketed_column(art, fire)


def _headline_author(art: RawArticle, fire: Callable[[str], None]) -> None:
    """Rule headline-author: 聲討簡舒培惡質索資（何豪毅） is the headline 聲討簡舒培惡質索資
    by 何豪毅."""
    m = HEADLINE_AUTHOR_RE.match(art.title or "")
    if m is None or art.byline is not None or not cr.is_person_name(m.group("name")):
        return
    name = m.group("name")
    art.title = m.group("title")
    art.byline = Credit(f"（{name}）", (Contributor(name, Role.AUTHOR),))
    fire("headline-author")


def _leading_column(art: RawArticle, fire: Callable[[str], None]) -> None:
    """Rule column-label-leading: 時論廣場》避戰才是台灣唯一選項 is the headline
    避戰才是台灣唯一選項 in the column 時論廣場; 婚變延燒》… stays as printed."""
    m = LEADING_COLUMN_RE.match(art.title or "")
    if m is None:
        return
    book = m.group("book")
    chevron = m.group("chevron")
    label = book or chevron or m.group("lenticular") or m.group("slash")
    if book:
        recurring = label.endswith(COLUMN_GENRE_ENDINGS) or label[-1] in COLUMN_GENRE_CHARS_BOOK
    elif chevron and len(label) == 1:
        recurring = True  # a one-hanzi tag (影》: a video story)
    else:
        recurring = len(label) >= 2 and (
            label.endswith(COLUMN_GENRE_ENDINGS) or label[-1] in COLUMN_GENRE_CHARS
        )
    rest = m.group("rest").strip()
    if not recurring or len(rest) < 2:
        return
    art.column, art.title = label, rest
    fire("column-label-leading")


def _role_credit(text: str) -> bool:
    """Is this a credit with a role word (not a bare name, which a label can look like:
    （金台随感）)?"""
    credit = cr.match_credit_line(text)
    return credit is not None and any(c.role is not Role.AUTHOR for c in credit.contributors)


def _bracketed_column(art: RawArticle, fire: Callable[[str], None]) -> None:
    """Rule column-label-bracketed: 有了灯光，也要留住星光（域外听风） is the headline
    有了灯光，也要留住星光 in the column 域外听风 (unless a column label named one)."""
    m = COLUMN_BRACKET_RE.match(art.title or "")
    if m is None or art.column is not None:
        return
    title, column = m.group("title"), m.group("column")
    if (
        any(len(HAN_RE.findall(part)) > COLUMN_BRACKET_MAX for part in re.split("[ ·]", column))
        or NOT_COLUMN_BRACKET_RE.search(column)
        or len(title) < 2
        or not _balanced(title)
        or not _balanced(column)
        or _role_credit(f"（{column}）")  # （记者 丁一）, （以上由丁一编辑整理）: credits
    ):
        return
    art.title, art.column = title, column
    fire("column-label-bracketed")


class _Assembler:
    def __init__(
        self, units_: list[Unit], *, blank_separated: bool, diagnostics: list[Diagnostic], source: str
    ) -> None:
        self.units = units_
        self.blank_separated = blank_separated
        self.diagnostics = diagnostics
        self.source = source
        self.articles: list[RawArticle] = []
        self.furniture: list[tuple[str, str, int]] = []
        self.current: RawArticle | None = None
        self.column: str | None = None  # a column label waiting for its article
        self.box: str | None = None  # the column of a box of briefs (rule box-column)
        self.page_headers: list[str] = []
        self.at = 0  # the index of the unit after the stack being read
        self.dated: list[int] | None = None  # where the dated paragraphs are (rule box-column)
        self.fire = recorder()

    def warn(self, code: str, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic(code, self.source, message, line))

    def furnish(self, kind: str, text: str) -> None:
        """Page furniture, after the articles so far (rules banner, editor-box). It ends
        the open article: what follows it is not that article's text (furniture stands
        between articles, so the model keeps the page's order)."""
        if self.current is not None:
            self.current.closed = True
        self.furniture.append((kind, text, len(self.articles)))
        self.fire(kind)

    def page_header(self, unit: Unit) -> None:
        """Rule page-header: furniture where it stands, which neither ends the open
        article nor takes a waiting column label (the page goes on after it)."""
        if unit.kind == "page-header":  # (a file header names no page)
            self.furniture.append(("page-header", unit.text.lstrip("# "), len(self.articles)))
            self.page_headers.append(unit.text.lstrip("# "))
        else:
            self.furniture.append(("banner", unit.text, len(self.articles)))

    def advertisement(self, unit: Unit) -> None:
        """Rule bracketed-advertisement: the ad's headline, signer and text are furniture."""
        self.flush_column()
        if self.current is not None:
            self.current.closed = True
        self.furniture.append(("banner", unit.text, len(self.articles)))

    def byline(self, unit: Unit) -> None:
        """Rule bracketed-byline: the byline of the open article, when nothing of its text
        came yet; else it starts a report whose headline the page does not print."""
        assert unit.credit is not None
        art = self.open()
        if art is None or art.has_text or art.body or art.byline is not None or art.kind is not Kind.ARTICLE:
            art = self.start(Kind.ARTICLE, unit.line.no)
            self.fire("headline-missing")
        art.byline = unit.credit
        self.fire("credit-roles")

    def open(self) -> RawArticle | None:
        return self.current if self.current is not None and not self.current.closed else None

    def start(self, kind: Kind, line: int, **fields: Any) -> RawArticle:
        if self.current is not None:
            self.current.closed = True
        self.current = RawArticle(kind=kind, line=line, column=self.column or self.box, **fields)
        self.column = None
        self.articles.append(self.current)
        return self.current

    def run(self) -> Segmented:
        units_, i = self.units, 0
        count = len(units_)
        while i < count:
            unit = units_[i]
            kind = unit.kind
            if kind == "para":  # most units: tested first
                i += 1
                art = self.current
                if unit.dateline is None and art is not None and not art.closed:
                    # The usual paragraph, more text of the open article: ``paragraph``'s
                    # plain case, without a method call for each paragraph of the page.
                    art.body.append(_paragraph(unit))
                    art.has_text = True
                else:
                    self.paragraph(unit)
                continue
            if kind in ("head", "column"):
                j = i + 1
                while j < count and units_[j].kind in ("head", "column") and units_[j].line.text[:1] != "[":
                    j += 1  # (rule bracketed-headline: a bracketed line starts a stack of its own)
                k = j
                while k < count and units_[k].kind == "page-header":
                    k += 1  # (a page header between a headline and its text: rule page-header)
                self.at = k
                self.stack(units_[i:j], units_[k] if k < count else None)
                i = j
                continue
            nxt = units_[i + 1] if i + 1 < count else None
            i += 1
            if kind == "figure":
                self.figure(unit, nxt)
            elif kind == "credit":
                self.credit(unit)
            elif kind == "note":
                self.note(unit)
            elif kind == "dateline":
                self.closing_dateline(unit)
            elif kind == "notice":
                i = self.notice(unit, i)
            elif kind == "editor-box":
                self.flush_column()
                self.furnish("editor-box", unit.text)
            elif kind == "byline":
                self.byline(unit)
            elif kind in ("page-header", "file-header"):
                self.page_header(unit)
            elif kind == "ad":
                self.advertisement(unit)
        self.flush_column()
        return Segmented(self.articles, self.furniture, self.page_headers)

    def flush_column(self) -> None:
        """A column label that no article took: a banner, where it stood."""
        if self.column:
            self.furnish("banner", self.column)
            self.column = None

    # headline stacks ---------------------------------------------------------------

    def merge_wrapped(self, heads: list[Unit]) -> list[Unit]:
        """Rule headline-wrap: headline lines with no blank line between are one headline."""
        merged: list[Unit] = []
        last_line = 0
        for unit in heads:
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and self.blank_separated
                and unit.gap == 0
                and unit.line.no == last_line + 1
                and unit.level == prev.level
                and not _is_subtitle(unit.text)
            ):
                # A clause boundary (a space already there, a closing quote) keeps a
                # space; a wrap inside a phrase joins without one.
                sep = " " if (" " in prev.text or prev.text[-1:] in CLOSERS) else ""
                merged[-1] = Unit("head", prev.line, prev.text + sep + unit.text, prev.gap, level=prev.level)
                self.fire("headline-wrap")
            else:
                # The stack's own unit (a plain head): never changed, only replaced above.
                merged.append(unit)
            last_line = unit.line.no
        return merged

    def stack(self, stack: list[Unit], nxt: Unit | None) -> None:
        has_column = False
        if len(stack) == 1 and stack[0].kind == "head" and not stack[0].bold:
            heads = stack  # the usual stack, one headline line: nothing to sort or merge
        else:
            heads = []
            for unit in stack:
                if unit.kind == "head" and not unit.bold:
                    heads.append(unit)
                    continue
                if heads:
                    # Headline lines that a column label or a banner follows, not text:
                    # banners too (rule banner), kept before it in page order.
                    self.banners(heads)
                    heads = []
                if unit.kind == "column":
                    has_column = True
                    if self.column:
                        self.furnish("banner", self.column)
                    self.column = unit.text
                else:  # rule banner: bold slogans are furniture
                    self.flush_column()
                    self.furnish("banner", unit.text)
            if len(heads) > 1:  # (a single line has nothing to merge with)
                heads = self.merge_wrapped(heads)
            if not heads:
                if has_column and self.current is not None:
                    # A column label alone: the next item is in it, not the open one.
                    self.current.closed = True
                return
        texts = [h.text for h in heads]

        if nxt is not None and nxt.kind == "figure" and nxt.text and nxt.credit and len(heads) == 1:
            # Rule photo-item: the headline printed over a captioned photo is the photo
            # item's (a picture story: 博物馆研学览古今…（环球掠影）, then 图为… 甲摄).
            photo = self.start(Kind.PHOTO, heads[0].line.no, title=texts[0], level=heads[0].level)
            self.fire("headline-line")
            title_labels(photo, self.fire)
            return
        if (
            nxt is None
            or nxt.kind in ("notice", "editor-box", "ad", "head")
            or (nxt.kind == "figure" and nxt.text)
        ):
            # Rule banner: a headline that no text follows is furniture.
            self.banners(heads)
            return

        art = self.open()
        # A name alone after the text of an open article is its closing credit (not one
        # printed in brackets: rule bracketed-headline marks a headline).
        if (
            art is not None
            and art.has_text
            and not has_column
            and not heads[0].level  # (a Markdown heading is a heading: ### 官員落馬)
            and heads[0].line.text[:1] != "["
        ):
            author = cr.match_author_line(texts[0])
            if author is not None and (len(heads) == 1 or not cr.match_author_line(texts[1])):
                art.closing.append(author)
                self.fire("author-line")
                art.closed = True
                heads, texts = heads[1:], texts[1:]
                if not heads:
                    return
                art = None

        starts_report = nxt.kind == "para" and nxt.dateline is not None
        # Lines under the headline that a byline follows are its subtitles, not subheads
        # (a subhead is followed by text), so the credit stays after them in page order.
        before_byline = starts_report or nxt.kind in ("credit", "byline")
        if heads[0].level:  # (a plain headline line neither opens nor ends a box)
            if (
                starts_report
                and not has_column
                and len(heads) > 1
                and not any(h.level for h in heads[1:])
                and len(texts[0]) <= BOX_LABEL_MAX
                and len(texts[0]) < len(texts[1])
                and self.briefs_follow()
            ):
                # Rule box-column: a short heading above a brief's own headline lines.
                self.box = texts[0]
                self.fire("box-column")
                heads, texts = heads[1:], texts[1:]
            else:
                self.box = None  # another heading: the box (if any) ended
        if (
            art is not None
            and len(heads) == 1
            and not has_column
            and art.kind is Kind.ARTICLE
            and art.has_text
            and nxt.kind in ("para", "figure")
            and not starts_report
            and heads[0].line.text[:1] != "["  # (rule bracketed-headline: an item's own)
        ):
            head = heads[0]
            if head.level == 0 or head.level > max(art.level, 1) or art.level == 0:
                art.add(Subhead(head.text))
                self.fire("subhead")
                return

        # A new article (rules headline-stack, author-line).
        if len(heads) == 1:  # the usual stack, one line: the headline, nothing around it
            title = texts[0]
            kind = Kind.NOTICE if title[-1:] == "】" and _NOTICE_TITLE.match(title) else Kind.ARTICLE
            if kind is Kind.NOTICE:
                self.fire("notice")  # 【君綺高雄診所聲明】: a statement printed under its title
            art = self.start(kind, heads[0].line.no, title=title, level=heads[0].level)
            self.fire("headline-line")
            title = texts[0]
            if title[-1:] in _LABEL_LAST or "》" in title or "／" in title or title[:1] == "【":
                title_labels(art, self.fire)
            return
        byline = cr.match_author_line(texts[-1])
        if byline is not None:
            self.fire("author-line")
            heads, texts = heads[:-1], texts[:-1]
        levels = [h.level for h in heads]
        if any(levels):
            top = min(level for level in levels if level)
            main = levels.index(top)
        else:
            top, main = 0, 0
            while main < len(heads) - 1 and texts[main].endswith(KICKER_ENDINGS):
                main += 1
        subtitles: list[str] = []
        subheads: list[str] = []
        for head in heads[main + 1 :]:
            # (Subtitles stand right under the headline: after a subhead, all are subheads.)
            if not subheads and (
                _is_subtitle(head.text) or (top and head.level > top) or before_byline or byline is not None
            ):
                subtitles.append(head.text)
            else:
                subheads.append(head.text)
        art = self.start(
            Kind.ARTICLE,
            heads[0].line.no,
            title=texts[main],
            kicker=" ".join(texts[:main]) or None,
            subtitle=" ".join(subtitles) or None,
            byline=byline,
            level=top,
        )
        self.fire("headline-line")
        if art.kicker or art.subtitle:
            self.fire("headline-stack")
        title = texts[main]
        if title[-1:] in _LABEL_LAST or "》" in title or "／" in title or title[:1] == "【":
            title_labels(art, self.fire)
        for text in subheads:
            art.add(Subhead(text))
            self.fire("subhead")

    def briefs_follow(self) -> bool:
        """Do two reports (dated paragraphs) follow? (rule box-column)"""
        if self.dated is None:  # (made once: a long page may ask often)
            self.dated = [n for n, unit in enumerate(self.units) if unit.kind == "para" and unit.dateline]
        return len(self.dated) - bisect_left(self.dated, self.at) > 1

    def banners(self, heads: list[Unit]) -> None:
        """Headline lines that no text follows: page furniture (rule banner), after the
        column label waiting for an article, which no article follows either."""
        self.flush_column()
        for head in heads:
            self.furnish("banner", head.text)
            self.warn("PO230", f"headline without text kept as page furniture: {head.text}", head.line.no)

    # other units -------------------------------------------------------------------

    def paragraph(self, unit: Unit) -> None:
        art = self.current  # self.open(), inlined: called for every paragraph
        if art is not None and art.closed:
            art = None
        dateline = unit.dateline
        if art is None or (dateline and art.kind is not Kind.ARTICLE):
            # Rule headline-missing: text after a finished article starts a new one.
            art = self.start(Kind.ARTICLE, unit.line.no)
            if dateline:
                self.fire("headline-missing")
        para = _paragraph(unit)
        if dateline and art.dateline is None and not art.body:
            lead = self.take_dateline(art, dateline, unit.credit)
            if lead:
                para = _prepend(lead, para)
        elif dateline:
            # Several datelines in one roundup: the later ones stay in their paragraph.
            para = _prepend(_as_printed(dateline, unit.credit), para)
        art.body.append(para)  # art.add(para), inlined: called for every paragraph
        art.has_text = True

    def figure(self, unit: Unit, nxt: Unit | None) -> None:
        """A photo: in the open article when its text goes on after it (or when it is a
        bare credit), else a photo item of its own (rule photo-item). A dateline printed
        before the caption is the item's dateline, as for a report (rule dateline); in an
        article that already has one, or text, it stays at the head of the caption."""
        art = self.open()
        figure = Figure(unit.text, unit.credit)
        continues = nxt is not None and nxt.kind == "para" and not nxt.dateline
        if art is not None and art.kind is not Kind.PHOTO and (continues or not unit.text):
            if unit.dateline:
                if art.dateline is None and not art.body:
                    lead = self.take_dateline(art, unit.dateline, unit.byline)
                else:  # (as for a paragraph: several datelines in one roundup)
                    lead = _as_printed(unit.dateline, unit.byline)
                figure = Figure(lead + unit.text, unit.credit)
            art.add(figure)
            return
        if art is not None and art.kind is Kind.PHOTO and not art.body and unit.text:
            photo = art  # the photo its headline announced (rule photo-item)
        else:
            photo = self.start(Kind.PHOTO, unit.line.no)
        self.fire("photo-item")
        if unit.dateline:
            self.take_dateline(photo, unit.dateline, unit.byline)
        photo.add(figure)
        photo.closed = True

    def take_dateline(self, art: RawArticle, dateline: str, credit: Credit | None) -> str:
        """The article's dateline (rule dateline) and the credit printed with it, its
        byline; when it has a byline already (a credit line under the headline), the
        dateline's credit is returned, to stay at the head of the text."""
        if credit is not None and art.byline is not None and _credit_first(credit):
            # (中央社記者甲 台北10日電 under a byline: the run-in stays in the text, in order)
            return _as_printed(dateline, credit)
        art.dateline = dateline
        self.fire("dateline")
        if credit is None:
            return ""
        if art.byline is not None:
            return credit.text
        art.byline = credit
        self.fire("credit-roles")
        return ""

    def credit(self, unit: Unit) -> None:
        assert unit.credit is not None
        self.flush_column()  # (no article took it: the credit is not the byline of one)
        art = self.open()
        if (
            art is not None
            and not art.body
            and art.byline is None
            and art.kind is Kind.ARTICLE
            and unit.credit.contributors  # (an author's note is no byline: rule headline-author)
        ):
            art.byline = unit.credit  # a credit between headline and text is the byline
            self.fire("credit-roles")
            return
        if (
            art is None
            and self.articles
            and not (self.furniture and self.furniture[-1][2] == len(self.articles))
        ):
            art = self.articles[-1]  # (furniture after it: the credit is not its own)
        if art is None:
            where = "after page furniture" if self.articles else "before any article"
            self.warn("PO220", f"credit {where} kept as page furniture: {unit.text}", unit.line.no)
            self.furnish("banner", unit.text)
            return
        if unit.credit.text[1:3] in PICTURES_TOO and not art.closing:
            # （圖文：記者甲）: the pictures are the reporter's too, a figure known by its
            # credit (rule traditional-credits).
            art.add(Figure("", unit.credit))
            self.fire("traditional-credits")
            art.closed = True
            return
        art.closing.append(unit.credit)
        editor = any(c.role is Role.EDITOR for c in unit.credit.contributors)
        self.fire("editor-credit" if editor else "closing-credit")
        self.fire("credit-roles")
        art.closed = True

    def closing_dateline(self, unit: Unit) -> None:
        """Rule closing-dateline: （本报莫斯科4月30日电） after the text is the dateline of
        the article it ends; one that has a dateline already keeps the line as text."""
        art = self.open()
        if (
            art is None
            and self.articles
            and not (self.furniture and self.furniture[-1][2] == len(self.articles))
        ):
            art = self.articles[-1]  # (as for a closing credit)
        if art is None or not art.has_text:
            self.paragraph(Unit("para", unit.line, unit.text, unit.gap))
            return
        if art.dateline is None:
            art.dateline = unit.dateline
            self.fire("closing-dateline")
        else:
            art.add(Paragraph(unit.text))

    def note(self, unit: Unit) -> None:
        art = self.open()
        jump_in = bool(re.search(r"上接|接第|续", unit.text))
        if art is None or (jump_in and art.has_text):
            art = self.start(Kind.ARTICLE, unit.line.no)
        art.add(Note(unit.text))
        self.fire("continuation-note")
        if not jump_in:
            art.closed = True

    def notice(self, unit: Unit, i: int) -> int:
        """Rule notice: the notice line, then its paragraphs up to the signing date."""
        notice = self.start(Kind.NOTICE, unit.line.no)
        self.fire("notice")
        word, _, rest = unit.text.partition(" ")
        word = word.rstrip("：:")
        if word in NOTICE_WORDS:
            notice.title = word
        else:
            rest = unit.text
        for part in _notice_parts(rest):
            notice.add(Paragraph(drop_stray_spaces(part)))
        while i < len(self.units) and self.units[i].kind == "para" and not self.units[i].dateline:
            para = self.units[i]
            block = _paragraph(para)
            notice.add(block)
            i += 1
            # Photo credits found inside the paragraph follow it as figures: they stay
            # with it (rule photo-credit-inside-paragraph).
            for repair in block.repairs:
                if repair.reason == "photo-credit-inside-paragraph" and i < len(self.units):
                    notice.add(Figure("", self.units[i].credit))
                    i += 1
            if FULL_DATE_RE.match(para.text):
                break
        notice.closed = True
        return i


_NOTICE_SPLIT = re.compile(
    rf"(?<=[{re.escape(SENTENCE_END)}])\s+|\s+(?=特此)|(?<=通告|公告|声明|公示|通知)\s+|\s+(?=\d{{4}}年\d{{1,2}}月\d{{1,2}}日$)"
)


def _notice_parts(text: str) -> list[str]:
    """A one-line notice → its paragraphs: text, 特此通告, signatory, date."""
    return [part.strip() for part in _NOTICE_SPLIT.split(text) if part and part.strip()]


def segment(
    units_: list[Unit], *, blank_separated: bool, diagnostics: list[Diagnostic], source: str
) -> Segmented:
    return _Assembler(units_, blank_separated=blank_separated, diagnostics=diagnostics, source=source).run()
