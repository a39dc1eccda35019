"""``build()``: the pages, then the archive-wide outputs, then the output replaced (see
``pressout.build`` for the guarantees)."""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import posixpath
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import Config
from ..errors import ConfigError, InputError, OutputError, PressoutError
from ..outdir import OutputLock, carry, foreign_files, output_folder
from .cache import (
    CACHE_DIR,
    CACHE_FORMAT,
    HEADS,
    MANIFEST,
    MODELS,
    PIECES,
    SPARE,
    SPOOL,
    Generation,
    Layout,
    bound_files,
    fingerprint,
    issue_folders,
    own_files,
    page_key,
    style_overrides,
)
from .executor import Workers, check_executor
from .files import (
    _bring,
    _clean_stale,
    _copy_range,
    _link_tree,
    _Linker,
    _rmtree,
    _signals_deferred,
    _swap,
    _unlink,
    _write,
    _write_all,
    _write_json,
)
from .sources import _content_digest, find_pages, is_tei
from .work import (
    DEFERRED,
    GATHERED,
    ArchiveWork,
    BoundIssue,
    BoundWork,
    Done,
    FragmentWork,
    Member,
    Task,
    join_bounds,
    run_job,
    run_task,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..export.registry import Exporter, Settings
    from ..model import Diagnostic, IssueHead

@dataclass(frozen=True, slots=True)
class Failure:
    source: str
    message: str
    kept_previous: bool = False  # the page's outputs from the last good build were kept


@dataclass(frozen=True, slots=True)
class BuildReport:
    out_dir: Path
    issues: int = 0
    articles: int = 0
    outputs: int = 0  # files in the output folder written or kept by this build
    rebuilt: int = 0  # pages read and built
    reused: int = 0  # pages taken from the cache
    seconds: float = 0.0
    changed: bool = True  # False: nothing changed, nothing was written
    warnings: tuple[Diagnostic, ...] = ()
    failures: tuple[Failure, ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "issues": self.issues,
            "articles": self.articles,
            "outputs": self.outputs,
            "rebuilt": self.rebuilt,
            "reused": self.reused,
            "seconds": round(self.seconds, 3),
            "changed": self.changed,
            "warnings": [str(w) for w in self.warnings],
            "failures": [{"source": f.source, "message": f.message, "kept_previous": f.kept_previous}
                         for f in self.failures],
            "exit_code": self.exit_code,
        }


Progress = Callable[[str, int, int, str], None]  # (stage, done, total, item)


# --- finding pages ----------------------------------------------------------------------

@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a build plans and publishes, in this process.

    What the build holds here (a big archive's heads: a 10,000-page archive has 100,000s of
    small tuples and dataclasses, kept to the end) makes no reference cycles, and the
    collector's full passes over it took a quarter of a one-page rebuild's time; reference
    counting still frees everything. The work that does make cycles (ebooklib's book and its
    items refer to each other) runs with the collector on in the workers; a job run in this
    process is followed by a collection, with what was there before the job frozen (out of
    the collector's sight: ``gc.freeze``) so that it sees only what the job made."""
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if not frozen:  # a caller that froze objects of its own keeps them frozen, and ours
            gc.unfreeze()
        if enabled:
            gc.enable()



@_collector_paused()
def build(
    sources: Sequence[str | os.PathLike[str]] = (),
    out_dir: str | os.PathLike[str] | None = None,
    *,
    config: Config | None = None,
    jobs: int | None = None,
    force: bool = False,
    encoding: str | None = None,
    errors: str = "strict",
    progress: Progress | None = None,
    force_output: bool = False,
    wait: bool = False,
    executor: str | Executor | None = None,
) -> BuildReport:
    """Build everything from ``sources`` (default: the configuration's, ``seeds/``) into
    ``out_dir`` (default ``dist/``); see the module docstring for the guarantees, and
    ``pressout.outdir`` for the folders a build may write (``force_output``: also one that
    holds files of its own, which are kept) and its lock (``wait``: wait for another build
    of the same folder instead of failing with a BusyError). ``executor`` runs the work
    elsewhere than in the build's own worker processes (``dask://HOST:PORT``, or a
    ``concurrent.futures.Executor``: see ``pressout.build.executor``).

    Raises InputError (no pages, or no page could be read), ConfigError, OutputError or
    BusyError; bad pages among good ones are not raised but listed in
    ``BuildReport.failures``."""
    started = time.perf_counter()
    config = config or Config()
    if errors not in ("strict", "replace"):
        raise InputError(f"unknown errors value {errors!r} (use strict or replace)")
    if encoding is not None:
        # Checked once, up front: every page would fail the same way, each keeping its
        # previous build, and the user would get a "partial" build for a typo.
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r} (--encoding)") from None
    check_executor(executor)
    given = Path(out_dir if out_dir is not None else config.output)
    pages = find_pages(sources or config.sources)
    jobs = jobs if jobs is not None else (config.jobs or os.cpu_count() or 1)
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    # A page is inside the output exactly when its folder is (pages are named by resolved paths).
    guarded: list[tuple[str, Any]] = [("the sources", folder) for folder in sorted({page.parent for page in pages})]
    guarded += [(what, path) for what, path in (("the configuration", config.path), ("the style sheets", config.styles))
                if path is not None]
    out = output_folder(given, guarded=guarded, force_output=force_output)
    note = progress or (lambda stage, done, total, item: None)
    _clean_stale(out)  # first: an output renamed away by a killed build's swap comes back
    lock = OutputLock(out)
    lock.acquire(wait=wait, on_wait=lambda: note("wait", 0, 1, "another build is writing the output folder"))
    landed = False
    try:
        report = _build_locked(given, out, pages, config, jobs, force, encoding, errors, note, lock, executor)
        landed = True
    finally:
        lock.release(landed=landed)
    return replace(report, out_dir=given, seconds=time.perf_counter() - started)


def _build_locked(given: Path, out: Path, pages: list[Path], config: Config, jobs: int, force: bool,
                  encoding: str | None, errors: str, note: Progress, lock: OutputLock,
                  executor: str | Executor | None = None) -> BuildReport:
    """``build`` once the output folder is checked and locked (``out`` is its real path)."""
    from ..export.registry import format_names

    styles = style_overrides(config)
    print_ = fingerprint(config, styles, format_names())
    live = Generation.load(out)
    workers = Workers(jobs, lock.fds, executor)
    try:
        return _scan_and_build(given, out, pages, config, force, encoding, errors, note, lock, styles, print_,
                               live, workers)
    finally:
        workers.close()


def _scan_and_build(given: Path, out: Path, pages: list[Path], config: Config, force: bool, encoding: str | None,
                    errors: str, note: Progress, lock: OutputLock, styles: dict[str, bytes], print_: str,
                    live: Generation | None, workers: Workers) -> BuildReport:
    """The pages' keys (their bytes' digests with their metadata), then the build, unless
    nothing changed."""
    from ..read.meta import SIDECAR_NAME, load_sidecar_known

    if len(pages) > 1 and (live is None or force):
        # Every page will be read: the workers are forked now, before the pages' metadata
        # (a big archive's issues.toml) and their digests are in this process's memory,
        # which a forked worker would hold a copy of (see Workers).
        workers.start()
    max_bytes = config.max_page_bytes  # [build] max_page_bytes: a page is a few 100 KB, /dev/zero is not one

    # What each page needs: its bytes' digest with its metadata and the configuration.
    tasks: list[Task] = []
    stamps: dict[str, list[Any] | None] = {}
    known = live.manifest.get("stamps", {}) if live is not None and not force else {}
    since = time.time_ns()  # only to tell settled files (see _content_digest), never written
    sidecars: dict[str, Any] = {}  # folder -> its issues.toml, read once (None: it has none)
    # What the last build knew of each issues.toml, and what this one knows, for the next
    # (see load_sidecar_known: an archive's file is mostly known, a day's entry appended).
    known_sidecars = live.manifest.get("sidecars", {}) if live is not None and not force else {}
    parsed: dict[str, Any] = {}
    for page in pages:
        meta = None
        error = None
        try:
            if not is_tei(page):
                folder, name = os.path.split(page)
                if folder not in sidecars:
                    sidecar = Path(folder, SIDECAR_NAME)
                    sidecars[folder] = None
                    if sidecar.is_file():
                        sidecars[folder], parsed[folder] = load_sidecar_known(sidecar, known_sidecars.get(folder))
                if sidecars[folder] is not None:
                    meta = sidecars[folder].for_page(name)
            content, stamps[str(page)] = _content_digest(page, known.get(str(page)), since, max_bytes)
        except ConfigError:
            raise  # a bad issues.toml is the desk's configuration, not one bad page: stop
        except PressoutError as exc:
            error = str(exc)
        except PermissionError:
            error = f"{page}: cannot read: permission denied"
        except OSError as exc:
            error = f"{page}: cannot read: {exc.strerror or exc}"
        key = "" if error else page_key(content, meta, print_, encoding, errors)
        tasks.append(Task(str(page), key, meta, encoding, errors, error, max_bytes=max_bytes))

    if (not force and live is not None and not live.manifest.get("incomplete")
            and live.manifest.get("config") == print_
            and len(tasks) == sum(not p.startswith(GATHERED) for p in live.pages)
            and all(live.pages.get(t.path, (None,))[0] == t.key for t in tasks)
            and live.complete()):
        note("done", len(tasks), len(tasks), "nothing changed")
        return BuildReport(out, issues=live.manifest.get("issues", 0), articles=live.manifest.get("articles", 0),
                           outputs=live.manifest.get("outputs", 0), reused=len(tasks), changed=False)

    parent = out.parent
    staging = parent / f".{out.name}.staging-{os.getpid()}"
    following = parent / f".{out.name}.next-{os.getpid()}"
    try:
        if staging.exists():
            _rmtree(staging)
        try:
            return _Build(out, staging, tasks, stamps, parsed, live, force, config, styles, print_,
                          workers, note, lock).run()
        except _SpareUnusable:
            _rmtree(staging)
            return _Build(out, staging, tasks, stamps, parsed, live, force, config, styles, print_,
                          workers, note, lock).run()
    except BaseException as exc:
        workers.close()  # first: they write into the staging folder
        _rmtree(staging)
        _rmtree(following)
        if not isinstance(exc, OSError):
            raise
        # Name the file as the user knows it: in the output folder, not in a working one.
        where = str(exc.filename or given)
        for working in (staging, following, out):
            where = where.replace(str(working), str(given))
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=where) from None



@dataclass(slots=True)
class _Page:
    """A page of this build, and where its outputs are."""

    task: Task
    key: str  # what its outputs were made from (the last good build's, for a failed page)
    heads: list[IssueHead]
    bounds: list[str]  # the archive value each issue's title-bound files were made with
    warnings: list[Any]  # as stored: [code, source, message, line]
    layout: Layout  # the formats' file names it was made with
    new: bool  # its outputs are in the staging folder (made now), not in the output folder
    site_new: set[str] = field(default_factory=set)  # issues whose title-bound files were made again now
    part: list[Any] | None = None  # an article file's [day, slot] (see Done.part): it makes no files
    model: str | None = None  # an article file's model as JSON, when read in this build
    sources: list[Any] = field(default_factory=list)  # a gathered issue's [file name, sha256]s


class _SpareUnusable(Exception):
    """The spare could not be brought up to date (it is gone now): build again without."""


BOUND_BATCH = 8  # issues whose title-bound files one job makes (BoundWork)


class _Build:
    """One build that has something to do: the pages (read now, or the previous build's),
    then the archive-wide outputs (feeds, the front and year pages, the corpus), then the
    output replaced. Every format's part comes from the registry."""

    def __init__(self, out: Path, staging: Path, tasks: list[Task], stamps: dict[str, list[Any] | None],
                 sidecars: dict[str, Any], live: Generation | None, force: bool, config: Config,
                 styles: dict[str, bytes], fingerprint: str, workers: Workers, note: Progress,
                 lock: OutputLock):
        from ..export.feed import SiteOptions
        from ..export.registry import Settings, check_templates, exporters

        self.out, self.staging, self.tasks, self.live, self.force = out, staging, tasks, live, force
        self.stamps = stamps  # source -> its stamp (see _content_digest), for the manifest
        self.sidecars = sidecars  # folder -> what is known of its issues.toml, for the manifest
        self.config, self.styles, self.fingerprint = config, styles, fingerprint
        self.workers, self.note, self.lock = workers, note, lock
        self.options = SiteOptions(base_url=config.base_url, title=config.site_title, feed_size=config.feed_size,
                                   tag_authority=config.tag_authority, utc_offset=config.utc_offset,
                                   time=config.time, websub_hub=config.websub_hub)
        self.settings: Settings = Settings(config, styles, self.options)
        self.formats: tuple[Exporter, ...] = exporters()
        self.bound_formats = tuple(f for f in self.formats if f.title_bound)
        self.concatenations = {f.concatenated: f for f in self.formats if f.concatenated}
        files = {f.name: check_templates(f, f.issue_files(self.settings)) for f in self.formats}
        self.layout: Layout = [[t for f in self.formats if not f.title_bound for t in files[f.name]],
                               [t for f in self.bound_formats for t in files[f.name]],
                               [f.name for f in self.formats if f.pieces]]
        # What the previous build offers for reuse (nothing when forced).
        self.previous = None if force else live
        self.spare: Generation | None = None
        self.failures: list[Failure] = []
        # concatenation -> issue id -> (where, offset, length)
        self.fragments: dict[str, dict[str, tuple[str, int, int]]] = {path: {} for path in self.concatenations}
        self.feeds: dict[str, str] = {}  # archive job's file -> digest
        self.rendered: set[str] = set()  # archive jobs' files made now (in the staging folder)
        self.globals: list[str] = []  # archive files and concatenations
        self.placed: dict[str, tuple[dict[str, tuple[int, int]], int]] = {}  # concatenation -> (layout, size)

    def run(self) -> BuildReport:
        from ..model import Diagnostic

        folders = {CACHE_DIR, MODELS, f"{CACHE_DIR}/parked", *(os.path.dirname(p) for p in self.concatenations),
                   *(f"{PIECES}/{name}" for name in self.layout[2]),
                   *(folder for f in self.formats for folder in f.folders)}
        for template in (*self.layout[0], *self.layout[1]):  # the formats' folders (not an issue's own)
            parts = template.split("/")[:-1]
            fixed = parts[:next((n for n, part in enumerate(parts) if "{" in part), len(parts))]
            if fixed:
                folders.add("/".join(fixed))
        for folder in sorted(folders):
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
        previous = self.previous
        if sum(previous is None or previous.pages.get(t.path, (None,))[0] != t.key for t in self.tasks) > 1:
            self.workers.start()  # before the previous build's heads are loaded: see Workers
        pages = self.read_pages()
        if not pages:
            first = self.failures[0].message if self.failures else ""
            raise InputError("no page could be read" + (f": {first}" if first else ""))
        heads = [head for page in pages for head in page.heads]
        self.spare = self.usable_spare()
        self.publish(pages, heads)
        articles = sum(len(h.articles) for h in heads)
        outputs = self.write_manifest(pages, articles)
        self.commit(pages)
        warnings = [Diagnostic(code, f"[{f.name}]", message) for f in self.formats
                    for code, message in f.notices(self.settings)]
        warnings += [Diagnostic(*w) for page in pages for w in page.warnings]
        return BuildReport(self.out, issues=len(heads), articles=articles, outputs=outputs,
                           rebuilt=sum(p.new for p in pages),
                           reused=sum(not p.new and p.key == p.task.key for p in pages),
                           warnings=tuple(warnings), failures=tuple(self.failures))

    # --- the pages ---

    def read_pages(self) -> list[_Page]:
        """Every page, from the previous build or read now, in source order, then the
        issues gathered from article files (``pressout.read.gather``); a page whose issue
        ids are taken by a page before it is a failure."""
        tasks, note = self.tasks, self.note
        todo = [self.prepared(t, n) for n, t in enumerate(tasks) if not self.reusable(t)]
        if len(todo) > 1:
            self.workers.start()
        results = self.workers.map(run_task, [t for t in todo if t.error is None])
        unreadable = {t.path: Done(t.path, t.key, error=t.error) for t in todo if t.error is not None}
        todo_paths = {t.path for t in todo}
        self.seen: dict[str, str] = {}
        self.claimed = {rel: "the build's own" for rel in self.concatenations}  # output file -> whose it is
        pages: list[_Page] = []
        with open(self.staging / CACHE_DIR / SPOOL, "wb") as spool:
            for n, task in enumerate(tasks):
                note("read", n + 1, len(tasks), os.path.basename(task.path)
                     + ("" if task.path in todo_paths else " (unchanged)"))
                result = None if task.path not in todo_paths else unreadable.get(task.path) or next(results)
                self.accept(task, result, pages, spool)
            groups = self.gathered(pages)
            if groups:
                todo = [self.prepared(t, len(tasks) + n) for n, t in enumerate(groups) if not self.reusable(t)]
                todo_paths = {t.path for t in todo}
                if len(todo) > 1:
                    self.workers.start()  # (a no-op when the files' reading started them)
                results = self.workers.map(run_task, todo)
                for task in groups:
                    self.accept(task, next(results) if task.path in todo_paths else None, pages, spool)
        shutil.rmtree(self.staging / CACHE_DIR / "parked")  # what a rejected page left
        # Only the pages' checks (accept) need these: not held through the archive-wide
        # outputs (a 10,000-page archive's output files are 130,000 names).
        self.seen, self.claimed = {}, {}
        order = {task.path: n for n, task in enumerate(tasks)}
        # in page order, whatever finished first (a gathered issue's after the files)
        self.failures.sort(key=lambda f: order.get(f.source, len(order)))
        return pages

    def reusable(self, task: Task) -> bool:
        previous = self.previous
        return (previous is not None and previous.pages.get(task.path, (None,))[0] == task.key
                and previous.page_complete(task.path))

    def prepared(self, task: Task, n: int) -> Task:
        return replace(task, settings=self.settings, formats=self.formats, staging=str(self.staging),
                       parked=f"{self.staging}/{CACHE_DIR}/parked/{n}.")

    def accept(self, task: Task, result: Done | None, pages: list[_Page], spool: Any) -> None:
        """Take a page as read now (``result``) or as the previous build made it (None) into
        ``pages``, unless it failed or its issue ids or files are another page's."""
        if result is None:
            page = self.previous_page(task)
        elif result.error is not None:
            kept = (self.live is not None and task.path in self.live.pages
                    and self.live.page_complete(task.path))
            message = result.error
            if result.trace is not None:
                from ..errors import crash_log

                message += f"; the traceback is in {crash_log(result.trace)}"
            self.failures.append(Failure(task.path, message, kept_previous=kept))
            if not kept:
                return
            page = self.previous_page(task)
        else:
            page = _Page(task, task.key, [replace(h, key=task.key) for h in result.heads],
                         result.bounds, [[w.code, w.source, w.message, w.line] for w in result.warnings],
                         self.layout, new=True, part=result.part, model=result.model, sources=result.sources)
        # One issue id per issue, and one issue per output file, across the build,
        # checked before anything is put in place: two pages with one id, or an id
        # whose files are another's (b-vertical.epub, the corpus), would write the
        # same files. The first keeps them.
        seen, claimed = self.seen, self.claimed
        clash = next((h.id for h in page.heads if h.id in seen), None)
        if clash is not None:
            self.failures.append(Failure(task.path, f"{task.path}: issue id {clash!r} is also the id "
                                         f"of {seen[clash]}; give one of them a date, page or edition "
                                         "in issues.toml, or rename it"))
            return
        files = [rel for h in page.heads for rel in own_files(page.layout, h.id, h.article_ids)]
        taken = next((rel for rel in files if rel in claimed), None)
        if taken is not None:
            self.failures.append(Failure(task.path, f"{task.path}: its output {taken} is also "
                                         f"{claimed[taken]}; give it another id in issues.toml, or "
                                         "rename it"))
            return
        seen.update((h.id, task.path) for h in page.heads)
        claimed.update((rel, f"an output of {task.path}") for rel in files)
        if page.new and result is not None:
            self.place(result, spool)
        pages.append(page)

    def gathered(self, pages: list[_Page]) -> list[Task]:
        """The tasks of the issues gathered from the article files among ``pages`` (one
        per day, in the days' order); an article file whose name claims the slot (page and
        item) of another of its day is a failure, and leaves ``pages``."""
        days: dict[tuple[str, ...], list[_Page]] = {}
        for page in pages:
            if page.part is not None:
                days.setdefault(tuple(page.part[0]), []).append(page)
        tasks = []
        for day, members in sorted(days.items()):
            slots: dict[tuple[Any, ...], str] = {}
            kept = []
            for page in members:
                claimed = tuple(page.part[1]) if page.part and page.part[1] else None
                if claimed is not None and claimed in slots:
                    self.failures.append(Failure(page.task.path, f"{page.task.path}: claims page {claimed[0]} item "
                                                 f"{claimed[1]} of {day[0]} {day[1]}, as {slots[claimed]} does; "
                                                 "remove one of them"))
                    pages.remove(page)
                    continue
                if claimed is not None:
                    slots[claimed] = page.task.path
                kept.append(page)
            if not kept:
                continue
            digest = hashlib.sha256(repr(day).encode())
            for page in kept:
                digest.update(f"{page.task.path}\0{page.task.key}\n".encode())
            first = kept[0].task
            tasks.append(Task(GATHERED + "/".join(day), digest.hexdigest(), None, first.encoding, first.errors,
                              max_bytes=first.max_bytes, edition=day[2],
                              members=tuple(Member(p.task.path, p.task.key, p.task.meta, p.model) for p in kept)))
        return tasks

    def previous_page(self, task: Task) -> _Page:
        """A page as the last good build made it (its outputs are in the output folder)."""
        live = self.live
        assert live is not None
        key, issues, layout = live.pages[task.path]
        stored = live.heads["pages"][task.path]
        page = _Page(task, key, live.page_heads(task.path), [bound for _, bound in issues],
                     stored["warnings"], live.layouts[layout], new=False, part=stored.get("part"),
                     sources=live.manifest.get("gathered", {}).get(task.path, {}).get("sources", []))
        if live.manifest.get("config") != self.fingerprint:  # a failed page's last good build
            page.bounds = [""] * len(page.bounds)  # its title-bound files are made again with these options
        return page

    def place(self, result: Done, spool: Any) -> None:
        """Move a page's parked outputs into place and its fragments to the spool."""
        # Plain strings: a thousand pages make four thousand of these moves, and pathlib
        # took longer to join the names than the file system took to move the files.
        parked, staging = result.parked, str(self.staging)
        for name, rel in result.moves:
            os.replace(parked + name, f"{staging}/{rel}")
        for head, fragments in zip(result.heads, result.fragments, strict=True):
            for path, fragment in fragments.items():
                self.fragments[path][head.id] = (SPOOL, spool.tell(), len(fragment))
                spool.write(fragment)

    # --- the archive-wide outputs ---

    def usable_spare(self) -> Generation | None:
        """The spare, when it can be brought up to date (see the module docstring): made
        with this configuration, complete, and the output it takes over from complete
        (that output becomes the next spare)."""
        previous = self.previous
        if previous is None or previous.manifest.get("config") != self.fingerprint \
                or not previous.complete():
            return None
        spare = Generation.load(self.out / CACHE_DIR / SPARE)
        if spare is None or spare.manifest.get("config") != self.fingerprint \
                or len(spare.files) != spare.manifest.get("files"):
            return None
        return spare

    def remove_bound(self, root: Path, layout: Layout, head: IssueHead) -> None:
        """An issue's title-bound files under ``root`` (their folders whole), if there."""
        folders = issue_folders(layout[1], head.id)
        for folder in folders:
            shutil.rmtree(root / folder, ignore_errors=True)
        for rel in bound_files(layout, head.id, head.article_ids):
            if os.path.dirname(rel) not in folders:
                _unlink(root / rel)

    def publish(self, pages: list[_Page], heads: list[IssueHead]) -> None:
        """The title-bound files made again for the archive's values and the archive jobs
        whose digest changed (work for the executor), the archive files, and the
        concatenations; with no spare to bring up to date, the links of what is kept from
        the previous build."""
        staging, settings = self.staging, self.settings
        self.note("feeds", 0, 1, "feeds and web edition")
        values = [f.bounds(heads, settings) for f in self.bound_formats]  # each issue's, in the order of heads
        at = itertools.count()
        jobs: list[Any] = []  # the FragmentWork: its results are the fragments
        bound: list[BoundIssue] = []  # for BoundWork
        roots = {True: str(staging), False: str(self.out)}
        models: dict[str, str] = {}
        self.roots: dict[str, str] = {}  # issue id -> the generation that holds its files
        for page in pages:
            root = roots[page.new]
            for n, head in enumerate(page.heads):
                self.roots[head.id] = root
                models[head.id] = f"{root}/{MODELS}/{head.id}.json"
                i = next(at)
                bounds = tuple(value[i] for value in values)
                joined = join_bounds(bounds)
                if page.bounds[n] != joined:
                    made_with = tuple(page.bounds[n].split("\n")) if page.new else ()
                    if len(made_with) == len(bounds) and all(
                            was == value or (exporter.rebinds and exporter.patchable(was, value))
                            for exporter, was, value in zip(self.bound_formats, made_with, bounds, strict=True)):
                        # made by the page's worker with the issue's own values: made for
                        # the archive's from themselves (the web pages: only the issue's page)
                        bound.append((bounds, models[head.id], head.sizes, head.id, made_with))
                    else:
                        if page.bounds[n] != DEFERRED:  # (none made yet: nothing to remove)
                            self.remove_bound(staging, page.layout, head)
                        bound.append((bounds, models[head.id], head.sizes, head.id, None))
                    page.bounds[n] = joined
                    page.site_new.add(head.id)
        previous = self.previous_fragments()
        for page in pages:
            for head in [] if page.new else page.heads:
                parts = {path: previous.get(path, {}).get(head.id) for path in self.concatenations}
                if all(part is not None and part[0] == page.key for part in parts.values()):
                    for path, part in parts.items():
                        assert part is not None
                        self.fragments[path][head.id] = ("live", part[1], part[2])
                elif self.concatenations:
                    jobs.append(FragmentWork(tuple(self.concatenations.values()), models[head.id], settings))
        # The archive jobs are planned as the executor draws them (the plan of a big archive's
        # feeds takes seconds, and the first jobs run meanwhile); a few are drawn first, to
        # know whether there is enough work to start the worker processes for.
        planned = self.plan_jobs(heads, models)
        ahead = list(itertools.islice(planned, 16))
        # The issues' title-bound files, a few issues a job (the executor's round trip costs
        # about what making one issue's pages does), after the archive jobs: those are fewer
        # and some of them long (a year of the search index), and the many short jobs of the
        # pages keep both workers busy to the end.
        batches = [BoundWork(self.bound_formats, tuple(bound[k:k + BOUND_BATCH]), settings, str(staging))
                   for k in range(0, len(bound), BOUND_BATCH)]
        linker = _Linker(self.links(pages) if self.spare is None else [])
        feed_linker: _Linker | None = None
        try:
            if len(jobs) + len(ahead) + len(bound) >= 16:
                self.workers.start()
            results = self.workers.map(run_job, itertools.chain(jobs, ahead, planned, batches))
            # While the executor runs the jobs: the archive files (the front and year pages).
            for exporter in self.formats:
                for rel, blob in exporter.archive_files(heads, settings):
                    _write(staging / rel, blob)
                    self.globals.append(rel)
            with open(staging / CACHE_DIR / SPOOL, "ab") as spool:
                for n, result in enumerate(results):
                    job = jobs[n] if n < len(jobs) else None
                    if isinstance(job, FragmentWork):
                        for path, fragment in result.items():
                            self.fragments[path][Path(job.model).stem] = (SPOOL, spool.tell(), len(fragment))
                            spool.write(fragment)
            # The plan is whole now: the archive jobs' files kept from the previous build.
            feed_linker = _Linker(self.kept_job_files() if self.spare is None else [])
            self.note("tei", 0, 1, "TEI corpus")
            self.write_concatenations(heads)
        except BaseException:
            linker.stop()
            if feed_linker is not None:
                feed_linker.stop()
            raise
        linker.finish()
        assert feed_linker is not None
        feed_linker.finish()

    def plan_jobs(self, heads: list[IssueHead], models: dict[str, str]) -> Iterator[ArchiveWork]:
        """The archive jobs that must run: those whose digest (with the configuration's) is
        not that of the same files in the previous build or in the spare. (A generator:
        ``self.feeds`` is whole once it is exhausted.)"""
        import hashlib

        previous = self.previous
        before = previous.feeds if previous is not None else {}
        there = previous.files if previous is not None else set()
        spare = self.spare.feeds if self.spare is not None else {}
        for exporter in self.formats:
            for job in exporter.archive_jobs(heads, self.settings):
                digest = hashlib.sha256(f"{self.fingerprint}\n{exporter.name}\n{job.digest}".encode()).hexdigest()
                self.feeds.update((rel, digest) for rel in job.paths)
                if all(before.get(rel) == digest and rel in there for rel in job.paths) \
                        or all(spare.get(rel) == digest for rel in job.paths):
                    continue
                source = exporter.piece_source
                needs = ({ident: f"{self.roots[ident]}/{PIECES}/{source}/{ident}" for ident in job.needs}
                         if source else {ident: models[ident] for ident in job.needs})
                self.rendered.update(job.paths)
                yield ArchiveWork(exporter, job, needs, self.settings, str(self.staging))

    def previous_fragments(self) -> dict[str, dict[str, tuple[str, int, int]]]:
        """concatenation -> issue id -> (page key, offset, length) of its fragment in the
        previous build's file, for each concatenation that is there as it was written."""
        previous = self.previous
        if previous is None or not previous.heads:
            return {}
        found: dict[str, dict[str, tuple[str, int, int]]] = {}
        for path, size in previous.heads.get("sizes", {}).items():
            if path not in self.concatenations or path not in previous.files:
                continue
            try:
                if (previous.root / path).stat().st_size != size:
                    continue
            except OSError:
                continue
            found[path] = {head[0]: (previous.pages[source][0], *place)
                           for source, entry in previous.heads["pages"].items()
                           for head, place in zip(entry["issues"], entry["fragments"][path], strict=True)}
        return found

    def write_concatenations(self, heads: list[IssueHead]) -> None:
        """Each concatenation (``tei/corpus.xml``), byte for byte what its format writes
        alone: the head, then each issue's fragment (from the spool or the previous file),
        in corpus order, then the end."""
        from ..export.registry import corpus_order

        ordered = sorted(heads, key=corpus_order)
        for path, exporter in self.concatenations.items():
            sources = {SPOOL: self.staging / CACHE_DIR / SPOOL, "live": self.out / path}
            target = self.staging / path
            head, end = exporter.concatenation_ends(ordered[0], self.settings)
            fragments = self.fragments[path]
            layout: dict[str, tuple[int, int]] = {}
            runs: list[list[Any]] = []  # [source, offset, length]: neighbouring fragments are copied at once
            at = len(head)
            for issue in ordered:
                source, offset, length = fragments[issue.id]
                layout[issue.id] = (at, length)
                at += length
                if runs and runs[-1][0] == source and runs[-1][1] + runs[-1][2] == offset:
                    runs[-1][2] += length
                else:
                    runs.append([source, offset, length])
            with open(target, "wb", buffering=0) as out, ExitStack() as stack:
                files = {name: stack.enter_context(open(sources[name], "rb", buffering=0))
                         for name in {r[0] for r in runs}}
                _write_all(out.fileno(), head)
                for source, offset, length in runs:
                    _copy_range(files[source].fileno(), out.fileno(), offset, length)
                _write_all(out.fileno(), end)
            self.placed[path] = (layout, at + len(end))
            self.globals.append(path)
        (self.staging / CACHE_DIR / SPOOL).unlink()

    def links(self, pages: list[_Page]) -> list[tuple[str, str]]:
        """With no spare to bring up to date, the staging folder becomes the new output:
        what it keeps from the previous build is linked into it."""
        out, staging = str(self.out), str(self.staging)
        links = []
        for page in pages:
            for head in [] if page.new else page.heads:
                articles = head.article_ids
                for folder in issue_folders(page.layout[0], head.id):
                    os.makedirs(os.path.join(staging, folder), exist_ok=True)
                rels = own_files(page.layout, head.id, articles)
                if head.id not in page.site_new:
                    for folder in issue_folders(page.layout[1], head.id):
                        os.mkdir(os.path.join(staging, folder))
                    rels += bound_files(page.layout, head.id, articles)
                links += [(os.path.join(out, rel), os.path.join(staging, rel)) for rel in rels]
        return links

    def kept_job_files(self) -> list[tuple[str, str]]:
        """With no spare: the archive jobs' files that are the previous build's, linked."""
        out, staging = str(self.out), str(self.staging)
        return [(os.path.join(out, rel), os.path.join(staging, rel)) for rel in self.feeds if rel not in self.rendered]

    def write_manifest(self, pages: list[_Page], articles: int) -> int:
        """The manifest and issues.json into the staging folder; the number of outputs."""
        self.globals = [rel for rel in sorted(set(self.globals)) if (self.staging / rel).is_file()]
        layouts: list[Layout] = []
        numbers: dict[str, int] = {}
        for page in pages:
            seen = repr(page.layout)
            if seen not in numbers:
                numbers[seen] = len(layouts)
                layouts.append(page.layout)
        per_issue = sum(len(own_files(page.layout, h.id, h.article_ids)) - 1 - len(page.layout[2])  # not the cache's
                        + len(bound_files(page.layout, h.id, h.article_ids))
                        for page in pages for h in page.heads)
        issues = sum(len(p.heads) for p in pages)
        outputs = per_issue + len(self.feeds) + len(self.globals)
        manifest = {
            "format": CACHE_FORMAT,
            "version": __version__,
            "config": self.fingerprint,
            # source -> [key, [[issue id, bound value], ...], layout], failed pages' last good build too
            "pages": ((p.task.path, [p.key, [[h.id, b] for h, b in zip(p.heads, p.bounds, strict=True)],
                                     numbers[repr(p.layout)]])
                      for p in sorted(pages, key=lambda p: p.task.path)),  # made as written (_write_json)
            "layouts": layouts,
            "feeds": dict(sorted(self.feeds.items())),
            "stamps": {source: stamp for source, stamp in sorted(self.stamps.items()) if stamp is not None},
            "sidecars": dict(sorted(self.sidecars.items())),
            "globals": self.globals,
            # a gathered issue's task -> the article files it was made of, and each one's
            # name and sha256 as the issue lists them (pressout.read.gather)
            "gathered": {p.task.path: {"files": [m.path for m in p.task.members] if p.task.members
                                       else self.members(p.task.path), "sources": p.sources}
                         for p in sorted(pages, key=lambda p: p.task.path) if p.task.path.startswith(GATHERED)},
            "issues": issues,
            "articles": articles,
            "outputs": outputs,
            # with the models and pieces, the manifest and issues.json
            "files": outputs + issues * (1 + len(self.layout[2])) + 2,
        }
        if self.failures:
            manifest["incomplete"] = True  # a failed page makes the next build try again
        # A page kept from the previous build keeps its heads as stored (decoding and encoding
        # them again costs a big archive's build a third of a second).
        stored = self.live.heads["pages"] if self.live is not None else {}
        heads = {
            "format": CACHE_FORMAT,
            "version": __version__,
            # made a page at a time as it is written, not all at once beside the heads
            "pages": ((p.task.path, {"warnings": p.warnings,
                                     "issues": stored[p.task.path]["issues"] if not p.new
                                     else [h.to_json() for h in p.heads],
                                     "fragments": {path: [layout[h.id] for h in p.heads]
                                                   for path, (layout, _) in self.placed.items()},
                                     **({"part": p.part} if p.part is not None else {})})
                      for p in pages),
            "sizes": {path: size for path, (_, size) in self.placed.items()},
        }
        for name, data in ((MANIFEST, manifest), (HEADS, heads)):
            _write_json(self.staging / CACHE_DIR / name, data)
        return outputs

    def members(self, path: str) -> list[str]:
        """The article files of a gathered issue kept from the previous build."""
        live = self.live
        return live.manifest.get("gathered", {}).get(path, {}).get("files", []) if live is not None else []

    # --- replacing the output ---

    def commit(self, pages: list[_Page]) -> None:
        """Put the new build in place (see the module docstring, "Two generations")."""
        self.workers.close()  # all their work is done
        live, out, staging = self.live, self.out, self.staging
        # The output becomes the next spare when the manifest says all it holds.
        handover = live is not None and live.complete()
        # The user's own files in the output (see pressout.outdir): carried into the new one.
        if live is not None:
            extras = foreign_files(out, live.expected())
        else:
            extras = foreign_files(out, None, old_manifest=(out / CACHE_DIR / MANIFEST).exists())
        if self.spare is None:
            # With no previous output to become the spare (the first build of a folder), the
            # spare is made of links to the new output: the next build, which adds a page,
            # then brings the spare up to date instead of linking every file anew.
            seed = None
            if not handover and not self.failures:
                seed = out.parent / f".{out.name}.next-{os.getpid()}"
                if not _link_tree(str(staging), str(seed)):
                    seed = None
            try:
                carry(out, staging, extras)
                self.lock.add(staging)
            except BaseException:
                if seed is not None:
                    _rmtree(seed)
                raise
            _swap(staging, out, handover, extras)
            if seed is not None:
                os.replace(seed, out / CACHE_DIR / SPARE)
            return
        following = out.parent / f".{out.name}.next-{os.getpid()}"
        with _signals_deferred():
            os.replace(out / CACHE_DIR / SPARE, following)
            try:
                try:
                    self.update(following, pages)
                except PermissionError:  # a folder of the spare made read-only (by hand?)
                    raise _SpareUnusable() from None
                carry(out, following, extras)
                self.lock.add(following)
                _swap(following, out, handover, extras)
            except BaseException:
                _rmtree(following)
                raise
        _rmtree(staging)  # the new files the spare had already

    def update(self, target: Path, pages: list[_Page]) -> None:
        """Bring the spare (moved to ``target``) up to this build: what it has of this build
        stays, what is new is renamed into it from the staging folder, what the previous
        build made is linked from the output, and what is gone is removed."""
        spare, staging, out = self.spare, self.staging, self.out
        assert spare is not None
        shutil.rmtree(target / CACHE_DIR / SPARE, ignore_errors=True)
        had = {source: (key, dict(issues), spare.layouts[number])
               for source, (key, issues, number) in spare.pages.items()}

        def kept(page: _Page) -> dict[str, bool] | None:
            """None when the spare does not have the page as this build has it; else for
            each of its issues, whether the spare has its title-bound files as this build has them."""
            entry = had.get(page.task.path)
            if entry is None or (entry[0], list(entry[1]), entry[2]) != (page.key, [h.id for h in page.heads],
                                                                          page.layout):
                return None
            return {h.id: entry[1][h.id] == bound for h, bound in zip(page.heads, page.bounds, strict=True)}

        def articles(source: str, ident: str, templates: list[str]) -> list[str]:
            """The article ids of an issue of the spare, read from its heads only when a
            template outside the issue's own folders needs them."""
            folders = {posixpath.dirname(t) for t in templates if "{id}" in posixpath.dirname(t)}
            if all("{article}" not in t or posixpath.dirname(t) in folders for t in templates):
                return []
            return next(h.article_ids for h in spare.page_heads(source) if h.id == ident)

        keep = {page.task.path: kept(page) for page in pages}
        for source, (_, issues, layout) in had.items():  # first what the spare has and this build has not
            same = keep.get(source)
            for ident in issues:
                if same is None:
                    for rel in own_files(layout, ident, articles(source, ident, layout[0])):
                        _unlink(target / rel)
                if same is None or not same[ident]:
                    folders = issue_folders(layout[1], ident)
                    for folder in folders:
                        shutil.rmtree(target / folder, ignore_errors=True)
                    for rel in bound_files(layout, ident, articles(source, ident, layout[1])):
                        if posixpath.dirname(rel) not in folders:
                            _unlink(target / rel)
        for rel, digest in spare.feeds.items():
            if self.feeds.get(rel) != digest:
                _unlink(target / rel)
        for rel in spare.globals:
            _unlink(target / rel)
        for page in pages:  # then what this build has and the spare has not
            same = keep[page.task.path]
            root = staging if page.new else out
            for head in page.heads:
                if same is None:
                    for rel in own_files(page.layout, head.id, head.article_ids):
                        _bring(root / rel, target / rel, move=page.new)
                if same is None or not same[head.id]:
                    folders = issue_folders(page.layout[1], head.id)
                    loose = [rel for rel in bound_files(page.layout, head.id, head.article_ids)
                             if posixpath.dirname(rel) not in folders]
                    if page.new or head.id in page.site_new:
                        for folder in folders:
                            os.makedirs((target / folder).parent, exist_ok=True)
                            os.replace(staging / folder, target / folder)
                        for rel in loose:
                            _bring(staging / rel, target / rel, move=True)
                    else:
                        for folder in folders:
                            (target / folder).mkdir(parents=True)
                        for rel in bound_files(page.layout, head.id, head.article_ids):
                            _bring(out / rel, target / rel, move=False)
        for rel, digest in self.feeds.items():
            if spare.feeds.get(rel) != digest:
                new = rel in self.rendered
                _bring((staging if new else out) / rel, target / rel, move=new)
        for rel in [*self.globals, f"{CACHE_DIR}/{MANIFEST}", f"{CACHE_DIR}/{HEADS}"]:
            _bring(staging / rel, target / rel, move=True)
