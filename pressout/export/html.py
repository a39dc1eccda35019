"""One article as an XHTML fragment: the renderer the EPUB, the web edition and the feeds share.

The fragment is well-formed XML and valid HTML at once (polyglot), so the EPUB can put it
in an XHTML page and the feeds and web pages can use it unchanged: a reader sees the same
article everywhere. Class names are the styling contract with ``styles/*.css``.

Every text node goes through ``escape``; nothing from the page ever becomes markup.

``headline`` is the one title every exporter shows for an article (the EPUB's pages, table
of contents and cover, the feeds' entries, the web pages and their lists): the model's
``display_title``, which is never blank (``pressout.model.derive_display_title``: the
printed title, else the first words of the text, else ``（无题）``, "untitled"). An object
that stands in for an article with a blank ``display_title`` of its own (a subclass, the
build's head of an article) gets the same rule applied to its body, so feed readers,
e-readers and validators never see an empty title.

``source_url`` is the address of the article's original, when its source record gave one
(``Article.meta``): the feeds link to it, the web edition's article page shows it as 原文.
The article fragment itself shows nothing of ``meta``: it is not printed text.

For vertical text (the vertical EPUB: ``render_article(article, vertical=True)``), every
text node goes through ``upright`` instead of ``escape``: short runs of Latin letters and
digits are set horizontally within the vertical line (tate-chu-yoko, 縱中橫), each in a
``<span class="tcy">`` that ``styles/vertical.css`` combines upright. A run is combined when
it is a whole "Latin segment" of one or two ASCII letters or digits: 11月9日 gives 11 and 9,
A股 gives A, 5G网络 gives 5G. A segment is a run of printable ASCII characters, words
joined by single spaces included, so 2021年 (four digits), PM2.5, 20%, A03 and the 3 of
``Type 3`` are left as they are: reading systems set them sideways (rotated 90° clockwise,
``text-orientation: mixed``), as clreq allows for numbers of three or more digits and for
Western words; and a space between a number and the Chinese around it (共 3 人) keeps the
number combined. Only ASCII is looked at: full-width digits (１２) are upright already.
With inline marks, the segments are those of the whole text, and a run that a mark's edge
cuts through (m² written m<sup>2</sup>) is not combined; a run inside a mark is combined
inside it. The text is the same either way: only elements are added.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as _escape
from urllib.parse import urlsplit

from ..model import (
    DISPLAY_TITLE_NONE,
    Article,
    ArticleLike,
    Credit,
    Figure,
    Mark,
    Note,
    Paragraph,
    Role,
    Subhead,
    derive_display_title,
)

__all__ = [
    "UNTITLED",
    "byline_text",
    "escape",
    "headline",
    "inline",
    "render_article",
    "source_url",
    "upright",
    "upright_runs",
]

UNTITLED = DISPLAY_TITLE_NONE  # "untitled": an item with no word in it at all


def escape(text: str) -> str:
    """Escape text for an XML/HTML text node or a double-quoted attribute."""
    # Most text has nothing to escape: one scan says so, where html.escape makes five.
    return _escape(text, quote=True) if _SPECIAL.search(text) else text


_SPECIAL = re.compile("[&<>\"']")

# Tate-chu-yoko (see the module's docstring): a Latin segment, and the ones combined upright.
_LATIN_SEGMENT = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_COMBINED = re.compile(r"[0-9A-Za-z]{1,2}")
TCY_CLASS = "tcy"


def upright_runs(text: str) -> list[tuple[int, int]]:
    """Where vertical text sets ``text`` horizontally in one character's space: the
    ``(start, end)`` of each Latin segment of one or two ASCII letters or digits, in order."""
    return [m.span() for m in _LATIN_SEGMENT.finditer(text) if _COMBINED.fullmatch(m.group())]


def upright(text: str) -> str:
    """``escape(text)`` for vertical text: each run of ``upright_runs`` in a
    ``<span class="tcy">``."""
    return _upright(text, 0, len(text), upright_runs(text))


def _upright(text: str, start: int, end: int, runs: list[tuple[int, int]]) -> str:
    """``text[start:end]`` escaped, with the ``runs`` inside it wrapped."""
    out: list[str] = []
    at = start
    for a, b in runs:
        if a < start or b > end:
            continue
        out.append(escape(text[at:a]))
        out.append(f'<span class="{TCY_CLASS}">{text[a:b]}</span>')  # letters and digits only
        at = b
    out.append(escape(text[at:end]))
    return "".join(out)


def headline(article: ArticleLike) -> str:
    """The title shown for ``article`` (see the module's docstring): never blank. (An
    ``ArticleHead`` has no body: its ``display_title`` is already this headline.)"""
    title = article.display_title
    if title and not title.isspace():
        return title
    return derive_display_title(None, getattr(article, "body", ()))


# Names a dump gives the field holding the original's address (compared case-folded).
SOURCE_URL_FIELDS = frozenset(
    {
        "link", "url", "href", "permalink", "canonical", "source_url", "sourceurl", "original_url",
        "链接", "連結", "链结", "网址", "網址", "原文链接", "原文連結", "原文网址", "原文網址",
        "原文地址", "文章链接", "文章連結", "新闻链接", "新聞連結",
    }
)
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")  # whitespace and control characters


def source_url(article: Article) -> str | None:
    """The address of the article's original: the first field of its source record named
    as a link (``SOURCE_URL_FIELDS``) whose value is an absolute http(s) URL with a host
    and no whitespace or control character in it; None when there is none. Only http and https: a record's
    ``javascript:`` or ``file:`` value never becomes a link."""
    for name, value in article.meta:
        if name.strip().casefold() not in SOURCE_URL_FIELDS:
            continue
        url = value.strip()
        if _NOT_IN_URL.search(url):
            continue
        try:
            parts = urlsplit(url)
        except ValueError:  # a malformed IPv6 host
            continue
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            return url
    return None


_MARK_TAGS = {"subscript": "sub", "superscript": "sup", "bold": "b"}


def inline(text: str, marks: tuple[Mark, ...] = (), *, vertical: bool = False) -> str:
    """Text with its inline marks (PM<sub>2.5</sub>), escaped; for vertical text, with its
    short Latin runs combined upright (see the module's docstring)."""
    if vertical:
        return _inline_upright(text, marks)
    if not marks:
        return escape(text)
    out: list[str] = []
    at = 0
    for mark in sorted(marks, key=lambda m: m.start):
        tag = _MARK_TAGS[mark.style]
        out.append(escape(text[at : mark.start]))
        out.append(f"<{tag}>{escape(text[mark.start : mark.end])}</{tag}>")
        at = mark.end
    out.append(escape(text[at:]))
    return "".join(out)


def _inline_upright(text: str, marks: tuple[Mark, ...]) -> str:
    # The runs of the whole text (a mark's edge does not end a Latin segment: CO<sub>2</sub>
    # is one of three characters); each piece combines those that lie whole inside it, so
    # a run that a mark's edge cuts through is combined in none.
    runs = upright_runs(text)
    out: list[str] = []
    at = 0
    for mark in sorted(marks, key=lambda m: m.start):
        tag = _MARK_TAGS[mark.style]
        out.append(_upright(text, at, mark.start, runs))
        out.append(f"<{tag}>{_upright(text, mark.start, mark.end, runs)}</{tag}>")
        at = mark.end
    out.append(_upright(text, at, len(text), runs))
    return "".join(out)


def byline_text(credit: Credit) -> str:
    """A byline with roles in Chinese: ``记者 韩睿 / 通讯员 高雅慧``; a signed author alone."""
    groups: dict[Role, list[str]] = {}
    for person in credit.contributors:
        groups.setdefault(person.role, []).append(person.name)
    parts = []
    for role, names in groups.items():
        joined = "、".join(names)
        parts.append(joined if role is Role.AUTHOR else f"{role.label} {joined}")
    return " / ".join(parts)


def render_article(article: Article, *, vertical: bool = False) -> str:
    """The article as an ``<article>`` element (a string of XHTML); ``vertical`` for the
    vertical edition, whose short Latin runs are combined upright (``upright``)."""
    t = upright if vertical else escape  # every text node; attributes stay ``escape``d
    out: list[str] = [f'<article class="item {article.kind.value}" id="{escape(article.id)}">']
    out.append("<header>")
    if article.column:
        out.append(f'<p class="column">{t(article.column)}</p>')
    if article.kicker:
        out.append(f'<p class="kicker">{t(article.kicker)}</p>')
    if article.title:
        out.append(f"<h1>{t(article.title)}</h1>")
    else:
        # No printed headline: show the derived one, marked so it is not taken for print.
        out.append(f'<h1 class="derived">{t(headline(article))}</h1>')
    if article.subtitle:
        out.append(f'<p class="subtitle">{t(article.subtitle)}</p>')
    if article.byline and article.byline.contributors:
        out.append(f'<p class="byline">{t(byline_text(article.byline))}</p>')
    out.append("</header>")

    dateline = article.dateline
    for block in article.body:
        if isinstance(block, Paragraph):
            lead = ""
            if dateline:
                # A full-width space after the source line, as papers print it: the
                # feeds show this fragment without CSS, and 本报讯12月9日 runs together.
                lead = f'<span class="dateline">{t(dateline)}</span>\u3000'
                dateline = None
            out.append(f"<p>{lead}{inline(block.text, block.marks, vertical=vertical)}</p>")
        elif isinstance(block, Subhead):
            out.append(f"<h2>{t(block.text)}</h2>")
        elif isinstance(block, Figure):
            out.append(_figure(block, t))
        elif isinstance(block, Note):
            out.append(f'<p class="note {block.kind}">{t(block.text)}</p>')
    if dateline:  # a dateline with no paragraph to run into
        out.append(f'<p><span class="dateline">{t(dateline)}</span></p>')

    if article.closing:
        out.append("<footer>")
        out.extend(f'<p class="credit">{t(c.text)}</p>' for c in article.closing)
        out.append("</footer>")
    out.append("</article>")
    return "\n".join(out)


def _figure(figure: Figure, t: Callable[[str], str] = escape) -> str:
    """A photo as the text keeps it: its caption and credit. A photo without a caption is
    marked so that it is not set as an empty caption box: ``credit-only`` when its credit
    is all that is left (高劲鹏 摄: a credit line where the photo stood), ``empty`` when
    not even that is (nothing to show)."""
    caption = t(figure.text)
    if figure.credit:
        sep = " " if caption else ""
        caption += f'{sep}<span class="credit">{t(figure.credit.text)}</span>'
    kind = "" if figure.text.strip() else " credit-only" if figure.credit else " empty"
    return f'<figure class="photo{kind}"><figcaption>{caption}</figcaption></figure>'
