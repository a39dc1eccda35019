"""The newspaper-page reader: one page dump (a .txt file) → one ``Issue``.

    decode (bytes → text) → lines (spaces, punctuation, Markdown) → units (paragraphs
    rejoined, lines classified) → articles (headline stacks, credits, items) → Issue

``read_page`` reads a file (and the ``issues.toml`` beside it, if any); ``read_text``
reads text you already have. Both raise ``pressout.errors.InputError`` (or ConfigError)
with a one-line message for a page they cannot read, and never anything else for any text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from os import PathLike
from pathlib import Path
from typing import Literal

from ..model import (
    Article,
    Diagnostic,
    Figure,
    Furniture,
    Issue,
    Page,
    Paragraph,
    Removal,
    Subhead,
    derive_display_title,
)
from . import papers
from .clean import fullwidth_punctuation, normalize_spaces, widen_punctuation
from .containers import MARKDOWN_SUFFIXES, Container, unwrap
from .credits import match_photo_credit
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
from .rules import CRAWL_HEADER_SLOTS, CRAWL_INDENT, HEADLINE_MAX, HEADLINE_WRAP_SPACE, RULES, SENTENCE_END
from .segment import Line, RawArticle, header_page, new_line, page_of_header, segment, units
from .trace import fired, tracing

__all__ = ["MAX_PAGE_BYTES", "IssueMeta", "page_lines", "read_bytes", "read_page", "read_text"]

DEFAULT_SLUG = "paper"  # the slug of a page whose paper nothing names

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
            loaded = sidecar if isinstance(sidecar, Sidecar) else load_sidecar(Path(sidecar))
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


# Front matter keys that describe the article (kept in its ``meta``, no warning).
FRONT_MATTER_DESCRIPTIVE = frozenset(
    (
        "title",
        "author",
        "authors",
        "tags",
        "categories",
        "category",
        "url",
        "original_url",
        "link",
        "source",
        "last_updated",
        "updated",
        "slug",
        "id",
        "summary",
        "description",
        "section",
        "column",
        "media",
        "paper",
        "newspaper",
        "lang",
        "language",
        "layout",
        "draft",
        "images",
        "image",
    )
)
_LIST_ITEM = re.compile(r"^\s+-\s*(.*)$")


def _front_matter(text: str) -> tuple[dict[str, str], str, int, list[tuple[str, str]], list[str]]:
    """A YAML front matter block → (its ``key: value`` pairs, the rest of the text, the
    lines skipped, every pair as (key, value) in order, the lines whose words the metadata
    does not hold).

    A block is front matter only when every line in it is blank, ``key: value`` with a
    plain key, or a list item (``  - value``) or indented line under a key without a value
    (YAML's block lists, as blog exports write ``tags``); else it is the page's own text
    and read as such (a line of text between two rules is no metadata). A list's values
    are joined with ``、``. Lines of keys the reader neither uses (``FRONT_MATTER_KEYS``) nor
    knows as an article's description (``FRONT_MATTER_DESCRIPTIVE``), a key given twice,
    and a date with more than the day are returned as not held: the reader records them
    (warning PO104), so no word of the page is lost."""
    if not text.startswith("---\n"):
        return {}, text, 0, [], []
    end = text.find("\n---\n", 4)
    if end < 0 or text.count("\n", 0, end) > 200:
        return {}, text, 0, [], []
    pairs: dict[str, str] = {}
    order: list[tuple[str, str]] = []
    lines: dict[str, list[str]] = {}
    name = ""
    for raw in text[4:end].split("\n"):
        if not raw.strip():
            continue
        item = _LIST_ITEM.match(raw) if raw[:1].isspace() else None
        if raw[:1].isspace():
            if not name or pairs[name] and not item:
                return {}, text, 0, [], []
            value = (item.group(1) if item else raw).strip().strip("'\"")
            order[-1] = (name, f"{order[-1][1]}、{value}" if order[-1][1] else value)
            pairs[name] = order[-1][1]
            lines[name].append(raw)
            continue
        key, sep, value = raw.partition(":")
        if not sep or not _FRONT_KEY.fullmatch(key.strip()):
            return {}, text, 0, [], []
        name = key.strip().lower()
        pairs[name] = value.strip().strip("'\"")
        order.append((name, pairs[name]))
        lines.setdefault(name, []).append(raw)
    unheld = [
        raw
        for key, raws in lines.items()
        if key not in FRONT_MATTER_DESCRIPTIVE
        for raw in (raws if key not in FRONT_MATTER_KEYS else raws[:-1])
    ]
    if len(pairs.get("date", "")) > 10:
        unheld.append(lines["date"][-1])
    skipped = text.count("\n", 0, end + 5)
    return pairs, text[end + 5 :], skipped, order, unheld


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
    meta = meta or IssueMeta()
    container = unwrap(text, source)
    front: dict[str, str] = {}
    order: list[tuple[str, str]] = []
    body, skipped = text, 0
    if container is not None:
        fired(container.format)
    else:
        opening = text.lstrip()[:1]
        if opening in ("{", "[", "<") and not source.lower().endswith(MARKDOWN_SUFFIXES):
            kind = "JSON" if opening != "<" else "markup (XML or HTML)"
            diagnostics.append(
                Diagnostic(
                    "PO106",
                    source,
                    f"looks like {kind} but holds no articles pressout can unwrap (no title or text fields, "
                    "or not RSS, Atom or an HTML page): read as page text",
                )
            )
        front, body, skipped, order, unheld = _front_matter(text)
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

    removed: list[Removal] = []
    metas: list[tuple[tuple[str, str], ...]] = []
    if container is not None:
        from .records import read_records

        got = read_records(container, source=source, diagnostics=diagnostics)
        raw_articles, raw_furniture, metas = got.articles, got.furniture, got.metas
        removed.extend(
            Removal(container.format, words) for words in (container.title, *container.furniture) if words
        )
        removed.extend(Removal(rule, words) for rule, words in container.removed)
        removed.extend(Removal(container.format, f"{name}: {value}") for name, value in container.meta)
        removed.extend(got.removed)
        if meta.date is None and got.day is not None:
            meta = meta.over(IssueMeta(date=got.day, date_cert="high"))
        if meta.page is None and got.page is not None:
            meta = meta.over(IssueMeta(page=got.page))
    else:
        markdown = (
            bool(front)
            or source.lower().endswith(MARKDOWN_SUFFIXES)
            or _MD_HEADING_LINE.search(body) is not None
        )
        if markdown:
            body = _markdown_export(body, removed)
        body, captions = _markdown_html(body, removed) if markdown or "<fig" in body else (body, [])
        appendix: list[str] = []
        if front.get("title"):  # one article: what follows its closing rule may be the site's
            body, appendix = _appendix(body, removed)
        if "\t" in body[:400]:
            body = _tab_joined_stack(body)
        lines, separated = page_lines(body, first_line=1 + skipped)
        # Rule blank-line-ends-paragraph: on a page that marks paragraphs by their U+3000
        # indent, not by blank lines, an indent-only line is an empty paragraph: a break.
        blank_ends = not separated and _INDENT_ONLY_LINE.search(body) is not None
        found = units(lines, diagnostics, source, blank_ends=blank_ends)
        seg = segment(found, blank_separated=separated, diagnostics=diagnostics, source=source)
        raw_articles, raw_furniture = seg.articles, seg.furniture
        if raw_furniture and raw_articles:
            raw_furniture = _dash_signatures(raw_articles, raw_furniture)
        headed = {header_page(header) for header in seg.page_headers}
        if meta.page is None and len(headed) == 1 and None not in headed:
            meta = meta.over(IssueMeta(page=headed.pop()))  # a dump of one page, with its header
        if order:
            metas, more = _front_fields(order, raw_articles)
            removed.extend(more)
        if captions:
            _figures(raw_articles, captions)
        raw_furniture.extend(
            ("banner", widen_punctuation(normalize_spaces(t)), len(raw_articles)) for t in appendix
        )
    if meta.date is None and container is None:
        masthead = _masthead_date(body)
        if masthead is not None:
            meta = meta.over(IssueMeta(date=masthead, date_cert="high"))
    if meta.date is None:
        mentioned = [m.group(0) for m in _FULL_DATE.finditer(body)]
        hint = f" (the text mentions {mentioned[-1]})" if mentioned else ""
        diagnostics.append(
            Diagnostic(
                "PO101", source, f"issue date unknown: give it in {SIDECAR_NAME} or the file name{hint}"
            )
        )

    paper = None
    if not meta.publication:
        paper, named = _publication(container, front, metas, body)
        if named:
            fired("publication-from-text")
            meta = meta.over(IssueMeta(publication=named))
        else:
            diagnostics.append(
                Diagnostic(
                    "PO105", source, f"publication unknown: give it in {SIDECAR_NAME} or pressout.toml"
                )
            )
    elif meta.publication:
        paper = papers.from_field(meta.publication)
    language = _language(body if container is None else _record_text(container), paper)

    slug = meta.publication_slug or (papers.slug_for(meta.publication) if meta.publication else DEFAULT_SLUG)
    # A dump is not a page: its id names its file too (see issue_id).
    iid = issue_id(slug, meta, source, sha256, per_file=container is not None or bool(front.get("title")))
    printed = page_of_header(front["page"]) if front.get("page") else None
    pages, labels = _pages(raw_furniture, len(raw_articles), meta.page, printed)
    articles = _freeze(raw_articles, iid, metas, labels)
    furniture = _furniture(raw_furniture, iid)
    if removed:
        counts = Counter(r.rule for r in removed)
        listed = ", ".join(
            f"{rule} ×{n}"
            for rule, n in sorted(counts.items(), key=lambda rc: _RULE_ORDER.get(rc[0], len(_RULE_ORDER)))
        )
        diagnostics.append(
            Diagnostic(
                "PO107",
                source,
                f"{len(removed)} passages of dump scaffolding taken out (kept in the TEI header): {listed}",
            )
        )
    if not articles:
        diagnostics.append(Diagnostic("PO201", source, "no articles found on the page"))
    return Issue(
        source=source,
        id=iid,
        sha256=sha256,
        articles=articles,
        publication=meta.publication or "",
        publication_slug=slug,
        date=meta.date,
        date_cert=_cert(meta.date_cert) if meta.date else None,
        page=meta.page,
        language=language,
        furniture=furniture,
        pages=pages,
        removed=tuple(removed),
        rules_applied=tuple(sorted(applied, key=_RULE_ORDER.__getitem__)),
        diagnostics=tuple(diagnostics),
    )


# Rule markdown-export: what a crawler's Markdown export prints around the paper's text.
_MD_HEADING_LINE = re.compile(r"^#{1,6} \S", re.MULTILINE)
_SECTION_WORD = re.compile(
    r"^(?:#{1,6}\s*|\*\*)?(?:正文|全文|原文|内容|內容|文章内容|文章內容)(?:\*\*)?\s*[:：]?$"
)
_TOC_HEADING = re.compile(r"^(?:#{1,6}\s*)?(?:目录|目錄|本期目录|本期目錄|导读|導讀)\s*$")
_LIST_LINK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]\n]*\]\([^)\s]*\)\s*$")
_META_QUOTE = re.compile(
    r"^>\s*\*\*(?:作者|记者|記者|字数|字數|来源|來源|发布时间|發布時間|日期|版面|版次)\*\*\s*[:：]"
)
_META_FIELD = re.compile(r"\*\*(?P<key>[^*]{1,8})\*\*\s*[:：]\s*(?P<value>[^|]*)")
_PAPER_SUFFIX = re.compile(r"^(?P<head>#{1,6}\s+.+?)\s*[_＿|｜]\s*(?P<paper>[^\s_＿|｜]{2,12}[报報])\s*$")


def _markdown_export(body: str, removed: list[Removal]) -> str:
    """Rule markdown-export: a crawler's Markdown export, unwrapped line by line: a section
    word heading (``## 正文``) and a table of contents (``## 目录`` and its list of links)
    are scaffolding; a metadata blockquote (``> **作者**: 记者 甲 | **字数**: 1200``) gives
    the author as a credit line under the headline and its other fields to ``removed``;
    a headline's ``_报名`` suffix (``### 标题_杭州日报``) is the site's, not the headline's.
    Only lines that start with ``#``, ``>``, ``*``, a list marker or ``正文``-like words are
    looked at (the rest is the paper's text)."""
    out: list[str] = []
    in_toc = False
    for line in body.split("\n"):
        stripped = line.strip()
        first = stripped[:1]
        if not stripped or first not in "#>*-+0123456789正全原内內文":
            if stripped:
                in_toc = False  # (a blank line inside the table of contents keeps it open)
            out.append(line)
            continue
        if _TOC_HEADING.match(stripped):
            in_toc = True
            removed.append(Removal("markdown-export", stripped))
            fired("markdown-export")
            continue
        if in_toc and _LIST_LINK.match(stripped):
            removed.append(Removal("markdown-export", stripped))
            continue
        in_toc = False
        if _SECTION_WORD.match(stripped):
            removed.append(Removal("markdown-export", stripped))
            fired("markdown-export")
            continue
        if first == ">" and _META_QUOTE.match(stripped):
            fired("markdown-export")
            kept = []
            for field in _META_FIELD.finditer(stripped):
                key, value = field.group("key"), field.group("value").strip()
                if key in ("作者", "记者", "記者") and value:
                    kept.append(
                        value
                        if value.startswith(("记者", "記者", "文")) or key == "作者"
                        else f"{key} {value}"
                    )
                    removed.append(Removal("markdown-export", f"{key}:"))
                else:
                    removed.append(Removal("markdown-export", f"{key}: {value}"))
            out.extend(kept)
            continue
        if first == "#":
            m = _PAPER_SUFFIX.match(stripped)
            if m:
                removed.append(Removal("markdown-export", f"_{m.group('paper')}"))
                fired("markdown-export")
                out.append(m.group("head"))
                continue
        out.append(line)
    return "\n".join(out)


# Rule markdown-html: HTML blocks and inline links inside a Markdown dump.
_UNCAPTIONED = "\ue000。"  # (private use, a finished line) standing for a figure without a caption
_FIGURE_BLOCK = re.compile(r"<figure\b[^>]*>(?P<inner>.*?)</figure>", re.DOTALL | re.IGNORECASE)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(?P<caption>.*?)</figcaption>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,500}>")
_MD_LINK = re.compile(r"!?\[(?P<text>[^\]\n]{0,500})\]\((?P<url>[^)\s]{1,2000})(?:\s+\"[^\"\n]*\")?\)")


def _markdown_html(body: str, removed: list[Removal]) -> tuple[str, list[str]]:
    """Rule markdown-html: a ``<figure>`` block becomes its caption on a line of its own
    (returned, so the reader makes it a figure; its markup goes to ``removed``),
    an inline link ``[text](url)`` its text (the address to ``removed``), and other tags
    are dropped (kept in ``removed``). Only for text that has them: a cheap test first."""
    captions: list[str] = []
    if "<" not in body and "](" not in body:
        return body, captions

    def figure(m: re.Match[str]) -> str:
        inner = m.group("inner")
        cap = _FIGCAPTION.search(inner)
        caption = " ".join(_TAG.sub(" ", cap.group("caption")).split()) if cap else ""
        # The markup itself (tags, attributes) is kept too, less the caption it shows.
        markup = m.group(0).replace(cap.group("caption"), "", 1) if cap else m.group(0)
        removed.append(Removal("markdown-html", markup))
        fired("markdown-html")
        if not caption:  # a picture the dump shows without words: a figure all the same
            caption = _UNCAPTIONED
        captions.append(caption)
        return f"\n\n{caption}\n\n"

    def link(m: re.Match[str]) -> str:
        removed.append(Removal("markdown-html", m.group("url")))
        fired("markdown-html")
        return m.group("text")

    body = _FIGURE_BLOCK.sub(figure, body)
    body = _MD_LINK.sub(link, body)
    return body, captions


def _figures(articles: list[RawArticle], captions: list[str]) -> None:
    """The paragraphs that are a ``<figure>``'s caption are that figure (with its photo
    credit, ``…邢穎琦攝``, when the caption ends in one); the stand-in line of a figure
    without a caption is a figure with none."""
    wanted = {widen_punctuation(normalize_spaces(c)) for c in captions}
    for art in articles:
        for i, block in enumerate(art.body):
            if isinstance(block, (Paragraph, Subhead)) and block.text in wanted:
                if block.text == _UNCAPTIONED:
                    art.body[i] = Figure("")
                    continue
                found = match_photo_credit(block.text)
                art.body[i] = Figure(found[0], found[1]) if found else Figure(block.text)
                art.has_text = True


# Rule markdown-html: after a thematic break (---) that closes a one-article Markdown file,
# a short tail is the site's appendix (a subscription appeal, a related link): furniture.
_THEMATIC_BREAK = re.compile(
    r"^[ ]{0,3}(?:-[ ]*){3,}$|^[ ]{0,3}(?:\*[ ]*){3,}$|^[ ]{0,3}(?:_[ ]*){3,}$", re.MULTILINE
)
_APPENDIX_MAX = 300  # characters: more is the article's own text (notes, a postscript)


def _appendix(body: str, removed: list[Removal]) -> tuple[str, list[str]]:
    """The text without its last thematic break, and the tail after it when it is short
    (else the tail stays the article's text)."""
    breaks = list(_THEMATIC_BREAK.finditer(body))
    if not breaks:
        return body, []
    last = breaks[-1]
    tail = [line.strip() for line in body[last.end() :].split("\n") if line.strip()]
    fired("markdown-html")
    removed.append(Removal("markdown-html", last.group(0)))
    if not tail or sum(map(len, tail)) > _APPENDIX_MAX:  # the rule alone goes: no subhead "---"
        return body[: last.start()] + body[last.end() :], []
    return body[: last.start()], tail


def tab_stack(line: str) -> tuple[str, str, str] | None:
    """Rule tab-joined-stack: a headline line whose crawler joined the stack's three lines
    with tabs (引题, 标题, 副题: ``在…大会上\t习近平发表重要讲话\t强调…``): the three parts, or
    None when the line is not that (two parts, a part that ends a sentence, a long part)."""
    parts = [p.strip() for p in line.split("\t")]
    if (
        len(parts) != 3
        or not all(parts)
        or any(len(p) > HEADLINE_MAX or p[-1] in "。！？!?；;" for p in parts)
    ):
        return None
    return parts[0], parts[1], parts[2]


def _tab_joined_stack(body: str) -> str:
    """The page's first line, if it is a tab-joined stack, as its three lines."""
    start = len(body) - len(body.lstrip("\n"))
    end = body.find("\n", start)
    first = body[start : end if end >= 0 else len(body)]
    stack = tab_stack(first)
    if stack is None:
        return body
    fired("tab-joined-stack")
    # As heading levels (the headline above its kicker and subtitle), which the stack reads.
    lines = f"## {stack[0]}\n# {stack[1]}\n## {stack[2]}"
    return body[:start] + lines + body[len(body) if end < 0 else end :]


# Rule dash-signature: a short dash-led line right after an article's text signs it
# (——编 者, ——本报评论员, ——张三): the article's closing credit, not a headline or a banner.
_DASH_SIGNATURE = re.compile(
    r"^(?:——|--|—)\s*(?P<who>[^\s，。！？,.!?]{1,10}(?:\s[^\s，。！？,.!?]{1,10})?)$"
)


def _dash_signatures(
    articles: list[RawArticle], furniture: list[tuple[str, str, int]]
) -> list[tuple[str, str, int]]:
    from ..model import Contributor, Credit, Role
    from .credits import is_person_name

    kept = []
    for kind, text, position in furniture:
        m = _DASH_SIGNATURE.match(text) if kind == "banner" and 0 < position <= len(articles) else None
        art = articles[position - 1] if m else None
        if m is None or art is None or not art.has_text:
            kept.append((kind, text, position))
            continue
        fired("dash-signature")
        who = m.group("who").replace(" ", "")
        people = (Contributor(who, Role.AUTHOR),) if is_person_name(who) and who in text else ()
        art.closing.append(Credit(text, people))
    return kept


def _masthead_date(body: str) -> dt.date | None:
    """Rule publication-from-text: the date a masthead line prints (the page's first line,
    naming a known paper: ``# 杭州日报 2024年3月5日``, ``申報 日期：1949年5月1日``)."""
    first = next(
        (line.strip().lstrip("#>* ").strip() for line in body.split("\n", 5)[:5] if line.strip()), ""
    )
    if not first or len(first) > 60 or papers.find_in_text(first, boundary=True) is None:
        return None
    m = _FULL_DATE.search(first)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _cert(value: str | None) -> Literal["high", "medium", "low"] | None:
    """The metadata's date certainty (checked where it was read: high, medium or low)."""
    return value if value in ("high", "medium", "low") else None  # type: ignore[return-value]


_LANGUAGE_SAMPLE = 20_000  # characters of text the script is judged on


def _record_text(container: Container) -> str:
    parts: list[str] = []
    size = 0
    for record in container.records:
        for words in (record.title or "", *record.paragraphs):
            parts.append(words)
            size += len(words)
        if size > _LANGUAGE_SAMPLE:
            break
    return "\n".join(parts)


def _language(text: str, paper: papers.Paper | None) -> str:
    """Rule script-language: the tag the text's script and the paper's region give."""
    from .script import language_tag

    tag = language_tag(text[:_LANGUAGE_SAMPLE], paper.region if paper else None)
    if tag != "zh-CN":
        fired("script-language")
    return tag


_PAPER_KEYS = ("publication", "paper", "newspaper", "media", "source")
_URL_KEYS = ("original_url", "url", "link", "文章链接", "原文链接", "连接", "链接", "連結")


def _publication(
    container: Container | None, front: dict[str, str], metas: list[tuple[tuple[str, str], ...]], body: str
) -> tuple[papers.Paper | None, str | None]:
    """Rule publication-from-text: the paper the dump names, strongest evidence first: a
    paper field (front matter ``publication``/``media``/``source``; the records' source
    fields, by majority, when they name a known paper), the container's own title or a
    masthead line at the top of the page naming a known paper, the web host of the
    records' or front matter's addresses. (None, None) when nothing names one."""
    fields: Counter[str] = Counter()
    for key in _PAPER_KEYS:
        if front.get(key):
            fields[front[key]] += 1
    if container is not None:
        fields.update(r.source.strip() for r in container.records if r.source and r.source.strip())
        if container.publication:
            fields[container.publication] += len(container.records) + 1
    for value, _ in fields.most_common():
        paper = papers.from_field(value)
        if paper is not None:
            return paper, paper.name
    titles = [container.title] if container is not None and container.title else []
    for line in body.split("\n", 8)[:8] if container is None else ():
        if line.strip():
            titles.append(line.strip().lstrip("#>* ").strip())  # (a Markdown masthead: # 杭州日报 …)
    for title in titles:
        paper = papers.find_in_text(title, boundary=container is None)
        if paper is not None:
            return paper, paper.name
    hosts: Counter[papers.Paper] = Counter()
    urls = [front[k] for k in _URL_KEYS if front.get(k)]
    urls += [value for meta in metas for name, value in meta if name.lower() in _URL_KEYS]
    for url in urls:
        paper = papers.from_url(url)
        if paper is not None:
            hosts[paper] += 1
    if hosts:
        paper = hosts.most_common(1)[0][0]
        return paper, paper.name
    return None, None


def _front_fields(
    order: list[tuple[str, str]], articles: list[RawArticle]
) -> tuple[list[tuple[tuple[str, str], ...]], list[Removal]]:
    """Front matter pairs the issue's facts did not take: the article's ``meta`` when the
    file holds one article (a blog post, a per-article crawl), else the issue's removed
    text; a front matter ``author`` is the lone article's byline when it reads as one."""
    rest = [(k, v) for k, v in order if k not in FRONT_MATTER_KEYS and v]
    # The issue holds the values of the keys it took (date, publication, page); the lines
    # themselves are kept as the front matter's, so not even a key's name is lost.
    used = [Removal("front-matter", f"{k}: {v}") for k, v in order if k in FRONT_MATTER_KEYS]
    if len(articles) > 1 and any(k == "title" for k, _ in rest):
        # A front matter that titles the file says it is one article (a blog post, a
        # per-article crawl): its ``###`` lines are subheads, not stories of their own.
        from .records import one_article

        articles[:] = [one_article(list(articles), None)]
    if len(articles) != 1:
        return [], used + [Removal("front-matter", f"{k}: {v}") for k, v in rest]
    art = articles[0]
    kept: list[tuple[str, str]] = []
    for key, value in rest:
        if key == "author" and art.byline is None:
            from .records import author_credit

            credit = author_credit(value)
            if credit is not None:
                art.byline = credit
                used.append(Removal("front-matter", f"{key}: {value}"))  # (the key's name is kept)
                continue
        if key == "title" and art.title is None and not art.kicker:
            art.title = value
            used.append(Removal("front-matter", f"{key}: {value}"))
            continue
        kept.append((key, value))
    return [tuple(kept)], used


def _front_meta(front: dict[str, str], source: str) -> IssueMeta:
    from .meta import meta_from_table

    table: dict[str, object] = {}
    if "date" in front:
        table["date"] = front["date"][:10]
    if "publication" in front:
        table["publication"] = front["publication"]
    if "page" in front:
        # A page as a paper prints it (3, A03, 第3版, A03 杭州新闻): its number is the
        # issue's page; its label and name are read again for the page itself (_pages).
        page = page_of_header(front["page"])
        number = page.number if page is not None else None
        table["page"] = number if number else front["page"]
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


def _pages(
    furniture: list[tuple[str, str, int]], count: int, page: int | None, printed: Page | None = None
) -> tuple[tuple[Page, ...], list[str | None]]:
    """The pages an issue covers and the page of each of its ``count`` articles.

    A dump of several pages says where each starts: its page headers (furniture of kind
    ``page-header``, at the number of articles before them); an article is on the page
    whose header is the last before it. Articles before the first header are on that
    page when the dump heads only one page (a page dump with its header), else on none
    (a whole issue's front matter or contents). A page header repeated (the page goes on
    after a jump) is one page; its name is the first printed. A file without page headers
    is on the page its metadata gives (``page``: issues.toml, front matter, the file
    name; ``printed``: the front matter's page as written, so ``A03`` keeps its letter and
    ``A03 杭州新闻`` gives the page's name too, when it is that page)."""
    starts: list[tuple[int, Page]] = []
    for kind, text, position in furniture:
        if kind == "page-header":
            found = page_of_header(text)
            if found is not None:
                starts.append((position, found))
    if not starts:
        if page is None:
            return (), [None] * count
        # (The front matter's page, unless issues.toml gave another number.)
        given = printed if printed is not None and printed.number == page else Page(str(page))
        return (given,), [given.label] * count
    pages: dict[str, Page] = {}
    for _, found in starts:
        known = pages.get(found.label)
        if known is None or (known.name is None and found.name):
            pages[found.label] = found
    labels: list[str | None] = [starts[0][1].label if len(pages) == 1 else None] * count
    for n, (position, found) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else count
        labels[position:end] = [found.label] * max(0, min(end, count) - position)
    return tuple(pages.values()), labels[:count]



def _freeze(
    raw: list[RawArticle],
    issue_id_: str,
    metas: list[tuple[tuple[str, str], ...]] | None = None,
    pages: list[str | None] | None = None,
) -> tuple[Article, ...]:
    """Model articles with ids derived from their own display titles, so adding, removing
    or fixing another article never changes an article's id."""
    taken: dict[str, int] = {}
    out = []
    for n, art in enumerate(raw):
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
        art.title, art.kicker, art.subtitle = (_unwrapped(art.title), _unwrapped(art.kicker),
                                               _unwrapped(art.subtitle))
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
                meta=metas[n] if metas and n < len(metas) else (),
                page=pages[n] if pages else None,
            )
        )
    return tuple(out)


def _unwrapped(line: str | None) -> str | None:
    """Rule headline-wrap-space: a headline line without the space that marks where the
    printed line broke inside a phrase."""
    if not line or (" " not in line and "\u3000" not in line):
        return line
    joined = HEADLINE_WRAP_SPACE.sub("", line)
    if joined != line:
        fired("headline-wrap-space")
    return joined


def _furniture(items: list[tuple[str, str, int]], issue_id_: str) -> tuple[Furniture, ...]:
    taken: dict[str, int] = {}
    return tuple(
        Furniture(_unique(f"{issue_id_}-f{_short_hash(text)}", taken), kind, text, position)  # type: ignore[arg-type]
        for kind, text, position in items
    )
