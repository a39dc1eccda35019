"""Bytes of a page dump → text, or a clear InputError; never mojibake.

Chinese text dumps come as UTF-8 (with or without BOM), GB18030/GBK, or UTF-16 with a BOM.
The order of trust:

1. a BOM decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. NUL bytes without a UTF-16/32 BOM mean a binary file, not a page;
3. strict UTF-8;
4. when UTF-8 fails *everywhere* (almost every non-ASCII byte run is invalid), strict
   GB18030, accepted only if the result reads as Chinese (mostly common hanzi and CJK
   punctuation; UTF-8 bytes misread as GB18030 give rare characters);
5. otherwise the page is UTF-8 with damaged bytes: an error that gives the byte offset.

An explicit ``encoding`` skips the guessing; ``errors="replace"`` turns undecodable bytes
into U+FFFD instead of failing (reported as a warning by the caller).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["Decoded", "decode_page"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Characters XML 1.0 forbids (and feed readers reject): C0 controls except tab/LF/CR,
# DEL and C1 controls, lone surrogates, U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_LIMIT = 0.05  # more control characters than this share: not a text page


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # undecodable bytes replaced by U+FFFD (errors="replace")
    controls_removed: int = 0  # XML-invalid control characters dropped
    normalized: bool = False  # line ends, a BOM or Unicode composition changed (rule unicode-nfc)


def decode_page(data: bytes, *, source: str, encoding: str | None = None, errors: str = "strict") -> Decoded:
    """Decode a page's bytes; raises InputError naming ``source`` and the problem."""
    if errors not in ("strict", "replace"):
        raise InputError(f"unknown --errors value {errors!r} (use strict or replace)", path=source)
    if not data:
        raise InputError("file is empty", path=source)

    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", path=source) from None
        text, name = _decode_as(data, encoding, errors, source), encoding
    else:
        text, name = _guess(data, errors, source)
    replaced = text.count("\ufffd") if errors == "replace" else 0

    normalized = False
    if text.startswith("\ufeff"):
        text, normalized = text[1:], True
    suspect = _may_have_controls(data, text, name)
    controls = len(_XML_INVALID.findall(text)) if suspect and _XML_INVALID.search(text) else 0
    if controls > max(8, len(text) * _CONTROL_LIMIT):
        raise InputError(
            f"looks binary ({controls} control characters in {len(text)}), not a text page",
            path=source,
        )
    if controls:
        text = _XML_INVALID.sub("", text)
    if "\r" in text:
        text, normalized = text.replace("\r\n", "\n").replace("\r", "\n"), True
    if not unicodedata.is_normalized("NFC", text):
        text, normalized = unicodedata.normalize("NFC", text), True
    if not text or text.isspace():  # not text.strip(), without copying the page
        raise InputError("page has no text (only whitespace)", path=source)
    return Decoded(
        text=text, encoding=name, replaced=replaced, controls_removed=controls, normalized=normalized
    )


# Bytes that are not C0 controls or DEL (tab, LF and CR are allowed): deleting them leaves
# only the control bytes, a C-speed count for the common UTF-8 page.
_NOT_C0 = bytes(b for b in range(256) if not (b < 0x20 and b not in (9, 10, 13)) and b != 0x7F)


def _may_have_controls(data: bytes, text: str, encoding: str) -> bool:
    """False when a UTF-8 page surely has no character XML forbids (checked on the bytes:
    C0/DEL bytes, C1 controls \xc2\x80-\x9f, U+FFFE/U+FFFF), which is much faster than a
    regex over the text; any other encoding is checked on the text."""
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
        return True
    if data.translate(None, _NOT_C0) or "\ufffe" in text or "\uffff" in text:
        return True
    at = data.find(b"\xc2")  # U+0080-U+00BF: C1 controls are the first 32 of them
    while 0 <= at < len(data) - 1:
        if 0x80 <= data[at + 1] <= 0x9F:
            return True
        at = data.find(b"\xc2", at + 1)
    return False


def _decode_as(data: bytes, encoding: str, errors: str, source: str) -> str:
    try:
        return data.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid {encoding}: undecodable byte at offset {exc.start} "
            f"(pass --errors replace to keep going)",
            path=source,
        ) from None


def _guess(data: bytes, errors: str, source: str) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom) :], name, errors, source), name

    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"binary file (NUL byte at offset {nul}), not a text page; if it is UTF-16 "
            f"without a byte-order mark, pass --encoding utf-16-le",
            path=source,
        )

    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc

    if _mostly_invalid_utf8(data):
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _reads_as_chinese(text):
            return text, "gb18030"

    if errors == "replace":
        return data.decode("utf-8", errors="replace"), "utf-8"
    raise InputError(
        f"invalid UTF-8 at byte offset {utf8_error.start} and not GB18030 either "
        f"(pass --encoding, or --errors replace to keep going)",
        path=source,
    )


def _mostly_invalid_utf8(data: bytes) -> bool:
    """True when the non-ASCII bytes are mostly not UTF-8 (a legacy encoding, not damage)."""
    decoded = data.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    ascii_chars = len(decoded.encode("ascii", errors="ignore"))
    good = len(decoded) - ascii_chars - bad
    return bad > good


def _reads_as_chinese(text: str) -> bool:
    """Common hanzi (GB2312 level 1 covers 3755 of the most used) and CJK punctuation."""
    wide = [ch for ch in text[:200_000] if ord(ch) > 0x7F]  # a sample is enough
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            encoded = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        # GB2312 level 1 hanzi are rows 0xB0-0xD7; rows 0xA1-0xA9 are punctuation/symbols.
        if len(encoded) == 2 and (0xB0 <= encoded[0] <= 0xD7 or 0xA1 <= encoded[0] <= 0xA9):
            common += 1
    return common >= 0.8 * len(wide)
