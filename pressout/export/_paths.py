"""Where a one-file writer (``write_epub``, ``write_tei``) writes: a file, or into a folder."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputError

__all__ = ["ensure_folder", "file_target", "means_folder"]

_SEPARATORS = tuple({"/", os.sep, os.altsep or os.sep})


def means_folder(path: str | os.PathLike[str]) -> bool:
    """``path`` names a folder: it ends with a slash (``/`` or ``os.sep``) or is an existing
    directory."""
    return os.fspath(path).endswith(_SEPARATORS) or Path(path).is_dir()


def ensure_folder(folder: str | os.PathLike[str]) -> Path:
    """Make ``folder`` (and the folders above it) if it is missing; an OutputError when it
    cannot be made or is a file."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write into this folder: {error.strerror or error}", path=path) from error
    return path


def file_target(path: str | os.PathLike[str], name: str) -> Path:
    """The file to write: ``path`` itself, or ``path/name`` when ``path`` names a folder
    (``means_folder``), which is then made if it is missing."""
    if means_folder(path):
        return ensure_folder(path) / name
    return Path(path)
