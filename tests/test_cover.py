"""Cover images (pressout.export.cover): drawn with the machine's CJK font, deterministic,
recorded for the other formats, and a warning (no files) without a font."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from samples import paged_issue, sample_issue

from pressout import build
from pressout.export import cover

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture
def no_font(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRESSOUT_COVER_FONT", "/nonexistent/font.ttc")
    cover.find_font.cache_clear()
    yield
    monkeypatch.undo()
    cover.find_font.cache_clear()


def test_the_machine_has_a_cjk_font() -> None:
    # The tests' install (tools/install-test-tools.sh) puts Debian's fonts-noto-cjk here:
    # without it no cover would be drawn, and the tests below would test nothing.
    assert cover.find_font() is not None and cover.available()


def test_a_cover_and_its_thumbnail_are_grayscale_pngs_of_their_size_and_deterministic() -> None:
    issue = sample_issue()
    big, thumb = cover.cover_png(issue) or (b"", b"")
    cover._render.cache_clear()
    assert cover.cover_png(issue) == (big, thumb)  # drawn again: the same bytes
    for data, size in ((big, cover.SIZE), (thumb, cover.THUMB_SIZE)):
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.mode == "P" and image.size == size  # 16 grays, 4 bits
        palette = image.getpalette() or []
        assert all(palette[k] == palette[k + 1] == palette[k + 2] for k in range(0, len(palette), 3))
        assert not image.info.get("tIME") and "timestamp" not in image.info
    # ink where the masthead, the date and the headlines are; the margins blank
    image = Image.open(io.BytesIO(big)).convert("L")
    assert image.crop((60, 100, 540, 200)).getextrema()[0] < 50  # the masthead
    assert image.crop((0, 0, 40, 800)).getextrema() == (255, 255)  # the left margin


def test_the_cover_says_the_paper_date_and_pages() -> None:
    masthead, date, leads = cover._lines(paged_issue())
    assert (masthead, date) == ("都市快报", "2026年4月4日 星期六  共3版")
    assert leads == ["我市有了两个国家双创示范基地", "西湖景区清明假期迎客高峰", "地铁三号线北延段今日开通", "城市马拉松报名启动"]
    assert cover._face("zh-TW") == "TC" and cover._face("zh-HK") == "HK" and cover._face("zh-CN") == "SC"


def test_the_build_makes_covers_and_records_their_sizes(tmp_path: Path) -> None:
    from pressout.build.cache import Generation

    report = build([SEEDS], tmp_path / "dist", jobs=1)
    assert not [w for w in report.warnings if w.code == "PO401"]
    live = Generation.load(tmp_path / "dist")
    assert live is not None
    for source in live.pages:
        for head in live.page_heads(source):
            for rel in (f"covers/{head.id}.png", f"covers/{head.id}-thumb.png"):
                assert head.size(rel) == (tmp_path / "dist" / rel).stat().st_size


@pytest.mark.usefixtures("no_font")
def test_without_a_font_there_are_no_covers_and_one_warning(tmp_path: Path) -> None:
    assert cover.cover_png(sample_issue()) is None
    report = build([SEEDS], tmp_path / "dist", jobs=1)
    assert not report.failures and not (tmp_path / "dist" / "covers").exists()
    [warning] = [w for w in report.warnings if w.code == "PO401"]
    assert "no CJK font" in warning.message and "fonts-noto-cjk" in warning.message


def test_the_epub_carries_the_cover_image(tmp_path: Path) -> None:
    """The EPUB's manifest has the cover as its cover-image (and EPUB 2's meta name=cover,
    which Kindle reads): the same bytes as covers/{id}.png; the text cover page stays."""
    import zipfile

    from lxml import etree

    build([SEEDS], tmp_path / "dist", jobs=1)
    for book in sorted((tmp_path / "dist" / "epub").glob("*.epub")):
        with zipfile.ZipFile(book) as z:
            opf = etree.fromstring(z.read("EPUB/content.opf"))
            ns = {"o": "http://www.idpf.org/2007/opf"}
            [item] = opf.findall(".//o:manifest/o:item[@properties='cover-image']", ns)
            assert item.get("media-type") == "image/png"
            assert opf.find(".//o:metadata/o:meta[@name='cover']", ns).get("content") == item.get("id")
            image = z.read(f"EPUB/{item.get('href')}")
            assert "EPUB/cover.xhtml" in z.namelist()
        assert image == (tmp_path / "dist" / "covers" / f"{book.stem}.png").read_bytes()


@pytest.mark.usefixtures("no_font")
def test_without_a_font_the_epub_has_its_text_cover_only() -> None:
    import zipfile

    from pressout.export.epub import epub_bytes

    with zipfile.ZipFile(io.BytesIO(epub_bytes(sample_issue()))) as z:
        assert not [n for n in z.namelist() if n.endswith(".png")]
        assert "EPUB/cover.xhtml" in z.namelist()


def test_calibre_reads_title_creator_series_language_and_cover(tmp_path: Path) -> None:
    """What a library shows, as calibre's ``ebook-meta`` (Debian's calibre) reads it from the
    horizontal and the vertical book: the title, the paper as author, the series with its
    position, the language and the cover image (the same PNG)."""
    import subprocess

    from conftest import require_tool

    from pressout.config import Config

    ebook_meta = require_tool("ebook-meta")
    build([SEEDS], tmp_path / "dist", config=Config(jobs=1, vertical=True))
    issue = "tyrb-2021-11-08-a"
    for name, title, series in ((issue, "太原日报 2021年11月8日", "太原日报 #20211108"),
                                (f"{issue}-vertical", "太原日报 2021年11月8日 竖排", "太原日报 竖排 #20211108")):
        saved = tmp_path / f"{name}.png"
        shown = subprocess.run([ebook_meta, str(tmp_path / "dist" / "epub" / f"{name}.epub"), "--get-cover",
                                str(saved)], capture_output=True, text=True, timeout=120, check=True).stdout
        fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in shown.splitlines()) if v}
        assert fields["Title"] == title, shown
        assert fields["Author(s)"].startswith("太原日报"), shown
        assert fields["Series"] == series, shown
        assert fields["Languages"] == "zho", shown
        assert saved.read_bytes() == (tmp_path / "dist" / "covers" / f"{issue}.png").read_bytes()


def test_covers_off_makes_none_and_no_warning(tmp_path: Path) -> None:
    import zipfile

    from pressout.config import Config

    report = build([SEEDS], tmp_path / "dist", config=Config(jobs=1, covers=False))
    assert not (tmp_path / "dist" / "covers").exists() and not [w for w in report.warnings if w.code == "PO401"]
    for book in (tmp_path / "dist" / "epub").glob("*.epub"):
        with zipfile.ZipFile(book) as z:
            assert not [n for n in z.namelist() if n.endswith(".png")]
    assert "image" not in (tmp_path / "dist" / "opds" / "latest.xml").read_text(encoding="utf-8")
