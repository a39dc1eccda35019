"""The web edition: the static pages the feeds link to, one per issue and one per article.

The output folder is the web root, served at ``SiteOptions.base_url``::

    index.html                          the front page: 最新, the newest day's pages with
                                        their EPUBs and headlines; 往期, the rest of that
                                        week (each page with its EPUBs) and the years
    years/{YYYY}.html, years/undated.html
                                        one year: its days by month, newest first, each
                                        day with its pages (第1版, 第2版 …)
    issues/{issue.id}/index.html        one issue: its table of contents (by page, 第1版 要闻 …,
                                        when its articles are on several), EPUB download
    issues/{issue.id}/{article.id}.html one article: the permalink the feeds point to
    styles/site.css, styles/article.css the web chrome, and the article typography the
                                        EPUB shares (copied from pressout.styles)
    favicon.svg                         the icon every page names: the masthead's first
                                        character, white on the paper's red (no font is
                                        fetched: the reader's own serif draws it)
    epub/{name}                         the EPUBs; the build puts them there, pages link
    atom.xml, rss.xml, feed.json, editions.xml, editions-rss.xml, archive/…
                                        written by pressout.export.feed.write_feeds

A build calls ``write_feeds`` and ``write_site`` with the same issues, options and EPUBs.
The pages of one issue depend on that issue, the options, its EPUBs and cover, and two
values of the whole archive: the site's title, and the issue's neighbours, the issues
before and after it (by date, then page; ``issue_neighbours``), which its page links as
上一期 and 下一期 (``rel="prev"``, ``rel="next"``). ``issue_pages`` makes them alone, given
these values; the front page and the year pages list every issue, and read only its id,
title, date, page, publication, language, articles' ids and headlines and its files'
sizes (``IssueHead``). (One page of 300,000 issues would be 85 MB: an archive is browsed
as a newspaper's is, by year, month and day.)

In a build the issue's pages are title-bound files (``pressout.export.registry``): the
value they are made with (``SiteExporter.bounds``) is, for each issue, the site's title
and its neighbours' ids and titles, kept in the build's manifest, and the build makes an
issue's pages again exactly when its own value changes. They are made once every issue
is known (``bound_deferred``: the workers that read the pages leave them, since an issue
alone has no neighbours, and the build makes them on its executor from the issues'
cached models, once each). So a day added in the middle of the archive makes its own
pages and those of the two issues on either side of it (the one before gets a new
下一期, the one after a new 上一期), and no other issue's; a day removed, those of the
two that become neighbours; an unchanged build, none. The front page and the year pages
are made anew on every build that changes anything, from the issues' heads.
In a build, an issue's page heading (第1版 要闻) links the section's page and an article's
page its section and column (``pressout.export.sections``: ``issue_pages(sections=True)``);
the front page links the list of them all, when there are any.
Links between pages are relative, so the pages also work opened from disk or served
under another address; only ``<link rel="canonical">`` is absolute. Every page is in
its issue's language (``lang`` and ``xml:lang``: ``zh-CN``, ``zh-TW``, ``zh-Hant`` … as the
reader tagged the text, which is what picks Simplified or Traditional glyphs); a page that
lists several issues, in the language most of them are in (``feed.common_language``).
The paper is shown by its masthead (``Issue.masthead``: 报刊不详 when nothing names it);
an article whose source record gives the address of its original links to it as 原文.
Every page is well-formed XHTML (polyglot HTML5), and carries ``<link
rel="alternate">`` autodiscovery for the Atom, RSS and JSON feeds (and the editions feed
when there are EPUBs), the icon (``favicon.svg``), and what link previews show (Open Graph
and a Twitter card, ``og:*``: the page's title, ``og:type`` ``article`` for an article and
``website`` for the others, its absolute ``og:url``, a description: an article's first
sentence, an issue's headlines, the front page's newest ones; ``og:locale`` from the
language, ``zh_CN``, ``zh_TW`` …; and, when the build made the issue's cover image
``covers/{id}.png``, which ``IssueHead.sizes`` records, that image, absolute, with
``twitter:card`` ``summary_large_image``, else ``summary``). When the build makes the
OPDS catalog (``pressout.export.opds``), the front page also links it (OPDS 1.2 navigation feed and OPDS 2.0, ``catalog``) and
shows its address, to add to an e-reader. Articles are the shared ``render_article``
fragment, so the page, the feeds and the EPUB show the same text, under the same title
(``html.headline``: the display title, else the article's first words, else ``（无题）``,
never an empty one). The
pages show dates, not instants (``<time datetime="YYYY-MM-DD">``), of any year from 1 to
9999; the issues are ordered as the feeds order them (``SiteOptions.utc_offset``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import OutputError
from ..model import Article, Issue, IssueHead, IssueLike, Page, Paragraph
from ._feedgen import check_text
from .cover import COVER
from .cover import SIZE as COVER_SIZE
from .css import stylesheet
from .feed import (
    ARTICLE_PAGE,
    FEEDS,
    ISSUE_PAGE,
    KIND_LABELS,
    EpubFile,
    SiteOptions,
    article_page,
    check_issues,
    common_language,
    epub_file,
    epub_page,
    issue_language,
    issue_page,
    masthead,
    order_issues,
    write_files,
)
from .html import byline_text, escape, headline, render_article, source_url
from .registry import Exporter, Settings

__all__ = [
    "FAVICON",
    "STYLES",
    "Neighbour",
    "Neighbours",
    "build_site",
    "favicon",
    "issue_neighbours",
    "issue_pages",
    "iter_site",
    "og_locale",
    "write_site",
    "year_page",
]

# Copied into styles/: the site's own chrome and the article typography the EPUB uses.
STYLES = ("site.css", "article.css")
YEARS = "years"  # the folder of the year pages
FAVICON = "favicon.svg"  # the icon every page names, made from the masthead
RECENT_DAYS = 7  # the days on the front page (a week of a daily paper), the newest in full
DESCRIPTION_MAX = 150  # characters of a page's description (og:description)


def year_page(date: dt.date | None) -> str:
    """The year page that lists an issue of ``date`` (undated issues have one of their own)."""
    return f"{YEARS}/{date.year}.html" if date is not None else f"{YEARS}/undated.html"


Day = tuple[dt.date | None, list[IssueLike]]  # a date and its issues (pages), in page order


def _days(issues: Sequence[IssueLike]) -> list[Day]:
    """``issues`` (newest first, as ``order_issues`` gives them) grouped by date, the
    undated last, as one group."""
    days: dict[dt.date | None, list[IssueLike]] = {}
    for issue in issues:
        days.setdefault(issue.date, []).append(issue)
    undated = days.pop(None, None)
    return [*days.items(), *([(None, undated)] if undated else [])]


def _labels(day: list[IssueLike]) -> list[str]:
    """How each issue of a day is named among the others: its page (第3版), with its
    publication when the day has more than one; a page without a number by its
    publication; and the source file's name where that still leaves two alike."""
    several = len({issue.publication for issue in day}) > 1
    labels = [
        masthead(issue) if issue.page is None
        else f"{masthead(issue)} 第{issue.page}版" if several else f"第{issue.page}版"
        for issue in day
    ]
    return [f"{label}（{issue.source}）" if labels.count(label) > 1 else label
            for label, issue in zip(labels, day, strict=True)]


def _years(days: list[Day]) -> list[tuple[int | None, list[Day]]]:
    """``days`` (as ``_days`` gives them) grouped by year, the undated last."""
    years: dict[int | None, list[Day]] = {}
    for date, day in days:
        years.setdefault(date.year if date is not None else None, []).append((date, day))
    return list(years.items())


def _counts(days: list[Day]) -> str:
    pages = sum(len(day) for _, day in days)
    dated = sum(date is not None for date, _ in days)
    return f"{dated} 期 · {pages} 版" if dated else f"{pages} 版"


@functools.lru_cache(maxsize=1024)  # an issue's pages link to one another: each link is made thrice
def _href(path: str, depth: int) -> str:
    """A link from a page ``depth`` folders below the root to ``path`` (from the root)."""
    return escape("../" * depth + quote(path, safe="/"))


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _date(issue: IssueLike) -> str:
    if issue.date is None:
        return "日期不详"
    d = issue.date
    return f'<time datetime="{d.isoformat()}">{d.year}年{d.month}月{d.day}日</time>'


# --- neighbours: the issue before and the issue after ---------------------------------------

Neighbour = tuple[str, str]  # an issue next to another: its id and its title
Neighbours = tuple[Neighbour | None, Neighbour | None]  # (the one before, the one after)


def _rows(issues: Iterable[IssueLike]) -> tuple[list[IssueLike], list[IssueLike]]:
    """The issues as a reader pages through them (``issue_neighbours``): the dated ones,
    and the undated ones."""
    dated = sorted((i for i in issues if i.date is not None),
                   key=lambda i: (i.date, i.page is None, i.page or 0, i.id))
    undated = sorted((i for i in issues if i.date is None), key=lambda i: (i.page is None, i.page or 0, i.id))
    return dated, undated


def issue_neighbours(issues: Iterable[IssueLike]) -> dict[str, Neighbours]:
    """Each issue's neighbours (by id): the issue before it and the one after it, by date,
    then page (unnumbered last), then id, as a reader pages through the paper: 第1版, 第2版
    of one day, then the next day's 第1版. The undated issues are a row of their own (by
    page, then id): no date puts them before or after a dated one."""
    out: dict[str, Neighbours] = {}
    for row in _rows(issues):
        for n, issue in enumerate(row):
            before = row[n - 1] if n > 0 else None
            after = row[n + 1] if n + 1 < len(row) else None
            out[issue.id] = ((before.id, before.title) if before is not None else None,
                             (after.id, after.title) if after is not None else None)
    return out


def _bound_value(title: str, neighbours: Neighbours) -> str:
    """What an issue's pages are made from of the whole archive (``SiteExporter.bounds``):
    the site's title, and its neighbours' ids and titles when it has any (as JSON)."""
    if neighbours == (None, None):
        return json.dumps([title], ensure_ascii=False)
    return json.dumps([title, *(list(n) if n is not None else None for n in neighbours)], ensure_ascii=False)


def _bound_values(title: str, issues: Iterable[IssueLike]) -> dict[str, str]:
    """``_bound_value`` of every issue, by id: the same strings, made a tenth of a second
    faster for 100,000 issues (each issue's id and title are encoded once, not thrice)."""
    quoted = json.encoder.encode_basestring  # a string as json.dumps(…, ensure_ascii=False) writes it
    site = quoted(title)
    alone = f"[{site}]"
    out: dict[str, str] = {}
    for row in _rows(issues):
        names = [f"[{quoted(i.id)}, {quoted(i.title)}]" for i in row]
        last = len(row) - 1
        for n, issue in enumerate(row):
            out[issue.id] = alone if last == 0 else (
                f"[{site}, {names[n - 1] if n else 'null'}, {names[n + 1] if n < last else 'null'}]")
    return out


def _from_bound(value: str) -> tuple[str, Neighbours]:
    """``_bound_value`` read back: the site's title and the issue's neighbours."""
    title, *near = json.loads(value)
    before, after = [(n[0], n[1]) if n else None for n in near] if near else [None, None]
    return str(title), (before, after)


# --- what a page says of itself to link previews ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    """A page's Open Graph and Twitter card: ``kind`` (og:type, ``website`` or
    ``article``), its description, the path of its image in the web root (an issue's
    cover) and the image's alt text, and for an article its issue's date."""

    kind: str
    description: str
    image: str | None = None
    image_alt: str = ""
    published: dt.date | None = None


def og_locale(language: str) -> str:
    """The Open Graph locale (``language_TERRITORY``) of a language tag: zh-CN → zh_CN,
    zh-Hant → zh_TW, zh-Hans and zh → zh_CN, zh-Hant-HK → zh_HK, en → en."""
    lang, *subtags = language.replace("_", "-").split("-")
    region = next((tag.upper() for tag in subtags if len(tag) == 2 and tag.isalpha()), None)
    if region is None and lang.lower() == "zh":
        region = "TW" if any(tag.lower() == "hant" for tag in subtags) else "CN"
    return f"{lang.lower()}_{region}" if region else lang.lower()


_SENTENCE_END = re.compile("[。！？!?]+[”’」』）)》]*|……")


def _clip(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_sentence(article: Article) -> str:
    """An article's description: the first sentence of its text (the first paragraph's,
    to its first 。！？), else its headline."""
    for block in article.body:
        if isinstance(block, Paragraph) and block.text.strip():
            text = block.text.strip()
            end = _SENTENCE_END.search(text)
            return _clip(text[: end.end()] if end else text)
    return _clip(headline(article))


def _headlines(issues: Iterable[IssueLike]) -> str:
    """A description made of headlines: 标题一；标题二；…"""
    return _clip("；".join(headline(a) for issue in issues for a in issue.articles))


def favicon(title: str) -> bytes:
    """The site's icon: the first letter or character of its title (太 for 太原日报), white
    on the paper's red, as an SVG that names only fonts the reader has (nothing fetched)."""
    mark = next((c for c in title if c.isalnum()), "报")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">\n'
        f"<title>{escape(title)}</title>\n"
        '<rect width="64" height="64" rx="12" fill="#b3261e"/>\n'
        '<text x="32" y="33" text-anchor="middle" dominant-baseline="central" font-size="46" '
        'font-weight="bold" fill="#fbfaf7" font-family="\'Noto Serif CJK SC\', \'Source Han Serif SC\', '
        f"'Songti SC', STSong, SimSun, serif\">{escape(mark.upper())}</text>\n"
        "</svg>\n"
    ).encode()


@dataclass(frozen=True, slots=True)
class _Shared:
    """What the pages of one issue's articles share (``_Site._shared``): the start of the
    source line, the editions' links, the crumbs to the issue, the cover and its alt text,
    the issue's title and language."""

    source: tuple[str, ...]
    epub: str
    crumbs: str
    image: str | None
    alt: str
    title: str
    language: str


class _Site:
    def __init__(self, issues: Sequence[IssueLike], options: SiteOptions, epubs: Mapping[str, Path | EpubFile] | None,
                 title: str | None = None, catalog: Sequence[tuple[str, str, str]] = (),
                 covers: Collection[str] | None = None, sections: str | None = None,
                 link_sections: bool = False):
        self.issues = issues
        # its issue and article pages link each named page and column to its page of
        # pressout.export.sections (a build makes them; write_site does not)
        self.link_sections = link_sections
        self.catalog = catalog  # the OPDS catalog's entry points: (path, media type, label)
        self.sections = sections  # the page of the sections' and columns' feeds, when there is one
        self.options = options
        self.title = title or options.site_title(issues)
        # the issues whose cover image (covers/{id}.png) there is, their pages show it to link
        # previews; None: those whose heads' sizes name it (a build's IssueHead)
        self.covers = set(covers) if covers is not None else None
        self._frames: dict[int, tuple[str, tuple[str, str]]] = {}
        self._kept: tuple[Issue, _Shared] | None = None  # see _shared
        self.epubs: dict[str, EpubFile] = {}
        if epubs is not None:
            for issue in issues:
                if issue.id not in epubs:
                    raise OutputError(f"no EPUB given for issue {issue.id}")
                self.epubs[issue.id] = epub_file(issue, epubs[issue.id])

    # --- page frame ---

    def page(self, path: str, title: str, body: str, language: str, links: str = "",
             card: Card | None = None, name: str | None = None, feeds: str = "") -> bytes:
        """A page of the site; ``links``: more of its head's links, each line ending in a
        newline; ``feeds``: the page's own feeds' links (a section's), named before the
        whole paper's, which readers take first; ``card``: what link previews show of it,
        under ``name`` (its ``title`` when not given)."""
        depth = path.count("/")
        head, foot = self._frame(depth)
        # The same URL the feeds link to, so readers and search engines agree on one.
        canonical = escape(self.options.url(path))
        lang = escape(language)
        meta = self.card(canonical, name or title, language, card) if card is not None else ""
        html = f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" xml:lang="{lang}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{escape(title)}</title>
{feeds}{head}{links}<link rel="canonical" href="{canonical}"/>
{meta}</head>
<body>
{foot[0]}
{body}
{foot[1]}
</body>
</html>
"""
        # A control character would make the page malformed XHTML: refuse it by name.
        check_text(html, f"web page {path}")
        return html.encode("utf-8")

    def card(self, url: str, title: str, language: str, card: Card) -> str:
        """The Open Graph and Twitter card lines of a page's head (``url``: its absolute
        address, escaped), each ending in a newline."""
        description = escape(card.description)
        lines = [
            f'<meta property="og:site_name" content="{escape(self.title)}"/>',
            f'<meta property="og:type" content="{card.kind}"/>',
            f'<meta property="og:title" content="{escape(title)}"/>',
            f'<meta property="og:description" content="{description}"/>',
            f'<meta property="og:url" content="{url}"/>',
            f'<meta property="og:locale" content="{escape(og_locale(language))}"/>',
        ]
        if card.image is not None:
            width, height = COVER_SIZE
            lines += [
                f'<meta property="og:image" content="{escape(self.options.url(card.image))}"/>',
                '<meta property="og:image:type" content="image/png"/>',
                f'<meta property="og:image:width" content="{width}"/>',
                f'<meta property="og:image:height" content="{height}"/>',
                f'<meta property="og:image:alt" content="{escape(card.image_alt)}"/>',
            ]
        if card.published is not None:
            lines.append(f'<meta property="article:published_time" content="{card.published.isoformat()}"/>')
        # (Twitter takes the title, the description and the image from og:*.)
        kind = "summary_large_image" if card.image is not None else "summary"
        lines.append(f'<meta name="twitter:card" content="{kind}"/>')
        return "\n".join(lines) + "\n"

    def cover_of(self, issue: IssueLike) -> tuple[str | None, str]:
        """An issue's cover image (its path, None when there is none) and its alt text."""
        path = COVER.format(id=issue.id)
        there = (issue.id in self.covers if self.covers is not None
                 else isinstance(issue, IssueHead) and issue.size(path) is not None)
        return (path, f"{issue.title} 封面") if there else (None, "")

    def _frame(self, depth: int) -> tuple[str, tuple[str, str]]:
        """What every page ``depth`` folders down shares: style and feed links in the head,
        the masthead and the subscription footer (made once per depth, not per page)."""
        frame = self._frames.get(depth)
        if frame is not None:
            return frame
        links = [
            ("atom", FEEDS["atom"]),
            ("rss", FEEDS["rss"]),
            ("json", FEEDS["json"]),
        ]
        if self.epubs:
            links += [("editions", FEEDS["editions"]), ("editions_rss", FEEDS["editions_rss"])]
        alternates = "\n".join(
            f'<link rel="alternate" type="{media}" title="{escape(self.title)} · {escape(label)}" '
            f'href="{_href(file, depth)}"/>'
            for _, (file, media, label) in links
        )
        subscribe = " · ".join(
            f'<a href="{_href(file, depth)}" type="{media}">{escape(label)}</a>'
            for _, (file, media, label) in links
        )
        head = (
            f'<link rel="stylesheet" href="{_href("styles/site.css", depth)}"/>\n'
            f'<link rel="stylesheet" href="{_href("styles/article.css", depth)}"/>\n'
            f'<link rel="icon" href="{_href(FAVICON, depth)}" type="image/svg+xml"/>\n'
            f"{alternates}\n"
        )
        # The search of the web edition (pressout.export.search: search.html and its index).
        search = (f'<form class="site-search" action="{_href("search.html", depth)}" method="get" role="search">'
                  '<input type="search" name="q" aria-label="搜索全部文章"/><button type="submit">搜索</button></form>')
        masthead = (f'<header class="masthead"><a href="{_href("index.html", depth)}">{escape(self.title)}</a>'
                    f"{search}</header>")
        footer = f'<footer class="site-footer"><p>订阅：{subscribe}</p></footer>'
        frame = self._frames[depth] = (head, (masthead, footer))
        return frame

    def section_link(self, kind: str, name: str | None, depth: int, text: str | None = None) -> str:
        """A link to the page of a section (``kind`` ``section``: a page's name) or a column,
        showing ``text`` (the name when not given); the text alone without such pages."""
        shown = escape(name if text is None else text) if name else ""
        if not name or not self.link_sections:
            return shown
        from .sections import file_name, part_path

        file = file_name(name)
        if not file:
            return shown
        href = _href(part_path(kind, file, "html"), depth)
        return f'<a class="{kind}" href="{href}">{shown}</a>'

    def epub_link(self, issue: IssueLike, depth: int) -> str:
        """The issue's EPUB, and beside it each other edition the build made (the vertical
        竖排 one with ``[epub] vertical``, Kobo's kepub with ``[epub] kobo``)."""
        if issue.id not in self.epubs:
            return ""
        epub = self.epubs[issue.id]
        editions = ((" ", "", epub.path, epub.size, "application/epub+zip", "下载 EPUB"),
                    (" vertical", " ", epub.vertical, epub.vertical_size, "application/epub+zip", "竖排版"),
                    (" kobo", " ", epub.kobo, epub.kobo_size, "application/kepub+zip", "Kobo 版"))
        return "".join(
            f'{gap}<a class="epub{kind.rstrip()}" href="{_href(epub_page(path), depth)}" type="{media}" '
            f'download="{escape(path.name)}">{label}（{_size(size)}）</a>'
            for kind, gap, path, size, media, label in editions if size is not None)

    # --- pages ---

    def day_list(self, days: list[Day], depth: int, *, full_dates: bool, compact: bool,
                 epubs: bool = True) -> str:
        """Days as a list, each with its pages: a page a line with its EPUB and its
        articles' headlines, or ``compact``, a day's pages on one line (the undated pages
        are one "day"), with their EPUBs unless not ``epubs``."""
        rows = []
        for date, day in days:
            issues = []
            for issue, label in zip(day, _labels(day), strict=True):
                row = (f'<li><a href="{_href(issue_page(issue), depth)}">{escape(label)}</a>'
                       f'<span class="count">{len(issue.articles)} 篇</span>')
                if epubs or not compact:
                    epub = self.epub_link(issue, depth)
                    row += f" {epub}" if epub else ""
                if not compact:
                    row += '\n<ul class="headlines">' + "".join(
                        f'<li><a href="{_href(article_page(issue, a), depth)}">{escape(headline(a))}</a></li>'
                        for a in issue.articles) + "</ul>"
                issues.append(row + "</li>")
            if date is None:
                heading = "日期不详"
            else:
                shown = f"{date.year}年{date.month}月{date.day}日" if full_dates else f"{date.month}月{date.day}日"
                heading = f'<time datetime="{date.isoformat()}">{shown}</time>'
            rows.append(f'<li><h3 class="day">{heading}</h3>\n<ol class="issues">\n'
                        + "\n".join(issues) + "\n</ol></li>")
        return f'<ol class="days{" compact" if compact else ""}">\n' + "\n".join(rows) + "\n</ol>"

    def index(self) -> bytes:
        """The front page: 最新, the newest day's pages with their EPUBs and headlines; 往期,
        the rest of the newest week's days in short, each page with its EPUBs, then every
        year with its months."""
        days = _days(self.issues)
        recent = self.day_list(days[:1], 0, full_dates=True, compact=False)
        past = ""
        if len(days) > 1:
            past = self.day_list(days[1:RECENT_DAYS], 0, full_dates=True, compact=True) + "\n"
        rows = []
        for year, year_days in _years(days):
            page = year_page(year_days[0][0])
            if year is None:
                rows.append(f'<li><a href="{_href(page, 0)}">日期不详</a>'
                            f'<span class="count">{_counts(year_days)}</span></li>')
                continue
            months = sorted({date.month for date, _ in year_days if date is not None}, reverse=True)
            links = " ".join(f'<a href="{_href(page, 0)}#m{m:02d}">{m}月</a>' for m in months)
            rows.append(f'<li><a href="{_href(page, 0)}">{year}年</a><span class="count">{_counts(year_days)}</span>'
                        f'\n<span class="months">{links}</span></li>')
        links, catalog = self.catalog_links()
        if self.sections is not None:
            catalog += (f'<p class="sections">按版面、按栏目订阅：<a href="{_href(self.sections, 0)}">版面与栏目</a>'
                        "（各有 Atom、RSS、JSON Feed）</p>\n")
        body = (
            f'<main class="index">\n<h1>{escape(self.title)} 网络版</h1>\n{catalog}'
            f'<section aria-labelledby="latest">\n<h2 id="latest">最新</h2>\n{recent}\n</section>\n'
            f'<section aria-labelledby="past">\n<h2 id="past">往期</h2>\n{past}<ol class="years">\n'
            + "\n".join(rows) + "\n</ol>\n</section>\n</main>"
        )
        newest = days[0][1] if days else []
        image, alt = self.cover_of(newest[0]) if newest else (None, "")
        description = _headlines(newest) or f"{self.title} 网络版"
        if newest and newest[0].date is not None:  # 2025年11月10日：标题一；标题二；…
            d = newest[0].date
            description = _clip(f"{d.year}年{d.month}月{d.day}日：{description}")
        card = Card("website", description, image, alt)
        return self.page("index.html", f"{self.title} 网络版", body, common_language(self.issues), links, card)

    def catalog_links(self) -> tuple[str, str]:
        """The OPDS catalog on the front page: autodiscovery links for its head, and a line
        with the catalog's address to add to an e-reader ("" and "" without a catalog)."""
        if not self.catalog:
            return "", ""
        head = "".join(
            f'<link rel="alternate" type="{escape(media)}" title="{escape(self.title)} · 电子版书库（{escape(label)}）" '
            f'href="{_href(path, 0)}"/>\n'
            for path, media, label in self.catalog
        )
        (first, media, label), *others = self.catalog
        address = escape(self.options.url(first))
        more = "".join(f' · <a href="{_href(path, 0)}" type="{escape(kind)}">{escape(name)}</a>'
                       for path, kind, name in others)
        line = (f'<p class="catalog">添加到电子阅读器：在阅读器的 OPDS 书库中添加 '
                f'<a href="{_href(first, 0)}" type="{escape(media)}">{address}</a>（{escape(label)}）{more}</p>\n')
        return head, line

    def year_pages(self) -> Iterator[tuple[str, bytes]]:
        """A page for each year (and one for the undated issues): its days by month."""
        years = _years(_days(self.issues))
        dated = [year for year, _ in years if year is not None]
        for year, days in years:
            path = year_page(days[0][0])
            if year is None:
                heading = "日期不详"
                sections = self.day_list(days, 1, full_dates=False, compact=True, epubs=False)
            else:
                heading = f"{year}年"
                months: dict[int, list[Day]] = {}
                for date, day in days:
                    assert date is not None
                    months.setdefault(date.month, []).append((date, day))
                sections = "\n".join(
                    f'<section aria-labelledby="m{m:02d}">\n<h2 id="m{m:02d}">{m}月</h2>\n'
                    + self.day_list(month, 1, full_dates=False, compact=True, epubs=False) + "\n</section>"
                    for m, month in months.items()
                )
            pager = []
            if year is not None:
                n = dated.index(year)  # newest first
                if n + 1 < len(dated):
                    older = dated[n + 1]
                    pager.append(f'<a rel="prev" href="{older}.html">上一年：{older}年</a>')
                if n > 0:
                    newer = dated[n - 1]
                    pager.append(f'<a rel="next" href="{newer}.html">下一年：{newer}年</a>')
            body = (
                f'<nav class="crumbs"><a href="{_href("index.html", 1)}">首页</a></nav>\n'
                f'<main class="year">\n<h1>{escape(self.title)} {heading}</h1>\n'
                f'<p class="meta">{_counts(days)}</p>\n{sections}\n</main>'
                + (f'\n<nav class="pager">{"".join(pager)}</nav>' if pager else "")
            )
            language = common_language(issue for _, day in days for issue in day)
            card = Card("website", f"{self.title} {heading}：{_counts(days)}")
            yield path, self.page(path, f"{self.title} {heading}", body, language, card=card)

    def crumbs(self, issue: Issue) -> str:
        """The way back from an issue's pages: the front page, the issue's year (month)."""
        page = year_page(issue.date)
        if issue.date is None:
            where = f'<a href="{_href(page, 2)}">日期不详</a>'
        else:
            d = issue.date
            where = f'<a href="{_href(page, 2)}#m{d.month:02d}">{d.year}年{d.month}月</a>'
        return f'<a href="{_href("index.html", 2)}">首页</a> › {where}'

    def toc(self, articles: Iterable[Article]) -> str:
        """A list of articles: each headline with its column, its kind and its credit."""
        rows = []
        for article in articles:
            extras = []
            if article.column:
                extras.append(f'<span class="column">{escape(article.column)}</span>')
            if article.kind.value != "article":
                extras.append(f'<span class="kind">{escape(KIND_LABELS[article.kind])}</span>')
            byline = article.byline or next(iter(article.credits), None)
            credit = (
                f'<span class="byline">{escape(byline_text(byline))}</span>'
                if byline and byline.contributors
                else ""
            )
            rows.append(
                f"<li>{''.join(extras)}"
                f'<a href="{_href(article.id + ".html", 0)}">{escape(headline(article))}</a>'
                f"{credit}</li>"
            )
        return '<ol class="toc">\n' + "\n".join(rows) + "\n</ol>"

    def paged_toc(self, runs: list[PageRun], anchors: Mapping[str, str]) -> str:
        """The contents of an issue of several pages, as the paper is read: a line of links
        to its pages, then each page under its heading (第1版 要闻) with its articles.
        Articles of no known page (a whole issue's contents before its first page) come
        without a heading where they are first, and under 版面不详 anywhere else, so that
        they are never taken for the articles of the page above them."""
        links = " · ".join(f'<a href="#{anchors[page.label]}">{escape(page.heading)}</a>'
                           for page in dict.fromkeys(page for page, _ in runs if page is not None))
        parts = [f'<nav class="pages" aria-label="版面">{links}</nav>']
        seen: set[str] = set()
        for n, (page, articles) in enumerate(runs):
            if page is None and n == 0:
                parts.append(self.toc(articles))
                continue
            if page is None:
                start, heading = '<section class="page">', f"<h2>{UNKNOWN_PAGE}</h2>"
            elif page.label in seen:  # a page the dump went back to: its anchor is taken
                start, heading = '<section class="page">', f"<h2>{self.page_heading(page)}</h2>"
            else:
                seen.add(page.label)
                anchor = anchors[page.label]
                start = f'<section class="page" aria-labelledby="{anchor}">'
                heading = f'<h2 id="{anchor}">{self.page_heading(page)}</h2>'
            parts.append(f"{start}\n{heading}\n{self.toc(articles)}\n</section>")
        return "\n".join(parts)

    def page_heading(self, page: Page) -> str:
        """第1版 要闻, the name a link to its section's page."""
        if not page.name or not self.link_sections:
            return escape(page.heading)
        label = page.heading.removesuffix(f" {page.name}")
        return f"{escape(label)} {self.section_link('section', page.name, 2)}"

    def issue(self, issue: Issue, anchors: Mapping[str, str] | None = None,
              neighbours: Neighbours = (None, None)) -> bytes:
        """The issue's table of contents: a list of its articles, or, when they are on
        several pages, its pages each with its articles (``paged_toc``; ``anchors`` as
        ``page_anchors`` gives them, made here when not given); then the way to the issue
        before and the one after (``issue_neighbours``)."""
        runs = issue.by_page()
        anchors = page_anchors(issue, runs) if anchors is None else anchors
        contents = self.paged_toc(runs, anchors) if anchors else self.toc(issue.articles)
        meta = [_date(issue), f"{len(issue.articles)} 篇"]  # the page is in the title
        if not anchors and len(issue.pages) == 1 and issue.pages[0].name and self.link_sections:
            meta.append(self.page_heading(issue.pages[0]))  # one page: its section
        epub = self.epub_link(issue, 2)
        if epub:
            meta.append(epub)
        links, pager = _issue_pager(neighbours)
        body = (
            f'<nav class="crumbs">{self.crumbs(issue)}</nav>\n'
            f'<main class="issue">\n<h1>{escape(issue.title)}</h1>\n'
            f'<p class="meta">{" · ".join(meta)}</p>\n'
            f"{contents}\n</main>{pager}"
        )
        image, alt = self.cover_of(issue)
        card = Card("website", _headlines([issue]) or issue.title, image, alt)
        return self.page(issue_page(issue), issue.title, body, issue_language(issue), links, card)

    def article(self, issue: Issue, index: int, anchors: Mapping[str, str] | None = None) -> bytes:
        """An article's page; ``anchors`` (``page_anchors``): the sections of the issue's
        page, to which the way back leads when the article's page has one."""
        article = issue.articles[index]
        shared = self._shared(issue)
        pager = []
        if index > 0:
            before = issue.articles[index - 1]
            pager.append(
                f'<a rel="prev" href="{_href(before.id + ".html", 0)}">上一篇：{escape(headline(before))}</a>'
            )
        if index + 1 < len(issue.articles):
            after = issue.articles[index + 1]
            pager.append(
                f'<a rel="next" href="{_href(after.id + ".html", 0)}">下一篇：{escape(headline(after))}</a>'
            )
        source = list(shared.source)
        if self.link_sections:  # the article's section and column, each with its feeds
            section = issue.section_of(article)
            if section:
                source.append(f"版面 {self.section_link('section', section, 2)}")
            if article.column:
                source.append(f"栏目 {self.section_link('column', article.column, 2)}")
        original = source_url(article)
        if original is not None:
            source.append(f'<a class="original" href="{escape(original)}" rel="external">原文</a>')
        if shared.epub:
            source.append(shared.epub)
        crumbs = shared.crumbs
        page = issue.page_of(article) if anchors else None
        if page is not None and anchors is not None:  # 都市快报 2026年4月4日 › A03版 文体
            crumbs += f' › <a href="index.html#{anchors[page.label]}">{escape(page.heading)}</a>'
        body = (
            f'<nav class="crumbs">{crumbs}</nav>\n'
            f'<main class="article">\n{render_article(article)}\n'
            f'<p class="source">{" · ".join(source)}</p>\n</main>\n'
            + (f'<nav class="pager">{"".join(pager)}</nav>' if pager else "")
        )
        card = Card("article", first_sentence(article), shared.image, shared.alt, issue.date)
        title = headline(article)
        return self.page(article_page(issue, article), f"{title} - {shared.title}", body,
                         shared.language, card=card, name=title)

    def _shared(self, issue: Issue) -> _Shared:
        """What the pages of an issue's articles share, made once for the issue (the last
        one asked for is kept), not once for each page."""
        kept = self._kept
        if kept is not None and kept[0] is issue:
            return kept[1]
        # 原载《太原日报》: a paper nothing names is no title to put in 《》.
        paper = f"原载《{escape(issue.publication)}》" if issue.publication else f"{escape(masthead(issue))} · "
        source = [f"{paper}{_date(issue)}"]
        if issue.page_label is not None:
            source.append(issue.page_label)
        title = issue.title
        image, alt = self.cover_of(issue)
        shared = _Shared(tuple(source), self.epub_link(issue, 2),
                         f'{self.crumbs(issue)} › <a href="index.html">{escape(title)}</a>',
                         image, alt, title, issue_language(issue))
        self._kept = (issue, shared)
        return shared

    def pages_of(self, issue: Issue, neighbours: Neighbours = (None, None)) -> Iterator[tuple[str, bytes]]:
        """The issue's page and its articles' pages."""
        anchors = page_anchors(issue, issue.by_page())
        yield issue_page(issue), self.issue(issue, anchors, neighbours)
        for index, article in enumerate(issue.articles):
            yield article_page(issue, article), self.article(issue, index, anchors)


def _issue_pager(neighbours: Neighbours) -> tuple[str, str]:
    """What an issue's page says of the issues before and after it: the lines of its head's
    links (``rel="prev"``, ``rel="next"``, each ending in a newline), put before its
    canonical link, and the pager, put after its ``</main>``; both empty without neighbours."""
    pager, links = [], ""
    for rel, label, near in (("prev", "上一期", neighbours[0]), ("next", "下一期", neighbours[1])):
        if near is not None:
            href = _href(ISSUE_PAGE.format(id=near[0]), 2)
            pager.append(f'<a rel="{rel}" href="{href}">{label}：{escape(near[1])}</a>')
            links += f'<link rel="{rel}" href="{href}" title="{label}：{escape(near[1])}"/>\n'
    return links, (f'\n<nav class="pager issues" aria-label="上一期和下一期">{"".join(pager)}</nav>' if pager else "")


_CANONICAL = '<link rel="canonical" href="'  # (what an issue's page has right after its links)


PageRun = tuple[Page | None, tuple[Article, ...]]  # a run of articles on one page (``Issue.by_page``)
UNKNOWN_PAGE = "版面不详"  # the heading of articles of no known page after those of a page
_PLAIN_LABEL = re.compile(r"[A-Za-z0-9]+")


def page_anchors(issue: Issue, runs: list[PageRun]) -> dict[str, str]:
    """The id of each page's section on the issue's page, by page label (``page-A03``,
    ``page-1``), for an issue whose articles are on two or more runs of pages; none (an
    empty mapping) for an issue of one page or of no known page, whose page stays a plain
    list. A label that is not plain letters and digits (a source can give any) is known
    by its place among the issue's pages instead (``page-_2``: no plain label's id)."""
    if len(runs) < 2:
        return {}
    places = {page.label: n for n, page in enumerate(issue.pages, 1)}
    labels = dict.fromkeys(page.label for page, _ in runs if page is not None)
    return {label: f"page-{label}" if _PLAIN_LABEL.fullmatch(label) else f"page-_{places[label]}"
            for label in labels}


def _styles() -> dict[str, bytes]:
    return {f"styles/{name}": css for name in STYLES if (css := stylesheet(name)) is not None}


def build_site(
    issues: Iterable[Issue], options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None
) -> dict[str, bytes]:
    """Every page and style sheet, by path in the web root, without writing anything."""
    return dict(iter_site(issues, options, epubs))


def iter_site(
    issues: Iterable[IssueLike],
    options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None,
    *,
    per_issue: bool = True,
    catalog: Sequence[tuple[str, str, str]] = (),
    sections: str | None = None,
) -> Iterator[tuple[str, bytes]]:
    """``build_site`` as a stream of ``(path, bytes)``, each page as soon as it is made, so
    that a build of any size never holds the whole web edition. Same pages, same bytes;
    the issues are checked before the first page. ``per_issue=False`` leaves out the
    issues' own pages (``issue_pages`` makes them): the front page, the year pages, the
    icon and the style sheets. ``catalog``: the OPDS catalog's entry points (path, media
    type, label; ``pressout.export.opds.ENTRY_POINTS``), which the front page links, when
    it is made; ``sections``: the page of the sections' and columns' feeds
    (``pressout.export.sections``), which the front page links, when there is one. The
    pages show the issues' cover images where their heads' sizes name them
    (``IssueHead``: a build's)."""
    options = options or SiteOptions()
    ordered = order_issues(issues, tz=options.tz, time=options.time_of_day)
    check_issues(ordered)
    site = _Site(ordered, options, epubs, catalog=catalog, sections=sections)
    yield "index.html", site.index()
    yield from site.year_pages()
    yield FAVICON, favicon(site.title)
    if per_issue:
        near = issue_neighbours(ordered)
        for issue in ordered:
            assert isinstance(issue, Issue), "an issue's own pages need the whole issue, not its head"
            yield from site.pages_of(issue, near[issue.id])
    yield from _styles().items()


def issue_pages(
    issue: Issue, title: str, options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None,
    *, neighbours: Neighbours = (None, None), cover: bool = False, sections: bool = False,
) -> Iterator[tuple[str, bytes]]:
    """The pages of one issue (its table of contents and its articles), as ``iter_site``
    makes them for a site called ``title`` (``SiteOptions.site_title`` of all its issues),
    in which ``neighbours`` are the issues before and after it (``issue_neighbours`` of
    all its issues); ``cover``: its cover image (``covers/{id}.png``) is there;
    ``sections``: the pages of its sections and columns are there (a build's,
    ``pressout.export.sections``), and its pages link them. The ids are not checked here:
    ``check_issues`` checks them against every other issue."""
    site = _Site([issue], options or SiteOptions(), epubs, title, covers={issue.id} if cover else (),
                 link_sections=sections)
    yield from site.pages_of(issue, neighbours)


def write_site(
    issues: Iterable[Issue],
    out_dir: str | os.PathLike[str],
    options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None,
) -> list[Path]:
    """Write the web edition into the folder ``out_dir`` (the web root), which is made (with
    the folders above it) if it is missing; returns the files written.

    ``epubs`` maps issue ids to the EPUB files the build publishes under ``epub/``; without
    it the pages offer no download. Nothing is written unless every page could be made.
    """
    return write_files(out_dir, build_site(issues, options, epubs))


class SiteExporter(Exporter):
    """The web edition: each issue's pages (title-bound: they name the site's title, the
    common publication of all issues, or ``[site] title``, and link the issues before and
    after it: see the module docstring), and the front page, the year pages, the icon and
    the style sheets (``[build] styles`` replace shipped ones of the same name)."""

    name = "site"
    title_bound = True
    bound_deferred = True  # an issue alone has no neighbours: made once every issue is known
    rebinds = True  # ...but made by the workers, and only the issue's page made again (rebound)
    folders = (YEARS, "styles")

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return (ISSUE_PAGE, ARTICLE_PAGE)

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        from .epub import epub_file_of

        title, neighbours = _from_bound(bound or self.bounds([issue], settings)[0])
        yield from issue_pages(issue, title, settings.options, {issue.id: epub_file_of(issue.id, made)},
                               neighbours=neighbours, cover=COVER.format(id=issue.id) in made, sections=True)

    def patchable(self, made_with: str, value: str) -> bool:
        """Whether an issue's pages made with the value ``made_with`` (a worker's: the issue
        alone, no neighbours) become those made with ``value`` by ``rebound``: when the
        site's title is the same, only the issue's page differs (its neighbours)."""
        title, near = _from_bound(made_with)
        return near == (None, None) and _from_bound(value)[0] == title

    def rebound(self, ident: str, made_with: str, value: str,
                read: Callable[[str], bytes]) -> list[tuple[str, bytes]] | None:
        """The pages of issue ``ident`` made with ``made_with`` that differ when made with
        ``value`` (``patchable``), made from those pages (``read``: a page's bytes by its
        path) rather than from the issue: its page, with the links to its neighbours put
        where ``_Site.issue`` puts them (the same bytes). None where the page does not
        read as expected (the caller makes the pages from the issue)."""
        if not self.patchable(made_with, value):
            return None
        path = ISSUE_PAGE.format(id=ident)
        page = read(path).decode("utf-8")
        links, pager = _issue_pager(_from_bound(value)[1])
        head, end = page.find(_CANONICAL), page.find("</main>")
        if head < 0 or end < head or page.count("</main>") != 1:
            return None
        end += len("</main>")
        page = page[:head] + links + page[head:end] + pager + page[end:]
        check_text(page, f"web page {path}")
        return [(path, page.encode("utf-8"))]

    def bound(self, issues: Sequence[IssueLike], settings: Settings) -> str:
        """The site's title (what every issue's pages share of the archive)."""
        return str(settings.options.site_title(issues))

    def bounds(self, issues: Sequence[IssueLike], settings: Settings) -> list[str]:
        """Each issue's value: the site's title and the issue's neighbours (their ids and
        titles), so that an issue's pages are made again when its neighbours change, and
        only then (or when the title does)."""
        values = _bound_values(self.bound(issues, settings), issues)
        return [values[issue.id] for issue in issues]

    def archive_files(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[tuple[str, bytes]]:
        from .epub import epub_files

        epubs = epub_files(heads)
        from .sections import index_of

        for rel, blob in iter_site(heads, settings.options, epubs, per_issue=False, catalog=_catalog(),
                                   sections=index_of(heads)):
            if not (rel.startswith("styles/") and rel.removeprefix("styles/") in settings.styles):
                yield rel, blob
        for name, css in settings.styles.items():  # [build] styles: the desk's own style sheets
            yield f"styles/{name}", css


def _catalog() -> tuple[tuple[str, str, str], ...]:
    """The OPDS catalog's entry points when the build makes it (the format ``opds``)."""
    from .registry import exporters

    if not any(e.name == "opds" for e in exporters()):
        return ()
    from .opds import ENTRY_POINTS

    return ENTRY_POINTS


EXPORTER = SiteExporter()
