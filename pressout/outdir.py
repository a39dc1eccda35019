"""The output folder is pressout's alone: where a build may write, its lock, and the
files in it that pressout did not write (which it never deletes).

**Where a build may write.** A folder that is absent (it is made, and the folders above
it), empty, or marked as a pressout output (it has a ``.pressout/`` folder: the build's
cache, manifest and lock). A folder that holds anything else is refused (OutputError,
exit 5) unless the caller says ``force_output`` (``--force-output``), and even then the
files in it are kept (below). Whatever ``force_output`` says, a build never writes into
the file system's root, the home folder or a folder above it, the current folder or a
folder above it, a folder that holds the sources, the configuration or the style sheets,
or a mount point (the build replaces the folder with a rename, which a mount point does
not allow). A folder holding only what a repository keeps to hold a folder
(``README.md``, ``.gitkeep``, ``.keep``, ``.gitignore``) counts as empty: the repository's
own ``dist/`` is one. An output folder that is a symbolic link is built in its target;
the link stays.

**The user's files.** A file or folder in the output that the last build's manifest does
not list (or, with no manifest, any at all) is the user's: each build carries it into
the new output (hard-linked, so that the old output keeps it until the new one is in
place), and refuses to build (OutputError) rather than replace one with an output of the
same name. The build cache ``.pressout/`` is pressout's. After an upgrade whose cache
pressout cannot read, the files in pressout's own places (``epub/``, ``tei/``,
``issues/``, ``years/``, ``archive/``, ``styles/`` and the feed and front page names) are
taken as pressout's.

**The lock.** A build holds an exclusive ``flock`` on ``.pressout/lock`` from before it
looks at the output until the new output is in place. A second build on the same folder
fails at once (BusyError, exit 75), or with ``wait`` waits for it. A lock dies with its
process, so a build that was killed leaves no stale lock. Each generation of the output
has its own lock file (the folder is swapped as a whole), so a build that waited checks,
once it has the lock, that its lock file is still the output's, and else locks the new
one; the build locks the new generation's file before it swaps it in.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .errors import BusyError, OutputError

__all__ = ["KEEP_NAMES", "OutputLock", "carry", "foreign_files", "output_folder"]

CACHE_DIR = ".pressout"
LOCK = f"{CACHE_DIR}/lock"
# What a repository keeps in a folder to hold it: a folder of only these counts as empty.
KEEP_NAMES = frozenset({"README.md", ".gitkeep", ".keep", ".gitignore"})
# pressout's own places, for an output whose manifest this version cannot read.
_OWN_FOLDERS = ("epub/", "tei/", "issues/", "years/", "archive/", "styles/")
_OWN_FILES = frozenset({"index.html", "atom.xml", "rss.xml", "feed.json", "editions.xml", "editions-rss.xml"})


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def output_folder(out: str | os.PathLike[str], *, guarded: Iterable[tuple[str, str | os.PathLike[str]]] = (),
                  force_output: bool = False) -> Path:
    """The real folder a build of ``out`` writes: checked as the module docstring says,
    the folders above it made. ``guarded`` names what must not be inside it: pairs of
    (what it is, path), e.g. ("the sources", page)."""
    given = Path(out)
    real = Path(os.path.realpath(given))  # a symlinked output: its target
    if real.exists() and not real.is_dir():
        raise OutputError("output path is a file, not a folder", path=given)
    home = Path(os.path.realpath(os.path.expanduser("~")))
    try:
        cwd: Path | None = Path(os.path.realpath(os.getcwd()))
    except OSError:  # the current folder was deleted
        cwd = None
    refusals = [(real == Path(real.anchor), "it is the file system's root"),
                (_inside(home, real), "it is your home folder or holds it"),
                (cwd is not None and _inside(cwd, real), "it is the current folder or holds it")]
    for why, inside in refusals:
        if why:
            raise OutputError(f"refusing to build here: {inside}; choose a folder of its own, such as dist/",
                              path=given)
    for what, path in guarded:
        if _inside(Path(os.path.realpath(path)), real):
            raise OutputError(f"refusing to build here: it holds {what} ({path}); the build replaces the "
                              "whole output folder, so choose one apart from them", path=given)
    if real.is_dir():
        if os.path.ismount(real):
            raise OutputError("refusing to build here: it is a mount point, which the build cannot replace; "
                              "build into a folder inside it", path=given)
        if not force_output and not (real / CACHE_DIR).is_dir():
            try:
                names = sorted(set(os.listdir(real)) - KEEP_NAMES)
            except OSError as exc:
                raise OutputError(f"cannot read the output folder: {exc.strerror or exc}", path=given) from None
            if names:
                raise OutputError(f"refusing to build here: the folder is not empty and not a pressout output "
                                  f"(it holds {names[0]!r}{' …' if len(names) > 1 else ''}); choose a new or "
                                  "empty folder, or add --force-output to build beside those files (pressout "
                                  "never deletes a file it did not write)", path=given)
        if not os.access(real, os.W_OK | os.X_OK):
            raise OutputError("output folder is not writable", path=given)
    parent = real.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder that holds the output: {exc.strerror or exc}",
                          path=parent) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError("the folder that holds the output is not writable", path=parent)
    return real


# --- the lock ------------------------------------------------------------------------------


class OutputLock:
    """The build's lock on an output folder (see the module docstring). ``fds`` are the
    open lock files: a worker process closes its copies (``close_inherited``)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fds: list[int] = []
        self.made: list[Path] = []  # what acquire made (removed again if no build lands)

    def acquire(self, *, wait: bool, on_wait: Callable[[], None] | None = None) -> None:
        """Take the lock, making ``.pressout/`` (and the folder) if need be. Busy: a
        BusyError, or with ``wait`` a wait (``on_wait`` is called once, as it starts)."""
        import fcntl

        for path in (self.folder, self.folder / CACHE_DIR):
            if not path.exists():
                try:
                    path.mkdir()
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise OutputError(f"cannot make the output folder: {exc.strerror or exc}", path=path) from None
                else:
                    self.made.append(path)
        target = self.folder / LOCK
        told = False
        while True:
            try:
                fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise OutputError(f"cannot open the build lock: {exc.strerror or exc}", path=target) from None
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not wait:
                        raise BusyError("another pressout build is writing this output folder; run again when "
                                        "it has finished, or add --wait to wait for it", path=self.folder) from None
                    if not told and on_wait is not None:
                        on_wait()
                        told = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                # The file may have been swapped out while we waited: hold the output's own.
                now = os.stat(target)
                mine = os.fstat(fd)
                if (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
                    self.fds.append(fd)
                    return
            except FileNotFoundError:
                pass
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)

    def add(self, tree: Path) -> None:
        """A new lock file in ``tree`` (the generation about to be swapped in), held too."""
        import fcntl

        path = tree / LOCK
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # new: nobody else has it
        self.fds.append(fd)

    def release(self, *, landed: bool) -> None:
        """Let go. When no build landed (``landed`` False), what ``acquire`` made is removed
        again: a failed first build leaves no empty output folder."""
        if not landed:
            for path in reversed(self.made):
                try:
                    if path.name == CACHE_DIR:
                        os.unlink(path / "lock")
                    os.rmdir(path)
                except OSError:
                    break  # something else is in it now: it stays
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        self.made = []


# --- the user's files -------------------------------------------------------------------------


def _entries(root: Path) -> list[str]:
    """The files (links included) and empty folders under ``root``, ``.pressout/`` left
    out, as relative POSIX paths (folders with a trailing slash)."""
    found: list[str] = []
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            names = list(entries)
        if not names and prefix:
            found.append(prefix)
        for entry in names:
            rel = prefix + entry.name
            if rel == CACHE_DIR:
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, rel + "/"))
            else:
                found.append(rel)
    return sorted(found)


def foreign_files(root: Path, expected: set[str] | None, *, old_manifest: bool = False) -> list[str]:
    """What in the output folder ``root`` pressout did not write: what the manifest's
    ``expected`` files do not name; with no manifest (``expected`` None), everything, or
    with ``old_manifest`` (one this version cannot read) what is not in pressout's own
    places."""
    if not root.is_dir():
        return []
    entries = _entries(root)
    if expected is not None:
        return [rel for rel in entries if rel not in expected]
    if not old_manifest:
        return entries
    return [rel for rel in entries if not (rel.startswith(_OWN_FOLDERS) or rel in _OWN_FILES)]


def carry(source: Path, target: Path, names: Sequence[str]) -> None:
    """Link each of ``names`` (from ``foreign_files``) from ``source`` into ``target``
    (the new output); an OutputError, before anything is linked, when one of them would
    take the place of an output."""
    for rel in names:
        parts = rel.rstrip("/").split("/")
        for n in range(1, len(parts) + 1):
            here = target.joinpath(*parts[:n])
            folder = n < len(parts) or rel.endswith("/")  # must be (or may stay) a folder
            if os.path.lexists(here) and (not folder or not here.is_dir() or here.is_symlink()):
                raise OutputError(f"holds {rel!r}, which pressout did not write and would replace with an output "
                                  "of the same name; move it out of the output folder", path=source)
    for rel in names:
        if rel.endswith("/"):
            (target / rel).mkdir(parents=True, exist_ok=True)
            continue
        into = target / rel
        into.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, into, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            if (source / rel).is_symlink():
                os.symlink(os.readlink(source / rel), into)
            else:
                shutil.copy2(source / rel, into)
