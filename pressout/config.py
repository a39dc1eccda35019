"""``pressout.toml``: the build's settings, checked key by key.

Every key is optional; ``pressout init`` writes a commented starter file (``STARTER``).
A bad value is a ConfigError naming the file, the key and what is allowed. Paths in the
file (sources, output, styles, schemas) are relative to the file's folder. The issue
metadata of each page (its date, page number …) lives in the sidecar ``issues.toml`` beside
the pages instead (see ``pressout.read.meta``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["CONFIG_NAME", "STARTER", "Config", "load_config"]

CONFIG_NAME = "pressout.toml"
LANGUAGES = ("zh-CN", "zh-SG")  # Simplified Chinese pages: what the reader's rules know
TIMEZONES = ("Asia/Shanghai",)  # dates are Beijing dates; see pressout.timestamps


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None  # the file it came from, if any
    publication: str | None = None  # None: the sidecar's or the reader's default (太原日报)
    publication_slug: str | None = None
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    base_url: str = "http://127.0.0.1:8000/"
    site_title: str | None = None
    feed_size: int = 50
    tag_authority: str | None = None
    vertical: bool = False  # also write the vertical (竖排) EPUB edition (opt-in, as --vertical)
    keep_breaks: bool = True  # TEI: keep rejoined page/column breaks as <cb break="no"/>
    sources: tuple[str, ...] = ("seeds",)
    output: str = "dist"
    jobs: int = 0  # 0: one per core
    styles: str | None = None  # a folder whose CSS files replace the shipped ones
    tei_schema: str | None = None  # tei_all.rng, for `pressout validate`
    atom_schema: str | None = None  # atom-rfc4287.rng, for `pressout validate`
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def fingerprint(self) -> str:
        """What changes every output when it changes (for the incremental build)."""
        keys = ("publication", "publication_slug", "language", "timezone", "base_url", "site_title",
                "feed_size", "tag_authority", "vertical", "keep_breaks", "styles")
        return repr([(k, getattr(self, k)) for k in keys])


# table -> key -> (Config field, check, allowed-values text)
def _str(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _int_from(low: int):
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


_SCHEMA: dict[str, dict[str, tuple[str, Any, str]]] = {
    "publication": {
        "name": ("publication", _str, "a non-empty string"),
        "slug": ("publication_slug", lambda v: isinstance(v, str) and bool(re.fullmatch(r"[a-z][a-z0-9-]*", v)),
                 "lowercase ASCII letters, digits and -, starting with a letter (e.g. tyrb)"),
        "language": ("language", lambda v: v in LANGUAGES, " | ".join(LANGUAGES)),
        "timezone": ("timezone", lambda v: v in TIMEZONES, " | ".join(TIMEZONES)),
    },
    "site": {
        "base_url": ("base_url", lambda v: isinstance(v, str) and bool(re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", v)),
                     "an absolute http(s) URL such as http://127.0.0.1:8000/"),
        "title": ("site_title", _str, "a non-empty string"),
        "feed_size": ("feed_size", _int_from(1), "a whole number ≥ 1"),
        "tag_authority": ("tag_authority", lambda v: isinstance(v, str) and bool(re.fullmatch(r"[A-Za-z0-9.@_%+-]+", v)),
                          "a domain name or e-mail address you control (RFC 4151)"),
    },
    "epub": {
        "vertical": ("vertical", lambda v: isinstance(v, bool), "true | false"),
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
        "styles": ("styles", _str, "a folder of CSS files"),
    },
}


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
            raise ConfigError(f"unknown table [{table}]; allowed: {tables}", path=path)
        for key, value in content.items():
            spec = keys.get(key)
            if spec is None:
                raise ConfigError(f"[{table}] unknown key {key!r}; allowed: {', '.join(keys)}", path=path)
            attr, check, allowed = spec
            if not check(value):
                raise ConfigError(f"[{table}] {key} = {value!r} is not allowed; use {allowed}", path=path)
            values[attr] = tuple(value) if isinstance(value, list) else value
    base = values.get("base_url")
    if base and not base.endswith("/"):
        values["base_url"] = base + "/"
    # Paths in the file are relative to the file, not to wherever pressout is run from.
    for attr in _PATHS:
        if attr in values:
            values[attr] = _relative_to(path.parent, values[attr])
    return Config(**values)


_PATHS = ("sources", "output", "styles", "tei_schema", "atom_schema")


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
language = "zh-CN"          # zh-CN | zh-SG
timezone = "Asia/Shanghai"  # issue dates are Beijing dates

[site]
base_url = "http://127.0.0.1:8000/"   # where the web edition and feeds are served
# title = "太原日报"
feed_size = 50              # entries in each subscription feed; older ones go to archives
# tag_authority = "example.org"  # domain in the feeds' tag: ids; keep it when the site moves

[epub]
vertical = false            # true: also write the vertical (竖排) edition of every issue

[tei]
keep_breaks = true          # keep rejoined line breaks as <cb break="no"/> (exact round trip)
# schema = "../shared/schemas/tei_all.rng"   # used by `pressout validate`

[feeds]
# atom_schema = "../shared/schemas/atom-rfc4287.rng"   # used by `pressout validate`

[build]
sources = ["seeds"]
output = "dist"
jobs = 0                    # parallel workers; 0: one per core
# styles = "my-styles"      # a folder whose .css files replace the shipped ones
'''
