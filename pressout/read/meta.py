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
leaves it unknown and says so (warning PO101). The sidecar wins over both. A file named
exactly ``YYYYMMDD-PP-NN.txt`` (date, page, item on the page: the per-article dumps of
e-paper crawlers, ``20190201-05-03.txt``) also gives the page, ``PP``
(``page_from_filename``), when neither the sidecar nor front matter does.

Issue ids are ASCII NCNames, stable across rebuilds: ``{slug}-{YYYY-MM-DD}-{edition}``
(plus ``-p{page:04}`` when the page is given), or ``{slug}-{file stem}`` for an undated
page; a file stem that is not ASCII is replaced by the first 12 hex digits of the page's
sha256, and its other characters than ``a-z0-9`` become ``-``. Two rules keep a derived
id usable as a file name:

* **Bounded.** An id is at most ``MAX_ID_LENGTH`` (100) characters. A derived id that
  would be longer (a long file stem or slug) is cut to its first 89 characters (less any
  ``-`` ``_`` ``.`` at the cut), and ``-`` and the first 10 hex digits of the SHA-256 of
  the whole uncut id are added: still stable, and different for different stems.
* **Not reserved.** The build names some files itself beside the issues' own:
  ``tei/corpus.xml``, ``epub/{id}-vertical.epub`` and (to come) the Kobo edition's
  ``{id}-kepub``, ``{id}.kepub.epub``. So ``corpus`` and any id ending in ``-vertical``,
  ``-kepub`` or ``.kepub`` are
  reserved (``RESERVED_IDS``, ``RESERVED_SUFFIXES``; letter case does not matter, as on a
  case-insensitive file system). A derived id that would be reserved (a page
  ``b-vertical.txt``, an edition ``vertical``) gets ``_`` appended: ``tyrb-b-vertical_``;
  no derived id has a ``_`` otherwise, so it cannot meet another page's derived id.

``id_problem`` says what is wrong with an id (pipeline code can ask it about any id).

The values of ``issues.toml`` (and front matter) are checked whole (``re.fullmatch``: a
trailing line break does not slip past ``$``) and may hold no control character: none of
C0 (so no line break and no tab), DEL, C1, U+2028 or U+2029. ``evidence`` is free text:
line feeds are allowed there (TOML's multi-line strings), no other control character.
Lengths are bounded: an ``id`` or ``publication_slug`` at most 100 characters, a
``publication`` 200. A bad value is a ConfigError naming the file, the table and the key.
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

__all__ = [
    "MAX_ID_LENGTH",
    "RESERVED_IDS",
    "RESERVED_SUFFIXES",
    "SIDECAR_NAME",
    "IssueMeta",
    "date_from_filename",
    "id_problem",
    "page_from_filename",
    "issue_id",
    "load_sidecar",
]

SIDECAR_NAME = "issues.toml"
CERTAINTIES = ("high", "medium", "low")
MAX_ID_LENGTH = 100  # an issue id's characters: ids name files (id-vertical.epub, id/article.html)
MAX_SLUG_LENGTH = 100
MAX_PUBLICATION_LENGTH = 200
# Ids the build's own file names would collide with (compared in lower case):
RESERVED_IDS = frozenset({"corpus"})  # tei/corpus.xml
_RESERVED_FOR = {"-vertical": "the vertical EPUB ({id}-vertical.epub)", "-kepub": "the Kobo edition ({id}-kepub)",
                 ".kepub": "the Kobo edition ({id}.kepub.epub)"}
RESERVED_SUFFIXES = tuple(_RESERVED_FOR)  # ("-vertical", "-kepub", ".kepub")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_SLUG = re.compile(r"[a-z][a-z0-9-]*")
# C0 (line breaks and tabs included), DEL, C1, and the Unicode line/paragraph separators
# (as pressout.config's control_character: not imported, to keep the reader's imports small).
_CONTROL = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"  # (compiled when first needed)
_CHECKS = 2  # the version of these checks, kept in what load_sidecar_known returns
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
        raise ConfigError(f"[{_where(where)}] {key} = {_shown(value)} is not allowed; use {allowed}")
    return value


def _where(where: str) -> str:
    """A table name as a message shows it: quoted when it is not plain text."""
    return where if where.isprintable() and where else repr(where)


def _shown(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut short: a message stays one line of reasonable length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _control(value: str, *, newlines: bool = False) -> str | None:
    """The first control character of ``value`` as ``U+000A``; None when it has none."""
    if value.isprintable():  # (no control character is printable; the usual case, and fast)
        return None
    for match in re.finditer(_CONTROL, value):
        if not (newlines and match.group() == "\n"):
            return f"U+{ord(match.group()):04X}"
    return None


def _text_checks(table: dict[str, Any], where: str) -> None:
    """Every string value: no control character (evidence: line feeds allowed), bounded."""
    for key, value in table.items():
        if not isinstance(value, str):
            continue
        char = _control(value, newlines=key == "evidence")
        if char:
            allowed = ("other control characters than line breaks are not allowed" if key == "evidence"
                       else "line breaks, tabs and other control characters are not allowed")
            raise ConfigError(f"[{_where(where)}] {key} contains a control character ({char}); {allowed}")
        limit = _LIMITS.get(key)
        if limit is not None and len(value) > limit:
            raise ConfigError(f"[{_where(where)}] {key} is {len(value)} characters long; at most {limit} are allowed")


_LIMITS = {"id": MAX_ID_LENGTH, "publication_slug": MAX_SLUG_LENGTH, "publication": MAX_PUBLICATION_LENGTH}


def _reserved(ident: str) -> str | None:
    lower = ident.lower()
    if lower in RESERVED_IDS:
        return f"it is reserved: the build writes tei/{lower}.xml"
    for suffix, what in _RESERVED_FOR.items():
        if lower.endswith(suffix):
            return f"an id ending in {suffix} is reserved for {what}"
    return None


def id_problem(ident: str) -> str | None:
    """What is wrong with ``ident`` as an issue id, None when nothing is.

    An id must be an ASCII XML name (NCName: letters, digits, ``-`` ``_`` ``.``, not
    starting with a digit, ``-`` or ``.``) of at most ``MAX_ID_LENGTH`` characters, and not
    reserved (``RESERVED_IDS``, or ending with one of ``RESERVED_SUFFIXES``, in any letter
    case). Every id ``issue_id`` derives passes."""
    if not isinstance(ident, str) or not _NCNAME.fullmatch(ident):
        return "it is not an ASCII XML name (letters, digits, - _ .; not starting with a digit, - or .)"
    if len(ident) > MAX_ID_LENGTH:
        return f"it is {len(ident)} characters long; at most {MAX_ID_LENGTH} are allowed"
    return _reserved(ident)


def meta_from_table(table: dict[str, Any], *, where: str, path: Path) -> IssueMeta:
    for key in table:
        if key not in _KNOWN_KEYS:
            raise ConfigError(
                f"[{_where(where)}] unknown key {key!r}; allowed keys: {', '.join(sorted(_KNOWN_KEYS))}", path=path
            )
    try:
        _text_checks(table, where)
        date: Any = table.get("date")
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
                isinstance(slug, str) and bool(_SLUG.fullmatch(slug)),
                "lowercase ASCII letters, digits and -, starting with a letter (e.g. tyrb)",
            )
        pub = table.get("publication")
        if pub is not None:
            _check(pub, "publication", where, isinstance(pub, str) and bool(pub.strip()), "a non-empty name")
        ident = table.get("id")
        if ident is not None:
            problem = id_problem(ident)
            if problem:
                raise ConfigError(f"[{_where(where)}] id = {_shown(ident)} is not allowed: {problem}")
        evidence = table.get("evidence")
        if evidence is not None:
            _check(evidence, "evidence", where, isinstance(evidence, str), "a string")
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path) from None
    if date is None and cert is not None:
        raise ConfigError(f"[{_where(where)}] date_cert is given without a date", path=path)
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
        "checks": _CHECKS,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "defaults": _meta_to_list(sidecar.defaults),
        "pages": {name: _meta_to_list(meta) for name, meta in sidecar.pages.items()},
    }


_TABLE_FIRST = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*\[")


def _appended(path: Path, data: bytes, known: dict[str, Any]) -> Sidecar | None:
    try:
        if known["checks"] != _CHECKS:
            return None  # made before today's checks: what it accepted is not known to pass them
        size = known["size"]
        if not (len(data) >= size and (size == 0 or data[size - 1 : size] == b"\n")
                and hashlib.sha256(data[:size]).hexdigest() == known["sha256"]):
            return None
        defaults = _meta_from_list(known["defaults"])
        pages = {name: _meta_from_list(meta) for name, meta in known["pages"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
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
            raise ConfigError(f'{name!r} must be a table: [{_shown(name)}]', path=path)
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


_FILENAME_DATE_PAGE_ITEM = re.compile(r"(?:19|20)\d{6}-(?P<page>\d{2})-(?P<item>\d{2})")


def page_from_filename(name: str) -> int | None:
    """The page of a file named exactly ``YYYYMMDD-PP-NN`` (date, page, item), with a
    valid date and a page from 01: ``20190201-05-03.txt`` → 5. Any other name: None."""
    stem = Path(name).stem
    m = _FILENAME_DATE_PAGE_ITEM.fullmatch(stem)
    if m is None or int(m.group("page")) == 0 or date_from_filename(stem) is None:
        return None
    return int(m.group("page"))


def issue_id(slug: str, meta: IssueMeta, source_name: str, sha256: str, *, per_file: bool = False) -> str:
    """The page's issue id: the metadata's ``id``, else one derived from the slug and the
    date (or the file stem), bounded and not reserved (see the module's docstring).
    ``per_file``: a dated dump's id names its file too (``{slug}-{date}-a-{stem}``): a
    day's news comes as several dumps (an RSS file and its JSON twin, one Markdown file
    per article), each an issue of its own."""
    if meta.id:
        return meta.id
    stem = _ascii_slug(Path(source_name).stem) or sha256[:12]
    if meta.date is not None:
        ident = f"{slug}-{meta.date.isoformat()}-{meta.edition or 'a'}"
        ident += f"-p{meta.page:04d}" if meta.page else ""
        # A per-article file (YYYYMMDD-PP-NN) holds one item of the page: its number too,
        # so a page's items are as many issues, not one id claimed by each of them.
        item = _FILENAME_DATE_PAGE_ITEM.fullmatch(Path(source_name).stem)
        if item is not None and page_from_filename(source_name) == meta.page:
            ident += f"-n{item.group('item')}"
        elif per_file:  # (the whole name: rmrb_20260704.json and .html are two dumps)
            ident += f"-{_ascii_slug(Path(source_name).name) or stem}"
    else:
        ident = f"{slug}-{stem}"
    return _derived(ident)


def _ascii_slug(name: str) -> str:
    """``name`` lower-cased with each run of other characters than ``a-z0-9`` as ``-``;
    "" when the name is not ASCII (its slug would say nothing) or leaves nothing."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") if name.isascii() else ""


_HASHED = 10  # hex digits of the hash that ends a cut id


def _derived(ident: str) -> str:
    if _reserved(ident):
        ident += "_"
    if len(ident) > MAX_ID_LENGTH:
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:_HASHED]
        ident = f"{ident[: MAX_ID_LENGTH - _HASHED - 1].rstrip('-_.')}-{digest}"
    return ident
