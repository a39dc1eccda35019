"""Which reading rules acted on a page, for the TEI header's "rules actually applied".

The reader calls ``fired(rule)`` where a rule changes the text or decides the structure;
``tracing()`` collects the names for one page. A context variable keeps this out of
every function signature and costs nothing when no page is being traced. Loops that fire
rules line after line take ``recorder()`` once instead (the collecting set's own ``add``:
no context-variable lookup per rule fired).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["fired", "recorder", "tracing"]

_FIRED: ContextVar[set[str] | None] = ContextVar("pressout_rules_fired", default=None)


def fired(rule: str) -> None:
    collected = _FIRED.get()
    if collected is not None:
        collected.add(rule)


def _ignore(rule: str) -> None:
    pass


def recorder() -> Callable[[str], None]:
    """``fired`` for the page being read now (do not keep it past that page)."""
    collected = _FIRED.get()
    return collected.add if collected is not None else _ignore


@contextmanager
def tracing() -> Iterator[set[str]]:
    collected: set[str] = set()
    token = _FIRED.set(collected)
    try:
        yield collected
    finally:
        _FIRED.reset(token)
