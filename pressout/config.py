"""``pressout.toml``: the build's settings, checked key by key.

Every key is optional; ``pressout init`` writes a commented starter file (``STARTER``).
A bad value is a ConfigError naming the file, the key and what is allowed. Paths in the
file (sources, output, styles, schemas) are relative to the file's folder. The issue
metadata of each page (its date, page number …) lives in the sidecar ``issues.toml`` beside
the pages instead (see ``pressout.read.meta``).

What every value must be, besides its key's own rule:

* **One line of text.** A string value (and each string of a list) must hold no control
  character: none of C0 (U+0000–U+001F, so no line break and no tab), DEL, C1
  (U+0080–U+009F), nor the line and paragraph separators U+2028/U+2029. They would end
  up in feed links, XML names and file names; the error names the character.
* **Bounded.** ``[publication] slug`` at most 100 characters, ``[publication] name`` and
  ``[site] title`` at most 200, ``[site] tag_authority`` 254, ``[site] base_url`` 2000.
* **Checked whole.** Every pattern must match the whole value (``re.fullmatch``): a
  trailing line break does not slip past ``$``.

``[site] base_url`` is checked by ``check_base_url`` (the CLI's ``--base-url`` too): an
absolute ``http``/``https`` URL with an ASCII host (a domain name, an internationalised
one in its ``xn--`` form; an IPv4 address; a bracketed IPv6 address) and an optional port,
no user name or password, no query (``?``) or fragment (``#``), no whitespace, no
``.``/``..`` path segments and only well-formed ``%XX`` escapes; it is given back ending
with ``/``. ``[site] tag_authority`` is checked by ``check_tag_authority``: a domain name
or e-mail address as RFC 4151 spells them (ASCII).

``[publication] language`` is the BCP 47 tag of every issue's text. Left out (the default),
each page's tag follows its script (``pressout.read.script``: ``zh-CN`` for Simplified,
``zh-Hant``, ``zh-TW``, ``zh-HK`` … for Traditional, the paper's region where known). When
given, it must be one of ``LANGUAGES`` (``zh-CN``, ``zh-SG``, ``zh-MY``, ``zh-TW``, ``zh-HK``,
``zh-MO``, ``zh-Hans``, ``zh-Hant``; in any case, kept as spelt there) and every issue takes
it, whatever its text's script: the desk's word wins.

Two keys the build's safety rests on:

* ``[build] max_page_bytes`` (a whole number ≥ 1024, default 64 MiB = 67108864): a page
  file larger than this is refused instead of read.
* ``[publication] utc_offset`` (``+HH:MM`` or ``-HH:MM``, at most 14:00 either way, not
  ``-00:00``; default ``+08:00``, Beijing time): the fixed offset every date in the feeds
  carries, whatever the year (no historical local mean time, no daylight saving time).
  It is part of ``Config.fingerprint()``; ``utc_offset_timezone`` turns it into a
  ``datetime.timezone``.

``[publication] time`` (``HH:MM``, 00:00 to 23:00; default ``08:00``) is the time of day,
at ``utc_offset``, every issue is dated at in the feeds (``pressout.timestamps.parse_time``):
08:00 at +08:00 is 00:00 UTC, so a reader in UTC sees the paper's own date. Its feed
entries take the hour from then on, so it is 23:00 at the latest. It is part of
``Config.fingerprint()`` too.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_MAX_PAGE_BYTES",
    "STARTER",
    "Config",
    "check_base_url",
    "check_tag_authority",
    "check_time",
    "check_utc_offset",
    "control_character",
    "load_config",
    "utc_offset_timezone",
]

CONFIG_NAME = "pressout.toml"
# [publication] language: the tags of Chinese an issue may be given (None, the default: the
# tag the reader gives each page, after its script and the paper's region).
LANGUAGES = ("zh-CN", "zh-SG", "zh-MY", "zh-TW", "zh-HK", "zh-MO", "zh-Hans", "zh-Hant")
_LANGUAGE_TAGS = {tag.lower(): tag for tag in LANGUAGES}  # BCP 47 tags are case-insensitive
TIMEZONES = ("Asia/Shanghai",)  # dates are Beijing dates; see pressout.timestamps
DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024
# C0 (line breaks and tabs included), DEL, C1, and the Unicode line/paragraph separators.
# (Patterns are compiled when first used, by re's cache: ``import pressout.config`` stays cheap.)
_CONTROL = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None  # the file it came from, if any
    publication: str | None = None  # None: the sidecar's or the reader's default (太原日报)
    publication_slug: str | None = None
    language: str | None = None  # None: each page's own tag (its script's); else every issue's
    timezone: str = "Asia/Shanghai"
    utc_offset: str = "+08:00"  # the feeds' fixed offset from UTC, [+-]HH:MM
    time: str = "08:00"  # the time of day (at utc_offset) an issue is dated at, HH:MM
    base_url: str = "http://127.0.0.1:8000/"
    site_title: str | None = None
    feed_size: int = 50
    tag_authority: str | None = None
    websub_hub: str | None = None  # a WebSub hub every subscription feed names (rel="hub")
    vertical: bool = False  # also write the vertical (竖排) EPUB edition (opt-in, as --vertical)
    covers: bool = True  # cover images (pressout.export.cover)
    kobo: bool = False  # also write the Kobo edition, epub/{id}.kepub.epub (pressout.export.kepub)
    keep_breaks: bool = True  # TEI: keep rejoined page/column breaks as <cb break="no"/>
    sources: tuple[str, ...] = ("seeds",)
    output: str = "dist"
    jobs: int = 0  # 0: one per core
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES  # a larger page file is refused
    # "auto": files that each hold one article of a paper's day are gathered into that
    # day's issue (pressout.read.gather); "file": one issue per source file.
    group: str = "auto"
    styles: str | None = None  # a folder whose CSS files replace the shipped ones
    tei_schema: str | None = None  # tei_all.rng, for `pressout validate`
    atom_schema: str | None = None  # atom-rfc4287.rng, for `pressout validate`
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def fingerprint(self) -> str:
        """What changes every output when it changes (for the incremental build)."""
        keys = ("publication", "publication_slug", "language", "timezone", "utc_offset", "time", "base_url",
                "site_title", "feed_size", "tag_authority", "websub_hub", "vertical", "covers", "kobo", "keep_breaks",
                "styles", "group")
        return repr([(k, getattr(self, k)) for k in keys])


def control_character(value: str, *, newlines: bool = False) -> str | None:
    """The first control character of ``value`` as ``U+000A``, None when it has none.

    ``newlines=True`` lets line feeds (U+000A) through: for free text such as evidence."""
    if value.isprintable():  # (no control character is printable)
        return None
    for match in re.finditer(_CONTROL, value):
        if not (newlines and match.group() == "\n"):
            return f"U+{ord(match.group()):04X}"
    return None


def _shown(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut short: a message stays one line of reasonable length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(key: str) -> str:
    """A table or key name as a message shows it: quoted when it is not plain text."""
    return key if key.isprintable() and key.strip() == key and key else repr(key)


_BASE_URL_ALLOWED = "an absolute http(s) URL such as http://127.0.0.1:8000/"
_BASE_URL_SHAPE = r"https?://[^/?#]+(?:/[^?#]*)?"
_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::[0-9]{1,5})?"
_NOT_IN_URLS = frozenset('<>"\\^`{|}')
_BAD_PERCENT = r"%(?![0-9A-Fa-f]{2})"
_MAX_BASE_URL = 2000


def _base_url_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a base URL, None when nothing is."""
    if not isinstance(value, str):
        return "it is not a string"
    if not value:
        return "it is empty"
    char = control_character(value)
    if char:
        return f"it contains a control character ({char})"
    if any(c.isspace() for c in value):
        return "it contains whitespace"
    if len(value) > _MAX_BASE_URL:
        return f"it is longer than {_MAX_BASE_URL} characters"
    odd = sorted({c for c in value if c in _NOT_IN_URLS})
    if odd:
        return f"it contains {' '.join(odd)}, which a URL cannot hold unescaped"
    if not value.startswith(("http://", "https://")):
        return "the scheme must be http:// or https://"
    if "?" in value or "#" in value:
        return "it has a query or fragment (? or #)"
    from urllib.parse import urlsplit  # (cheap, and loaded at start-up already)

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        why = str(exc) or "it cannot be parsed"
        return why[:1].lower() + why[1:]
    if "@" in parts.netloc:
        return "it has a user name or password"
    if not parts.hostname:
        return "it has no host"
    if not parts.netloc.isascii():  # (the feeds' tag: ids are made of it: RFC 4151 wants ASCII)
        return "its host is not ASCII: write an internationalised domain name in its xn-- form"
    if not re.fullmatch(_HOST, parts.netloc) or not re.fullmatch(_BASE_URL_SHAPE, value):
        return f"the host {_shown(parts.netloc)} is not a domain name or IP address with an optional port"
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return "its path has . or .. segments"
    if re.search(_BAD_PERCENT, value):
        return "it has a % that is not followed by two hexadecimal digits"
    return None


def check_base_url(value: str, *, what: str = "base_url") -> str:
    """``value`` checked as the URL the output is served at, and ending with ``/``.

    Raises ConfigError, one line: ``{what} = 'value' is not allowed: <why>; use …`` (``what``
    names the setting: ``[site] base_url`` for the file, ``--base-url`` for the CLI). The
    error has no path: load_config adds the file's."""
    problem = _base_url_problem(value)
    if problem:
        raise ConfigError(f"{what} = {_shown(value)} is not allowed: {problem}; use {_BASE_URL_ALLOWED}")
    return value if value.endswith("/") else value + "/"


_TAG_AUTHORITY_ALLOWED = "a domain name or e-mail address you control (RFC 4151)"
_DNS_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
_TAG_AUTHORITY = rf"(?:[A-Za-z0-9._-]+@)?{_DNS_NAME}"  # RFC 4151's authorityName
_MAX_TAG_AUTHORITY = 254


def _tag_authority_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "it is not a string"
    char = control_character(value)
    if char:
        return f"it contains a control character ({char})"
    if len(value) > _MAX_TAG_AUTHORITY:
        return f"it is longer than {_MAX_TAG_AUTHORITY} characters"
    if not re.fullmatch(_TAG_AUTHORITY, value):
        return "it is not a domain name (example.org) or e-mail address (desk@example.org)"
    return None


def check_tag_authority(value: str, *, what: str = "tag_authority") -> str:
    """``value`` checked as the authority of the feeds' ``tag:`` ids (RFC 4151: a domain
    name or an e-mail address, ASCII); raises ConfigError like ``check_base_url``."""
    problem = _tag_authority_problem(value)
    if problem:
        raise ConfigError(f"{what} = {_shown(value)} is not allowed: {problem}; use {_TAG_AUTHORITY_ALLOWED}")
    return value


def _is_utc_offset(value: object) -> bool:
    if not isinstance(value, str):  # (a list or table would not even reach the cache's hash)
        return False
    try:
        utc_offset_timezone(value)
    except ConfigError:
        return False
    return True


def check_utc_offset(value: str, *, what: str = "utc_offset") -> str:
    """``value`` checked as a fixed offset from UTC (``pressout.timestamps.parse_utc_offset``);
    raises ConfigError like ``check_base_url``."""
    utc_offset_timezone(value, what=what)
    return value


def utc_offset_timezone(value: str, *, what: str = "utc_offset") -> dt.timezone:
    """The ``datetime.timezone`` of an offset such as ``+08:00`` (ConfigError if it is not one)."""
    from .timestamps import OFFSET_ALLOWED, parse_utc_offset

    try:
        return parse_utc_offset(value)
    except ValueError:
        raise ConfigError(f"{what} = {_shown(value)} is not allowed; use {OFFSET_ALLOWED}") from None


def _is_time(value: object) -> bool:
    from .timestamps import parse_time

    if not isinstance(value, str):
        return False
    try:
        parse_time(value)
    except ValueError:
        return False
    return True


def check_time(value: str, *, what: str = "time") -> str:
    """``value`` checked as a time of day an issue is dated at (``HH:MM``, 00:00 to 23:00:
    ``pressout.timestamps.parse_time``); raises ConfigError like ``check_base_url``."""
    from .timestamps import TIME_ALLOWED

    if not _is_time(value):
        raise ConfigError(f"{what} = {_shown(value)} is not allowed; use {TIME_ALLOWED}")
    return value


# table -> key -> (Config field, check, allowed-values text). A check returns True when
# the value is allowed; False, or a string saying why not, when it is not.
def _str(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _int_from(low: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


def _why(problem: Callable[[Any], str | None]) -> Callable[[Any], bool | str]:
    return lambda v: problem(v) or True


_SLUG = r"[a-z][a-z0-9-]*"

_SCHEMA: dict[str, dict[str, tuple[str, Any, str]]] = {
    "publication": {
        "name": ("publication", _str, "a non-empty string"),
        "slug": ("publication_slug", lambda v: isinstance(v, str) and bool(re.fullmatch(_SLUG, v)),
                 "lowercase ASCII letters, digits and -, starting with a letter (e.g. tyrb)"),
        "language": ("language", lambda v: isinstance(v, str) and v.lower() in _LANGUAGE_TAGS,
                     " | ".join(LANGUAGES) + ", or leave it out to take each page's tag from its text"),
        "timezone": ("timezone", lambda v: v in TIMEZONES, " | ".join(TIMEZONES)),
        "utc_offset": ("utc_offset", _is_utc_offset, "+HH:MM or -HH:MM, at most 14:00 either way, e.g. +08:00"),
        "time": ("time", _is_time, 'a quoted "HH:MM" from 00:00 to 23:00, e.g. "08:00" (00:00 UTC at +08:00)'),
    },
    "site": {
        "base_url": ("base_url", _why(_base_url_problem), _BASE_URL_ALLOWED),
        "title": ("site_title", _str, "a non-empty string"),
        "feed_size": ("feed_size", _int_from(1), "a whole number ≥ 1"),
        "tag_authority": ("tag_authority", _why(_tag_authority_problem), _TAG_AUTHORITY_ALLOWED),
        "websub_hub": ("websub_hub", _why(_base_url_problem),
                       "the absolute http(s) URL of a WebSub hub, e.g. https://pubsubhubbub.appspot.com/"),
    },
    "epub": {
        "vertical": ("vertical", lambda v: isinstance(v, bool), "true | false"),
        "covers": ("covers", lambda v: isinstance(v, bool), "true | false"),
        "kobo": ("kobo", lambda v: isinstance(v, bool), "true | false"),
    },
    "tei": {
        "keep_breaks": ("keep_breaks", lambda v: isinstance(v, bool), "true | false"),
        "schema": ("tei_schema", _str, "a path to tei_all.rng"),
    },
    "feeds": {
        "atom_schema": ("atom_schema", _str, "a path to atom-rfc4287.rng"),
    },
    "build": {
        "sources": ("sources", lambda v: isinstance(v, list) and v and all(_str(s) for s in v),
                    "a list of files or folders, e.g. [\"seeds\"]"),
        "output": ("output", _str, "a folder path, e.g. \"dist\""),
        "jobs": ("jobs", _int_from(0), "a whole number ≥ 0 (0: one per core)"),
        "max_page_bytes": ("max_page_bytes", _int_from(1024),
                           f"a whole number of bytes ≥ 1024 (default {DEFAULT_MAX_PAGE_BYTES})"),
        "styles": ("styles", _str, "a folder of CSS files"),
        "group": ("group", lambda v: v in ("auto", "file"),
                  "auto (gather one-article files into their day's issue) | file (one issue per file)"),
    },
}
# The longest value a key may have (in characters); the rest are bounded by their rule.
_MAX_LENGTH = {("publication", "slug"): 100, ("publication", "name"): 200, ("site", "title"): 200}


def _value_problem(table: str, key: str, value: Any) -> str | None:
    """A control character or an over-long string in any value (its own rule comes after)."""
    strings = value if isinstance(value, list) else [value]
    for item in strings:
        if isinstance(item, str):
            char = control_character(item)
            if char:
                where = f" in {_shown(item)}" if isinstance(value, list) else ""
                return (f"[{table}] {key} contains a control character ({char}){where}; "
                        "line breaks, tabs and other control characters are not allowed")
    limit = _MAX_LENGTH.get((table, key))
    if limit is not None and isinstance(value, str) and len(value) > limit:
        return f"[{table}] {key} is {len(value)} characters long; at most {limit} are allowed"
    return None


def load_config(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Config:
    """Read ``path`` (default: ./pressout.toml when present); no file gives the defaults."""
    if path is None:
        candidate = Path(CONFIG_NAME)
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ConfigError("configuration file not found", path=path) from None
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None

    tables = ", ".join(f"[{t}]" for t in _SCHEMA)
    values: dict[str, Any] = {"path": path}
    for table, content in data.items():
        keys = _SCHEMA.get(table)
        if not isinstance(content, dict):
            # A key outside any table: say where it belongs, if it belongs anywhere.
            home = [t for t, k in _SCHEMA.items() if table in k]
            hint = f"; put it under [{home[0]}]" if home else ""
            what = f"[{table}] must be a table" if keys is not None else f"key {table!r} is outside a table"
            raise ConfigError(f"{what}{hint}; allowed tables: {tables}", path=path)
        if keys is None:
            from .export.registry import registered_sections  # a format's own table

            own = registered_sections().get(table)
            if own is None:
                raise ConfigError(f"unknown table [{_name(table)}]; allowed: {tables}", path=path)
            values.setdefault("extra", {})[table] = _format_table(table, content, own, path)
            continue
        for key, value in content.items():
            attr, check, allowed = _spec(table, key, keys, path)
            _check_value(table, key, value, check, allowed, path)
            values[attr] = tuple(value) if isinstance(value, list) else value
    if "language" in values:
        values["language"] = _LANGUAGE_TAGS[values["language"].lower()]
    base = values.get("base_url")
    if base and not base.endswith("/"):
        values["base_url"] = base + "/"
    # Paths in the file are relative to the file, not to wherever pressout is run from.
    for attr in _PATHS:
        if attr in values:
            values[attr] = _relative_to(path.parent, values[attr])
    return Config(**values)


_PATHS = ("sources", "output", "styles", "tei_schema", "atom_schema")


def _format_table(table: str, content: dict[str, Any], keys: Any, path: Path) -> dict[str, Any]:
    """The table of a registered output format (``Exporter.keys``: key -> (check, allowed)),
    checked as the built-in tables are."""
    checked: dict[str, Any] = {}
    for key, value in content.items():
        check, allowed = _spec(table, key, keys, path)
        _check_value(table, key, value, check, allowed, path)
        checked[key] = value
    return checked


def _spec(table: str, key: str, keys: Any, path: Path) -> Any:
    spec = keys.get(key)
    if spec is None:
        raise ConfigError(f"[{table}] unknown key {key!r}; allowed: {', '.join(keys)}", path=path)
    return spec


def _check_value(table: str, key: str, value: Any, check: Callable[[Any], bool | str], allowed: str,
                 path: Path) -> None:
    """A value of ``[table] key``: one line, not too long, and as its rule says (``check``
    gives True, or False or why not)."""
    problem = _value_problem(table, key, value)
    if problem:
        raise ConfigError(problem, path=path)
    verdict = check(value)
    if isinstance(verdict, str) or not verdict:
        why = f": {verdict}" if isinstance(verdict, str) else ""
        raise ConfigError(f"[{table}] {key} = {_shown(value)} is not allowed{why}; use {allowed}", path=path)


def _relative_to(folder: Path, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(str(folder / v) for v in value)  # an absolute v stays as it is
    return str(folder / value)


STARTER = '''\
# pressout.toml: settings for `pressout build`. Every key is optional; the values shown
# are the defaults. Per-page facts (date, page number) go in issues.toml beside the pages.

[publication]
# name = "太原日报"          # default: the pages' issues.toml, else 太原日报
# slug = "tyrb"             # ASCII short name used in ids and tag: URIs
# language = "zh-TW"        # default: each page's tag follows its script (zh-CN Simplified,
                            # zh-Hant/zh-TW/zh-HK Traditional); set, every issue gets it:
                            # zh-CN | zh-SG | zh-MY | zh-TW | zh-HK | zh-MO | zh-Hans | zh-Hant
timezone = "Asia/Shanghai"  # issue dates are Beijing dates
utc_offset = "+08:00"       # the fixed offset of every date in the feeds ([+-]HH:MM, any year)
time = "08:00"              # the time of day (at utc_offset) each issue is dated at in the
                            # feeds: 08:00 at +08:00 is 00:00 UTC (HH:MM, 00:00 to 23:00)

[site]
base_url = "http://127.0.0.1:8000/"   # where the web edition and feeds are served
# title = "太原日报"
feed_size = 50              # entries in each subscription feed; older ones go to archives
# tag_authority = "example.org"  # domain in the feeds' tag: ids; keep it when the site moves
# websub_hub = "https://pubsubhubbub.appspot.com/"  # WebSub: every feed names this hub;
                            # after each build, `pressout ping` tells it which feeds changed

[epub]
vertical = false            # true: also write the vertical (竖排) edition of every issue
covers = true               # cover images (covers/, and each EPUB's); false: about 6 ms an issue faster
kobo = false                # true: also write the Kobo edition (epub/{id}.kepub.epub: the same
                            # book with Kobo's sentence spans, for reading position and highlights)

[tei]
keep_breaks = true          # keep rejoined line breaks as <cb break="no"/> (exact round trip)
# schema = "../shared/schemas/tei_all.rng"   # used by `pressout validate`

[feeds]
# atom_schema = "../shared/schemas/atom-rfc4287.rng"   # used by `pressout validate`

[build]
sources = ["seeds"]
output = "dist"
jobs = 0                    # parallel workers; 0: one per core
max_page_bytes = 67108864   # a page file larger than this (64 MiB) is refused; at least 1024
group = "auto"              # gather one-article files into their day's issue; "file": one issue per file
# styles = "my-styles"      # a folder whose .css files replace the shipped ones
'''
