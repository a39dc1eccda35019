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
  and the CLI exits with code 1 (partial failure).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .errors import InputError, OutputError, PressoutError
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


@dataclass(slots=True)
class _Done:
    path: str
    key: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None


def _issue_files(issue: Issue, *, vertical: bool, keep_breaks: bool) -> dict[str, bytes]:
    from .export.epub import epub_bytes, epub_name
    from .export.tei import tei_bytes

    files = {f"epub/{epub_name(issue)}": epub_bytes(issue)}
    if vertical:
        files[f"epub/{epub_name(issue, vertical=True)}"] = epub_bytes(issue, vertical=True)
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
            done.files.update(_issue_files(issue, vertical=task.vertical, keep_breaks=task.keep_breaks))
            done.issues.append(issue_to_dict(issue))
            done.warnings.extend(issue.diagnostics)
    except PressoutError as exc:
        done.error = str(exc)
        done.files.clear()
        done.issues.clear()
    return done


# --- the build ---------------------------------------------------------------------------


def _page_key(path: Path, data: bytes, meta: Any, config: Config, encoding: str | None, errors: str) -> str:
    digest = hashlib.sha256()
    for part in (data, repr(meta).encode(), config.fingerprint().encode(), __version__.encode(),
                 repr((encoding, errors, CACHE_FORMAT)).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _load_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / CACHE_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if data.get("format") != CACHE_FORMAT or data.get("version") != __version__:
        return {}
    return data


def _check_output(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("output path is a file, not a folder", path=out_dir)
    parent = out_dir.resolve().parent
    if not parent.exists():
        raise OutputError("the folder that should hold the output does not exist", path=parent)
    if not os.access(parent, os.W_OK | os.X_OK) or (out_dir.exists() and not os.access(out_dir, os.W_OK)):
        raise OutputError("output folder is not writable", path=out_dir)


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
    ``out_dir`` (default ``dist/``); see the module docstring for the guarantees."""
    from .read.meta import SIDECAR_NAME, load_sidecar

    started = time.perf_counter()
    config = config or Config()
    out = Path(out_dir if out_dir is not None else config.output)
    pages = find_pages(sources or config.sources)
    _check_output(out)
    jobs = jobs if jobs is not None else (config.jobs or os.cpu_count() or 1)
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    note = progress or (lambda stage, done, total, item: None)

    manifest = _load_manifest(out) if not force else {}
    previous: dict[str, Any] = manifest.get("pages", {})

    # What each page needs: its bytes' digest with its metadata and the configuration.
    tasks: list[_Task] = []
    failures: list[Failure] = []
    keys: dict[str, str] = {}
    for page in pages:
        meta = None
        try:
            if page.suffix.lower() != ".xml" and (page.parent / SIDECAR_NAME).is_file():
                meta = load_sidecar(page.parent / SIDECAR_NAME).for_page(page.name)
            data = page.read_bytes()
        except PressoutError as exc:
            failures.append(Failure(str(page), str(exc)))
            continue
        except OSError as exc:
            failures.append(Failure(str(page), f"{page}: cannot read: {exc.strerror or exc}"))
            continue
        key = _page_key(page, data, meta, config, encoding, errors)
        keys[str(page)] = key
        tasks.append(_Task(str(page), key, meta, encoding, errors, config.language, config.publication,
                           config.publication_slug, config.vertical, config.keep_breaks))

    unchanged = [t for t in tasks if previous.get(t.path, {}).get("key") == t.key]
    if (not force and not failures and not manifest.get("incomplete")
            and len(unchanged) == len(tasks) == len(previous)
            and manifest.get("config") == config.fingerprint() and out.is_dir()):
        note("done", len(tasks), len(tasks), "nothing changed")
        return BuildReport(out, issues=manifest.get("issues", 0), articles=manifest.get("articles", 0),
                           outputs=manifest.get("outputs", 0), reused=len(tasks),
                           seconds=time.perf_counter() - started, changed=False)

    staging = out.resolve().parent / f".{out.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        report = _build_into(staging, out, tasks, unchanged, previous, failures, config, jobs, note)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return replace(report, seconds=time.perf_counter() - started)


def _build_into(staging: Path, out: Path, tasks: list[_Task], unchanged: list[_Task],
                previous: dict[str, Any], failures: list[Failure], config: Config, jobs: int,
                note: Progress) -> BuildReport:
    from .export.epub import epub_name
    from .export.feed import SiteOptions, build_feeds
    from .export.site import build_site
    from .export.tei import write_corpus
    from .jsonio import issue_from_dict

    staging.mkdir(parents=True)
    (staging / CACHE_DIR / "models").mkdir(parents=True)
    reuse = {t.path for t in unchanged}
    entries: dict[str, dict[str, Any]] = {}
    issues_by_page: dict[str, list[Issue]] = {}
    warnings: list[Diagnostic] = []
    total = len(tasks)
    done_count = 0

    def keep(entry: dict[str, Any]) -> list[Issue]:
        """Link a page's files from the previous build and load its models from the cache."""
        for rel in entry["files"] + entry["models"]:
            _link_or_copy(out / rel, staging / rel)
        return [issue_from_dict(json.loads((out / rel).read_text(encoding="utf-8"))) for rel in entry["models"]]

    for task in tasks:
        if task.path in reuse:
            issues_by_page[task.path] = keep(previous[task.path])
            entries[task.path] = previous[task.path]
            done_count += 1
            note("read", done_count, total, Path(task.path).name + " (unchanged)")

    todo = [t for t in tasks if t.path not in reuse]
    results = _run_all(todo, jobs)
    for result in results:
        done_count += 1
        note("read", done_count, total, Path(result.path).name)
        if result.error is not None:
            kept = result.path in previous and all((out / rel).exists() for rel in
                                                     previous[result.path]["files"] + previous[result.path]["models"])
            failures.append(Failure(result.path, result.error, kept_previous=kept))
            if kept:
                issues_by_page[result.path] = keep(previous[result.path])
                entries[result.path] = previous[result.path]
            continue
        models = []
        for data in result.issues:
            rel = f"{CACHE_DIR}/models/{data['id']}.json"
            (staging / rel).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            models.append(rel)
        for rel, blob in result.files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
        issues_by_page[result.path] = [issue_from_dict(d) for d in result.issues]
        entries[result.path] = {"key": result.key, "files": sorted(result.files), "models": models}
        warnings.extend(result.warnings)

    # One issue id per issue across the build.
    seen: dict[str, str] = {}
    issues: list[Issue] = []
    for task in tasks:
        for issue in issues_by_page.get(task.path, []):
            if issue.id in seen:
                failures.append(Failure(task.path, f"{task.path}: issue id {issue.id!r} is also the id of "
                                        f"{seen[issue.id]}; give one of them a page or edition in issues.toml"))
                for rel in entries.pop(task.path, {}).get("files", []):
                    (staging / rel).unlink(missing_ok=True)
                break
            seen[issue.id] = task.path
        else:
            issues.extend(issues_by_page.get(task.path, []))
    if not issues:
        raise InputError("no page could be read" + (f": {failures[0].message}" if failures else ""))

    note("feeds", 0, 1, "feeds and web edition")
    options = SiteOptions(base_url=config.base_url, title=config.site_title, feed_size=config.feed_size,
                          tag_authority=config.tag_authority)
    epubs = {issue.id: staging / "epub" / epub_name(issue) for issue in issues}
    files = build_feeds(issues, options, epubs)
    files.update(build_site(issues, options, epubs))
    for rel, blob in files.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    note("tei", 0, 1, "TEI corpus")
    ordered = sorted(issues, key=lambda i: (i.date is None, i.date or 0, i.page or 0, i.id))
    write_corpus(ordered, staging / "tei" / "corpus.xml", keep_breaks=config.keep_breaks)

    outputs = sum(1 for p in staging.rglob("*") if p.is_file() and CACHE_DIR not in p.parts)
    articles = sum(len(i.articles) for i in issues)
    manifest = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "config": config.fingerprint(),
        "pages": {path: entries[path] for path in sorted(entries)},
        "issues": len(issues),
        "articles": articles,
        "outputs": outputs,
    }
    if failures:
        manifest["pages"] = {p: e for p, e in manifest["pages"].items() if p not in {f.source for f in failures}
                             or any(f.kept_previous for f in failures if f.source == p)}
        manifest["incomplete"] = True  # a failed page makes the next build try again
    (staging / CACHE_DIR / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                                encoding="utf-8")
    return BuildReport(out, issues=len(issues), articles=articles, outputs=outputs,
                       rebuilt=len(results) - sum(1 for r in results if r.error), reused=len(unchanged),
                       warnings=tuple(warnings), failures=tuple(failures))


def _run_all(tasks: list[_Task], jobs: int) -> list[_Done]:
    if jobs == 1 or len(tasks) <= 1:
        return [_run_task(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        return list(pool.map(_run_task, tasks, chunksize=max(1, len(tasks) // (jobs * 4))))


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(staging: Path, out: Path) -> None:
    """Put the finished build in place: two renames, so readers see the old or the new."""
    old = out.resolve().parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        if old.exists():
            os.replace(old, out)
        raise
    # dist/README.md in the source tree says what the folder is: keep it there
    if old.exists():
        readme = old / "README.md"
        if readme.is_file() and not (out / "README.md").exists():
            os.replace(readme, out / "README.md")
        shutil.rmtree(old, ignore_errors=True)
