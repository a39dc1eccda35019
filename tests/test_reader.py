"""The page reader on the five seeds and on anything else: golden models, no lost text,
clean errors for bad input, and properties that hold for any text at all."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from waiting import cpu_time_under  # tests/ is on sys.path

from pressout.errors import InputError, PressoutError
from pressout.jsonio import issue_from_dict, issue_to_dict
from pressout.model import Article, Figure, Issue, Paragraph
from pressout.read import IssueMeta, read_bytes, read_page, read_text
from pressout.read.decode import _XML_INVALID

GOLDEN = Path(__file__).parent / "golden" / "parse"
REGEN = os.environ.get("PRESSOUT_REGEN_GOLDEN") == "1"


# --- golden models --------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem", [p.stem for p in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))]
)
def test_seed_matches_golden_json(stem, seed_paths):
    """Each seed's model was reviewed by eye against the page once, then pinned here.
    Regenerate after a deliberate change with PRESSOUT_REGEN_GOLDEN=1 and review the diff."""
    path = next(p for p in seed_paths if p.stem == stem)
    got = issue_to_dict(read_page(path))
    golden = GOLDEN / f"{stem}.json"
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_seed_items(seed_paths):
    """What a reader of the page sees, counted: items, kinds, headline-less items."""
    issues = {p.name[:3]: read_page(p) for p in seed_paths}
    summary = {
        k: (
            len(i.articles),
            sum(a.kind.value == "photo" for a in i.articles),
            sum(a.title is None for a in i.articles),
            len(i.furniture),
        )
        for k, i in issues.items()
    }
    assert summary == {
        "000": (4, 0, 0, 0),
        "001": (8, 1, 1, 1),
        "002": (10, 1, 1, 1),
        "003": (4, 0, 0, 0),
        "004": (11, 1, 3, 1),
    }
    joins = sum(len(p.joins) for i in issues.values() for a in i.articles for p in a.paragraphs)
    assert joins == 21  # every mid-sentence break on the five pages, rejoined


def test_json_round_trip(seed_paths):
    for path in seed_paths:
        issue = read_page(path)
        assert issue_from_dict(json.loads(json.dumps(issue_to_dict(issue)))) == issue


# --- nothing lost -----------------------------------------------------------------------


def _significant(text: str) -> str:
    """Letters and digits (hanzi included): what cleaning may never drop or reorder."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] in "LN")


def article_in_page_order(article: Article, byline_first: bool = False) -> str:
    """An article's strings in the order the page printed them; a photo credit moved out
    of a paragraph is put back where it stood, and skipped as the figure that follows the
    paragraph (close() puts it there), not wherever a credit of the same words stands.
    ``byline_first``: the byline was printed before the dateline (a credit line under the
    headline, then 本报讯)."""
    parts = [article.column or "", article.kicker or "", article.title or "", article.subtitle or ""]
    head = [article.dateline or "", article.byline.text if article.byline else ""]
    parts += reversed(head) if byline_first else head
    skip = 0
    for block in article.body:
        if isinstance(block, Paragraph):
            text, at = block.text, 0
            for r in sorted(block.repairs, key=lambda r: r.start):
                if r.reason == "photo-credit-inside-paragraph":
                    parts.append(text[at : r.start] + r.orig)
                    at = r.start
                    skip += 1
            parts.append(text[at:])
            continue
        if isinstance(block, Figure) and skip and block.text == "" and block.credit:
            skip -= 1
            continue
        skip = 0
        if isinstance(block, Figure):
            parts += [block.text, block.credit.text if block.credit else ""]
        else:
            parts.append(block.text)
    parts += [c.text for c in article.closing]
    return "".join(parts)


def model_text_in_page_order(issue: Issue) -> str:
    """Every string of the model, in the order the page printed it."""
    parts: list[str] = []
    furniture = sorted(issue.furniture, key=lambda f: f.position)
    for n, article in enumerate(issue.articles):
        parts += [f.text for f in furniture if f.position == n]
        parts.append(article_in_page_order(article))
    parts += [f.text for f in furniture if f.position >= len(issue.articles)]
    return "".join(parts)


def test_no_text_is_lost_or_reordered(seed_paths):
    """The page's letters and digits, in order, are exactly the model's (modulo the
    documented normalisations, none of which touches a letter or digit)."""
    for path in seed_paths:
        page = path.read_text(encoding="utf-8")
        issue = read_page(path)
        assert _significant(model_text_in_page_order(issue)) == _significant(page), path.name


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "file is empty"),
        (b"  \n\t\n\xe3\x80\x80\n", "page has no text"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "binary file (NUL byte at offset 7)"),
        (
            "标题\n\n正文。".encode() + b"\xff\xfe\xfa" + "更多正文。".encode() * 20,
            "invalid UTF-8 at byte offset",
        ),
    ],
)
def test_bad_bytes_are_one_line_errors(data, message):
    with pytest.raises(InputError) as err:
        read_bytes(data, source="bad.txt")
    assert message in str(err.value) and "\n" not in str(err.value) and str(err.value).startswith("bad.txt: ")


def test_invalid_utf8_can_be_replaced_on_request():
    data = "标题\n\n正文。".encode() + b"\xff" + "更多正文。".encode() * 20
    issue = read_bytes(data, source="bad.txt", errors="replace")
    assert any(d.code == "PO102" for d in issue.diagnostics)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_page(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_page(tmp_path)


def test_gb18030_twin_gives_the_same_model(seed_paths, tmp_path):
    source = seed_paths[4]
    twin = tmp_path / source.name
    twin.write_bytes(source.read_text(encoding="utf-8").encode("gb18030"))
    meta = IssueMeta(date=None)
    a, b = read_page(source, meta=meta), read_page(twin, meta=meta)
    assert a.articles == b.articles and a.furniture == b.furniture


def test_undated_page_says_so(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("标题\n\n本报讯 2022年7月26日，正文。\n", encoding="utf-8")
    issue = read_page(page)
    assert issue.date is None and issue.date_cert is None
    (warning,) = [d for d in issue.diagnostics if d.code == "PO101"]
    assert "2022年7月26日" in warning.message
    dated = tmp_path / "tyrb_2022-07-29.txt"
    dated.write_text("标题\n\n本报讯 正文。\n", encoding="utf-8")
    assert read_page(dated).date.isoformat() == "2022-07-29"


# --- ids ------------------------------------------------------------------------


def test_article_ids_do_not_depend_on_other_articles(seed_paths):
    """Dropping one article from the page leaves every other article's id unchanged."""
    path = seed_paths[4]
    page = path.read_text(encoding="utf-8")
    full = read_page(path)
    without = page.replace("快递网点实现“村村通”", "", 1)
    without = re.sub(r"本报讯 12月9日市邮政管理局消息.*?\(李涛、马卓\)", "", without, flags=re.S)
    cut = read_text(
        without,
        source=path.name,
        meta=IssueMeta(
            date=full.date, date_cert=full.date_cert, publication=full.publication,
            publication_slug=full.publication_slug,
        ),
    )
    before = {a.display_title: a.id for a in full.articles}
    after = {a.display_title: a.id for a in cut.articles}
    assert len(after) == len(before) - 1
    assert all(before[title] == ident for title, ident in after.items())


def test_ids_are_ascii_xml_names(seed_paths):
    ncname = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
    for path in seed_paths:
        issue = read_page(path)
        ids = [issue.id] + [a.id for a in issue.articles] + [f.id for f in issue.furniture]
        assert all(ncname.match(i) for i in ids) and len(set(ids)) == len(ids)


# --- any text at all --------------------------------------------------------------------

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PUNCT = st.sampled_from(
    list("，。！？：；、“”‘’（）《》—…,.:;!?()[]{}*#_^$|｜ \t\u3000\u00a0\n\n\n摄记者通讯员本报讯")
)
PAGE_TEXT = st.text(st.one_of(CHINESE, PUNCT, st.characters()), max_size=400)


def _all_strings(issue: Issue):
    yield issue.title
    for a in issue.articles:
        yield a.display_title
        yield from (x for x in (a.title, a.kicker, a.subtitle, a.column, a.dateline) if x)
        for c in a.credits:
            yield c.text
            yield from (p.name for p in c.contributors)
        yield from (b.text for b in a.body)
    yield from (f.text for f in issue.furniture)


# Each example's limit is its CPU time (2 s), not Hypothesis's wall-clock deadline, which a
# loaded machine would reach with no fault in the reader.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
def test_any_text_reads_or_fails_cleanly(text):
    try:
        with cpu_time_under(2, "reading the page"):
            issue = read_text(text, source="fuzz.txt", meta=IssueMeta())
    except PressoutError as exc:
        assert "\n" not in str(exc)
        return
    for s in _all_strings(issue):
        assert not _XML_INVALID.search(s), repr(s)
    for a in issue.articles:
        for p in a.paragraphs:
            assert all(0 <= m.start <= m.end <= len(p.text) for m in p.marks)
            assert all(0 <= r.start <= r.end <= len(p.text) for r in p.repairs)
            assert all(0 < j <= len(p.text) for j in p.joins)
    assert issue_from_dict(issue_to_dict(issue)) == issue


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_read_or_fail_cleanly(data):
    try:
        with cpu_time_under(2, "reading the bytes"):
            read_bytes(data, source="fuzz.bin")
    except PressoutError as exc:
        assert "\n" not in str(exc)


def test_huge_line_and_many_lines_finish():
    """A 2 MB single line and 200,000 short lines: linear work, no pathological regex."""
    line = "正文，" * 350_000 + "结尾 张三 摄"
    issue = read_text(line, source="big.txt", meta=IssueMeta())
    assert issue.articles
    many = "\n".join(f"第{n}段正文，内容继续。" for n in range(200_000))
    issue = read_text(many, source="many.txt", meta=IssueMeta())
    assert sum(len(a.body) for a in issue.articles) == 200_000
    short = "\n".join(f"第{n}行" for n in range(200_000))  # no sentence at all: kept as furniture
    issue = read_text(short, source="short.txt", meta=IssueMeta())
    assert len(issue.furniture) == 200_000


def test_model_is_immutable(seed_paths):
    issue = read_page(seed_paths[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.id = "x"  # type: ignore[misc]


# --- other dumps' dress ------------------------------------------------------------------

DRESSES = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda t: t.replace("\n", "\r").encode("utf-8"),
    "bom": lambda t: t.encode("utf-8-sig"),
    "gb18030": lambda t: t.encode("gb18030"),
    "utf-16": lambda t: t.encode("utf-16"),
    "u3000-indents": lambda t: "\n".join(
        "\u3000\u3000" + line if line else line for line in t.split("\n")
    ).encode(),
    "nbsp-and-trailing-spaces": lambda t: "\n".join(line + " \u00a0 " for line in t.split("\n")).encode(),
    "whitespace-only-blank-lines": lambda t: t.replace("\n\n", "\n \t\n").encode(),
}


@pytest.mark.parametrize("dress", sorted(DRESSES))
def test_seeds_read_the_same_in_other_dress(dress, seed_paths):
    """The same page as other dumps deliver it (line ends, encodings, indents, spaces)
    gives the same articles."""
    for path in seed_paths:
        plain = read_page(path)
        dressed = read_bytes(
            DRESSES[dress](path.read_text(encoding="utf-8")),
            source=path.name,
            meta=IssueMeta(
                date=plain.date, date_cert=plain.date_cert, publication=plain.publication,
                publication_slug=plain.publication_slug,
            ),
        )
        assert dressed.articles == plain.articles, path.name
        assert dressed.furniture == plain.furniture
