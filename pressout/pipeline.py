"""``pressout build``: pages → EPUBs, feeds, web edition and TEI archive, in one folder.

Layout of the output folder (it is also the web root that ``pressout serve`` serves)::

    index.html, issues/…                 the web edition (pressout.export.site)
    atom.xml, rss.xml, feed.json,
    editions.xml, editions-rss.xml,
    archive/…                            the feeds (pressout.export.feed)
    epub/{issue}.epub, {issue}-vertical.epub
    tei/{issue}.xml, tei/corpus.xml      the TEI archive (pressout.export.tei)
    .pressout/                           the build cache: one model per page, and a manifest

Guarantees:

* **Never half-written.** Everything is written into a staging folder beside the output
  and swapped in with two renames when complete; an error, a crash or Ctrl-C leaves the
  previous output as it was.
* **Incremental.** A page whose bytes, metadata, configuration and pressout version are
  unchanged is not read again: its model comes from the cache and its EPUBs and TEI file
  are hard-linked from the previous build. Feeds, web pages and the corpus are always
  regenerated from the models (they depend on every issue). When nothing at all changed,
  nothing is written. ``force=True`` rebuilds everything.
* **Parallel and deterministic.** Pages are read and their per-issue outputs built in
  ``jobs`` worker processes; the result is byte-identical for every number of jobs.
* **One bad page is not the end.** A page that cannot be read is reported; the others are
  built; its outputs from the last good build are kept; ``BuildReport.failures`` lists it
  and the CLI exits with code 1 (partial failure). Of two pages with the same issue id,
  the first (in source order) is built and the second is such a failure.
* **Errors are one line.** A missing source, a folder without pages or an output folder
  that cannot be written is a ``PressoutError`` (InputError, OutputError) naming the path;
  an operating-system error while writing becomes an OutputError naming the output file.
  A bad value in ``issues.toml`` concerns every page: it stops the build (ConfigError).

``[build] styles`` in pressout.toml names a folder whose ``*.css`` files replace the shipped
style sheets of the same name, in the web edition and in the EPUBs (``article.css`` is shared
by both; ``epub.css``/``vertical.css`` are the EPUB's, ``site.css`` the web's); their bytes
are part of the cache key.

Outputs deleted by hand are noticed (the manifest lists every output file) and rebuilt;
outputs *edited* by hand are not: use ``force=True``. Hidden files (names starting with
``.``, such as editors' backups) in a source folder are not pages.

A build killed outright (SIGKILL, power loss) can leave a ``.{out}.staging-{pid}`` folder
beside the output; the next build removes it (and puts back ``.{out}.old-{pid}`` if the
kill came between the two renames).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .errors import ConfigError, InputError, OutputError, PressoutError

# The no-change path (`pressout build` with nothing to do) must start fast: the model, the
# readers, the exporters and multiprocessing are imported only when something is built.
if TYPE_CHECKING:
    from .model import Diagnostic, Issue

__all__ = ["BuildReport", "Failure", "build", "find_pages"]

CACHE_DIR = ".pressout"
MANIFEST = "manifest.json"
CACHE_FORMAT = 1


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


def find_pages(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Page files (``*.txt``) and TEI archives (``*.xml``) named by ``sources`` (files or
    folders, not recursive), in a stable order; an InputError for a missing path or a folder
    without pages."""
    pages: list[Path] = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".xml") and p.is_file()
                           and not p.name.startswith("."))
            if not found:
                raise InputError("folder has no pages (*.txt) or TEI archives (*.xml)", path=path)
            pages.extend(found)
        else:
            pages.append(path)
    unique: dict[Path, None] = {}
    for page in pages:
        unique.setdefault(page.resolve(), None)
    return list(unique)


# --- per-page work (runs in worker processes) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    key: str
    meta: Any  # IssueMeta | None
    encoding: str | None
    errors: str
    language: str
    publication: str | None
    publication_slug: str | None
    vertical: bool
    keep_breaks: bool
    error: str | None = None  # the page could not even be read for its digest
    styles: tuple[tuple[str, bytes], ...] = ()  # [build] styles, for the EPUBs


@dataclass(slots=True)
class _Done:
    path: str
    key: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None


def _issue_files(
    issue: Issue, *, vertical: bool, keep_breaks: bool, styles: dict[str, bytes]
) -> dict[str, bytes]:
    from .export.epub import epub_bytes, epub_name
    from .export.tei import tei_bytes

    files = {f"epub/{epub_name(issue)}": epub_bytes(issue, styles=styles)}
    if vertical:
        files[f"epub/{epub_name(issue, vertical=True)}"] = epub_bytes(issue, vertical=True, styles=styles)
    files[f"tei/{issue.id}.xml"] = tei_bytes(issue, keep_breaks=keep_breaks)
    return files


def _run_task(task: _Task) -> _Done:
    from .jsonio import issue_to_dict

    done = _Done(task.path, task.key)
    try:
        if task.path.lower().endswith(".xml"):
            from .read.tei import read_tei

            issues = read_tei(task.path)
        else:
            from .read import IssueMeta, read_page

            meta = task.meta
            defaults = IssueMeta(publication=task.publication, publication_slug=task.publication_slug)
            meta = meta.over(defaults) if meta is not None else defaults
            issues = [read_page(task.path, meta=meta, encoding=task.encoding, errors=task.errors)]
        for issue in issues:
            if issue.language != task.language:
                issue = replace(issue, language=task.language)
            done.files.update(
                _issue_files(issue, vertical=task.vertical, keep_breaks=task.keep_breaks, styles=dict(task.styles))
            )
            done.issues.append(issue_to_dict(issue))
            done.warnings.extend(issue.diagnostics)
    except PressoutError as exc:
        done.error = str(exc)
        done.files.clear()
        done.issues.clear()
    return done


# --- the build ---------------------------------------------------------------------------


def _page_key(data: bytes, meta: Any, fingerprint: str, encoding: str | None, errors: str) -> str:
    digest = hashlib.sha256()
    for part in (data, repr(meta).encode(), fingerprint.encode(), __version__.encode(),
                 repr((encoding, errors, CACHE_FORMAT)).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _load_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / CACHE_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("version") != __version__:
        return {}
    return data


def _check_output(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("output path is a file, not a folder", path=out_dir)
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        raise OutputError("the folder that should hold the output does not exist", path=parent)
    if not os.access(parent, os.W_OK | os.X_OK) or (out_dir.exists() and not os.access(out_dir, os.W_OK)):
        raise OutputError("output folder is not writable", path=out_dir)


def _style_overrides(config: Config) -> dict[str, bytes]:
    """``[build] styles``: the CSS files of that folder, by name (they replace the web
    edition's shipped style sheets of the same name)."""
    if not config.styles:
        return {}
    folder = Path(config.styles)
    if not folder.is_dir():
        raise ConfigError(f"[build] styles = {config.styles!r}: no such folder; use a folder of CSS files",
                          path=config.path)
    return {css.name: css.read_bytes() for css in sorted(folder.glob("*.css")) if css.is_file()}


def _fingerprint(config: Config, styles: dict[str, bytes]) -> str:
    """The configuration as the cache sees it: its values and the style sheets' bytes."""
    digest = hashlib.sha256(config.fingerprint().encode())
    for name, data in styles.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


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
    that was renamed away when the kill came between the swap's two renames."""
    parent = out.resolve().parent
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(staging|old)-(\d+)$")
    try:
        leftovers = sorted(parent.iterdir())
    except OSError:
        return
    for path in leftovers:
        m = pattern.match(path.name)
        if not m or int(m.group(2)) == os.getpid() or _pid_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            os.replace(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


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
) -> BuildReport:
    """Build everything from ``sources`` (default: the configuration's, ``seeds/``) into
    ``out_dir`` (default ``dist/``); see the module docstring for the guarantees.

    Raises InputError (no pages, or no page could be read), ConfigError or OutputError;
    bad pages among good ones are not raised but listed in ``BuildReport.failures``."""
    from .read.meta import SIDECAR_NAME, load_sidecar

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
    out = Path(out_dir if out_dir is not None else config.output)
    pages = find_pages(sources or config.sources)
    _check_output(out)
    jobs = jobs if jobs is not None else (config.jobs or os.cpu_count() or 1)
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    note = progress or (lambda stage, done, total, item: None)
    _clean_stale(out)
    styles = _style_overrides(config)
    fingerprint = _fingerprint(config, styles)

    manifest = _load_manifest(out) if not force else {}
    previous: dict[str, Any] = manifest.get("pages", {})

    # What each page needs: its bytes' digest with its metadata and the configuration.
    tasks: list[_Task] = []
    for page in pages:
        meta = None
        error = None
        try:
            if page.suffix.lower() != ".xml" and (page.parent / SIDECAR_NAME).is_file():
                meta = load_sidecar(page.parent / SIDECAR_NAME).for_page(page.name)
            data = page.read_bytes()
        except ConfigError:
            raise  # a bad issues.toml is the desk's configuration, not one bad page: stop
        except PressoutError as exc:
            error = str(exc)
        except PermissionError:
            error = f"{page}: cannot read: permission denied"
        except OSError as exc:
            error = f"{page}: cannot read: {exc.strerror or exc}"
        key = "" if error else _page_key(data, meta, fingerprint, encoding, errors)
        tasks.append(_Task(str(page), key, meta, encoding, errors, config.language, config.publication,
                           config.publication_slug, config.vertical, config.keep_breaks, error,
                           tuple(styles.items())))

    root = str(out)

    def present(rels: Iterable[str]) -> bool:  # os.path, not pathlib: this is the hot part of a no-op
        return all(os.path.isfile(os.path.join(root, rel)) for rel in rels)

    unchanged = [t for t in tasks if previous.get(t.path, {}).get("key") == t.key
                 and present(previous[t.path]["files"]) and present(previous[t.path]["models"])]
    if (not force and not manifest.get("incomplete")
            and len(unchanged) == len(tasks) == len(previous)
            and manifest.get("config") == fingerprint
            and present(manifest.get("files", ["-"]))):
        note("done", len(tasks), len(tasks), "nothing changed")
        return BuildReport(out, issues=manifest.get("issues", 0), articles=manifest.get("articles", 0),
                           outputs=manifest.get("outputs", 0), reused=len(tasks),
                           seconds=time.perf_counter() - started, changed=False)

    staging = out.resolve().parent / f".{out.name}.staging-{os.getpid()}"
    try:
        if staging.exists():
            shutil.rmtree(staging)
        report = _build_into(staging, out, tasks, unchanged, previous, config, styles, fingerprint, jobs, note)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        # Name the file as the user knows it: in the output folder, not in the staging one.
        where = str(exc.filename or out).replace(str(staging), str(out))
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=where) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()  # _build_into froze the models it keeps alive (see there)
    return replace(report, seconds=time.perf_counter() - started)


def _build_into(staging: Path, out: Path, tasks: list[_Task], unchanged: list[_Task],
                previous: dict[str, Any], config: Config, styles: dict[str, bytes],
                fingerprint: str, jobs: int, note: Progress) -> BuildReport:
    from .export.epub import epub_name
    from .export.feed import SiteOptions, iter_feeds
    from .export.site import iter_site
    from .export.tei import write_corpus
    from .jsonio import issue_from_dict
    from .model import Diagnostic

    staging.mkdir(parents=True)
    (staging / CACHE_DIR / "models").mkdir(parents=True)
    failures: list[Failure] = []
    total = len(tasks)
    done_count = 0

    def load(entry: dict[str, Any]) -> list[Issue] | None:
        """A page's models from the previous build's cache, if its files are all there;
        None when the cache is damaged (the page is then built again)."""
        try:
            if not all((out / rel).is_file() for rel in entry["files"]):
                return None
            return [issue_from_dict(json.loads((out / rel).read_text(encoding="utf-8"))) for rel in entry["models"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # Every page's issues, from the cache or built again; nothing is written yet.
    kept: dict[str, list[Issue]] = {}  # path -> models of its previous build, reused
    todo: list[_Task] = []
    reuse = {t.path for t in unchanged}
    for task in tasks:
        models = load(previous[task.path]) if task.path in reuse else None
        if models is None:
            todo.append(task)
            continue
        kept[task.path] = models
        gc.freeze()  # the models live to the end: spare them the cyclic GC's repeated walks
        done_count += 1
        note("read", done_count, total, Path(task.path).name + " (unchanged)")
    built: dict[str, _Done] = {}
    decoded: dict[str, list[Issue]] = {}  # path -> models of the pages built now
    unreadable = (_Done(t.path, t.key, error=t.error) for t in todo if t.error is not None)
    for result in chain(unreadable, _run_all([t for t in todo if t.error is None], jobs)):
        done_count += 1
        note("read", done_count, total, Path(result.path).name)
        if result.error is None:
            built[result.path], decoded[result.path] = _park(result, staging, len(built))
            gc.freeze()  # the models live to the end: spare them the cyclic GC's repeated walks
            continue
        entry = previous.get(result.path)
        models = load(entry) if entry is not None else None
        failures.append(Failure(result.path, result.error, kept_previous=models is not None))
        if models is not None:
            kept[result.path] = models

    # One issue id per issue across the build, checked before anything is written: two
    # pages with one id would write the same files. The page first in order keeps it.
    seen: dict[str, str] = {}
    issues: list[Issue] = []
    entries: dict[str, dict[str, Any]] = {}
    warnings: list[Diagnostic] = []
    rebuilt = reused = 0
    for task in tasks:
        path = task.path
        if path in built:
            page_issues = decoded.pop(path)
        elif path in kept:
            page_issues = kept[path]
        else:
            continue
        ids = [issue.id for issue in page_issues]
        clash = next((i for i in ids if i in seen), None)
        if clash is not None:
            failures.append(Failure(path, f"{path}: issue id {clash!r} is also the id of {seen[clash]}; "
                                    "give one of them a date, page or edition in issues.toml, or rename it"))
            continue
        seen.update((i, path) for i in ids)
        issues.extend(page_issues)
        if path in built:
            result = built[path]
            models = [f"{CACHE_DIR}/models/{data['id']}.json" for data in result.issues]
            for rel, parked in result.files.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(parked, target)
            # The warnings are kept with the page: the cached model does not carry them,
            # and a page taken from the cache next time still has them.
            entries[path] = {"key": result.key, "files": sorted(set(result.files) - set(models)), "models": models,
                             "warnings": [[w.code, w.source, w.message, w.line] for w in result.warnings]}
            warnings.extend(result.warnings)
            rebuilt += 1
        else:
            entry = previous[path]
            for rel in entry["files"] + entry["models"]:
                _link_or_copy(out / rel, staging / rel)
            entries[path] = entry
            warnings.extend(Diagnostic(*w) for w in entry.get("warnings", []))
            reused += path in reuse  # (not a failed page whose last good build is kept)
    shutil.rmtree(staging / CACHE_DIR / "parked", ignore_errors=True)  # what a rejected page left
    order = {task.path: n for n, task in enumerate(tasks)}
    failures.sort(key=lambda f: order[f.source])  # in page order, whatever finished first
    if not issues:
        raise InputError("no page could be read" + (f": {failures[0].message}" if failures else ""))

    note("feeds", 0, 1, "feeds and web edition")
    options = SiteOptions(base_url=config.base_url, title=config.site_title, feed_size=config.feed_size,
                          tag_authority=config.tag_authority)
    epubs = {issue.id: staging / "epub" / epub_name(issue) for issue in issues}
    # Streamed: each feed document and web page is written as soon as it is made, so
    # that no build holds the whole web edition or every feed document in memory.
    for rel, blob in chain(iter_feeds(issues, options, epubs), iter_site(issues, options, epubs)):
        if not (rel.startswith("styles/") and rel[len("styles/"):] in styles):
            _write(staging / rel, blob)
    for name, css in styles.items():  # [build] styles: the desk's own style sheets
        _write(staging / "styles" / name, css)
    note("tei", 0, 1, "TEI corpus")
    ordered = sorted(issues, key=lambda i: (i.date is None, i.date or 0, i.page or 0, i.id))
    write_corpus(ordered, staging / "tei" / "corpus.xml", keep_breaks=config.keep_breaks)

    outputs = sorted(_files(staging))
    articles = sum(len(i.articles) for i in issues)
    manifest = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "config": fingerprint,
        "pages": {path: entries[path] for path in sorted(entries)},  # with failed pages' last good build
        "issues": len(issues),
        "articles": articles,
        "outputs": len(outputs),
        "files": outputs,
    }
    if failures:
        manifest["incomplete"] = True  # a failed page makes the next build try again
    (staging / CACHE_DIR / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                                encoding="utf-8")
    return BuildReport(out, issues=len(issues), articles=articles, outputs=len(outputs),
                       rebuilt=rebuilt, reused=reused, warnings=tuple(warnings), failures=tuple(failures))


def _park(result: _Done, staging: Path, n: int) -> tuple[_Done, list[Issue]]:
    """Move a page's outputs out of memory as soon as they arrive: into a folder of the
    staging area's cache, from where they are renamed into place once the page's issue ids
    are known to be its own. A build then holds one page's outputs, not all of them."""
    folder = staging / CACHE_DIR / "parked" / str(n)
    files: dict[str, Any] = {}
    for rel, blob in result.files.items():
        path = folder / rel
        try:
            _write(path, blob)
        except OSError as exc:  # named as the user will know it: the file in the output
            raise OSError(exc.errno, exc.strerror, str(staging / rel)) from exc
        files[rel] = path
    from .jsonio import issue_from_dict

    models = [issue_from_dict(data) for data in result.issues]
    for data in result.issues:
        rel = f"{CACHE_DIR}/models/{data['id']}.json"
        path = folder / rel
        _write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        files[rel] = path
    return replace(result, files=files, issues=[{"id": data["id"]} for data in result.issues]), models


def _files(root: Path) -> Iterator[str]:
    """The files under ``root`` outside .pressout, as relative POSIX paths: what
    ``root.rglob("*")`` filtered with ``is_file()`` gives, several times faster."""
    base = len(str(root)) + 1
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != CACHE_DIR]
        rel = folder[base:]
        for name in files:
            if name != CACHE_DIR and os.path.isfile(os.path.join(folder, name)):
                yield f"{rel}/{name}" if rel else name


def _run_all(tasks: list[_Task], jobs: int) -> Iterator[_Done]:
    """Each task's result, in the tasks' order (so the output does not depend on ``jobs``)."""
    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            yield _run_task(task)
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=_worker_init)
    try:
        # The workers are started by the first submission. Ctrl-C or SIGTERM in the middle
        # of that would leave the pool without the thread that stops its workers, and
        # they would wait for work forever: held back until the pool is complete.
        with _signals_deferred():
            # chunksize 1: a page is a big unit of work, and an interrupted build then
            # waits for at most one page per worker before it stops.
            results = pool.map(_run_task, tasks, chunksize=1)
        yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_init() -> None:
    """A worker takes Ctrl-C and SIGTERM as any process does. It was forked with them held
    back (see ``_run_all``) and with the parent's handlers, which mean nothing here."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _write(target: Path, data: bytes) -> None:
    """Write a new file in the staging folder. Never through an existing name: that may be
    a hard link to a file of the previous build, which must stay as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.write_bytes(data)


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        target.unlink()
        _link_or_copy(source, target)
    except OSError:
        shutil.copy2(source, target)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM (delivered right after the block), so that Ctrl-C
    cannot fall between the two renames of the swap and leave no output folder."""
    can_block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    held = {signal.SIGINT, signal.SIGTERM}
    if can_block:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if can_block:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _swap(staging: Path, out: Path) -> None:
    """Put the finished build in place: two renames, so readers see the old or the new."""
    old = out.resolve().parent / f".{out.name}.old-{os.getpid()}"
    try:
        with _signals_deferred():
            if out.exists():
                os.replace(out, old)
            try:
                os.replace(staging, out)
            except OSError:
                if old.exists():
                    os.replace(old, out)
                raise
    finally:  # also when a held-back Ctrl-C is raised as the block ends
        if old.exists() and out.exists():
            # dist/README.md in the source tree says what the folder is: keep it there
            readme = old / "README.md"
            if readme.is_file() and not (out / "README.md").exists():
                os.replace(readme, out / "README.md")
            shutil.rmtree(old, ignore_errors=True)
