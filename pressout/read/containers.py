"""Dump formats ("containers"): a file whose text is wrapped in a machine format (HTML,
RSS/Atom, JSON, JSON lines, CSV, a crawler's label lines) is unwrapped into ``Record``s,
one per article the file holds, before any newspaper convention is read.

``unwrap(text, source)`` recognises the format from the text itself (the file name's
extension is only a hint) and returns a ``Container``, or None when the text is plain
page text (or Markdown, which the page reader reads itself). Every character of a
record's values ends up somewhere: the title and paragraphs are the article's text;
fields the model has a place for (author, date, section, page, paper) go there; every
other field is kept in ``Record.meta`` (the model's ``Article.meta``); text of the file
that is no record's (a channel title, navigation) is in ``Container.furniture`` or, for
scaffolding a rule removed, ``Container.removed`` with the rule's name.

Each format is a named rule (``pressout.read.rules``): container-html, container-rss,
container-atom, container-json, container-jsonl, container-csv, container-label-lines.

How the parts fit:

* ``unwrap`` looks at the first non-blank character and the first line only, so plain
  page text costs a regular expression or two (it runs on every page the reader reads);
* every format turns a record into (key, value) pairs and hands them to one ``_Draft``,
  which maps field names (English and Chinese, case-insensitive) onto the ``Record``'s
  slots, keeps the rest as metadata and settles repeated text fields;
* markup (HTML, and the HTML inside feeds and JSON strings) is read by one walker,
  ``_Walk``, that turns elements into headings and paragraphs;
* a web page is read as what it is, by its structure (class and id names count only for
  generic words: nav, menu, footer, caption, author, date …): an article page (a main
  heading that says what its ``<title>`` says, over the page's largest block of running
  text) is one record, its paragraphs and subheads, each photo's caption a paragraph of
  its own where the photo is (``Record.figures``), its byline and date elements the
  record's; a section index or an e-paper page view is one record per headline link
  (the heading or page header over the list its section; a hidden ``kicker~~~subtitle``
  deck the ``kicker`` and ``subtitle`` of its ``meta``), and a teaser (a headline linked
  with its lead) anywhere is a record too; navigation, menus, share and comment widgets,
  ads, footers, the issue's page list and repeated lists are the site's (``removed``,
  ``furniture``); the site name in the ``<title>`` is the ``publication``. A page that is
  neither (a digest of headings and paragraphs) is read by its article elements or its
  headings;
* a feed's Media RSS picture (``media:group``/``media:content``) is a photo of its item,
  ``media:title`` its caption.

lxml is imported lazily (``_lxml``): a reader that never meets markup never pays for it.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Container", "Record", "unwrap"]


@dataclass(frozen=True, slots=True)
class Record:
    """One article as the container gives it, values as found (markup already turned
    into text; paragraphs not yet read for newspaper conventions)."""

    title: str | None
    paragraphs: tuple[str, ...]  # the text, one string per paragraph, in order
    author: str | None = None  # an author/reporter field, as given
    editor: str | None = None  # an editor field, as given
    date: str | None = None  # a date or time field, as given (``2026-08-22 06:43``)
    section: str | None = None  # a category/channel/版面 field (``01版：要闻``, ``國際``)
    source: str | None = None  # a media/source field: the paper or agency (``自由``, ``新华社``)
    meta: tuple[tuple[str, str], ...] = ()  # every other field, (name, value): url, id …
    # The photos the record prints, in order, each as (i, captioned): a captioned photo's
    # caption is ``paragraphs[i]`` (a paragraph of its own, where the photo is); a photo
    # printed without one stands before ``paragraphs[i]`` (i == len(paragraphs): at the end).
    figures: tuple[tuple[int, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class Container:
    format: str  # the rule's name: container-html, container-rss, …
    records: tuple[Record, ...]
    title: str | None = None  # the document's or channel's own title, if any
    date: str | None = None  # a date for the whole file (a JSON top-level date, a feed's)
    publication: str | None = None  # the paper the file names for itself, if any
    furniture: tuple[str, ...] = ()  # text of the file that is no record's, in order
    removed: tuple[tuple[str, str], ...] = ()  # (rule, text) scaffolding taken out
    meta: tuple[tuple[str, str], ...] = ()  # file-level fields kept (name, value)


HTML = "container-html"
RSS = "container-rss"
ATOM = "container-atom"
JSON = "container-json"
JSONL = "container-jsonl"
CSV = "container-csv"
LABELS = "container-label-lines"


def unwrap(text: str, source: str) -> Container | None:
    """The container ``text`` is in, unwrapped; None for page text or Markdown.

    Never raises: a text that looks like a container but does not read as one is page
    text as far as the caller is concerned (None), so a broken dump is still read."""
    try:
        return _unwrap(text, source)
    except Exception:  # the contract: no input text makes the reader fail here
        return None


# --- recognising the format ---------------------------------------------------------------

_LEAD = re.compile(r"[\s\ufeff]*")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")  # read by the page reader, not unwrapped


def _unwrap(text: str, source: str) -> Container | None:
    """Dispatch on the first non-blank character, then on the first line: the cheap
    looks come first because plain page text must get its None fast."""
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    if start >= len(text):
        return None
    hint = str(source).lower()
    if hint.endswith(MARKDOWN_SUFFIXES):
        return None  # Markdown is the page reader's, whatever its first line looks like
    first = text[start]
    if first == "<":
        return _markup(text[start:])
    if first in "{[":
        return _json_text(text[start:], first)
    end = text.find("\n", start)
    line = text[start : end if end >= 0 else len(text)].rstrip()
    if line == "---":
        return None  # YAML front matter: Markdown
    if _LABEL.match(line) or _SEPARATOR.match(line):
        found = _label_lines(text[start:])
        if found is not None:
            return found
    if "," in line or "\t" in line or ";" in line:
        return _csv_text(text[start:], line, tab_first=hint.endswith(".tsv"))
    return None


# --- field names ----------------------------------------------------------------------------


def _key(name: str) -> str:
    """A field name folded for lookup: ``pubDate``, ``pub_date`` and ``PUB DATE`` agree."""
    return re.sub(r"[\s_\-]+", "", name.casefold())


_NAMES: dict[str, tuple[str, ...]] = {
    "title": tuple("title headline 标题 文章标题 標題 文章標題 name".split()),
    "text": tuple("content body text article 正文 内容 內容 content_text description summary 摘要".split()),
    "author": tuple("author authors reporter 作者 记者 記者 byline".split()),
    "editor": tuple("editor 编辑 編輯 责任编辑 責任編輯 责编 責編".split()),
    "date": tuple(
        "date time publish_time pubDate published datetime 发布时间 發布時間 日期 up_datetime updated".split()
    ),
    "section": tuple("category channel section 版面 栏目 欄目 column".split()),
    "source": tuple("media source 来源 來源 paper 报纸 報紙".split()),
}
_FIELDS: dict[str, str] = {_key(n): kind for kind, names in _NAMES.items() for n in names}
# The order text fields are preferred in when a record has several that say different things.
_TEXT_RANK: dict[str, int] = {_key(n): i for i, n in enumerate(_NAMES["text"])}
# Labels a crawler's label lines use for fields that are metadata (the reader needs to know
# them to recognise the format; their values go to ``Record.meta`` under the label).
_META_LABELS = frozenset(
    _key(n)
    for n in "link url id 链接 連結 鏈接 连接 連接 原文链接 原文連結 原文鏈接 网址 網址 版次 字数 字數 抓取时间 抓取時間".split()
)


def _field_of(name: str) -> str | None:
    return _FIELDS.get(_key(name))


def _significant(text: str) -> str:
    """The letters and digits of ``text`` after NFKC: what "the same text" means when two
    fields repeat each other with different spacing or punctuation."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum())


# --- paragraphs of a text value -----------------------------------------------------------

_NEWLINES = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# Two or more spaces after a sentence's end: crawled summaries (udn) join paragraphs so.
_SENTENCE_GAP = re.compile(r"([。！？!?…][」』”’\"'）)]*)[ \u3000]{2,}(?=\S)")
_HTMLISH = re.compile(
    r"</?(?:p|br|div|span|a|img|b|i|u|s|strong|em|h[1-6]|ul|ol|li|table|tr|td|th|blockquote|figure"
    r"|figcaption|section|article|font|center|hr|sup|sub|small|big|pre|code|iframe|script|style)\b[^<>]*>",
    re.IGNORECASE,
)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain text value: its lines, and runs of two or more spaces after
    a sentence (a single space is the text's own); each stripped, empty ones dropped."""
    out: list[str] = []
    for line in _NEWLINES.split(text):
        for part in _SENTENCE_GAP.sub("\\1\n", line).split("\n"):
            part = part.strip()
            if part:
                out.append(part)
    return out


def _text_paragraphs(text: str, removed: list[tuple[str, str]], rule: str) -> list[str]:
    """Paragraphs of a value that may hold HTML (a JSON body, a feed's description)."""
    if _HTMLISH.search(text):
        found = _html_fragment(text, removed, rule)
        if found is not None:
            return found
    return _paragraphs(text)


def _scalar(value: object) -> str:
    """A JSON scalar as text: booleans as JSON writes them, numbers as Python does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- one record, from (key, value) pairs ----------------------------------------------------


@dataclass(slots=True)
class _Text:
    key: str
    paragraphs: list[str]
    structured: bool  # given as a list (one string per paragraph): beats a flat string
    raw: str  # the value as one string, for where a repeat is kept


_INNER_NAMES = frozenset({"name", "value", "text", "#text", "$t"})
_MAX_DEPTH = 24  # nesting beyond this is kept as JSON text, not walked


@dataclass(slots=True)
class _Draft:
    """A record being built from (key, value) pairs in the order the container gives
    them; ``finish`` settles the text fields and makes the ``Record``."""

    rule: str
    title: str | None = None
    texts: list[_Text] = field(default_factory=list)
    author: str | None = None
    editor: str | None = None
    date: str | None = None
    section: str | None = None
    source: str | None = None
    meta: list[tuple[str, str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # keys whose value went to a slot
    removed: list[tuple[str, str]] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)  # the record's photos' captions ("": none)

    def add(self, key: str, value: object, depth: int = 0) -> None:
        """Put one field's value where it belongs: a slot, the text, or the metadata."""
        kind = _field_of(key)
        if value is None:
            return
        if isinstance(value, dict):
            self._add_dict(key, kind, value, depth)
        elif isinstance(value, list):
            self._add_list(key, kind, value, depth)
        else:
            text = _scalar(value)
            if not text.strip():
                return
            if kind == "text":
                paragraphs = _text_paragraphs(text, self.removed, self.rule)
                self.texts.append(_Text(key, paragraphs, False, text))
            else:
                self.put(key, kind, text)

    def _add_dict(self, key: str, kind: str | None, value: dict[Any, Any], depth: int) -> None:
        """A nested object: the inner value that names the same field (``{"date": {"date":
        …}}``, ``{"author": {"name": …}}``) fills the slot; the rest is ``key.inner`` meta."""
        if depth >= _MAX_DEPTH:
            self.meta.append((key, _dump(value)))
            return
        chosen = _pick_inner(value, kind) if kind is not None else None
        for inner, item in value.items():
            if inner == chosen:
                self.add(key, item, depth + 1)
            else:
                self.meta.extend(_flat(f"{key}.{inner}", item, depth + 1))

    def _add_list(self, key: str, kind: str | None, value: list[Any], depth: int) -> None:
        """A list: a text field's strings are its paragraphs; names join with 、; any
        other list fills the slot with its first value and keeps the rest as meta."""
        if depth >= _MAX_DEPTH:
            self.meta.append((key, _dump(value)))
            return
        if kind == "text":
            strings: list[str] = []
            for item in value:
                if isinstance(item, dict):
                    for inner, inner_value in item.items():
                        if isinstance(inner_value, str) and (
                            _field_of(str(inner)) == "text" or str(inner).casefold() in _INNER_NAMES
                        ):
                            strings.append(inner_value)
                        else:
                            self.meta.extend(_flat(f"{key}.{inner}", inner_value, depth + 1))
                else:
                    strings.extend(s for _, s in _flat("", item, depth + 1))
            paragraphs = [p for s in strings for p in _text_paragraphs(s, self.removed, self.rule)]
            if paragraphs:
                self.texts.append(_Text(key, paragraphs, True, "\n".join(strings)))
            return
        if kind in ("author", "editor") and all(isinstance(v, str) for v in value):
            names = [v.strip() for v in value if v.strip()]
            if names:
                self.put(key, kind, "、".join(names))
            return
        for item in value:
            self.add(key, item, depth + 1)

    def put(self, key: str, kind: str | None, text: str) -> None:
        """Fill slot ``kind`` with ``text`` unless it is filled already (then the value is
        metadata under its key). A date given as a Python dict's repr (``{'date': '…'}``,
        a crawler's) gives its inner string; the raw text stays in the metadata."""
        if kind == "date":
            inner = _DICT_REPR.match(text.strip())
            if inner:
                if self.date is None:
                    self.date = inner.group(2)
                self.meta.append((key, text))
                return
        if kind is None or kind == "text" or getattr(self, kind) is not None:
            self.meta.append((key, text))
            return
        setattr(self, kind, text.strip())
        self.labels.append(key)

    def finish(self) -> Record | None:
        """The record, or None when it has neither title nor text (not an article)."""
        paragraphs = self._settle_texts()
        figures: list[tuple[int, bool]] = []
        for caption in self.photos:  # (a feed gives its photos after the text)
            figures.append((len(paragraphs), bool(caption)))
            if caption:
                paragraphs.append(caption)
        if self.title is None and not paragraphs:
            return None
        return Record(
            title=self.title,
            paragraphs=tuple(paragraphs),
            author=self.author,
            editor=self.editor,
            date=self.date,
            section=self.section,
            source=self.source,
            meta=tuple(self.meta),
            figures=tuple(figures),
        )

    def _settle_texts(self) -> list[str]:
        """One text for the record: of two fields that repeat each other (``content`` and
        ``content_text``, a summary cut from the body) the structured or fuller one is
        kept and the other goes to ``removed``; of fields that say different things the
        best-ranked is the text and the others are metadata."""
        kept: list[_Text] = []
        signatures: list[str] = []
        for text in self.texts:
            signature = _significant("".join(text.paragraphs))
            for i, other in enumerate(kept):
                if _repeats(signature, signatures[i]):
                    winner = _fuller(other, text, signatures[i], signature)
                    loser = text if winner is other else other
                    if winner is text:
                        kept[i], signatures[i] = text, signature
                    self.removed.append((self.rule, loser.raw))
                    self.labels.append(loser.key)
                    break
            else:
                kept.append(text)
                signatures.append(signature)
        if not kept:
            return []
        primary = min(kept, key=lambda t: (_TEXT_RANK.get(_key(t.key), len(_TEXT_RANK)), kept.index(t)))
        self.labels.append(primary.key)
        for text in kept:
            if text is not primary:
                self.meta.append((text.key, text.raw))
        return primary.paragraphs


_DICT_REPR = re.compile(r"""^\{\s*(['"])\w+\1\s*:\s*['"]([^'"]*)['"]\s*\}$""")


def _repeats(a: str, b: str) -> bool:
    """Whether two texts' letters and digits are the same text, or one is cut from the
    other (a summary that is the body's lead, or stops with …)."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return bool(short) and (long.startswith(short) or (len(short) >= 10 and short in long))


def _fuller(a: _Text, b: _Text, sig_a: str, sig_b: str) -> _Text:
    if a.structured != b.structured:
        return a if a.structured else b
    return b if len(sig_b) > len(sig_a) else a


def _pick_inner(value: dict[Any, Any], kind: str) -> object | None:
    """The key of a nested object's value that stands for the outer field."""
    scalars: list[object] = [k for k, v in value.items() if v is not None and not isinstance(v, (dict, list))]
    for k in scalars:
        if _field_of(str(k)) == kind:
            return k
    for k in scalars:
        if str(k).casefold() in _INNER_NAMES:
            return k
    return scalars[0] if len(scalars) == 1 else None


def _flat(key: str, value: object, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every scalar under ``value`` as (dotted key, text); None and blanks are nothing."""
    if value is None:
        return
    if depth >= _MAX_DEPTH and isinstance(value, (dict, list)):
        yield key, _dump(value)
    elif isinstance(value, dict):
        for inner, item in value.items():
            yield from _flat(f"{key}.{inner}" if key else str(inner), item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _flat(key, item, depth + 1)
    else:
        text = _scalar(value)
        if text.strip():
            yield key, text


def _dump(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return str(value)


def _leftover(rule: str, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A record that is no article (no title, no text): its values, kept as removed."""
    return [(rule, f"{key}: {value}" if key else value) for key, value in pairs]


# --- JSON and JSON lines ------------------------------------------------------------------


def _json_text(text: str, first: str) -> Container | None:
    """A JSON document, or JSON lines; None when neither parses (broken JSON is read as
    page text: there is no safe way to guess what a cut JSON file held)."""
    try:
        doc = json.loads(text)
    except RecursionError:
        return None
    except ValueError:
        return _json_lines(text) if first == "{" else None
    return _from_json(doc, JSON, [])


def _json_lines(text: str) -> Container | None:
    """One object per line, at least two; a last line cut short is kept as removed."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    docs: list[dict[Any, Any]] = []
    removed: list[tuple[str, str]] = []
    for n, line in enumerate(lines):
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            doc = None
        if not isinstance(doc, dict):
            if n == len(lines) - 1 and len(docs) >= 2:
                removed.append((JSONL, line))
                break
            return None
        docs.append(doc)
    return _from_json(docs, JSONL, removed)


def _from_json(doc: object, rule: str, removed: list[tuple[str, str]]) -> Container | None:
    """Records from a list of objects, or from an object holding such a list (under any
    key: ``articles``, ``data``, ``items`` …; the list whose objects have title or text
    fields); the holder's other fields are the file's."""
    top: dict[Any, Any] = {}
    path: tuple[str, ...] | None = None
    if isinstance(doc, list):
        items: list[Any] = doc
    elif isinstance(doc, dict):
        path = _records_path(doc)
        if path is None:
            if not _is_article(doc):
                return None
            items, top = [doc], {}
        else:
            items = _at(doc, path)
            top = doc
    else:
        return None
    if not any(isinstance(item, dict) and _is_article(item) for item in items):
        return None
    records: list[Record] = []
    for item in items:
        if not isinstance(item, dict):
            removed.extend(_leftover(rule, _flat("", item)))
            continue
        record, taken = _record_from_pairs(rule, [(str(k), v) for k, v in item.items()])
        removed.extend(taken)
        if record is not None:
            records.append(record)
    meta = list(_flat_except(top, path))
    return Container(
        format=rule,
        records=tuple(records),
        title=_first_of(meta, "title"),
        date=_first_of(meta, "date"),
        publication=_first_of(meta, "source"),
        removed=tuple(removed),
        meta=tuple(meta),
    )


def _record_from_pairs(
    rule: str, pairs: Sequence[tuple[str, object]]
) -> tuple[Record | None, list[tuple[str, str]]]:
    """A record from its fields, with what ``removed`` gets: repeats, dropped scripts, and
    all its values when it is no article."""
    draft = _Draft(rule)
    for key, value in pairs:
        draft.add(key, value)
    record = draft.finish()
    if record is None:
        return None, draft.removed + _leftover(rule, (kv for k, v in pairs for kv in _flat(k, v)))
    return record, draft.removed


def _is_article(obj: dict[Any, Any]) -> bool:
    return any(_field_of(str(k)) in ("title", "text") for k in obj)


def _records_path(doc: dict[Any, Any], depth: int = 0) -> tuple[str, ...] | None:
    """The keys leading to the list of article objects inside ``doc`` (the list with the
    most objects that have a title or text field), looking three objects deep."""
    best: tuple[int, tuple[str, ...]] | None = None
    for key, value in doc.items():
        if isinstance(value, list):
            score = sum(1 for v in value if isinstance(v, dict) and _is_article(v))
            if score and (best is None or score > best[0]):
                best = (score, (key,))
        elif isinstance(value, dict) and depth < 2:
            inner = _records_path(value, depth + 1)
            if inner is not None:
                score = sum(1 for v in _at(value, inner) if isinstance(v, dict) and _is_article(v))
                if best is None or score > best[0]:
                    best = (score, (key, *inner))
    return best[1] if best else None


def _at(doc: dict[Any, Any], path: tuple[str, ...]) -> list[Any]:
    value: Any = doc
    for key in path:
        value = value[key]
    return value if isinstance(value, list) else []


def _flat_except(doc: dict[Any, Any], path: tuple[str, ...] | None) -> Iterator[tuple[str, str]]:
    """The holder's fields as (dotted key, text), leaving out the records' list."""
    for key, value in doc.items():
        if path and key == path[0]:
            if len(path) > 1 and isinstance(value, dict):
                for inner_key, inner_value in _flat_except(value, path[1:]):
                    yield f"{key}.{inner_key}", inner_value
            continue
        yield from _flat(str(key), value)


def _first_of(meta: Sequence[tuple[str, str]], kind: str) -> str | None:
    """The first top-level field (no dot in its key) naming ``kind``."""
    for key, value in meta:
        if "." not in key and _field_of(key) == kind:
            return value.strip()
    return None


# --- CSV / TSV ----------------------------------------------------------------------------


def _csv_text(text: str, header_line: str, *, tab_first: bool) -> Container | None:
    """A table with a header row that names a title or text column; None otherwise.
    Rows must mostly have the header's width: prose with commas is not a table."""
    delimiter = _csv_delimiter(header_line, tab_first)
    if delimiter is None:
        return None
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) < 2:
        return None
    header = [cell.strip() for cell in rows[0]]
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body or sum(len(row) == len(header) for row in body) * 5 < len(body) * 4:
        return None
    names = [_column_name(name, i) for i, name in enumerate(header)]
    records: list[Record] = []
    removed: list[tuple[str, str]] = []
    for row in body:
        pairs = [(names[i] if i < len(names) else f"column{i + 1}", cell) for i, cell in enumerate(row)]
        record, taken = _record_from_pairs(CSV, pairs)
        removed.extend(taken)
        if record is not None:
            records.append(record)
    return Container(format=CSV, records=tuple(records), removed=tuple(removed))


def _csv_delimiter(line: str, tab_first: bool) -> str | None:
    """The delimiter (tab, comma, semicolon) that splits the header into field names of
    which one is a title or text column."""
    for delimiter in ("\t", ",", ";") if tab_first else (",", "\t", ";"):
        if delimiter not in line:
            continue
        cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
        if len(cells) < 2 or any(len(cell) > 40 for cell in cells):
            continue
        if any(_field_of(cell) in ("title", "text") for cell in cells if cell):
            return delimiter
    return None


def _column_name(name: str, index: int) -> str:
    """A header cell as the field name; an unnamed first column is a pandas index."""
    if name:
        return name
    return "index" if index == 0 else f"column{index + 1}"


# --- label lines ----------------------------------------------------------------------------

_LABEL = re.compile(
    r"^[ \t\u3000]*(?P<label>[^\W\d_]\w{0,30})[ \t\u3000]*(?P<sep>[:：])"
    r"(?![/\\]{2})[ \t\u3000]*(?P<value>.*?)\s*$"
)
_SEPARATOR = re.compile(r"^\s*[-=*_~—─━═]{5,}\s*$")
_UNKNOWN_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")


def _label_kind(label: str) -> str | None:
    """What a label line's label is: a field (``title``, ``text``, …), ``meta`` for a
    known metadata label (link, 版次 …), or None for words that are no label."""
    key = _key(label)
    kind = _FIELDS.get(key)
    if kind is not None:
        return kind
    return "meta" if key in _META_LABELS else None


@dataclass(slots=True)
class _Entry:
    label: str  # as written; "" for text lines no label introduced
    sep: str
    kind: str | None
    lines: list[str]


def _label_lines(text: str) -> Container | None:
    """A crawler's label-line records: ``title: …`` / ``标题：…`` lines, one record after
    another, separated by rules (-----) or by the next title label. Taken only when the
    first record starts with a title label and has another known label: a page with
    one ``作者：`` line is page text."""
    lines = text.splitlines()
    if not _looks_like_label_lines(lines):
        return None
    records: list[Record] = []
    removed: list[tuple[str, str]] = []
    entries: list[_Entry] = []
    content = False  # after a bare 内容： every line is text until the next record

    def close() -> None:
        nonlocal content
        if entries:
            record, taken = _label_record(entries)
            removed.extend(taken)
            if record is not None:
                records.append(record)
        entries.clear()
        content = False

    for line in lines:
        if _SEPARATOR.match(line):
            close()
            removed.append((LABELS, line.strip()))
            continue
        match = _LABEL.match(line)
        kind = _label_kind(match.group("label")) if match else None
        if match and kind is None and not content and entries and _UNKNOWN_LABEL.match(match.group("label")):
            kind = "meta"  # another field of the crawl (``tags:``, ``source_url:``)
        if match and kind is not None and (not content or kind == "title"):
            if kind == "title" and any(e.kind == "title" for e in entries):
                close()
            elif content:
                close()
            value = match.group("value")
            entries.append(_Entry(match.group("label"), match.group("sep"), kind, [value] if value else []))
            content = kind == "text" and not value
            continue
        if not line.strip():
            if content:
                _text_entry(entries).lines.append("")
            continue
        _text_entry(entries).lines.append(line)
    close()
    if not records:
        return None
    return Container(format=LABELS, records=tuple(records), removed=tuple(removed))


def _looks_like_label_lines(lines: Sequence[str]) -> bool:
    """The first record starts with a title label and holds another known label."""
    kinds: set[str] = set()
    for line in lines:
        if not line.strip() or (not kinds and _SEPARATOR.match(line)):
            continue
        if kinds and _SEPARATOR.match(line):
            break
        match = _LABEL.match(line)
        kind = _label_kind(match.group("label")) if match else None
        if not kinds:
            if kind != "title":
                return False
        elif kind == "title":
            break
        if kind is not None:
            kinds.add(kind)
        if kind == "text" and match is not None and not match.group("value"):
            break  # the text follows: nothing more to learn from this record
    return len(kinds) >= 2


def _text_entry(entries: list[_Entry]) -> _Entry:
    """Where an unlabelled line goes: the record's last text field, or a new one."""
    for entry in reversed(entries):
        if entry.kind == "text":
            return entry
    entry = _Entry("", "", "text", [])
    entries.append(entry)
    return entry


def _label_record(entries: Sequence[_Entry]) -> tuple[Record | None, list[tuple[str, str]]]:
    """A record from its label lines. The label words are text of the file: a metadata
    field keeps its label as the meta name; a label whose value went to a slot (title,
    summary …) is kept in ``removed`` with the rule's name, as are empty labels."""
    draft = _Draft(LABELS)
    empty: list[_Entry] = []
    for entry in entries:
        value = "\n".join(entry.lines)
        if not value.strip():
            if entry.label:
                empty.append(entry)
            continue
        draft.add(entry.label, value)
    record = draft.finish()
    taken = list(draft.removed)
    if record is None:
        return None, taken + [(LABELS, _entry_text(e)) for e in entries]
    consumed = set(draft.labels)
    blank = {id(e) for e in empty}
    taken += [
        (LABELS, f"{e.label}{e.sep}") for e in entries if e.label and (e.label in consumed or id(e) in blank)
    ]
    return record, taken


def _entry_text(entry: _Entry) -> str:
    """A label line and its text as the file has them (for a record that is no article)."""
    value = "\n".join(entry.lines)
    return f"{entry.label}{entry.sep} {value}".strip() if entry.label else value.strip()


# --- markup: recognising HTML, RSS, Atom --------------------------------------------------

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_FIRST_TAG = re.compile(r"<(?![!?/])([A-Za-z][\w.:-]*)(?=[\s/>])[^<>]*>")  # a whole start tag
_DOCTYPE_HTML = re.compile(r"<!doctype\s+html", re.IGNORECASE)


def _markup(text: str) -> Container | None:
    """Markup by its root element: ``rss`` / ``rdf:RDF`` a feed, ``feed`` Atom, an HTML
    element (or an HTML doctype) a page; other XML is not a container we know."""
    head = _COMMENT.sub("", text[:4096])
    tag = _FIRST_TAG.search(head)
    name = tag.group(1).rsplit(":", 1)[-1].lower() if tag else ""
    if name in ("rss", "rdf"):
        return _feed(text, RSS)
    if name == "feed":
        return _feed(text, ATOM)
    # (and it closes an element: ``<script>。`` alone is text with a stray tag in it)
    if _DOCTYPE_HTML.search(head) or (name in _DOCUMENT_TAGS and "</" in text):
        return _html(text)
    return None  # (a page that opens with inline markup, <b>…</b>, is text that has some)


def _lxml(module: str) -> Any:
    """An lxml module, imported on first use (lxml is untyped: its objects are Any)."""
    return importlib.import_module(module)


def _local(node: Any) -> str:
    """An element's tag without namespace, lower-cased; "" for comments and entities."""
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


# --- the markup walker --------------------------------------------------------------------

# An HTML dump opens with a document's or a block's element; a text that opens with an
# inline one (<b>, <span>, <a>) is page text with some markup in it, not a web page.
_DOCUMENT_TAGS = frozenset(
    """html head body meta title link style script base div article section main header
    table p h1 h2 h3 h4 h5 h6 ul ol dl figure blockquote""".split()
)
_BLOCKS = frozenset(
    """p div li ul ol dl dt dd blockquote pre section article header aside main figure
    figcaption table thead tbody tfoot tr td th caption address hr form fieldset details
    summary center body html""".split()
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_DROPPED = frozenset({"script", "style", "nav", "footer", "noscript", "template", "head"})
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # HTML's whitespace: U+3000 and NBSP are text


@dataclass(slots=True)
class _Block:
    """A heading (``level`` 1–6) or a paragraph (``level`` 0) of markup, with the article
    element it lies in (``owner``, an index; None outside any) and a heading's link. The
    walk of a web page (``_Walk(rich=True)``) also gives photos (``level`` ``_PHOTO``, no
    text) and says where each block lies."""

    level: int
    text: str
    owner: int | None = None
    href: str | None = None
    node: Any = None  # (rich) the innermost block element it lies in; a photo's <img>
    anchor: Any = None  # (rich) the link (<a>) holding most of its letters
    linked: float = 0.0  # (rich) the share of its letters inside that link
    in_links: float = 0.0  # (rich) the share of its letters inside any link
    caption: Any = None  # (rich) the caption element it lies in (figcaption, class caption)
    hidden: Any = None  # (rich) the hidden element (display:none) it lies in


_PHOTO = -1  # a _Block's level for a photo


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


_LINE_BREAK_RUN = re.compile(r"[ \t]*[\r\n][\s]*")


def _tidy(text: str) -> str:
    """A feed's one-line value: line breaks (the XML's indentation) become one space;
    runs of spaces are the text's own (a headline's gap between its two parts)."""
    return _LINE_BREAK_RUN.sub(" ", text).strip()


_TOKEN_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _tokens(node: Any) -> frozenset[str]:
    """The words of an element's class and id, lower-cased (``topNavCTN`` → top, nav,
    ctn; ``caption-p`` → caption, p): what a page's own names say an element is."""
    raw = f"{node.get('class') or ''} {node.get('id') or ''}"
    if not raw.strip():
        return frozenset()
    return frozenset(t.lower() for t in _TOKEN_SPLIT.split(raw) if t)


def _is_hidden(node: Any) -> bool:
    return node.get("hidden") is not None or bool(_HIDDEN_STYLE.search(node.get("style") or ""))


def _is_caption(node: Any, local: str) -> bool:
    return local == "figcaption" or "caption" in _tokens(node)


_NOT_PHOTO = re.compile(r"logo|icon|button|btn|spacer|pixel|blank|arrow|qrcode|sprite|avatar", re.IGNORECASE)


def _is_photo(img: Any) -> bool:
    """An <img> that is a picture of the page's, not its furniture: a raster image (GIF
    and SVG are the site's bullets, buttons and logos) neither named nor sized like an
    icon."""
    src = img.get("src") or img.get("data-src") or img.get("data-original") or ""
    path = src.split("?", 1)[0].strip().lower()
    if not path or path.endswith((".gif", ".svg", ".ico")) or _NOT_PHOTO.search(path.rsplit("/", 1)[-1]):
        return False
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 60:
            return False
    return True


class _Walk:
    """Turns an element tree into headings and paragraphs, in document order: block
    elements and ``<br>`` end a paragraph; whitespace collapses (U+3000 does not);
    scripts, styles, navigation, footers and comments go to ``removed``.

    ``rich`` (a web page): photos are blocks too, each block knows the element it lies
    in, its link, and whether it is a caption or hidden (a caption's or a hidden
    element's text is a block of its own); a ``<br>`` inside a link or a hidden element
    is a space (a headline broken over two lines is one link)."""

    def __init__(self, rule: str, owners: dict[Any, int] | None = None, *, rich: bool = False) -> None:
        self.rule = rule
        self.owners = owners or {}
        self.rich = rich
        self.blocks: list[_Block] = []
        self.removed: list[tuple[str, str]] = []
        self._buffer: list[str] = []
        self._where: list[Any] = []  # (rich) the link each piece of the buffer lies in
        self._owner: list[int | None] = [None]
        self._heading: Any = None
        self._pre = 0
        self._comment = _lxml("lxml.etree").Comment
        self._open: list[Any] = []  # (rich) open block elements
        self._anchors: list[Any] = []  # (rich) open links
        self._hidden: list[Any] = []  # (rich) open hidden elements
        self._captions: list[Any] = []  # (rich) open caption elements

    def run(self, root: Any) -> list[_Block]:
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            node, closing = stack.pop()
            if closing:
                self._end(node)
                if self.rich:
                    self._leave(node)
                if node is not root:
                    self._text(node.tail)
                continue
            local = _local(node)
            if not local or local in _DROPPED:
                self._drop(node, local)
                if node is not root:
                    self._text(node.tail)
                continue
            if self.rich:
                self._enter(node, local)
            self._start(node, local)
            self._text(node.text)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node))
        self._flush()
        return self.blocks

    def _drop(self, node: Any, local: str) -> None:
        """Scaffolding out: its text kept in ``removed``; entities' names are markup."""
        if not local and node.tag is not self._comment:
            return  # an entity reference or a processing instruction: markup only
        text = node.text if not local else "".join(node.itertext())
        text = _collapse(text or "")
        if text:
            self.removed.append((self.rule, text))

    def _enter(self, node: Any, local: str) -> None:
        """(rich) Where the text that follows lies; a hidden or caption element's text is
        a block of its own; a photo is a block."""
        hidden = _is_hidden(node)
        caption = _is_caption(node, local)
        if hidden or caption:
            self._flush()
        if local == "img" and self._heading is None and _is_photo(node):
            self._flush()
            self.blocks.append(
                _Block(
                    _PHOTO,
                    "",
                    self._owner[-1],
                    node=node,
                    anchor=self._anchors[-1] if self._anchors else None,
                    hidden=self._hidden[-1] if self._hidden else None,
                )
            )
        if local == "a":
            self._anchors.append(node)
        if hidden:
            self._hidden.append(node)
        if caption:
            self._captions.append(node)
        if local in _BLOCKS or local in _HEADINGS:
            self._open.append(node)

    def _leave(self, node: Any) -> None:
        for stack in (self._anchors, self._hidden, self._captions, self._open):
            if stack and stack[-1] is node:
                if stack is self._hidden or stack is self._captions:
                    self._flush()
                stack.pop()

    def _start(self, node: Any, local: str) -> None:
        if node in self.owners:
            self._flush()
            self._owner.append(self.owners[node])
        if self._heading is not None:
            if local == "br" or local in _BLOCKS:
                self._put(" ")
            return
        if local in _HEADINGS:
            self._flush()
            self._heading = node
        elif local == "br" and self.rich and (self._anchors or self._hidden):
            self._put(" ")
        elif local in _BLOCKS or local == "br":
            self._flush()
        if local == "pre":
            self._pre += 1

    def _end(self, node: Any) -> None:
        local = _local(node)
        if node is self._heading:
            text = _collapse("".join(self._buffer))
            self._heading = None
            if text:
                self.blocks.append(self._block(_HEADINGS[local], text, node))
            self._buffer.clear()
            self._where.clear()
        elif self._heading is None and local in _BLOCKS:
            self._flush()
        if local == "pre" and self._pre:
            self._pre -= 1
        if node in self.owners:
            self._flush()
            self._owner.pop()

    def _put(self, text: str) -> None:
        self._buffer.append(text)
        if self.rich:
            self._where.append(self._anchors[-1] if self._anchors else None)

    def _text(self, text: str | None) -> None:
        if not text:
            return
        if self._pre and self._heading is None:
            lines = _NEWLINES.split(text)
            for n, line in enumerate(lines):
                if n:
                    self._flush()
                self._put(line)
        else:
            self._put(text)

    def _flush(self) -> None:
        if self._heading is not None:
            return
        text = _collapse("".join(self._buffer))
        if text:
            self.blocks.append(self._block(0, text, self._open[-1] if self._open else None))
        self._buffer.clear()
        self._where.clear()

    def _block(self, level: int, text: str, node: Any) -> _Block:
        href = _href(node) if level and node is not None and _local(node) in _HEADINGS else None
        block = _Block(level, text, self._owner[-1], href)
        if not self.rich:
            return block
        block.node = node
        block.hidden = self._hidden[-1] if self._hidden else None
        block.caption = self._captions[-1] if self._captions else None
        letters: dict[Any, int] = {}
        total = 0
        wordy = any(c.isalnum() for c in text)  # (a line of bullets and marks: count those)
        for piece, anchor in zip(self._buffer, self._where, strict=True):
            n = sum(1 for c in piece if (c.isalnum() if wordy else not c.isspace()))
            total += n
            if anchor is not None:
                letters[anchor] = letters.get(anchor, 0) + n
        if total and letters:
            block.anchor = max(letters, key=letters.__getitem__)
            block.linked = letters[block.anchor] / total
            block.in_links = sum(letters.values()) / total
        return block


def _href(heading: Any) -> str | None:
    for node in heading.iter():
        if _local(node) == "a" and node.get("href"):
            return str(node.get("href")).strip()
    return None


def _html_parser() -> Any:
    lhtml = _lxml("lxml.html")
    return lhtml.HTMLParser(encoding="utf-8", remove_comments=False, no_network=True)


def _html_fragment(text: str, removed: list[tuple[str, str]], rule: str) -> list[str] | None:
    """Paragraphs of HTML inside a value (an RSS description, a JSON body): every
    heading and paragraph, in order; None when it does not parse."""
    lhtml = _lxml("lxml.html")
    try:
        root = lhtml.document_fromstring(
            ("<html><body><div>" + text + "</div></body></html>").encode("utf-8", "replace"),
            parser=_html_parser(),
        )
    except (ValueError, _lxml("lxml.etree").LxmlError):
        return None
    body = root.find("body")
    walk = _Walk(rule)
    blocks = walk.run(body if body is not None else root)
    removed.extend(walk.removed)
    return [b.text for b in blocks]


def _inline_text(text: str) -> str:
    """A one-line value that may hold markup (a feed title): its text, whitespace
    collapsed."""
    if _HTMLISH.search(text):
        found = _html_fragment(text, [], HTML)
        if found is not None:
            return " ".join(found)
    return _collapse(text)


# --- HTML pages -----------------------------------------------------------------------------

_ARTICLE_CLASS = re.compile(r"article|news|item|story|post", re.IGNORECASE)
_LABEL_URL = re.compile(
    r"^(?P<label>[^\s:：][^:：]{0,30}?)\s*[:：]\s*(?P<url>(?:https?|ftp)://\S+|www\.\S+)$"
)


def _html(text: str) -> Container | None:
    """An HTML page: its chrome out, then read as a web page (an article page, or a page
    of headline links: ``_web_page``), else by its article elements (``<article>``,
    ``div.article`` …) or, failing those, its headings with the paragraphs under them,
    one record each."""
    lhtml = _lxml("lxml.html")
    etree = _lxml("lxml.etree")
    try:
        root = lhtml.document_fromstring(text.encode("utf-8", "replace"), parser=_html_parser())
    except (ValueError, etree.LxmlError):
        return None
    if root is None:
        return None
    removed: list[tuple[str, str]] = []
    furniture: list[str] = []
    title = _head_title(root, removed, furniture)
    body = root.find("body")
    if body is None:
        body = root
    tabs = _grab_tabs(body)
    _strip_chrome(body, removed)
    articles = _article_elements(body)
    page = _web_page(body, title, tabs, lists=len(articles) < 2)
    if page is not None:
        return dataclasses.replace(
            page, furniture=(*furniture, *page.furniture), removed=(*removed, *page.removed)
        )
    walk = _Walk(HTML, {el: i for i, el in enumerate(articles)})
    blocks = walk.run(body)
    removed.extend(walk.removed)
    if articles:
        records, outside = _records_by_element(blocks)
    else:
        records, outside = _records_by_heading(blocks)
    if title is None and outside and outside[0].level == 1:
        title = outside.pop(0).text
    furniture.extend(b.text for b in outside)
    return Container(
        format=HTML,
        records=tuple(records),
        title=title,
        furniture=tuple(furniture),
        removed=tuple(removed),
    )


def _head_title(root: Any, removed: list[tuple[str, str]], furniture: list[str]) -> str | None:
    """The ``<title>``; the head's other text (a style sheet, a script) is removed."""
    head = root.find("head")
    if head is None:
        return None
    title: str | None = None
    for node in head:
        local = _local(node)
        text = _collapse("".join(node.itertext())) if local else ""
        if local == "title" and title is None:
            title = text or None
        elif local in ("style", "script", "noscript", "template") or not local:
            walk = _Walk(HTML)
            walk.run(node)
            removed.extend(walk.removed)
        elif text:
            furniture.append(text)
    return title


def _article_elements(body: Any) -> list[Any]:
    """``<article>`` and div/section/li elements with an article-like class that hold a
    heading; of nested ones, the innermost (a list's wrapper is not the article)."""
    found = []
    for node in body.iter():
        local = _local(node)
        if local == "article" or (
            local in ("div", "section", "li") and _ARTICLE_CLASS.search(node.get("class") or "")
        ):
            if any(_local(n) in ("h1", "h2", "h3", "h4") for n in node.iter()):
                found.append(node)
    chosen = set(found)
    outer = {a for node in found for a in node.iterancestors() if a in chosen}
    return [node for node in found if node not in outer]


def _records_by_element(blocks: Sequence[_Block]) -> tuple[list[Record], list[_Block]]:
    """Records from the article elements' blocks; a heading between the elements that
    ranks above their titles (``<h2>01版：要闻</h2>``) is the section of those under it.
    The rest outside the elements (a first ``<h1>``, an empty section) is returned, in
    page order, for the page's title and furniture."""
    records: list[Record] = []
    outside: list[tuple[int, _Block]] = []
    section: tuple[int, _Block] | None = None
    section_used = False
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.owner is None:
            if block.level and not (i == 0 and block.level == 1):  # a first h1: the page's title
                if section is not None and not section_used:
                    outside.append(section)
                section, section_used = (i, block), False
            else:
                outside.append((i, block))
            i += 1
            continue
        j = i
        while j < len(blocks) and blocks[j].owner == block.owner:
            j += 1
        group = blocks[i:j]
        top = min((b.level for b in group if 1 <= b.level <= 4), default=0)
        above = section[1] if section is not None and top and section[1].level < top else None
        section_used = section_used or above is not None
        for part in _split(group, top):
            records.append(_html_record(part, above.text if above else None))
        i = j
    if section is not None and not section_used:
        outside.append(section)
    outside.sort(key=lambda pair: pair[0])
    return records, [b for _, b in outside]


def _split(group: Sequence[_Block], level: int) -> list[list[_Block]]:
    """A group of blocks cut before each heading of ``level`` or above (an article
    element that is a list of articles gives several records)."""
    parts: list[list[_Block]] = []
    for block in group:
        heads = level and 1 <= block.level <= level
        if not parts or (heads and any(1 <= b.level <= level for b in parts[-1])):
            parts.append([])
        parts[-1].append(block)
    return parts


def _html_record(blocks: Sequence[_Block], section: str | None) -> Record:
    """One record: its first heading is the title (its link kept as ``link``); a
    paragraph that is only a label and a URL (``PDF链接：https://…``) is metadata under
    the label; every other block is a paragraph."""
    title: str | None = None
    paragraphs: list[str] = []
    meta: list[tuple[str, str]] = []
    for block in blocks:
        if block.level and title is None and block.level <= 4:
            title = block.text
            if block.href:
                meta.append(("link", block.href))
            continue
        labelled = _LABEL_URL.match(block.text)
        if labelled:
            meta.append((labelled.group("label").strip(), labelled.group("url")))
        else:
            paragraphs.append(block.text)
    return Record(title=title, paragraphs=tuple(paragraphs), section=section, meta=tuple(meta))


def _records_by_heading(blocks: Sequence[_Block]) -> tuple[list[Record], list[_Block]]:
    """A page of headings and paragraphs: the heading level that repeats most (h2–h4)
    is the articles'; a heading above it is the section of the records under it; a
    first ``<h1>`` is the page's title; text before the first article is furniture."""
    level = _article_level(blocks)
    outside: list[_Block] = []
    records: list[Record] = []
    if level == 0:
        rest = list(blocks)
        if rest and rest[0].level == 1:
            outside.append(rest.pop(0))  # the page's title
        if rest:
            records.append(Record(title=None, paragraphs=tuple(b.text for b in rest)))
        return records, outside
    section: _Block | None = None
    section_used = False
    current: list[_Block] | None = None
    current_section: str | None = None

    def close() -> None:
        if current is not None:
            records.append(_html_record(current, current_section))

    for n, block in enumerate(blocks):
        if 1 <= block.level < level:
            close()
            current = None
            if section is not None and not section_used:
                outside.append(section)
            if n == 0 and block.level == 1:
                outside.append(block)  # the page's title
                section, section_used = None, True
            else:
                section, section_used = block, False
        elif block.level == level:
            close()
            current = [block]
            current_section = section.text if section is not None else None
            section_used = section_used or section is not None
        elif current is not None:
            current.append(block)
        else:
            outside.append(block)
    close()
    if section is not None and not section_used:
        outside.append(section)
    return records, outside


def _article_level(blocks: Sequence[_Block]) -> int:
    """The heading level of the articles: the h2–h4 level that repeats most (on a tie,
    the deeper one when the higher headings hold no paragraphs of their own); ``<h1>``
    when the page has no other heading and an h1 heads paragraphs; 0 for none."""
    counts = {lv: sum(1 for b in blocks if b.level == lv) for lv in (2, 3, 4)}
    best = max(counts.values())
    if best == 0:
        first = next((n for n, b in enumerate(blocks) if b.level == 1), None)
        return 1 if first is not None and any(b.level == 0 for b in blocks[first + 1 :]) else 0
    tied = [lv for lv in (2, 3, 4) if counts[lv] == best]
    if len(tied) == 1:
        return tied[0]
    higher, deeper = tied[0], tied[-1]
    bare = all(
        n + 1 < len(blocks) and blocks[n + 1].level > 0 for n, b in enumerate(blocks) if b.level == higher
    )
    return deeper if bare else higher


# --- web pages ------------------------------------------------------------------------------
#
# A web page of a paper's site is read as a careful editor reads it: an article page is one
# record (its heading, the largest block of paragraphs under it, captions where the photos
# are, its byline and date); a section index or an e-paper page view is a list of headline
# links, each a record; navigation, menus, share and comment widgets, ads and footers are
# the site's, not the paper's. Structure decides (the main heading, the block of prose, the
# lists of links); class and id names are read only for generic words (nav, menu, caption,
# author, date …).

# Chrome: elements whose class or id says they are the site's navigation or widgets.
_CHROME = frozenset(
    """nav navbar navigation menu menus menubar submenu footer breadcrumb breadcrumbs crumb
    crumbs share sharing social comment comments toolbar ad ads advert adverts advertisement
    sponsor btn button""".split()
)
# Boxes beside the story (related stories, a sidebar): not its text; their teasers are
# records of their own.
_ASIDE = frozenset(("related", "sidebar", "recommend", "recommended"))
_FORM_TAGS = frozenset(("select", "button", "textarea", "datalist"))
_CONTENT_RUN = 60  # characters: a run of text this long is content, whatever the element's name
_PROSE_MIN = 60  # letters of running text (outside links) that make a page an article page
_INLINE = frozenset(
    """p span font b strong em i u center small big sub sup blockquote label cite q abbr time
    mark s strike ins del code tt nobr""".split()
)
_FIELD_WORDS = {
    "author": frozenset(("author", "authors", "byline", "writer", "reporter")),
    "date": frozenset(("date", "time", "pubdate", "datetime", "pubtime", "publish", "published")),
    "section": frozenset(("column", "category", "channel")),
}
_FIELD_MAX = 40  # characters: a byline, date or column label is short
_TITLE_PARTS = re.compile(r"\s+[-–—_|｜]{1,2}\s+|\s*[|｜]\s*")
_TITLE_PARTS_TIGHT = re.compile(r"[-_]")
_HOST_TAIL = re.compile(
    r"\s+(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|cn|hk|tw|mo|sg|my)\S*$", re.IGNORECASE
)
_SITE_WORD = re.compile(r"[报報网網]|daily|news|times|post|journal|herald|press", re.IGNORECASE)
# A headline list's entries that are the page list (01 要闻, 第001版：头版, A01 要聞)
# or the page's table of contents box (导读), not stories.
_PAGE_LABEL = re.compile(r"^(?:第\s*[A-Za-z]?\d{1,3}\s*[版面]|[A-Za-z]?\d{1,3}\s*版|[A-Za-z]?\d{1,3}\s+\S)")
_PAGE_NAME = re.compile(r"^(?:第\s*)?[A-Za-z]?\d{1,3}\s*版")  # a page's name: 01版：要闻
_TOC_LABELS = frozenset("导读 導讀 目录 目錄 本版导读 本版導讀".split())
# An e-paper page view's own page header: 第01版：要闻, 当前版：001版.
_PAGE_HEADER = re.compile(r"^(?:第\s*[A-Za-z]?\d{1,3}\s*版|(?:当前|當前)版)\s*[:：]")
_DECK_SEPARATOR = re.compile(r"~{3,}")  # a hidden deck's kicker~~~subtitle
_HEADLINE_LETTERS = 6  # a headline list's entries have this many letters on average
# A paywalled page's mark after the part of the story it shows: (節錄), （节选）.
_EXCERPT_MARK = re.compile(r"^[（(]\s*(?:節錄|节录|摘錄|摘录|節選|节选)\s*[）)]$")
_KICKER_MIN = 5  # letters: a kicker is a clause, a section label over a headline a word
_LIST_ITEMS = frozenset(("li", "dt", "dd", "tr"))  # an entry of a list, by its markup
_LEAD_MIN = 30  # letters: a teaser's lead under its headline is a sentence at least


def _grab_tabs(body: Any) -> dict[Any, str]:
    """Tabbed boxes: a link ``href="#x"`` with a short label names the panel ``id="x"``
    (the label is the section of the stories in the panel)."""
    ids: dict[str, Any] = {}
    for node in body.iter():
        if isinstance(node.tag, str) and node.get("id"):
            ids.setdefault(str(node.get("id")), node)
    labels: dict[Any, str] = {}
    for a in body.iter("a"):
        href = (a.get("href") or "").strip()
        target = ids.get(href[1:]) if href.startswith("#") and len(href) > 1 else None
        label = _collapse(a.text_content()) if target is not None else ""
        if label and len(label) <= 20:
            labels.setdefault(target, label)
    return labels


def _strip_chrome(body: Any, removed: list[tuple[str, str]]) -> None:
    """Rule container-html: navigation, menus, breadcrumbs, share and comment widgets, ads
    and footers (by the words of their class or id) and form controls are taken out, their
    text kept in ``removed``; an element that holds the page's heading (h1) or a run of
    text (a story's lead in a box) is content, whatever its name."""
    doomed: list[Any] = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        local = _local(node)
        if not local or local in _DROPPED:
            continue
        if local in _FORM_TAGS or (_tokens(node) & _CHROME and not _holds_content(node)):
            doomed.append(node)
            continue
        stack.extend(reversed(node))
    for node in doomed:
        walk = _Walk(HTML)
        walk.run(node)
        removed.extend(walk.removed)
        removed.extend((HTML, b.text) for b in walk.blocks)
        node.drop_tree()


def _holds_content(node: Any) -> bool:
    for el in node.iter():
        local = _local(el)
        if local == "h1":
            return True
        text = el.text if local and local not in _DROPPED else None
        tail = el.tail if el is not node else None
        if any(t and len(_collapse(t)) >= _CONTENT_RUN for t in (text, tail)):
            return True
    return False


def _title_parts(title: str | None) -> list[str]:
    """A page title's parts: ``headline - site``, ``site-section``, ``a | b``."""
    if not title:
        return []
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(parts) < 2:
        parts = [p.strip() for p in _TITLE_PARTS_TIGHT.split(title) if p.strip()]
    return parts if len(parts) >= 2 else [title.strip()]


def _main_heading(body: Any, title: str | None) -> Any:
    """The page's own heading: the first h1 (else h2, h3) that says what the <title>
    says (the whole title or a part of it); else the page's only h1."""
    wanted = {_significant(p) for p in [title or "", *_title_parts(title)]} - {""}
    heads = [
        n
        for n in body.iter("h1", "h2", "h3")
        if _significant(n.text_content())
        and not any(_local(a) in _DROPPED or _is_hidden(a) for a in (n, *n.iterancestors()))
    ]
    for level in ("h1", "h2", "h3"):
        for node in heads:
            if node.tag == level and _significant(node.text_content()) in wanted:
                return node
    h1s = [n for n in heads if n.tag == "h1"]
    if len(h1s) == 1:
        return h1s[0]
    # Several h1 (a logo's, a section's) or none: the last one before the page's largest
    # block of running text.
    container = _prose_container(body, None)
    if container is None:
        return None
    level = "h1" if h1s else "h2"
    before: Any = None
    for el in body.iter():
        if el is container:
            break
        if el.tag == level and el in heads:
            before = el
    if before is None:
        inside = [n for n in container.iter(level) if n in heads]
        before = inside[0] if inside else None
    if before is None or _common_ancestor(before, container) is body:
        return None  # no heading of its own near the text
    return before


def _prose_container(body: Any, heading: Any) -> Any:
    """The element that holds the most running text after the heading (anywhere, for
    None): text outside links, headings, captions and hidden elements, counted where it
    lies (a paragraph's text counts for the element the paragraph is in). None when
    there is too little."""
    order: dict[Any, int] = {}
    for n, el in enumerate(body.iter()):
        order[el] = n
    last: dict[Any, int] = {}
    for el in reversed(list(order)):
        last[el] = max([order[el], *(last[c] for c in el)])
    out: set[Any] = set()
    for el in order:
        local = _local(el)
        if el not in out and (
            local in ("a", "aside", *_HEADINGS, *_DROPPED, *_FORM_TAGS)
            or (local and (_is_hidden(el) or _is_caption(el, local) or _tokens(el) & (_CHROME | _ASIDE)))
        ):
            out.update(el.iter())
    start, end = (order[heading], last[heading]) if heading is not None else (-1, -1)
    scores: dict[Any, int] = {}

    def count(where: Any, text: str | None) -> None:
        if not text or where in out:
            return
        letters = len(_significant(text))
        if letters:
            while _local(where) in _INLINE and where.getparent() is not None:
                where = where.getparent()
            scores[where] = scores.get(where, 0) + letters

    for el, n in order.items():
        if n > end and _local(el):
            count(el, el.text)
        if last[el] >= start and el is not body and el.getparent() is not None:
            count(el.getparent(), el.tail)
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _PROSE_MIN else None


def _closer_h1(body: Any, heading: Any, container: Any) -> Any:
    """The last h1 between the heading and the text under it, when there is one."""
    closer = None
    started = False
    for el in body.iter():
        if el is container:
            break
        if el is heading:
            started = True
        elif (
            started
            and el.tag == "h1"
            and _significant(el.text_content())
            and not _within(heading, el)
            and not any(a.get("href") for a in el.iter("a"))
        ):
            closer = el
    return closer


def _common_ancestor(a: Any, b: Any) -> Any:
    mine = {a, *a.iterancestors()}
    node = b
    while node is not None and node not in mine:
        node = node.getparent()
    return node if node is not None else a


def _digest(region: Any, heading: Any) -> bool:
    """A page of several stories under the heading, not one: the headings below it link
    to stories, or name pages (01版：要闻)."""
    after = False
    linked = 0
    for node in region.iter("h2", "h3", "h4", "h5", "h6", "h1"):
        if node is heading:
            after = True
            continue
        if not after:
            continue
        text = _collapse(node.text_content())
        if _PAGE_NAME.match(text):
            return True
        if any(a.get("href") for a in node.iter("a")):
            linked += 1
    return linked >= 2


def _take_fields(region: Any, heading: Any, container: Any) -> dict[str, str]:
    """Byline, date and column label of the article: the first short element of each kind
    in the article's part of the page (by a generic class or id word: author, byline,
    date, time, column, category), taken out of its text."""
    protected = {heading, container, *heading.iterancestors(), *container.iterancestors()}
    heading_part = set(heading.iter())
    found: dict[str, tuple[Any, str]] = {}
    for el in region.iter():
        local = _local(el)
        if not local or el in protected or el in heading_part or local in _DROPPED:
            continue
        words = _tokens(el) | ({"time"} if local == "time" else set())
        for kind, names in _FIELD_WORDS.items():
            if kind in found or not words & names:
                continue
            if any(d is not el and _local(d) and _tokens(d) & names for d in el.iter()):
                continue  # the innermost one is the field
            text = _collapse(" ".join(el.itertext()))
            if 0 < len(text) <= _FIELD_MAX:
                found[kind] = (el, text)
    for el, _ in found.values():
        el.drop_tree()
    return {kind: text for kind, (_, text) in found.items()}


def _block_href(block: _Block) -> str | None:
    """The address a block links to, when it is a link (a photo in a link, a line that is
    its link's text); page-internal and script links are no address."""
    if block.anchor is None or (block.level != _PHOTO and block.linked < 0.8):
        return None
    href = str(block.anchor.get("href") or "").strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript:"):
        return None
    return href


def _teasers(blocks: Sequence[_Block]) -> list[tuple[int, int]]:
    """Story teasers: a run of blocks that link to the same story, a headline and a lead
    under it (and maybe its photo). A headline that is only a link is no teaser."""
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(blocks):
        href = _block_href(blocks[i]) if blocks[i].hidden is None else None
        if href is None:
            i += 1
            continue
        j = i + 1
        while j < len(blocks) and blocks[j].hidden is None and _block_href(blocks[j]) == href:
            j += 1
        texts = [b for b in blocks[i:j] if b.level != _PHOTO]
        if (
            len(texts) >= 2
            and len(_significant(texts[0].text)) <= 80
            and any(len(_significant(b.text)) >= _LEAD_MIN for b in texts[1:])
        ):
            found.append((i, j))
        i = j
    return found


def _teaser_record(group: Sequence[_Block], section: str | None) -> Record:
    """A teaser: its first line the headline, the rest its text, its photos figures."""
    title: str | None = None
    paragraphs: list[str] = []
    figures: list[tuple[int, bool]] = []
    for block in group:
        if block.level == _PHOTO:
            figures.append((len(paragraphs), False))
        elif title is None:
            title = block.text
        else:
            paragraphs.append(block.text)
    href = _block_href(group[0])
    return Record(
        title=title,
        paragraphs=tuple(paragraphs),
        section=section,
        meta=(("link", href),) if href else (),
        figures=tuple(figures),
    )


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|webp|bmp|tiff?)(?:$|[?#])", re.IGNORECASE)


def _links_to_page(photo: _Block) -> bool:
    """A photo in a link to another page (a related story's thumbnail), not to the
    picture itself."""
    href = str(photo.anchor.get("href") or "").strip() if photo.anchor is not None else ""
    return bool(href) and not href.startswith(("#", "javascript:")) and not _IMAGE_FILE.search(href)


def _captioned(img: Any) -> bool:
    """Whether a photo has a caption element next to it (in its figure, its link or its
    box), looking no further up than an element that holds another photo."""
    node = img
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return False
        near = [el for el in node.iter() if el is not img and _local(el)]
        if any(_local(el) == "img" and _is_photo(el) for el in near):
            return False  # a box of several photos: each one's caption is its own
        if any(_is_caption(el, _local(el)) and _collapse(el.text_content()) for el in near):
            return True
    return False


def _article_record(
    blocks: Sequence[_Block],
    region: Any,
    heading: Any,
    fields: dict[str, str],
    skip: set[int],
    removed: list[tuple[str, str]],
) -> tuple[int, Record, set[int]]:
    """The article of an article page: the heading its title; after it, in the article's
    part of the page, every paragraph and subhead, each caption (a paragraph of its own,
    a figure where the photo is) and each photo without one; links (上一則, a related
    headline) and what precedes the heading (a section label, a toolbar) are not its."""
    found = next((n for n, b in enumerate(blocks) if b.level > 0 and b.node is heading), None)
    at = found if found is not None else 0  # (the heading always has its block: it has words)
    inside = set(region.iter())
    for node in list(inside):
        if _local(node) == "aside" or _tokens(node) & _ASIDE:
            inside.difference_update(node.iter())
    paragraphs: list[str] = []
    figures: list[tuple[int, bool]] = []
    taken = {at} if found is not None else set()
    caption: Any = None  # the caption element the last paragraph is
    for n, block in enumerate(blocks):
        if n in taken or n in skip or block.node not in inside or block.hidden is not None:
            continue
        if block.level == _PHOTO:
            if _links_to_page(block):
                continue
            if not _captioned(block.node):
                figures.append((len(paragraphs), False))
                taken.add(n)
            caption = None
            continue
        if n < at:
            continue
        if block.caption is not None:
            if caption is block.caption:
                paragraphs[-1] = f"{paragraphs[-1]} {block.text}"
            else:
                figures.append((len(paragraphs), True))
                paragraphs.append(block.text)
            caption = block.caption
            taken.add(n)
            continue
        caption = None
        if block.in_links >= 0.5:
            continue
        paragraphs.append(block.text)
        taken.add(n)
    meta: list[tuple[str, str]] = []
    above = _deck_above(heading)
    if above is not None:
        deck = next((k for k, b in enumerate(blocks) if b.level > 0 and b.node is above), None)
        if deck is not None and deck not in skip:
            meta.append(("kicker", blocks[deck].text))
            taken.add(deck)
    if paragraphs and _EXCERPT_MARK.match(paragraphs[-1]) and (len(paragraphs) - 1, True) not in figures:
        removed.append((HTML, paragraphs.pop()))  # a paywall's mark after the part it shows
        figures = [(min(i, len(paragraphs)), captioned) for i, captioned in figures]
    record = Record(
        title=blocks[at].text if found is not None else _collapse(heading.text_content()),
        paragraphs=tuple(paragraphs),
        author=fields.get("author"),
        date=fields.get("date"),
        section=fields.get("section"),
        meta=tuple(meta),
        figures=tuple(figures),
    )
    return at, record, taken


def _deck_above(heading: Any) -> Any:
    """The kicker printed over the headline: a heading element right before the main
    heading, its sibling with nothing between them (a headline stack ``<h3>引题</h3>
    <h1>标题</h1>``), no link, a line of words (a two-word section label over the
    headline is no kicker)."""
    before = heading.getprevious()
    while before is not None and not _local(before):  # (a comment between them)
        if before.tail and before.tail.strip():
            return None
        before = before.getprevious()
    if before is None or _local(before) not in _HEADINGS or _local(before) == "h1":
        return None
    if (before.tail and before.tail.strip()) or any(True for _ in before.iter("a")):
        return None
    letters = len(_significant(before.text_content()))
    return before if _KICKER_MIN <= letters <= 60 else None


def _text_with_breaks(node: Any) -> str:
    """An element's text with a space where a <br> breaks it (a two-line headline)."""

    def parts(el: Any) -> Iterator[str]:
        yield el.text or ""
        for child in el:
            local = _local(child)
            if local == "br":
                yield " "
            elif local and local not in _DROPPED:
                yield from parts(child)
            yield child.tail or ""

    return _collapse("".join(parts(node)))


def _within(node: Any, ancestor: Any) -> bool:
    return node is ancestor or any(a is ancestor for a in node.iterancestors())


def _headline_lists(
    blocks: Sequence[_Block], skip: set[int], seen: set[str], removed: list[tuple[str, str]]
) -> tuple[list[tuple[int, Record]], set[int], set[int]]:
    """Headline links: each entry of a list of headlines is a record (with its section: the
    heading over it, else the page's header; and its hidden kicker~~~subtitle deck). A
    list is the links whose items are siblings; a list of page labels (the issue's other
    pages), a list that repeats links already listed (a pop-up), and a table of contents
    entry (导读) are not stories. Returns the records, the blocks taken, and the blocks
    that are repeats (removed)."""
    entries = [
        n
        for n, b in enumerate(blocks)
        if n not in skip and b.level != _PHOTO and b.hidden is None and _block_href(b) is not None
    ]
    counts: dict[Any, int] = {}
    for n in entries:
        for node in (blocks[n].anchor, *blocks[n].anchor.iterancestors()):
            counts[node] = counts.get(node, 0) + 1
    lists: dict[Any, list[tuple[int, Any]]] = {}
    for n in entries:
        item = blocks[n].anchor
        while (
            _local(item) not in _LIST_ITEMS
            and item.getparent() is not None
            and counts.get(item.getparent(), 0) == 1
        ):
            item = item.getparent()
        lists.setdefault(item.getparent(), []).append((n, item))
    sections = _sections(blocks)
    records: list[tuple[int, Record]] = []
    taken: set[int] = set()
    repeats: set[int] = set()
    for members in sorted(lists.values(), key=lambda m: m[0][0]):
        titles = [_text_with_breaks(blocks[n].anchor) for n, _ in members]
        hrefs = [_block_href(blocks[n]) or "" for n, _ in members]
        if sum(1 for h in hrefs if h in seen) * 5 >= len(hrefs) * 4:
            repeats.update(n for n, _ in members)
            continue  # the list again (a pop-up, a menu of the same stories)
        letters = [len(_significant(t)) for t in titles]
        if sum(letters) < _HEADLINE_LETTERS * len(letters):
            continue  # short links: navigation (上一版, 首页)
        if len(members) == 1 and _local(members[0][1]) not in _LIST_ITEMS:
            continue  # a link alone, in no list
        if sum(1 for t in titles if _PAGE_LABEL.match(t)) * 5 >= len(titles) * 3:
            continue  # the page list
        for (n, item), title, href in zip(members, titles, hrefs, strict=True):
            seen.add(href)
            if _significant(title) in _TOC_LABELS:
                continue
            if _significant(title) != _significant(blocks[n].text):
                removed.append((HTML, blocks[n].text))  # (words beside the link: kept)
            meta: list[tuple[str, str]] = [("link", href)]
            deck = blocks[n + 1] if n + 1 < len(blocks) else None
            if (
                deck is not None
                and deck.hidden is not None
                and _within(deck.hidden, item)
                and _DECK_SEPARATOR.search(deck.text)
            ):
                kicker, subtitle = (p.strip() for p in _DECK_SEPARATOR.split(deck.text, maxsplit=1))
                meta += [(k, v) for k, v in (("kicker", kicker), ("subtitle", subtitle)) if v]
                removed.extend((HTML, sep) for sep in _DECK_SEPARATOR.findall(deck.text))
                taken.add(n + 1)
            records.append((n, Record(title=title, paragraphs=(), section=sections[n], meta=tuple(meta))))
            taken.add(n)
    return records, taken, repeats


def _sections(blocks: Sequence[_Block]) -> list[str | None]:
    """The section each block is under: the last heading before it that is no link, else
    the page's own header (第01版：要闻)."""
    out: list[str | None] = []
    heading: str | None = None
    page: str | None = None
    for block in blocks:
        if block.hidden is None and block.level != _PHOTO and block.in_links < 0.5:
            if block.level > 0:
                heading = block.text
            elif page is None and _PAGE_HEADER.match(block.text):
                page = block.text
        out.append(heading or page)
    return out


def _site_name(title: str | None, names: Iterable[str]) -> str | None:
    """The site or paper a page's <title> names besides the headline (``… - 東方日報``,
    ``海南日报数字报-头版``): the part that is no headline of the page, a paper's or
    site's name by its words (报, 網, daily …), without a trailing host name."""
    parts = _title_parts(title)
    if len(parts) < 2:
        return None
    known = {_significant(n) for n in names}
    rest = [p for p in parts if _significant(p) not in known]
    named = [p for p in rest if _SITE_WORD.search(_HOST_TAIL.sub("", p))]
    pick = named[-1] if named else (rest[-1] if rest and len(rest) < len(parts) else None)
    if pick is None:
        return None
    return _HOST_TAIL.sub("", pick).strip() or pick


def _web_page(body: Any, title: str | None, tabs: dict[Any, str], *, lists: bool) -> Container | None:
    """An article page (its main heading over a block of running text) or, with ``lists``,
    a page of headline links and teasers; None for a page that is neither (a digest of
    headings and paragraphs: read by its article elements or its headings)."""
    removed: list[tuple[str, str]] = []
    furniture: list[str] = []
    heading = _main_heading(body, title)
    region = container = None
    fields: dict[str, str] = {}
    if heading is not None:
        container = _prose_container(body, heading)
        closer = _closer_h1(body, heading, container) if container is not None else None
        if closer is not None:  # (the <title>'s words were a logo's or a section's h1)
            heading, container = closer, _prose_container(body, closer)
        if container is not None:
            region = _common_ancestor(heading, container)
            if _digest(region, heading):
                return None
            fields = _take_fields(region, heading, container)
    walk = _Walk(HTML, rich=True)
    blocks = walk.run(body)
    removed.extend(walk.removed)
    spans = _teasers(blocks)
    in_teaser = {n for i, j in spans for n in range(i, j)}
    sections = _sections(blocks) if region is None else [None] * len(blocks)
    items: list[tuple[int, Record]] = []
    for i, j in spans:
        label = next((tabs[a] for a in (blocks[i].node, *blocks[i].node.iterancestors()) if a in tabs), None)
        items.append((i, _teaser_record(blocks[i:j], label or sections[i])))
    used = set(in_teaser)
    repeats: set[int] = set()
    if region is not None:
        at, record, taken = _article_record(blocks, region, heading, fields, in_teaser, removed)
        items.append((at, record))
        used |= taken
    elif not lists:
        return None
    else:
        seen = {href for i, _ in spans if (href := _block_href(blocks[i])) is not None}
        listed, taken, repeats = _headline_lists(blocks, in_teaser, seen, removed)
        if not listed and not spans:
            return None
        prose = sum(
            len(_significant(b.text))
            for n, b in enumerate(blocks)
            if n not in in_teaser and b.level == 0 and b.hidden is None and b.in_links < 0.5
        )
        if prose > sum(len(_significant(r.title or "")) for _, r in listed):
            return None  # more running text than headlines: a digest, read by its headings
        items += listed
        used |= taken
    for n, block in enumerate(blocks):
        if n in used or block.level == _PHOTO:
            continue
        if block.hidden is not None or n in repeats:
            removed.append((HTML, block.text))
        else:
            furniture.append(block.text)
    items.sort(key=lambda pair: pair[0])
    records = tuple(record for _, record in items)
    names = [r.title for r in records if r.title]
    return Container(
        format=HTML,
        records=records,
        title=title,
        publication=_site_name(title, names),
        furniture=tuple(furniture),
        removed=tuple(removed),
    )


# --- RSS and Atom -----------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parse_xml(text: str) -> Any:
    """The feed's tree with a parser that fetches nothing and expands no entity (no
    DTD, no network: billion laughs and external entities stay unexpanded names);
    recover mode only when the strict parse fails (a feed cut short)."""
    etree = _lxml("lxml.etree")
    data = _XML_DECLARATION.sub("", text, count=1)  # the text is decoded: its encoding is moot
    for recover in (False, True):
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            dtd_validation=False,
            attribute_defaults=False,
            remove_blank_text=False,
            recover=recover,
        )
        try:
            root = etree.fromstring(data, parser)
        except (ValueError, etree.LxmlError):
            continue
        if root is not None:
            return root
    return None


def _feed(text: str, rule: str) -> Container | None:
    root = _parse_xml(text)
    if root is None:
        return None
    if rule == ATOM or _local(root) == "feed":
        return _atom(root)
    return _rss(root)


def _rss(root: Any) -> Container:
    """RSS 2.0 (``rss/channel/item``) and RSS 1.0 (``rdf:RDF`` with ``item`` beside the
    ``channel``): the channel's fields are the file's, each item a record."""
    channel = next((n for n in root if _local(n) == "channel"), None)
    items = [n for n in root.iter() if _local(n) == "item" and _parent_is_feed(n)]
    removed: list[tuple[str, str]] = []
    meta: list[tuple[str, str]] = []
    title = date = None
    for node in channel if channel is not None else ():
        local = _local(node)
        if local == "item":
            continue
        text = "" if _has_elements(node) else _plain(node).strip()
        if local == "title" and title is None and text:
            title = _tidy(text)
        elif local in ("pubdate", "lastbuilddate", "date") and date is None and text:
            date = text
            meta.append((node.tag.rsplit("}", 1)[-1], text))  # (its words kept, as the item dates are)
        else:
            meta.extend(_xml_fields(node, local))
    records = _feed_records(items, _rss_item, removed)
    return Container(
        format=RSS, records=records, title=title, date=date, removed=tuple(removed), meta=tuple(meta)
    )


def _feed_records(nodes: Iterable[Any], read: Callable[[Any], tuple[Record | None, list[tuple[str, str]]]],
                  removed: list[tuple[str, str]]) -> tuple[Record, ...]:
    """The records of a feed's items or entries (``read`` one), what each took out added
    to ``removed``."""
    records = []
    for node in nodes:
        record, taken = read(node)
        removed.extend(taken)
        if record is not None:
            records.append(record)
    return tuple(records)


def _plain(node: Any) -> str:
    """An element's character data: its text and its children's, entity references and
    comments left out (their names are markup) but the text after them kept."""
    parts = [node.text or ""]
    for child in node:
        if isinstance(child.tag, str):
            parts.append(_plain(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _has_elements(node: Any) -> bool:
    return any(isinstance(child.tag, str) for child in node)


def _parent_is_feed(item: Any) -> bool:
    parent = item.getparent()
    return parent is not None and _local(parent) in ("channel", "rdf", "rss")


def _xml_fields(node: Any, name: str) -> Iterator[tuple[str, str]]:
    """An element's text as (name, text) fields: nested elements as ``name.child``; an
    empty element's url/href/resource attribute as its value."""
    if not isinstance(node.tag, str):
        return
    if not _has_elements(node):
        text = _plain(node).strip()
        if text:
            yield name, text
            return
        for attr in ("url", "href", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"):
            if node.get(attr):
                yield name, str(node.get(attr))
                return
        return
    if (node.text or "").strip():
        yield name, node.text.strip()
    for child in node:
        if isinstance(child.tag, str):
            yield from _xml_fields(child, f"{name}.{_local(child)}")
        if child.tail and child.tail.strip():
            yield name, child.tail.strip()


_RSS_FIELDS = {
    "title": "title",
    "description": "text",
    "encoded": "text",
    "author": "author",
    "creator": "author",
    "pubdate": "date",
    "date": "date",
    "category": "section",
    "subject": "section",
    "source": "source",
}


def _rss_item(item: Any) -> tuple[Record | None, list[tuple[str, str]]]:
    """An item: title, description / content:encoded (HTML read into paragraphs), author
    or dc:creator, pubDate or dc:date, category; link, guid, comments, enclosure … meta."""
    draft = _Draft(RSS)
    for node in item:
        local = _local(node)
        kind = _RSS_FIELDS.get(local)
        name = "content:encoded" if local == "encoded" else local
        if not local:
            continue
        if kind == "text":
            _xml_text(draft, name, node, None)
        elif kind == "title" and not _has_elements(node):
            text = _plain(node)
            if draft.title is None and text.strip():
                draft.title = _inline_text(text) if _HTMLISH.search(text) else _tidy(text)
            elif text.strip():
                draft.meta.append((name, text))
        elif kind is not None and not _has_elements(node) and _plain(node).strip():
            draft.put(name, kind, _tidy(_plain(node)))
        elif local in ("group", "content") and _is_media(node):
            _media_photo(draft, node, name)
        else:
            draft.meta.extend(_xml_fields(node, name))
    record = draft.finish()
    if record is None:
        return None, draft.removed + _leftover(RSS, (kv for n in item for kv in _xml_fields(n, _local(n))))
    return record, draft.removed


_MEDIA_NS = "http://search.yahoo.com/mrss/"
_MEDIA_CAPTIONS = ("title", "description")  # Media RSS: the text shown with the picture


def _is_media(node: Any) -> bool:
    """A Media RSS picture: ``media:group`` holding an image ``media:content``, or such a
    ``media:content`` itself (an image by its ``medium`` or ``type``)."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if not tag.startswith("{" + _MEDIA_NS):
        return False
    contents = [node] if _local(node) == "content" else [c for c in node if _local(c) == "content"]
    return any(
        (c.get("medium") or "").lower() == "image" or (c.get("type") or "").lower().startswith("image/")
        for c in contents
    )


def _media_photo(draft: _Draft, node: Any, name: str) -> None:
    """Rule container-rss: a Media RSS picture is one photo of the item; its ``media:title``
    (else ``media:description``) is the caption, a paragraph of its own after the text;
    the picture's addresses and other fields stay metadata."""
    captions = {
        _local(c): _tidy(_plain(c))
        for c in node.iter()
        if _local(c) in _MEDIA_CAPTIONS and not _has_elements(c)
    }
    caption = next((captions[k] for k in _MEDIA_CAPTIONS if captions.get(k)), "")
    used = False
    for key, value in _xml_fields(node, name):
        if caption and not used and key.rsplit(".", 1)[-1] in _MEDIA_CAPTIONS and _tidy(value) == caption:
            used = True  # the caption is the record's text now
            continue
        draft.meta.append((key, value))
    draft.photos.append(caption)


def _xml_text(draft: _Draft, name: str, node: Any, kind: str | None) -> None:
    """A text element of a feed into the draft's texts: child elements (XHTML) are
    walked; a string is HTML when it has tags (``type="html"`` says so), else lines."""
    if _has_elements(node):
        walk = _Walk(draft.rule)
        blocks = walk.run(node)
        draft.removed.extend(walk.removed)
        paragraphs = [b.text for b in blocks]
        raw = "\n".join(paragraphs)
    else:
        raw = _plain(node)
        if kind == "html":
            paragraphs = _html_fragment(raw, draft.removed, draft.rule) or _paragraphs(raw)
        elif kind == "text":
            paragraphs = _paragraphs(raw)
        else:
            paragraphs = _text_paragraphs(raw, draft.removed, draft.rule)
    if paragraphs:
        draft.texts.append(_Text(name, paragraphs, False, raw))


def _atom(root: Any) -> Container:
    """An Atom feed: the feed's title and updated are the file's, each entry a record."""
    meta: list[tuple[str, str]] = []
    title = date = None
    for node in root:
        local = _local(node)
        if local == "entry" or not local:
            continue
        if local == "title" and title is None:
            title = _atom_inline(node) or None
        elif local == "updated" and date is None and _plain(node).strip():
            date = _plain(node).strip()
            meta.append((local, date))
        else:
            meta.extend(_atom_fields(node, local))
    removed: list[tuple[str, str]] = []
    records = _feed_records((n for n in root if _local(n) == "entry"), _atom_entry, removed)
    return Container(
        format=ATOM, records=records, title=title, date=date, removed=tuple(removed), meta=tuple(meta)
    )


def _atom_inline(node: Any) -> str:
    """An Atom text construct on one line (a title): XHTML walked, HTML unwrapped."""
    if _has_elements(node):
        return " ".join(b.text for b in _Walk(ATOM).run(node))
    text = _plain(node)
    if (node.get("type") or "").lower() == "html":
        return _inline_text(text)
    return _tidy(text)


def _atom_fields(node: Any, name: str) -> Iterator[tuple[str, str]]:
    """An Atom element as fields: links by their href (``link`` or ``link rel``), a
    category by its term, persons by their children."""
    if name == "link":
        rel = node.get("rel") or "alternate"
        href = node.get("href")
        if href:
            yield ("link" if rel == "alternate" else f"link {rel}"), str(href)
        return
    if name == "category":
        for attr in ("term", "label"):
            if node.get(attr):
                yield name, str(node.get(attr))
        return
    yield from _xml_fields(node, name)


def _atom_entry(entry: Any) -> tuple[Record | None, list[tuple[str, str]]]:
    """An entry: title, content or summary (text, html or xhtml), author name,
    published or updated, category term; link hrefs and the id are meta."""
    draft = _Draft(ATOM)
    for node in entry:
        local = _local(node)
        if not local:
            continue
        if local == "title" and draft.title is None:
            draft.title = _atom_inline(node) or None
        elif local in ("content", "summary"):
            if node.get("src"):
                draft.meta.append((local, str(node.get("src"))))
            typ = (node.get("type") or "text").lower()
            _xml_text(draft, local, node, "html" if typ in ("html", "text/html") else "text")
        elif local == "author":
            person = [c for c in node if _local(c) == "name"]
            if person and _plain(person[0]).strip():
                draft.put("author", "author", _tidy(_plain(person[0])))
            draft.meta.extend(
                kv for c in node if _local(c) != "name" for kv in _xml_fields(c, f"author.{_local(c)}")
            )
        elif local in ("published", "updated") and _plain(node).strip():
            draft.put(local, "date", _plain(node).strip())
        elif local == "category" and node.get("term"):
            draft.put("category", "section", str(node.get("term")))
            if node.get("label"):
                draft.meta.append(("category.label", str(node.get("label"))))
        else:
            draft.meta.extend(_atom_fields(node, local))
    record = draft.finish()
    if record is None:
        return None, draft.removed + _leftover(ATOM, (kv for n in entry for kv in _atom_fields(n, _local(n))))
    return record, draft.removed
