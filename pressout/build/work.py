"""The build's work that runs on its executor (worker processes, or a Dask cluster): reading
a page and making everything that depends on it alone (``run_task``), then the archive-wide
jobs (``run_job``). Every format's part comes from the registry
(``pressout.export.registry``); nothing here knows a format by name.

What a worker writes goes into the staging folder, under names the main process gives; it
never makes the staging folder itself (a build that was stopped has removed it, and a
worker finishing its page must not make it again)."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import PressoutError, one_line
from ..export.registry import expand
from .cache import MODELS, PIECES, issue_folders
from .files import _remove
from .sources import is_tei

if TYPE_CHECKING:
    from ..export.registry import ArchiveJob, Exporter, Settings
    from ..model import Diagnostic, Issue, IssueHead


@dataclass(frozen=True, slots=True)
class Member:
    """An article file of a gathered issue (``pressout.read.gather``): its path, key and
    metadata, and its model as JSON when it was read in this build (else it is read again)."""

    path: str
    key: str
    meta: Any  # IssueMeta | None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    key: str
    meta: Any  # IssueMeta | None
    encoding: str | None
    errors: str
    error: str | None = None  # the page could not even be read for its digest
    settings: Any = None  # Settings: the configuration, style sheets and site options
    formats: tuple[Any, ...] = ()  # the Exporters, in the registry's order
    staging: str = ""  # the staging folder (outputs are parked in it, and named in errors)
    parked: str = ""  # where this page's outputs are parked: a path prefix (see run_task)
    max_bytes: int = 0  # [build] max_page_bytes (0: the default)
    # A gathered issue's task (its path is GATHERED + the day): the article files it is made of.
    members: tuple[Member, ...] = ()
    edition: str | None = None  # a gathered issue's edition


@dataclass(slots=True)
class Done:
    path: str
    key: str
    heads: list[IssueHead] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)  # the archive value each issue's bound files were made with
    fragments: list[dict[str, bytes]] = field(default_factory=list)  # each issue's concatenation fragments
    moves: list[tuple[str, str]] = field(default_factory=list)  # parked name -> path in the output
    warnings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    parked: str = ""  # the prefix of the parked outputs' paths
    trace: str | None = None  # the traceback of an internal error (a bug), for the crash log
    # An article file, to be gathered (``[build] group = "auto"``): [its day (GatherKey),
    # the slot its name claims or None], and its model as JSON; it makes no files itself.
    part: list[Any] | None = None
    model: str | None = None
    sources: list[list[str]] = field(default_factory=list)  # a gathered issue's [file name, sha256]s


def parked_name(rel: str) -> str:
    """A file's or an issue folder's name among the parked outputs (one flat folder)."""
    return rel.replace("/", "~")


def join_bounds(values: Iterable[str]) -> str:
    """The archive values an issue's title-bound files were made with, as one string."""
    return "\n".join(values)


# An issue's title-bound files not made yet: a worker leaves them to the main process when a
# format's values depend on other issues (``Exporter.bound_deferred``). No format's value.
DEFERRED = "\0deferred"


GATHERED = "gathered:"  # a gathered issue's task path: GATHERED + "{slug}/{date}/{edition}"


def read_issues(task: Task) -> list[Issue]:
    """The issues of a task's page (a TEI archive may hold several), or the one issue a
    gathered issue's article files make."""
    if task.members:
        from ..jsonio import issue_from_dict
        from ..read.gather import gather

        # (A file's warnings are its own page's, reported when it was read: not again here.)
        parts = [issue_from_dict(json.loads(m.model)) if m.model is not None
                 else replace(read_issues(replace(task, path=m.path, key=m.key, meta=m.meta, members=()))[0],
                              diagnostics=())
                 for m in task.members]
        return [gather(parts, task.edition)]
    if is_tei(task.path):
        from ..read.tei import read_tei

        return read_tei(task.path)
    from ..read import IssueMeta, read_page

    config = task.settings.config
    defaults = IssueMeta(publication=config.publication, publication_slug=config.publication_slug)
    meta = task.meta.over(defaults) if task.meta is not None else defaults
    return [read_page(task.path, meta=meta, encoding=task.encoding, errors=task.errors,
                      max_bytes=task.max_bytes or None)]


def run_task(task: Task) -> Done:
    """Read a page and make every format's files of each of its issues, parked as
    ``{task.parked}{name}`` (the main process moves them into place once the page's issue
    ids are known to be its own): its own files, its title-bound files (made with the
    archive value of the issue alone: the main process makes them again in the rare case
    the archive's turns out to differ; not made here at all when a format's values depend
    on other issues, ``bound_deferred``: the main process makes them, once), its cached
    model and its concatenation fragments.

    The parked names share one folder, made by the main process, rather than a folder of
    their own per page: one inode fewer a page, and none deleted while the build makes
    files (ext4 without a journal steps over recently deleted inodes, one by one, each time
    it allocates one; see the README's performance section). A folder that holds only an
    issue's files (``issues/{id}``) is parked and moved whole."""
    from ..export.html import headline
    from ..jsonio import issue_to_dict
    from ..model import ArticleHead, IssueHead

    done = Done(task.path, task.key, parked=task.parked)
    parked = task.parked
    settings: Settings = task.settings
    written: list[str] = []  # what to remove if the page fails after all

    def put(name: str, rel: str, data: bytes) -> None:
        try:
            with open(parked + name, "wb") as handle:
                written.append(name)
                handle.write(data)
        except OSError as exc:  # named as the user will know it: the file in the output
            raise OSError(exc.errno, exc.strerror, os.path.join(task.staging, rel)) from exc

    try:
        issues = read_issues(task)
        if not task.members and settings.config.group == "auto" and len(issues) == 1 and not is_tei(task.path):
            from ..read.gather import article_file, gather_key, slot

            if article_file(issues[0]):
                issue = issues[0]
                edition = task.meta.edition if task.meta is not None else None
                done.part = [list(gather_key(issue, edition)), slot(issue)]
                done.model = json.dumps(issue_to_dict(issue), ensure_ascii=False)
                done.warnings.extend(issue.diagnostics)
                return done
        deferred = any(e.title_bound and e.bound_deferred for e in task.formats)
        # A format that can make its files for the archive's values from those made with the
        # issue's own (``rebound``: the web pages, once the neighbours are known, only the
        # issue's page, from itself) has them made here after all the others, with every
        # other file's size as the build gives them; else they wait for the archive's values.
        patching = deferred and all(e.rebinds for e in task.formats if e.title_bound)
        for issue in issues:
            language = settings.config.language
            if language is not None and issue.language != language:
                issue = replace(issue, language=language)  # the configured tag wins
            articles = [a.id for a in issue.articles]
            # Title-bound files whose value depends on other issues (``bound_deferred``) are
            # left to the main process, which makes them once every issue is known.
            formats = [e for e in task.formats if not (deferred and e.title_bound)]
            late = [e for e in task.formats if e.title_bound] if patching else []
            templates = [t for exporter in formats + late for t in exporter.issue_files(settings)]
            folders = issue_folders(templates, issue.id)
            for folder in folders:
                # Not makedirs: see the module docstring.
                os.mkdir(parked + parked_name(folder))
                written.append(parked_name(folder))
            moves = [(parked_name(folder), folder) for folder in folders]
            made: dict[str, int] = {}
            sizes: list[tuple[str, int]] = []
            bounds: list[str] = []
            fragments: dict[str, bytes] = {}
            for exporter in formats + late:
                bound = exporter.bounds([issue], settings)[0] if exporter.title_bound else ""
                expected = expand(list(exporter.issue_files(settings)), issue.id, articles)
                got = []
                given = made if exporter not in late else dict(sizes)  # (what BoundWork gives)
                for rel, data in exporter.issue_outputs(issue, settings, given, bound):
                    if rel == exporter.concatenated:
                        fragments[rel] = data
                        continue
                    folder = posixpath.dirname(rel)
                    if folder in folders:
                        put(f"{parked_name(folder)}/{posixpath.basename(rel)}", rel, data)
                    else:
                        put(parked_name(rel), rel, data)
                        moves.append((parked_name(rel), rel))
                    got.append(rel)
                    made[rel] = len(data)
                    if exporter.sized:
                        sizes.append((rel, len(data)))
                if got != expected:
                    raise RuntimeError(f"the {exporter.name} files of {issue.id} are not named as its issue_files "
                                       f"say: {got} != {expected}")
                if exporter.title_bound:
                    bounds.append(bound)
            model = f"{MODELS}/{issue.id}.json"
            put(parked_name(model), model, json.dumps(issue_to_dict(issue), ensure_ascii=False).encode("utf-8"))
            moves.append((parked_name(model), model))
            for exporter in task.formats:
                if exporter.pieces:
                    kept = f"{PIECES}/{exporter.name}/{issue.id}"
                    put(parked_name(kept), kept, exporter.issue_pieces(issue, settings))
                    moves.append((parked_name(kept), kept))
            done.heads.append(IssueHead(issue.id, issue.source, issue.date, issue.page, issue.publication,
                                        issue.publication_slug, issue.title,
                                        tuple(ArticleHead(a.id, headline(a), issue.section_of(a), a.column)
                                              for a in issue.articles),
                                        issue.language, tuple(sizes)))
            done.moves += moves
            done.sources += [list(pair) for pair in issue.sources]
            done.bounds.append(DEFERRED if deferred and not patching else join_bounds(bounds))
            done.fragments.append(fragments)
            done.warnings.extend(issue.diagnostics)
    except OSError:
        raise  # writing failed (a full disk): the build's error, not this page's
    except Exception as exc:  # a PressoutError is the page's fault; anything else a bug
        if isinstance(exc, PressoutError):
            done = Done(task.path, task.key, error=str(exc))
        else:
            import traceback

            done = Done(task.path, task.key, error=f"{task.path}: internal error (a bug in pressout) while "
                        f"building this page: {type(exc).__name__}: {one_line(exc)}",
                        trace=f"page {task.path}\n" + traceback.format_exc())
        for name in sorted(written, key=lambda n: -len(n.split("/"))):  # a folder's files before the folder
            _remove(parked + name)
    return done


# --- work after the pages are read (runs on the executor too) ------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveWork:
    """One archive job of a format (``ArchiveJob``): its files are written under ``root``
    (the staging folder); ``models`` says where what it needs of each issue is: the whole
    issue's model, or the format's pieces of it."""

    format: Exporter
    job: ArchiveJob
    models: dict[str, str]
    settings: Settings
    root: str


# An issue's title-bound files to make for the archive's values (``BoundWork``): the values
# (one per format), where its cached model is, its files' sizes, its id, and the values its
# files in the staging folder were made with (by its page's worker), or None: none are there.
BoundIssue = tuple[tuple[str, ...], str, tuple[tuple[str, int], ...], str, tuple[str, ...] | None]


@dataclass(frozen=True, slots=True)
class BoundWork:
    """Issues' title-bound files made again for the archive's values: from those made with
    the issue's own values where each format can (``rebound``), else from its model."""

    formats: tuple[Exporter, ...]
    issues: tuple[BoundIssue, ...]
    settings: Settings
    root: str


@dataclass(frozen=True, slots=True)
class FragmentWork:
    """An issue's fragments of the concatenations, when the previous ones cannot give them."""

    formats: tuple[Exporter, ...]
    model: str
    settings: Settings


_models: dict[str, Issue] = {}  # a worker's last job's issues (neighbouring feed pages share some)
# and its last job's pieces: the same bytes again, so that what a format made of them can be
# kept too (a page of 20,000 items spans 400 feed pages, each of which needs its pieces)
_pieces: dict[str, bytes] = {}


def load_model(path: str) -> Issue:
    from ..jsonio import issue_from_dict

    with open(path, encoding="utf-8") as handle:
        return issue_from_dict(json.load(handle))


def _write_new(root: str, rel: str, data: bytes) -> None:
    target = os.path.join(root, rel)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder) and os.path.isdir(root):  # (never the staging folder itself)
        os.makedirs(folder, exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(data)


def _make_bound(job: BoundWork, issue: Issue, bounds: tuple[str, ...], made: dict[str, int]) -> None:
    """An issue's title-bound files, made with its values of the archive."""
    articles = [a.id for a in issue.articles]
    for exporter, bound in zip(job.formats, bounds, strict=True):
        for folder in issue_folders(list(exporter.issue_files(job.settings)), issue.id):
            try:  # not makedirs: see the module docstring (the folder above it was made first)
                os.mkdir(os.path.join(job.root, folder))
            except FileExistsError:
                pass
        expected = set(expand(list(exporter.issue_files(job.settings)), issue.id, articles))
        for rel, data in exporter.issue_outputs(issue, job.settings, made, bound):
            if rel != exporter.concatenated and rel in expected:
                _write_new(job.root, rel, data)


def _rebound(job: BoundWork, ident: str, made_with: tuple[str, ...], bounds: tuple[str, ...]) -> bool:
    """An issue's title-bound files made with ``made_with`` (in the staging folder) made
    for ``bounds`` by each format's ``rebound``; False, and nothing written, where one of
    them cannot (the files are then made from the issue)."""

    def read(rel: str) -> bytes:
        with open(os.path.join(job.root, rel), "rb") as handle:
            return handle.read()

    files: list[tuple[str, bytes]] = []
    for exporter, was, value in zip(job.formats, made_with, bounds, strict=True):
        if was == value:
            continue
        found = exporter.rebound(ident, was, value, read)
        if found is None:
            return False
        files += found
    for rel, data in files:
        _write_new(job.root, rel, data)  # (a file this build made: written over, not linked anywhere yet)
    return True


def run_job(job: ArchiveWork | BoundWork | FragmentWork) -> dict[str, bytes] | None:
    """Do one job; a FragmentWork gives the fragments by concatenation."""
    if isinstance(job, FragmentWork):
        issue = load_model(job.model)
        return {f.concatenated: f.fragment(issue, job.settings) for f in job.formats if f.concatenated}
    if isinstance(job, BoundWork):
        for bounds, model, sizes, ident, made_with in job.issues:
            if made_with is None or not _rebound(job, ident, made_with, bounds):
                _make_bound(job, load_model(model), bounds, dict(sizes))
        return None
    inputs: dict[str, Any]
    if job.format.piece_source:
        inputs = {}
        for ident, path in job.models.items():
            kept = _pieces.get(path)
            if kept is None:
                with open(path, "rb") as handle:
                    kept = handle.read()
            inputs[ident] = kept
        _pieces.clear()
        _pieces.update((job.models[ident], kept) for ident, kept in inputs.items())
    else:
        inputs = {ident: _models.get(path) or load_model(path) for ident, path in job.models.items()}
        _models.clear()
        _models.update((job.models[ident], issue) for ident, issue in inputs.items())
    for rel, data in job.format.run_job(job.job, inputs, job.settings):
        _write_new(job.root, rel, data)
    return None
