"""Full-text search in the web edition, without a server: a static index the browser reads.

Written into the web root (``SiteOptions.base_url``)::

    search.html                 the search page: a form, and the results ``styles/search.js``
                                finds (``search.html?q=…`` searches on opening)
    styles/search.js            the search itself (plain JavaScript, nothing fetched from
    styles/search.css           elsewhere) and its results' look
    search/index.json           the manifest: the shards, newest year first, and the folding table
    search/{YYYY}-{bb}.json     a year's postings, spread over ``buckets`` files (bb: two hex
                                digits); the undated issues' shard is ``undated``
    search/{YYYY}-t{k}.json     a year's articles, ``TABLE_ROWS`` to a file

Words: Chinese is written without spaces, and no word segmenter is needed: the index is of
character **bigrams**. Text is folded (``fold``: NFKC, then case folding; Traditional and
Simplified characters are left as they are) and cut into runs of letters and digits
(Unicode categories L and N, ``[^\\W_]``); each run ``c1 c2 … cn`` gives the keys ``c1c2``,
``c2c3`` … ``c(n-1)cn`` and, for its last character, the key ``cn`` alone, so that every
character of the text begins a key. A query is folded and cut into runs the same way
(``terms``); an article matches when it has every key of every term (a term of one
character: any key that begins with it). So ``北京大学`` finds the articles with 北京, 京大
and 大学, which nearly always say 北京大学; the page checks each result it shows against the
article's own page (which it reads for the snippet) and drops the few that have the
bigrams apart. What is indexed is what an article's page shows (``article_texts``): its
column, kicker, headline, subtitle, byline, dateline, paragraphs, subheads, captions,
notes and credits; the headline also on its own, for the ranking.

Shards: the articles of one year (by ``Issue.date``; newest issue first, as the site
orders them, then in page order) are numbered from 0. A shard's postings are spread over
``buckets`` files by the first character of each key (``bucket_of``; a power of two, about
one file per ``BUCKET_ARTICLES`` articles), so that a query reads of each year only the
files of its characters::

    {"北": {"京": "0A3b…", "": "…", "^京": "…"}, …}

first character -> second character ("": the key of the first alone) -> postings of the
articles that have the key; ``^`` before the second: of those whose headline has it. A
posting list is the sorted article numbers, each as its difference from the one before
(the first: from -1), in base 32 with the most significant digit first: a digit
``ALPHABET[32 + d]`` when more follow, ``ALPHABET[d]`` for the last (``encode_postings``).
The articles are listed in files of ``TABLE_ROWS``, article ``n`` in ``t{n // TABLE_ROWS}``
(``t``: no hex digit, so no bucket's name)::

    {"format": 1, "first": 0, "issues": [[issue id, issue title, "2025-11-10",
                                          [[article id, headline], …]], …]}

(an issue whose articles are in two files is in both, with its articles there; an article
id that begins with its issue's id and ``-`` is written without the issue's id,
``"-i3907edd3"``). The article's page is ``issues/{issue id}/{article id}.html``.

The manifest ``search/index.json`` is small: the format, ``TABLE_ROWS``, and for each shard,
newest year first (the undated last), its name, year, numbers of issues and articles,
buckets, and a version (``v``, ``YearPlan.version``: it changes with its issues and
headlines, for the browser's cache); and the folding table (``fold``: the characters that JavaScript's
``toLowerCase`` leaves as they are and case folding changes, which the page applies after
it, so that both sides fold alike).

Ranking (the page's, and ``SearchIndex.query``'s): the articles whose headline has every
key of the query first, then the others; within each, newer first (the shards' order).

Build: each issue's folded runs are made in the build's workers, with its other files, as
pieces (``issue_pieces``); the archive job of a year makes the keys (``_pair_codes``: each
pair of characters as a number) and puts its issues' postings together, which is most of
the work. Each year is one archive job
whose digest is its plan (its issues in order, with their page keys, titles and
articles), so a new page makes its own year's files again and no other's. The manifest
and the page are made from the issues' heads on every build that changes something.
Output is deterministic (no clock, sorted keys).
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
import sys
import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..model import Article, Figure, Issue, IssueHead, IssueLike
from .feed import SiteOptions, common_language, order_issues
from .html import byline_text, escape, headline
from .registry import ArchiveJob, Exporter, Settings, Validator

if TYPE_CHECKING:
    from ..validate import Check, ValidateOptions

__all__ = [
    "ALPHABET",
    "EXPORTER",
    "FOLDER",
    "MANIFEST",
    "PAGE",
    "Hit",
    "SearchExporter",
    "SearchIndex",
    "YearPlan",
    "article_texts",
    "bucket_of",
    "decode_postings",
    "encode_postings",
    "fold",
    "fold_table",
    "issue_pieces",
    "keys_of",
    "manifest",
    "search_check",
    "search_page",
    "terms",
    "year_files",
    "year_plans",
]

FORMAT = 1  # the index's format: the manifest and each file of a shard say it
FOLDER = "search"
MANIFEST = f"{FOLDER}/index.json"
PAGE = "search.html"
ASSETS = ("search.js", "search.css")  # shipped in pressout.styles, written to styles/
UNDATED = "undated"  # the shard of the issues without a date
BUCKET_ARTICLES = 64  # about this many articles' postings to a file (some 40 KB of Chinese text's)
MAX_BUCKETS = 256
TABLE_ROWS = 512  # articles to a file of a shard's table
TITLE = "^"  # before the second character of a key: the postings of the headlines
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_DIGIT = {c: n for n, c in enumerate(ALPHABET)}
_RUN = re.compile(r"[^\W_]+")  # a run of letters and digits (Unicode L and N)
_END = "\n"  # after each run in an issue's pieces (no letter or digit)
_HEADLINE = "\x1e"  # between an article's headline's runs and all its runs, in the pieces
_ARTICLE = "\x1f"  # between the articles of an issue's pieces


# --- words ----------------------------------------------------------------------------


def fold(text: str) -> str:
    """The text as the index compares it: NFKC, then case folding.

    (Chinese text is mostly characters NFKC keeps, but its full-width punctuation is not,
    and so nearly every text took the normaliser's slow way, a lookup for each character.
    The common ones are first replaced by what NFKC makes of them, one ``str.replace``
    each, which keeps what NFKC makes of the whole: the full decomposition of a string is
    its characters' decompositions, put in canonical order, and a character's is that of
    its NFKC form. What is left is then nearly always normalised already, which the quick
    check tells.)"""
    for wide, narrow in _WIDE:
        text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


# The characters of Chinese text that NFKC changes most often (the full-width punctuation,
# the ideographic space, the ellipsis), with what it makes of each.
_WIDE = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，（）；：！？…\u3000％／－＋．")


def terms(query: str) -> list[str]:
    """A query's terms: its runs of letters and digits, folded, each once, in order."""
    return list(dict.fromkeys(_RUN.findall(fold(query))))


def term_keys(term: str) -> list[str]:
    """The keys an article has when it has a term of two characters or more."""
    return list(dict.fromkeys(map(operator.add, term, term[1:])))


def keys_of(texts: Iterable[str]) -> set[str]:
    """The index's keys of some texts (each text on its own: no key spans two)."""
    return {key.rstrip(_END) for key in _keys(_runs(texts)) if key[0] != _END}


def _runs(texts: Iterable[str]) -> str:
    """The runs of letters and digits of some texts, folded, each once, each followed by
    ``_END``: what an issue's pieces keep of an article."""
    runs = _RUN.findall(fold(_END.join(texts)))
    return _END.join(dict.fromkeys(runs)) + _END if runs else ""


def _keys(runs: str) -> set[str]:
    """The keys of ``_runs``: each bigram, and each run's last character with ``_END`` (the
    key of that character alone); and between two runs, ``_END`` and the next one's first
    character, which is no key of the index (left out when a shard is written)."""
    return set(map(operator.add, runs, runs[1:]))


def article_texts(article: Article) -> list[str]:
    """What an article's page shows of it, as the index reads it (``html.render_article``)."""
    texts = [article.column, article.kicker, headline(article), article.subtitle]
    if article.byline and article.byline.contributors:
        texts.append(byline_text(article.byline))
    texts.append(article.dateline)
    for block in article.body:
        texts.append(block.text)
        if isinstance(block, Figure) and block.credit:
            texts.append(block.credit.text)
    texts += [credit.text for credit in article.closing]
    return [text for text in texts if text]


@cache
def fold_table() -> dict[str, str]:
    """The characters that NFKC keeps and lower-casing leaves as they are but case folding
    changes (ß, ς, Cherokee …), with what folding makes of them: the page applies it after
    NFKC and ``toLowerCase``, and so folds as ``fold`` does."""
    table: dict[str, str] = {}
    for start in range(0, 0x110000, 256):
        if 0xD800 <= start < 0xE000:  # surrogates
            continue
        block = "".join(map(chr, range(start, start + 256)))
        if block.casefold() == block.lower():
            continue  # (nearly every block: a look at its characters one by one is for the others)
        for char in block:
            folded = char.casefold()
            if folded != char and char.lower() == char and unicodedata.normalize("NFKC", char) == char:
                table[char] = folded
    return table


def bucket_of(char: str, buckets: int) -> int:
    """The file of a shard that holds the keys beginning with ``char`` (of ``buckets``, a
    power of two): the high bits of the code point times 2654435761, modulo 2**32."""
    return ((ord(char) * 2654435761) % 4294967296 * buckets) >> 32


def _number(value: int) -> str:
    """A number ≥ 0 in the postings' base 32."""
    digits = [ALPHABET[value % 32]]
    value //= 32
    while value:
        digits.append(ALPHABET[32 + value % 32])
        value //= 32
    return "".join(reversed(digits))


def encode_postings(numbers: Iterable[int]) -> str:
    """Sorted article numbers as a posting list (each as its difference from the one before)."""
    out = []
    previous = -1
    for number in numbers:
        if number <= previous:
            raise ValueError("postings must be sorted and distinct")
        out.append(_number(number - previous))
        previous = number
    return "".join(out)


def decode_postings(text: str) -> list[int]:
    """The article numbers of a posting list."""
    out: list[int] = []
    value, previous = 0, -1
    for char in text:
        digit = _DIGIT[char]
        if digit >= 32:
            value = value * 32 + digit - 32
        else:
            previous += value * 32 + digit
            out.append(previous)
            value = 0
    return out


# --- pieces: an issue's folded text, made in the workers ------------------------------------------


def issue_pieces(issue: Issue) -> bytes:
    """What a year's job needs of an issue: its articles' ids (a line of JSON), then for
    each article, in page order, its headline's runs and all its runs (``_runs``)."""
    head = json.dumps({"format": FORMAT, "ids": [a.id for a in issue.articles]}, ensure_ascii=False)
    body = _ARTICLE.join(_runs([headline(article)]) + _HEADLINE + _runs(article_texts(article))
                         for article in issue.articles)
    return f"{head}\n{body}".encode()


# --- the plan: one job a year, from the heads ------------------------------------------


IssueRow = tuple[str, str, str | None, tuple[tuple[str, str], ...]]  # id, title, date, ((article, headline), …)


@dataclass(frozen=True, slots=True)
class YearPlan:
    """A shard: the issues of one year (``year`` None: the undated), newest first, each
    with its articles, and ``keys``, their page keys (what their text was)."""

    name: str
    year: int | None
    buckets: int
    issues: tuple[IssueRow, ...]
    keys: tuple[str, ...] = ()

    @property
    def articles(self) -> int:
        return sum(len(row[3]) for row in self.issues)

    @property
    def tables(self) -> int:
        return max(1, -(-self.articles // TABLE_ROWS))

    @property
    def paths(self) -> tuple[str, ...]:
        """Its files: the buckets of postings, then the table's."""
        return (*(f"{FOLDER}/{self.name}-{n:02x}.json" for n in range(self.buckets)),
                *(f"{FOLDER}/{self.name}-t{k}.json" for k in range(self.tables)))

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr((FORMAT, TABLE_ROWS, self)).encode("utf-8")).hexdigest()

    @property
    def version(self) -> str:
        """The shard's version for the browser's cache: its digest without the page keys
        (which name the source's bytes: a build from the TEI archive must write the same
        index as the build from the pages); an edit of an article's text alone keeps it,
        and the browser revalidates such a file by its date as for any other."""
        plain = (FORMAT, TABLE_ROWS, self.name, self.year, self.buckets, self.issues)
        return hashlib.sha256(repr(plain).encode("utf-8")).hexdigest()[:12]


def _buckets(articles: int) -> int:
    buckets = 1
    while buckets * BUCKET_ARTICLES < articles and buckets < MAX_BUCKETS:
        buckets *= 2
    return buckets


def year_plans(issues: Sequence[IssueLike], options: SiteOptions | None = None) -> list[YearPlan]:
    """The shards of an archive, newest year first, the undated last."""
    options = options or SiteOptions()
    years: dict[int | None, list[IssueLike]] = {}
    for issue in order_issues(issues, tz=options.tz, time=options.time_of_day):
        years.setdefault(issue.date.year if issue.date is not None else None, []).append(issue)
    order = sorted((y for y in years if y is not None), reverse=True) + ([None] if None in years else [])
    plans = []
    for year in order:
        rows = tuple((i.id, i.title, i.date.isoformat() if i.date else None,
                      tuple((a.id, headline(a)) for a in i.articles)) for i in years[year])
        articles = sum(len(row[3]) for row in rows)
        plans.append(YearPlan(str(year) if year is not None else UNDATED, year, _buckets(articles), rows,
                              tuple(getattr(i, "key", "") for i in years[year])))
    return plans


_drain: Callable[[Iterable[Any]], object] = partial(deque, maxlen=0)  # runs an iterator out, keeping nothing


def year_files(plan: YearPlan, pieces: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """A shard's files (``plan.paths``) from its issues' pieces (issue id -> ``issue_pieces``)."""
    postings: defaultdict[int, list[int]] = defaultdict(list)
    titles: defaultdict[int, list[int]] = defaultdict(list)
    lists, title_lists = postings.__getitem__, titles.__getitem__
    number = 0
    for ident, _, _, articles in plan.issues:
        head, _, body = pieces[ident].decode("utf-8").partition("\n")
        ids = [a for a, _ in articles]
        known = json.loads(head)
        if known.get("format") != FORMAT or known.get("ids") != ids:
            raise OutputError(f"search: the pieces of issue {ident} are not those of its articles")
        for article in body.split(_ARTICLE) if ids else ():
            title, _, runs = article.partition(_HEADLINE)
            # the article's number appended to the list of each of its keys, a loop run by C:
            # it runs once for each key of each article of the year
            keys = _pair_codes(runs)
            _drain(map(list.append, map(lists, keys), repeat(number, len(keys))))
            keys = _pair_codes(title)
            _drain(map(list.append, map(title_lists, keys), repeat(number, len(keys))))
            number += 1
    codes = [_number(n) for n in range(number + 1)]  # every difference there can be
    files: list[dict[str, dict[str, str]]] = [{} for _ in range(plan.buckets)]
    where: dict[str, dict[str, str]] = {}
    end = ord(_END)
    for found, mark in ((postings, ""), (titles, TITLE)):
        for code, numbers in found.items():
            if code & 0xFFFFFFFF == end:
                continue
            first, second = chr(code & 0xFFFFFFFF), chr(code >> 32)
            inner = where.get(first)
            if inner is None:
                inner = where[first] = files[bucket_of(first, plan.buckets)][first] = {}
            inner[mark + ("" if second == _END else second)] = "".join(
                map(codes.__getitem__, map(operator.sub, numbers, [-1, *numbers[:-1]])))
    for path, data in zip(plan.paths[:plan.buckets], files, strict=True):
        yield path, _json(data)
    for k, path in enumerate(plan.paths[plan.buckets:]):
        yield path, _json({"format": FORMAT, "first": k * TABLE_ROWS,
                           "issues": _table(plan, k * TABLE_ROWS, (k + 1) * TABLE_ROWS)})


_LITTLE_ENDIAN = sys.byteorder == "little"


def _pair_codes(runs: str) -> set[int]:
    """``_keys(runs)``, each key (two characters) as one number, its first character's code
    point plus its second's times 2**32: what ``_keys`` makes, without a string for each
    character and each pair of characters (CPython keeps no one-character strings beyond
    Latin-1, so that each Chinese character it takes from a string is a new object). The
    text as UTF-32 (four bytes a character, little-endian) read eight bytes at a time from
    its first character and again from its second gives the numbers of every pair. (A
    big-endian machine reads the bytes the other way: it makes the numbers from ``_keys``.)"""
    if not _LITTLE_ENDIAN:
        return {ord(key[0]) | ord(key[1]) << 32 for key in _keys(runs)}
    data = memoryview(runs.encode("utf-32-le", "surrogatepass"))
    count = len(runs)
    codes = set(data[:count // 2 * 8].cast("Q"))
    codes.update(data[4:4 + (count - 1) // 2 * 8].cast("Q"))
    return codes


def _table(plan: YearPlan, start: int, end: int) -> list[list[Any]]:
    """The shard's articles numbered from ``start`` to before ``end``, by issue."""
    out: list[list[Any]] = []
    at = 0
    for ident, title, date, articles in plan.issues:
        if at + len(articles) > start and at < end:
            prefix = ident + "-"
            out.append([ident, title, date, [[a[len(ident):] if a.startswith(prefix) else a, h]
                                             for a, h in articles[max(0, start - at): end - at]]])
        at += len(articles)
        if at >= end:
            break
    return out


def _json(value: object) -> bytes:
    """Compact JSON, its keys sorted (by code point: the same bytes every time)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8") + b"\n"


def manifest(plans: Sequence[YearPlan]) -> bytes:
    """``search/index.json``: the shards and the folding table."""
    shards = [{"name": p.name, "year": p.year, "issues": len(p.issues), "articles": p.articles,
               "buckets": p.buckets, "v": p.version} for p in plans]
    return _json({"format": FORMAT, "rows": TABLE_ROWS, "shards": shards, "fold": fold_table()})


# --- the page ---------------------------------------------------------------------------------


def search_page(issues: Sequence[IssueLike], options: SiteOptions | None = None,
                epubs: Mapping[str, Any] | None = None) -> bytes:
    """``search.html``: a page of the site (in its frame) with the search form."""
    from .site import _Site

    options = options or SiteOptions()
    ordered = order_issues(issues, tz=options.tz, time=options.time_of_day)
    site = _Site(ordered, options, epubs)
    title = f"{site.title} 全文搜索"
    body = (
        '<nav class="crumbs"><a href="index.html">首页</a></nav>\n'
        f'<main class="search" data-index="{MANIFEST}">\n<h1>{escape(title)}</h1>\n'
        '<form class="search-form" action="search.html" method="get" role="search">\n'
        '<label for="search-q">搜索全部文章的标题和正文</label>\n'
        '<input type="search" id="search-q" name="q" autocomplete="off"/>\n'
        '<button type="submit">搜索</button>\n</form>\n'
        '<p class="search-status" id="search-status" aria-live="polite">搜索需要 JavaScript。</p>\n'
        '<ol class="search-results" id="search-results"></ol>\n'
        '<p class="search-more" id="search-more" hidden="hidden">'
        '<button type="button">更多结果</button></p>\n'
        "</main>"
    )
    links = ('<link rel="stylesheet" href="styles/search.css"/>\n'
             '<script src="styles/search.js" defer="defer"></script>\n')
    return site.page(PAGE, title, body, common_language(ordered), links)


def _asset(name: str) -> bytes:
    from .css import stylesheet

    data = stylesheet(name)
    if data is None:
        raise OutputError(f"search: the shipped file styles/{name} is missing")
    return data


# --- the query, as the page runs it --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """An article a query found: its page (``url``, from the web root), its headline, its
    issue's title and date, and whether its headline holds every term as it is."""

    id: str
    url: str
    title: str
    issue: str
    date: str | None
    in_title: bool


class SearchIndex:
    """The built index, read as ``styles/search.js`` reads it, for tests and tools:
    ``SearchIndex(folder).query("北京")`` (``folder``: the web root, or its files as a
    mapping, path -> bytes)."""

    def __init__(self, root: str | Path | Mapping[str, bytes]):
        self.root = root
        self.manifest = self._load(MANIFEST)
        self.files: dict[str, Any] = {}  # the files of the shards read, in the order read

    def _load(self, path: str) -> Any:
        if isinstance(self.root, Mapping):
            return json.loads(self.root[path])
        return json.loads((Path(self.root) / path).read_bytes())

    def _file(self, path: str) -> Any:
        if path not in self.files:
            self.files[path] = self._load(path)
        return self.files[path]

    def _keys(self, shard: Mapping[str, Any], char: str) -> Mapping[str, str]:
        bucket: Mapping[str, Mapping[str, str]] = self._file(
            f"{FOLDER}/{shard['name']}-{bucket_of(char, shard['buckets']):02x}.json")
        return bucket.get(char, {})

    def matches(self, shard: Mapping[str, Any], words: Sequence[str], mark: str = "") -> list[int]:
        """The numbers of a shard's articles that have every key of the terms (``mark``
        ``TITLE``: in their headlines)."""
        found: set[int] | None = None
        for term in words:
            numbers: set[int] = set()
            if len(term) == 1:  # any key that begins with it
                for second, posting in self._keys(shard, term).items():
                    if second.startswith(TITLE) == bool(mark):
                        numbers.update(decode_postings(posting))
            else:
                for n, key in enumerate(term_keys(term)):
                    found_posting = self._keys(shard, key[0]).get(mark + key[1])
                    these = set(decode_postings(found_posting)) if found_posting is not None else set()
                    numbers = these if n == 0 else numbers & these
                    if not numbers:
                        break
            found = numbers if found is None else found & numbers
            if not found:
                return []
        return sorted(found or ())

    def row(self, shard: Mapping[str, Any], number: int) -> tuple[str, str, str, str, str | None]:
        """A shard's article: (article id, issue id, headline, issue title, date)."""
        rows = self.manifest["rows"]
        table = self._file(f"{FOLDER}/{shard['name']}-t{number // rows}.json")
        at = table["first"]
        for ident, issue, date, articles in table["issues"]:
            if number < at + len(articles):
                article, title = articles[number - at]
                return (ident + article if article.startswith("-") else article), ident, title, issue, date
            at += len(articles)
        raise IndexError(number)

    def query(self, query: str) -> list[Hit]:
        """The articles ``query`` finds, as the page ranks them: those whose headline has
        every key of it first, then the others, each newest first."""
        words = terms(query)
        if not words:
            return []
        ranked: list[tuple[Mapping[str, Any], int]] = []
        others: list[tuple[Mapping[str, Any], int]] = []
        for shard in self.manifest["shards"]:
            numbers = self.matches(shard, words)
            if numbers:
                titled = set(self.matches(shard, words, TITLE))
                ranked += [(shard, n) for n in numbers if n in titled]
                others += [(shard, n) for n in numbers if n not in titled]
        hits = []
        for shard, n in ranked + others:
            article, ident, title, issue, date = self.row(shard, n)
            folded = fold(title)
            hits.append(Hit(article, f"issues/{ident}/{article}.html", title, issue, date,
                            all(term in folded for term in words)))
        return hits


# --- the format -------------------------------------------------------------------------------------


class SearchExporter(Exporter):
    """Search in the web edition (see the module's docstring): each issue's folded text as
    pieces, one archive job a year, and the manifest, the page and its script from the heads."""

    name = "search"
    folders = (FOLDER,)
    pieces = True

    def issue_pieces(self, issue: Issue, settings: Settings) -> bytes:
        return issue_pieces(issue)

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[ArchiveJob]:
        for plan in year_plans(heads, settings.options):
            yield ArchiveJob(plan.paths, plan.digest, tuple(row[0] for row in plan.issues), plan)

    def run_job(self, job: ArchiveJob, inputs: Mapping[str, Any], settings: Settings) -> Iterator[tuple[str, bytes]]:
        yield from year_files(job.work, inputs)

    def archive_files(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[tuple[str, bytes]]:
        if not heads:
            return
        from .epub import epub_files

        try:  # the page's frame links the editions feeds when the issues have EPUBs, as the site's do
            epubs: Mapping[str, Any] | None = epub_files(heads)
        except KeyError:
            epubs = None
        yield MANIFEST, manifest(year_plans(heads, settings.options))
        yield PAGE, search_page(heads, settings.options, epubs)
        for name in ASSETS:
            if name not in settings.styles:  # [build] styles: the site writes the desk's own
                yield f"styles/{name}", _asset(name)

    def validators(self) -> tuple[Validator, ...]:
        return (Validator("search", search_check),)


EXPORTER = SearchExporter()


# --- validation --------------------------------------------------------------------------

_POSTINGS = re.compile(f"(?:[{re.escape(ALPHABET[32:])}]*[{re.escape(ALPHABET[:32])}])*")


def _readable(root: Path, path: str, problems: list[str]) -> Any:
    """The JSON file ``path`` of the build, or None with the problem noted."""
    try:
        return json.loads((root / path).read_bytes())
    except (OSError, ValueError) as error:
        problems.append(f"{path}: cannot be read: {error}")
        return None


def search_check(root: Path, options: ValidateOptions) -> Check:
    """``pressout validate``'s check of the index: the manifest, the page and its script,
    and every file of every shard there, as the manifest says, and nothing else in
    ``search/``; each key in the bucket its first character belongs to, its postings well
    formed and of articles the shard has, in order; each article's page there."""
    from ..validate import Check

    check = Check("search")
    if not (root / MANIFEST).is_file():
        check.note = "no search index"
        return check
    problems = check.problems
    try:
        index = json.loads((root / MANIFEST).read_bytes())
        shards, rows = index["shards"], index["rows"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        problems.append(f"{MANIFEST}: not a search manifest: {error}")
        check.ok = False
        return check
    if index.get("format") != FORMAT:
        problems.append(f"{MANIFEST}: format {index.get('format')!r}, not {FORMAT}")
    for name in (PAGE, *(f"styles/{asset}" for asset in ASSETS)):
        if not (root / name).is_file():
            problems.append(f"{name}: missing")
    expected = {MANIFEST}
    for shard in shards:
        name, articles, buckets = shard["name"], shard["articles"], shard["buckets"]
        for n in range(buckets):
            path = f"{FOLDER}/{name}-{n:02x}.json"
            expected.add(path)
            bucket = _readable(root, path, problems)
            if bucket is None:
                continue
            for first, keys in bucket.items():
                if len(first) != 1 or bucket_of(first, buckets) != n:
                    problems.append(f"{path}: {first!r} is not a key's first character of this file")
                for second, posting in keys.items():
                    numbers = decode_postings(posting) if _POSTINGS.fullmatch(posting) else None
                    if not numbers or numbers[-1] >= articles:
                        problems.append(f"{path}: the postings of {first + second!r} are not of this shard's articles")
        count = 0
        for k in range(max(1, -(-articles // rows))):
            path = f"{FOLDER}/{name}-t{k}.json"
            expected.add(path)
            table = _readable(root, path, problems)
            if table is None:
                continue
            if table.get("first") != count:
                problems.append(f"{path}: begins at article {table.get('first')}, not {count}")
            for ident, _, _, listed in table["issues"]:
                for article, _ in listed:
                    page = f"issues/{ident}/{ident + article if article.startswith('-') else article}.html"
                    if not (root / page).is_file():
                        problems.append(f"{path}: the page of an article found is missing: {page}")
                    count += 1
        if count != articles:
            problems.append(f"{FOLDER}/{name}-t*.json: {count} articles, the manifest says {articles}")
    there = {f"{FOLDER}/{p.name}" for p in (root / FOLDER).iterdir()}
    problems += [f"{path}: not a file of the index" for path in sorted(there - expected)]
    check.files = len(there & expected)
    check.ok = not problems
    check.note = f"{len(shards)} shards"
    return check
