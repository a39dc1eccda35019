"""The reader never loses a user's text, never crashes on an odd item, and reads only
regular files of bounded size (issue 13: defects 3, 4 and 12).

The property test at the end mixes the shapes that meet in a page (datelines, credits,
photo credits, punctuation-only lines, headline-like short lines, running text) and checks
that every letter and digit of the page is in the model, in page order, with the same
comparison as the seeds' "no character lost" test (``test_reader._significant``).
Run it harder with ``PRESSOUT_HYPOTHESIS_EXAMPLES=300``.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reader import _significant, article_in_page_order, model_text_in_page_order
from waiting import DEADLINE, wait_for  # tests/ is on sys.path

import pressout.model
from pressout.errors import InputError
from pressout.model import Figure, Issue, Kind, Paragraph
from pressout.read import IssueMeta, read_bytes, read_page, read_text
from pressout.read.decode import MAX_PAGE_BYTES, decode_page, read_source
from pressout.read.rules import AGENCIES, SURNAMES
from pressout.read.tei import read_tei

META = IssueMeta()


def read(text: str) -> Issue:
    return read_text(text, source="t.txt", meta=META)


def _pieces(issue: Issue) -> list[tuple[str, ...]]:
    """The model in page order, one piece per article or furniture item; an article with
    both a dateline and a byline may have printed them in either order, so its piece comes
    in both readings."""
    pieces: list[tuple[str, ...]] = []
    furniture = sorted(issue.furniture, key=lambda f: f.position)
    for n, article in enumerate(issue.articles):
        pieces += [(_significant(f.text),) for f in furniture if f.position == n]
        readings = [_significant(article_in_page_order(article))]
        if article.dateline and article.byline:
            readings.append(_significant(article_in_page_order(article, byline_first=True)))
        pieces.append(tuple(readings))
    pieces += [(_significant(f.text),) for f in furniture if f.position >= len(issue.articles)]
    return pieces


def assert_nothing_lost(text: str, issue: Issue) -> None:
    """Every letter and digit of the page is in the model (none lost, none added), and in
    the page's order."""
    page = _significant(text)
    model = "".join(readings[0] for readings in _pieces(issue))
    assert Counter(model) == Counter(page), (model, page)
    at = 0
    for readings in _pieces(issue):
        # (the readings of a piece have the same letters: at most one can match here)
        found = next((r for r in readings if page.startswith(r, at)), None)
        assert found is not None, (page[at:], readings, model)
        at += len(found)
    assert at == len(page)


# --- defect 3: a photo item that begins with a dateline ------------------------------------


@pytest.mark.parametrize(
    "dateline",
    ["本报讯", "新华社北京12月9日电", "本报太原12月9日讯", "据新华社北京12月9日电"],
)
@pytest.mark.parametrize(
    "credit, photographer",
    [("本报记者 王五 摄", "王五"), ("王五 摄", "王五"), ("记者 王五 李六 摄", "李六")],
)
def test_photo_item_keeps_its_dateline(dateline, credit, photographer):
    for page in (
        f"{dateline} 图为活动现场。{credit}",  # caption and credit on one line
        f"{dateline} 图为活动现场。\n{credit}",  # the credit on the line under it
        f"标题\n\n{dateline} 图为活动现场。{credit}",  # after a headline the page lost
    ):
        issue = read(page)
        (photo,) = [a for a in issue.articles if a.kind is Kind.PHOTO] or issue.articles
        assert photo.dateline == dateline, page
        (figure,) = photo.body
        assert isinstance(figure, Figure) and figure.text == "图为活动现场。"
        assert photographer in [c.name for c in photo.contributors]
        assert_nothing_lost(page, issue)


def test_photo_item_keeps_its_dateline_credit():
    """``本报讯（记者 张三）`` before a caption: the dateline and its credit (the byline)."""
    page = "本报讯（记者 张三）图为活动现场。王五 摄"
    issue = read(page)
    (photo,) = issue.articles
    assert photo.kind is Kind.PHOTO and photo.dateline == "本报讯"
    assert photo.byline is not None and photo.byline.text == "（记者 张三）"
    assert [(c.name, c.role.value) for c in photo.contributors] == [
        ("张三", "reporter"),
        ("王五", "photographer"),
    ]
    assert_nothing_lost(page, issue)


def test_dateline_before_a_bare_photo_credit_is_the_photos():
    """A dateline and a photo credit with no caption (on one line, or the credit under the
    dateline): a photo item with that dateline, the credit a photo credit."""
    for page in ("本报讯 本报记者 王五 摄", "本报讯\n本报记者 王五 摄", "本报讯（记者 张三）\n\n王五 摄"):
        issue = read(page)
        (photo,) = issue.articles
        assert photo.kind is Kind.PHOTO and photo.dateline == "本报讯", page
        assert ("王五", "photographer") in [(c.name, c.role.value) for c in photo.contributors]
        assert_nothing_lost(page, issue)


def test_photo_with_dateline_after_a_report_keeps_it():
    """A dated photo item after a report: its own item, with its own dateline."""
    page = "标题\n\n本报讯 正文一句。\n\n本报讯 图为活动现场。王五 摄\n\n# 又一标题\n\n正文。"
    issue = read(page)
    photo = next(a for a in issue.articles if a.kind is Kind.PHOTO)
    assert photo.dateline == "本报讯"
    assert_nothing_lost(page, issue)


def test_dateline_of_a_photo_inside_an_article_is_kept():
    """A dated caption that the article's text goes on after stays in the article, the
    dateline with it (as the article's dateline when it has none yet, else in the caption)."""
    for page in (
        "标题\n\n本报讯 图为活动现场。王五 摄\n\n正文继续。",
        "标题\n\n本报讯 正文。\n\n新华社北京12月9日电 图为活动现场。王五 摄\n\n正文继续。",
    ):
        issue = read(page)
        assert_nothing_lost(page, issue)


# --- defect 4: odd items read, and always have a display title -----------------------------

ODD_PAGES = [
    "……",
    "标题",
    "本报讯 正文。",
    "！本报记者 王五 摄",
    "。",
    "……\n\n正文。",
    "标题\n\n……",
    "本报讯",
    "本报讯（记者 张三）",
    "（记者 张三）",
    "本报记者 王五 摄",
    "——",
    "“”",
    "。。。\n\n！！！\n\n？",
    "\u3000。",
    "#\n\n**",
    "# 。",
    "** **",
]


@pytest.mark.parametrize("page", ODD_PAGES)
def test_odd_items_read_without_error(page):
    issue = read(page)
    assert_nothing_lost(page, issue)
    for article in issue.articles:
        assert article.title is None or article.title.strip(), repr(article.title)
        assert article.body or article.title or article.dateline or article.byline or article.closing


def test_every_article_has_a_display_title():
    """The model never holds an article whose display title is empty or whitespace."""
    blank = [(page, a) for page in ODD_PAGES for a in read(page).articles if not a.display_title.strip()]
    assert not blank


def test_display_title_fallbacks():
    """No headline: the first sentence; text that opens with punctuation: its first
    words; no letter or digit at all: the neutral label."""
    titles = {
        page: [a.display_title for a in read(page).articles]
        for page in (
            "本报讯 正文。",
            "……正文继续。",
            "……\n\n正文。",
            "……",
            "。",
            "！本报记者 王五 摄",
            "本报讯",
        )
    }
    label = pressout.model.DISPLAY_TITLE_NONE
    assert titles == {
        "本报讯 正文。": ["正文"],
        "……正文继续。": ["正文继续"],
        "……\n\n正文。": ["正文"],
        "……": [label],
        "。": [label],
        "！本报记者 王五 摄": [label],
        "本报讯": [label],
    }


# --- defect 12: only regular files, of bounded size ----------------------------------------


def _message(exc: BaseException, path: object) -> str:
    """The error's one line, which names the file."""
    assert isinstance(exc, InputError), repr(exc)
    message = str(exc)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    return message


def _refusal(call, path) -> str:
    with pytest.raises(InputError) as err:
        call(path)
    return _message(err.value, path)


def _opened_for_reading(fifo: Path) -> bool:
    """Whether something has the FIFO open for reading: only then can its write end be
    opened without waiting (else ENXIO). Opening it frees a reader that waits for a writer."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        return False
    return True


def _in_thread(call, fifo: Path) -> BaseException | None:
    """``call(fifo)`` in a thread, while the test watches the FIFO (not a clock): should the
    call open it for reading, the test sees the reader, opens the write end (which frees a
    reader waiting for a writer), and fails."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            call(fifo)
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    opened = wait_for(lambda: "opened" if _opened_for_reading(fifo) else "done" if outcome else None,
                      f"{call.__name__} neither opened the FIFO nor returned", interval=0.001)
    if opened == "opened":
        worker.join(DEADLINE)
        pytest.fail(f"{call.__name__} opened the FIFO to read it")
    worker.join()
    return outcome[0]


@pytest.mark.parametrize("call", [read_page, read_tei], ids=["page", "tei"])
def test_fifo_is_refused_without_opening_it(call, tmp_path):
    fifo = tmp_path / ("page.txt" if call is read_page else "corpus.xml")
    os.mkfifo(fifo)
    what = "page file" if call is read_page else "TEI archive"
    assert _message(_in_thread(call, fifo), fifo).endswith(f"is a FIFO (named pipe), not a {what}")


@pytest.mark.parametrize("call", [read_page, read_tei], ids=["page", "tei"])
def test_devices_and_folders_are_refused(call, tmp_path):
    what = "page file" if call is read_page else "TEI archive"
    for device in ("/dev/zero", "/dev/null", "/dev/urandom"):
        if os.path.exists(device):
            assert _refusal(call, device).endswith(f"is a character device, not a {what}")
    assert _refusal(call, tmp_path).endswith(f"is a folder, not a {what}")
    assert "no such file" in _refusal(call, tmp_path / "missing.txt").lower()


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert _refusal(read_page, path).endswith("is a socket, not a page file")


def test_symlinks_are_followed_to_what_they_name(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("标题\n\n本报讯 正文。\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(page)
    read_through = read_page(link, meta=META)
    assert read_through.sha256 == read_page(page).sha256
    assert [a.title for a in read_through.articles] == ["标题"]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    fifo_link = tmp_path / "fifo-link.txt"
    fifo_link.symlink_to(fifo)
    assert _message(_in_thread(read_page, fifo_link), fifo_link).endswith(
        "is a FIFO (named pipe), not a page file"
    )
    device_link = tmp_path / "zero.txt"
    device_link.symlink_to("/dev/zero")
    assert _refusal(read_page, device_link).endswith("is a character device, not a page file")
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    assert _refusal(read_page, dangling).endswith("no such file")
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    assert "cannot read" in _refusal(read_page, loop)


def test_size_limit(tmp_path):
    assert MAX_PAGE_BYTES == 64 * 1024 * 1024
    page = tmp_path / "page.txt"
    text = "标题\n\n本报讯 正文。\n"
    page.write_text(text, encoding="utf-8")
    size = len(text.encode("utf-8"))
    assert read_page(page, max_bytes=size).articles  # exactly at the limit: read
    message = _refusal(lambda p: read_page(p, max_bytes=size - 1), page)
    assert message.endswith(f"is larger than the limit of {size - 1} bytes ([build] max_page_bytes)")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    message = _refusal(lambda p: read_page(p, max_bytes=1024 * 1024), big)
    assert message.endswith("is larger than the limit of 1 MB ([build] max_page_bytes)")


def test_default_limit_is_64_mb(tmp_path):
    """A sparse file just over 64 MB (no disk used) is refused by its size, unread."""
    page = tmp_path / "huge.txt"
    with open(page, "wb") as handle:
        handle.truncate(MAX_PAGE_BYTES + 1)
    assert _refusal(read_page, page).endswith("is larger than the limit of 64 MB ([build] max_page_bytes)")
    with pytest.raises(InputError, match=r"^t\.txt: is larger than the limit of 10 bytes"):
        decode_page(b"x" * 11, source="t.txt", max_bytes=10)
    with pytest.raises(InputError, match="is larger than the limit of 10 bytes"):
        read_bytes(b"x" * 11, source="t.txt", max_bytes=10)


def test_a_file_that_lies_about_its_size_is_read_no_further_than_the_limit(tmp_path, monkeypatch):
    """A regular file whose stat understates its size (it grows while it is read; /proc):
    the read stops after max_bytes + 1 bytes all the same."""
    page = tmp_path / "page.txt"
    page.write_bytes("正文。".encode() * 1000)
    real_stat = os.stat

    def stat_saying_empty(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if os.fspath(path) == str(page):
            fields = list(result)
            fields[stat.ST_SIZE] = 0
            return os.stat_result(fields)
        return result

    reads: list[int] = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "stat", stat_saying_empty)
    monkeypatch.setattr(os, "read", counting_read)
    assert _refusal(lambda p: read_page(p, max_bytes=100), page).endswith(
        "is larger than the limit of 100 bytes ([build] max_page_bytes)"
    )
    assert sum(reads) == 101
    reads.clear()
    assert read_source(page, max_bytes=len("正文。".encode()) * 1000) == page.read_bytes()


def test_proc_files_are_bounded():
    """/proc files are regular files that report size 0: the bounded read applies."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("no /proc here")
    assert "is larger than the limit of 10 bytes" in _refusal(lambda p: read_page(p, max_bytes=10), maps)


# --- the property: every character of any mixed page is in the model -----------------------

_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_SURNAME = st.sampled_from(sorted(SURNAMES))
NAMES = st.builds(lambda s, g: s + g, _SURNAME, st.text(_HAN, min_size=1, max_size=2))
PUNCTUATION = "，。！？：；、“”‘’（）《》—…·,.:;!?()"
_MIXED = st.one_of(_HAN, _HAN, _HAN, st.sampled_from(PUNCTUATION + "0123456789AZaz "))
CJK_TEXT = st.text(_MIXED, min_size=1, max_size=40)
SENTENCE = st.builds(
    lambda t, end: t + end, st.text(_HAN, min_size=1, max_size=30), st.sampled_from("。！？…”")
)
DATELINES = st.one_of(
    st.just("本报讯"),
    st.builds(
        lambda a, m, d: f"{a}北京{m}月{d}日电",
        st.sampled_from(AGENCIES),
        st.integers(1, 12),
        st.integers(1, 31),
    ),
    st.builds(lambda m, d: f"本报太原{m}月{d}日讯", st.integers(1, 12), st.integers(1, 31)),
)
PHOTO_CREDITS = st.one_of(
    st.builds(lambda n: f"本报记者 {n} 摄", NAMES),
    st.builds(lambda n: f"{n} 摄", NAMES),
    st.builds(lambda a, b: f"{a} {b} 摄", NAMES, NAMES),
    st.builds(lambda n: f"记者 {n} 摄影", NAMES),
)
CREDITS = st.one_of(
    st.builds(lambda n: f"（记者 {n}）", NAMES),
    st.builds(lambda n, m: f"（记者 {n} 通讯员 {m}）", NAMES, NAMES),
    st.builds(lambda n: f"记者 {n}", NAMES),
    st.builds(lambda n: f"（{n}）", NAMES),
    st.builds(lambda n: f"（以上由{n}编辑整理）", NAMES),
)
HEADLINE = st.text(_HAN, min_size=2, max_size=16)
PUNCTUATION_ONLY = st.text(st.sampled_from(PUNCTUATION + "—*#"), min_size=1, max_size=4)


@st.composite
def page_lines(draw: st.DrawFn) -> str:
    """One line of a page: a dateline before a sentence or caption, a credit alone or after
    text, a photo credit, a punctuation-only line, a headline-like line, a notice, jump
    line, column label, staff line, Markdown or LaTeX markup, or text."""
    shape = draw(
        st.sampled_from(
            [
                "dateline",
                "dated-caption",
                "caption",
                "credit",
                "photo-credit",
                "punctuation",
                "headline",
                "text",
                "sentence",
                "text+credit",
                "notice",
                "jump",
                "markdown",
                "long",
                "column",
                "editor-box",
                "tabs",
                "author",
                "script",
            ]
        )
    )
    space = draw(st.sampled_from(["", " ", "\u3000"]))
    if shape == "dateline":
        credit = draw(st.one_of(st.just(""), st.builds(lambda n: f"（记者 {n}）", NAMES)))
        lead = draw(DATELINES) + draw(st.sampled_from(["", " "])) + credit
        return lead + space + draw(st.one_of(SENTENCE, CJK_TEXT, st.just("")))
    if shape == "dated-caption":
        return (
            draw(DATELINES)
            + space
            + draw(st.sampled_from(["图为", ""]))
            + draw(SENTENCE)
            + space
            + draw(PHOTO_CREDITS)
        )
    if shape == "caption":
        return (
            draw(st.one_of(SENTENCE, PUNCTUATION_ONLY, CJK_TEXT))
            + draw(st.sampled_from(["", " "]))
            + draw(PHOTO_CREDITS)
        )
    if shape == "credit":
        return draw(CREDITS)
    if shape == "photo-credit":
        return draw(PHOTO_CREDITS)
    if shape == "punctuation":
        return draw(PUNCTUATION_ONLY)
    if shape == "headline":
        return draw(HEADLINE)
    if shape == "sentence":
        return draw(SENTENCE)
    if shape == "text+credit":
        return draw(SENTENCE) + draw(st.sampled_from(["", " "])) + draw(CREDITS)
    if shape == "notice":
        return (
            draw(st.sampled_from(["通告", "公告", "启事"]))
            + draw(st.sampled_from(["", " ", "："]))
            + draw(CJK_TEXT)
        )
    if shape == "jump":
        return f"（下转第{draw(st.integers(1, 16))}版）"
    if shape == "long":  # longer than a credit or headline can be
        return "".join(draw(st.lists(SENTENCE, min_size=3, max_size=6))) + draw(
            st.sampled_from(["", "，", "本报记者 王五 摄"])
        )
    if shape == "column":
        return (
            draw(HEADLINE)
            + draw(st.sampled_from(["|", "｜", " | "]))
            + draw(st.one_of(HEADLINE, st.just("")))
        )
    if shape == "editor-box":
        return (
            draw(st.sampled_from(["责任编辑", "版式设计", "编辑"]))
            + draw(st.sampled_from(["：", " "]))
            + draw(NAMES)
        )
    if shape == "tabs":
        return "\t".join(draw(st.lists(st.one_of(HEADLINE, PUNCTUATION_ONLY), min_size=2, max_size=3)))
    if shape == "author":
        return draw(st.sampled_from(["", "文/", "□"])) + draw(NAMES)
    if shape == "script":
        return (
            draw(HEADLINE) + draw(st.sampled_from(["PM_{2.5}", "m^2", "CO_2", "**加粗**"])) + draw(SENTENCE)
        )
    if shape == "markdown":
        return (
            draw(st.sampled_from(["# ", "## ", "**"]))
            + draw(st.one_of(HEADLINE, PUNCTUATION_ONLY))
            + draw(st.sampled_from(["", "**"]))
        )
    return draw(CJK_TEXT)


@st.composite
def mixed_pages(draw: st.DrawFn) -> str:
    lines = draw(st.lists(page_lines(), min_size=1, max_size=12))
    seps = draw(
        st.lists(
            st.sampled_from(["\n", "\n\n", "\n\n", "\r\n", "\n \n"]), min_size=len(lines), max_size=len(lines)
        )
    )
    return "".join(line + sep for line, sep in zip(lines, seps, strict=True))


EXAMPLES = int(os.environ.get("PRESSOUT_HYPOTHESIS_EXAMPLES", "100"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_pages())
def test_every_character_of_a_mixed_page_is_in_the_model(page):
    """Every letter and digit of the page is in the model's text or metadata, in page
    order (the documented normalisations change only spaces, punctuation width and
    markup, none of which is a letter or digit); and no article's display title is blank."""
    issue = read(page)
    assert_nothing_lost(page, issue)
    for article in issue.articles:
        assert article.title is None or article.title.strip()
        assert article.display_title.strip()
        for block in article.body:
            if isinstance(block, Paragraph):
                assert all(0 < j <= len(block.text) for j in block.joins)


def test_front_matter_keeps_every_word():
    """A block between two rules is front matter only when each of its lines is a
    ``key: value`` pair; a key the reader does not use is recorded (PO104), not dropped."""
    not_meta = read("---\n一段正文\n---\n")
    assert "一段正文" in model_text_in_page_order(not_meta)
    meta = read("---\ndate: 2024-06-07\nfoo: bar\npage: 3\n---\n本报讯 正文。\n")
    assert meta.date is not None and meta.date.isoformat() == "2024-06-07" and meta.page == 3
    [warning] = [d for d in meta.diagnostics if d.code == "PO104"]
    assert warning.message.endswith("foo: bar")
