"""pressout: read Chinese newspaper page dumps into one article model and publish it.

The public API is small and imports lazily, so ``import pressout`` (and the CLI) start fast::

    import pressout
    issue = pressout.read_page("seeds/004_e799359604fa2b7c.txt")
    print(issue.title, [a.display_title for a in issue.articles])
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it; resolved on first use (PEP 562).
_EXPORTS = {
    "Article": "pressout.model",
    "Contributor": "pressout.model",
    "Credit": "pressout.model",
    "Diagnostic": "pressout.model",
    "Figure": "pressout.model",
    "Furniture": "pressout.model",
    "Issue": "pressout.model",
    "Kind": "pressout.model",
    "Note": "pressout.model",
    "Paragraph": "pressout.model",
    "Role": "pressout.model",
    "Subhead": "pressout.model",
    "PressoutError": "pressout.errors",
    "InputError": "pressout.errors",
    "ConfigError": "pressout.errors",
    "OutputError": "pressout.errors",
    "build": "pressout.build",
    "BuildReport": "pressout.build",
    "read_page": "pressout.read",
    "read_text": "pressout.read",
    "issue_to_dict": "pressout.jsonio",
    "issue_from_dict": "pressout.jsonio",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pressout' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .build import BuildReport, build
    from .errors import ConfigError, InputError, OutputError, PressoutError
    from .jsonio import issue_from_dict, issue_to_dict
    from .model import (
        Article,
        Contributor,
        Credit,
        Diagnostic,
        Figure,
        Furniture,
        Issue,
        Kind,
        Note,
        Paragraph,
        Role,
        Subhead,
    )
    from .read import read_page, read_text
