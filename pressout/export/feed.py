"""Subscription feeds for the paper: Atom 1.0, RSS 2.0, JSON Feed 1.1, an editions feed, archives.

``write_feeds`` writes, into the web root (see ``pressout.export.site`` for the pages they
link to)::

    atom.xml            Atom 1.0, every article: full HTML content and a text summary
    rss.xml             RSS 2.0, the same articles (content:encoded, dc:creator)
    feed.json           JSON Feed 1.1, the same articles
    editions.xml        Atom, one entry per issue with its EPUB as enclosure
    editions-rss.xml    RSS 2.0, the same editions (for podcast-style EPUB download)
    archive/atom-1.xml, archive/rss-1.xml, archive/feed-1.json, archive/editions-1.xml,
    archive/editions-rss-1.xml, …   RFC 5005 archive documents, 1 = oldest

Order: newest issue first (issue date, then page number, then issue id), and within an
issue the page's order. Each subscription document holds the newest
``SiteOptions.feed_size`` entries; older ones go to archive pages of the same size,
filled from the oldest entry on, so a full archive page never changes when new issues
arrive (only the newest, partial one grows). Pages are linked with ``prev-archive``,
``next-archive`` and ``current`` and marked ``fh:archive``; JSON Feed pages chain older
entries with ``next_url``.

The documents are planned before they are made: ``feed_pages`` says, page by page, which
documents there are, with their final heads, and what their entries are made from;
``page_entries`` makes a page's entries and ``render_page`` its documents. A page's bytes
follow from its plan alone, so a build can keep a page whose plan has not changed, and
make the others in parallel. The plan, and the editions' entries, read of an issue only
its id, date, page, publication, slug, title, language, and its articles' ids and display
titles; the entries of the articles' feeds need the whole articles. (A stand-in without a
``language`` counts as ``DEFAULT_LANGUAGE``: see ``issue_language``.)

Language: each document is in the language most of its entries' issues are in (ties go
to the newest issue's: see ``common_language``), so a full archive page keeps its
language whatever arrives later; an Atom entry in another language says so with
``xml:lang``, and every JSON Feed item names its issue's language. An article whose
source record gives the address of its original (``html.source_url``) links to it: Atom
``link rel="related"``, JSON Feed ``external_url``; the entry's own link stays our copy.

Dates (see ``entry_instants``) come from ``pressout.timestamps.issue_instant`` only, never
the clock: the issue's date at the time of day ``SiteOptions.time`` (08:00 by default, which
is 00:00 UTC: a reader in UTC sees the paper's own date) at the fixed UTC offset
``SiteOptions.utc_offset`` (+08:00 by default) whatever the year: an issue of any date from
year 1 to 9999 has its instants (RSS writes those before 1900 as ``dc:date``, see
``pressout.export._feedgen``).

Credits: an article's authors (everyone it credits but its editors, in page order, each
name once) are an Atom ``author`` each and the JSON Feed item's ``authors``; in RSS they
are one ``dc:creator`` holding every name, joined with ``、`` (``_feedgen.NAME_SEPARATOR``:
readers such as newsboat and feedparser keep only the last of several, which credited a
reporter's story to its photographer), and the editors one ``dc:contributor`` likewise
(Atom ``contributor`` each; JSON Feed has no place for them). No format has a place for
the roles (记者, 摄影 …): the names go without them.

An article is titled by ``pressout.export.html.headline``: its display title, else its
first words, else ``（无题）``, never an empty title. Ids are ASCII ``tag:`` URIs (RFC 4151)
made from the article's id, which the reader derives from the article's own text, so they
survive rebuilds and the adding, removing or fixing of other articles.

Categories: an article's column, its kind (文章, 图片新闻, 公告) and, when known, the page
it is printed on (``A03版 文体``; see ``_page_category``): Atom ``category`` with term and
label (a page's with its issue's web page as scheme), RSS ``category`` with the label, JSON
Feed ``tags`` with the labels.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from .. import __version__
from ..config import check_time, utc_offset_timezone
from ..errors import ConfigError, OutputError
from ..model import (
    Article,
    ArticleLike,
    Figure,
    Issue,
    IssueHead,
    IssueLike,
    Kind,
    Paragraph,
    Role,
)
from ..timestamps import (
    BEIJING,
    DEFAULT_TIME,
    DEFAULT_UTC_OFFSET,
    ISSUE_TIME,
    UNKNOWN_DATE,
    issue_instant,
    parse_time,
    parse_utc_offset,
)
from . import _feedgen
from ._feedgen import Category, Enclosure, Entry, Head
from ._paths import ensure_folder
from .html import escape, headline, render_article, source_url
from .registry import ArchiveJob, Exporter, Settings, Validator

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_LANGUAGE",
    "EPUB_TYPE",
    "EpubFile",
    "FEEDS",
    "KIND_LABELS",
    "FeedPage",
    "SiteOptions",
    "article_page",
    "article_tag",
    "build_feeds",
    "check_issues",
    "common_language",
    "entry_instants",
    "epub_file",
    "epub_page",
    "feed_pages",
    "feed_tag",
    "issue_page",
    "issue_language",
    "iter_feeds",
    "masthead",
    "order_issues",
    "page_entries",
    "render_page",
    "timed_articles",
    "write_feeds",
    "write_files",
]

# 127.0.0.1 rather than localhost: the same local server, but the W3C validator rejects
# enclosure URLs whose host has no dot ("url must be a full URL"), so only this default
# gives valid editions feeds out of the box.
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
EPUB_TYPE = "application/epub+zip"
# The subscription documents, by role: path in the web root, media type, label for people.
FEEDS = {
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "rss": ("rss.xml", "application/rss+xml", "RSS"),
    "json": ("feed.json", "application/feed+json", "JSON Feed"),
    "editions": ("editions.xml", "application/atom+xml", "EPUB 电子版（Atom）"),
    "editions_rss": ("editions-rss.xml", "application/rss+xml", "EPUB 电子版（RSS）"),
}
# Entries of one issue date get instants in the hour from the issue's instant on (see
# entry_instants).
SLOTS_PER_DAY = 3600
SUMMARY_MAX = 120
KIND_LABELS = {Kind.ARTICLE: "文章", Kind.PHOTO: "图片新闻", Kind.NOTICE: "公告"}
# The language of a stand-in for an issue that does not say (see issue_language).
DEFAULT_LANGUAGE = "zh-CN"
# Feed-level tag: URIs need a date on which the authority was held; it must never change.
FEED_TAG_DATE = UNKNOWN_DATE.date().isoformat()

_DNS = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
_AUTHORITY = re.compile(rf"^(?:{_DNS}|[A-Za-z0-9._%+-]+@{_DNS})$")
# Ids become file names and URL path segments: no separators, no dot files.
_IP_LITERAL = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """Where the web edition lives and how the feeds describe it.

    ``base_url`` is the absolute URL the output folder is served at (feeds need absolute
    links); ``title`` defaults to the newest issue's publication; ``feed_size`` is how
    many entries a subscription document holds before the rest go to archives;
    ``tag_authority`` is the domain (or e-mail address) in ``tag:`` ids, by default
    ``base_url``'s host. Keep it when the site moves, or every reader sees every
    article again as new. ``utc_offset`` (``[+-]HH:MM``, +08:00 by default) is the fixed
    offset of every instant the feeds write, and ``time`` (``HH:MM``, 00:00 to 23:00; 08:00
    by default, 00:00 UTC) the time of day there an issue is dated at. ``websub_hub``: the
    address of a WebSub hub that every subscription document names (``rel="hub"``), None
    for none.
    """

    base_url: str = DEFAULT_BASE_URL
    title: str | None = None
    feed_size: int = 50
    tag_authority: str | None = None
    utc_offset: str = DEFAULT_UTC_OFFSET
    time: str = DEFAULT_TIME
    websub_hub: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError(
                f"base_url {self.base_url!r} must be an absolute http(s) URL, e.g. {DEFAULT_BASE_URL}"
            )
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        if isinstance(self.feed_size, bool) or not isinstance(self.feed_size, int) or self.feed_size < 1:
            raise ConfigError(f"feed_size must be a whole number of entries ≥ 1, not {self.feed_size!r}")
        if self.title is not None and not self.title.strip():
            raise ConfigError("the site title must not be blank")
        # RFC 4151 tagging entities are domain names or e-mail addresses, not IP literals.
        host = parts.hostname
        authority = (self.tag_authority or ("localhost" if _IP_LITERAL.match(host) else host)).lower()
        if not _AUTHORITY.match(authority):
            raise ConfigError(
                f"tag authority {authority!r} must be a domain name or an e-mail address (RFC 4151)"
            )
        object.__setattr__(self, "tag_authority", authority)
        utc_offset_timezone(self.utc_offset)  # the configuration's check: a ConfigError naming utc_offset
        check_time(self.time)  # the configuration's check too: a ConfigError naming time

    @property
    def tz(self) -> dt.timezone:
        """``utc_offset`` as a fixed ``datetime.timezone``."""
        return parse_utc_offset(self.utc_offset)

    @property
    def time_of_day(self) -> dt.time:
        """``time`` as a ``datetime.time`` (at the offset ``tz``)."""
        return parse_time(self.time)

    def url(self, path: str) -> str:
        """The absolute URL of a file in the web root (``path`` relative, unencoded)."""
        if _URL_SAFE.fullmatch(path):  # the usual case (ids are ASCII names): nothing to quote
            return self.base_url + path
        return self.base_url + quote(path, safe="/")

    def site_title(self, issues: Sequence[IssueLike]) -> str:
        """``title``, else the newest issue's publication, else (none, or a blank one)
        ``pressout``."""
        if self.title:
            return self.title
        ordered = order_issues(issues, tz=self.tz, time=self.time_of_day)
        publication = ordered[0].publication if ordered else ""
        return publication if publication and not publication.isspace() else "pressout"


# --- what an issue shows (shared with the web edition) ---------------------------------


def issue_language(issue: IssueLike) -> str:
    """The issue's language tag (``DEFAULT_LANGUAGE`` for a blank one)."""
    return issue.language or DEFAULT_LANGUAGE


def common_language(issues: Iterable[IssueLike]) -> str:
    """The language most of ``issues`` are in; a tie goes to the one of them that comes
    first (the newest, in the order the feeds and pages list them); ``DEFAULT_LANGUAGE``
    for none. A page or a feed that lists issues in several languages is tagged with it."""
    counts: dict[str, int] = {}
    for issue in issues:
        language = issue_language(issue)
        counts[language] = counts.get(language, 0) + 1
    # max keeps the first of equal counts, and a dict keeps the order of first sight.
    return max(counts, key=counts.__getitem__) if counts else DEFAULT_LANGUAGE


def masthead(issue: IssueLike) -> str:
    """The paper's name as pages and feeds show it (``Issue.masthead``, ``IssueHead.masthead``)."""
    return issue.masthead


# --- layout (shared with the web edition) ---------------------------------------------


# What quote(path, safe="/") leaves as it is.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


# An issue's web pages: the one place their names are written (see pressout.export.registry).
ISSUE_PAGE = "issues/{id}/index.html"
ARTICLE_PAGE = "issues/{id}/{article}.html"


def issue_page(issue: IssueLike) -> str:
    return ISSUE_PAGE.format(id=issue.id)


def article_page(issue: IssueLike, article: ArticleLike) -> str:
    return ARTICLE_PAGE.format(id=issue.id, article=article.id)


def epub_page(epub: Path) -> str:
    return f"epub/{epub.name}"


def archive_page(path: str, number: int) -> str:
    stem, _, ext = path.rpartition(".")
    return f"archive/{stem}-{number}.{ext}"


# --- order, dates, ids ---------------------------------------------------------------


_I = TypeVar("_I", bound=IssueLike)  # an Issue, or an IssueHead (the build plans with heads)


def order_issues(issues: Iterable[_I], *, tz: dt.tzinfo = BEIJING, time: dt.time = ISSUE_TIME) -> list[_I]:
    """Newest first: issue instant (at the time of day ``time`` at the offset ``tz``), then
    page number (unnumbered last), then issue id."""
    return sorted(
        issues,
        key=lambda i: (-issue_instant(i, tz, time).timestamp(), i.page is None, i.page or 0, i.id),
    )


def entry_instants(items: Iterable[tuple[IssueLike, str]], *, tz: dt.tzinfo = BEIJING,
                   time: dt.time = ISSUE_TIME) -> dict[str, dt.datetime]:
    """An ``updated`` instant for each (issue, key), given in feed order (newest first).

    The n-th item (from 0) of an issue date gets the issue instant (its date at ``time``,
    08:00 by default, at ``tz``) plus ``SLOTS_PER_DAY - 1 - n`` seconds: the first article
    of the day's first page is at 08:59:59, the next at 08:59:58 and so on, counting down
    within the hour from the instant on. So every entry stays on its issue's date (``time``
    is 23:00 at the latest) and, at 08:00 +08:00 (00:00 UTC), on that date in UTC too; no
    two share an instant (an Atom validator warning, and readers could not order them);
    and readers that sort by date show page order. Should an instant not fall
    strictly before the previous item's (only when ``SOURCE_DATE_EPOCH`` puts undated
    issues near a dated one), it becomes one second before it. ``published`` is the same
    instant, so ``published == updated``.

    Inserting or removing an article moves the instants of the articles after it on the
    same date by a second; their ids do not change, so readers do not show them again.
    """
    out: dict[str, dt.datetime] = {}
    used: dict[dt.datetime, int] = {}
    previous: dt.datetime | None = None
    last: IssueLike | None = None
    base = UNKNOWN_DATE
    for issue, key in items:
        if issue is not last:  # an issue's items come together: its instant is made once
            base, last = issue_instant(issue, tz, time), issue
        n = used.get(base, 0)
        used[base] = n + 1
        instant = base + _SLOT_OFFSETS[n] if n < SLOTS_PER_DAY else base
        if previous is not None and instant >= previous:
            if previous == _EARLIEST.replace(tzinfo=previous.tzinfo):
                raise OutputError(f"too many entries dated {previous.date()} to give each its own instant")
            instant = previous - _ONE_SECOND
        out[key] = previous = instant
    return out


_SLOT_OFFSETS = tuple(dt.timedelta(seconds=SLOTS_PER_DAY - 1 - n) for n in range(SLOTS_PER_DAY))
_ONE_SECOND = dt.timedelta(seconds=1)
_EARLIEST = dt.datetime.min  # 0001-01-01T00:00, given the offset of the instant it is compared with


def _tag_date(issue: Issue) -> str:
    # Not issue_instant: SOURCE_DATE_EPOCH may move it, and an id must never move.
    return (issue.date or UNKNOWN_DATE.date()).isoformat()


def article_tag(options: SiteOptions, issue: Issue, article: Article) -> str:
    """``tag:localhost,2021-12-10:tyrb/article/<article id>`` (ASCII)."""
    slug = quote(issue.publication_slug, safe="-._~")
    return f"tag:{options.tag_authority},{_tag_date(issue)}:{slug}/article/{quote(article.id, safe='-._~')}"


def edition_tag(options: SiteOptions, issue: Issue) -> str:
    slug = quote(issue.publication_slug, safe="-._~")
    return f"tag:{options.tag_authority},{_tag_date(issue)}:{slug}/edition/{quote(issue.id, safe='-._~')}"


def feed_tag(options: SiteOptions, slug: str, name: str) -> str:
    return f"tag:{options.tag_authority},{FEED_TAG_DATE}:{quote(slug, safe='-._~')}/feed/{name}"


# --- entries -------------------------------------------------------------------------


def _summary(article: Article) -> str:
    """Plain text of the first paragraphs/captions, at most SUMMARY_MAX characters."""
    texts = [b.text for b in article.body if isinstance(b, (Paragraph, Figure)) and b.text]
    if article.dateline and texts:
        texts[0] = f"{article.dateline} {texts[0]}"
    text = re.sub(r"\s+", " ", " ".join(texts)).strip() or headline(article)
    if len(text) > SUMMARY_MAX:  # code points: never cuts a character in half
        text = text[: SUMMARY_MAX - 1] + "…"
    return text


def _people(article: Article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Authors (everyone but editors) and contributors (editors), each name once."""
    authors: dict[str, None] = {}
    editors: dict[str, None] = {}
    for person in article.contributors:
        (editors if person.role is Role.EDITOR else authors).setdefault(person.name, None)
    return tuple(authors), tuple(n for n in editors if n not in authors)


def _page_category(options: SiteOptions, issue: Issue, article: Article) -> Category | None:
    """The page an article is printed on, as a category: the label its term (``A03``), the
    page's heading its label (``A03版 文体``: what RSS and JSON Feed show). A label names a
    page of one issue only (A03 of 4 April is not A03 of 5 April), so its scheme is the
    issue's web page, which lists those pages: an absolute URL that keeps the term apart
    from the same label of another issue and from the other categories. None when the
    article's page is not known."""
    page = issue.page_of(article)
    if page is None:
        return None
    return Category(page.label, page.heading, options.url(issue_page(issue)))


def _article_entry(options: SiteOptions, issue: Issue, article: Article, when: dt.datetime) -> Entry:
    authors, contributors = _people(article)
    categories = [Category(article.kind.value, KIND_LABELS[article.kind])]
    if article.column:
        categories.insert(0, Category(article.column, article.column))
    page = _page_category(options, issue, article)
    if page is not None:
        categories.append(page)
    return Entry(
        id=article_tag(options, issue, article),
        title=headline(article),
        link=options.url(article_page(issue, article)),
        published=when,
        updated=when,
        content_html=render_article(article),
        summary=_summary(article),
        authors=authors,
        contributors=contributors,
        categories=tuple(categories),
        language=issue_language(issue),
        related=source_url(article),
    )


@dataclass(frozen=True, slots=True)
class EpubFile:
    """An issue's EPUB as the feeds and web pages show it: where it is, and its size (and
    that of the vertical edition beside it, when there is one). A build passes these, as it
    knows what it wrote; a plain path given instead is looked at on disk (``epub_file``)."""

    path: Path
    size: int
    vertical_size: int | None = None  # ``{stem}-vertical.epub`` beside it
    kobo_size: int | None = None  # ``{stem}.kepub.epub`` beside it (Kobo's edition)

    @property
    def vertical(self) -> Path:
        return self.path.with_name(f"{self.path.stem}-vertical{self.path.suffix}")

    @property
    def kobo(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.kepub{self.path.suffix}")


def epub_file(issue: IssueLike, epub: Path | str | EpubFile) -> EpubFile:
    """``epub`` as an EpubFile: a path is looked at on disk (an OutputError if it is not
    there), and so is its vertical edition beside it."""
    if isinstance(epub, EpubFile):
        return epub
    path = Path(epub)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise OutputError(f"EPUB of issue {issue.id} not found: {error.strerror}", path=path) from error
    vertical = path.with_name(f"{path.stem}-vertical{path.suffix}")
    kobo = path.with_name(f"{path.stem}.kepub{path.suffix}")
    return EpubFile(path, size, vertical.stat().st_size if vertical.is_file() else None,
                    kobo.stat().st_size if kobo.is_file() else None)


def _edition_entry(options: SiteOptions, issue: Issue, epub: Path, size: int, when: dt.datetime) -> Entry:
    links = "".join(
        f'<li><a href="{escape(options.url(article_page(issue, a)))}">{escape(headline(a))}</a></li>'
        for a in issue.articles
    )
    epub_url = options.url(epub_page(epub))
    content = (
        f"<p>{escape(issue.title)}，共 {len(issue.articles)} 篇。"
        f'<a href="{escape(epub_url)}">下载 EPUB（{size} 字节）</a></p>'
        f"<ol>{links}</ol>"
    )
    titles = "；".join(headline(a) for a in issue.articles)
    summary = f"{issue.title}，共 {len(issue.articles)} 篇：{titles}" if titles else issue.title
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    return Entry(
        id=edition_tag(options, issue),
        title=issue.title,
        link=options.url(issue_page(issue)),
        published=when,
        updated=when,
        content_html=content,
        summary=summary,
        enclosure=Enclosure(url=epub_url, length=size, type=EPUB_TYPE),
        language=issue_language(issue),
    )


# --- documents -----------------------------------------------------------------------


def _json_document(head: Head, entries: Sequence[Entry], *, checked: bool = False) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/); feedgen cannot write it.
    Its ``feed_url`` is the subscription document's (an archive page's ``current``), its
    ``next_url`` the page of older entries (``prev_archive``); the hub is a WebSub one.
    (``checked``: as in ``_feedgen.atom_document``.)"""
    _feedgen.check_head(head)
    if not checked:
        _feedgen.check_entries(entries, head.updated)
    doc: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": head.title,
        "home_page_url": head.site_url,
        # The feed's identity: the subscription URL, on archive pages too.
        "feed_url": head.current or head.self_url,
        "description": head.subtitle,
        "language": head.language,
        "authors": [{"name": head.author}],
    }
    if head.prev_archive:  # JSON Feed pages go from newer to older
        doc["next_url"] = head.prev_archive
    if head.hub:
        doc["hubs"] = [{"type": "WebSub", "url": _feedgen.uri(head.hub)}]
    items = [_json_item(e, head.language) for e in entries]
    doc["items"] = items
    return (_dumps(doc) + "\n").encode("utf-8")


def _json_item(e: Entry, language: str) -> dict[str, object]:
    """A JSON Feed item (``language``: the feed's, for an entry without its own)."""
    item: dict[str, object] = {
        "id": e.id,
        "url": e.link,
        "title": e.title,
        "content_html": e.content_html,
        "summary": e.summary,
        "date_published": e.published.isoformat(),
        "date_modified": e.updated.isoformat(),
    }
    if e.related:
        item["external_url"] = _feedgen.uri(e.related)
    if e.authors:
        item["authors"] = [{"name": n} for n in e.authors]
    if e.categories:
        item["tags"] = [c.label for c in e.categories]
    item["language"] = e.language or language
    if e.enclosure:
        item["attachments"] = [
            {"url": e.enclosure.url, "mime_type": e.enclosure.type, "size_in_bytes": e.enclosure.length}
        ]
    return item


def _dumps(value: object, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, about five times faster: with
    ``indent`` the json module falls back to its pure-Python encoder, while this uses the
    C string encoder for the strings, which are nearly all of a feed."""
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        if not all(isinstance(key, str) for key in value):
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
        parts = [f"{inner}{_encode_string(key)}: {_dumps(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dumps(item, inner) for item in value) + "\n" + indent + "]"
    if value is None or isinstance(value, (bool, int)):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


_encode_string = json.encoder.encode_basestring  # the C encoder when available, as json.dumps uses


_T = TypeVar("_T")


def _pages(entries: Sequence[_T], size: int) -> tuple[list[_T], list[list[_T]]]:
    """The subscription page (newest ``size``) and the archive pages, oldest first."""
    older = list(entries[size:])[::-1]  # oldest first
    chunks = [older[i : i + size] for i in range(0, len(older), size)]
    return list(entries[:size]), [chunk[::-1] for chunk in chunks]


def check_issues(issues: Sequence[IssueLike]) -> None:
    """Refuse issues whose ids cannot be file names and URLs, or collide."""
    if not issues:
        raise OutputError("nothing to publish: no issues given")
    seen_issues: set[str] = set()
    seen_articles: dict[str, str] = {}
    for issue in issues:
        if not _SAFE_ID.match(issue.id) or issue.id in seen_issues:
            raise OutputError(
                f"issue id {issue.id!r} is repeated or unfit for a file name", path=issue.source
            )
        seen_issues.add(issue.id)
        for article in issue.articles:
            if not _SAFE_ID.match(article.id) or article.id == "index":
                raise OutputError(f"article id {article.id!r} is unfit for a file name", path=issue.source)
            if article.id in seen_articles:
                raise OutputError(
                    f"article id {article.id!r} is also in issue {seen_articles[article.id]}",
                    path=issue.source,
                )
            seen_articles[article.id] = issue.id


def build_feeds(
    issues: Iterable[Issue], options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None
) -> dict[str, bytes]:
    """Every feed document, by path in the web root, without writing anything."""
    by_role: dict[str, dict[str, bytes]] = {}
    for role, path, data in _documents(issues, options, epubs):
        by_role.setdefault(role, {})[path] = data
    return {path: data for docs in by_role.values() for path, data in docs.items()}


def iter_feeds(
    issues: Iterable[Issue], options: SiteOptions | None = None, epubs: Mapping[str, Path | EpubFile] | None = None
) -> Iterator[tuple[str, bytes]]:
    """``build_feeds`` as a stream of ``(path, bytes)``, each document as soon as it is made:
    a build of any size holds one page of entries (``feed_size``) at a time, not every
    article's full text three times over. Same documents, same bytes."""
    for _, path, data in _documents(issues, options, epubs):
        yield path, data


def _documents(
    issues: Iterable[Issue], options: SiteOptions | None, epubs: Mapping[str, Path | EpubFile] | None
) -> Iterator[tuple[str, str, bytes]]:
    options = options or SiteOptions()
    for page in feed_pages(issues, options, epubs):
        yield from render_page(options, page, page_entries(options, page))


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of a feed family: a document for each of the family's roles, all holding
    the same entries (the subscription document, or an archive page of each role).

    ``family`` is ``"articles"`` (roles atom, rss, json; ``items`` are ``(issue, article,
    instant)``) or ``"editions"`` (roles editions, editions_rss; ``items`` are ``(issue,
    EPUB path, EPUB size, instant)``); ``page_entries`` makes them into entries, which only
    the articles' need the whole articles for. ``docs`` are ``(role, path in the web root,
    head)``, the heads final: their ``updated`` is the newest entry's instant."""

    family: str
    docs: tuple[tuple[str, str, Head], ...]
    items: tuple[Any, ...]


def feed_pages(
    issues: Iterable[IssueLike], options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None
) -> Iterator[FeedPage]:
    """Every feed page, in the order ``build_feeds`` makes them: the articles' subscription
    page, their archives from the oldest, then the same for the editions (only when
    ``epubs`` is given). The issues are checked before the first page."""
    options = options or SiteOptions()
    tz, time = options.tz, options.time_of_day
    ordered = order_issues(issues, tz=tz, time=time)
    check_issues(ordered)
    title = options.site_title(ordered)
    slug = ordered[0].publication_slug
    newest = issue_instant(ordered[0], tz, time)

    items = timed_articles(ordered, options)
    head = Head(
        id=feed_tag(options, slug, "articles"),
        title=title,
        subtitle=f"{title}：每篇文章的全文",
        site_url=options.base_url,
        self_url=options.url(FEEDS["atom"][0]),
        updated=newest,
        author=title,
        language=common_language(ordered),
        generator="pressout",
        generator_version=__version__,
    )
    yield from _paged(options, "articles", head, items, newest, lambda item: item[2])

    if epubs is not None:
        missing = [i.id for i in ordered if i.id not in epubs]
        if missing:
            raise OutputError(f"no EPUB given for issue(s) {', '.join(missing)}")
        edition_when = entry_instants(((issue, issue.id) for issue in ordered), tz=tz, time=time)
        files = [epub_file(i, epubs[i.id]) for i in ordered]
        editions = [(i, f.path, f.size, edition_when[i.id]) for i, f in zip(ordered, files, strict=True)]
        del files
        edition_head = replace(
            head,
            id=feed_tag(options, slug, "editions"),
            title=f"{title} 电子版",
            subtitle=f"{title}：每期一本 EPUB 电子书",
        )
        yield from _paged(options, "editions", edition_head, editions, newest, lambda item: item[3])


_ROLES = {"articles": ("atom", "rss", "json"), "editions": ("editions", "editions_rss")}


def timed_articles(ordered: Sequence[_I], options: SiteOptions) -> list[tuple[_I, Any, dt.datetime]]:
    """Every article of ``ordered`` (issues in feed order, ``order_issues``) as ``(issue,
    article, instant)``, in feed order: the entries of the articles' feeds, which every
    feed of a part of them (``pressout.export.sections``) shares."""
    pairs = [(issue, article) for issue in ordered for article in issue.articles]
    when = entry_instants(((issue, article.id) for issue, article in pairs), tz=options.tz,
                          time=options.time_of_day)
    return [(issue, article, when[article.id]) for issue, article in pairs]


def page_entries(options: SiteOptions, page: FeedPage, items: Iterable[Any] | None = None) -> list[Entry]:
    """The entries of a feed page, made from ``items`` (default ``page.items``; the build
    passes them with the whole issues in place of the heads it planned with)."""
    items = page.items if items is None else items
    if page.family == "articles":
        return [_article_entry(options, issue, article, when) for issue, article, when in items]
    return [_edition_entry(options, issue, epub, size, when) for issue, epub, size, when in items]


def _paged(
    options: SiteOptions,
    family: str,
    head: Head,
    items: Sequence[Any],
    fallback: dt.datetime,
    instant: Callable[[Any], dt.datetime],
) -> Iterator[FeedPage]:
    """The subscription page of each role of ``family`` and its RFC 5005 archive pages, in
    the order each role's documents are checked in (the subscription page, then the
    archives from the oldest), so a bad entry is reported as ``build_feeds`` reported it
    before it streamed."""
    roles = _ROLES[family]
    indices = list(range(len(items)))
    current, archives = _pages(indices, options.feed_size)
    archive_paths = {role: [archive_page(FEEDS[role][0], n) for n in range(1, len(archives) + 1)] for role in roles}
    for k, page in enumerate([current, *archives]):
        page_items = tuple(items[i] for i in page)
        updated = max((instant(item) for item in page_items), default=fallback)
        # The page's own entries decide its language, so that a full archive page never
        # changes (items are (issue, …) in both families).
        language = common_language(item[0] for item in page_items) if page_items else head.language
        docs = []
        for role in roles:
            path = FEEDS[role][0]
            older = archive_paths[role]
            if k == 0:
                page_path = path
                page_head = replace(
                    head, self_url=options.url(path), prev_archive=options.url(older[-1]) if archives else None,
                    hub=options.websub_hub,
                )
            else:
                a = k - 1
                page_path = older[a]
                page_head = replace(
                    head,
                    self_url=options.url(older[a]),
                    archive=True,
                    current=options.url(path),
                    prev_archive=options.url(older[a - 1]) if a > 0 else None,
                    # The newest archive page's next is the subscription document, where the
                    # entries after it are (RFC 5005 names no next for it; without one, a
                    # single archive page would have no link at all, and the W3C validator
                    # warns "Archive incomplete").
                    next_archive=options.url(older[a + 1] if a + 1 < len(archives) else path),
                )
            docs.append((role, page_path, replace(page_head, updated=updated, language=language)))
        yield FeedPage(family, tuple(docs), page_items)


def render_page(
    options: SiteOptions, page: FeedPage, entries: Sequence[Entry]
) -> Iterator[tuple[str, str, bytes]]:
    """The documents of one feed page, as ``(role, path, bytes)``: ``entries`` are made from
    ``page.items`` (see ``FeedPage``), once for all the page's roles, and checked once for
    all of them (the documents of a page share their ``updated``, see ``_paged``)."""
    checked_for = None  # the feed instant the entries were checked against
    for role, path, head in page.docs:
        if head.updated != checked_for:
            _feedgen.check_document(head, entries)
            checked_for = head.updated
        if role == "json":
            # JSON Feed pages go from newer to older through next_url.
            data = _json_document(head, entries, checked=True)
        elif role in ("rss", "editions_rss"):
            data = _feedgen.rss_document(head, entries, checked=True)
        else:
            data = _feedgen.atom_document(head, entries, checked=True)
        yield role, path, data


def write_feeds(
    issues: Iterable[Issue],
    out_dir: str | os.PathLike[str],
    options: SiteOptions | None = None,
    epubs: Mapping[str, Path | EpubFile] | None = None,
) -> list[Path]:
    """Write every feed into the folder ``out_dir`` (the web root), which is made (with the
    folders above it) if it is missing; returns the files written.

    ``epubs`` maps issue ids to the EPUB files the build publishes under ``epub/``; the
    editions feeds are written only when it is given, and then every issue needs one.
    Nothing is written unless every document could be made.
    """
    return write_files(out_dir, build_feeds(issues, options, epubs))


def write_files(out_dir: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (path in ``out_dir`` -> bytes), each atomically (temp file + rename).
    The folder ``out_dir`` is made (with the folders above it) if it is missing.

    A reader or web server never sees a half-written file, only the old or the new one.
    """
    root = ensure_folder(out_dir)
    written: list[Path] = []
    for rel, data in files.items():
        target = root / rel
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the web server
            os.replace(tmp, target)
            tmp = None
        except OSError as error:
            raise OutputError(f"cannot write: {error.strerror or error}", path=target) from error
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        written.append(target)
    return written


class FeedsExporter(Exporter):
    """The subscription feeds and their archives (Atom, RSS, JSON Feed; the articles and the
    editions): one archive job per feed page (``FeedPage``), made again only when its plan
    changes (archive pages fill from the oldest, so a full one never does)."""

    name = "feeds"
    folders = ("archive",)
    pieces = True  # each article's entries, made with its issue (pressout.export.feed_pieces)

    def issue_pieces(self, issue: Issue, settings: Settings) -> bytes:
        from .feed_pieces import pieces_of

        return pieces_of(settings.options, issue)

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[ArchiveJob]:
        import hashlib

        from .epub import epub_files

        epubs = epub_files(heads)
        for page in feed_pages(heads, settings.options, epubs):
            # What the documents are made from: their heads and the entries' sources (an
            # article by its issue's page key and its instant; an edition entry's look
            # follows from its issue's key, its EPUB's size and its instant).
            if page.family == "articles":
                items = [(h.key, h.id, a.id, when.isoformat()) for h, a, when in page.items]
                needs = tuple(dict.fromkeys(h.id for h, _, _ in page.items))
            else:
                items = [(h.key, h.id, size, when.isoformat()) for h, _, size, when in page.items]
                needs = ()
            digest = hashlib.sha256(repr((page.docs, items)).encode("utf-8")).hexdigest()
            yield ArchiveJob(tuple(rel for _, rel, _ in page.docs), digest, needs, page)

    def run_job(self, job: ArchiveJob, inputs: Mapping[str, Any], settings: Settings) -> Iterator[tuple[str, bytes]]:
        page: FeedPage = job.work
        if page.family == "articles" and page.items:  # from the pieces of its issues
            from .feed_pieces import render_page_from_pieces

            documents = render_page_from_pieces(settings.options, page, inputs)
        else:  # an edition entry needs no more of its issue than the head
            documents = render_page(settings.options, page, page_entries(settings.options, page))
        for _, rel, data in documents:
            yield rel, data

    def validators(self) -> tuple[Validator, ...]:
        from ..validate import atom_check, feeds_check

        return (Validator("atom", atom_check), Validator("feeds", feeds_check))


EXPORTER = FeedsExporter()
