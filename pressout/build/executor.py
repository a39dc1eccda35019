"""Where the build's work runs: an executor in the manner of ``concurrent.futures``.

By default the build's own pool of worker processes (``Workers``: forked early, dying with
the build, leaving Ctrl-C to it; none with ``jobs=1``). ``executor=`` (``pressout build
--executor``) names another:

* ``dask://HOST:PORT`` (or ``tcp://HOST:PORT``): the scheduler of a Dask distributed
  cluster (``pip install pressout[dask]``). Its workers run the same functions on the same
  pickled tasks, so the output is byte for byte the local build's. They read the pages and
  write their outputs where the build says, so **the pages, the output folder and its
  parent (where the staging folder is made) must be on a file system every worker sees at
  the same path** (NFS, Lustre, CephFS …), and the workers need the same pressout.
* Any ``concurrent.futures.Executor`` object (from Python), used as it is and not shut
  down by the build.

The work is submitted a window at a time and its results taken in submission order, so the
output does not depend on the executor or on the number of workers.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

from ..errors import InputError
from .files import _signals_deferred

__all__ = ["Workers", "check_executor", "executor_for"]


def check_executor(spec: str | Executor | None) -> str | None:
    """The scheduler's address an executor spec names (None: not a string); an InputError
    for a spec that names none. Checked before the build starts."""
    if spec is None or not isinstance(spec, str):
        return None
    scheme, sep, rest = spec.partition("://")
    if not sep or scheme not in ("dask", "tcp", "tls") or not rest:
        raise InputError(f"unknown executor {spec!r}: use dask://HOST:PORT (a Dask scheduler)")
    return f"tcp://{rest}" if scheme == "dask" else spec


def executor_for(spec: str | Executor) -> tuple[Any, bool]:
    """The executor ``spec`` names, and whether the build owns it (shuts it down)."""
    address = check_executor(spec)
    if address is None:
        return spec, False
    try:
        from distributed import Client
    except ImportError:
        raise InputError(f"executor {spec!r} needs Dask: pip install 'pressout[dask]'") from None
    try:
        client = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    return _DaskExecutor(client), True


class _DaskExecutor:
    """A Dask client as a ``concurrent.futures`` executor: every task is run (``pure=False``:
    never served from Dask's cache of results)."""

    def __init__(self, client: Any):
        self.client = client

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(function, *args, pure=False)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.client.close()


class Workers:
    """The build's worker processes (none with jobs=1: the work runs in this process),
    started once for both rounds of work: the pages, then the feeds.

    They are forked as early as the build knows it has pages to read, while this process
    is still small: a forked worker starts with every page of its parent's memory, and
    the memory of the whole process tree would count the previous build's heads once in
    each of them."""

    def __init__(self, jobs: int, inherited: Sequence[int] = (), executor: str | Executor | None = None):
        self.jobs = jobs
        self.inherited = inherited  # the parent's lock files: a worker closes its copies
        self.pool: Any = None
        self.executor = executor  # another executor (Dask): see executor_for
        self.owned = False  # the pool is ours to shut down

    def start(self) -> None:
        if self.pool is not None:
            return
        if self.executor is not None:
            self.pool, self.owned = executor_for(self.executor)
            return
        if self.jobs == 1:
            return
        self.owned = True
        # Imported now, once, so that the workers are forked with everything loaded.
        from concurrent.futures import ProcessPoolExecutor

        from ..export.registry import exporters
        from ..read import read_page  # noqa: F401

        exporters()

        pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init,
                                   initargs=(os.getpid(), tuple(self.inherited)))
        # The workers are started by the first submission. Ctrl-C or SIGTERM in the middle
        # of that would leave the pool without the thread that stops its workers, and
        # they would wait for work forever: held back until the pool is complete.
        with _signals_deferred():
            self.pool = pool
            pool.submit(int).result()

    def map(self, function: Callable[[Any], Any], items: Iterable[Any], window: int = 64) -> Iterator[Any]:
        """``function`` of each item, in the items' order (so the output does not depend on
        ``jobs``), with at most ``window`` items submitted ahead: a slow item holds back
        the results that finished after it, not the memory of all of them. ``items`` may be
        a generator: it is drawn from as the window moves (the feeds' plan is made so, while
        the first of its jobs run)."""
        if self.pool is None or (isinstance(items, Sequence) and len(items) <= 1):
            return self._here(function, items)
        from collections import deque

        # The first window is submitted now, not when the first result is asked for: the
        # caller has work of its own to do meanwhile (the front and year pages).
        pending: deque[Any] = deque()
        queue = iter(items)
        for item in queue:
            # chunksize 1: a page is a big unit of work, and an interrupted build then
            # waits for at most one page per worker before it stops.
            pending.append(self.pool.submit(function, item))
            if len(pending) >= window:
                break
        return self._results(function, pending, queue)

    def _results(self, function: Callable[[Any], Any], pending: Any, queue: Iterator[Any]) -> Iterator[Any]:
        while pending:
            result = pending.popleft().result()
            item = next(queue, None)
            if item is not None:
                pending.append(self.pool.submit(function, item))
            yield result

    @staticmethod
    def _here(function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """The work in this process, an item at a time as the results are asked for."""
        for item in items:
            if not gc.isenabled():
                gc.freeze()  # what the build holds, out of the collector's sight
            result = function(item)
            if not gc.isenabled():
                gc.collect()  # the cycles the job made (see _collector_paused)
            yield result

    def close(self) -> None:
        if self.pool is not None:
            if self.owned:
                self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _worker_init(parent: int, inherited: Sequence[int] = ()) -> None:
    """A worker dies with the build's process and leaves signals to it.

    - It dies with its parent: on Linux the kernel kills it when the parent dies
      (``PR_SET_PDEATHSIG``), so a build killed outright (SIGKILL) leaves no worker waiting
      on a pipe; elsewhere, and if the parent died before this ran, it exits at once.
    - It ignores Ctrl-C and SIGTERM: sent to the whole process group (a terminal's Ctrl-C),
      they are the parent's to handle, once: it stops the pool, which ends each worker
      after its current page; a worker printing its own KeyboardInterrupt would not.
    - It closes its copies of the parent's lock files (``pressout.outdir``), which only the
      parent holds.
    - It was forked with the parent's cyclic garbage collector paused, which its work
      needs on; what it was forked with is frozen: the collector need not look at it again
      (nor copy it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG (Linux; elsewhere no prctl)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    gc.freeze()
    gc.enable()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})

