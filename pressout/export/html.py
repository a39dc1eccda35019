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
"""

from __future__ import annotations

import re
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

__all__ = ["UNTITLED", "byline_text", "escape", "headline", "inline", "render_article", "source_url"]

UNTITLED = DISPLAY_TITLE_NONE  # "untitled": an item with no word in it at all


def escape(text: str) -> str:
    """Escape text for an XML/HTML text node or a double-quoted attribute."""
    # Most text has nothing to escape: one scan says so, where html.escape makes five.
    return _escape(text, quote=True) if _SPECIAL.search(text) else text


_SPECIAL = re.compile("[&<>\"']")


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


def inline(text: str, marks: tuple[Mark, ...] = ()) -> str:
    """Text with its inline marks (PM<sub>2.5</sub>), escaped."""
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


def render_article(article: Article) -> str:
    """The article as an ``<article>`` element (a string of XHTML)."""
    out: list[str] = [f'<article class="item {article.kind.value}" id="{escape(article.id)}">']
    out.append("<header>")
    if article.column:
        out.append(f'<p class="column">{escape(article.column)}</p>')
    if article.kicker:
        out.append(f'<p class="kicker">{escape(article.kicker)}</p>')
    if article.title:
        out.append(f"<h1>{escape(article.title)}</h1>")
    else:
        # No printed headline: show the derived one, marked so it is not taken for print.
        out.append(f'<h1 class="derived">{escape(headline(article))}</h1>')
    if article.subtitle:
        out.append(f'<p class="subtitle">{escape(article.subtitle)}</p>')
    if article.byline and article.byline.contributors:
        out.append(f'<p class="byline">{escape(byline_text(article.byline))}</p>')
    out.append("</header>")

    dateline = article.dateline
    for block in article.body:
        if isinstance(block, Paragraph):
            lead = ""
            if dateline:
                # A full-width space after the source line, as papers print it: the
                # feeds show this fragment without CSS, and 本报讯12月9日 runs together.
                lead = f'<span class="dateline">{escape(dateline)}</span>\u3000'
                dateline = None
            out.append(f"<p>{lead}{inline(block.text, block.marks)}</p>")
        elif isinstance(block, Subhead):
            out.append(f"<h2>{escape(block.text)}</h2>")
        elif isinstance(block, Figure):
            out.append(_figure(block))
        elif isinstance(block, Note):
            out.append(f'<p class="note {block.kind}">{escape(block.text)}</p>')
    if dateline:  # a dateline with no paragraph to run into
        out.append(f'<p><span class="dateline">{escape(dateline)}</span></p>')

    if article.closing:
        out.append("<footer>")
        out.extend(f'<p class="credit">{escape(c.text)}</p>' for c in article.closing)
        out.append("</footer>")
    out.append("</article>")
    return "\n".join(out)


def _figure(figure: Figure) -> str:
    caption = escape(figure.text)
    if figure.credit:
        sep = " " if caption else ""
        caption += f'{sep}<span class="credit">{escape(figure.credit.text)}</span>'
    return f'<figure class="photo"><figcaption>{caption}</figcaption></figure>'
