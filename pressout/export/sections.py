"""Feeds and web pages per section and per column: follow one part of the paper.

A *section* is a named page of the paper (要闻, 评论, 杭州新闻: ``Page.name``) on any day: the
articles printed on pages of that name; a *column* (栏目: ``Article.column``, 并州论坛) the
articles of one column, on whatever page. Both are known from the issues' heads
(``ArticleHead.section``, ``ArticleHead.column``); a paper whose pages have no names and
whose articles no columns has none, and the build writes nothing of this. For each the
build writes, in the web root::

    sections/{name}.xml         Atom 1.0: the section's newest articles, in full
    sections/{name}.rss.xml     RSS 2.0, the same
    sections/{name}.json        JSON Feed 1.1, the same
    sections/{name}.html        its web page: those articles by day, with the feeds' links
    columns/{name}.xml, .rss.xml, .json, .html
                                the same for a column
    sections/index.html         every section and column, with their feeds (linked from
                                the front page)

``{name}`` is the name as printed (Chinese file names: the links are percent-encoded, and
browsers show them as written), with what a file name cannot hold (``/ \\ : * ? " < > |``,
``#``, ``%``, whitespace, dots) made ``-`` (``file_name``); names that give the same file
name (ignoring case) are one section, under the newest's spelling.

**The feeds** hold the newest ``SiteOptions.feed_size`` articles of the section in the
articles' feed order, each the very entry of the site's own feeds (``atom.xml``…: the same
id, instant, content and credits, put together from the same pieces, see
``pressout.export.feed_pieces``), so a reader that follows both never sees an article
twice. A build of several papers has one section of a name for all of them, as it has one
site and one feed for all. They have no archive pages: the history is in the whole paper's feed archives and
in the web edition. Every subscription document names the WebSub hub when there is one
(``[site] websub_hub``). The feed's id is a ``tag:`` URI of the section's file name
(case-folded, percent-encoded), which no spelling of it changes:
``tag:{authority},2000-01-01:{slug}/feed/section/{file}``, ``…/feed/column/{file}`` for a
column.

**The page** of a section lists the same articles by day, each with its page (A03版), and
names the three feeds for autodiscovery (``rel="alternate"``, before the whole paper's) and
visibly. An issue's page links its page headings to their sections (``pressout.export
.site``).

In a build each section is one archive job (``pressout.export.registry``), whose digest
is its articles' page keys, ids and instants: a section is made again only when one of its
newest articles changes or a newer one arrives.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import IssueHead
from ._feedgen import Head
from .feed import (
    FEEDS,
    FeedPage,
    SiteOptions,
    article_page,
    common_language,
    feed_tag,
    order_issues,
    timed_articles,
)
from .registry import ArchiveJob, Exporter, Settings, Validator

__all__ = ["FOLDERS", "INDEX", "KINDS", "Section", "file_name", "index_of", "part_path", "sections_of"]

# The two kinds of part: kind -> (its folder, what people call it, the noun after its name).
KINDS = {"section": ("sections", "版面", "版"), "column": ("columns", "栏目", "栏目")}
FOLDERS = tuple(folder for folder, _, _ in KINDS.values())  # where the parts' files are
INDEX = "sections/index.html"
# Each part's files, by role (the feeds' roles, and its page): the one place their names are written.
FILES = {"atom": "{folder}/{name}.xml", "rss": "{folder}/{name}.rss.xml", "json": "{folder}/{name}.json",
         "html": "{folder}/{name}.html"}
NAME_MAX = 60  # characters of a file name made from a name

_UNFIT = re.compile(r'[\s/\\:*?"<>|#%.]+')


def part_path(kind: str, file: str, role: str) -> str:
    """The path of a part's file of ``role`` (``FILES``), by its kind and file name."""
    return FILES[role].format(folder=KINDS[kind][0], name=file)


@functools.lru_cache(maxsize=4096)  # (asked for every article of the archive, of a few names)
def file_name(name: str) -> str:
    """A section's or column's name as a file name (see the module docstring): "" when
    nothing of it is left."""
    made = _UNFIT.sub("-", unicodedata.normalize("NFC", name)).strip("-")[:NAME_MAX].strip("-")
    return made + "-" if made.casefold() == "index" else made  # sections/index.html is the list


def index_of(heads: Sequence[IssueHead]) -> str | None:
    """``INDEX`` when ``heads`` have a section or a column (the build then makes their
    feeds and that page, which the front page and the catalog link), else None."""
    there = any((a.section and file_name(a.section)) or (a.column and file_name(a.column))
                for head in heads for a in head.articles)
    return INDEX if there else None


@dataclass(frozen=True, slots=True)
class Section:
    """A section or a column: ``kind`` (``section``, ``column``), its name as printed, its
    file name, and its articles as ``(issue head, article head, instant)``, newest first
    (all of them: the feeds hold the first ``feed_size``)."""

    kind: str
    name: str
    file: str
    items: tuple[tuple[IssueHead, Any, dt.datetime], ...]

    def path(self, role: str) -> str:
        return part_path(self.kind, self.file, role)


def sections_of(heads: Sequence[IssueHead], options: SiteOptions) -> list[Section]:
    """Every section, then every column, of ``heads``, each in the order its newest article
    comes in the feeds."""
    ordered = order_issues(heads, tz=options.tz, time=options.time_of_day)
    groups: dict[tuple[str, str], tuple[str, list[tuple[IssueHead, Any, dt.datetime]]]] = {}
    for item in timed_articles(ordered, options):
        article = item[1]
        for kind, name in (("section", article.section), ("column", article.column)):
            if not name or not (file := file_name(name)):
                continue
            key = (kind, file.casefold())
            group = groups.get(key)
            if group is None:
                group = groups[key] = (name, [])
            group[1].append(item)
    return [Section(kind, name, file_name(name), tuple(items))
            for kind in KINDS for (k, _), (name, items) in groups.items() if k == kind]


def _heads(options: SiteOptions, site: str, slug: str, part: Section, items: Sequence[Any]
           ) -> tuple[tuple[str, str, Head], ...]:
    """The part's three feed documents: (role, path, head)."""
    noun = KINDS[part.kind][2]
    head = Head(
        # (the file name, as the section is known by it: the same whichever spelling is newest)
        id=feed_tag(options, slug, f"{part.kind}/{quote(part.file.casefold(), safe='')}"),
        title=f"{site} · {part.name}",
        subtitle=f"{site}：{part.name}{noun}的文章",
        site_url=options.url(part.path("html")),
        self_url="",
        updated=max(when for _, _, when in items),
        author=site,
        language=common_language(issue for issue, _, _ in items),
        generator="pressout",
        generator_version=__version__,
        hub=options.websub_hub,
    )
    return tuple((role, part.path(role), replace(head, self_url=options.url(part.path(role))))
                 for role in ("atom", "rss", "json"))


@dataclass(frozen=True, slots=True)
class _Work:
    """A section's job: its feed page (the entries of its three documents), and what its
    web page needs besides: the site's title."""

    page: FeedPage
    part: Section
    site: str


class SectionsExporter(Exporter):
    """The sections' and columns' feeds and pages (see the module docstring): one archive
    job each, and one for the list of them all."""

    name = "sections"
    folders = FOLDERS
    borrows_pieces = "feeds"  # a section's entries are the whole paper's (pressout.export.feed_pieces)

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[ArchiveJob]:
        options: SiteOptions = settings.options
        parts = sections_of(heads, options)
        if not parts:
            return
        site = options.site_title(heads)
        slug = order_issues(heads, tz=options.tz, time=options.time_of_day)[0].publication_slug
        for part in parts:
            items = part.items[: options.feed_size]
            page = FeedPage("articles", _heads(options, site, slug, part, items), items)
            # What the files are made from: the feeds' heads, and of each article its issue's
            # page key, its id, headline and instant (its page shows no EPUB's size).
            made_from = [(h.key, h.id, a.id, a.display_title, when.isoformat()) for h, a, when in items]
            digest = hashlib.sha256(repr((page.docs, part.name, made_from)).encode("utf-8")).hexdigest()
            needs = tuple(dict.fromkeys(h.id for h, _, _ in items))
            yield ArchiveJob((*(rel for _, rel, _ in page.docs), part.path("html")), digest, needs,
                             _Work(page, replace(part, items=items), site))
        listed = [(p.kind, p.name, p.file, len(p.items), p.items[0][0].date) for p in parts]
        language = common_language(heads)
        digest = hashlib.sha256(repr((site, language, listed)).encode("utf-8")).hexdigest()
        # (an issue's head: the page's frame links the editions feeds, as every page's does)
        yield ArchiveJob((INDEX,), digest, (), (site, language, tuple(listed), parts[0].items[0][0]))

    def run_job(self, job: ArchiveJob, inputs: Mapping[str, Any], settings: Settings) -> Iterator[tuple[str, bytes]]:
        options: SiteOptions = settings.options
        if not isinstance(job.work, _Work):
            site, language, listed, newest = job.work
            yield INDEX, index_page(options, site, language, listed, newest)
            return
        from .feed_pieces import render_page_from_pieces

        work: _Work = job.work
        for _, rel, data in render_page_from_pieces(options, work.page, inputs):
            yield rel, data
        yield work.part.path("html"), section_page(options, work.site, work.part)

    def validators(self) -> tuple[Validator, ...]:
        from ..validate import sections_check

        return (Validator("sections", sections_check),)


# --- the web pages ------------------------------------------------------------------------


def _feed_links(part: Section, site: str, here: str) -> tuple[str, str]:
    """A part's feeds: autodiscovery lines for a page's head, and the visible links, from
    a page in the folder ``here``."""
    from .html import escape

    head, shown = [], []
    for role in ("atom", "rss", "json"):
        _, media, label = FEEDS[role]
        href = _link(part.path(role), here)
        head.append(f'<link rel="alternate" type="{media}" title="{escape(site)} · {escape(part.name)}（{label}）" '
                    f'href="{href}"/>\n')
        shown.append(f'<a href="{href}" type="{media}">{label}</a>')
    return "".join(head), " · ".join(shown)


def section_page(options: SiteOptions, site: str, part: Section) -> bytes:
    """A section's or column's web page: its newest articles (``part.items``) by day."""
    from .epub import epub_files
    from .html import escape
    from .site import Card, _Site

    heads = list(dict.fromkeys(h for h, _, _ in part.items))
    web = _Site(heads, options, epub_files(heads), title=site)
    folder = KINDS[part.kind][0]
    links, shown = _feed_links(part, site, folder)
    days: dict[dt.date | None, list[str]] = {}
    for issue, article, _ in part.items:
        # (a column's article says which section it is in: a section's all are in it)
        where = article.section if part.kind == "column" else None
        extra = f' <span class="section">{escape(where)}</span>' if where else ""
        days.setdefault(issue.date, []).append(
            f'<li><a href="{_link(article_page(issue, article), folder)}">{escape(article.display_title)}</a>'
            f"{extra}</li>")
    rows = []
    for date, items in days.items():
        shown_date = (f'<time datetime="{date.isoformat()}">{date.year}年{date.month}月{date.day}日</time>'
                      if date is not None else "日期不详")
        rows.append(f'<li><h3 class="day">{shown_date}</h3>\n<ol class="headlines">\n'
                    + "\n".join(items) + "\n</ol></li>")
    _, called, _ = KINDS[part.kind]
    body = (
        f'<nav class="crumbs"><a href="{_link("index.html", folder)}">首页</a> › '
        f'<a href="{_link(INDEX, folder)}">版面与栏目</a></nav>\n'
        f'<main class="section">\n<h1>{escape(part.name)}</h1>\n'
        f'<p class="meta">{called} · 最新 {len(part.items)} 篇 · 订阅：{shown}</p>\n'
        '<ol class="days">\n' + "\n".join(rows) + "\n</ol>\n</main>"
    )
    language = common_language(issue for issue, _, _ in part.items)
    titles = "；".join(article.display_title for _, article, _ in part.items[:5])
    card = Card("website", f"{site} {part.name}：{titles}")
    return web.page(part.path("html"), f"{part.name} · {site}", body, language, feeds=links, card=card)


def index_page(options: SiteOptions, site: str, language: str,
               listed: Sequence[tuple[str, str, str, int, dt.date | None]], newest: IssueHead) -> bytes:
    """The list of every section and column, each with its page, its feeds and its
    articles' count and newest date (``newest``: an issue's head, for the frame)."""
    from .epub import epub_files
    from .html import escape
    from .site import Card, _Site

    web = _Site([newest], options, epub_files([newest]), title=site)
    blocks = []
    for kind, (folder, called, _) in KINDS.items():
        rows = []
        for k, name, file, count, latest in listed:
            if k != kind:
                continue
            part = Section(kind, name, file, ())
            _, shown = _feed_links(part, site, "sections")
            when = f"，最近 {latest.year}年{latest.month}月{latest.day}日" if latest is not None else ""
            rows.append(f'<li><a href="{_link(part.path("html"), "sections")}">{escape(name)}</a><span class="count">{count} 篇{when}</span> '
                        f'<span class="feeds">{shown}</span></li>')
        if rows:
            blocks.append(f'<section aria-labelledby="{folder}">\n<h2 id="{folder}">{called}</h2>\n'
                          '<ul class="sections">\n' + "\n".join(rows) + "\n</ul>\n</section>")
    body = (f'<nav class="crumbs"><a href="{_link("index.html", "sections")}">首页</a></nav>\n'
            f'<main class="sections">\n<h1>{escape(site)} 版面与栏目</h1>\n'
            '<p class="meta">每个版面、每个栏目都可单独订阅（Atom、RSS、JSON Feed）。</p>\n'
            + "\n".join(blocks) + "\n</main>")
    card = Card("website", f"{site} 的版面与栏目，各自可以订阅")
    return web.page(INDEX, f"版面与栏目 · {site}", body, language, card=card)


def _link(path: str, here: str) -> str:
    """A link to ``path`` (from the root) from a page in the folder ``here`` (one down)."""
    from .html import escape

    folder, _, name = path.rpartition("/")
    return escape(quote(name) if folder == here else "../" + quote(path, safe="/"))


EXPORTER = SectionsExporter()
