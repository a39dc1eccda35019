"""The web edition: the static pages the feeds link to, one per issue and one per article.

The output folder is the web root, served at ``SiteOptions.base_url``::

    index.html                          every issue, newest first
    issues/{issue.id}/index.html        one issue: its table of contents, EPUB download
    issues/{issue.id}/{article.id}.html one article: the permalink the feeds point to
    styles/site.css, styles/article.css the web chrome, and the article typography the
                                        EPUB shares (copied from pressout.styles)
    epub/{name}                         the EPUBs; the build puts them there, pages link
    atom.xml, rss.xml, feed.json, editions.xml, editions-rss.xml, archive/…
                                        written by pressout.export.feed.write_feeds

A build calls ``write_feeds`` and ``write_site`` with the same issues, options and EPUBs.
The pages of one issue depend on nothing but that issue, the options, its EPUBs and the
site's title, so ``issue_pages`` makes them alone (the build does it in its workers, as
each page is read, and keeps them while the issue and the title stay the same); the
index lists every issue, and reads only its id, title, date, page, publication and
article count.
Links between pages are relative, so the pages also work opened from disk or served
under another address; only ``<link rel="canonical">`` is absolute. Every page is
``lang="zh-CN"``, well-formed XHTML (polyglot HTML5), and carries ``<link
rel="alternate">`` autodiscovery for the Atom, RSS and JSON feeds (and the editions feed
when there are EPUBs). Articles are the shared ``render_article`` fragment, so the page,
the feeds and the EPUB show the same text.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

from ..errors import OutputError
from ..model import Issue
from ._feedgen import check_text
from .css import stylesheet
from .feed import (
    FEEDS,
    KIND_LABELS,
    EpubFile,
    SiteOptions,
    article_page,
    check_issues,
    epub_file,
    epub_page,
    issue_page,
    order_issues,
    write_files,
)
from .html import byline_text, escape, render_article

__all__ = ["STYLES", "build_site", "issue_pages", "iter_site", "write_site"]

# Copied into styles/: the site's own chrome and the article typography the EPUB uses.
STYLES = ("site.css", "article.css")


@functools.lru_cache(maxsize=1024)  # an issue's pages link to one another: each link is made thrice
def _href(path: str, depth: int) -> str:
    """A link from a page ``depth`` folders below the root to ``path`` (from the root)."""
    return escape("../" * depth + quote(path, safe="/"))


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _date(issue: Issue) -> str:
    if issue.date is None:
        return "日期不详"
    d = issue.date
    return f'<time datetime="{d.isoformat()}">{d.year}年{d.month}月{d.day}日</time>'


class _Site:
    def __init__(self, issues: list[Issue], options: SiteOptions, epubs: Mapping[str, Path | EpubFile] | None,
                 title: str | None = None):
        self.issues = issues
        self.options = options
        self.title = title or options.site_title(issues)
        self._frames: dict[int, tuple[str, tuple[str, str]]] = {}
        self.epubs: dict[str, EpubFile] = {}
        if epubs is not None:
            for issue in issues:
                if issue.id not in epubs:
                    raise OutputError(f"no EPUB given for issue {issue.id}")
                self.epubs[issue.id] = epub_file(issue, epubs[issue.id])

    # --- page frame ---

    def page(self, path: str, title: str, body: str) -> bytes:
        depth = path.count("/")
        head, foot = self._frame(depth)
        # The same URL the feeds link to, so readers and search engines agree on one.
        canonical = escape(self.options.url(path))
        html = f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{escape(title)}</title>
{head}<link rel="canonical" href="{canonical}"/>
</head>
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
            f"{alternates}\n"
        )
        masthead = f'<header class="masthead"><a href="{_href("index.html", depth)}">{escape(self.title)}</a></header>'
        footer = f'<footer class="site-footer"><p>订阅：{subscribe}</p></footer>'
        frame = self._frames[depth] = (head, (masthead, footer))
        return frame

    def epub_link(self, issue: Issue, depth: int) -> str:
        if issue.id not in self.epubs:
            return ""
        epub = self.epubs[issue.id]
        link = (
            f'<a class="epub" href="{_href(epub_page(epub.path), depth)}" type="application/epub+zip" '
            f'download="{escape(epub.path.name)}">下载 EPUB（{_size(epub.size)}）</a>'
        )
        # The vertical (竖排) edition, when the build made one, sits beside it.
        if epub.vertical_size is not None:
            vertical = epub.vertical
            link += (
                f' <a class="epub vertical" href="{_href(epub_page(vertical), depth)}" '
                f'type="application/epub+zip" download="{escape(vertical.name)}">'
                f"竖排版（{_size(epub.vertical_size)}）</a>"
            )
        return link

    # --- pages ---

    def index(self) -> bytes:
        rows = []
        for issue in self.issues:
            epub = self.epub_link(issue, 0)
            rows.append(
                f'<li><a href="{_href(issue_page(issue), 0)}">{escape(issue.title)}</a>'
                f'<span class="count">{len(issue.articles)} 篇</span>'
                + (f" {epub}" if epub else "")
                + "</li>"
            )
        body = (
            f'<main class="index">\n<h1>{escape(self.title)} 网络版</h1>\n'
            f'<ol class="issues">\n' + "\n".join(rows) + "\n</ol>\n</main>"
        )
        return self.page("index.html", f"{self.title} 网络版", body)

    def issue(self, issue: Issue) -> bytes:
        rows = []
        for article in issue.articles:
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
                f'<a href="{_href(article.id + ".html", 0)}">{escape(article.display_title)}</a>'
                f"{credit}</li>"
            )
        meta = [_date(issue)]
        if issue.page is not None:
            meta.append(f"第{issue.page}版")
        meta.append(f"{len(issue.articles)} 篇")
        epub = self.epub_link(issue, 2)
        if epub:
            meta.append(epub)
        body = (
            f'<nav class="crumbs"><a href="{_href("index.html", 2)}">全部期次</a></nav>\n'
            f'<main class="issue">\n<h1>{escape(issue.title)}</h1>\n'
            f'<p class="meta">{" · ".join(meta)}</p>\n'
            f'<ol class="toc">\n' + "\n".join(rows) + "\n</ol>\n</main>"
        )
        return self.page(issue_page(issue), issue.title, body)

    def article(self, issue: Issue, index: int) -> bytes:
        article = issue.articles[index]
        pager = []
        if index > 0:
            before = issue.articles[index - 1]
            pager.append(
                f'<a rel="prev" href="{_href(before.id + ".html", 0)}">上一篇：{escape(before.display_title)}</a>'
            )
        if index + 1 < len(issue.articles):
            after = issue.articles[index + 1]
            pager.append(
                f'<a rel="next" href="{_href(after.id + ".html", 0)}">下一篇：{escape(after.display_title)}</a>'
            )
        source = [f"原载《{escape(issue.publication)}》{_date(issue)}"]
        if issue.page is not None:
            source.append(f"第{issue.page}版")
        epub = self.epub_link(issue, 2)
        if epub:
            source.append(epub)
        body = (
            f'<nav class="crumbs"><a href="{_href("index.html", 2)}">全部期次</a> › '
            f'<a href="index.html">{escape(issue.title)}</a></nav>\n'
            f'<main class="article">\n{render_article(article)}\n'
            f'<p class="source">{" · ".join(source)}</p>\n</main>\n'
            + (f'<nav class="pager">{"".join(pager)}</nav>' if pager else "")
        )
        return self.page(article_page(issue, article), f"{article.display_title} - {issue.title}", body)

    def pages_of(self, issue: Issue) -> Iterator[tuple[str, bytes]]:
        """The issue's page and its articles' pages."""
        yield issue_page(issue), self.issue(issue)
        for index, article in enumerate(issue.articles):
            yield article_page(issue, article), self.article(issue, index)


def _styles() -> dict[str, bytes]:
    return {f"styles/{name}": css for name in STYLES if (css := stylesheet(name)) is not None}


def build_site(
    issues: Iterable[Issue], options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None
) -> dict[str, bytes]:
    """Every page and style sheet, by path in the web root, without writing anything."""
    return dict(iter_site(issues, options, epubs))


def iter_site(
    issues: Iterable[Issue],
    options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None,
    *,
    per_issue: bool = True,
) -> Iterator[tuple[str, bytes]]:
    """``build_site`` as a stream of ``(path, bytes)``, each page as soon as it is made, so
    that a build of any size never holds the whole web edition. Same pages, same bytes;
    the issues are checked before the first page. ``per_issue=False`` leaves out the
    issues' own pages (``issue_pages`` makes them): the index and the style sheets."""
    options = options or SiteOptions()
    ordered = order_issues(issues)
    check_issues(ordered)
    site = _Site(ordered, options, epubs)
    yield "index.html", site.index()
    if per_issue:
        for issue in ordered:
            yield from site.pages_of(issue)
    yield from _styles().items()


def issue_pages(
    issue: Issue, title: str, options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None
) -> Iterator[tuple[str, bytes]]:
    """The pages of one issue (its table of contents and its articles), as ``iter_site``
    makes them for a site called ``title`` (``SiteOptions.site_title`` of all its issues).
    The ids are not checked here: ``check_issues`` checks them against every other issue."""
    yield from _Site([issue], options or SiteOptions(), epubs, title).pages_of(issue)


def write_site(
    issues: Iterable[Issue],
    out_dir: str | os.PathLike[str],
    options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None,
) -> list[Path]:
    """Write the web edition into ``out_dir`` (the web root); returns the files written.

    ``epubs`` maps issue ids to the EPUB files the build publishes under ``epub/``; without
    it the pages offer no download. Nothing is written unless every page could be made.
    """
    return write_files(out_dir, build_site(issues, options, epubs))
