"""Waiting for a condition, not a clock (issue 15).

A test that needs another process (or thread) to get somewhere (a file appearing, a line
printed, a port answering, workers gone) polls for exactly that. The deadline is only
there to end a test that is truly hung, so it is generous: the tests must pass on a
machine loaded far beyond its cores, where everything takes many times longer than on an
idle one. Nothing here sleeps for a fixed time and then looks.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

DEADLINE = 300.0  # seconds; reached only by a test that is hung, never by a slow machine


def wait_for(condition: Callable[[], T], what: str, deadline: float = DEADLINE, interval: float = 0.01) -> T:
    """Poll ``condition`` until it returns something true, and return that; fail with
    ``what`` (what did not happen) once ``deadline`` seconds have passed."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} (gave up after waiting {deadline:g} s)")
        time.sleep(interval)


@contextmanager
def cpu_time_under(seconds: float, what: str) -> Iterator[None]:
    """Fail when the block took more than ``seconds`` of this process's CPU time: a limit
    on the work done, which other processes sharing the cores do not stretch as they
    stretch the wall clock."""
    began = time.process_time()
    yield
    used = time.process_time() - began
    assert used < seconds, f"{what} took {used:.2f} s of CPU time (limit {seconds:g} s)"


class Watched:
    """A subprocess whose stdout and stderr are read as they come, by a thread each: a
    test can wait for a line it prints (``wait_for_line``) while the process runs, and
    still has the whole output at the end (``finish``). Used as a context manager it is
    killed if the test leaves it running."""

    def __init__(self, args: Sequence[Any], **kwargs: Any) -> None:
        self.proc = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", **kwargs)
        self._out: list[str] = []
        self._err: list[str] = []
        self._readers = [threading.Thread(target=self._drain, args=(stream, into), daemon=True)
                         for stream, into in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _drain(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def poll(self) -> int | None:
        return self.proc.poll()

    def send_signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    @property
    def err(self) -> str:
        """What it has printed on stderr so far."""
        return "".join(self._err)

    def _all_read(self) -> bool:
        return self.proc.poll() is not None and not any(reader.is_alive() for reader in self._readers)

    def wait_for_line(self, wanted: Callable[[str], bool], what: str, deadline: float = DEADLINE) -> str:
        """The first line of stderr for which ``wanted`` is true, once it is printed. Fails at
        once when the process has ended and all it printed is read without such a line."""
        def found() -> str | None:
            done = self._all_read()  # before looking: a line read after the look is not missed
            line = next((line for line in list(self._err) if wanted(line)), None)
            if line is None and done:
                raise AssertionError(f"{what}: the process ended (exit {self.proc.returncode}) without it; "
                                     f"stdout {''.join(self._out)!r}, stderr {self.err!r}")
            return line

        return wait_for(found, what, deadline)

    def finish(self, deadline: float = DEADLINE) -> tuple[str, str]:
        """(stdout, stderr), once the process has exited and its pipes are read to the end
        (a child of it still holding them open, a worker left running, keeps them open)."""
        try:
            self.proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the process did not exit in {deadline:g} s; stderr so far: {self.err!r}") from None
        wait_for(lambda: not any(reader.is_alive() for reader in self._readers),
                 "its output pipes were still open after it exited (held by a process it left running)", deadline)
        return "".join(self._out), "".join(self._err)

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for reader, stream in zip(self._readers, (self.proc.stdout, self.proc.stderr), strict=True):
            if not reader.is_alive():  # else a process left running holds it: the thread ends with it
                stream.close()
