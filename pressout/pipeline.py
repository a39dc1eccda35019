"""``pressout build``: pages → EPUBs, feeds, web edition and TEI archive, in one folder.

Layout of the output folder (it is also the web root that ``pressout serve`` serves)::

    index.html, years/…, issues/…        the web edition (pressout.export.site)
    atom.xml, rss.xml, feed.json,
    editions.xml, editions-rss.xml,
    archive/…                            the feeds (pressout.export.feed)
    epub/{issue}.epub, {issue}-vertical.epub
    tei/{issue}.xml, tei/corpus.xml      the TEI archive (pressout.export.tei)
    .pressout/                           the build cache: one model per issue, the manifest
                                         and issues.json (what every output was made from),
                                         and spare/, the previous build (see below)

Guarantees:

* **Never half-written.** A build writes into a staging folder beside the output and puts
  the finished output in place with renames; an error, a crash or Ctrl-C leaves the
  previous output as it was.
* **Incremental.** A page whose bytes, metadata, configuration and pressout version are
  unchanged is not read again, and nothing made from it alone is made again: its EPUBs,
  TEI file, web pages and corpus fragment are the previous build's. The front page, the
  year pages and the corpus are assembled anew (the corpus from the issues' fragments, see
  ``pressout.export.tei``); a feed document is made again only when its entries or links
  change (archive pages fill from the oldest, so a full one never does), an issue's web
  pages only when the site's title changes. When nothing at all changed, nothing is
  written. ``force=True`` rebuilds everything.
* **Parallel and deterministic.** Pages are read and their own outputs (EPUBs, TEI file,
  web pages, corpus fragment) made in ``jobs`` worker processes, which then make the
  feed documents; the result is byte-identical for every number of jobs.
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

Outputs deleted by hand are noticed (the manifest says what every output is) and rebuilt;
outputs *edited* by hand are not: use ``force=True``. Hidden files (names starting with
``.``, such as editors' backups) in a source folder are not pages.

**Two generations.** An archive of 10,000 pages is some 120,000 files, and on an ordinary
file system linking each of them into a new folder and deleting the old folder costs
seconds, more than an incremental build's work. So the previous output is kept as
``.pressout/spare`` (most of its files hard links to the output's), and an incremental
build brings that spare up to date instead of making a new tree: while it runs it writes
only what is new into the staging folder; at the end, with Ctrl-C and SIGTERM held back,
it renames the new files into the spare, links there what the build before it changed,
removes what is gone, swaps the spare in for the output and keeps the old output as the
next spare. Files are never changed in place (they may be hard links shared by the two
generations): a file is only ever created, renamed or unlinked. Without a usable spare
(``force``, a changed configuration) the staging folder becomes the whole new output,
unchanged files hard-linked into it. A build that leaves no previous output to become the
spare (the first build of a folder) makes one of hard links to its own output, so that the
next build, the first to add a page, already finds one. A file added by hand to the output
is the user's and is kept (carried into each new generation, see ``pressout.outdir``).

**Safety** (``pressout.outdir``): a build writes only into a folder that is absent, empty or
a pressout output, never where the sources, the configuration, the current or the home
folder are; it holds the output's lock (``.pressout/lock``) throughout; a page that is not a
regular file or is larger than ``[build] max_page_bytes`` is a failure of that page; a bug
while building one page fails that page only (its traceback goes to a crash log); worker
processes die with the build and leave Ctrl-C and SIGTERM to it.

A build killed outright (SIGKILL, power loss) can leave a ``.{out}.staging-{pid}`` or
``.{out}.next-{pid}`` folder beside the output; the next build removes it (and puts back
``.{out}.old-{pid}`` if the kill came between the swap's renames), making folders in it
writable where it must (a folder made read-only by hand). A spare that cannot be brought
up to date (such a folder, for a user who is not root) is dropped and the build made
again without it.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .errors import ConfigError, InputError, OutputError, PressoutError, one_line
from .outdir import OutputLock, carry, foreign_files, output_folder

# The no-change path (`pressout build` with nothing to do) must start fast: the model, the
# readers, the exporters and multiprocessing are imported only when something is built.
if TYPE_CHECKING:
    import datetime as dt

    from .export.feed import EpubFile, FeedPage
    from .model import Diagnostic, Issue

__all__ = ["BuildReport", "Failure", "build", "find_pages", "output_files"]

CACHE_DIR = ".pressout"
MANIFEST = "manifest.json"  # what each page, feed document and global file was made from
HEADS = "issues.json"  # the issues without their text (see _Head), and the corpus layout
SPARE = "spare"  # .pressout/spare: the previous generation (see the module docstring)
# Part of every page's key: raised when what a page's outputs look like changes for the
# same page and version (4: titles name the page, web pages link to their year, EPUBs
# name their series), so that a build after an upgrade makes them again instead of
# keeping the old ones.
CACHE_FORMAT = 4
# Fragments of the corpus that are parked while the pages are read (the corpus is in date order).
SPOOL = "fragments"
LOCK = f"{CACHE_DIR}/lock"  # see pressout.outdir; in every generation, never linked or counted


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


# The files a folder's pages are: page text, the dump formats the reader unwraps (a feed
# saved as .xml is a dump; a TEI archive is told from it by its root element: is_tei).
PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv", ".tsv",
                 ".rss", ".atom", ".xml")


def is_tei(path: str | os.PathLike[str]) -> bool:
    """Is this file a TEI archive (a ``TEI`` or ``teiCorpus`` root), not a page or a dump?
    Only ``.xml`` files can be; their first 4 KB tell."""
    if not os.fspath(path).lower().endswith(".xml"):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # (read as TEI, which reports the file it cannot read)
    return b"<TEI" in head or b"<teiCorpus" in head or b":TEI" in head


def find_pages(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Page files (``*.txt``, and dumps: ``PAGE_SUFFIXES``) and TEI archives (``*.xml``)
    named by ``sources`` (files or folders, not recursive), in a stable order; an InputError
    for a missing path or a folder without pages."""
    pages: list[Path] = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            if os.path.lexists(path):
                raise InputError("is a symbolic link that leads nowhere or loops", path=path)
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            # scandir, and the folder resolved once: an archive folder holds thousands of pages.
            folder = path.resolve()
            try:
                with os.scandir(path) as entries:
                    chosen = sorted((entry for entry in entries
                                     if entry.name.lower().endswith(PAGE_SUFFIXES)
                                     and not entry.name.startswith(".") and _is_file(entry)),
                                    key=lambda entry: entry.name)
            except OSError as exc:
                raise InputError(f"cannot read the folder: {exc.strerror or exc}", path=path) from None
            # A link that loops is kept as it is: the build reports it as a page it cannot read.
            found = [_resolved(entry) if entry.is_symlink() else folder / entry.name for entry in chosen]
            if not found:
                raise InputError("folder has no pages (*.txt, dumps such as *.json, *.html, *.md) "
                                 "or TEI archives (*.xml)", path=path)
            pages.extend(found)
        else:
            pages.append(path.resolve())
    return list(dict.fromkeys(pages))


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link to one; a link that loops or leads nowhere counts too
    (it is named among the pages, which then cannot be read: a one-line failure)."""
    try:
        return entry.is_file()
    except OSError:
        return True


def _resolved(entry: os.DirEntry[str]) -> Path:
    try:
        return Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return Path(os.path.abspath(entry.path))


# --- what the build knows of an issue without its text -------------------------------------


@dataclass(frozen=True, slots=True)
class _ArticleHead:
    id: str
    display_title: str


@dataclass(frozen=True, slots=True)
class _Head:
    """An issue as the front and year pages, the feeds' plan, the editions feed and the
    corpus's order see it: the model without its text (exporters read these attributes
    only; see ``pressout.export.feed``), so that a build of any size holds every issue's
    head and no issue's text. ``key`` is the page key it was built with: what its text
    was."""

    id: str
    source: str
    date: dt.date | None
    page: int | None
    publication: str
    publication_slug: str
    title: str
    articles: tuple[_ArticleHead, ...]
    # The sizes of its EPUBs, as written (the web pages and the editions feed show them:
    # known, they need not be looked up on disk, 20,000 times in a big archive's build).
    epub_size: int
    vertical_size: int | None
    key: str = ""
    language: str = "zh-CN"  # the issue's language tag (pages and feeds spanning issues take the most common)

    @classmethod
    def of(cls, issue: Issue, epub_size: int, vertical_size: int | None) -> _Head:
        from .export.html import headline  # the title every output shows (never blank)

        return cls(issue.id, issue.source, issue.date, issue.page, issue.publication, issue.publication_slug,
                   issue.title, tuple(_ArticleHead(a.id, headline(a)) for a in issue.articles), epub_size,
                   vertical_size, language=issue.language)

    def to_json(self) -> list[Any]:
        return [self.id, self.source, self.date.isoformat() if self.date else None, self.page, self.publication,
                self.publication_slug, self.title, [[a.id, a.display_title] for a in self.articles],
                self.epub_size, self.vertical_size, self.language]

    @classmethod
    def from_json(cls, data: list[Any], key: str) -> _Head:
        import datetime as dt

        ident, source, date, page, publication, slug, title, articles, size, vertical_size = data[:10]
        language = data[10] if len(data) > 10 else "zh-CN"  # (a head written before languages were read)
        return cls(ident, source, dt.date.fromisoformat(date) if date else None, page, publication, slug, title,
                   tuple(_ArticleHead(a, t) for a, t in articles), size, vertical_size, key, language)

    def epub(self, folder: Path) -> EpubFile:
        """Its EPUB in ``folder`` (named as ``pressout.export.epub.epub_name`` names it)."""
        from .export.feed import EpubFile

        return EpubFile(folder / f"{self.id}.epub", self.epub_size, self.vertical_size)


def _page_files(ident: str, vertical: bool) -> list[str]:
    """An issue's outputs made from it alone, besides its web pages, and its cached model
    (named as ``pressout.export.epub.epub_name`` names EPUBs; the workers check it)."""
    files = [f"epub/{ident}.epub"]
    if vertical:
        files.append(f"epub/{ident}-vertical.epub")
    return [*files, f"tei/{ident}.xml", f"{CACHE_DIR}/models/{ident}.json"]


# Outputs that no issue may name as its own (an issue id "corpus" would be tei/corpus.xml).
_GLOBAL_NAMES = ("tei/corpus.xml",)


def _site_files(head: _Head) -> list[str]:
    """An issue's web pages (named as ``issue_page`` and ``article_page`` name them)."""
    return [f"issues/{head.id}/index.html", *(f"issues/{head.id}/{a.id}.html" for a in head.articles)]


# --- per-page work (runs in worker processes) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    key: str
    meta: Any  # IssueMeta | None
    encoding: str | None
    errors: str
    language: str | None  # [publication] language: every issue's tag (None: each page's own)
    publication: str | None
    publication_slug: str | None
    vertical: bool
    keep_breaks: bool
    error: str | None = None  # the page could not even be read for its digest
    styles: tuple[tuple[str, bytes], ...] = ()  # [build] styles, for the EPUBs
    options: Any = None  # SiteOptions, for the web pages
    staging: str = ""  # the staging folder (outputs are parked in it, and named in errors)
    parked: str = ""  # where this page's outputs are parked: a path prefix (see _run_task)
    max_bytes: int = 0  # [build] max_page_bytes (0: the default)


@dataclass(slots=True)
class _Done:
    path: str
    key: str
    heads: list[_Head] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # the site title each issue's pages were made with
    fragments: list[bytes] = field(default_factory=list)  # each issue's corpus fragment
    moves: list[tuple[str, str]] = field(default_factory=list)  # parked name -> path in the output
    warnings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    parked: str = ""  # the prefix of the parked outputs' paths
    trace: str | None = None  # the traceback of an internal error (a bug), for the crash log


def _run_task(task: _Task) -> _Done:
    """Read a page and make everything that depends on it alone, parked as
    ``{task.parked}{name}`` (the main process moves it into place once the page's issue
    ids are known to be its own): EPUBs, TEI file, cached model, web pages (for a site
    titled as its publication, or the configured title: the main process makes them again
    in the rare case the site turns out to be titled otherwise) and corpus fragment.

    The parked names share one folder, made by the main process, rather than a folder of
    their own per page: one inode fewer a page, and none deleted while the build makes
    files (ext4 without a journal steps over recently deleted inodes, one by one, each time
    it allocates one; see the README's performance section)."""
    from .export.epub import epub_bytes, epub_name
    from .export.site import issue_pages
    from .export.tei import tei_documents
    from .jsonio import issue_to_dict

    done = _Done(task.path, task.key, parked=task.parked)
    parked = task.parked
    written: list[str] = []  # what to remove if the page fails after all

    def put(name: str, rel: str, data: bytes) -> None:
        try:
            with open(parked + name, "wb") as handle:
                written.append(name)
                handle.write(data)
        except OSError as exc:  # named as the user will know it: the file in the output
            raise OSError(exc.errno, exc.strerror, os.path.join(task.staging, rel)) from exc

    try:
        if is_tei(task.path):
            from .read.tei import read_tei

            issues = read_tei(task.path)
        else:
            from .read import IssueMeta, read_page

            meta = task.meta
            defaults = IssueMeta(publication=task.publication, publication_slug=task.publication_slug)
            meta = meta.over(defaults) if meta is not None else defaults
            issues = [read_page(task.path, meta=meta, encoding=task.encoding, errors=task.errors,
                                max_bytes=task.max_bytes or None)]
        styles = dict(task.styles)
        for issue in issues:
            if task.language is not None and issue.language != task.language:
                issue = replace(issue, language=task.language)  # the configured tag wins
            names = [epub_name(issue)] + ([epub_name(issue, vertical=True)] if task.vertical else [])
            sizes = []
            for name in names:
                data = epub_bytes(issue, vertical=name != names[0], styles=styles)
                put(name, f"epub/{name}", data)
                sizes.append(len(data))
            head = _Head.of(issue, sizes[0], sizes[1] if task.vertical else None)
            document, fragment = tei_documents(issue, keep_breaks=task.keep_breaks)
            put(f"{issue.id}.xml", f"tei/{issue.id}.xml", document)
            put(f"{issue.id}.json", f"{CACHE_DIR}/models/{issue.id}.json",
                json.dumps(issue_to_dict(issue), ensure_ascii=False).encode("utf-8"))
            moves = [*zip(names, (f"epub/{n}" for n in names), strict=True),
                     (f"{issue.id}.xml", f"tei/{issue.id}.xml"),
                     (f"{issue.id}.json", f"{CACHE_DIR}/models/{issue.id}.json")]
            title = task.options.site_title([issue])
            # Not makedirs: a build that was stopped has removed the staging folder, and a
            # worker finishing its page must not make it again.
            os.mkdir(parked + issue.id)
            written.append(issue.id)
            epub = head.epub(Path(task.staging, "epub"))  # where it will be
            site = [put(rel.removeprefix("issues/"), rel, page) or rel
                    for rel, page in issue_pages(issue, title, task.options, {issue.id: epub})]
            if [rel for _, rel in moves] != _page_files(issue.id, task.vertical) or site != _site_files(head):
                raise RuntimeError(f"the outputs of {issue.id} are not named as the build expects: {moves} {site}")
            done.moves += [*moves, (issue.id, f"issues/{issue.id}")]
            done.heads.append(head)
            done.titles.append(title)
            done.fragments.append(fragment)
            done.warnings.extend(issue.diagnostics)
    except OSError:
        raise  # writing failed (a full disk): the build's error, not this page's
    except Exception as exc:  # a PressoutError is the page's fault; anything else a bug
        if isinstance(exc, PressoutError):
            done = _Done(task.path, task.key, error=str(exc))
        else:
            import traceback

            done = _Done(task.path, task.key, error=f"{task.path}: internal error (a bug in pressout) while "
                         f"building this page: {type(exc).__name__}: {one_line(exc)}",
                         trace=f"page {task.path}\n" + traceback.format_exc())
        for name in reversed(written):  # a folder's files before the folder
            _remove(parked + name)
    return done


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


@dataclass(frozen=True, slots=True)
class _FeedJob:
    """Make and write the documents of one feed page (``FeedPage``). Its items name issues by
    their heads: ``models`` says where the whole issues are (for the articles' entries)."""

    options: Any  # SiteOptions
    page: Any  # FeedPage
    models: dict[str, str]
    root: str  # the staging folder


@dataclass(frozen=True, slots=True)
class _SiteJob:
    """Make an issue's web pages again for the site's real title."""

    options: Any  # SiteOptions
    title: str
    model: str
    epub: Any  # EpubFile
    root: str


@dataclass(frozen=True, slots=True)
class _FragmentJob:
    """An issue's corpus fragment, when the previous corpus cannot give it (deleted)."""

    model: str
    keep_breaks: bool


_models: dict[str, Issue] = {}  # a worker's last feed page's issues (neighbouring pages share some)


def _model(path: str) -> Issue:
    from .jsonio import issue_from_dict

    with open(path, encoding="utf-8") as handle:
        return issue_from_dict(json.load(handle))


def _run_job(job: _FeedJob | _SiteJob | _FragmentJob) -> bytes | None:
    """Do one job. What it writes has a new name in a folder of the staging area that
    exists (never made here: see ``_run_task``)."""
    from .export.feed import page_entries, render_page

    if isinstance(job, _FragmentJob):
        from .export.tei import corpus_fragment

        return corpus_fragment(_model(job.model), keep_breaks=job.keep_breaks)
    if isinstance(job, _SiteJob):
        from .export.site import issue_pages

        issue = _model(job.model)
        (Path(job.root) / "issues" / issue.id).mkdir()
        for rel, data in issue_pages(issue, job.title, job.options, {issue.id: job.epub}):
            (Path(job.root) / rel).write_bytes(data)
        return None
    page = job.page
    items = page.items  # an edition entry needs no more of its issue than the head
    if page.family == "articles":
        issues = {ident: _models.get(path) or _model(path) for ident, path in job.models.items()}
        _models.clear()
        _models.update((job.models[ident], issue) for ident, issue in issues.items())
        articles = {a.id: a for issue in issues.values() for a in issue.articles}
        items = [(issues[head.id], articles[a.id], when) for head, a, when in page.items]
    for _, rel, data in render_page(job.options, page, page_entries(job.options, page, items)):
        (Path(job.root) / rel).write_bytes(data)
    return None


def _feed_digest(page: FeedPage, fingerprint: str) -> str:
    """What a feed page's documents are made from: their heads and the entries' sources
    (an article by its issue's page key and its instant; an edition entry as it is)."""
    if page.family == "articles":
        items = [(head.key, head.id, article.id, when.isoformat()) for head, article, when in page.items]
    else:  # what an edition entry shows follows from its page's key, its EPUB's size and instant
        items = [(head.key, head.id, size, when.isoformat()) for head, _, size, when in page.items]
    return hashlib.sha256(repr((fingerprint, page.docs, items)).encode("utf-8")).hexdigest()


# --- the build ---------------------------------------------------------------------------


def _page_key(content: str, meta: Any, fingerprint: str, encoding: str | None, errors: str) -> str:
    """What a page's outputs are made from: the sha256 of its bytes (``content``, hex), its
    metadata, the configuration and this version of pressout."""
    digest = hashlib.sha256(bytes.fromhex(content))
    for part in (repr(meta).encode(), fingerprint.encode(), __version__.encode(),
                 repr((encoding, errors, CACHE_FORMAT)).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


# A page file whose size, times, inode and device are as the last build saw them is not
# read again for its digest, as git's index does (an archive's build would read 160 MB to
# learn that one page is new). A file changed again within the file system's clock tick
# after it was read could keep its stamp ("racy git"), so only a file last changed this
# long before the build looked at it gets a stamp; a newer one is read every time.
_STAMP_SETTLED_NS = 2_000_000_000


def _content_digest(page: Path, known: list[Any] | None, since: int,
                    max_bytes: int) -> tuple[str, list[Any] | None]:
    """The sha256 (hex) of the page's bytes, and its stamp for the manifest (None: the file
    changed too recently to be known by its stamp). ``known`` is the last build's stamp;
    ``since`` the time (ns) the build started. A page that is not a regular file (a FIFO,
    a device) is an InputError before it is opened; so is one over ``max_bytes``."""
    from .read.decode import check_regular_file, read_source, too_large

    st = os.stat(page)
    check_regular_file(st, page)
    if st.st_size > max_bytes:
        raise too_large(page, max_bytes)
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    if known is not None and known[:-1] == stamp:
        content = known[-1]
    else:  # (never more than max_bytes + 1 bytes: a file may grow while it is read)
        content = hashlib.sha256(read_source(page, max_bytes=max_bytes)).hexdigest()
    settled = since - max(st.st_mtime_ns, st.st_ctime_ns) >= _STAMP_SETTLED_NS
    return content, [*stamp, content] if settled else None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("version") != __version__:
        return None
    return data


class _Generation:
    """A finished build on disk (the output folder, or the spare): its manifest, and on
    demand the heads of its issues and the files it holds."""

    def __init__(self, root: Path, manifest: dict[str, Any]):
        self.root = root
        self.manifest = manifest
        # source -> [key, [[issue id, site title], ...], vertical edition made]
        self.pages: dict[str, list[Any]] = manifest.get("pages", {})
        self.feeds: dict[str, str] = manifest.get("feeds", {})  # path -> digest
        self.globals: list[str] = manifest.get("globals", [])
        self._heads: dict[str, Any] | None = None
        self._files: set[str] | None = None
        self._page_heads: dict[str, list[_Head]] = {}
        self._page_complete: dict[str, bool] = {}

    @classmethod
    def load(cls, root: Path) -> _Generation | None:
        manifest = _read_json(root / CACHE_DIR / MANIFEST)
        return cls(root, manifest) if manifest is not None else None

    @property
    def heads(self) -> dict[str, Any]:
        """``issues.json``: source -> {"warnings", "issues": [head...], "corpus": [[offset,
        length]...]}, and "corpus size"; empty when it cannot be read."""
        if self._heads is None:
            data = _read_json(self.root / CACHE_DIR / HEADS)
            self._heads = data if data is not None and set(data.get("pages", {})) == set(self.pages) else {}
        return self._heads

    def page_heads(self, source: str) -> list[_Head]:
        heads = self._page_heads.get(source)
        if heads is None:  # asked for several times a page: decoded once
            key = self.pages[source][0]
            heads = self._page_heads[source] = [_Head.from_json(h, key) for h in self.heads["pages"][source]["issues"]]
        return heads

    @property
    def files(self) -> set[str]:
        """Every file it holds (the spare left out), as relative POSIX paths."""
        if self._files is None:
            self._files = set(_walk(str(self.root), f"{CACHE_DIR}/{SPARE}"))
            self._files.discard(LOCK)
        return self._files

    def page_files(self, source: str) -> list[str]:
        """The page's outputs and cached models ([] when issues.json cannot be read)."""
        if not self.heads:
            return []
        vertical = self.pages[source][2]
        return [rel for head in self.page_heads(source) for rel in (*_page_files(head.id, vertical),
                                                                     *_site_files(head))]

    def page_complete(self, source: str) -> bool:
        """Whether every output of the page is there."""
        complete = self._page_complete.get(source)
        if complete is None:
            files = self.files
            complete = self._page_complete[source] = bool(self.heads) and all(
                rel in files for rel in self.page_files(source))
        return complete

    def complete(self) -> bool:
        files = self.files
        return (all(self.page_complete(source) for source in self.pages)
                and all(rel in files for rel in (*self.feeds, *self.globals)))

    def expected(self) -> set[str]:
        """The files the manifest says it holds."""
        out = {f"{CACHE_DIR}/{MANIFEST}", f"{CACHE_DIR}/{HEADS}", *self.feeds, *self.globals}
        for source in self.pages:
            out.update(self.page_files(source))
        return out


def output_files(out_dir: str | os.PathLike[str]) -> list[str]:
    """Every output file the last build of ``out_dir`` made (its cache left out), as its
    manifest says: relative POSIX paths, sorted; [] when there is no manifest to read."""
    generation = _Generation.load(Path(out_dir))
    if generation is None or not generation.heads:
        return []
    return sorted(rel for rel in generation.expected() if not rel.startswith(f"{CACHE_DIR}/"))


def _walk(root: str, skip: str = "") -> list[str]:
    """The files under ``root`` (not following links), as relative POSIX paths, without the
    subtree ``skip``: ``os.scandir`` and a plain loop (a 10,000-page build's output holds
    130,000 files, and the build looks at it and at its spare)."""
    files: list[str] = []
    folders = [(root, "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except FileNotFoundError:
            if folder == root:
                return []
            raise
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    rel = prefix + entry.name
                    if rel != skip:
                        folders.append((entry.path, rel + "/"))
                else:
                    files.append(prefix + entry.name)
    return files


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
    """The configuration as the cache sees it: its values, the style sheets' bytes, and
    SOURCE_DATE_EPOCH (the date of every undated issue, see ``pressout.timestamps``)."""
    digest = hashlib.sha256(config.fingerprint().encode())
    for name, data in styles.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update(repr(os.environ.get("SOURCE_DATE_EPOCH")).encode())
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
) -> BuildReport:
    """Build everything from ``sources`` (default: the configuration's, ``seeds/``) into
    ``out_dir`` (default ``dist/``); see the module docstring for the guarantees, and
    ``pressout.outdir`` for the folders a build may write (``force_output``: also one that
    holds files of its own, which are kept) and its lock (``wait``: wait for another build
    of the same folder instead of failing with a BusyError).

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
        report = _build_locked(given, out, pages, config, jobs, force, encoding, errors, note, lock)
        landed = True
    finally:
        lock.release(landed=landed)
    return replace(report, out_dir=given, seconds=time.perf_counter() - started)


def _build_locked(given: Path, out: Path, pages: list[Path], config: Config, jobs: int, force: bool,
                  encoding: str | None, errors: str, note: Progress, lock: OutputLock) -> BuildReport:
    """``build`` once the output folder is checked and locked (``out`` is its real path)."""
    from .read.meta import SIDECAR_NAME, load_sidecar_known

    styles = _style_overrides(config)
    fingerprint = _fingerprint(config, styles)
    live = _Generation.load(out)
    max_bytes = config.max_page_bytes  # [build] max_page_bytes: a page is a few 100 KB, /dev/zero is not one

    # What each page needs: its bytes' digest with its metadata and the configuration.
    tasks: list[_Task] = []
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
        key = "" if error else _page_key(content, meta, fingerprint, encoding, errors)
        tasks.append(_Task(str(page), key, meta, encoding, errors, config.language, config.publication,
                           config.publication_slug, config.vertical, config.keep_breaks, error,
                           tuple(styles.items()), max_bytes=max_bytes))

    if (not force and live is not None and not live.manifest.get("incomplete")
            and live.manifest.get("config") == fingerprint
            and len(tasks) == len(live.pages) and all(live.pages.get(t.path, (None,))[0] == t.key for t in tasks)
            and live.complete()):
        note("done", len(tasks), len(tasks), "nothing changed")
        return BuildReport(out, issues=live.manifest.get("issues", 0), articles=live.manifest.get("articles", 0),
                           outputs=live.manifest.get("outputs", 0), reused=len(tasks), changed=False)

    parent = out.parent
    staging = parent / f".{out.name}.staging-{os.getpid()}"
    following = parent / f".{out.name}.next-{os.getpid()}"
    workers = _Workers(jobs, lock.fds)
    try:
        if staging.exists():
            _rmtree(staging)
        try:
            return _Build(out, staging, tasks, stamps, parsed, live, force, config, styles, fingerprint,
                          workers, note, lock).run()
        except _SpareUnusable:
            _rmtree(staging)
            return _Build(out, staging, tasks, stamps, parsed, live, force, config, styles, fingerprint,
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

    task: _Task
    key: str  # what its outputs were made from (the last good build's, for a failed page)
    heads: list[_Head]
    titles: list[str]  # the site title each issue's web pages were made with
    warnings: list[Any]  # as stored: [code, source, message, line]
    vertical: bool  # it has the vertical edition too
    new: bool  # its outputs are in the staging folder (made now), not in the output folder
    site_new: set[str] = field(default_factory=set)  # issues whose web pages were made again now


class _SpareUnusable(Exception):
    """The spare could not be brought up to date (it is gone now): build again without."""


class _Build:
    """One build that has something to do: the pages (read now, or the previous build's),
    then the feeds, the front and year pages and the corpus, then the output replaced."""

    def __init__(self, out: Path, staging: Path, tasks: list[_Task], stamps: dict[str, list[Any] | None],
                 sidecars: dict[str, Any], live: _Generation | None, force: bool, config: Config,
                 styles: dict[str, bytes], fingerprint: str, workers: _Workers, note: Progress,
                 lock: OutputLock):
        from .export.feed import SiteOptions

        self.out, self.staging, self.tasks, self.live, self.force = out, staging, tasks, live, force
        self.stamps = stamps  # source -> its stamp (see _content_digest), for the manifest
        self.sidecars = sidecars  # folder -> what is known of its issues.toml, for the manifest
        self.config, self.styles, self.fingerprint = config, styles, fingerprint
        self.workers, self.note, self.lock = workers, note, lock
        self.options = SiteOptions(base_url=config.base_url, title=config.site_title, feed_size=config.feed_size,
                                   tag_authority=config.tag_authority, utc_offset=config.utc_offset)
        self.vertical = config.vertical
        # What the previous build offers for reuse (nothing when forced).
        self.previous = None if force else live
        self.spare: _Generation | None = None
        self.failures: list[Failure] = []
        self.fragments: dict[str, tuple[str, int, int]] = {}  # issue id -> (where, offset, length)
        self.feeds: dict[str, str] = {}  # feed document -> digest
        self.rendered: set[str] = set()  # feed documents made now (in the staging folder)
        self.globals: list[str] = []  # front page, year pages, style sheets, corpus
        self.corpus: tuple[dict[str, tuple[int, int]], int] = ({}, 0)  # issue id -> (offset, length); size

    def run(self) -> BuildReport:
        from .model import Diagnostic

        for folder in ("epub", "tei", "issues", "years", "archive", "styles", f"{CACHE_DIR}/models",
                       f"{CACHE_DIR}/parked"):
            (self.staging / folder).mkdir(parents=True)
        previous = self.previous
        if sum(previous is None or previous.pages.get(t.path, (None,))[0] != t.key for t in self.tasks) > 1:
            self.workers.start()  # before the previous build's heads are loaded: see _Workers
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
        warnings = [Diagnostic(*w) for page in pages for w in page.warnings]
        return BuildReport(self.out, issues=len(heads), articles=articles, outputs=outputs,
                           rebuilt=sum(p.new for p in pages),
                           reused=sum(not p.new and p.key == p.task.key for p in pages),
                           warnings=tuple(warnings), failures=tuple(self.failures))

    # --- the pages ---

    def read_pages(self) -> list[_Page]:
        """Every page, from the previous build or read now, in source order; a page whose
        issue ids are taken by a page before it is a failure."""
        previous, tasks, note = self.previous, self.tasks, self.note
        reusable = {t.path for t in tasks if previous is not None and previous.pages.get(t.path, (None,))[0] == t.key
                    and previous.page_complete(t.path)}
        todo = [replace(t, options=self.options, staging=str(self.staging),
                        parked=f"{self.staging}/{CACHE_DIR}/parked/{n}.")
                for n, t in enumerate(tasks) if t.path not in reusable]
        if len(todo) > 1:
            self.workers.start()
        results = self.workers.map(_run_task, [t for t in todo if t.error is None])
        unreadable = {t.path: _Done(t.path, t.key, error=t.error) for t in todo if t.error is not None}
        seen: dict[str, str] = {}
        claimed = {rel: "the build's own" for rel in _GLOBAL_NAMES}  # output file -> whose it is
        pages: list[_Page] = []
        with open(self.staging / CACHE_DIR / SPOOL, "wb") as spool:
            for n, task in enumerate(tasks):
                if task.path in reusable:
                    note("read", n + 1, len(tasks), os.path.basename(task.path) + " (unchanged)")
                    page = self.previous_page(task)
                else:
                    result = unreadable.get(task.path) or next(results)
                    note("read", n + 1, len(tasks), os.path.basename(task.path))
                    if result.error is not None:
                        kept = (self.live is not None and task.path in self.live.pages
                                and self.live.page_complete(task.path))
                        message = result.error
                        if result.trace is not None:
                            from .errors import crash_log

                            message += f"; the traceback is in {crash_log(result.trace)}"
                        self.failures.append(Failure(task.path, message, kept_previous=kept))
                        if not kept:
                            continue
                        page = self.previous_page(task)
                    else:
                        page = _Page(task, task.key, [replace(h, key=task.key) for h in result.heads],
                                     result.titles, [[w.code, w.source, w.message, w.line] for w in result.warnings],
                                     self.vertical, new=True)
                # One issue id per issue, and one issue per output file, across the build,
                # checked before anything is put in place: two pages with one id, or an id
                # whose files are another's (b-vertical.epub, the corpus), would write the
                # same files. The first keeps them.
                clash = next((h.id for h in page.heads if h.id in seen), None)
                if clash is not None:
                    self.failures.append(Failure(task.path, f"{task.path}: issue id {clash!r} is also the id "
                                                 f"of {seen[clash]}; give one of them a date, page or edition "
                                                 "in issues.toml, or rename it"))
                    continue
                files = [rel for h in page.heads for rel in _page_files(h.id, page.vertical)]
                taken = next((rel for rel in files if rel in claimed), None)
                if taken is not None:
                    self.failures.append(Failure(task.path, f"{task.path}: its output {taken} is also "
                                                 f"{claimed[taken]}; give it another id in issues.toml, or "
                                                 "rename it"))
                    continue
                seen.update((h.id, task.path) for h in page.heads)
                claimed.update((rel, f"an output of {task.path}") for rel in files)
                if page.new:
                    self.place(result, spool)
                pages.append(page)
        shutil.rmtree(self.staging / CACHE_DIR / "parked")  # what a rejected page left
        order = {task.path: n for n, task in enumerate(tasks)}
        self.failures.sort(key=lambda f: order[f.source])  # in page order, whatever finished first
        return pages

    def previous_page(self, task: _Task) -> _Page:
        """A page as the last good build made it (its outputs are in the output folder)."""
        live = self.live
        assert live is not None
        key, issues, vertical = live.pages[task.path]
        page = _Page(task, key, live.page_heads(task.path), [title for _, title in issues],
                     live.heads["pages"][task.path]["warnings"], vertical, new=False)
        if live.manifest.get("config") != self.fingerprint:  # a failed page's last good build
            page.titles = [""] * len(page.titles)  # its web pages are made again with these options
        return page

    def place(self, result: _Done, spool: Any) -> None:
        """Move a page's parked outputs into place and its corpus fragments to the spool."""
        # Plain strings: a thousand pages make four thousand of these moves, and pathlib
        # took longer to join the names than the file system took to move the files.
        parked, staging = result.parked, str(self.staging)
        for name, rel in result.moves:
            os.replace(parked + name, f"{staging}/{rel}")
        for head, fragment in zip(result.heads, result.fragments, strict=True):
            self.fragments[head.id] = (SPOOL, spool.tell(), len(fragment))
            spool.write(fragment)

    # --- feeds, web pages, corpus ---

    def usable_spare(self) -> _Generation | None:
        """The spare, when it can be brought up to date (see the module docstring): made
        with this configuration, complete, and the output it takes over from complete
        (that output becomes the next spare)."""
        previous = self.previous
        if previous is None or previous.manifest.get("config") != self.fingerprint \
                or not previous.complete():
            return None
        spare = _Generation.load(self.out / CACHE_DIR / SPARE)
        if spare is None or spare.manifest.get("config") != self.fingerprint \
                or len(spare.files) != spare.manifest.get("files"):
            return None
        return spare

    def publish(self, pages: list[_Page], heads: list[_Head]) -> None:
        """The web pages made again for the site's real title and the feed documents that
        changed (work for the workers), the front and year pages and the style sheets, and
        the corpus; with no spare to bring up to date, the links of what is kept from the
        previous build."""
        from .export.site import iter_site

        staging, options = self.staging, self.options
        self.note("feeds", 0, 1, "feeds and web edition")
        title = options.site_title(heads)
        jobs: list[Any] = []
        epubs: dict[str, EpubFile] = {}
        folders = {new: (root / "epub", str(root / CACHE_DIR / "models"))
                   for new, root in ((True, staging), (False, self.out))}
        models: dict[str, str] = {}
        for page in pages:
            epub_dir, model_dir = folders[page.new]
            for n, head in enumerate(page.heads):
                epubs[head.id] = head.epub(epub_dir)  # where it is now
                models[head.id] = f"{model_dir}/{head.id}.json"
                if page.titles[n] != title:
                    shutil.rmtree(staging / "issues" / head.id, ignore_errors=True)
                    jobs.append(_SiteJob(options, title, models[head.id], epubs[head.id], str(staging)))
                    page.titles[n] = title
                    page.site_new.add(head.id)
        jobs += self.plan_feeds(heads, epubs, models)
        corpus = self.previous_corpus()
        for page in pages:
            for head in [] if page.new else page.heads:
                part = corpus.get(head.id)
                if part is not None and part[0] == page.key:
                    self.fragments[head.id] = ("live", part[1], part[2])
                else:
                    jobs.append(_FragmentJob(models[head.id], self.config.keep_breaks))
        linker = _Linker(self.links(pages) if self.spare is None else [])
        try:
            if len(jobs) >= 16:
                self.workers.start()
            results = self.workers.map(_run_job, jobs)
            # While the workers make the feeds: the front and year pages and the style sheets.
            for rel, blob in iter_site(heads, options, epubs, per_issue=False):
                if not (rel.startswith("styles/") and rel[len("styles/"):] in self.styles):
                    _write(staging / rel, blob)
                    self.globals.append(rel)
            for name, css in self.styles.items():  # [build] styles: the desk's own style sheets
                _write(staging / "styles" / name, css)
            with open(staging / CACHE_DIR / SPOOL, "ab") as spool:
                for job, result in zip(jobs, results, strict=True):
                    if isinstance(job, _FragmentJob):
                        self.fragments[Path(job.model).stem] = (SPOOL, spool.tell(), len(result))
                        spool.write(result)
            self.note("tei", 0, 1, "TEI corpus")
            self.write_corpus(heads)
        except BaseException:
            linker.stop()
            raise
        linker.finish()

    def plan_feeds(self, heads: list[_Head], epubs: dict[str, EpubFile], models: dict[str, str]) -> list[_FeedJob]:
        """The feed pages whose documents must be made: those whose plan (``_feed_digest``)
        is not that of the same documents in the previous build or in the spare."""
        from .export.feed import feed_pages

        previous = self.previous
        before = previous.feeds if previous is not None else {}
        there = previous.files if previous is not None else set()
        spare = self.spare.feeds if self.spare is not None else {}
        jobs = []
        for feed in feed_pages(heads, self.options, epubs):
            digest = _feed_digest(feed, self.fingerprint)
            paths = [rel for _, rel, _ in feed.docs]
            self.feeds.update((rel, digest) for rel in paths)
            if all(before.get(rel) == digest and rel in there for rel in paths) \
                    or all(spare.get(rel) == digest for rel in paths):
                continue
            needed = {head.id: models[head.id] for head, _, _ in feed.items} if feed.family == "articles" else {}
            jobs.append(_FeedJob(self.options, feed, needed, str(self.staging)))
            self.rendered.update(paths)
        return jobs

    def previous_corpus(self) -> dict[str, tuple[str, int, int]]:
        """issue id -> (page key, offset, length) of its fragment in the previous build's
        corpus, when that corpus is there as it was written."""
        previous = self.previous
        if previous is None or not previous.heads or "tei/corpus.xml" not in previous.files:
            return {}
        try:
            size = (previous.root / "tei" / "corpus.xml").stat().st_size
        except OSError:
            return {}
        if size != previous.heads.get("corpus_size"):
            return {}
        return {head[0]: (previous.pages[source][0], *place)
                for source, entry in previous.heads["pages"].items()
                for head, place in zip(entry["issues"], entry["corpus"], strict=True)}

    def write_corpus(self, heads: list[_Head]) -> None:
        """``tei/corpus.xml``, byte for byte what ``write_corpus`` writes: the head, then
        each issue's fragment (from the spool or the previous corpus), in date order."""
        from .export.tei import CORPUS_END, corpus_head

        ordered = sorted(heads, key=lambda i: (i.date is None, i.date or 0, i.page or 0, i.id))
        sources = {SPOOL: self.staging / CACHE_DIR / SPOOL, "live": self.out / "tei" / "corpus.xml"}
        target = self.staging / "tei" / "corpus.xml"
        head = corpus_head(ordered[0], keep_breaks=self.config.keep_breaks)
        layout: dict[str, tuple[int, int]] = {}
        runs: list[list[Any]] = []  # [source, offset, length]: neighbouring fragments are copied at once
        at = len(head)
        for issue in ordered:
            source, offset, length = self.fragments[issue.id]
            layout[issue.id] = (at, length)
            at += length
            if runs and runs[-1][0] == source and runs[-1][1] + runs[-1][2] == offset:
                runs[-1][2] += length
            else:
                runs.append([source, offset, length])
        with open(target, "wb", buffering=0) as out, ExitStack() as stack:
            files = {name: stack.enter_context(open(sources[name], "rb", buffering=0)) for name in {r[0] for r in runs}}
            _write_all(out.fileno(), head)
            for source, offset, length in runs:
                _copy_range(files[source].fileno(), out.fileno(), offset, length)
            _write_all(out.fileno(), CORPUS_END)
        (self.staging / CACHE_DIR / SPOOL).unlink()
        self.corpus = (layout, at + len(CORPUS_END))

    def links(self, pages: list[_Page]) -> list[tuple[str, str]]:
        """With no spare to bring up to date, the staging folder becomes the new output:
        what it keeps from the previous build is linked into it."""
        out, staging = str(self.out), str(self.staging)
        links = []
        for page in pages:
            for head in [] if page.new else page.heads:
                rels = _page_files(head.id, page.vertical)
                if head.id not in page.site_new:
                    os.mkdir(os.path.join(staging, "issues", head.id))
                    rels += _site_files(head)
                links += [(os.path.join(out, rel), os.path.join(staging, rel)) for rel in rels]
        links += [(os.path.join(out, rel), os.path.join(staging, rel)) for rel in self.feeds
                  if rel not in self.rendered]
        return links

    def write_manifest(self, pages: list[_Page], articles: int) -> int:
        """The manifest and issues.json into the staging folder; the number of outputs."""
        from .export.site import STYLES

        names = sorted({*self.globals, "tei/corpus.xml", *(f"styles/{n}" for n in (*STYLES, *self.styles))})
        self.globals = [rel for rel in names if (self.staging / rel).is_file()]
        per_issue = sum(len(_page_files(h.id, page.vertical)) - 1 + len(_site_files(h))
                        for page in pages for h in page.heads)
        issues = sum(len(p.heads) for p in pages)
        outputs = per_issue + len(self.feeds) + len(self.globals)
        layout, size = self.corpus
        manifest = {
            "format": CACHE_FORMAT,
            "version": __version__,
            "config": self.fingerprint,
            # source -> [key, [[issue id, site title], ...], vertical], failed pages' last good build too
            "pages": ((p.task.path, [p.key, [[h.id, t] for h, t in zip(p.heads, p.titles, strict=True)], p.vertical])
                      for p in sorted(pages, key=lambda p: p.task.path)),  # made as written (_write_json)
            "feeds": dict(sorted(self.feeds.items())),
            "stamps": {source: stamp for source, stamp in sorted(self.stamps.items()) if stamp is not None},
            "sidecars": dict(sorted(self.sidecars.items())),
            "globals": self.globals,
            "issues": issues,
            "articles": articles,
            "outputs": outputs,
            "files": outputs + issues + 2,  # with the models, the manifest and issues.json
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
                                     "corpus": [layout[h.id] for h in p.heads]}) for p in pages),
            "corpus_size": size,
        }
        for name, data in ((MANIFEST, manifest), (HEADS, heads)):
            _write_json(self.staging / CACHE_DIR / name, data)
        return outputs

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
        had = {source: (key, dict(issues), vertical) for source, (key, issues, vertical) in spare.pages.items()}

        def kept(page: _Page) -> dict[str, bool] | None:
            """None when the spare does not have the page as this build has it; else for
            each of its issues, whether the spare has its web pages as this build has them."""
            entry = had.get(page.task.path)
            if entry is None or (entry[0], list(entry[1]), entry[2]) != (page.key, [h.id for h in page.heads],
                                                                          page.vertical):
                return None
            return {h.id: entry[1][h.id] == title for h, title in zip(page.heads, page.titles, strict=True)}

        keep = {page.task.path: kept(page) for page in pages}
        for source, (_, issues, vertical) in had.items():  # first what the spare has and this build has not
            same = keep.get(source)
            for ident in issues:
                if same is None:
                    for rel in _page_files(ident, vertical):
                        _unlink(target / rel)
                if same is None or not same[ident]:
                    shutil.rmtree(target / "issues" / ident, ignore_errors=True)
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
                    for rel in _page_files(head.id, page.vertical):
                        _bring(root / rel, target / rel, move=page.new)
                if same is None or not same[head.id]:
                    if page.new or head.id in page.site_new:
                        os.replace(staging / "issues" / head.id, target / "issues" / head.id)
                    else:
                        (target / "issues" / head.id).mkdir()
                        for rel in _site_files(head):
                            _bring(out / rel, target / rel, move=False)
        for rel, digest in self.feeds.items():
            if spare.feeds.get(rel) != digest:
                new = rel in self.rendered
                _bring((staging if new else out) / rel, target / rel, move=new)
        for rel in [*self.globals, f"{CACHE_DIR}/{MANIFEST}", f"{CACHE_DIR}/{HEADS}"]:
            _bring(staging / rel, target / rel, move=True)


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


class _Workers:
    """The build's worker processes (none with jobs=1: the work runs in this process),
    started once for both rounds of work: the pages, then the feeds.

    They are forked as early as the build knows it has pages to read, while this process
    is still small: a forked worker starts with every page of its parent's memory, and
    the memory of the whole process tree would count the previous build's heads once in
    each of them."""

    def __init__(self, jobs: int, inherited: Sequence[int] = ()):
        self.jobs = jobs
        self.inherited = inherited  # the parent's lock files: a worker closes its copies
        self.pool: Any = None

    def start(self) -> None:
        if self.jobs == 1 or self.pool is not None:
            return
        # Imported now, once, so that the workers are forked with everything loaded.
        from concurrent.futures import ProcessPoolExecutor

        from .export import epub, feed, site, tei  # noqa: F401
        from .read import read_page  # noqa: F401

        pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init,
                                   initargs=(os.getpid(), tuple(self.inherited)))
        # The workers are started by the first submission. Ctrl-C or SIGTERM in the middle
        # of that would leave the pool without the thread that stops its workers, and
        # they would wait for work forever: held back until the pool is complete.
        with _signals_deferred():
            self.pool = pool
            pool.submit(int).result()

    def map(self, function: Callable[[Any], Any], items: Sequence[Any], window: int = 64) -> Iterator[Any]:
        """``function`` of each item, in the items' order (so the output does not depend on
        ``jobs``), with at most ``window`` items submitted ahead: a slow item holds back
        the results that finished after it, not the memory of all of them."""
        if self.pool is None or len(items) <= 1:
            for item in items:
                if not gc.isenabled():
                    gc.freeze()  # what the build holds, out of the collector's sight
                result = function(item)
                if not gc.isenabled():
                    gc.collect()  # the cycles the job made (see _collector_paused)
                yield result
            return
        from collections import deque

        pending: deque[Any] = deque()
        queue = iter(items)
        for item in queue:
            # chunksize 1: a page is a big unit of work, and an interrupted build then
            # waits for at most one page per worker before it stops.
            pending.append(self.pool.submit(function, item))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            item = next(queue, None)
            if item is not None:
                pending.append(self.pool.submit(function, item))
            yield result

    def close(self) -> None:
        if self.pool is not None:
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
