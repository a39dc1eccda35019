"""The article model: what one newspaper page says, once read.

Readers (``pressout.read``, the TEI reader) produce these objects; exporters (EPUB, feeds,
web edition, TEI) only consume them. Every value is immutable and plain: strings are
NFC-normalised Unicode, offsets count code points (never bytes), and nothing here reads
the clock or draws random numbers, so the same page always gives an equal model.

Shape, in short::

    Issue ─ articles: Article ─ body: Paragraph | Subhead | Figure | Note
          │                  ├ byline / closing: Credit ─ contributors: Contributor
          │                  └ page: the label of its Page
          ├ pages: Page   (版面: the pages it covers, in order; label and name)
          └ furniture: Furniture   (banners and other page furniture, not articles)

Text that was repaired keeps a record of what the page printed (``Repair``) and, for
paragraphs rejoined across a page or column break, where the break was (``joins``), so
the TEI archive can show both the cleaned and the original reading.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, TypeAlias

__all__ = [
    "DISPLAY_TITLE_NONE",
    "Article",
    "ArticleHead",
    "ArticleLike",
    "Block",
    "Contributor",
    "Credit",
    "Diagnostic",
    "Figure",
    "Furniture",
    "Issue",
    "IssueHead",
    "IssueLike",
    "Kind",
    "Mark",
    "Note",
    "Page",
    "Paragraph",
    "PUBLICATION_UNKNOWN",
    "Removal",
    "Repair",
    "Role",
    "Subhead",
    "derive_display_title",
]


class Role(StrEnum):
    """What a contributor did, as printed (记者, 通讯员, 摄 …)."""

    REPORTER = "reporter"  # 记者, 本报记者, 特约记者, 实习生
    CORRESPONDENT = "correspondent"  # 通讯员
    PHOTOGRAPHER = "photographer"  # … 摄
    AUTHOR = "author"  # a signed commentary, or a bare closing credit like （张波）
    EDITOR = "editor"  # （以上由王勇编辑整理）

    @property
    def label(self) -> str:
        """The Chinese word a newspaper prints for this role."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.REPORTER: "记者",
    Role.CORRESPONDENT: "通讯员",
    Role.PHOTOGRAPHER: "摄影",
    Role.AUTHOR: "作者",
    Role.EDITOR: "编辑",
}


class Kind(StrEnum):
    """What sort of item an article is."""

    ARTICLE = "article"
    PHOTO = "photo"  # a news photo: a caption and its credit, no headline
    NOTICE = "notice"  # 通告, 公告, 启事 …


@dataclass(frozen=True, slots=True)
class Contributor:
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Credit:
    """One printed credit: the words as printed (cleaned) and the people they name.

    ``text`` keeps the printed form, e.g. ``（记者 韩睿 通讯员 高雅慧）``, ``记者 李静``,
    ``（以上由王勇编辑整理）``, ``李学军 宋卫东 摄`` or ``袁剑锋``; every contributor's name
    occurs in ``text``, in order.
    """

    text: str
    contributors: tuple[Contributor, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """Inline styling of ``text[start:end]`` that plain text cannot carry."""

    start: int
    end: int
    style: Literal["subscript", "superscript", "bold"]


@dataclass(frozen=True, slots=True)
class Repair:
    """A judgement-call repair: ``text[start:end]`` stands where the page printed ``orig``.

    ``reason`` is the name of the reading rule that made it (``pressout.read.rules``), e.g.
    ``latex-scripts`` (``PM_{2.5}`` → PM2.5) or ``photo-credit-inside-paragraph`` (a credit the layout dropped inside a sentence; then
    ``start == end`` and the credit lives on in a ``Figure`` after the paragraph).
    """

    start: int
    end: int
    orig: str
    reason: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    marks: tuple[Mark, ...] = ()
    repairs: tuple[Repair, ...] = ()
    # Offsets in ``text`` where the page broke this paragraph (a column or page break
    # in the dump) and the reader joined it again.
    joins: tuple[int, ...] = ()
    type: Literal["paragraph"] = field(default="paragraph", init=False, repr=False)


@dataclass(frozen=True, slots=True)
class Subhead:
    """A 小标题 inside an article."""

    text: str
    type: Literal["subhead"] = field(default="subhead", init=False, repr=False)


@dataclass(frozen=True, slots=True)
class Figure:
    """A photo, of which the text dump keeps only the caption and the credit."""

    text: str  # the caption; "" when the page printed only a credit
    credit: Credit | None = None
    type: Literal["figure"] = field(default="figure", init=False, repr=False)


@dataclass(frozen=True, slots=True)
class Note:
    """A note printed with the article, e.g. a jump line （下转第3版）."""

    text: str
    kind: Literal["continuation"] = "continuation"
    type: Literal["note"] = field(default="note", init=False, repr=False)

    @property
    def page(self) -> int | None:
        """The page a jump line points to (下转第3版 → 3), if it names one."""
        found = _JUMP_PAGE.search(self.text)
        return int(found.group(1)) if found else None


_JUMP_PAGE = re.compile(r"第\s*(\d+)\s*版")

Block: TypeAlias = Paragraph | Subhead | Figure | Note


@dataclass(frozen=True, slots=True)
class Article:
    """One item of the page, in page order.

    ``title`` is the printed headline, or None when the page prints none (photo items,
    reports whose headline the dump lost); ``display_title`` is what exporters show.
    ``dateline`` is the run-in source line (本报讯, 新华社北京11月5日电); ``byline`` the
    credit printed with it or under the headline; ``closing`` the credits after the text.
    """

    id: str
    kind: Kind
    title: str | None
    body: tuple[Block, ...]
    kicker: str | None = None
    subtitle: str | None = None
    column: str | None = None
    dateline: str | None = None
    byline: Credit | None = None
    closing: tuple[Credit, ...] = ()
    # Fields of the source record that are not printed text, (name, value) as found: a
    # dump's url, id, crawl time or media field (see ``pressout.read.containers``).
    meta: tuple[tuple[str, str], ...] = ()
    # The label of the page it is printed on (``Page.label``: "1", "A03"), one of its
    # issue's ``pages``; None when no page is known.
    page: str | None = None

    @property
    def display_title(self) -> str:
        return derive_display_title(self.title, self.body)

    @property
    def credits(self) -> tuple[Credit, ...]:
        """Every credit of the article in page order: byline, photo credits, closing."""
        figures = tuple(b.credit for b in self.body if isinstance(b, Figure) and b.credit)
        head = (self.byline,) if self.byline else ()
        return head + figures + self.closing

    @property
    def contributors(self) -> tuple[Contributor, ...]:
        """The people credited, in page order, each (name, role) once."""
        seen: dict[Contributor, None] = {}
        for credit in self.credits:
            for person in credit.contributors:
                seen.setdefault(person, None)
        return tuple(seen)

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(b for b in self.body if isinstance(b, Paragraph))


@dataclass(frozen=True, slots=True)
class Furniture:
    """Page furniture that is not an article.

    ``kind`` is ``banner`` for slogan banners, running column banners and headlines whose
    text the dump lost, ``editor-box`` for the page's staff line (责任编辑, 版式设计 …), ``page-header`` for a
    page's header in a dump of several pages (``01版：要闻``, ``A03 要闻``, ``Page 2``).
    ``position`` is the number of articles printed before it, so exporters that keep it
    (the TEI archive) can put it back in page order.
    """

    id: str
    kind: Literal["banner", "editor-box", "page-header"]
    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Page:
    """One page (版面) of an issue.

    ``label`` is the page as the paper numbers it: a bare number without its leading zeros
    (``01版`` → ``"1"``), or a section letter with its number as printed (``A03``); ``name``
    is the page's name when printed (要闻, 杭州新闻). A page is known by its label: within
    an issue no two pages share one, and an article names its page by it."""

    label: str
    name: str | None = None

    @property
    def number(self) -> int | None:
        """The page's number: ``"3"`` → 3, ``"A03"`` → 3 (the section's page); None if none."""
        digits = _PAGE_DIGITS.search(self.label)
        return int(digits.group(0)) if digits else None

    @property
    def heading(self) -> str:
        """The page as a reader names it: 第3版, A03版, with its name after a space."""
        label = f"第{self.label}版" if self.label.isdigit() else f"{self.label}版"
        return f"{label} {self.name}" if self.name else label


_PAGE_DIGITS = re.compile(r"\d+$")


@dataclass(frozen=True, slots=True)
class Removal:
    """Text of the source that is no part of the page: a dump's scaffolding (a crawl
    time, a word count, a channel title) that a reading rule took out. ``rule`` is that
    rule's name; the text is kept, so no character of the input is lost."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning about one page: a stable code, the file, and a message for humans."""

    code: str
    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: warning {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One source page, read.

    ``id`` is an ASCII NCName, stable across rebuilds (see ``pressout.read.meta``).
    ``date_cert`` says how sure the date is (TEI's ``@cert`` scale): ``"high"`` when the
    page or its file name states it, ``"medium"``/``"low"`` when the issue metadata gives a
    date inferred from the text; None exactly when the date is unknown.
    """

    source: str  # the page's file name, as given to the reader
    id: str
    sha256: str  # of the source file's bytes
    articles: tuple[Article, ...]
    publication: str = ""  # the paper's name; "" when nothing says it (see ``masthead``)
    publication_slug: str = "paper"
    date: _dt.date | None = None
    date_cert: Literal["high", "medium", "low"] | None = None
    page: int | None = None
    language: str = "zh-CN"
    furniture: tuple[Furniture, ...] = ()
    # The pages it covers, in the paper's order: one for a page dump whose page is known,
    # several for a whole issue, none when no page is known. ``page`` is the number of a
    # one-page issue (None for a whole issue).
    pages: tuple[Page, ...] = ()
    removed: tuple[Removal, ...] = ()  # the source's scaffolding, taken out and kept
    # The reading rules (pressout.read.rules) that changed or structured this page's text,
    # in the rules' order: what the TEI header states as "actually applied".
    rules_applied: tuple[str, ...] = ()
    # An issue gathered from several files (one article each: pressout.read.gather): each
    # file's name and sha256, in the issue's order; () for an issue read from one file.
    sources: tuple[tuple[str, str], ...] = ()
    # Warnings from reading; not part of what the page says, so not compared.
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)

    @property
    def masthead(self) -> str:
        """The paper's name as exporters show it: ``publication``, or PUBLICATION_UNKNOWN
        (报刊不详) when nothing said which paper the page is from."""
        return self.publication or PUBLICATION_UNKNOWN

    def page_of(self, article: Article) -> Page | None:
        """The page ``article`` is printed on, when known."""
        return next((p for p in self.pages if p.label == article.page), None) if article.page else None

    def section_of(self, article: Article) -> str | None:
        """The section ``article`` belongs to: the name of its page (要闻), when known."""
        page = self.page_of(article)
        return page.name if page is not None else None

    def by_page(self) -> list[tuple[Page | None, tuple[Article, ...]]]:
        """The articles in runs by page, in the issue's order: each run of consecutive
        articles on one page with that page (None: articles of no known page, such as a
        whole issue's contents before its first page). A page the dump went back to later
        makes a second run, so no article moves."""
        pages = {page.label: page for page in self.pages}
        out: list[tuple[Page | None, tuple[Article, ...]]] = []
        run: list[Article] = []
        for article in self.articles:
            if run and article.page != run[0].page:
                out.append((pages.get(run[0].page) if run[0].page else None, tuple(run)))
                run = []
            run.append(article)
        if run:
            out.append((pages.get(run[0].page) if run[0].page else None, tuple(run)))
        return out

    @property
    def page_label(self) -> str | None:
        """A one-page issue's page as the paper numbers it (第3版, A03版); None for a whole
        issue or an unknown page."""
        if self.page is None:
            return None
        if len(self.pages) == 1:
            return Page(self.pages[0].label).heading
        return f"第{self.page}版"

    @property
    def title(self) -> str:
        """ "太原日报 2021年11月8日", with the page when it is known ("… 第3版": a day's
        pages are so many books on an e-reader, entries in the editions feed and rows on
        the web edition, and must not all read the same), or the publication and the
        source when undated."""
        if self.date is None:
            return f"{self.masthead}（日期不详，{self.source}）"
        d = self.date
        page = f" {self.page_label}" if self.page_label else ""
        return f"{self.masthead} {d.year}年{d.month}月{d.day}日{page}"


PUBLICATION_UNKNOWN = "报刊不详"  # shown for a page whose paper nothing names


# --- an issue without its text ----------------------------------------------------------


class ArticleLike(Protocol):
    """What an archive-wide output needs of an article: its id and the title it shows."""

    @property
    def id(self) -> str: ...

    @property
    def display_title(self) -> str: ...


class IssueLike(Protocol):
    """What an archive-wide output (the front and year pages, the feeds' plan, the editions
    feed, the corpus header) needs of an issue: satisfied by ``Issue`` and by ``IssueHead``,
    so that such outputs of a build of any size are made from heads, never from text."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def date(self) -> _dt.date | None: ...

    @property
    def page(self) -> int | None: ...

    @property
    def publication(self) -> str: ...

    @property
    def publication_slug(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def articles(self) -> tuple[ArticleLike, ...]: ...

    @property
    def masthead(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ArticleHead:
    """An article without its text: its id, its headline, and the section and column it
    belongs to (what the per-section feeds and pages, ``pressout.export.sections``, group
    by). ``section`` is the name of the page it is printed on (要闻, 杭州新闻), None when the
    page or its name is not known; ``column`` is ``Article.column``."""

    id: str
    display_title: str  # as every output shows it (``pressout.export.html.headline``: never blank)
    section: str | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class IssueHead:
    """An issue without its text: what the build keeps of every issue (``issues.json``) and
    hands to the archive-wide outputs, so that a build of any size holds every issue's head
    and no issue's text.

    ``sizes`` are the sizes of the issue's own output files that other outputs show (its
    EPUBs: the web pages and the editions feed give their sizes), by path in the output
    folder. ``key`` is the page key it was built with: what its text was."""

    id: str
    source: str
    date: _dt.date | None
    page: int | None
    publication: str
    publication_slug: str
    title: str
    articles: tuple[ArticleHead, ...]
    language: str = "zh-CN"
    sizes: tuple[tuple[str, int], ...] = ()
    key: str = ""

    @property
    def masthead(self) -> str:
        return self.publication or PUBLICATION_UNKNOWN

    @property
    def article_ids(self) -> list[str]:
        return [a.id for a in self.articles]

    def size(self, path: str) -> int | None:
        """The size of its output file ``path`` (None: not one of ``sizes``)."""
        return next((size for name, size in self.sizes if name == path), None)

    def to_json(self) -> list[Any]:
        return [self.id, self.source, self.date.isoformat() if self.date else None, self.page, self.publication,
                self.publication_slug, self.title,
                [[a.id, a.display_title, a.section, a.column] for a in self.articles],
                self.language, [list(pair) for pair in self.sizes]]

    @classmethod
    def from_json(cls, data: list[Any], key: str = "") -> IssueHead:
        ident, source, date, page, publication, slug, title, articles, language, sizes = data
        return cls(ident, source, _dt.date.fromisoformat(date) if date else None, page, publication, slug, title,
                   tuple(ArticleHead(*a) for a in articles), language,
                   tuple((name, size) for name, size in sizes), key)

# --- display titles ---------------------------------------------------------------

DISPLAY_TITLE_MAX = 60
_MIN_CLAUSE = 20  # a clause shorter than this says too little to stand as a title
_SENTENCE_END = re.compile(r"[。！？!?]|……")
# A leading date or time phrase ("11月4日，", "7月28日下午，") says when, not what.
_LEADING_WHEN = re.compile(
    r"^(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:[上下]午|晚|晚间|早|凌晨|清晨|傍晚|中午|夜间)?[，,]"
)
_CLAUSE_BREAK = re.compile(r"[，；：]")


def derive_display_title(title: str | None, body: tuple[Block, ...]) -> str:
    """The printed title, or a short title made from the first sentence of the text;
    never empty or only whitespace.

    Rule (documented in the README): take the first paragraph or caption, cut it at the
    first sentence end, drop a leading date phrase, and if it is still longer than
    DISPLAY_TITLE_MAX characters cut it at the last clause break (，；：) that fits, when
    that leaves at least _MIN_CLAUSE characters, or else at the limit with an ellipsis.
    A title that is empty or only whitespace counts as none. When the first sentence is
    empty (the text opens with punctuation: ``……``, ``。``, ``！``), the same rule is applied
    from the text's first letter or digit on (its first words); a text without any letter
    or digit gives way to the next block's. An item with no letter or digit in its text at
    all (or no text) is called DISPLAY_TITLE_NONE, （无题）.
    """
    if title and not title.isspace():
        return title
    first = [b.text for b in body if isinstance(b, (Paragraph, Figure)) and b.text]
    rest = [b.text for b in body if not isinstance(b, (Paragraph, Figure)) and b.text]
    for source in first + rest:
        made = _title_from(source)
        if made:
            return made
    return DISPLAY_TITLE_NONE


DISPLAY_TITLE_NONE = "（无题）"
_WORD = re.compile(r"[^\W_]")  # a letter or digit (hanzi included)


def _title_from(source: str) -> str:
    """The display title the text ``source`` gives, or "" when it holds no letter or digit."""
    word = _WORD.search(source)
    if word is None:
        return ""
    for text in (source, source[word.start() :]):
        end = _SENTENCE_END.search(text)
        sentence = text[: end.start()] if end else text
        shorter = _LEADING_WHEN.sub("", sentence, count=1)
        sentence = shorter or sentence
        if _WORD.search(sentence):
            break
    else:
        return ""
    if len(sentence) <= DISPLAY_TITLE_MAX:
        return sentence
    cut = max(
        (m.start() for m in _CLAUSE_BREAK.finditer(sentence, 0, DISPLAY_TITLE_MAX + 1)),
        default=0,
    )
    if cut >= _MIN_CLAUSE:
        return sentence[:cut]
    return sentence[: DISPLAY_TITLE_MAX - 1] + "…"
