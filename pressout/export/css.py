"""The shipped style sheets (the top-level ``styles/`` folder), wherever pressout runs from.

Installed, ``styles/`` is the package ``pressout.styles``. Run from a source checkout
(``python -m pressout`` in the repository, where the checkout's ``pressout/`` shadows any
installed copy), it is the ``styles/`` folder beside the package.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["stylesheet"]

_CHECKOUT = Path(__file__).resolve().parent.parent.parent / "styles"


@cache
def stylesheet(name: str) -> bytes | None:
    """The bytes of a shipped style sheet (``article.css`` …), or None if there is none."""
    try:
        source = resources.files("pressout.styles").joinpath(name)
        if source.is_file():
            return source.read_bytes()
    except ModuleNotFoundError:
        pass
    fallback = _CHECKOUT / name
    return fallback.read_bytes() if fallback.is_file() else None
