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
70    internal error: a bug in pressout; the traceback is in a crash log (``crash_log``)
75    busy: another build holds the output folder's lock (``--wait`` waits for it)
130   interrupted (Ctrl-C); the previous output is left as it was
143   terminated (SIGTERM); the previous output is left as it was
====  ==========================================================
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "BusyError",
    "ConfigError",
    "INTERNAL_ERROR",
    "InputError",
    "OutputError",
    "PressoutError",
    "ValidationFailed",
    "crash_log",
    "one_line",
]

INTERNAL_ERROR = 70  # sysexits' EX_SOFTWARE: a bug, not the user's mistake


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


class BusyError(OutputError):
    """Another build is writing the same output folder (it holds ``.pressout/lock``)."""

    exit_code = 75  # sysexits' EX_TEMPFAIL: try again later


def one_line(exc: BaseException, limit: int = 200) -> str:
    """``str(exc)`` as one line of at most ``limit`` characters (for "internal error" lines)."""
    text = " ".join(str(exc).split())
    return text[:limit] + ("…" if len(text) > limit else "")


def crash_log(text: str) -> str:
    """Write ``text`` (a traceback) to a new crash log and return its path.

    The log goes to ``$XDG_STATE_HOME/pressout/`` (default ``~/.local/state/pressout/``),
    else to the system's temporary folder: never into the output folder, which a failed
    build leaves as it was. The name holds the time and the process id, so logs are never
    overwritten (the time is the clock's: a log is not an output)."""
    import os
    import tempfile
    import time

    name = f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    for folder in (os.path.join(state, "pressout"), os.path.join(tempfile.gettempdir(), "pressout")):
        try:
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, name)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return "(no crash log could be written)"
