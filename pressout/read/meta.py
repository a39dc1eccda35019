"""Issue metadata: the sidecar ``issues.toml`` beside the pages, front matter, file names.

A text dump rarely says which day's paper it is. The desk records that in a sidecar next
to the pages (``seeds/issues.toml``)::

    [defaults]
    publication = "太原日报"
    publication_slug = "tyrb"

    ["004_e799359604fa2b7c.txt"]
    date = 2021-12-10
    date_cert = "medium"      # high (printed/known) | medium | low (inferred from the text)
    evidence = "events dated 12月9日; 天宫课堂 lesson of 2021-12-09; …"
    page = 1                  # optional
    edition = "a"             # optional, default "a"
    id = "tyrb-2021-12-10-a"  # optional override of the issue id

Without a sidecar entry the reader takes the date from YAML front matter (``date:``) or
from a ``YYYY-MM-DD``/``YYYYMMDD`` part of the file name (certainty high), and otherwise
leaves it unknown and says so (warning PO101). The sidecar wins over both.

Issue ids are ASCII NCNames, stable across rebuilds: ``{slug}-{YYYY-MM-DD}-{edition}``
(plus ``-p{page:04}`` when the page is given), or ``{slug}-{file stem}`` for an undated
page; a file stem that is not ASCII is replaced by the first 12 hex digits of the page's
sha256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any

from ..errors import ConfigError

__all__ = ["IssueMeta", "SIDECAR_NAME", "date_from_filename", "issue_id", "load_sidecar"]

SIDECAR_NAME = "issues.toml"
CERTAINTIES = ("high", "medium", "low")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
_FILENAME_DATE = re.compile(
    r"(?:^|[_\-. ])((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?=$|[_\-. ])"
)


@dataclass(frozen=True, slots=True)
class IssueMeta:
    """What is known about one page besides its text. None means "not given"."""

    date: dt.date | None = None
    date_cert: str | None = None
    page: int | None = None
    edition: str | None = None
    publication: str | None = None
    publication_slug: str | None = None
    id: str | None = None
    evidence: str | None = None

    def over(self, base: IssueMeta) -> IssueMeta:
        """These values where given, ``base``'s elsewhere (made twice for each page of an
        archive: a plain loop, not ``dataclasses.replace``)."""
        mine, theirs = _values(self), _values(base)
        return IssueMeta(*[m if m is not None else t for m, t in zip(mine, theirs, strict=True)])


_FIELDS = tuple(f.name for f in fields(IssueMeta))
_values = attrgetter(*_FIELDS)  # all the fields, in order, in one call
_KNOWN_KEYS = frozenset(_FIELDS)  # (made once: an archive's sidecar has a table per page)


def _check(value: Any, key: str, where: str, ok: bool, allowed: str) -> Any:
    if not ok:
        raise ConfigError(f"[{where}] {key} = {value!r} is not allowed; use {allowed}")
    return value


def meta_from_table(table: dict[str, Any], *, where: str, path: Path) -> IssueMeta:
    for key in table:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"[{where}] unknown key {key!r}; allowed keys: {', '.join(sorted(_KNOWN_KEYS))}", path=path
            )
    try:
        date = table.get("date")
        if date is not None:
            if isinstance(date, str):
                try:
                    date = dt.date.fromisoformat(date)
                except ValueError:
                    _check(date, "date", where, False, "a date like 2021-12-10")
            _check(
                date,
                "date",
                where,
                isinstance(date, dt.date) and not isinstance(date, dt.datetime),
                "a date like 2021-12-10",
            )
        cert = table.get("date_cert")
        if cert is not None:
            _check(cert, "date_cert", where, cert in CERTAINTIES, " | ".join(CERTAINTIES))
        page = table.get("page")
        if page is not None:
            _check(
                page,
                "page",
                where,
                isinstance(page, int) and not isinstance(page, bool) and page > 0,
                "a page number from 1",
            )
        edition = table.get("edition")
        if edition is not None:
            _check(
                edition,
                "edition",
                where,
                isinstance(edition, str) and bool(re.fullmatch(r"[a-z0-9]{1,8}", edition)),
                "a short lowercase ASCII edition code such as a",
            )
        slug = table.get("publication_slug")
        if slug is not None:
            _check(
                slug,
                "publication_slug",
                where,
                isinstance(slug, str) and bool(_SLUG.match(slug)),
                "lowercase ASCII letters, digits and -, starting with a letter (e.g. tyrb)",
            )
        pub = table.get("publication")
        if pub is not None:
            _check(pub, "publication", where, isinstance(pub, str) and bool(pub.strip()), "a non-empty name")
        ident = table.get("id")
        if ident is not None:
            _check(
                ident,
                "id",
                where,
                isinstance(ident, str) and bool(_NCNAME.match(ident)),
                "an ASCII XML name (letters, digits, - _ .; not starting with a digit)",
            )
        evidence = table.get("evidence")
        if evidence is not None:
            _check(evidence, "evidence", where, isinstance(evidence, str), "a string")
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path) from None
    if date is None and cert is not None:
        raise ConfigError(f"[{where}] date_cert is given without a date", path=path)
    return IssueMeta(
        date=date,
        date_cert=(cert or "high") if date is not None else None,
        page=page,
        edition=edition,
        publication=pub,
        publication_slug=slug,
        id=ident,
        evidence=evidence,
    )


@dataclass(frozen=True, slots=True)
class Sidecar:
    path: Path
    defaults: IssueMeta
    pages: dict[str, IssueMeta]

    def for_page(self, name: str) -> IssueMeta:
        return self.pages.get(name, _NOT_LISTED).over(self.defaults)


_NOT_LISTED = IssueMeta()  # a page the sidecar has no table for (immutable: shared)


def load_sidecar(path: str | Path) -> Sidecar:
    """Read and check an ``issues.toml``; a bad value is a ConfigError naming file and key.

    Loaded once per file version: a build reads many pages beside the same sidecar."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError("issue metadata file not found", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read issue metadata: {exc.strerror or exc}", path=path) from None
    return _load_sidecar(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_sidecar(path: Path, _mtime_ns: int, _size: int) -> Sidecar:
    return _sidecar(path, _parse(path, _read(path)))


# Sidecars found beside pages, by file identity: see sidecar_beside.
_BESIDE: dict[tuple[str, int, int, int, int], Sidecar] = {}


def sidecar_beside(page: Path) -> Sidecar | None:
    """The sidecar in a page's folder, None when there is none.

    ``read_page`` asks this for every page, and the pages of a folder share one file:
    a file already loaded from this path (the same device, inode, mtime and size) is
    known without resolving its path again, which costs more than the rest of the look-up."""
    candidate = os.path.join(os.path.dirname(str(page)), SIDECAR_NAME)  # page.parent / SIDECAR_NAME
    try:
        status: os.stat_result | None = os.stat(candidate)
    except (OSError, ValueError):
        status = None
    if status is None or not S_ISREG(status.st_mode):
        # No sidecar, or a path it cannot tell about: Path's own test decides (and raises).
        beside = page.parent / SIDECAR_NAME
        return load_sidecar(beside) if beside.is_file() else None
    identity = (candidate, status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size)
    loaded = _BESIDE.get(identity)
    if loaded is None:
        loaded = load_sidecar(page.parent / SIDECAR_NAME)
        if len(_BESIDE) >= 16:  # as many as _load_sidecar keeps
            _BESIDE.clear()
        _BESIDE[identity] = loaded
    return loaded


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("issue metadata file not found", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read issue metadata: {exc}", path=path) from None


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read issue metadata: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None


def load_sidecar_known(path: str | Path, known: dict[str, Any] | None) -> tuple[Sidecar, dict[str, Any]]:
    """``load_sidecar``, helped by ``known``: what this returned as its second value for an
    earlier version of the file (JSON-able). Returns the sidecar and what to pass next time.

    The desk adds a page's entry at the end of the file every day, and an archive's file
    has thousands of entries: when the file is the known one with tables appended, only the
    appended text is parsed. That gives what parsing the whole file gives when the appended
    text starts with a table header (so none of its keys goes into the known file's last
    table) and names none of the known tables again; otherwise the whole file is parsed."""
    path = Path(path).resolve()
    data = _read(path)
    sidecar = None
    if known is not None:
        sidecar = _appended(path, data, known)
    if sidecar is None:
        sidecar = _sidecar(path, _parse(path, data))
    return sidecar, {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "defaults": _meta_to_list(sidecar.defaults),
        "pages": {name: _meta_to_list(meta) for name, meta in sidecar.pages.items()},
    }


_TABLE_FIRST = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*\[")


def _appended(path: Path, data: bytes, known: dict[str, Any]) -> Sidecar | None:
    try:
        size = known["size"]
        if not (len(data) >= size and (size == 0 or data[size - 1 : size] == b"\n")
                and hashlib.sha256(data[:size]).hexdigest() == known["sha256"]):
            return None
        defaults = _meta_from_list(known["defaults"])
        pages = {name: _meta_from_list(meta) for name, meta in known["pages"].items()}
    except (KeyError, TypeError, ValueError):
        return None  # not something this version wrote
    rest = data[size:]
    if rest.strip():
        if not _TABLE_FIRST.match(rest.decode("utf-8", errors="replace")):
            return None
        try:
            tables = _parse(path, rest)
            if "defaults" in tables or not tables.keys().isdisjoint(pages):
                return None
            pages.update(_sidecar(path, tables).pages)
        except ConfigError:
            return None  # said again by parsing the whole file: with the file's line numbers
    return Sidecar(path, defaults, pages)


def _meta_to_list(meta: IssueMeta) -> list[Any]:
    return [meta.date.isoformat() if meta.date else None, *(getattr(meta, name) for name in _FIELDS[1:])]


def _meta_from_list(values: list[Any]) -> IssueMeta:
    date, *rest = values
    return IssueMeta(dt.date.fromisoformat(date) if date else None, *rest)


def _sidecar(path: Path, data: dict[str, Any]) -> Sidecar:
    defaults_table = data.pop("defaults", {})
    if not isinstance(defaults_table, dict):
        raise ConfigError("[defaults] must be a table", path=path)
    defaults = meta_from_table(defaults_table, where="defaults", path=path)
    if defaults.date is not None or defaults.id is not None:
        raise ConfigError("[defaults] cannot set date or id (they belong to one page)", path=path)
    pages: dict[str, IssueMeta] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f'{name!r} must be a table: ["{name}"]', path=path)
        pages[name] = meta_from_table(table, where=name, path=path)
    return Sidecar(path, defaults, pages)


def date_from_filename(name: str) -> dt.date | None:
    stem = Path(name).stem
    m = _FILENAME_DATE.search(stem)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def issue_id(slug: str, meta: IssueMeta, source_name: str, sha256: str) -> str:
    if meta.id:
        return meta.id
    if meta.date is not None:
        ident = f"{slug}-{meta.date.isoformat()}-{meta.edition or 'a'}"
        return ident + (f"-p{meta.page:04d}" if meta.page else "")
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source_name).stem.lower()).strip("-")
    if not stem or not Path(source_name).stem.isascii():
        stem = sha256[:12]
    return f"{slug}-{stem}"
