"""pressout's own exceptions: one message for humans each, and the exit code the CLI uses.

A user mistake (a missing file, a page that is not text, a bad configuration value) is
one of these, never a traceback. The CLI prints ``pressout: error: <message>`` and exits
with the class's ``exit_code``:

====  ==========================================================
code  meaning
====  ==========================================================
0     success
1     partial failure: some pages were bad, the good ones were built
2     usage error (click's own code for a bad option or argument)
3     input error: a page is missing, unreadable, empty, binary or undecodable
4     configuration error: pressout.toml or the issue metadata
5     output error: the output folder cannot be written
6     validation failed (``pressout validate``)
130   interrupted (Ctrl-C); the previous output is left as it was
143   terminated (SIGTERM); the previous output is left as it was
====  ==========================================================
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "ConfigError",
    "InputError",
    "OutputError",
    "PressoutError",
    "ValidationFailed",
]


class PressoutError(Exception):
    """Base class: ``str(error)`` is one line that names the file and the problem."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | PathLike[str] | None = None) -> None:
        self.path = None if path is None else str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class InputError(PressoutError):
    """A source page (or TEI archive) that cannot be read as one."""

    exit_code = 3


class ConfigError(PressoutError):
    """A bad value in pressout.toml or the issue metadata sidecar."""

    exit_code = 4


class OutputError(PressoutError):
    """The output cannot be written where it was asked for."""

    exit_code = 5


class ValidationFailed(PressoutError):
    """A validator rejected a build."""

    exit_code = 6
