"""The newspaper-page reader: one page dump (a .txt file) → one ``Issue``.

    decode (bytes → text) → lines (spaces, punctuation, Markdown) → units (paragraphs
    rejoined, lines classified) → articles (headline stacks, credits, items) → Issue

``read_page`` reads a file (and the ``issues.toml`` beside it, if any); ``read_text``
reads text you already have. Both raise ``pressout.errors.InputError`` (or ConfigError)
with a one-line message for a page they cannot read, and never anything else for any text.
"""

from __future__ import annotations

import hashlib
import re
from os import PathLike
from pathlib import Path

from ..model import Article, Diagnostic, Furniture, Issue, derive_display_title
from .clean import fullwidth_punctuation, normalize_spaces, widen_punctuation
from .decode import MAX_PAGE_BYTES, Decoded, decode_page, read_source
from .meta import (
    SIDECAR_NAME,
    IssueMeta,
    Sidecar,
    date_from_filename,
    issue_id,
    load_sidecar,
    page_from_filename,
    sidecar_beside,
)
from .rules import CRAWL_HEADER_SLOTS, CRAWL_INDENT, HEADLINE_MAX, RULES, SENTENCE_END
from .segment import Line, RawArticle, new_line, segment, units
from .trace import fired, tracing

__all__ = ["MAX_PAGE_BYTES", "IssueMeta", "page_lines", "read_bytes", "read_page", "read_text"]

DEFAULT_PUBLICATION = "太原日报"
DEFAULT_SLUG = "tyrb"

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.+?)(?:\s+#+)?$")
_BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*$")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def read_page(
    path: str | PathLike[str],
    *,
    meta: IssueMeta | None = None,
    sidecar: Sidecar | str | PathLike[str] | None = None,
    encoding: str | None = None,
    errors: str = "strict",
    max_bytes: int | None = None,
) -> Issue:
    """Read one page file. Metadata: ``meta`` if given, else the page's entry in
    ``sidecar`` (default: ``issues.toml`` in the page's folder, when present).

    Only a regular file is read (a symlink to one is followed): a FIFO, device, socket or
    folder is an InputError, found by ``os.stat`` before anything is opened; so is a file
    larger than ``max_bytes`` (None: ``MAX_PAGE_BYTES``, 64 MB), of which no more than
    ``max_bytes`` + 1 bytes are read (see ``decode.read_source``)."""
    path = path if isinstance(path, Path) else Path(path)
    source = str(path)
    data = read_source(source, max_bytes=max_bytes)
    if meta is None:
        if sidecar is None:
            loaded = sidecar_beside(path)
        else:
            loaded = sidecar if isinstance(sidecar, Sidecar) else load_sidecar(sidecar)
        if loaded is not None:
            meta = loaded.for_page(path.name)
    return read_bytes(
        data,
        source=path.name,
        meta=meta,
        encoding=encoding,
        errors=errors,
        display=source,
        max_bytes=max_bytes,
    )


def read_bytes(
    data: bytes,
    *,
    source: str,
    meta: IssueMeta | None = None,
    encoding: str | None = None,
    errors: str = "strict",
    display: str | None = None,
    max_bytes: int | None = None,
) -> Issue:
    """Read a page from bytes; ``source`` is the file name recorded in the model;
    ``max_bytes`` the size limit (None: ``MAX_PAGE_BYTES``)."""
    with tracing() as applied:
        decoded = decode_page(
            data, source=display or source, encoding=encoding, errors=errors, max_bytes=max_bytes
        )
        fired("decode-encoding")
        if decoded.normalized:
            fired("unicode-nfc")
        if decoded.controls_removed:
            fired("drop-control-characters")
        return _read_decoded(decoded, data, source=source, meta=meta, applied=applied)


_RULE_ORDER = {rule.name: n for n, rule in enumerate(RULES)}


def _read_decoded(
    decoded: Decoded, data: bytes, *, source: str, meta: IssueMeta | None, applied: set[str]
) -> Issue:
    diagnostics: list[Diagnostic] = []
    if decoded.replaced:
        diagnostics.append(
            Diagnostic("PO102", source, f"{decoded.replaced} undecodable bytes replaced by U+FFFD")
        )
    if decoded.controls_removed:
        diagnostics.append(
            Diagnostic("PO103", source, f"{decoded.controls_removed} control characters removed")
        )
    return _read(
        decoded.text,
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
        diagnostics=diagnostics,
        applied=applied,
    )


def read_text(
    text: str, *, source: str = "page.txt", meta: IssueMeta | None = None, max_bytes: int | None = None
) -> Issue:
    """Read a page from text already decoded (the sha256 is that of its UTF-8 bytes)."""
    return read_bytes(
        text.encode("utf-8", errors="surrogatepass"),
        source=source,
        meta=meta,
        errors="replace",
        max_bytes=max_bytes,
    )


# --- lines --------------------------------------------------------------------------


# A front matter key: a short name (YAML's plain keys as dumps write them).
_FRONT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
FRONT_MATTER_KEYS = ("date", "publication", "page")  # what the reader takes from front matter
FRONT_MATTER_UNUSED = "front matter lines not used (kept here): "  # PO104's message, then the lines


def _front_matter(text: str) -> tuple[dict[str, str], str, int, list[str]]:
    """A YAML front matter block → (its ``key: value`` pairs, the rest of the text, the
    lines skipped, the lines whose words the metadata does not hold).

    A block is front matter only when every line in it is blank or ``key: value`` with a
    plain key; else it is the page's own text and read as such (a line of text between
    two rules is no metadata). Lines of keys the reader does not use (``FRONT_MATTER_KEYS``),
    a key given twice, and a date with more than the day are returned as not held: the
    reader records them (warning PO104), so no word of the page is lost."""
    if not text.startswith("---\n"):
        return {}, text, 0, []
    end = text.find("\n---\n", 4)
    if end < 0 or text.count("\n", 0, end) > 50:
        return {}, text, 0, []
    pairs: dict[str, str] = {}
    lines: dict[str, list[str]] = {}
    for raw in text[4:end].split("\n"):
        if not raw.strip():
            continue
        key, sep, value = raw.partition(":")
        if not sep or not _FRONT_KEY.fullmatch(key.strip()):
            return {}, text, 0, []
        name = key.strip().lower()
        pairs[name] = value.strip().strip("'\"")
        lines.setdefault(name, []).append(raw)
    unheld = [raw for name, raws in lines.items()
              for raw in (raws if name not in FRONT_MATTER_KEYS else raws[:-1])]
    if len(pairs.get("date", "")) > 10:
        unheld.append(lines["date"][-1])
    skipped = text.count("\n", 0, end + 5)
    return pairs, text[end + 5 :], skipped, unheld


_INDENT_ONLY_LINE = re.compile("\n[ \u00a0]*" + CRAWL_INDENT + "[ \u3000\u00a0]*\n")
_SLOT_LEVELS = (2, 1, 2)  # kicker, headline, subtitle (rule crawl-header-slots)


def _header_slots(raws: list[str]) -> bool:
    """Rule crawl-header-slots: does the text open with a per-article dump's headline
    slots? Its first three lines are unindented (an empty one where the paper prints no
    kicker or no subtitle), the text starts on the fourth with a U+3000 indent, and the
    headline slot holds a headline: not empty, no finished sentence."""
    n = CRAWL_HEADER_SLOTS
    if len(raws) <= n or not raws[n].startswith(CRAWL_INDENT):
        return False
    if any(raw[:1].isspace() for raw in raws[:n]):
        return False
    kicker, headline = raws[0].strip(), raws[1].strip()
    if not headline or len(headline) > 2 * HEADLINE_MAX or headline[-1] in SENTENCE_END:
        return False
    return not kicker or (len(kicker) <= 2 * HEADLINE_MAX and kicker[-1] not in SENTENCE_END)


def page_lines(text: str, first_line: int = 1) -> tuple[list[Line], bool]:
    """Non-blank lines with their gaps, Markdown markers and bold blocks resolved, and
    whether the page separates paragraphs by blank lines."""
    lines: list[Line] = []
    append = lines.append
    gap = 0
    blank = False
    widened = False  # rule fullwidth-punctuation, fired once for the page
    bold_open: list[tuple[int, str, int]] | None = None
    raws = text.split("\n")
    # Rule crawl-header-slots: the slots' lines read as heading levels, the headline
    # above (1) its kicker and subtitle (2), so the headline stack sorts them.
    slots = _header_slots(raws)
    if slots:
        fired("crawl-header-slots")
    for no, raw in enumerate(raws, first_line):
        if not raw or raw.isspace():
            gap += 1
            blank = True
            continue
        # normalize_spaces's own fast path, inlined: most lines are plain printable text.
        # (A one-character ``in`` is a far quicker scan than a two-character one, and
        # most lines have no space at all.)
        if raw.isprintable() and (" " not in raw or "  " not in raw):
            line = raw.strip(" ")  # not empty: raw is not all whitespace
        else:
            line = normalize_spaces(raw)
            if not line:  # zero-width characters only
                gap += 1
                continue
        if bold_open is not None:  # inside a **bold block** spanning lines
            bold_open.append((no, line, gap))
            gap = 0
            if line.endswith("**") or len(bold_open) > 6:
                start_no, _, start_gap = bold_open[0]
                joined = "".join(part for _, part, _ in bold_open).strip("*").strip()
                append(Line(start_no, fullwidth_punctuation(joined), start_gap, bold=True))
                fired("markdown-bold")
                bold_open = None
            continue
        level = 0
        bold = False
        if line[0] == "#" or ("*" in line and "**" in line):  # Markdown markers (rare)
            if line[0] == "#":
                m = _MD_HEADING.match(line)
                if m:
                    level, line = len(m.group(1)), m.group(2).strip()
                    fired("markdown-heading")
            if "**" in line:
                m = _BOLD_LINE.match(line)
                if m:
                    line, bold = m.group(1).strip(), True
                    fired("markdown-bold")
                elif line.startswith("**") and "**" not in line[2:]:
                    bold_open = [(no, line, gap)]
                    gap = 0
                    continue
            if not line:
                gap += 1
                continue
        wide = widen_punctuation(line)
        if wide != line:
            line = wide
            widened = True
        if slots and no - first_line < CRAWL_HEADER_SLOTS and not level and not bold:
            level = _SLOT_LEVELS[no - first_line]
        append(new_line(Line, (no, line, gap, level, bold)))
        gap = 0
    if bold_open is not None:  # never closed: the markers were debris, keep the text
        for no, part, g in bold_open:
            append(Line(no, fullwidth_punctuation(part.lstrip("*")), g))
    if widened:
        fired("fullwidth-punctuation")
    if blank:
        fired("blank-lines")
    gaps = [ln.gap for ln in lines[1:]]
    gapped = len(gaps) - gaps.count(0)  # lines after a blank line
    separated = gapped >= 0.5 * max(1, len(lines) - 1)
    return lines, separated


# --- the whole page -------------------------------------------------------------------


def _read(
    text: str,
    *,
    source: str,
    sha256: str,
    meta: IssueMeta | None,
    diagnostics: list[Diagnostic],
    applied: set[str],
) -> Issue:
    front, body, skipped, unheld = _front_matter(text)
    meta = meta or IssueMeta()
    if front:  # (without front matter there is nothing to lay over the metadata)
        fired("front-matter")
        meta = meta.over(_front_meta(front, source))
    if unheld:
        diagnostics.append(Diagnostic("PO104", source, FRONT_MATTER_UNUSED + " | ".join(unheld)))
    if meta.date is None:
        filename_date = date_from_filename(source)
        if filename_date is not None:
            meta = meta.over(IssueMeta(date=filename_date, date_cert="high"))
    if meta.page is None:
        filename_page = page_from_filename(source)
        if filename_page is not None:
            meta = meta.over(IssueMeta(page=filename_page))
    if meta.date is None:
        mentioned = [m.group(0) for m in _FULL_DATE.finditer(body)]
        hint = f" (the text mentions {mentioned[-1]})" if mentioned else ""
        diagnostics.append(
            Diagnostic(
                "PO101", source, f"issue date unknown: give it in {SIDECAR_NAME} or the file name{hint}"
            )
        )

    lines, separated = page_lines(body, first_line=1 + skipped)
    # Rule blank-line-ends-paragraph: on a page that marks paragraphs by their U+3000
    # indent, not by blank lines, an indent-only line is an empty paragraph: a break.
    blank_ends = not separated and _INDENT_ONLY_LINE.search(body) is not None
    found = units(lines, diagnostics, source, blank_ends=blank_ends)
    seg = segment(found, blank_separated=separated, diagnostics=diagnostics, source=source)

    slug = meta.publication_slug or DEFAULT_SLUG
    iid = issue_id(slug, meta, source, sha256)
    articles = _freeze(seg.articles, iid)
    furniture = _furniture(seg.furniture, iid)
    if not articles:
        diagnostics.append(Diagnostic("PO201", source, "no articles found on the page"))
    return Issue(
        source=source,
        id=iid,
        sha256=sha256,
        articles=articles,
        publication=meta.publication or DEFAULT_PUBLICATION,
        publication_slug=slug,
        date=meta.date,
        date_cert=meta.date_cert if meta.date else None,
        page=meta.page,
        furniture=furniture,
        rules_applied=tuple(sorted(applied, key=_RULE_ORDER.__getitem__)),
        diagnostics=tuple(diagnostics),
    )


def _front_meta(front: dict[str, str], source: str) -> IssueMeta:
    from .meta import meta_from_table

    table: dict[str, object] = {}
    if "date" in front:
        table["date"] = front["date"][:10]
    for key in ("publication", "page"):
        if key in front:
            table[key] = int(front[key]) if key == "page" and front[key].isdigit() else front[key]
    if not table:
        return IssueMeta()
    return meta_from_table(table, where="front matter", path=Path(source))


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def _unique(base: str, taken: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3`` … for repeats (a count per base: pages that
    repeat one headline thousands of times stay linear)."""
    n = taken.get(base, 0) + 1
    taken[base] = n
    if n == 1:
        return base
    ident = f"{base}-{n}"
    while ident in taken:  # a base that itself looks like base-n (hash clash, rare)
        n += 1
        ident = f"{base}-{n}"
    taken[base] = n
    taken[ident] = 1
    return ident


def _freeze(raw: list[RawArticle], issue_id_: str) -> tuple[Article, ...]:
    """Model articles with ids derived from their own display titles, so adding, removing
    or fixing another article never changes an article's id."""
    taken: dict[str, int] = {}
    out = []
    for art in raw:
        if not (
            art.body
            or art.title
            or art.kicker
            or art.subtitle
            or art.column
            or art.dateline
            or art.byline
            or art.closing
        ):
            continue  # nothing printed (never dropped when it holds any text)
        body = tuple(art.body)
        ident = _unique(f"{issue_id_}-i{_short_hash(derive_display_title(art.title, body))}", taken)
        out.append(
            Article(
                id=ident,
                kind=art.kind,
                title=art.title,
                body=body,
                kicker=art.kicker,
                subtitle=art.subtitle,
                column=art.column,
                dateline=art.dateline,
                byline=art.byline,
                closing=tuple(art.closing),
            )
        )
    return tuple(out)


def _furniture(items: list[tuple[str, str, int]], issue_id_: str) -> tuple[Furniture, ...]:
    taken: dict[str, int] = {}
    return tuple(
        Furniture(_unique(f"{issue_id_}-f{_short_hash(text)}", taken), kind, text, position)  # type: ignore[arg-type]
        for kind, text, position in items
    )
