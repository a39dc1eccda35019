"""Reading accuracy: run the reader on every corpus file that has a gold reading, and
compare what it understood with what a careful editor wrote down.

    python3 benchmarks/accuracy.py                      # the table, one row per paper
    python3 benchmarks/accuracy.py -v --paper tyrb      # and every disagreement, file by file
    python3 benchmarks/accuracy.py --json out.json      # the figures, per file, paper and overall
    python3 benchmarks/accuracy.py --check tests/corpus/floors.toml   # exit 1 below a floor
    python3 benchmarks/accuracy.py --write-floors floors.toml         # pin today's figures

Gold readings live in ``tests/corpus/gold/<paper>/<file name>.gold.toml``; their format,
and how every figure below is computed, is documented in ``tests/corpus/README.md``.

Each file is read as a user reads it, ``pressout.read_page(path)``: with the
``issues.toml`` beside it when there is one, and never with anything taken from the gold.
The scorer measures: it exits 0 whatever the figures, except with ``--check``.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "corpus" / "gold"
FILES = ROOT / "tests" / "corpus" / "files"
GOLD_SUFFIX = ".gold.toml"

if str(ROOT) not in sys.path:  # run from a clone without installing
    sys.path.insert(0, str(ROOT))

KINDS = ("article", "photo", "notice")
ROLES = ("reporter", "correspondent", "photographer", "author", "editor")
FURNITURE_KINDS = (
    "banner",
    "staff",
    "masthead",
    "page-header",
    "colophon",
    "ad",
    "toc",
    "scaffolding",
    "other",
)
FORMATS = ("text", "markdown", "html", "xml", "rss", "atom", "csv", "jsonl", "json")

ISSUE_KEYS = {
    "file",
    "publication",
    "language",
    "date",
    "page",
    "pages",
    "format",
    "note",
    "item",
    "furniture",
}
ITEM_KEYS = {
    "kind",
    "title",
    "first",
    "kicker",
    "subtitle",
    "column",
    "dateline",
    "credits",
    "paragraphs",
    "figures",
    "page",
    "note",
}
FURNITURE_KEYS = {"kind", "text", "note"}
MIN_FIRST = 6  # significant characters an item's `first` must have to anchor it


class GoldError(ValueError):
    """A gold file that does not follow the format; the message names file and key."""


# --- normalisation ----------------------------------------------------------------------


def significant(text: str) -> str:
    """The letters and digits of ``text`` (hanzi included), NFKC-normalised: what no
    reading may lose. Punctuation, spaces and symbols are not counted."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN")


_SPACE = re.compile(r"\s+")


_EDGE = "—―─–-:|~ "  # after NFKC: the dashes, colons and bars a kicker or column label is set with


def norm_label(text: str | None) -> str | None:
    """``norm`` for kickers, subtitles and column labels, without the dashes, colons and
    bars they are printed with (——杏花岭区深化…, 专家学者认为：, 并州论坛 |): whether
    the model keeps that typography is not what is measured."""
    out = norm(text)
    return (out.strip(_EDGE) or None) if out else None


def norm(text: str | None) -> str | None:
    """The form headlines, kickers, names … are compared in: NFKC, whitespace removed
    (so full- and half-width punctuation compare equal, and so do wrapped headlines
    joined with or without a space). None stays None; an empty string becomes None."""
    if text is None:
        return None
    out = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return out or None


# --- gold files ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GoldItem:
    kind: str
    title: str | None
    first: str | None
    kicker: str | None
    subtitle: str | None
    column: str | None
    dateline: str | None
    credits: frozenset[tuple[str, str]]  # (normalised name, role)
    paragraphs: int
    figures: int
    page: str | None = None  # the page label it is printed on (a whole-issue export's items)


@dataclasses.dataclass(frozen=True)
class Gold:
    path: Path  # the gold file
    paper: str  # the slug: the gold file's folder name
    file: Path  # the corpus file it reads
    publication: str
    language: str
    date: str | None  # ISO date
    page: int | None
    format: str
    items: tuple[GoldItem, ...]
    furniture: tuple[tuple[str, str], ...]  # (kind, text)


def _fail(path: Path, where: str, message: str) -> GoldError:
    return GoldError(f"{path}: {where}: {message}")


def _opt_str(table: dict[str, Any], key: str, path: Path, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{where}.{key}", "must be a non-empty string (leave the key out for none)")
    return value


def _page_label(table: dict[str, Any], path: Path, where: str) -> str | None:
    """An item's ``page`` as a label (3 → "3", "A03"; leading zeros of a number dropped)."""
    value = table.get("page")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise _fail(path, f"{where}.page", "must be a page number or label (3, \"A03\")")
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text[:1].upper() + text[1:]


def _count(table: dict[str, Any], key: str, path: Path, where: str, default: int | None) -> int:
    value = table.get(key, default)
    if value is None:
        raise _fail(path, where, f"`{key}` is required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(path, f"{where}.{key}", "must be a whole number ≥ 0")
    return value


def _unknown(table: dict[str, Any], allowed: set[str], path: Path, where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise _fail(path, where, f"unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})")


def load_gold(path: str | Path, root: Path = ROOT) -> Gold:
    """Parse and check one gold file; raises GoldError naming the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise GoldError(f"{path}: {err}") from None
    if not path.name.endswith(GOLD_SUFFIX):
        raise _fail(path, "name", f"a gold file's name ends with {GOLD_SUFFIX}")
    _unknown(data, ISSUE_KEYS, path, "top level")
    paper = path.parent.name
    name = path.name[: -len(GOLD_SUFFIX)]
    file_key = _opt_str(data, "file", path, "top level")
    file = (root / file_key) if file_key else (root / "tests" / "corpus" / "files" / paper / name)
    if file.name != name:
        raise _fail(path, "file", f"names {file.name}, but the gold file is for {name}")
    publication = _opt_str(data, "publication", path, "top level")
    language = _opt_str(data, "language", path, "top level")
    if publication is None or language is None:
        raise _fail(path, "top level", "`publication` and `language` are required")
    date = data.get("date")
    if date is not None and type(date).__name__ != "date":
        raise _fail(path, "date", "must be a TOML date such as 2021-11-08 (no quotes)")
    page = data.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
        raise _fail(path, "page", "must be a whole number (use `pages` for a list)")
    fmt = data.get("format", "text")
    if fmt not in FORMATS:
        raise _fail(path, "format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    items = []
    raw_items = data.get("item", [])
    if not isinstance(raw_items, list) or not raw_items:
        raise _fail(path, "item", "a gold reading has at least one [[item]]")
    for n, raw in enumerate(raw_items, 1):
        where = f"item {n}"
        _unknown(raw, ITEM_KEYS, path, where)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise _fail(path, f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        title = _opt_str(raw, "title", path, where)
        first = _opt_str(raw, "first", path, where)
        if first is None and title is None:
            raise _fail(path, where, "an item needs `first` (its opening words) or a `title`")
        if first is not None and len(significant(first)) < MIN_FIRST:
            raise _fail(path, f"{where}.first", f"give at least {MIN_FIRST} letters or digits")
        credits = set()
        raw_credits = raw.get("credits", [])
        if not isinstance(raw_credits, list):
            raise _fail(path, f"{where}.credits", "must be a list of {name, role} tables")
        for c in raw_credits:
            if not isinstance(c, dict) or set(c) != {"name", "role"}:
                raise _fail(path, f"{where}.credits", 'each credit is {name = "…", role = "…"}')
            if c["role"] not in ROLES:
                raise _fail(path, f"{where}.credits", f"role {c['role']!r} is not one of {', '.join(ROLES)}")
            if not norm(c["name"]):
                raise _fail(path, f"{where}.credits", "a credit needs a name")
            credits.add((norm(c["name"]), c["role"]))
        items.append(
            GoldItem(
                kind=kind,
                title=title,
                first=first,
                kicker=_opt_str(raw, "kicker", path, where),
                subtitle=_opt_str(raw, "subtitle", path, where),
                column=_opt_str(raw, "column", path, where),
                dateline=_opt_str(raw, "dateline", path, where),
                credits=frozenset(credits),
                paragraphs=_count(raw, "paragraphs", path, where, None),
                figures=_count(raw, "figures", path, where, 0),
                page=_page_label(raw, path, where),
            )
        )
    furniture = []
    for n, raw in enumerate(data.get("furniture", []), 1):
        where = f"furniture {n}"
        _unknown(raw, FURNITURE_KEYS, path, where)
        if raw.get("kind") not in FURNITURE_KINDS:
            raise _fail(
                path, f"{where}.kind", f"{raw.get('kind')!r} is not one of {', '.join(FURNITURE_KINDS)}"
            )
        text = _opt_str(raw, "text", path, where)
        if text is None or not significant(text):
            raise _fail(path, f"{where}.text", "furniture needs its text (with a letter or digit)")
        furniture.append((raw["kind"], text))
    return Gold(
        path=path,
        paper=paper,
        file=file,
        publication=publication,
        language=language,
        date=date.isoformat() if date is not None else None,
        page=page,
        format=fmt,
        items=tuple(items),
        furniture=tuple(furniture),
    )


def gold_files(gold_dir: Path = GOLD, paper: str | None = None) -> list[Path]:
    if not gold_dir.is_dir():
        return []
    return sorted(p for p in gold_dir.glob(f"*/*{GOLD_SUFFIX}") if paper is None or p.parent.name == paper)


# --- the file's own text (what "characters lost" counts against) ---------------------------


def file_text(gold: Gold, data: bytes) -> str:
    """The text of the corpus file a reader must account for: the decoded file for page
    text and Markdown; the character data for markup (HTML/XML/RSS/Atom: tags, attributes
    and entity syntax are the container, not the text; escaped HTML inside an RSS
    description is unwrapped once more); the cell and string values for CSV (not its
    header row) and JSON."""
    from pressout.read.decode import decode_page

    text = decode_page(data, source=gold.file.name, errors="replace").text
    if gold.format in ("html", "xml", "rss", "atom"):
        text = _markup_text(text, gold.format)
    elif gold.format == "csv":
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        text = "\n".join("\n".join(row) for row in rows[1:])
    elif gold.format in ("json", "jsonl"):
        docs = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if gold.format == "jsonl"
            else [json.loads(text)]
        )
        text = "\n".join(_json_strings(docs))
    return text


def _markup_text(text: str, fmt: str) -> str:
    from lxml import etree
    from lxml import html as lhtml

    try:
        if fmt == "html":
            root = lhtml.document_fromstring(text)
            for bad in root.xpath("//script|//style"):
                bad.drop_tree()
        else:
            root = etree.fromstring(
                text.encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False)
            )
        inner = "\n".join(root.itertext()) if root is not None else ""
    except (etree.ParserError, ValueError):
        inner = re.sub(r"<[^>]*>", "\n", html.unescape(text))
    if "<" in inner and ">" in inner:  # escaped HTML inside an element (RSS descriptions)
        inner = html.unescape(re.sub(r"<[^>]*>", "\n", inner))
    return inner


def _json_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


# --- what the model says ------------------------------------------------------------------


def article_strings(article: Any) -> list[str]:
    """Every string of a model article, in page order (head, body, closing credits)."""
    from pressout.model import Figure

    parts = [article.column, article.kicker, article.title, article.subtitle, article.dateline]
    if article.byline is not None:
        parts.append(article.byline.text)
    for block in article.body:
        parts.append(block.text)
        if isinstance(block, Figure) and block.credit is not None:
            parts.append(block.credit.text)
    parts += [c.text for c in article.closing]
    return [p for p in parts if p]


def issue_strings(issue: Any) -> list[str]:
    """Every string the reader kept for a file: articles (and their metadata fields: a
    dump's url, id, times), furniture, the issue's metadata, the text it removed as
    scaffolding (``Issue.removed``) and its diagnostics (where the reader keeps words it
    did not use, e.g. PO104)."""
    out = [s for a in issue.articles for s in article_strings(a)]
    out += [f"{name} {value}" for a in issue.articles for name, value in getattr(a, "meta", ())]
    out += [r.text for r in getattr(issue, "removed", ())]
    out += [f.text for f in issue.furniture]
    out += [issue.publication or "", issue.publication_slug or ""]
    if issue.date is not None:
        out.append(issue.date.isoformat())
    if issue.page is not None:
        out.append(str(issue.page))
    out += [d.message for d in issue.diagnostics]
    return out


def _figures(article: Any) -> int:
    from pressout.model import Figure

    return sum(isinstance(b, Figure) for b in article.body)


def _credits(article: Any) -> frozenset[tuple[str, str]]:
    return frozenset(
        (norm(c.name), str(c.role.value if hasattr(c.role, "value") else c.role))
        for c in article.contributors
    )


_HANS_REGIONS = ("CN", "SG", "MY")
_HANT_REGIONS = ("TW", "HK", "MO")


def language_matches(gold: str, model: str | None) -> bool:
    """``zh-Hans`` / ``zh-Hant`` in the gold accept any tag of that script (zh-CN, zh-SG
    and zh-Hans-CN for Simplified; zh-TW, zh-HK, zh-MO and zh-Hant-TW for Traditional);
    a gold tag with a region (zh-TW) needs that region (zh-TW or zh-Hant-TW)."""
    if not model:
        return False
    g = gold.lower().split("-")
    m = model.lower().split("-")
    if g == m:
        return True
    if g[0] != m[0]:
        return False

    def script(parts: list[str]) -> str | None:
        for p in parts[1:]:
            if p in ("hans", "hant"):
                return p
            if p.upper() in _HANS_REGIONS:
                return "hans"
            if p.upper() in _HANT_REGIONS:
                return "hant"
        return None

    def region(parts: list[str]) -> str | None:
        return next((p for p in parts[1:] if len(p) == 2), None)

    if script(g) != script(m):
        return False
    return region(g) is None or region(g) == region(m)


# --- matching --------------------------------------------------------------------------


def _anchor(item: GoldItem) -> str:
    return significant(item.first) if item.first else significant(item.title or "")


def align(items: Sequence[GoldItem], texts: Sequence[str]) -> list[tuple[int, int]]:
    """Match gold items to model articles in page order: item i may match article j when
    its anchor (the significant characters of ``first``, else of the title) occurs in the
    article's significant text; of all order-keeping one-to-one matchings the largest is
    taken (a longest common subsequence), ties broken towards earlier pairs."""
    anchors = [_anchor(g) for g in items]
    n, m = len(items), len(texts)
    ok = [[bool(anchors[i]) and anchors[i] in texts[j] for j in range(m)] for i in range(n)]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + 1 if ok[i][j] else 0)
    pairs = []
    i = j = 0
    while i < n and j < m:
        if ok[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


# --- scoring ---------------------------------------------------------------------------

# Counters summed over files, papers and overall; every figure is made from them.
COUNTERS = (
    "files",
    "errors",
    "gold_items",
    "model_items",
    "matched",
    "headline_ok",
    "kicker_ok",
    "subtitle_ok",
    "column_ok",
    "dateline_ok",
    "kind_ok",
    "paragraphs_ok",
    "credits_gold",
    "credits_model",
    "credits_ok",
    "figures_gold",
    "figures_found",
    "figures_extra",
    "furniture_gold",
    "furniture_out",
    "chars",
    "chars_lost",
    "facts",
    "facts_ok",
    "pages_gold",
    "pages_ok",
)


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def figures_of(c: dict[str, int]) -> dict[str, float | int | None]:
    """The reported figures from summed counters (see tests/corpus/README.md)."""
    p = _ratio(c["matched"], c["model_items"])
    r = _ratio(c["matched"], c["gold_items"])
    f1 = None if p is None or r is None else (0.0 if p + r == 0 else 2 * p * r / (p + r))
    return {
        "files": c["files"],
        "errors": c["errors"],
        "items": c["gold_items"],
        "seg_precision": p,
        "seg_recall": r,
        "seg_f1": f1,
        "headline": _ratio(c["headline_ok"], c["gold_items"]),
        "kicker": _ratio(c["kicker_ok"], c["gold_items"]),
        "subtitle": _ratio(c["subtitle_ok"], c["gold_items"]),
        "column": _ratio(c["column_ok"], c["gold_items"]),
        "dateline": _ratio(c["dateline_ok"], c["gold_items"]),
        "kind": _ratio(c["kind_ok"], c["gold_items"]),
        "paragraphs": _ratio(c["paragraphs_ok"], c["gold_items"]),
        "credit_precision": _ratio(c["credits_ok"], c["credits_model"]),
        "credit_recall": _ratio(c["credits_ok"], c["credits_gold"]),
        "figures_found": _ratio(c["figures_found"], c["figures_gold"]),
        "figures_extra": c["figures_extra"],
        "furniture_out": _ratio(c["furniture_out"], c["furniture_gold"]),
        "facts": _ratio(c["facts_ok"], c["facts"]),
        "pages": _ratio(c["pages_ok"], c["pages_gold"]),
        "chars": c["chars"],
        "chars_lost": c["chars_lost"],
    }


def score_file(gold: Gold) -> tuple[dict[str, int], list[str]]:
    """Read one corpus file and compare; returns its counters and its disagreements."""
    from pressout.read import read_page

    c = dict.fromkeys(COUNTERS, 0)
    c["files"] = 1
    c["gold_items"] = len(gold.items)
    c["credits_gold"] = sum(len(g.credits) for g in gold.items)
    c["figures_gold"] = sum(g.figures for g in gold.items)
    c["furniture_gold"] = len(gold.furniture)
    c["pages_gold"] = sum(g.page is not None for g in gold.items)
    notes: list[str] = []
    try:
        data = gold.file.read_bytes()
        c["chars"] = len(significant(file_text(gold, data)))
        issue = read_page(gold.file)
    except Exception as err:  # measured, not raised: a crash scores zero for the file
        c["errors"] = 1
        c["chars_lost"] = c["chars"]
        c["facts"] = 2 + (gold.date is not None) + (gold.page is not None)
        notes.append(f"reader failed: {type(err).__name__}: {err}")
        return c, notes

    articles = issue.articles
    c["model_items"] = len(articles)
    texts = [significant("".join(article_strings(a))) for a in articles]
    pairs = align(gold.items, texts)
    c["matched"] = len(pairs)
    c["credits_model"] = sum(len(_credits(a)) for a in articles)
    matched_gold = {i for i, _ in pairs}
    matched_model = {j for _, j in pairs}
    for i, g in enumerate(gold.items):
        if i not in matched_gold:
            notes.append(f"item {i + 1} not found: {g.title or g.first}")
    for j, a in enumerate(articles):
        if j not in matched_model:
            notes.append(f"extra article {j + 1}: {a.display_title}")
    for i, j in pairs:
        g, a = gold.items[i], articles[j]
        label = f"item {i + 1} ({g.title or g.first})"
        for key in ("title", "kicker", "subtitle", "column", "dateline"):
            fold = norm_label if key in ("kicker", "subtitle", "column") else norm
            want, got = fold(getattr(g, key)), fold(getattr(a, key))
            ok = want == got
            c["headline_ok" if key == "title" else f"{key}_ok"] += ok
            if not ok:
                notes.append(f"{label}: {key} {getattr(a, key)!r}, gold {getattr(g, key)!r}")
        kind = str(a.kind.value if hasattr(a.kind, "value") else a.kind)
        c["kind_ok"] += kind == g.kind
        if kind != g.kind:
            notes.append(f"{label}: kind {kind}, gold {g.kind}")
        paragraphs = len(a.paragraphs)
        c["paragraphs_ok"] += paragraphs == g.paragraphs
        if paragraphs != g.paragraphs:
            notes.append(f"{label}: {paragraphs} paragraphs, gold {g.paragraphs}")
        got_credits = _credits(a)
        c["credits_ok"] += len(got_credits & g.credits)
        if got_credits != g.credits:
            notes.append(f"{label}: credits {sorted(got_credits)}, gold {sorted(g.credits)}")
        if g.page is not None:
            page = getattr(a, "page", None)
            c["pages_ok"] += page == g.page
            if page != g.page:
                notes.append(f"{label}: page {page!r}, gold {g.page!r}")
        figures = _figures(a)
        c["figures_found"] += min(figures, g.figures)
        c["figures_extra"] += max(0, figures - g.figures)
        if figures != g.figures:
            notes.append(f"{label}: {figures} figures, gold {g.figures}")

    furniture_model = [significant(f.text) for f in issue.furniture]
    for kind, text in gold.furniture:
        sig = significant(text)
        kept = any(sig in f or (f and f in sig) for f in furniture_model) or not any(sig in t for t in texts)
        c["furniture_out"] += kept
        if not kept:
            notes.append(f"furniture ({kind}) read as article text: {text}")

    have = Counter(significant("".join(issue_strings(issue))))
    need = Counter(significant(file_text(gold, data)))
    lost = need - have
    c["chars_lost"] = sum(lost.values())
    if lost:
        sample = "".join(ch * k for ch, k in lost.most_common(20))
        notes.append(f"{c['chars_lost']} characters lost, e.g. {sample[:40]}")

    facts = [
        (
            "publication",
            gold.publication,
            issue.publication,
            norm(gold.publication) == norm(issue.publication),
        ),
        ("language", gold.language, issue.language, language_matches(gold.language, issue.language)),
    ]
    if gold.date is not None:
        got = issue.date.isoformat() if issue.date else None
        facts.append(("date", gold.date, got, got == gold.date))
    if gold.page is not None:
        facts.append(("page", gold.page, issue.page, issue.page == gold.page))
    c["facts"] = len(facts)
    for key, want, got, ok in facts:
        c["facts_ok"] += ok
        if not ok:
            notes.append(f"{key} {got!r}, gold {want!r}")
    return c, notes


@dataclasses.dataclass
class Report:
    files: dict[str, dict[str, Any]]  # gold file (relative) → {"paper", "counters", "notes"}
    papers: dict[str, dict[str, int]]
    overall: dict[str, int]

    def figures(self) -> dict[str, Any]:
        return {
            "papers": {p: figures_of(c) for p, c in self.papers.items()},
            "overall": figures_of(self.overall),
            "files": {
                f: {"paper": v["paper"], **figures_of(v["counters"]), "notes": v["notes"]}
                for f, v in self.files.items()
            },
        }


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run(gold_dir: Path = GOLD, paper: str | None = None, root: Path = ROOT) -> Report:
    """Score every gold file (of one paper, if given). Raises GoldError for a bad gold file."""
    files: dict[str, dict[str, Any]] = {}
    papers: dict[str, dict[str, int]] = {}
    overall = dict.fromkeys(COUNTERS, 0)
    for path in gold_files(gold_dir, paper):
        gold = load_gold(path, root)
        counters, notes = score_file(gold)
        files[_rel(path)] = {"paper": gold.paper, "counters": counters, "notes": notes}
        total = papers.setdefault(gold.paper, dict.fromkeys(COUNTERS, 0))
        for key, value in counters.items():
            total[key] += value
            overall[key] += value
    return Report(files, papers, overall)


# --- output ------------------------------------------------------------------------------

COLUMNS = (  # (figure, header, width)
    ("files", "files", 5),
    ("items", "items", 5),
    ("seg_precision", "seg P", 6),
    ("seg_recall", "seg R", 6),
    ("seg_f1", "seg F1", 6),
    ("headline", "head", 5),
    ("kicker", "kick", 5),
    ("subtitle", "sub", 5),
    ("credit_precision", "cred P", 6),
    ("credit_recall", "cred R", 6),
    ("paragraphs", "paras", 5),
    ("figures_found", "figs", 5),
    ("furniture_out", "furn", 5),
    ("facts", "facts", 5),
    ("pages", "page", 5),
    ("chars_lost", "lost", 5),
    ("errors", "errs", 4),
)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table(report: Report) -> str:
    wide = max([10, *(len(p) for p in report.papers)])  # the paper column fits the longest slug
    head = f"{'paper':<{wide}}" + "".join(f" {h:>{w}}" for _, h, w in COLUMNS)
    lines = [head, "-" * len(head)]
    rows = [(p, figures_of(c)) for p, c in sorted(report.papers.items())]
    rows.append(("overall", figures_of(report.overall)))
    for name, figs in rows:
        lines.append(f"{name:<{wide}}" + "".join(f" {_cell(figs[k]):>{w}}" for k, _, w in COLUMNS))
    return "\n".join(lines)


# --- floors ------------------------------------------------------------------------------

# Figures pinned per paper: ratios must stay at or above their floor; counts of things
# that must not happen (chars_lost, errors, figures_extra) at or below their ceiling.
FLOOR_KEYS = (
    "seg_f1",
    "seg_precision",
    "seg_recall",
    "headline",
    "kicker",
    "subtitle",
    "column",
    "dateline",
    "kind",
    "paragraphs",
    "credit_precision",
    "credit_recall",
    "figures_found",
    "furniture_out",
    "facts",
)
CEILING_KEYS = ("chars_lost", "errors", "figures_extra")


def check_floors(report: Report, floors: dict[str, Any]) -> list[str]:
    """Every way the report falls short of ``floors`` (``{paper: {figure: value}}``): a
    ratio below its floor, a count above its ceiling, a paper without floors."""
    problems = []
    for paper, counters in sorted(report.papers.items()):
        pinned = floors.get(paper)
        if pinned is None:
            problems.append(f"{paper}: no floors (add a [{paper}] table: --write-floors prints one)")
            continue
        figs = figures_of(counters)
        for key, floor in pinned.items():
            if key not in figs or key in ("files", "items", "chars"):
                problems.append(f"{paper}: unknown figure {key!r} in the floors")
                continue
            value = figs[key]
            if key in CEILING_KEYS:
                if value > floor:
                    problems.append(f"{paper}: {key} = {value}, ceiling {floor}")
            elif value is not None and value + 1e-9 < floor:
                problems.append(f"{paper}: {key} = {value:.4f}, below its floor {floor}")
    return problems


def floors_text(report: Report) -> str:
    """Today's figures as a floors file (ratios rounded down to 2 decimals)."""
    out = [
        "# Reading-accuracy floors per paper (benchmarks/accuracy.py --check; tests/test_accuracy.py).",
        "# Ratios may not fall below these; chars_lost, errors and figures_extra may not rise above.",
        "# Raise a floor when the reader improves; never lower one to let a change through.",
    ]
    for paper, counters in sorted(report.papers.items()):
        figs = figures_of(counters)
        out.append(f"\n[{paper}]")
        for key in FLOOR_KEYS:
            if figs[key] is not None:
                out.append(f"{key} = {int(figs[key] * 100 + 1e-9) / 100:.2f}")
        for key in CEILING_KEYS:
            out.append(f"{key} = {figs[key]}")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the reader against the gold readings of the corpus.")
    parser.add_argument(
        "--json", metavar="FILE", help="write every figure (per file, paper, overall) as JSON"
    )
    parser.add_argument("--paper", metavar="SLUG", help="only this paper (a folder of tests/corpus/gold)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each file's disagreements")
    parser.add_argument("--check", metavar="FLOORS", help="exit 1 when a paper falls below its floors")
    parser.add_argument("--write-floors", metavar="FILE", help="write today's figures as a floors file")
    parser.add_argument("--gold", metavar="DIR", default=str(GOLD), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        report = run(Path(args.gold), args.paper)
    except GoldError as err:
        print(f"accuracy: bad gold file: {err}", file=sys.stderr)
        return 2
    if not report.files:
        print("accuracy: no gold files found", file=sys.stderr)
    if args.verbose:
        for name, entry in report.files.items():
            f = figures_of(entry["counters"])
            print(f"{name}: items {f['items']}, seg F1 {_cell(f['seg_f1'])}, head {_cell(f['headline'])}")
            for note in entry["notes"]:
                print(f"    {note}")
        print()
    print(table(report))
    if args.json:
        Path(args.json).write_text(
            json.dumps(report.figures(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if args.write_floors:
        Path(args.write_floors).write_text(floors_text(report), encoding="utf-8")
    if args.check:
        with open(args.check, "rb") as fh:
            floors = tomllib.load(fh)
        problems = check_floors(report, floors)
        for problem in problems:
            print(f"below floor: {problem}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
