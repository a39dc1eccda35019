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

``read_source`` reads the bytes of a page file: a regular file only (a symlink to one is
followed; a FIFO, device, socket or folder is refused after ``os.stat``, before it is
opened, so a FIFO never blocks the reader), and never more than ``max_bytes`` + 1 bytes
(default ``MAX_PAGE_BYTES``, the ``[build] max_page_bytes`` setting), so that neither a
file that grows while it is read nor one that reports a false size (``/proc``) is read
without limit.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass

from ..config import DEFAULT_MAX_PAGE_BYTES
from ..errors import InputError

__all__ = ["MAX_PAGE_BYTES", "Decoded", "check_regular_file", "decode_page", "read_source"]

# The largest page file read ([build] max_page_bytes): a page is a few 100 KB.
MAX_PAGE_BYTES = DEFAULT_MAX_PAGE_BYTES  # [build] max_page_bytes's default (64 MB)

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


def decode_page(
    data: bytes,
    *,
    source: str,
    encoding: str | None = None,
    errors: str = "strict",
    max_bytes: int | None = None,
) -> Decoded:
    """Decode a page's bytes; raises InputError naming ``source`` and the problem
    (``max_bytes``: the size limit, None for ``MAX_PAGE_BYTES``)."""
    if errors not in ("strict", "replace"):
        raise InputError(f"unknown --errors value {errors!r} (use strict or replace)", path=source)
    if not data:
        raise InputError("file is empty", path=source)
    limit = MAX_PAGE_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise too_large(source, limit)

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

    declared = _declared_charset(data)
    if declared is not None:  # an HTML or XML dump that says its encoding (and is not UTF-8)
        try:
            return data.decode(declared, errors=errors), declared
        except UnicodeDecodeError:
            pass
    if _mostly_invalid_utf8(data):
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _reads_as_chinese(text):
            return text, "gb18030"
        # Big5 (with the Hong Kong extension): Taiwan and Hong Kong dumps in Traditional.
        try:
            text = data.decode("big5hkscs")
        except UnicodeDecodeError:
            text = None
        if text is not None and _reads_as_traditional(text):
            return text, "big5hkscs"

    if errors == "replace":
        return data.decode("utf-8", errors="replace"), "utf-8"
    raise InputError(
        f"invalid UTF-8 at byte offset {utf8_error.start} and not GB18030 or Big5 either "
        f"(pass --encoding, or --errors replace to keep going)",
        path=source,
    )


# A declared charset: <meta charset="big5">, <meta http-equiv=… content="…; charset=gbk">,
# <?xml … encoding="GB2312"?>, in the first bytes (ASCII in every one of these encodings).
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_-]{2,20})""", re.IGNORECASE)
_LEGACY = {
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030",
}


def _declared_charset(data: bytes) -> str | None:
    """The legacy Chinese encoding an HTML or XML file declares (its superset: GB2312 and
    GBK are read as GB18030, Big5 as Big5-HKSCS), or None."""
    head = data[:4096]
    if b"<" not in head:
        return None
    found = _DECLARED.search(head)
    return _LEGACY.get(found.group(1).decode("ascii").lower()) if found else None


def _reads_as_traditional(text: str) -> bool:
    from .script import script_of

    return script_of(text) == "Hant"


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


# --- reading a page file ------------------------------------------------------------------


def too_large(source: str | os.PathLike[str], limit: int) -> InputError:
    size = f"{limit // (1024 * 1024)} MB" if limit and limit % (1024 * 1024) == 0 else f"{limit:,} bytes"
    return InputError(f"is larger than the limit of {size} ([build] max_page_bytes)", path=source)


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def check_regular_file(
    status: os.stat_result, source: str | os.PathLike[str], what: str = "page file"
) -> None:
    """InputError unless ``status`` (of ``source``, symlinks followed) is a regular file."""
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"is a folder, not a {what}", path=source)
    kind = _kind(mode)
    raise InputError(f"is {kind}, not a {what}" if kind.startswith("a ") else f"is {kind}", path=source)


def stat_source(source: str | os.PathLike[str], what: str = "page file") -> os.stat_result:
    """``os.stat`` of a source named by the user (symlinks followed), as an InputError when
    it is missing or not a regular file; nothing is opened."""
    try:
        status = os.stat(source)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError("no such file", path=source) from None
    except PermissionError:
        raise InputError("permission denied", path=source) from None
    except ValueError:  # a NUL in the name
        raise InputError("no such file (the name holds a NUL character)", path=source) from None
    except OSError as exc:  # a loop of symlinks, a name too long …
        raise InputError(f"cannot read: {exc.strerror or exc}", path=source) from None
    check_regular_file(status, source, what)
    return status


_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
)


def read_source(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """The bytes of a page file, or an InputError naming it: not a regular file (checked
    before it is opened), unreadable, or larger than ``max_bytes`` (None: MAX_PAGE_BYTES).
    At most ``max_bytes`` + 1 bytes are ever read."""
    limit = MAX_PAGE_BYTES if max_bytes is None else max_bytes
    status = stat_source(path)
    if status.st_size > limit:
        raise too_large(path, limit)
    try:
        # O_NONBLOCK: should the file have become a FIFO since the stat, opening it does
        # not wait for a writer (the fstat below refuses it). Regular files ignore it.
        fd = os.open(path, _OPEN_FLAGS)
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        check_regular_file(os.fstat(fd), path)
        # The size the stat gave, and one byte more to see the end (or that it grew):
        # usually one read for the data and one that finds the end.
        want = min(status.st_size, limit) + 1
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_large(path, limit)
            want = min(max(want, 1 << 20), limit + 1 - total)
    except OSError as exc:
        if exc.errno == errno.EACCES:
            raise InputError("permission denied", path=path) from None
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
