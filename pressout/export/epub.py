"""EPUB 3 edition of one newspaper page: a masthead cover, a table of contents, one page per item.

Built from the article model only (never the raw text), through the shared renderer in
``pressout.export.html``, so the EPUB shows what the web edition and the feeds show. Every
value that varies between books (identifier, dates, zip times) comes from the ``Issue``
and ``issue_instant``: the same issue always gives the same bytes. Packaging details and
ebooklib's quirks stay in ``_ebooklib``.

Articles are titled (page titles, table of contents, cover) by ``html.headline``: the
display title, else the article's first words, else ``（无题）``, never an empty title.
Dates are those of ``issue_instant`` (+08:00) for any year from 1 to 9999: ``dc:date``
is the issue date as it is; ``dcterms:modified`` is its midnight in UTC (at the earliest
0001-01-01T00:00:00Z); the zip entries carry the wall-clock time, clamped to the range a
zip file can hold (1980-01-01 to 2107-12-31).

The paper is named by its masthead (``Issue.masthead``: 报刊不详 when nothing names it) on
the cover, as ``dc:publisher`` and as the book's one ``dc:creator``: the author that
libraries (calibre, Kobo, Apple Books, KOReader) show and sort by, with the MARC relator
role ``aut`` (calibre takes only a creator of role ``aut``, or of none, for an author)
and ``file-as`` its own name (a library would file a Latin name like "China Daily" as
"Daily, China"). Everyone the articles credit (``Article.contributors``) is a
``dc:contributor``, each name once, in page order, with a ``role`` refinement (scheme
``marc:relators``) for each role they are credited in (``MARC_ROLES``): a reporter
(记者) ``rpt``, a photographer ``pht``, a signed author ``aut``, an editor ``edt``, and
a correspondent (通讯员) ``ctb``, Contributor, as MARC's ``crp`` is the writer of a
letter. At most ``MAX_CONTRIBUTORS`` (30) people are named, the first in page order:
a whole issue credits a hundred. The book's ``dc:subject`` are the names of its pages
(要闻, 杭州新闻), then its columns (并州论坛), each once, at most ``MAX_SUBJECTS`` (20).
A page whose paper nothing names belongs to no series
(its books would otherwise all be one "paper"). The book is in the issue's language
(``dc:language``, every page's ``lang``/``xml:lang``): a Traditional-script page is
``zh-TW``, ``zh-HK`` or ``zh-Hant``, and e-readers choose their glyphs by it. The source
record's fields (``Article.meta``) are not printed text, and no page shows them; a book of
a single article whose record gives the address of its original names it in a second
``dc:source``.

Page furniture is shown on the cover, not in the table of contents (it is not an item):
banners under the masthead, where a reader of the printed page saw them first, and the
staff line (editor box: 责任编辑 …) at the foot, small, as an imprint.

A book of several pages (a whole issue: ``Issue.by_page`` gives more than one run, and
some run's page is known) is one a reader goes through by page, as through the paper: its
table of contents has one entry per page run (``Page.heading``, 第1版 要闻), opening the
page's first item, with the page's items under it; its pages' starts carry EPUB page-break
markers, and the nav's page-list takes a reader to any of them ("go to page A03"). A book
of one page (or of no known page) has none of this: its contents stay a flat list, as
they were before pages were known.

The vertical edition (``vertical=True``, 竖排) is a book of its own beside the horizontal
one: its title ends in 竖排 (直排 for a Traditional-script issue, as Taiwan and Hong Kong
say it), its identifier is its own (a uuid5 of ``{id}#vertical``) and it is in a series of
its own (太原日报 竖排) at the same positions, so that a library holding both shows two
books and no series has two books at one place. Every document of it (cover, table of
contents, pages) is set vertically by ``styles/vertical.css`` (writing-mode vertical-rl;
the sheet says what it relies on, after W3C clreq, and how a reading system without
vertical text falls back to the horizontal layout); its spine turns pages right to left
(``page-progression-direction="rtl"``) and ``primary-writing-mode`` tells Kindle. In its
pages, cover and table of contents, each run of one or two ASCII letters or digits
(11月9日, A股, 5G) is set across the line (tate-chu-yoko, ``<span class="tcy">``; the
rule is in ``pressout.export.html``): numbers of three digits or more (2021年) and Latin
words are set sideways. Nothing else differs: the horizontal book's pages never carry
these spans, and a vertical page less its spans is the horizontal page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError
from ..model import Article, Issue, IssueHead, Kind, Page, Role
from ..timestamps import issue_instant
from . import _ebooklib as eb
from ._paths import file_target
from .css import stylesheet
from .html import escape, headline, render_article, source_url, upright
from .registry import Exporter, Settings, Validator

if TYPE_CHECKING:
    from .feed import EpubFile

__all__ = ["epub_bytes", "epub_name", "write_epub"]

A11Y_CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
A11Y_SUMMARY = (
    "本书由报纸版面的文字生成，只含文字，没有图像；照片只保留图片说明和摄影者署名。"
    "每篇稿件单独成页，按版面顺序排列，标题分级，附目录和导览。"
)
# Added to the summary of a book of several pages, whose contents and page-list go by page.
A11Y_SUMMARY_PAGES = "目录按版面分组，另附版面列表，可按版次跳转。"
PAGE_LIST_TITLE = "版面"
LEAD_HEADLINES = 4  # how many headlines the cover shows under the masthead
# MARC relator codes (https://id.loc.gov/vocabulary/relators) of the roles a paper prints.
MARC_ROLES = {
    Role.REPORTER: "rpt",  # Reporter
    Role.CORRESPONDENT: "ctb",  # Contributor (MARC's crp, Correspondent, is a letter's writer)
    Role.PHOTOGRAPHER: "pht",  # Photographer
    Role.AUTHOR: "aut",  # Author
    Role.EDITOR: "edt",  # Editor
}
PAPER_ROLE = "aut"  # the paper, as dc:creator: the author libraries show
MAX_CONTRIBUTORS = 30  # people named as dc:contributor, the first in page order
MAX_SUBJECTS = 20  # dc:subject: page names, then columns
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class _Item:
    article: Article
    name: str  # file name in the package
    id: str  # manifest id
    # The page that begins with this item, in a book of several pages: its page-break
    # marker goes before the article.
    page_start: Page | None = None


# The one place the EPUBs' names are written (see pressout.export.registry).
EPUB_FILE = "epub/{id}.epub"
VERTICAL_FILE = "epub/{id}-vertical.epub"


def epub_name(issue: Issue, *, vertical: bool = False) -> str:
    """The file name for an issue's EPUB: ``{id}.epub`` or ``{id}-vertical.epub``."""
    return (VERTICAL_FILE if vertical else EPUB_FILE).format(id=issue.id).removeprefix("epub/")


def epub_file_of(ident: str, sizes: Mapping[str, int] | IssueHead) -> EpubFile:
    """An issue's EPUB as the web pages and the editions feed show it, from the sizes of its
    files (``IssueHead.sizes``, or what a build made for it: path in the output -> size)."""
    from .feed import EpubFile

    if not isinstance(sizes, Mapping):
        sizes = dict(sizes.sizes)
    from .kepub import KEPUB_FILE

    main, vertical = EPUB_FILE.format(id=ident), VERTICAL_FILE.format(id=ident)
    return EpubFile(Path(main), sizes[main], sizes.get(vertical), sizes.get(KEPUB_FILE.format(id=ident)))


def epub_files(heads: Iterable[IssueHead]) -> dict[str, EpubFile]:
    """Each issue's EPUB (by issue id) as the archive-wide outputs show it."""
    return {head.id: epub_file_of(head.id, head) for head in heads}


def epub_bytes(issue: Issue, *, vertical: bool = False, styles: Mapping[str, bytes] | None = None,
               cover: bool = True) -> bytes:
    """The issue as an EPUB 3 file, in memory. ``styles`` replaces shipped style sheets by
    name (``article.css``, ``epub.css``, ``vertical.css``): the desk's own typography;
    ``cover``: with the cover image (``pressout.export.cover``, when a CJK font is found).
    An issue without items (a page of banners only) has no book: an OutputError."""
    if not issue.articles:
        raise OutputError("the page has no items to put in an EPUB", path=issue.source)
    try:
        return eb.build(_book(issue, vertical=vertical, styles=styles or {}, with_cover=cover))
    except eb.BookError as error:
        raise OutputError(f"cannot build the EPUB: {error}", path=issue.source) from error


def write_epub(
    issue: Issue,
    path: str | os.PathLike[str],
    *,
    vertical: bool = False,
    styles: Mapping[str, bytes] | None = None,
) -> Path:
    """Write the issue's EPUB and return the file written.

    ``path`` is a folder when it ends with a slash (``"out/"``) or is an existing directory:
    the book is written into it as ``epub_name(issue, vertical=vertical)``, and the folder
    is made (with the folders above it) if it is missing. Any other ``path`` is the file
    itself, whose folder must exist (else an OutputError).

    The book is written to a temporary file next to the target and renamed over it only
    when complete, so a failure leaves no file (and never a half-written one) behind.
    """
    data = epub_bytes(issue, vertical=vertical, styles=styles)
    target = file_target(path, epub_name(issue, vertical=vertical))
    _atomic_write(target, data)
    return target


_temp_counter = itertools.count()


def _atomic_write(target: Path, data: bytes) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise OutputError("the output folder does not exist", path=folder)
    while True:
        temp = folder / f".{target.name}.{os.getpid()}.{next(_temp_counter)}.tmp"
        try:
            # 0o666 through the umask, like any new file; mkstemp would make it private.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as error:
            raise OutputError(f"cannot write here: {error.strerror}", path=target) from error
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write the EPUB: {error.strerror}", path=target) from error
        raise


# --- the book ----------------------------------------------------------------------------


def _stylesheet(name: str) -> bytes:
    css = stylesheet(name)
    if css is None:
        raise OutputError(f"the style sheet {name} is missing from this installation of pressout")
    return css


def _book(issue: Issue, *, vertical: bool, styles: Mapping[str, bytes], with_cover: bool = True) -> eb.Book:
    runs = _page_runs(issue)
    items = [
        _Item(article, name=f"a{n:03d}.xhtml", id=f"a{n:03d}", page_start=start)
        for n, (article, start) in enumerate(_page_starts(runs), start=1)
    ]
    paged = len(runs) > 1
    css = ["article.css", "epub.css"] + (["vertical.css"] if vertical else [])
    instant = issue_instant(issue)

    dc = [("publisher", issue.masthead), ("source", f"{issue.source} sha256:{issue.sha256}")]
    original = source_url(issue.articles[0]) if len(issue.articles) == 1 else None
    if original is not None:  # a book of one web article: where it was published
        dc.append(("source", original))
    if issue.date is not None:
        dc.append(("date", issue.date.isoformat()))
    dc.extend(("subject", subject) for subject in subjects(issue))
    properties = [
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        *_page_features(paged),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", A11Y_SUMMARY + (A11Y_SUMMARY_PAGES if paged else "")),
        ("dcterms:conformsTo", A11Y_CONFORMANCE),
        # EPUB Accessibility 1.1 wants the evaluator named with a claim: the checks are
        # pressout's own (EPUBCheck and Ace run on every build in CI).
        ("a11y:certifiedBy", "pressout"),
        *_page_source(issue, paged),
    ]

    cover = eb.Document(name="cover.xhtml", id="cover", title=issue.title,
                        body=_cover(issue, items, vertical=vertical))
    documents = (cover, *(_page(item, vertical=vertical) for item in items))
    series = None
    if issue.publication:
        name = f"{issue.publication} {vertical_word(issue.language)}" if vertical else issue.publication
        series = eb.Series(name, series_position(issue))
    return eb.Book(
        key=f"{issue.id}#vertical" if vertical else issue.id,
        title=book_title(issue, vertical=vertical),
        language=issue.language,
        modified=instant,
        documents=documents,
        toc=_toc(_runs_of_items(runs, items)),
        landmarks=(
            eb.Landmark("cover", "封面", cover.name),
            eb.Landmark("toc", "目录", "nav.xhtml"),
            eb.Landmark("bodymatter", "正文", items[0].name),
        ),
        nav_title="目录",
        landmarks_title="导览",
        nav_after=1,
        page_list=_page_list(items),
        page_list_title=PAGE_LIST_TITLE,
        stylesheets=tuple((f"styles/{name}", styles.get(name) or _stylesheet(name)) for name in css),
        cover_image=_cover_image(issue) if with_cover else None,
        dc=tuple(dc),
        properties=tuple(properties),
        # Kindle reads writing direction from this, not from CSS.
        named_meta=(("primary-writing-mode", "vertical-rl"),) if vertical else (),
        rtl=vertical,
        series=series,
        creators=(eb.Agent(issue.masthead, (PAPER_ROLE,), file_as=issue.masthead),),
        contributors=contributors(issue),
        upright=vertical,
    )


def book_title(issue: Issue, *, vertical: bool = False) -> str:
    """The book's ``dc:title``: the issue's title, and for the vertical edition the word
    for vertical setting after it (太原日报 2021年11月8日 竖排), so that a library holding
    both shows two books."""
    return f"{issue.title} {vertical_word(issue.language)}" if vertical else issue.title


def vertical_word(language: str) -> str:
    """"Set vertically" in the issue's script: 竖排, or 直排 (as Taiwan and Hong Kong say
    it) for a Traditional-script issue (zh-Hant, zh-TW, zh-HK, zh-MO)."""
    tags = language.lower().split("-")
    traditional = "hant" in tags or ("hans" not in tags and bool({"tw", "hk", "mo"} & set(tags)))
    return "直排" if traditional else "竖排"


def contributors(issue: Issue) -> tuple[eb.Agent, ...]:
    """The people the issue's articles credit (``Article.contributors``), each once, in page
    order, with the MARC relator code of every role they are credited in (``MARC_ROLES``);
    the first ``MAX_CONTRIBUTORS`` of them (a whole issue credits a hundred, and a library's
    list of names is no staff roll)."""
    roles: dict[str, list[str]] = {}
    for article in issue.articles:
        for person in article.contributors:
            if not person.name.strip():
                continue
            codes = roles.get(person.name)
            if codes is None:
                if len(roles) == MAX_CONTRIBUTORS:
                    continue
                codes = roles[person.name] = []
            if MARC_ROLES[person.role] not in codes:
                codes.append(MARC_ROLES[person.role])
    return tuple(eb.Agent(name, tuple(codes)) for name, codes in roles.items())


def subjects(issue: Issue) -> list[str]:
    """The issue's ``dc:subject``: its pages' names (要闻, 经济) in page order, then its
    articles' columns (并州论坛), each once; at most ``MAX_SUBJECTS``."""
    names = [page.name for page in issue.pages] + [article.column for article in issue.articles]
    return list(dict.fromkeys(name for name in names if name and name.strip()))[:MAX_SUBJECTS]


def series_position(issue: Issue) -> str | None:
    """An issue's place in its publication's series, as e-readers sort and show it: the
    date as a number, and the page after the point (20240607.008 is 第8版 of 7 June 2024;
    three digits, so that page 10 sorts after page 9); None for an undated issue."""
    if issue.date is None:
        return None
    d = issue.date
    day = f"{d.year:04d}{d.month:02d}{d.day:02d}"  # not strftime: glibc does not pad a year below 1000
    return day if issue.page is None else f"{day}.{issue.page:03d}"


def _cover_image(issue: Issue) -> tuple[str, bytes] | None:
    """The issue's cover image (``pressout.export.cover``: drawn once for the covers and the
    EPUBs), as the package's cover-image; None without a CJK font (the text cover page
    stays the book's first page either way)."""
    from .cover import cover_png

    images = cover_png(issue)
    return (COVER_IMAGE, images[0]) if images is not None else None


COVER_IMAGE = "images/cover.png"


def _page(item: _Item, *, vertical: bool = False) -> eb.Document:
    body = render_article(item.article, vertical=vertical)
    if item.page_start is not None:
        body = f"{_page_break(item.page_start)}\n{body}"
    return eb.Document(name=item.name, id=item.id, title=headline(item.article), body=body)


# --- pages (版面) ------------------------------------------------------------------------


_Runs = list[tuple[Page | None, tuple[Article, ...]]]


def _page_runs(issue: Issue) -> _Runs:
    """The issue's articles by page (``Issue.by_page``) when it is a book of several pages;
    else one run of no page, so that a book of one page is made exactly as before pages
    were known (no groups, no markers, no page-list)."""
    runs = issue.by_page()
    if len(runs) > 1 and any(page is not None for page, _ in runs):
        return runs
    return [(None, issue.articles)]


def _page_starts(runs: _Runs) -> Iterator[tuple[Article, Page | None]]:
    """Each article with the page it begins: the first article of a page's first run.
    A page the dump goes back to later does not begin again (its marker, like the printed
    page's top, is where the page starts), so every page has one marker and one entry in
    the page-list."""
    seen: set[str] = set()
    for page, articles in runs:
        starts = page is not None and page.label not in seen
        if page is not None:
            seen.add(page.label)
        for n, article in enumerate(articles):
            yield article, page if starts and n == 0 else None


def _runs_of_items(runs: _Runs, items: list[_Item]) -> list[tuple[Page | None, list[_Item]]]:
    """``runs`` with each article's ``_Item`` in its place (items are in article order)."""
    out: list[tuple[Page | None, list[_Item]]] = []
    at = 0
    for page, articles in runs:
        out.append((page, items[at : at + len(articles)]))
        at += len(articles)
    return out


def _marker_id(page: Page) -> str:
    """The page-break marker's id: ``page-A03``. Labels are short and plain (1, A03); any
    other character becomes its code point, so the id is always an XML name, and still
    one per label."""
    return "page-" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in page.label)


def _page_break(page: Page) -> str:
    """An empty page-break marker (EPUB's pagebreak, ARIA's doc-pagebreak), named by the
    page's label: where the page-list leads and what a screen reader announces."""
    return (f'<span epub:type="pagebreak" role="doc-pagebreak" id="{_marker_id(page)}" '
            f'aria-label="{escape(page.label)}"></span>')


def _page_list(items: list[_Item]) -> tuple[eb.NavPoint, ...]:
    """Every page that begins in the book, by its label (A03), leading to its marker."""
    return tuple(eb.NavPoint(i.page_start.label, f"{i.name}#{_marker_id(i.page_start)}")
                 for i in items if i.page_start is not None)


def _page_features(paged: bool) -> list[tuple[str, str]]:
    """The accessibility features a book of several pages adds: page-break markers and a
    page-list to go to a page by."""
    if not paged:
        return []
    return [("schema:accessibilityFeature", feature) for feature in ("pageBreakMarkers", "pageNavigation")]


def _page_source(issue: Issue, paged: bool) -> list[tuple[str, str]]:
    """Where a book's page breaks come from (EPUB Accessibility 1.1's ``pageBreakSource``,
    which Ace asks of any book with a page-list): the printed issue, named by its title."""
    return [("pageBreakSource", issue.title)] if paged else []


def _toc(runs: list[tuple[Page | None, list[_Item]]]) -> tuple[eb.NavPoint, ...]:
    """Items in page order, each page run under its page's heading (第1版 要闻), which
    opens the page's first item; items of no known page stay at the top level."""
    toc: list[eb.NavPoint] = []
    for page, items in runs:
        points = _column_groups(items)
        if page is None:
            toc.extend(points)
        else:
            toc.append(eb.NavPoint(page.heading, items[0].name, points))
    return tuple(toc)


def _column_groups(items: list[_Item]) -> tuple[eb.NavPoint, ...]:
    """Items in page order; a run of items under one column heading becomes a group."""
    toc: list[eb.NavPoint] = []
    for column, run in itertools.groupby(items, key=lambda i: i.article.column):
        points = tuple(eb.NavPoint(headline(i.article), i.name) for i in run)
        if column:
            toc.append(eb.NavPoint(column, None, points))
        else:
            toc.extend(points)
    return tuple(toc)


def _cover(issue: Issue, items: list[_Item], *, vertical: bool = False) -> str:
    """The masthead page: publication, date (and page), banners, the lead headlines (本版要目
    of a page, 本期要目 of a whole issue)."""
    t = upright if vertical else escape
    when = _date_line(issue.date)
    if issue.page_label is not None:
        when += f"　{issue.page_label}"
    out = [
        '<section class="cover" aria-labelledby="masthead">',
        '<header class="masthead">',
        f'<h1 id="masthead" class="publication">{t(issue.masthead)}</h1>',
        f'<p class="issue-date">{t(when)}</p>',
        "</header>",
    ]
    out.extend(f'<p class="banner">{t(f.text)}</p>' for f in issue.furniture if f.kind == "banner")
    leads = [i for i in items if i.article.kind is Kind.ARTICLE and i.article.title]
    leads = (leads or items)[:LEAD_HEADLINES]
    out.append('<nav class="leads" aria-labelledby="leads-heading">')
    whole = len(issue.pages) > 1  # a whole issue: its leads are the issue's, not a page's
    out.append(f'<h2 id="leads-heading">{"本期要目" if whole else "本版要目"}</h2>')
    out.append("<ul>")
    out.extend(f'<li><a href="{i.name}">{t(headline(i.article))}</a></li>' for i in leads)
    out.extend(["</ul>", "</nav>"])
    # (A whole issue's page headers are its contents' pages, not its imprint.)
    out.extend(f'<p class="imprint">{t(f.text)}</p>' for f in issue.furniture
               if f.kind != "banner" and not (whole and f.kind == "page-header"))
    out.append("</section>")
    return "\n".join(out)


def _date_line(date: dt.date | None) -> str:
    if date is None:
        return "日期不详"
    return f"{date.year}年{date.month}月{date.day}日　星期{_WEEKDAYS[date.weekday()]}"


class EpubExporter(Exporter):
    """``epub/{id}.epub`` per issue, and ``epub/{id}-vertical.epub`` with ``[epub] vertical``."""

    name = "epub"
    sized = True

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return (EPUB_FILE, VERTICAL_FILE) if settings.config.vertical else (EPUB_FILE,)

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        for template in self.issue_files(settings):
            yield (template.format(id=issue.id),
                   epub_bytes(issue, vertical=template == VERTICAL_FILE, styles=settings.styles,
                              cover=settings.config.covers))

    def validators(self) -> tuple[Validator, ...]:
        from ..validate import ace_check, epubcheck_check

        return (Validator("epubcheck", epubcheck_check), Validator("ace", ace_check))


EXPORTER = EpubExporter()
