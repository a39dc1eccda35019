"""The output formats, in one table (like pandoc's writers list): one module per format,
registered once; the build, ``pressout validate``, ``pressout formats`` and the
configuration iterate this table and know no format by name.

A format is an ``Exporter``. What it may make, all optional:

* **Per-issue files** (``issue_files`` names them, ``issue_outputs`` makes them): files made
  from one issue alone (an EPUB, a TEI document, an issue's web pages). The names are
  templates with ``{id}`` (the issue's id) and ``{article}`` (one file per article id):
  this is the one place a format's file names are written; the build records them in its
  manifest, knows from them what an issue made, and checks what ``issue_outputs`` gives
  against them. They are made in the build's workers, in table order, and an exporter sees
  the sizes of what earlier ones made for the same issue (``made``): the web pages show the
  EPUB's size.
* **Title-bound** per-issue files (``title_bound``): files that also depend on a value of
  the whole archive (``bound``: the web pages name the site's title, which is the common
  publication of all issues), or on one for each issue (``bounds``: the web pages also
  link the issues before and after it). A worker makes them with the value of the issue
  alone; when the issue's value in the archive turns out to differ, the build makes them
  again (only that issue's: a value per issue keeps this to the issues it changed for).
  Where the value of an issue alone is mostly wrong (``bound_deferred``: the neighbours),
  a worker leaves them, and the build makes them once every issue is known, from the
  issue's cached model, instead of making them twice; unless the format can make them for
  the archive's value from those made with the issue's own (``rebinds``, with
  ``patchable`` and ``rebound``: the web pages, where only the issue's page changes, by its
  links to its neighbours): then a worker makes them with the issue's own value, and the
  build makes only what changes, from those files, without the model.
* **A concatenation** (``concatenated``): one file made of a head, one fragment per issue
  and an end (the TEI corpus). ``issue_outputs`` gives the issue's fragment under the
  concatenation's path; the build keeps each fragment and assembles the file in corpus
  order (``corpus_order``), taking unchanged fragments from the previous file.
* **Archive files** (``archive_files``): small files made from every issue's head on each
  build that changed anything (the front and year pages).
* **Archive jobs** (``archive_jobs``): pieces of archive-wide work (a page of a feed), each
  naming its files and a digest of what they are made from; the build runs on its
  executor only the jobs whose digest changed, and ``run_job`` writes their files. A
  format that keeps **pieces** (``pieces``, ``issue_pieces``: the feeds' entries, made and
  serialised with the issue's other files) gets those instead of whole issues, so that
  the work left once every page is read is little more than putting pieces together. A
  format may also borrow another's pieces (``borrows_pieces``: the section feeds take the
  feeds' entries).
* **Validators** (``validators``): the checks ``pressout validate`` runs over its files.
* **Notices** (``notices``): warnings about the whole build (stable codes), such as a file
  the format cannot make on this machine.
* **Settings** (``section`` and ``keys``): a table of ``pressout.toml`` for a format that
  is not built in; its values are in ``Config.extra[section]`` and in the cache key.

Register a format with ``register(MyExporter())``; the built-in ones are imported only when
a build makes something (``import pressout`` and a build with nothing to do stay cheap).
Exporter objects travel to the build's workers by pickling: define the class at the top
level of an importable module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..config import Config
    from ..model import Issue, IssueHead, IssueLike
    from ..validate import Check, ValidateOptions

__all__ = [
    "ArchiveJob",
    "Exporter",
    "Settings",
    "Validator",
    "corpus_order",
    "exporter",
    "exporters",
    "expand",
    "register",
    "unregister",
]

# The built-in formats, in the order the build makes them (the EPUB shows the cover image,
# the web pages the EPUB's size, so the covers come first, then the EPUB). Each module
# defines EXPORTER.
BUILTINS = ("pressout.export.cover", "pressout.export.epub", "pressout.export.kepub", "pressout.export.tei",
            "pressout.export.site", "pressout.export.feed", "pressout.export.sections", "pressout.export.opds",
            "pressout.export.search")


@dataclass(frozen=True)
class Settings:
    """What a format is given of the build: the configuration, the desk's style sheets
    (``[build] styles``) and the web and feed options (``SiteOptions``)."""

    config: Config
    styles: Mapping[str, bytes] = field(default_factory=dict)
    options: Any = None  # pressout.export.feed.SiteOptions

    def section(self, name: str) -> Mapping[str, Any]:
        """The values of a registered format's own table of ``pressout.toml``."""
        value = self.config.extra.get(name, {})
        return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class ArchiveJob:
    """A piece of archive-wide work: ``paths`` (in the output) made from what ``digest``
    says (the same digest: the same bytes, so the job is not run again). ``needs`` names
    the issues whose whole model the job reads; ``work`` is the exporter's own (picklable)
    description of it."""

    paths: tuple[str, ...]
    digest: str
    needs: tuple[str, ...] = ()
    work: Any = None


@dataclass(frozen=True)
class Validator:
    """A check of ``pressout validate`` (``name`` is what ``--skip`` takes)."""

    name: str
    run: Callable[[Path, ValidateOptions], Check]


class Exporter:
    """An output format; see the module docstring. Subclass it and override what the format
    makes; every method has a default that makes nothing."""

    name: ClassVar[str] = ""
    # A table of pressout.toml for a format that is not built in: key -> (check, allowed).
    section: ClassVar[str | None] = None
    keys: ClassVar[Mapping[str, tuple[Callable[[Any], bool], str]]] = {}
    title_bound: ClassVar[bool] = False
    # Its title-bound files' values depend on other issues (``bounds``), so that a worker's
    # value of the issue alone is mostly wrong: the build makes them only once every issue
    # is known (for all title-bound formats: they are made together).
    bound_deferred: ClassVar[bool] = False
    # Its deferred title-bound files are made by the workers with the issue's own value, then
    # made for the archive's from themselves (``patchable``, ``rebound``).
    rebinds: ClassVar[bool] = False
    sized: ClassVar[bool] = False  # other formats show the sizes of its per-issue files
    concatenated: ClassVar[str | None] = None  # the path of its concatenation, if it has one
    folders: ClassVar[tuple[str, ...]] = ()  # folders its archive files and jobs write into (made first)
    # It keeps pieces of each issue (``issue_pieces``) for its archive jobs, which then get
    # them instead of the whole issues: the costly part of archive-wide work done per page.
    pieces: ClassVar[bool] = False
    # Its archive jobs get the pieces another format keeps (that format's name) instead of
    # keeping pieces of its own: the section feeds are put together from the feeds' entries.
    borrows_pieces: ClassVar[str | None] = None

    @property
    def piece_source(self) -> str | None:
        """The format whose pieces its archive jobs get (its own, or those it borrows), if any."""
        return self.name if self.pieces else self.borrows_pieces

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        """The templates of the files made from one issue (``{id}``, ``{article}``)."""
        return ()

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterable[tuple[str, bytes]]:
        """The files made from ``issue`` alone, in the order of ``issue_files`` (and the
        issue's fragment of the concatenation, under its path). ``made``: the sizes of what
        earlier formats made for this issue; ``bound``: the archive's value (``bound``)."""
        return ()

    def issue_pieces(self, issue: Issue, settings: Settings) -> bytes:
        """For a format that keeps pieces: what its archive jobs need of ``issue`` (made with
        the issue's other files, kept in the build's cache beside its model)."""
        raise NotImplementedError

    def bound(self, issues: Sequence[IssueLike], settings: Settings) -> str:
        """For a title-bound format: the value of the archive its per-issue files depend on."""
        return ""

    def bounds(self, issues: Sequence[IssueLike], settings: Settings) -> Sequence[str]:
        """For a title-bound format: the value each issue's files depend on, one per issue
        in the order given (the value ``issue_outputs`` gets as ``bound``); by default the
        archive's ``bound``, the same for all. The build makes an issue's files again when
        its value changes, and a worker makes them first with ``bounds([issue])[0]``."""
        value = self.bound(issues, settings)
        return [value] * len(issues)

    def patchable(self, made_with: str, value: str) -> bool:
        """For a format that ``rebinds``: whether its files made with the value ``made_with``
        (a worker's, of the issue alone) can be made for ``value`` by ``rebound``."""
        return False

    def rebound(self, ident: str, made_with: str, value: str,
                read: Callable[[str], bytes]) -> list[tuple[str, bytes]] | None:
        """For a format that ``rebinds``: the files of issue ``ident`` made with ``made_with``
        that differ when made with ``value``, made from those files (``read``: a file's
        bytes by its path); None where it cannot (they are then made from the issue)."""
        return None

    def fragment(self, issue: Issue, settings: Settings) -> bytes:
        """The issue's fragment of the concatenation, alone (when the previous one is lost)."""
        raise NotImplementedError

    def concatenation_ends(self, first: IssueLike, settings: Settings) -> tuple[bytes, bytes]:
        """The head (made from the first issue in corpus order) and the end of the concatenation."""
        raise NotImplementedError

    def archive_files(self, heads: Sequence[IssueHead], settings: Settings) -> Iterable[tuple[str, bytes]]:
        """Files made from every issue's head on each build that changed something."""
        return ()

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterable[ArchiveJob]:
        """The pieces of archive-wide work (see ``ArchiveJob``)."""
        return ()

    def run_job(self, job: ArchiveJob, inputs: Mapping[str, Any], settings: Settings) -> Iterable[tuple[str, bytes]]:
        """Make a job's files (``job.paths``); ``inputs``: for each issue it ``needs``, the
        whole issue, or its pieces (bytes) for a format that keeps pieces."""
        return ()

    def validators(self) -> Sequence[Validator]:
        return ()

    def notices(self, settings: Settings) -> Sequence[tuple[str, str]]:
        """Warnings about the whole build, as (code, message): what the format could not
        make on this machine (the covers without a CJK font)."""
        return ()


_registered: list[Exporter] = []
_builtins: list[Exporter] | None = None


def _load_builtins() -> list[Exporter]:
    global _builtins
    if _builtins is None:
        _builtins = [import_module(module).EXPORTER for module in BUILTINS]
    return _builtins


def exporters() -> tuple[Exporter, ...]:
    """Every format: the built-in ones, then those registered, in that order."""
    return (*_load_builtins(), *_registered)


def exporter(name: str) -> Exporter:
    for candidate in exporters():
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def register(format: Exporter) -> Exporter:
    """Add a format (a ValueError if its name is taken); returns it."""
    if not format.name or any(e.name == format.name for e in exporters()):
        raise ValueError(f"an output format needs a name of its own, not {format.name!r}")
    _registered.append(format)
    return format


def unregister(name: str) -> None:
    """Remove a registered format (the built-in ones stay)."""
    _registered[:] = [e for e in _registered if e.name != name]


def registered_sections() -> dict[str, Mapping[str, tuple[Callable[[Any], bool], str]]]:
    """The pressout.toml tables of registered formats (read by ``load_config``)."""
    return {e.section: e.keys for e in _registered if e.section}


def expand(templates: Iterable[str], ident: str, articles: Sequence[str]) -> list[str]:
    """The file names ``templates`` give for an issue and its article ids (a template with
    ``{article}`` gives one name per article)."""
    names: list[str] = []
    for template in templates:
        if "{article}" in template:
            # (formatted once, then joined: a big archive's build expands 100,000s of names)
            before, after = template.format(id=ident, article="\0").split("\0")
            names += [before + article + after for article in articles]
        else:
            names.append(template.format(id=ident))
    return names


def check_templates(format: Exporter, templates: Iterable[str]) -> tuple[str, ...]:
    """``templates`` if they are file names a build can make (a ValueError naming the format
    if not): relative POSIX paths whose folders are fixed names, except that the last folder
    may be the issue's own (``issues/{id}/…``, then holding that issue's files only), with
    ``{article}`` only in the file's name."""
    out = tuple(templates)
    for template in out:
        *folders, name = template.split("/")
        fixed = folders[:-1] if folders and "{id}" in folders[-1] else folders
        if (template.startswith("/") or not name or any(part in ("", ".", "..") or "{" in part for part in fixed)
                or (folders and "{article}" in folders[-1])):
            raise ValueError(f"output format {format.name!r}: {template!r} is not a file name the build can "
                             "make (fixed folders, the last one may be {id}, {article} only in the name)")
    return out


def corpus_order(issue: IssueLike) -> tuple[bool, dt.date, int, str]:
    """The order of issues in every corpus (the build's and ``pressout tei``'s): by date,
    undated last, then page, then id."""
    return (issue.date is None, issue.date or dt.date.min, issue.page or 0, issue.id)


def format_names() -> list[str]:
    """What the build's cache key knows of the formats, without importing them: the
    built-in modules and the registered formats' names."""
    return [*BUILTINS, *(e.name for e in _registered)]
