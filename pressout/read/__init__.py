"""Readers: a newspaper page dump (``read_page``) or a pressout TEI archive (``read_tei``)
into the article model. Submodules import lazily, so that light users (the build's cache
check reads only ``meta``) do not pay for the whole reader."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["IssueMeta", "read_bytes", "read_page", "read_tei", "read_text"]

_EXPORTS = {
    "IssueMeta": "pressout.read.meta",
    "read_bytes": "pressout.read.page",
    "read_page": "pressout.read.page",
    "read_text": "pressout.read.page",
    "read_tei": "pressout.read.tei",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pressout.read' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from .meta import IssueMeta
    from .page import read_bytes, read_page, read_text
    from .tei import read_tei
