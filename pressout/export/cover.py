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

``[epub] covers = false`` turns them off (a build then spends nothing on them: about 2.5 ms
of CPU an issue, a sixth of what the rest of an issue's outputs take). Most of that is
deflating the PNG as Pillow does (level 3, the same bytes); the lines are drawn from a
cache of glyphs (``_Glyphs``) and the PNG is written from the blank cover's (``_Template``),
both checked against Pillow's own drawing and PNG at a process's first cover.

Size: 600 × 800 pixels (the smallest cover Kobo and Kindle stores show sharp; a 10,000-issue
archive keeps its covers near 200 MB) and a 150 × 200 thumbnail, as OPDS clients list them.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zlib
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


def _fit(draw: Any, text: str, font: Any, width: int, exact: bool = False) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels (by characters, never bytes):
    the cut is found from each character's advance (measured once per font and character),
    then checked by measuring the line (the basic layout adds no kerning to CJK text).
    ``exact``: the font kerns nothing (``_glyphs``), so the advances are the line's length
    exactly, and the line is not measured again."""
    advances = [_advance(font, ch) for ch in text]
    if sum(advances) <= width and (exact or draw.textlength(text, font=font) <= width):
        return text
    ellipsis = _advance(font, "…")
    room = width - ellipsis
    cut, used = 0, 0.0
    while cut < len(text) and used + advances[cut] <= room:
        used += advances[cut]
        cut += 1
    while cut > 0 and (sum(advances[:cut]) + ellipsis if exact
                       else draw.textlength(text[:cut] + "…", font=font)) > width:
        cut -= 1
    return text[:cut] + "…"


@cache
def _advance(font: Any, ch: str) -> float:
    return float(font.getlength(ch))


_KERN_PAIRS = ("AV", "AT", "To", "Ty", "Wa", "Yo", "LT", "P.", "F,", "r.", "1年", "“中", "中”", "（中", "中）", "中，")


class _Glyphs:
    """A font's glyphs, each rendered once (``getmask2`` of the character alone) and then
    drawn where Pillow's basic layout puts it in a line: the same pixels as ``draw.text``
    of the whole line, for a fraction of its time (FreeType loads and renders every glyph
    of a line twice, and CJK outlines are slow to hint; a paper's headlines share most of
    their characters).

    Pillow draws a line as one mask: each glyph's bitmap at the pen position (the sum of
    the advances before it, rounded to a pixel) plus its bearing, the mask then blended
    into the image with the ink. Blending each glyph's own mask at the same place gives
    the same pixels as long as no two glyphs' inked boxes overlap (where they do, the mask
    combines them first): ``draw`` declines such a line (False), and the caller draws it
    with ``draw.text``. Only for a font whose advances are not changed by kerning
    (``_glyphs``), and checked against ``draw.text`` at a process's first cover
    (``_render``)."""

    def __init__(self, font: Any):
        self.font = font
        self.glyphs: dict[str, tuple[Any, int, int, tuple[int, int, int, int] | None, int]] = {}
        base = font.getbbox("中", anchor="ls")[1]  # the anchors' heights above the baseline
        self.heights = {a: font.getbbox("中", anchor="l" + a)[1] - base for a in "am"}

    def glyph(self, ch: str) -> tuple[Any, int, int, tuple[int, int, int, int] | None, int]:
        """The character's mask, its offset from the pen on the baseline, its inked box
        in the mask (None: no ink) and its advance in 1/64 pixels."""
        found = self.glyphs.get(ch)
        if found is None:
            mask, (dx, dy) = self.font.getmask2(ch, "L", anchor="ls")
            advance = round(self.font.getlength(ch) * 64)
            found = self.glyphs[ch] = (mask, dx, dy, mask.getbbox() if mask.size[0] and mask.size[1] else None,
                                       advance)
        return found

    def draw(self, draw: Any, xy: tuple[int, int], text: str, fill: int, anchor: str) -> bool:
        """``draw.text(xy, text, fill=fill, font=…, anchor=anchor)`` for an "L" image, the
        anchor "l" or "m" then "a" or "m"; False (nothing drawn) for a line it cannot draw
        alike."""
        if "\n" in text or not text:
            return False
        glyphs = [self.glyph(ch) for ch in text]
        position = 0
        pens = []
        for glyph in glyphs:
            pens.append((position + 32) >> 6)
            position += glyph[4]
        x = xy[0] - ((position // 2 + 32) >> 6 if anchor[0] == "m" else 0)
        y = xy[1] + self.heights[anchor[1]]
        right: int | None = None
        places = []
        for (mask, dx, dy, box, _), pen in zip(glyphs, pens, strict=True):
            if box is None:
                continue
            left = x + pen + dx
            if right is not None and left + box[0] < right:
                return False  # inked boxes overlap: the line's mask would combine them
            right = left + box[2] if right is None else max(right, left + box[2])
            places.append(((left, y + dy), mask))
        core = draw.draw
        ink = core.draw_ink(fill)
        for place, mask in places:
            core.draw_bitmap(place, mask, ink)
        return True


@cache
def _glyphs(font: Any) -> _Glyphs | None:
    """The glyph cache of a font, None when the font kerns (its lines are then drawn by
    Pillow): a kern table in the font file, or a pair whose length is not the sum of its
    characters' advances."""
    if _FAST is False or _kerns(font.path, font.index):
        return None
    for pair in _KERN_PAIRS:
        if round(font.getlength(pair) * 64) != sum(round(font.getlength(ch) * 64) for ch in pair):
            return None
    return _Glyphs(font)


@cache
def _kerns(path: str, index: int) -> bool:
    """Whether the face ``index`` of the font file has a ``kern`` table (FreeType kerns a
    basic layout with it); True when the file cannot be read as an sfnt."""
    import struct

    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
            offset = 0
            if head[:4] == b"ttcf":
                handle.seek(12 + 4 * index)
                offset = struct.unpack(">I", handle.read(4))[0]
            handle.seek(offset)
            tables = struct.unpack(">H", handle.read(6)[4:6])[0]
            records = handle.read(16 * tables)
    except (OSError, struct.error):
        return True
    if len(records) != 16 * tables:
        return True
    return any(records[k:k + 4] == b"kern" for k in range(0, len(records), 16))


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
    global _FAST
    path = find_font()
    assert path is not None
    if _FAST is None:  # a process's first cover: made both ways, the quick way kept if alike
        slow = _draw(path, masthead, date, leads, face, fast=False)
        big = _png(slow)
        _FAST = True
        fast = _draw(path, masthead, date, leads, face, fast=True)
        if fast.tobytes() != slow.tobytes() or _quick_png(path, masthead, face, fast) != big:
            _FAST = False
            _glyphs.cache_clear()
        image = slow
    else:
        image = _draw(path, masthead, date, leads, face, fast=_FAST)
        big = (_quick_png(path, masthead, face, image) if _FAST else None) or _png(image)
    factor = SIZE[0] // THUMB_SIZE[0]
    return big, _png(image.reduce(factor))


# Whether covers are drawn from the glyph cache (``_Glyphs``) and written from their blank
# cover's PNG (``_Template``): None until a process's first cover has been made both ways
# and compared with what Pillow alone makes.
_FAST: bool | None = None


def _quick_png(path: str, masthead: str, face: str, image: Any) -> bytes | None:
    """``_png(image)`` from the blank cover's PNG (``_Template``), None where it cannot."""
    from PIL import ImageChops

    width = image.size[0]
    changed = ImageChops.difference(image, _head(path, masthead, face))
    runs: list[list[int]] = []  # the rows that differ from the blank cover, [first, end) each
    for top, bottom in _STRIPS:
        box = changed.crop((0, top, width, bottom)).getbbox()
        if box is None:
            continue
        first, end = top + box[1], top + box[3]
        if runs and first <= runs[-1][1] + 1:  # (one row between them: filtered again either way)
            runs[-1][1] = end
        else:
            runs.append([first, end])
    if not runs:
        return None
    return _template(path, masthead, face).png(image, runs)


# Bands of the cover's rows, around its date line and each of its headlines: the rows drawn
# on are found in each (any bands would do; these leave out the blank rows between lines).
_STRIPS = ((0, 330), (330, 418), (418, 488), (488, 558), (558, 640), (640, SIZE[1]))


def _draw(path: str, masthead: str, date: str, leads: tuple[str, ...], face: str, fast: bool) -> Any:
    """The cover as an 8-bit gray image (``fast``: its lines drawn from the glyph cache)."""
    from PIL import ImageDraw

    image = _head(path, masthead, face).copy()
    draw = ImageDraw.Draw(image)
    width = SIZE[0]

    def text(xy: tuple[int, int], line: str, font: Any, fill: int, anchor: str) -> None:
        glyphs = _glyphs(font) if fast else None
        if glyphs is None or not glyphs.draw(draw, xy, line, fill, anchor):
            draw.text(xy, line, font=font, fill=fill, anchor=anchor)

    small = _font(path, 28, face)
    text((width // 2, 285), _fit(draw, date, small, width - 2 * _MARGIN, fast and _glyphs(small) is not None),
         small, 0, "mm")
    lead = _font(path, 34, face)
    exact = fast and _glyphs(lead) is not None
    y = 360
    for line in leads:
        text((_MARGIN, y), _fit(draw, line, lead, width - 2 * _MARGIN, exact), lead, 40, "la")
        y += 70
    return image


_GRAYS = 16  # gray levels kept: text and rules need no more, and a 4-bit PNG is half the bytes
_LEVELS = [(value * (_GRAYS - 1) + 127) // 255 for value in range(256)]
_PALETTE = [level * 255 // (_GRAYS - 1) for level in range(_GRAYS) for _ in range(3)]


def _levels(image: Any) -> Any:
    """``image`` (8-bit gray) as a palette image of 16 grays."""
    from PIL import Image

    levels = Image.frombytes("P", image.size, image.point(_LEVELS).tobytes())
    levels.putpalette(_PALETTE)
    return levels


def _save(levels: Any, compress_level: int) -> bytes:
    out = io.BytesIO()
    levels.save(out, "PNG", bits=4, compress_level=compress_level)
    return out.getvalue()


def _png(image: Any) -> bytes:
    """``image`` (8-bit gray) as a 4-bit palette PNG of 16 grays, deflate level 3 (a tenth
    of level 9's time for 15% more bytes: measured 3 against 48 ms a cover)."""
    return _save(_levels(image), 3)


def _chunks(png: bytes) -> Iterator[tuple[bytes, int, int]]:
    """A PNG's chunks: type, and where the chunk (length to CRC) begins and ends."""
    import struct

    at = 8
    while at < len(png):
        length = struct.unpack(">I", png[at:at + 4])[0]
        yield png[at + 4:at + 8], at, at + 12 + length
        at += 12 + length


def _idat(png: bytes) -> bytes:
    """The deflate stream of a PNG's image data."""
    return b"".join(png[start + 8:end - 4] for kind, start, end in _chunks(png) if kind == b"IDAT")


_IDAT_BLOCK = 65536  # Pillow writes the deflate stream in IDAT chunks of this many bytes (MAXBLOCK)
_STATES = 8  # compressor states kept per blank cover (one per first drawn row; nearly always one)


class _Template:
    """A paper's blank cover (``_head``) as Pillow writes it as a PNG, kept in pieces, so that
    a cover drawn on it is written byte for byte as Pillow writes it (``_png``) while only
    its drawn rows are filtered again and only the rows from the first drawn one on are
    deflated (the rows above it, the masthead, are half a cover's deflating).

    Pillow's PNG (``ZipEncode.c``) filters each row with the filter (none, up, sub, Paeth)
    whose bytes are nearest zero, from the row and the one above it alone, then deflates
    the filtered rows as one stream (level 3, a 32 KB window, memory level 9, strategy
    "filtered") into IDAT chunks of ``_IDAT_BLOCK`` bytes. So a cover's filtered rows are
    the blank cover's, except for its drawn rows and the row after them, which Pillow
    filters here (an image of those rows and the one above, written unpacked); and the
    deflater's state after the blank rows above the first drawn one is the same for every
    cover: it is kept (``zlib``'s ``copy``) and continued. The result is checked against
    Pillow's own bytes at a process's first cover (``_render``)."""

    def __init__(self, head: Any):
        levels = _levels(head)
        whole = _save(levels, 3)
        spans = [(start, end) for kind, start, end in _chunks(whole) if kind == b"IDAT"]
        self.prefix, self.suffix = whole[:spans[0][0]], whole[spans[-1][1]:]  # IHDR, PLTE …; IEND
        self.filtered = zlib.decompress(_idat(_save(levels, 0)))  # level 0: stored, the rows as filtered
        self.height = head.size[1]
        self.row = len(self.filtered) // self.height  # bytes of a filtered row (its filter's byte first)
        self.states: dict[int, tuple[bytes, Any]] = {}

    def start(self, top: int) -> tuple[bytes, Any]:
        """The deflate stream of the blank rows above row ``top`` so far, and the deflater."""
        found = self.states.get(top)
        if found is None:
            deflater = zlib.compressobj(3, zlib.DEFLATED, 15, 9, zlib.Z_FILTERED)
            found = (deflater.compress(self.filtered[:top * self.row]), deflater)
            if len(self.states) >= _STATES:
                del self.states[next(iter(self.states))]
            self.states[top] = found
        return found

    def png(self, image: Any, runs: list[list[int]]) -> bytes | None:
        """``_png(image)`` for an image that differs from the blank cover only in the rows
        of ``runs`` (``[first, end)``, in order, apart); None where this cannot say the same
        bytes. The rows of each run and the row after it are filtered again (by Pillow, in
        one image of the runs' rows each after the row above it), the others are the blank
        cover's."""
        from PIL import Image

        row, height, width = self.row, self.height, image.size[0]
        spans = [(max(first - 1, 0), min(end + 1, height)) for first, end in runs]
        band = Image.new("L", (width, sum(end - start for start, end in spans)))
        at = 0
        for start, end in spans:
            band.paste(image.crop((0, start, width, end)), (0, at))
            at += end - start
        filtered = zlib.decompress(_idat(_save(_levels(band), 0)))
        parts = []
        done, at = 0, 0  # rows of the image, and bytes of ``filtered``, taken so far
        for (first, _), (start, end) in zip(runs, spans, strict=True):
            parts.append(self.filtered[done * row:first * row])
            at += (first - start) * row  # the row above the run: filtered as if first, not as here
            parts.append(filtered[at:at + (end - first) * row])
            at += (end - first) * row
            done = end
        parts.append(self.filtered[done * row:])
        written, kept = self.start(runs[0][0])
        deflater = kept.copy()
        stream = b"".join([written, *map(deflater.compress, parts[1:]), deflater.flush()])
        if len(stream) % _IDAT_BLOCK == 0:
            return None  # (where Pillow may write an empty IDAT chunk last)
        out = [self.prefix]
        for at in range(0, len(stream), _IDAT_BLOCK):
            data = stream[at:at + _IDAT_BLOCK]
            out += [len(data).to_bytes(4, "big"), b"IDAT", data, zlib.crc32(data, _IDAT_CRC).to_bytes(4, "big")]
        out.append(self.suffix)
        return b"".join(out)


_IDAT_CRC = zlib.crc32(b"IDAT")


@lru_cache(maxsize=16)
def _template(path: str, masthead: str, face: str) -> _Template:
    return _Template(_head(path, masthead, face))


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
