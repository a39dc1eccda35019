"""The build's memory of what it made: the cache folder, the manifest, the issues' heads,
and the keys that say when a page's outputs are still good.

``.pressout/manifest.json`` says, for every page, what it was built from (its key) and
what it made: its issues, each with the archive value its title-bound files were made with
(see ``pressout.export.registry``), and the layout of its files (the formats' file-name
templates, stored once per build in ``layouts``), so that a build with nothing to do
learns what the output holds without importing a single format. ``.pressout/issues.json``
holds the issues' heads (``pressout.model.IssueHead``) and where each issue's fragment is
in each concatenation (the TEI corpus).

Both carry ``format`` (``CACHE_FORMAT``) and pressout's version, and every page key is
made with a digest of pressout's own code (``code_digest``): a cache written by other code
is not used, so an upgraded reader can never serve stale models.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import ConfigError
from ..export.registry import expand

if TYPE_CHECKING:
    from ..config import Config
    from ..model import IssueHead

CACHE_DIR = ".pressout"
MANIFEST = "manifest.json"  # what each page, feed document and global file was made from
HEADS = "issues.json"  # the issues' heads (IssueHead), and where their fragments are
SPARE = "spare"  # .pressout/spare: the previous generation (see pressout.build)
MODELS = f"{CACHE_DIR}/models"  # one issue's model as JSON: {MODELS}/{id}.json
PIECES = f"{CACHE_DIR}/pieces"  # a format's pieces of an issue: {PIECES}/{format}/{id}
# The format of the manifest, issues.json and the models (5: the formats' registry,
# layouts and IssueHead; 6: ArticleHead's section and column). Part of every page's key too.
CACHE_FORMAT = 6
# Fragments of the concatenations that are parked while the pages are read.
SPOOL = "fragments"
LOCK = f"{CACHE_DIR}/lock"  # see pressout.outdir; in every generation, never linked or counted


@cache
def code_digest() -> str:
    """The sha256 of pressout's own code (every ``.py`` file of the package, by path and
    bytes): part of every page key, so that any change to the code, released or not,
    makes the pages again. (About 1 ms: the package is some 700 KB.)"""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def page_key(content: str, meta: Any, fingerprint: str, encoding: str | None, errors: str) -> str:
    """What a page's outputs are made from: the sha256 of its bytes (``content``, hex), its
    metadata, the configuration (with the formats), and this code of pressout."""
    digest = hashlib.sha256(bytes.fromhex(content))
    for part in (repr(meta).encode(), fingerprint.encode(), __version__.encode(), code_digest().encode(),
                 repr((encoding, errors, CACHE_FORMAT)).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("version") != __version__:
        return None
    return data


# --- layouts: the formats' file names for one issue ------------------------------------------

# A layout: [templates of the issue's own files, templates of its title-bound files, the
# formats that keep pieces] (``pressout.export.registry.Exporter``, in the formats' order).
Layout = list[list[str]]


def own_files(layout: Layout, ident: str, articles: list[str] | tuple[str, ...]) -> list[str]:
    """The files an issue made from itself alone, its cached model and its pieces."""
    return [*expand(layout[0], ident, articles), f"{MODELS}/{ident}.json",
            *(f"{PIECES}/{name}/{ident}" for name in layout[2])]


def bound_files(layout: Layout, ident: str, articles: list[str] | tuple[str, ...]) -> list[str]:
    """The issue's title-bound files (its web pages)."""
    return expand(layout[1], ident, articles)


def issue_folders(templates: list[str], ident: str) -> list[str]:
    """The folders that hold nothing but this issue's files of ``templates`` (a template's
    folder that names the issue: ``issues/{id}``): made, moved and removed whole."""
    return list(dict.fromkeys(posixpath.dirname(t).format(id=ident) for t in templates
                              if "{id}" in posixpath.dirname(t) and "{article}" not in posixpath.dirname(t)))


class Generation:
    """A finished build on disk (the output folder, or the spare): its manifest, and on
    demand the heads of its issues and the files it holds."""

    def __init__(self, root: Path, manifest: dict[str, Any]):
        self.root = root
        self.manifest = manifest
        # source -> [key, [[issue id, bound value], ...], layout number]
        self.pages: dict[str, list[Any]] = manifest.get("pages", {})
        self.layouts: list[Layout] = manifest.get("layouts", [])
        self.feeds: dict[str, str] = manifest.get("feeds", {})  # archive job's path -> digest
        self.globals: list[str] = manifest.get("globals", [])
        self._heads: dict[str, Any] | None = None
        self._files: set[str] | None = None
        self._page_heads: dict[str, list[IssueHead]] = {}
        self._page_complete: dict[str, bool] = {}

    @classmethod
    def load(cls, root: Path) -> Generation | None:
        manifest = read_json(root / CACHE_DIR / MANIFEST)
        return cls(root, manifest) if manifest is not None else None

    @property
    def heads(self) -> dict[str, Any]:
        """``issues.json``: "pages": source -> {"warnings", "issues": [head...], "fragments":
        {concatenation: [[offset, length]...]}}, and "sizes": {concatenation: size}; empty
        when it cannot be read."""
        if self._heads is None:
            data = read_json(self.root / CACHE_DIR / HEADS)
            self._heads = data if data is not None and set(data.get("pages", {})) == set(self.pages) else {}
        return self._heads

    def page_heads(self, source: str) -> list[IssueHead]:
        from ..model import IssueHead

        heads = self._page_heads.get(source)
        if heads is None:  # asked for several times a page: decoded once
            key = self.pages[source][0]
            heads = self._page_heads[source] = [IssueHead.from_json(h, key)
                                                for h in self.heads["pages"][source]["issues"]]
        return heads

    def layout(self, source: str) -> Layout:
        return self.layouts[self.pages[source][2]]

    @property
    def files(self) -> set[str]:
        """Every file it holds (the spare left out), as relative POSIX paths."""
        if self._files is None:
            self._files = set(walk(str(self.root), f"{CACHE_DIR}/{SPARE}"))
            self._files.discard(LOCK)
        return self._files

    def page_files(self, source: str) -> list[str]:
        """The page's outputs and cached models ([] when issues.json cannot be read)."""
        if not self.heads:
            return []
        layout = self.layout(source)
        files: list[str] = []
        for head in self.page_heads(source):
            articles = head.article_ids
            files += own_files(layout, head.id, articles) + bound_files(layout, head.id, articles)
        return files

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
    generation = Generation.load(Path(out_dir))
    if generation is None or not generation.heads:
        return []
    return sorted(rel for rel in generation.expected() if not rel.startswith(f"{CACHE_DIR}/"))


def walk(root: str, skip: str = "") -> list[str]:
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


def style_overrides(config: Config) -> dict[str, bytes]:
    """``[build] styles``: the CSS files of that folder, by name (they replace the web
    edition's shipped style sheets of the same name)."""
    if not config.styles:
        return {}
    folder = Path(config.styles)
    if not folder.is_dir():
        raise ConfigError(f"[build] styles = {config.styles!r}: no such folder; use a folder of CSS files",
                          path=config.path)
    return {css.name: css.read_bytes() for css in sorted(folder.glob("*.css")) if css.is_file()}


def fingerprint(config: Config, styles: dict[str, bytes], formats: list[str]) -> str:
    """The configuration as the cache sees it: its values (registered formats' tables too),
    the style sheets' bytes, SOURCE_DATE_EPOCH (the date of every undated issue, see
    ``pressout.timestamps``), the formats made (by name) and the covers' font."""
    digest = hashlib.sha256(config.fingerprint().encode())
    digest.update(repr(sorted(config.extra.items())).encode())
    for name, data in styles.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update(repr(os.environ.get("SOURCE_DATE_EPOCH")).encode())
    digest.update(repr(formats).encode())
    from ..export.cover import font_identity

    digest.update(font_identity().encode())  # the covers' font: another one draws them all again
    return digest.hexdigest()
