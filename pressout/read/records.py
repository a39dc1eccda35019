"""Records → articles: the articles of a file a container held (``containers.unwrap``).

Each record is one article, as the dump says: its title is the headline line, its text
the lines under it, and both are read with the page's own conventions (headline stacks
with a column label, datelines, bylines, credits, figures) by the same ``units`` and
``segment`` as a page, so an RSS item and a printed page are read alike. Whatever the
conventions make of a record, it stays one article: a short line inside its text that
looks like a headline is a subhead, not a new story.

Fields the model holds go there: the author field is the byline when it reads as a
credit; the record's date, section, source and every other field are kept in
``Article.meta``. A section that names a page (``01版：要闻``) is a page header: page
furniture where it changes. Text that is the dump's, not the paper's (rule
web-scaffolding: ``首次上稿 … 更新時間 …``, ``56分鐘前``, a CMS record leaked into a
summary) is taken out into ``Issue.removed``. A record whose title is a page's staff
line (``一版责编：…``) is that page's editor-box furniture.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from email.utils import parsedate_to_datetime

from ..model import Credit, Diagnostic, Figure, Kind, Note, Paragraph, Removal, Role, Subhead
from .containers import Container, Record
from .credits import is_person_name, match_author_line, match_credit_line, parse_people
from .rules import COLUMN_GENRE_ENDINGS, EDITOR_BOX_RE
from .segment import RawArticle, looks_like_headline, segment, title_labels, units
from .trace import fired

__all__ = ["RecordsRead", "author_credit", "one_article", "read_records", "record_day"]

# Rule web-scaffolding: what a web page or a crawler prints around the story.
_SCAFFOLDING = (
    # 自由時報: "首次上稿 8-21 22:29更新時間 8-22 06:43" before the text
    re.compile(
        r"首次上稿\s*\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}\s*(?:更新時間\s*\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})?"
    ),
    re.compile(r"更新時間\s*\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}"),
    # a relative time alone on its line ("56分鐘前", "3小时前"), or run in after a cut
    # summary's dots ("…陳宇安在..5小時前")
    re.compile(r"(?:^|(?<=[.…]))\d{1,3}\s*(?:秒|分鐘|分钟|小時|小时|天)前$"),
    # a CMS record leaked into a summary: "2026-07-04 00:00:00:0 30166604 … /enpproperty-->"
    re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?::\d+)?\s+\d+.*?/enpproperty-->"),
    re.compile(r"<!--\s*enpproperty.*?-->|/?enpproperty-->"),
    # crawler labels: 原文链接 / 抓取时间 / 字数 with their values
    re.compile(
        r"(?:原文链接|原文連結|抓取时间|抓取時間|爬取时间)[:：]\s*\S+(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    ),
    re.compile(r"(?:字数|字數)[:：]\s*\d+"),
)
_SCAFFOLD_FIRST = re.compile(r"首次上稿|更新時間|\d|<!--|/?enpproperty|原文|抓取|爬取|字数|字數")
_CRAWLER_NOTICE = frozenset(("系統通知", "系统通知", "system", "System", "SYSTEM"))  # a record's source
_STAFF_TITLE = re.compile(r"^(?:本版|[一二三四五六七八九十百\d]+版)?(?:责编|責編|责任编辑|責任編輯)[：:]")
_PAGE_SECTION = re.compile(
    r"^(?:(?:当前|當前)版\s*[:：]\s*)?(?:第\s*)?(?P<page>[A-Za-z]?\d{1,3})\s*版|^(?P<page2>[A-Z]\d{1,3})\b"
)
# Rule spaced-paragraph-break: Chinese prose puts no space after a full stop; in a
# record's text a space after one (``…仪式。 上午10时…``) is where the web page's
# paragraphs were joined (a digest joins its lead paragraphs with a space).
_SPACED_BREAK = re.compile(r"([。！？!?][”」』’）)]*)[ \u3000\u00a0]+(?=\S)")
_DAY = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")


class RecordsRead:
    """What the records gave: articles, furniture, removed text, the facts they agree on."""

    __slots__ = ("articles", "day", "furniture", "metas", "page", "removed")

    def __init__(self) -> None:
        self.articles: list[RawArticle] = []
        self.metas: list[tuple[tuple[str, str], ...]] = []  # each article's Article.meta
        self.furniture: list[tuple[str, str, int]] = []
        self.removed: list[Removal] = []
        self.day: dt.date | None = None
        self.page: int | None = None


def record_day(value: str) -> dt.date | None:
    """The day a date field names: ISO-like (2026-08-22 06:43, 2026/8/22, 2026年8月22日)
    or an RFC 822 date (RSS: ``Sat, 22 Aug 2026 06:43:00 +0800``)."""
    m = _DAY.search(value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _strip_scaffolding(text: str, removed: list[Removal]) -> str:
    if not _SCAFFOLD_FIRST.search(text):
        return text
    for pattern in _SCAFFOLDING:
        found = pattern.search(text)
        while found:
            removed.append(Removal("web-scaffolding", found.group(0)))
            fired("web-scaffolding")
            text = (text[: found.start()] + " " + text[found.end() :]).strip()
            found = pattern.search(text)
    return text


# Rule photo-item (records): a CMS files a news photo under a label, not a headline.
_PHOTO_LABELS = frozenset(
    ("图片报道", "图片新闻", "新闻图片", "摄影报道", "圖片報導", "圖片新聞", "新聞圖片", "攝影報導")
)


def _photo_item(art: RawArticle, meta: list[tuple[str, str]]) -> None:
    """A record titled only with the CMS's photo label is a photo item: no headline (the
    label is kept in its ``meta``), its text the caption."""
    fired("photo-item")
    meta.append(("label", art.title or ""))
    art.kind, art.title = Kind.PHOTO, None
    art.body = [Figure(b.text) if isinstance(b, Paragraph) else b for b in art.body]


def _paragraphs(text: str) -> list[str]:
    """Rule spaced-paragraph-break: a record's text value, split where a space follows a
    full stop."""
    if not _SPACED_BREAK.search(text):
        return [text] if text else []
    fired("spaced-paragraph-break")
    return [piece for piece in _SPACED_BREAK.sub("\\1\n", text).split("\n") if piece]


def author_credit(value: str) -> Credit | None:
    value = value.strip()
    if not value:
        return None
    credit = match_credit_line(value) or match_author_line(value)
    if credit is None:
        people = parse_people(value, default=Role.AUTHOR, strict_names=True)
        credit = Credit(value, people) if people else None
    return credit


def one_article(parts: list[RawArticle], title: str | None) -> RawArticle:
    """The record's article: the first piece, with every later piece's headline stack as
    subheads and its text, credits and figures after (nothing dropped)."""
    art = parts[0]
    for extra in parts[1:]:
        for line in (extra.kicker, extra.title, extra.subtitle):
            if line:
                art.add(Subhead(line))
        for block in extra.body:
            art.add(block)
        if extra.byline is not None:
            art.closing.append(extra.byline)
        art.closing.extend(extra.closing)
    if title is not None and art.title is None and not art.kicker:
        art.title = title
    return art


def read_records(
    container: Container, *, source: str, diagnostics: list[Diagnostic], first_line: int = 1
) -> RecordsRead:
    from .page import page_lines, tab_stack  # (page imports this module lazily: no cycle at import)

    out = RecordsRead()
    days: Counter[dt.date | None] = Counter()
    pages: set[int | None] = set()
    last_header: str | None = None
    sections: list[str | None] = []  # each article's record's section
    for record in container.records:
        title = (record.title or "").strip() or None
        if record.source and record.source.strip() in _CRAWLER_NOTICE:
            # Rule web-scaffolding: the crawler's own notice (今日暫無新聞: a source had no
            # news today) is no story of the paper's.
            fired("web-scaffolding")
            out.removed.extend(
                Removal("web-scaffolding", words) for words in (record.title, *record.paragraphs) if words
            )
            _keep_fields(record, out, "web-scaffolding")
            continue
        if title and (_STAFF_TITLE.match(title) or EDITOR_BOX_RE.match(title)):
            fired("editor-box")
            out.furniture.append(("editor-box", " ".join([title, *record.paragraphs]), len(out.articles)))
            _keep_fields(record, out, container.format)
            continue
        meta: list[tuple[str, str]] = []
        page: int | None = None
        if record.section:
            header = _PAGE_SECTION.match(record.section.strip())
            if header:
                digits = re.sub(r"\D", "", header.group("page") or header.group("page2") or "")
                page = int(digits) if digits else None
                if record.section != last_header:
                    out.furniture.append(("page-header", record.section, len(out.articles)))
                    last_header = record.section
            meta.append(("section", record.section))
        pages.add(page)
        if record.date:
            meta.append(("date", record.date))
            days[record_day(record.date)] += 1
        else:
            days[None] += 1
        if record.source:
            meta.append(("source", record.source))
        if record.editor:
            meta.append(("editor", record.editor))
        texts, photos = _photo_lines(record)
        if title and texts and texts[0].startswith(title) and len(texts[0]) > len(title):
            # Rule repeated-headline: a text that opens by repeating the record's title
            # (a CMS that puts the headline into the body field too): once is enough.
            rest = texts[0][len(title) :].lstrip(" \u3000\n")
            if rest:
                fired("repeated-headline")
                out.removed.append(Removal("repeated-headline", title))
                texts[0] = rest
        paragraphs = [
            piece
            for p in texts
            for piece in ([p] if p in photos else _paragraphs(_strip_scaffolding(p, out.removed)))
        ]
        head = [f"# {title}"] if title else []
        stack = tab_stack(title) if title and "\t" in title else None
        if stack is not None:  # rule tab-joined-stack: 引题 / 标题 / 副题 in one title field
            fired("tab-joined-stack")
            title = stack[1]
            head = [f"## {stack[0]}", f"# {stack[1]}", f"## {stack[2]}"]
        if title and len(paragraphs) > 1 and looks_like_headline(paragraphs[0]):
            # A headline-like line that opens the text, under the record's own title, is
            # its subtitle (副题): a heading level below the title, as the stack reads it.
            head.append(f"## {paragraphs.pop(0)}")
        text = "\n".join(head + paragraphs)
        lines, _ = page_lines(text, first_line)
        seg = segment(
            units(lines, diagnostics, source), blank_separated=False, diagnostics=diagnostics, source=source
        )
        parts = seg.articles or [RawArticle(kind=Kind.ARTICLE, line=first_line)]
        furniture = list(seg.furniture)
        if (
            title
            and parts[0].title is None
            and furniture
            and furniture[0][0] == "banner"
            and furniture[0][2] == 0
        ):
            # The title with no text under it (a headline list) was read as a banner: it
            # is the record's headline, as the page conventions cleaned it.
            title = furniture.pop(0)[1]
        art = one_article(parts, title)
        if photos:
            _photos(art, photos)
        kicker = next((v for k, v in record.meta if k == "kicker"), None)
        subtitle = next((v for k, v in record.meta if k == "subtitle"), None)
        if kicker and not art.kicker:
            art.kicker = kicker
        if subtitle and not art.subtitle:
            art.subtitle = subtitle
        if art.title and art.title in _PHOTO_LABELS and not art.kicker and not art.subtitle:
            _photo_item(art, meta)
        elif title and art.title == title:  # (a title the record's field gave, not the conventions)
            title_labels(art)
        for kind, words, _ in furniture:
            if kind == "banner":  # a record's own line (a summary cut after a short line): its text
                art.add(Paragraph(words))
            elif kind == "editor-box" and (editor := _editor_credit(words)) is not None:
                art.closing.append(editor)  # a web article's 責任編輯 line: its editor, not a page's staff
            else:
                out.furniture.append((kind, words, len(out.articles)))
        if record.author:
            credit = author_credit(record.author)
            if credit is not None and art.byline is None:
                art.byline = credit
            elif credit is None or credit != art.byline:
                meta.append(("author", record.author))
        out.articles.append(art)
        out.metas.append(tuple(meta) + tuple((k, v) for k, v in record.meta if k not in _DECK_KEYS))
        sections.append(record.section)
    _listed_columns(out.articles, sections)
    known = [d for d in days if d is not None]
    if container.date and record_day(container.date):
        out.day = record_day(container.date)
    elif len(known) == 1 and days[None] == 0:
        out.day = known[0]
    if len(pages) == 1:
        out.page = next(iter(pages))
    return out


_BRACKET_CREDIT = re.compile(r"[（(]([^（()）]{1,30}[攝摄](?:影)?)[）)]$")
_DECK_KEYS = frozenset(("kicker", "subtitle"))  # a container's reading of a hidden deck


def _photo_lines(record: Record) -> tuple[list[str], dict[str, str]]:
    """The record's paragraphs with each photo (``Record.figures``) as a stand-in line of
    its own where it is (a private-use line the conventions leave alone), and what each
    stand-in stands for: the caption, or "" for a photo printed without one."""
    if not record.figures:
        return list(record.paragraphs), {}
    photos: dict[str, str] = {}
    captions: dict[int, str] = {}
    before: dict[int, list[str]] = {}
    for n, (i, captioned) in enumerate(record.figures):
        line = f"\ue000{chr(0xE100 + n % 0x700)}。"
        if captioned and i < len(record.paragraphs):
            captions[i] = line
            photos[line] = record.paragraphs[i]
        elif not captioned:
            before.setdefault(i, []).append(line)
            photos[line] = ""
    texts: list[str] = []
    for i in range(len(record.paragraphs) + 1):
        texts += before.get(i, [])
        if i < len(record.paragraphs):
            texts.append(captions.get(i, record.paragraphs[i]))
    return texts, photos


def _photos(art: RawArticle, photos: dict[str, str]) -> None:
    """The stand-in lines back as figures: the caption, with its photo credit (…攝) when
    it ends in one. A stand-in the conventions ran into a neighbouring line (the line
    above it was unfinished) is cut out of it again."""
    from .credits import match_photo_credit

    body: list[Paragraph | Subhead | Figure | Note] = []
    for block in art.body:
        text = block.text if isinstance(block, (Paragraph, Subhead)) else ""
        if not _STAND_IN.search(text):
            body.append(block)
            continue
        for piece in _STAND_IN_SPLIT.split(text):
            if piece in photos:
                caption = photos[piece]
                found = match_photo_credit(caption) if caption else None
                bracket = _BRACKET_CREDIT.search(caption) if caption and found is None else None
                if bracket:  # （黃雄攝）: the credit in brackets that closes a Hong Kong caption
                    inner = match_photo_credit(bracket.group(1))
                    if inner is not None and not inner[0]:
                        found = (
                            caption[: bracket.start()].rstrip(),
                            Credit(bracket.group(0), inner[1].contributors),
                        )
                body.append(Figure(found[0], found[1]) if found else Figure(caption))
            elif piece.strip():
                body.append(
                    type(block)(piece.strip()) if isinstance(block, Subhead) else Paragraph(piece.strip())
                )
    art.body[:] = body
    art.has_text = art.has_text or any(isinstance(b, Figure) for b in body)


_STAND_IN = re.compile("\ue000[\ue100-\ue7ff]。")
_STAND_IN_SPLIT = re.compile("(\ue000[\ue100-\ue7ff]。)")


# Rule column-label-listed: in a list of headlines (a section of an index page), a short
# label and a colon opening a headline (坦言集：…, 政情：…) is the column the item runs
# under when every headline of the section opens so, when the label opens two headlines
# and is no one's name, or when it names a commentary (…評論). One headline with a colon
# is a speaker's (外交部：…, 胡松炎：…) and keeps it.
_LISTED_LABEL = re.compile(r"^(?P<label>[^\s：:，,。！？]{2,6})[：:]\s*(?P<rest>\S.*)$")
_LISTED_MIN = 3  # headlines a section needs before its shape says anything


def _listed_columns(articles: list[RawArticle], sections: list[str | None]) -> None:
    groups: dict[str | None, list[RawArticle]] = {}
    for art, section in zip(articles, sections, strict=True):
        groups.setdefault(section, []).append(art)
    for group in groups.values():
        titled = [art for art in group if art.title and art.column is None and not art.body]
        if len(titled) < _LISTED_MIN or len(titled) != len(group):
            continue
        found = [(art, _LISTED_LABEL.match(art.title or "")) for art in titled]
        labels = Counter(m.group("label") for _, m in found if m)
        everyone = all(m for _, m in found)
        for art, m in found:
            if m is None:
                continue
            label = m.group("label")
            # The whole section's shape; a label that runs over two headlines and names
            # no one (政情：… 政情：…); or a label of a commentary's kind (阿王評論：…).
            if (
                everyone
                or (labels[label] > 1 and not is_person_name(label))
                or label.endswith(COLUMN_GENRE_ENDINGS)
            ):
                fired("column-label-listed")
                art.column, art.title = label, m.group("rest")


_EDITOR_LINE = re.compile(r"^(?:責任編輯|责任编辑|編輯|编辑|責編|责编)\s*[：:]\s*(?P<names>\S.{0,30})$")


def _editor_credit(line: str) -> Credit | None:
    """``責任編輯：劉雲`` at the foot of one article: that article's editor."""
    m = _EDITOR_LINE.match(line.strip())
    if m is None:
        return None
    people = parse_people(m.group("names"), default=Role.EDITOR, strict_names=False)
    return Credit(line.strip(), people) if people else None


def _keep_fields(record: Record, out: RecordsRead, rule: str) -> None:
    """A record read as furniture keeps its other fields, as removed text of its container."""
    for name, value in record.meta:
        out.removed.append(Removal(rule, f"{name}: {value}"))
    for field in (record.author, record.editor, record.date, record.section, record.source):
        if field:
            out.removed.append(Removal(rule, field))
