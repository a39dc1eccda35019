"""Finding a build's pages, and knowing a page by its bytes without reading it again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError

# The files a folder's pages are: page text, the dump formats the reader unwraps (a feed
# saved as .xml is a dump; a TEI archive is told from it by its root element: is_tei).
PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv", ".tsv",
                 ".rss", ".atom", ".xml")


def is_tei(path: str | os.PathLike[str]) -> bool:
    """Is this file a TEI archive (a ``TEI`` or ``teiCorpus`` root), not a page or a dump?
    Only ``.xml`` files can be; their first 4 KB tell."""
    if not os.fspath(path).lower().endswith(".xml"):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # (read as TEI, which reports the file it cannot read)
    return b"<TEI" in head or b"<teiCorpus" in head or b":TEI" in head


def find_pages(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Page files (``*.txt``, and dumps: ``PAGE_SUFFIXES``) and TEI archives (``*.xml``)
    named by ``sources`` (files or folders, not recursive), in a stable order; an InputError
    for a missing path or a folder without pages."""
    pages: list[Path] = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            if os.path.lexists(path):
                raise InputError("is a symbolic link that leads nowhere or loops", path=path)
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            # scandir, and the folder resolved once: an archive folder holds thousands of pages.
            folder = path.resolve()
            try:
                with os.scandir(path) as entries:
                    chosen = sorted((entry for entry in entries
                                     if entry.name.lower().endswith(PAGE_SUFFIXES)
                                     and not entry.name.startswith(".") and _is_file(entry)),
                                    key=lambda entry: entry.name)
            except OSError as exc:
                raise InputError(f"cannot read the folder: {exc.strerror or exc}", path=path) from None
            # A link that loops is kept as it is: the build reports it as a page it cannot read.
            found = [_resolved(entry) if entry.is_symlink() else folder / entry.name for entry in chosen]
            if not found:
                raise InputError("folder has no pages (*.txt, dumps such as *.json, *.html, *.md) "
                                 "or TEI archives (*.xml)", path=path)
            pages.extend(found)
        else:
            pages.append(path.resolve())
    return list(dict.fromkeys(pages))


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link to one; a link that loops or leads nowhere counts too
    (it is named among the pages, which then cannot be read: a one-line failure)."""
    try:
        return entry.is_file()
    except OSError:
        return True


def _resolved(entry: os.DirEntry[str]) -> Path:
    try:
        return Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return Path(os.path.abspath(entry.path))


# --- what the build knows of an issue without its text -------------------------------------


# A page file whose size, times, inode and device are as the last build saw them is not
# read again for its digest, as git's index does (an archive's build would read 160 MB to
# learn that one page is new). A file changed again within the file system's clock tick
# after it was read could keep its stamp ("racy git"), so only a file last changed this
# long before the build looked at it gets a stamp; a newer one is read every time.
_STAMP_SETTLED_NS = 2_000_000_000


def _content_digest(page: Path, known: list[Any] | None, since: int,
                    max_bytes: int) -> tuple[str, list[Any] | None]:
    """The sha256 (hex) of the page's bytes, and its stamp for the manifest (None: the file
    changed too recently to be known by its stamp). ``known`` is the last build's stamp;
    ``since`` the time (ns) the build started. A page that is not a regular file (a FIFO,
    a device) is an InputError before it is opened; so is one over ``max_bytes``."""
    from ..read.decode import check_regular_file, read_source, too_large

    st = os.stat(page)
    check_regular_file(st, page)
    if st.st_size > max_bytes:
        raise too_large(page, max_bytes)
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    if known is not None and known[:-1] == stamp:
        content = known[-1]
    else:  # (never more than max_bytes + 1 bytes: a file may grow while it is read)
        content = hashlib.sha256(read_source(page, max_bytes=max_bytes)).hexdigest()
    settled = since - max(st.st_mtime_ns, st.st_ctime_ns) >= _STAMP_SETTLED_NS
    return content, [*stamp, content] if settled else None

