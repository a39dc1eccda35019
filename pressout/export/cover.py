"""Covers: a raster image of each issue's front (``covers/{id}.png``) and its thumbnail
(``covers/{id}-thumb.png``), for the libraries of e-readers and OPDS clients, which show
an image, not an XHTML page, for a book.

The cover shows what a reader looks for on a shelf of papers: the masthead (the paper's
name, large), the date with its weekday, the page (第3版, A03版) or, for a whole issue, how
many pages it holds, and the first headlines, as the printed front page leads with them.
It is drawn with a CJK font found on this machine (``find_font``: Noto CJK, as Debian's
``fonts-noto-cjk`` installs it, or any font ``fc-match`` gives for Chinese), never one
downloaded at run time. Without a CJK font (or without Pillow) there is no image: the
format makes no files, the build warns once (PO401), and the EPUB keeps its XHTML cover
page alone.

Determinism: the same issue and font give the same bytes. The image is grayscale, drawn
with Pillow's basic text layout (not the system's shaping library, whose version would
change the pixels) and written without timestamps; the font file's path and size are part
of the build's configuration fingerprint (``font_identity``), so installing another font
makes every cover again.

``[epub] covers = false`` turns them off (a build then spends nothing on them: about 6 ms
of CPU an issue, the third of what the rest of an issue's outputs take).

Size: 600 × 800 pixels (the smallest cover Kobo and Kindle stores show sharp; a 10,000-issue
archive keeps its covers near 200 MB) and a 150 × 200 thumbnail, as OPDS clients list them.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from ..model import Issue, Kind
from .registry import Exporter, Settings

__all__ = ["COVER", "EXPORTER", "THUMBNAIL", "cover_png", "find_font", "font_identity"]

COVER = "covers/{id}.png"
THUMBNAIL = "covers/{id}-thumb.png"
SIZE = (600, 800)
THUMB_SIZE = (150, 200)
LEADS = 4  # headlines under the masthead
# Noto CJK's collections hold one face per region, in this order (Debian's fonts-noto-cjk).
_FACES = {"JP": 0, "KR": 1, "SC": 2, "TC": 3, "HK": 4}
_NOTO = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
         "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_WEEKDAYS = "一二三四五六日"


@cache
def find_font() -> str | None:
    """The path of a CJK font on this machine: Noto CJK where Debian puts it, else what
    ``fc-match`` gives for Chinese (when it has Chinese glyphs), else None."""
    override = os.environ.get("PRESSOUT_COVER_FONT")
    if override:
        return override if os.path.isfile(override) else None
    for path in _NOTO:
        if os.path.isfile(path):
            return path
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{lang}", ":lang=zh-cn"], capture_output=True,
                               text=True, timeout=10, check=False).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) == 2 and os.path.isfile(found[0]) and "zh-cn" in found[1].split("|"):
        return found[0]
    return None


def font_identity() -> str:
    """What the covers are drawn with, for the build's fingerprint: the font's path and
    size, "pillow missing" or "no font"."""
    if not _pillow():
        return "pillow missing"
    path = find_font()
    if path is None:
        return "no font"
    return f"{path}:{os.path.getsize(path)}"


def available() -> bool:
    """Whether covers can be drawn here (asked for every issue: no file is looked at
    again once the font is found)."""
    return _pillow() and find_font() is not None


@cache
def _pillow() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def _face(language: str) -> str:
    tag = language.lower()
    if tag.endswith("-hk") or tag.endswith("-mo"):
        return "HK"
    if "hant" in tag or tag.endswith("-tw"):
        return "TC"
    return "SC"


@cache
def _font(path: str, size: int, face: str) -> Any:
    from PIL import ImageFont

    index = _FACES.get(face, 0) if path.endswith(".ttc") else 0
    try:
        return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
    except OSError:  # a collection without that face (Serif has no HK): its Traditional one
        return ImageFont.truetype(path, size, index=_FACES["TC"] if face == "HK" else 0,
                                  layout_engine=ImageFont.Layout.BASIC)


def _fit(draw: Any, text: str, font: Any, width: int) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels (by characters, never bytes):
    the cut is found from each character's advance (measured once per font and character),
    then checked by measuring the line (the basic layout adds no kerning to CJK text)."""
    advances = [_advance(font, ch) for ch in text]
    if sum(advances) <= width and draw.textlength(text, font=font) <= width:
        return text
    room = width - _advance(font, "…")
    cut, used = 0, 0.0
    while cut < len(text) and used + advances[cut] <= room:
        used += advances[cut]
        cut += 1
    while cut > 0 and draw.textlength(text[:cut] + "…", font=font) > width:
        cut -= 1
    return text[:cut] + "…"


@cache
def _advance(font: Any, ch: str) -> float:
    return float(font.getlength(ch))


def _lines(issue: Issue) -> tuple[str, str, list[str]]:
    """The masthead, the date line and the lead headlines of the cover."""
    from .html import headline

    date = "日期不详"
    if issue.date is not None:
        d = issue.date
        date = f"{d.year}年{d.month}月{d.day}日 星期{_WEEKDAYS[d.weekday()]}"
    if issue.page_label:
        date += f"  {issue.page_label}"
    elif len(issue.pages) > 1:
        date += f"  共{len(issue.pages)}版"
    leads = [headline(a) for a in issue.articles if a.kind is Kind.ARTICLE and a.title][:LEADS]
    return issue.masthead, date, leads or [headline(a) for a in issue.articles[:LEADS]]


def cover_png(issue: Issue) -> tuple[bytes, bytes] | None:
    """The cover and its thumbnail as PNG bytes; None without Pillow or a CJK font."""
    if not available():
        return None
    masthead, date, leads = _lines(issue)
    return _render(issue.id, masthead, date, tuple(leads), _face(issue.language))


@lru_cache(maxsize=1)
def _render(ident: str, masthead: str, date: str, leads: tuple[str, ...], face: str) -> tuple[bytes, bytes]:
    # (The last one kept: the EPUB of the issue being made shows the same image.)
    from PIL import ImageDraw

    path = find_font()
    assert path is not None
    image = _head(path, masthead, face).copy()
    draw = ImageDraw.Draw(image)
    width = SIZE[0]
    small = _font(path, 28, face)
    draw.text((width // 2, 285), _fit(draw, date, small, width - 2 * _MARGIN), font=small, fill=0, anchor="mm")
    lead = _font(path, 34, face)
    y = 360
    for text in leads:
        draw.text((_MARGIN, y), _fit(draw, text, lead, width - 2 * _MARGIN), font=lead, fill=40, anchor="la")
        y += 70
    factor = SIZE[0] // THUMB_SIZE[0]
    return _png(image), _png(image.reduce(factor))


_GRAYS = 16  # gray levels kept: text and rules need no more, and a 4-bit PNG is half the bytes
_LEVELS = [(value * (_GRAYS - 1) + 127) // 255 for value in range(256)]
_PALETTE = [level * 255 // (_GRAYS - 1) for level in range(_GRAYS) for _ in range(3)]


def _png(image: Any) -> bytes:
    """``image`` (8-bit gray) as a 4-bit palette PNG of 16 grays, deflate level 3 (a tenth
    of level 9's time for 15% more bytes: measured 3 against 48 ms a cover)."""
    from PIL import Image

    levels = Image.frombytes("P", image.size, image.point(_LEVELS).tobytes())
    levels.putpalette(_PALETTE)
    out = io.BytesIO()
    levels.save(out, "PNG", bits=4, compress_level=3)
    return out.getvalue()


_MARGIN = 48


@lru_cache(maxsize=16)
def _head(path: str, masthead: str, face: str) -> Any:
    """The blank cover with the masthead and its rules: the same for every issue of a paper,
    drawn once (its big glyphs are half of a cover's drawing time)."""
    from PIL import Image, ImageDraw

    width, height = SIZE
    image = Image.new("L", SIZE, 255)
    draw = ImageDraw.Draw(image)
    big = _font(path, 96 if len(masthead) <= 5 else 72, face)
    draw.text((width // 2, 150), _fit(draw, masthead, big, width - 2 * _MARGIN), font=big, fill=0, anchor="mm")
    draw.rectangle((_MARGIN, 230, width - _MARGIN, 236), fill=0)
    draw.rectangle((_MARGIN, 244, width - _MARGIN, 245), fill=0)
    draw.rectangle((_MARGIN, height - 60, width - _MARGIN, height - 58), fill=0)
    return image


class CoverExporter(Exporter):
    """``covers/{id}.png`` and ``covers/{id}-thumb.png`` per issue (none without a font)."""

    name = "covers"
    sized = True  # their sizes are in IssueHead.sizes: the OPDS catalog links them when made

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return (COVER, THUMBNAIL) if settings.config.covers and available() else ()

    def notices(self, settings: Settings) -> tuple[tuple[str, str], ...]:
        if available() or not settings.config.covers:
            return ()
        why = "Pillow is not installed" if font_identity() == "pillow missing" else "no CJK font was found"
        return (("PO401", f"no cover images: {why} (install fonts-noto-cjk, or set PRESSOUT_COVER_FONT to a "
                 "CJK font file); the EPUBs keep their text cover page"),)

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        images = cover_png(issue) if settings.config.covers else None
        if images is None:
            return
        yield COVER.format(id=issue.id), images[0]
        yield THUMBNAIL.format(id=issue.id), images[1]



EXPORTER = CoverExporter()
