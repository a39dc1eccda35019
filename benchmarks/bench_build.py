"""Benchmark ``pressout build`` on synthetic archives of N pages, against pandoc (and calibre).

    python benchmarks/bench_build.py              # N = 10, 100, 1000, 10000 (the last takes a while)
    python benchmarks/bench_build.py --quick      # N = 10, 100
    python benchmarks/bench_build.py --sizes 1000 --jobs 2 --sample 20 --json out.json

For each N the script writes a deterministic synthetic archive (``benchmarks/synth.py``:
the seed pages' articles recombined into N pages with distinct dates, varied sizes and
layouts, and an ``issues.toml``), then, each in a fresh child process:

* the full build (``pressout.build`` with its defaults: EPUB, feeds, web edition, TEI per
  issue and the TEI corpus; the vertical EPUB edition is opt-in and not built) with ``--jobs`` workers: wall time, pages/s,
  articles/s, the time of each phase and of each stage, and peak memory of the whole
  process tree (sampled every 0.1 s from /proc: the sum of RSS, which counts pages the
  workers share with the parent twice, and the sum of PSS, which does not);
* an unchanged rebuild, and incremental rebuilds after adding one page, then another (the
  daily case: the first brings up to date the spare of links the full build left, the
  next the previous generation, see ``pressout.build``);
* reading alone (``read_page`` in one process, one core, up to ``--read-pages`` pages).

Stage times come from timing wrappers put around the stage functions in the child before
the build starts (nothing in pressout is changed): read, epub, tei (per issue), model
serialisation in the workers; model decoding, feeds, site and TEI corpus in the parent.
They are CPU seconds (``time.process_time``) summed over processes; "other" is what the
phases took beyond them (writing files, pickling, scheduling, the manifest, the swap).

Peers run on a sample of the same pages, one process per page as a user would:
``pandoc page.txt -o page.epub --metadata title=…``, calibre's ``ebook-convert`` when it is
installed, and ``pressout epub page.txt`` for the same job (EPUB only).

Prints a table and writes everything as JSON (default ``benchmarks/out/bench_build.json``).
Timings on a shared machine are noisy: the load average is recorded with every run, and
every build starts after ``sync`` (the previous build's writes flushed, not timed). The
archives and outputs go to a temporary folder (``--work`` or ``TMPDIR`` to choose; the
10,000-page run writes about 3 GB, on a disk whose file creation speed shows in the
result: the folder's file system, tmpfs or a disk's, is printed and recorded; an old
output is set aside and deleted when the run ends, never just before a timed build);
children run with a bytecode cache, as an installed pressout does. The build's kernel CPU
time is recorded too: it is the file system's cost, and where it is high, it says so.
(On ext4 without a journal, making a file costs more for each inode deleted in the last
minutes in its block group: right after a big deletion, such as the end of the previous
run, the kernel time of a 1,000-page build was 5-12 s here, against 1 s otherwise.)
``PRESSOUT_CODE=/other/checkout`` measures another copy of pressout (A/B comparisons).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
# PRESSOUT_CODE=/other/checkout measures that copy of pressout with this benchmark (A/B runs).
if os.environ.get("PRESSOUT_CODE"):
    sys.path.insert(0, os.environ["PRESSOUT_CODE"])

DEFAULT_SIZES = (10, 100, 1000, 10000)
QUICK_SIZES = (10, 100)
TARGETS = {
    "pages_per_s_at_1000": 150.0,
    "linearity_10000_vs_1000": 1.2,
    "peak_rss_mb_at_10000": 300.0,
    "incremental_add_one_s_at_10000": 5.0,
    "read_pages_per_s_per_core": 1000.0,
}


# Above this share of a build's CPU, the kernel's time is the file system's state, not
# pressout's work (about 9-13% on a quiet ext4 or on tmpfs, 30% right after a big deletion
# on ext4 without a journal): the table says so.
KERNEL_SHARE = 0.2


# --- child: one build, with stage timers ------------------------------------------------


def _instrument(stats_dir: Path) -> None:
    """Wrap the stage functions (before the worker pool forks) so that every process
    adds up where its time goes; workers write their totals to ``stats_dir/{pid}.json``."""
    import pressout.build.run as run_mod
    import pressout.build.work as work_mod
    import pressout.export.cover as cover_mod
    import pressout.export.epub as epub_mod
    import pressout.export.feed as feed_mod
    import pressout.export.feed_pieces as pieces_mod
    import pressout.export.opds as opds_mod
    import pressout.export.search as search_mod
    import pressout.export.sections as sections_mod
    import pressout.export.site as site_mod
    import pressout.export.tei as tei_mod
    import pressout.jsonio as jsonio_mod
    import pressout.read as read_pkg
    from pressout.read import read_page  # noqa: F401  (resolves the lazy attribute)

    totals: dict[str, list[float]] = {}

    def timed(name: str, func):
        def wrapper(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                slot = totals.setdefault(name, [0.0, 0.0, 0])
                slot[0] += time.process_time() - cpu
                slot[1] += time.perf_counter() - wall
                slot[2] += 1

        wrapper.__wrapped__ = func
        return wrapper

    def timed_iter(name: str, func):
        """For generators: the time spent making each item, not the caller's in between."""
        def wrapper(*args, **kwargs):
            items = func(*args, **kwargs)
            slot = totals.setdefault(name, [0.0, 0.0, 0])
            slot[2] += 1
            while True:
                cpu, wall = time.process_time(), time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    slot[0] += time.process_time() - cpu
                    slot[1] += time.perf_counter() - wall
                yield item

        wrapper.__wrapped__ = func
        return wrapper

    read_pkg.read_page = timed("read", read_pkg.read_page)
    epub_mod.epub_bytes = timed("epub", epub_mod.epub_bytes)
    tei_mod.tei_documents = timed("tei", tei_mod.tei_documents)  # an issue's document and fragment
    jsonio_mod.issue_to_dict = timed("model_encode", jsonio_mod.issue_to_dict)
    jsonio_mod.issue_from_dict = timed("model_decode", jsonio_mod.issue_from_dict)
    # feeds: the plan (in the parent), then each page's entries and documents (in the workers)
    feed_mod.feed_pages = timed_iter("feeds", feed_mod.feed_pages)
    feed_mod.page_entries = timed("feeds", feed_mod.page_entries)
    # the articles' entries made with each issue (in the workers' per-page work), and the
    # pages put together from them (in the workers' archive jobs)
    pieces_mod.pieces_of = timed("feeds", pieces_mod.pieces_of)
    pieces_mod.render_page_from_pieces = timed_iter("feeds", pieces_mod.render_page_from_pieces)
    feed_mod.render_page = (timed_iter if inspect.isgeneratorfunction(feed_mod.render_page) else timed)(
        "feeds", feed_mod.render_page)
    # web edition: each issue's pages (in the workers), the index (in the parent)
    site_mod.issue_pages = timed_iter("site", site_mod.issue_pages)
    site_mod.iter_site = timed_iter("site", site_mod.iter_site)
    run_mod._Build.write_concatenations = timed("corpus", run_mod._Build.write_concatenations)
    # issues 16 and 17: the cover images (in the workers; the EPUB takes the same, cached),
    # the search index (each issue's folded text in the workers, then a job a year), the
    # sections' and columns' feeds and pages, the OPDS catalog, the issue pages' links to
    # their neighbours (made from the worker's pages)
    cover_mod.cover_png = timed("covers", cover_mod.cover_png)
    search_mod.issue_pieces = timed("search", search_mod.issue_pieces)
    search_mod.year_files = timed_iter("search", search_mod.year_files)
    search_mod.year_plans = timed("search", search_mod.year_plans)
    for method in ("archive_jobs", "run_job"):
        setattr(sections_mod.SectionsExporter, method, timed_iter("sections", getattr(sections_mod.SectionsExporter,
                                                                                      method)))
        setattr(opds_mod.OpdsExporter, method, timed_iter("opds", getattr(opds_mod.OpdsExporter, method)))
    site_mod.SiteExporter.rebound = timed("site", site_mod.SiteExporter.rebound)

    parent = os.getpid()

    def counted(name: str, run):
        """A worker's entry point (a page, a job) that leaves its totals for the parent."""
        def wrapper(work):
            cpu = time.process_time()
            try:
                return run(work)
            finally:
                slot = totals.setdefault(name, [0.0, 0.0, 0])
                slot[0] += time.process_time() - cpu
                slot[2] += 1
                if os.getpid() != parent:
                    (stats_dir / f"{os.getpid()}.json").write_text(json.dumps(totals))

        wrapper.__module__, wrapper.__qualname__ = run.__module__, run.__qualname__
        return wrapper

    # patched where the build calls them and where a worker finds them by name (pickling)
    work_mod.run_task = run_mod.run_task = counted("task", work_mod.run_task)
    work_mod.run_job = run_mod.run_job = counted("job", work_mod.run_job)
    _instrument.totals = totals  # type: ignore[attr-defined]


def child_build(source: str, out: str, jobs: int, force: bool, stats: str) -> None:
    stats_dir = Path(stats)
    stats_dir.mkdir(parents=True, exist_ok=True)
    import_start = time.perf_counter()
    from pressout.build import build

    _instrument(stats_dir)
    imported = time.perf_counter() - import_start
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int, item: str) -> None:
        now = time.perf_counter() - start
        marks.setdefault(f"first_{stage}", now)
        marks[f"last_{stage}"] = now

    cpu0 = time.process_time()
    start = time.perf_counter()
    executor = os.environ.get("PRESSOUT_BENCH_EXECUTOR")  # --dask: a LocalCluster's scheduler
    report = build([source], out, jobs=jobs, force=force, progress=progress, executor=executor)
    seconds = time.perf_counter() - start
    parent_cpu = time.process_time() - cpu0
    workers: dict[str, list[float]] = {}
    for path in stats_dir.glob("*.json"):
        for name, (cpu, wall, calls) in json.loads(path.read_text()).items():
            slot = workers.setdefault(name, [0.0, 0.0, 0])
            slot[0] += cpu
            slot[1] += wall
            slot[2] += calls
    self_ru = resource.getrusage(resource.RUSAGE_SELF)
    child_ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "seconds": seconds,
        "import_s": imported,
        "report": report.as_dict() | {"warnings": len(report.warnings)},
        "marks": marks,
        "parent_cpu_s": parent_cpu,
        "workers_cpu_s": child_ru.ru_utime + child_ru.ru_stime,
        # of which the kernel's: mostly the file system's, making files (see _file_system)
        "system_cpu_s": self_ru.ru_stime + child_ru.ru_stime,
        "parent_stages": _instrument.totals,  # type: ignore[attr-defined]
        "worker_stages": workers,
        "maxrss_parent_mb": self_ru.ru_maxrss / 1024,
        "maxrss_worker_mb": child_ru.ru_maxrss / 1024,
    }))


def child_read(source: str, limit: int) -> None:
    from pressout.read import read_page
    from pressout.read.meta import load_sidecar

    folder = Path(source)
    sidecar = load_sidecar(folder / "issues.toml")
    pages = sorted(folder.glob("*.txt"))[:limit]
    metas = [sidecar.for_page(p.name) for p in pages]
    read_page(pages[0], meta=metas[0])  # warm: first-use costs are not per page
    cpu, start = time.process_time(), time.perf_counter()
    articles = 0
    size = 0
    for page, meta in zip(pages, metas, strict=True):
        issue = read_page(page, meta=meta)
        articles += len(issue.articles)
        size += page.stat().st_size
    print(json.dumps({"pages": len(pages), "articles": articles, "bytes": size,
                      "seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}))


# --- parent: process-tree memory sampler ----------------------------------------------


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
        return int(data[data.rindex(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            ppid = _ppid(int(name))
            if ppid is not None:
                parents.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB, from /proc/pid/smaps_rollup."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = self.peak_procs = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = _tree(self.pid)
            mems = [_memory(p) for p in pids]
            self.peak_rss_kb = max(self.peak_rss_kb, sum(m[0] for m in mems))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(m[1] for m in mems))
            self.peak_procs = max(self.peak_procs, len(pids))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _load() -> float:
    return os.getloadavg()[0]


def _file_system(path: Path) -> str:
    """The type of the file system ``path`` is on (from /proc/mounts; "unknown" elsewhere):
    file creation costs differ so much between tmpfs and a disk that a result needs it."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    where = str(path.resolve())
    best = ("", "unknown")
    for fields in mounts:
        point = fields[1].replace("\\040", " ")
        inside = where == point or where.startswith(point.rstrip("/") + "/")
        if len(fields) > 2 and inside and len(point) > len(best[0]):
            best = (point, fields[2])
    return best[1]


CHILD_ENV: dict[str, str] = dict(os.environ)


def child_env(work: Path) -> None:
    """Children run as from an installed pressout: with a bytecode cache (in the work
    folder), even where PYTHONDONTWRITEBYTECODE is set, so no run pays for compiling."""
    CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")


def run_child(args: list[str], sample: bool = True) -> dict[str, Any]:
    """Run this script in a child mode; return its JSON, with load and (optionally) the
    peak memory of its process tree."""
    load_before = _load()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=CHILD_ENV)
    sampler = TreeSampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    out, err = proc.communicate()
    if sampler:
        sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["load_before"], result["load_after"] = load_before, _load()
    if sampler:
        result["peak_tree_rss_mb"] = sampler.peak_rss_kb / 1024
        result["peak_tree_pss_mb"] = sampler.peak_pss_kb / 1024
        result["peak_tree_procs"] = sampler.peak_procs
        result["memory_samples"] = sampler.samples
    return result


# --- stage summary --------------------------------------------------------------------


def stages(result: dict[str, Any]) -> dict[str, float]:
    """CPU seconds per stage (summed over processes), and the phases' wall seconds."""
    w, p, m = result["worker_stages"], result["parent_stages"], result["marks"]

    def cpu(table: dict[str, list[float]], name: str) -> float:
        return table.get(name, [0.0])[0]

    out = {
        "read": cpu(w, "read") + cpu(p, "read"),
        "epub": cpu(w, "epub") + cpu(p, "epub"),
        "tei": cpu(w, "tei") + cpu(p, "tei"),
        "feeds": cpu(w, "feeds") + cpu(p, "feeds"),
        "site": cpu(w, "site") + cpu(p, "site"),
        "corpus": cpu(p, "corpus"),
        "model_io": sum(cpu(t, name) for t in (w, p) for name in ("model_encode", "model_decode")),
        **{name: cpu(w, name) + cpu(p, name) for name in ("covers", "search", "sections", "opds")},
    }
    total_cpu = result["parent_cpu_s"] + result["workers_cpu_s"]
    out["other"] = max(0.0, total_cpu - sum(out.values()))
    out["total_cpu"] = total_cpu
    out["system_cpu"] = result.get("system_cpu_s", 0.0)
    seconds = result["seconds"]
    feeds_at = m.get("first_feeds", seconds)
    tei_at = m.get("first_tei", feeds_at)
    out["phase_pages_wall"] = feeds_at
    out["phase_feeds_site_wall"] = tei_at - feeds_at
    out["phase_corpus_finish_wall"] = seconds - tei_at
    return out


# --- peers ------------------------------------------------------------------------------


def _issue_title(folder: Path, page: Path) -> str:
    from pressout.read.meta import load_sidecar

    meta = load_sidecar(folder / "issues.toml").for_page(page.name)
    d = meta.date
    return f"太原日报 {d.year}年{d.month}月{d.day}日" if d else page.stem


def _time_each(commands: list[list[str]]) -> dict[str, Any]:
    subprocess.run(commands[0], capture_output=True, env=CHILD_ENV)  # warm: caches, bytecode
    times = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    failures = 0
    for command in commands:
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=CHILD_ENV)
        times.append(time.perf_counter() - start)
        failures += done.returncode != 0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    times.sort()
    return {"pages": len(commands), "seconds": sum(times), "median_s": times[len(times) // 2],
            "pages_per_s": len(commands) / sum(times), "cpu_s": cpu, "failures": failures}


def peers(folder: Path, sample: int, work: Path) -> dict[str, Any]:
    """The sample pages are copied, with their own issues.toml, into a folder of their
    own: a user converting some pages does not have the whole archive's sidecar to read."""
    from synth import SIDECAR_HEAD, sidecar_entry

    from pressout.read.meta import load_sidecar

    pages = sorted(folder.glob("*.txt"))
    step = max(1, len(pages) // sample)
    out = work / "peers"
    shutil.rmtree(out, ignore_errors=True)
    (out / "pages").mkdir(parents=True)
    metas = load_sidecar(folder / "issues.toml")
    sidecar = [SIDECAR_HEAD]
    picked = []
    for page in pages[::step][:sample]:
        shutil.copy(page, out / "pages" / page.name)
        meta = metas.for_page(page.name)
        sidecar.append(sidecar_entry(page.name, meta.date, meta.page))
        picked.append(out / "pages" / page.name)
    (out / "pages" / "issues.toml").write_text("".join(sidecar), encoding="utf-8")
    folder = out / "pages"
    result: dict[str, Any] = {"sample_pages": [p.name for p in picked], "load_before": _load()}
    pandoc = shutil.which("pandoc")
    if pandoc:
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        commands = [[pandoc, str(p), "-o", str(out / f"{p.stem}.pandoc.epub"), "--metadata",
                     f"title={_issue_title(folder, p)}"] for p in picked]
        result["pandoc"] = {"version": version, **_time_each(commands)}
    else:
        result["pandoc"] = {"installed": False}
    calibre = shutil.which("ebook-convert")
    if calibre:
        commands = [[calibre, str(p), str(out / f"{p.stem}.calibre.epub"), "--title", _issue_title(folder, p)]
                    for p in picked]
        result["ebook-convert"] = _time_each(commands)
    else:
        result["ebook-convert"] = {"installed": False}
    script = Path(sys.executable).parent / "pressout"
    launcher = [str(script)] if script.exists() else [sys.executable, "-c", "from pressout.cli import main; main()"]
    commands = [[*launcher, "epub", str(p), "-o", str(out / "pressout")] for p in picked]
    (out / "pressout").mkdir()
    result["pressout_epub_cli"] = _time_each(commands)
    # the same pages in one command (one start-up for all of them)
    batch = _time_each([[*launcher, "epub", *map(str, picked), "-o", str(out / "pressout")]])
    batch["pages"] = len(picked)
    batch["pages_per_s"] = len(picked) / batch["seconds"]
    batch["median_s"] = batch["seconds"] / len(picked)
    result["pressout_epub_cli_one_call"] = batch
    result["load_after"] = _load()
    return result


# --- the run ----------------------------------------------------------------------------


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from synth import add_page, make_archive

    source, out, stats = work / f"pages-{n}", work / f"out-{n}", work / f"stats-{n}"
    for path in (source, out):
        _set_aside(path, work)
    started = time.perf_counter()
    archive = make_archive(n, source, seed=args.seed)
    archive["generate_s"] = time.perf_counter() - started
    _say(f"N={n}: archive of {archive['bytes'] / 1e6:.1f} MB in {archive['generate_s']:.1f} s; building …")

    def build(name: str, force: bool) -> dict[str, Any]:
        shutil.rmtree(stats, ignore_errors=True)
        if force:  # a full build starts from nothing: deleting an old output is not its cost
            _set_aside(out, work)
        # Each build starts with the disk at rest: the gigabytes the build before it wrote
        # are flushed first (as by the next day), not while this one is timed.
        os.sync()
        result = run_child(["--child", "build", str(source), str(out), str(args.jobs), str(int(force)), str(stats)])
        result["stages_cpu_s"] = stages(result)
        _say(f"  {name}: {result['seconds']:.2f} s (load {result['load_before']:.1f})")
        return result

    entry: dict[str, Any] = {"n": n, "archive": archive, "full": []}
    for _ in range(args.repeat):
        entry["full"].append(build("full build", force=True))
    best = min(entry["full"], key=lambda r: r["seconds"])
    if args.dask and n in args.dask_sizes:
        entry["dask"] = dask_build(lambda: build("full build, Dask executor", force=True), args.jobs)
    entry["best"] = best
    report = best["report"]
    entry["pages_per_s"] = n / best["seconds"]
    entry["articles_per_s"] = report["articles"] / best["seconds"]
    entry["ms_per_page"] = 1000 * best["seconds"] / n
    if not args.no_incremental:
        entry["unchanged"] = build("unchanged rebuild", force=False)
        add_page(source, n, seed=args.seed)
        entry["add_first"] = build("add one page (first rebuild after the full build)", force=False)
        # The daily case: the build before it left a previous generation to bring up to
        # date (.pressout/spare); the first incremental build after a full one has none and
        # makes a new tree of hard links (see pressout.build).
        add_page(source, n + 1, seed=args.seed)
        entry["add_one"] = build("add one page (the next day)", force=False)
    if not args.no_read:
        limit = min(n, args.read_pages)
        entry["read"] = run_child(["--child", "read", str(source), str(limit)], sample=False)
        entry["read"]["pages_per_s_per_core"] = entry["read"]["pages"] / entry["read"]["cpu_s"]
        _say(f"  reading alone: {entry['read']['pages_per_s_per_core']:.0f} pages/s per core")
    if not args.keep:
        _set_aside(out, work)
    return entry


def dask_build(run: Any, jobs: int) -> dict[str, Any]:
    """A full build whose work runs on a Dask LocalCluster of ``jobs`` worker processes
    (started before the build is timed, as a cluster is already running)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        CHILD_ENV["PRESSOUT_BENCH_EXECUTOR"] = cluster.scheduler_address
        try:
            return run()
        finally:
            CHILD_ENV.pop("PRESSOUT_BENCH_EXECUTOR", None)


def _set_aside(path: Path, work: Path) -> None:
    """Move an old archive or output out of the way; the run deletes it when it ends.

    Deleting 100,000s of files just before a timed build makes that build pay for it: on
    ext4 the kernel then checks every recently freed inode it passes over when it allocates
    new ones (measured here: 14,000 file creations took 5.2 s of kernel time right after a
    large deletion, 0.6 s a minute later)."""
    if path.exists():
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.monotonic_ns()}")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    import pressout
    from pressout import __version__

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "pressout": __version__, "code": str(Path(pressout.__file__).parent),
            "commit": commit + ("+dirty" if dirty else ""),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z")}


def table(results: dict[str, Any]) -> str:
    rows = []
    head = (f"{'pages':>6} {'articles':>8} {'build s':>8} {'pages/s':>8} {'art/s':>7} {'ms/page':>8} "
            f"{'RSS MB':>7} {'PSS MB':>7} {'load':>5} | {'read':>5} {'epub':>5} {'tei':>5} {'feeds':>5} "
            f"{'site':>5} {'corpus':>6} {'model':>5} {'cover':>5} {'srch':>5} {'sect':>5} {'opds':>5} "
            f"{'other':>5}  (CPU ms/page)")
    rows.append(head)
    rows.append("-" * len(head))
    for e in results["sizes"]:
        b, n = e["best"], e["n"]
        s = b["stages_cpu_s"]
        per = {k: 1000 * s.get(k, 0.0) / n for k in ("read", "epub", "tei", "feeds", "site", "corpus", "model_io",
                                                     "covers", "search", "sections", "opds", "other")}
        rows.append(
            f"{n:>6} {b['report']['articles']:>8} {b['seconds']:>8.2f} {e['pages_per_s']:>8.1f} "
            f"{e['articles_per_s']:>7.0f} {e['ms_per_page']:>8.2f} {b['peak_tree_rss_mb']:>7.0f} "
            f"{b['peak_tree_pss_mb']:>7.0f} {b['load_before']:>5.1f} | {per['read']:>5.1f} {per['epub']:>5.1f} "
            f"{per['tei']:>5.1f} {per['feeds']:>5.1f} {per['site']:>5.1f} {per['corpus']:>6.1f} "
            f"{per['model_io']:>5.1f} {per['covers']:>5.1f} {per['search']:>5.1f} {per['sections']:>5.1f} "
            f"{per['opds']:>5.1f} {per['other']:>5.1f}"
        )
    rows.append("")
    rows.append("phases (wall s): pages = read+EPUB+TEI in workers; feeds+site; corpus+finish (their share"
                " of the build: the reduce side); and the CPU seconds of the whole build, and of it the kernel's")
    for e in results["sizes"]:
        s = e["best"]["stages_cpu_s"]
        reduce = s["phase_feeds_site_wall"] + s["phase_corpus_finish_wall"]
        rows.append(f"  N={e['n']:<6} pages {s['phase_pages_wall']:7.2f}   feeds+site {s['phase_feeds_site_wall']:7.2f}"
                    f"   corpus+finish {s['phase_corpus_finish_wall']:7.2f}"
                    f"   (reduce {100 * reduce / e['best']['seconds']:4.1f}%)   CPU {s['total_cpu']:7.2f}"
                    f"   kernel {s['system_cpu']:6.2f}")
    for e in results["sizes"]:
        if "dask" in e:
            d = e["dask"]
            rows.append(f"  N={e['n']:<6} Dask executor (LocalCluster, {results['jobs']} worker processes): "
                        f"{d['seconds']:.2f} s ({e['n'] / d['seconds']:.1f} pages/s) against the local pool's "
                        f"{e['best']['seconds']:.2f} s")
    slow = [e["n"] for e in results["sizes"] if e["n"] >= 100
            and e["best"]["stages_cpu_s"]["system_cpu"] > KERNEL_SHARE * e["best"]["stages_cpu_s"]["total_cpu"]]
    if slow:
        rows.append(f"  note: the kernel took over {KERNEL_SHARE:.0%} of the CPU at N = {', '.join(map(str, slow))}: "
                    "the file system was slow to make files (on ext4 without a journal: right after a big deletion)")
    inc = [e for e in results["sizes"] if "add_one" in e]
    if inc:
        rows.append("")
        rows.append("incremental (wall s): unchanged rebuild / add one page: first rebuild after the full build, "
                    "the next day (peak tree RSS MB)")
        for e in inc:
            rows.append(f"  N={e['n']:<6} {e['unchanged']['seconds']:7.2f} / {e['add_first']['seconds']:7.2f}"
                        f" / {e['add_one']['seconds']:7.2f}"
                        f"   ({e['add_one']['peak_tree_rss_mb']:.0f} MB, load {e['add_one']['load_before']:.1f})")
    reads = [e for e in results["sizes"] if "read" in e]
    if reads:
        rows.append("")
        rows.append("reading alone (one process): " + ", ".join(
            f"N={e['n']}: {e['read']['pages_per_s_per_core']:.0f} pages/s per core" for e in reads))
    p = results.get("peers")
    if p:
        rows.append("")
        rows.append(f"peers, one process per page on {len(p['sample_pages'])} of the same pages (load {p['load_before']:.1f}):")
        ref = results.get("reference")
        for name in ("pandoc", "ebook-convert", "pressout_epub_cli", "pressout_epub_cli_one_call"):
            r = p[name]
            if r.get("installed") is False:
                rows.append(f"  {name:<26} not installed")
                continue
            line = f"  {name:<26} {r['pages_per_s']:6.1f} pages/s  (median {1000 * r['median_s']:.0f} ms/page)"
            if ref and not name.startswith("pressout"):
                line += (f"   pressout build at N={ref['n']} is {ref['pages_per_s'] / r['pages_per_s']:.1f}x "
                         f"this (all outputs, {results['jobs']} jobs)")
            if name == "pandoc" and "pressout_epub_cli" in p:
                cli = p["pressout_epub_cli"]
                line += f"; pressout epub, same job: {cli['pages_per_s'] / r['pages_per_s']:.1f}x"
                one = p.get("pressout_epub_cli_one_call")
                if one:
                    line += f" (all pages in one call: {one['pages_per_s'] / r['pages_per_s']:.1f}x)"
            rows.append(line)
    if results.get("targets"):
        rows.append("")
        rows.append("targets:")
        for name, t in results["targets"].items():
            verdict = "n/a" if t["value"] is None else ("met" if t["met"] else "NOT met")
            value = "—" if t["value"] is None else f"{t['value']:.2f}"
            rows.append(f"  {name:<34} {value:>10} (target {t['op']} {t['target']})  {verdict}")
    return "\n".join(rows)


def targets(results: dict[str, Any]) -> dict[str, Any]:
    by_n = {e["n"]: e for e in results["sizes"]}
    out: dict[str, Any] = {}

    def put(name: str, value: float | None, op: str) -> None:
        target = TARGETS[name]
        met = None if value is None else (value >= target if op == ">=" else value <= target if op == "<=" else
                                          value < target)
        out[name] = {"value": value, "target": target, "op": op, "met": met}

    put("pages_per_s_at_1000", by_n[1000]["pages_per_s"] if 1000 in by_n else None, ">=")
    lin = (by_n[10000]["ms_per_page"] / by_n[1000]["ms_per_page"]) if 1000 in by_n and 10000 in by_n else None
    put("linearity_10000_vs_1000", lin, "<=")
    put("peak_rss_mb_at_10000", by_n[10000]["best"]["peak_tree_rss_mb"] if 10000 in by_n else None, "<")
    # the slower of the two incremental builds: the first after the full build, the next day's
    adds = [by_n.get(10000, {}).get(name) for name in ("add_first", "add_one")]
    put("incremental_add_one_s_at_10000", max(a["seconds"] for a in adds) if all(adds) else None, "<")
    # the reading run over the most pages (up to --read-pages): small N read too few to say
    reads = sorted((e["read"]["pages"], e["n"], e["read"]["pages_per_s_per_core"]) for e in results["sizes"] if "read" in e)
    put("read_pages_per_s_per_core", reads[-1][2] if reads else None, ">=")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="comma-separated N (default 10,100,1000,10000)")
    parser.add_argument("--quick", action="store_true", help="N = 10, 100 only")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=20, help="pages for pandoc/calibre (0: skip peers)")
    parser.add_argument("--repeat", type=int, default=1, help="full builds per N (the best is reported)")
    parser.add_argument("--read-pages", type=int, default=1000, help="pages for the reading-alone run")
    parser.add_argument("--seed", type=int, default=20240607)
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--dask", action="store_true",
                        help="also a full build on a Dask LocalCluster (pip install 'pressout[dask]')")
    parser.add_argument("--dask-sizes", default="1000", help="the N with a Dask row (comma-separated)")
    parser.add_argument("--no-read", action="store_true")
    parser.add_argument("--work", help="folder for archives and outputs (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep archives and outputs")
    parser.add_argument("--json", default=str(HERE / "out" / "bench_build.json"))
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.dask_sizes = [int(n) for n in args.dask_sizes.split(",")]
    if args.child:
        mode, *rest = args.child
        if mode == "build":
            child_build(rest[0], rest[1], int(rest[2]), bool(int(rest[3])), rest[4])
        elif mode == "read":
            child_read(rest[0], int(rest[1]))
        return

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pressout-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    child_env(work)
    results: dict[str, Any] = {"machine": _machine(), "jobs": args.jobs, "seed": args.seed, "sizes": [],
                               "work_file_system": _file_system(work)}
    _say(f"work folder {work} ({results['work_file_system']}); load {_load():.1f}")
    try:
        for n in sizes:
            results["sizes"].append(bench_size(n, args, work))
        if args.sample:
            sample_n = max(sizes)
            _say(f"peers on {args.sample} pages of the N={sample_n} archive …")
            results["peers"] = peers(work / f"pages-{sample_n}", args.sample, work)
        ref = {e["n"]: e for e in results["sizes"]}
        pick = 1000 if 1000 in ref else max(ref)
        results["reference"] = {"n": pick, "pages_per_s": ref[pick]["pages_per_s"]}
        results["targets"] = targets(results)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(work / "trash", ignore_errors=True)
    text = table(results)
    results["table"] = text
    print(text)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
