"""The build's file operations: writing new files without writing through old ones, hard
links, removing working folders, and putting a finished build in place (``swap``).

Files are never changed in place (a file may be a hard link shared by the output and its
spare): a file is only ever created, renamed or unlinked (see ``pressout.build``)."""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import OutputError
from .cache import CACHE_DIR, LOCK, SPARE


def _remove(path: str) -> None:
    """Remove a file or an empty folder; one that is not there is no error."""
    try:
        if os.path.isdir(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


# --- work after the pages are read (runs in worker processes too) --------------------------


def _check_output(out_dir: Path) -> None:
    """For the commands that write single formats into a folder (``pressout epub -o``):
    it is a folder or can be made (the folders above it are made)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("output path is a file, not a folder", path=out_dir)
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder that holds the output: {exc.strerror or exc}",
                          path=parent) from None
    if not os.access(parent, os.W_OK | os.X_OK) or (out_dir.exists() and not os.access(out_dir, os.W_OK)):
        raise OutputError("output folder is not writable", path=out_dir)



def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone else's process
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove what a build killed outright left beside ``out``; put back an output folder
    that was renamed away when the kill came between the swap's renames."""
    parent = out.parent
    # (…-spare: an unused spare on its way out of the swap)
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(staging|next|old)-(\d+)(-spare)?$")
    try:
        leftovers = sorted(parent.iterdir())
    except OSError:
        return
    for path in leftovers:
        m = pattern.match(path.name)
        if not m or int(m.group(2)) == os.getpid() or _pid_alive(int(m.group(2))):
            continue
        try:
            if m.group(1) == "old" and not m.group(3) and not out.exists():
                os.replace(path, out)
            else:
                _rmtree(path)
        except OSError:  # another build cleaning up at the same time got there first
            pass



def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _bring(source: Path, target: Path, *, move: bool) -> None:
    """Put ``source`` at ``target`` (a new name: never written through): renamed when it is
    new, linked when it is the output's (which must stay as it is)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if move:
        os.replace(source, target)
    else:
        _link(str(source), str(target))


def _copy_range(source: int, target: int, offset: int, length: int) -> None:
    """Append ``length`` bytes of the file ``source`` from ``offset`` to the file ``target``
    (descriptors): in the kernel where it can (``copy_file_range``)."""
    while length > 0:
        try:
            copied = os.copy_file_range(source, target, length, offset)
        except OSError:  # not between these files or on this system: through memory
            copied = _write_all(target, os.pread(source, min(length, 1 << 24), offset))
        if copied <= 0:
            raise OSError(f"a fragment of the previous corpus is missing (byte {offset})")
        offset += copied
        length -= copied


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)


class _Linker(threading.Thread):
    """Hard-links files (from the output into the staging folder, whose folders exist) in a
    thread: a link is a system call, and meanwhile the main thread makes the web pages and
    the corpus."""

    def __init__(self, links: list[tuple[str, str]]):
        super().__init__(daemon=True)
        self.links = links
        self.error: BaseException | None = None
        self.halt = threading.Event()
        if links:
            self.start()

    def run(self) -> None:
        try:
            for source, target in self.links:
                if self.halt.is_set():
                    return
                _link(source, target)
        except BaseException as exc:  # raised in finish
            self.error = exc

    def finish(self) -> None:
        """Wait for the links; raise what failed."""
        if self.links:
            self.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """The build failed: stop linking (the staging folder is about to be removed)."""
        self.halt.set()
        if self.links:
            self.join()



def _rmtree(path: Path | str) -> None:
    """Remove a working folder of the build (staging, next, old) and all in it, even a
    folder in it that was made read-only (it is made writable first); one that is not there
    is no error. The user's files are never in these: they are links to the output's."""
    def writable_and_again(function: Callable[..., Any], name: str, exc: Any) -> None:
        try:
            os.chmod(os.path.dirname(name), 0o700)
            if function is os.unlink or function is os.rmdir:
                function(name)
            elif os.path.isdir(name) and not os.path.islink(name):  # could not be listed
                os.chmod(name, 0o700)
                shutil.rmtree(name, ignore_errors=True)
        except OSError:
            pass  # left (immutable?): the next build's _clean_stale tries again

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=writable_and_again)


def _write(target: Path, data: bytes) -> None:
    """Write a new file in the staging folder. Never through an existing name: that may be
    a hard link to a file of the previous build, which must stay as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.write_bytes(data)


def _write_json(target: Path, data: dict[str, Any]) -> None:
    """``_write`` of ``json.dumps(data, ensure_ascii=False)``, the same bytes, written an
    item at a time where a value is a dict or an iterator of pairs (the pages, the feeds):
    a 10,000-page build's manifest and heads, made whole, were a fifth of its peak memory."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        for chunk in _json_chunks(data):
            handle.write(chunk)


def _json_chunks(data: dict[str, Any]) -> Iterator[str]:
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield (", " if n else "") + dumps(key) + ": "
        if isinstance(value, dict | Iterator):
            # In batches: json.dumps of a small dict, braces cut off, is the same text as
            # its items within the whole, and one call per item cost twice the time.
            pairs = iter(value.items() if isinstance(value, dict) else value)
            yield "{"
            first = True
            while batch := dict(itertools.islice(pairs, 256)):
                yield ("" if first else ", ") + dumps(batch)[1:-1]
                first = False
            yield "}"
        else:
            yield dumps(value)
    yield "}"


def _link(source: str, target: str) -> None:
    """Hard-link ``source`` as ``target`` (whose folder exists), or copy it where the file
    system has no hard links."""
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        _link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def _link_tree(source: str, target: str) -> bool:
    """A copy of the tree ``source`` at ``target`` (new) made of hard links; False, and no
    copy, where the file system has no hard links (a real copy would double the output)."""
    folders = [(source, target)]
    lock = os.path.join(source, LOCK)  # each generation has its own (see pressout.outdir)
    try:
        while folders:
            folder, into = folders.pop()
            os.mkdir(into)
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((entry.path, os.path.join(into, entry.name)))
                    elif entry.path != lock:
                        os.link(entry.path, os.path.join(into, entry.name))
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            return False
        raise
    return True


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM (delivered right after the block), so that Ctrl-C
    cannot fall between the renames of the swap and leave no output folder."""
    can_block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    held = {signal.SIGINT, signal.SIGTERM}
    if can_block:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if can_block:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _swap(new: Path, out: Path, spare: bool, extras: Sequence[str]) -> None:
    """Put the finished build in place: renames, so readers see the old or the new. The
    old output becomes the spare when it is complete (``spare``; minus the files added to
    it by hand, ``extras``), else it is removed."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    nested = None
    try:
        with _signals_deferred():
            if out.exists():
                os.replace(out, old)
            try:
                os.replace(new, out)
            except OSError:
                if old.exists():
                    os.replace(old, out)
                raise
            if old.exists():
                if spare:  # the user's files are in the new output (linked): not in the spare
                    for rel in reversed(extras):
                        _remove(str(old / rel))
                    _unlink(old / LOCK)  # a spare has no lock of its own (held or not: see outdir)
                    if (old / CACHE_DIR / SPARE).exists():  # the spare that was not used
                        nested = out.parent / f".{out.name}.staging-{os.getpid()}-spare"
                        os.replace(old / CACHE_DIR / SPARE, nested)
                    os.replace(old, out / CACHE_DIR / SPARE)
    finally:  # also when a held-back Ctrl-C is raised as the block ends
        if old.exists() and out.exists():
            _rmtree(old)
        if nested is not None:
            _rmtree(nested)
