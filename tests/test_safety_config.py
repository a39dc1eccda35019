"""Configuration and issue metadata that cannot break a build, and a server that cannot be
made to print a traceback (issue 13: defects 7, 8 and 9).

* ``pressout.toml`` and ``issues.toml``: every value is checked whole (a trailing line
  break does not pass), no string holds a control character (``evidence`` may hold line
  feeds), lengths are bounded, and each problem is one ConfigError line naming the file
  and the key (exit 4, never blamed on a page);
* ``base_url`` (and ``tag_authority``) are checked by functions the CLI can call too;
* the new keys ``[build] max_page_bytes`` and ``[publication] utc_offset``;
* issue ids: reserved names (``corpus``, ``*-vertical``, ``*-kepub``) are refused, and a
  derived id is bounded and never reserved;
* ``pressout serve``: odd request paths get 400/404, quietly, and never leave the folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from waiting import DEADLINE, Watched  # tests/ is on sys.path

from pressout.config import (
    CONFIG_NAME,
    DEFAULT_MAX_PAGE_BYTES,
    STARTER,
    Config,
    check_base_url,
    check_tag_authority,
    check_utc_offset,
    control_character,
    load_config,
    utc_offset_timezone,
)
from pressout.errors import ConfigError
from pressout.read import meta
from pressout.read.meta import (
    MAX_ID_LENGTH,
    RESERVED_IDS,
    RESERVED_SUFFIXES,
    IssueMeta,
    id_problem,
    issue_id,
    load_sidecar,
    load_sidecar_known,
)
from pressout.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
A_PAGE = SEEDS / "004_e799359604fa2b7c.txt"


def pressout(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pressout.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=DEADLINE)


def config_error(tmp_path: Path, content: str) -> str:
    path = tmp_path / CONFIG_NAME
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and "\r" not in message
    return message


# --- pressout.toml: control characters, trailing line breaks, lengths ------------------------

CONTROL = [
    # (the TOML text of a value, the key as the message names it, the character)
    ('[publication]\nname = "太原\\n日报"\n', "[publication] name", "U+000A"),
    ('[publication]\nname = "太原\\u0001日报"\n', "[publication] name", "U+0001"),
    ('[publication]\nname = "太原\\u2028日报"\n', "[publication] name", "U+2028"),
    ('[publication]\nname = "太原\\u0085日报"\n', "[publication] name", "U+0085"),
    ('[site]\ntitle = "a\\nb"\n', "[site] title", "U+000A"),
    ('[site]\ntitle = "a\\tb"\n', "[site] title", "U+0009"),
    ('[site]\ntitle = "a\\u007fb"\n', "[site] title", "U+007F"),
    ('[site]\ntitle = "a\\u2029"\n', "[site] title", "U+2029"),
    ('[publication]\nslug = "tyrb\\n"\n', "[publication] slug", "U+000A"),
    ('[site]\nbase_url = "http://example.org/\\n"\n', "[site] base_url", "U+000A"),
    ('[site]\nbase_url = "http://example.org/news\\r"\n', "[site] base_url", "U+000D"),
    ('[site]\ntag_authority = "example.org\\n"\n', "[site] tag_authority", "U+000A"),
    ('[build]\noutput = "dist\\n"\n', "[build] output", "U+000A"),
    ('[build]\nsources = ["seeds", "more\\tpages"]\n', "[build] sources", "U+0009"),
]


@pytest.mark.parametrize("content, key, char", CONTROL, ids=[f"control{n}" for n in range(len(CONTROL))])
def test_control_characters_are_config_errors(tmp_path: Path, content: str, key: str, char: str) -> None:
    message = config_error(tmp_path, content)
    assert f"{key} contains a control character ({char})" in message, message


def test_control_characters_in_names_exit_4_naming_the_file_and_key(tmp_path: Path) -> None:
    """Not blamed on a page (exit 3) nor built (exit 0): the configuration's error, exit 4."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    for content, needle in [
        ('[publication]\nname = "太原\\u0001日报"\n', "[publication] name contains a control character (U+0001)"),
        ('[site]\ntitle = "太原\\n日报"\n', "[site] title contains a control character (U+000A)"),
    ]:
        (tmp_path / CONFIG_NAME).write_text(content, encoding="utf-8")
        result = pressout("build", "-q", cwd=tmp_path)
        assert result.returncode == 4, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"pressout: error: {CONFIG_NAME}: {needle}; "), lines
        assert not (tmp_path / "dist").exists()


LENGTHS = [
    ("publication", "name", "名", 200),
    ("site", "title", "题", 200),
    ("publication", "slug", "a", 100),
]


@pytest.mark.parametrize("table, key, char, limit", LENGTHS, ids=[f"{t}.{k}" for t, k, _, _ in LENGTHS])
def test_lengths_are_bounded(tmp_path: Path, table: str, key: str, char: str, limit: int) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(f'[{table}]\n{key} = "{char * limit}"\n', encoding="utf-8")
    load_config(path)  # the limit itself is allowed
    message = config_error(tmp_path, f'[{table}]\n{key} = "{char * (limit + 1)}"\n')
    assert f"[{table}] {key} is {limit + 1} characters long; at most {limit} are allowed" in message


def test_a_long_bad_value_is_shown_short(tmp_path: Path) -> None:
    message = config_error(tmp_path, f'[site]\nfeed_size = "{"9" * 5000}"\n')
    assert len(message) < len(str(tmp_path)) + 300 and "…" in message


def test_odd_table_names_stay_on_one_line(tmp_path: Path) -> None:
    message = config_error(tmp_path, '["a\\nb"]\nx = 1\n')
    assert "unknown table ['a\\nb']" in message


def test_control_character() -> None:
    assert control_character("太原日报 2024") is None
    assert control_character("a\u3000b") is None  # an ideographic space is text
    assert control_character("a\nb") == "U+000A"
    assert control_character("a\nb", newlines=True) is None
    assert control_character("a\n\tb", newlines=True) == "U+0009"
    assert control_character("\x9f") == "U+009F"


# --- base_url and tag_authority ----------------------------------------------------------------

GOOD_URLS = {
    "http://127.0.0.1:8000/": "http://127.0.0.1:8000/",
    "https://news.example.org": "https://news.example.org/",
    "https://news.example.org/tyrb": "https://news.example.org/tyrb/",
    "http://[::1]:8000/paper/": "http://[::1]:8000/paper/",
    "https://xn--fsqu00a.xn--fiqs8s/报纸": "https://xn--fsqu00a.xn--fiqs8s/报纸/",
    "https://example.org/a%20b/": "https://example.org/a%20b/",
}


@pytest.mark.parametrize("url", sorted(GOOD_URLS))
def test_check_base_url_normalises(url: str) -> None:
    assert check_base_url(url) == GOOD_URLS[url]


BAD_URLS = [
    ("http://[::1/", "invalid IPv6 URL"),
    ("https://例子.中国/报纸/", "xn-- form"),
    ("http://[zz]/", "is not allowed"),
    ("http://example.org/\n", "control character (U+000A)"),
    ("http://exa mple.org/", "whitespace"),
    ("http://example.org/\u3000", "whitespace"),
    ("ftp://example.org/", "http:// or https://"),
    ("/news/", "http:// or https://"),
    ("http://", "no host"),
    ("http:///news/", "no host"),
    ("http://example.org:99999/", "port"),
    ("http://example.org:port/", "port"),
    ("http://user:secret@example.org/", "user name or password"),
    ("http://example.org/?page=1", "query or fragment"),
    ("http://example.org/#top", "query or fragment"),
    ("http://example.org/a/../b/", ". or .. segments"),
    ("http://example.org/%zz/", "two hexadecimal digits"),
    ('http://example.org/"quoted"/', "cannot hold"),
    ("http://example.org/<b>/", "cannot hold"),
    ("http://exa_mple.org:80:80/", "is not allowed"),
    ("http://example.org/" + "a" * 2000, "longer than 2000"),
    ("", "empty"),
]


@pytest.mark.parametrize("url, why", BAD_URLS, ids=[f"url{n}" for n in range(len(BAD_URLS))])
def test_check_base_url_says_what_is_wrong(url: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(url, what="--base-url")
    message = str(caught.value)
    assert message.startswith("--base-url = ") and "\n" not in message
    assert why in message and "absolute http(s) URL" in message, message


def test_a_bad_base_url_in_the_file_is_one_line_exit_4(tmp_path: Path) -> None:
    """Not a ValueError traceback from urllib once the feeds are written (defect 7)."""
    message = config_error(tmp_path, '[site]\nbase_url = "http://[::1/"\n')
    assert "[site] base_url = 'http://[::1/' is not allowed: invalid IPv6 URL; use an absolute http(s) URL" in message
    shutil.copytree(SEEDS, tmp_path / "seeds")
    result = pressout("build", "-q", cwd=tmp_path)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"pressout: error: {CONFIG_NAME}: [site] base_url = ") and \
        result.stderr.count("\n") == 1


def test_check_tag_authority() -> None:
    for good in ("example.org", "news.example.org", "desk@example.org", "a-b.example", "localhost"):
        assert check_tag_authority(good) == good
    for bad in ("-example.org", "example..org", "example.org.", "a b.org", "desk+tyrb@example.org",
                "例子.中国", "example.org/x", "a" * 255, "", "example.org\n"):
        with pytest.raises(ConfigError) as caught:
            check_tag_authority(bad, what="--tag-authority")
        assert str(caught.value).startswith("--tag-authority = ") and "RFC 4151" in str(caught.value)
        assert "\n" not in str(caught.value)


# --- the new keys: [build] max_page_bytes, [publication] utc_offset ---------------------------


def test_new_keys_defaults_and_starter(tmp_path: Path) -> None:
    config = Config()
    assert config.max_page_bytes == DEFAULT_MAX_PAGE_BYTES == 64 * 1024 * 1024
    assert config.utc_offset == "+08:00"
    assert "max_page_bytes = 67108864" in STARTER and 'utc_offset = "+08:00"' in STARTER
    path = tmp_path / CONFIG_NAME
    path.write_text(STARTER, encoding="utf-8")
    loaded = load_config(path)
    assert (loaded.max_page_bytes, loaded.utc_offset) == (DEFAULT_MAX_PAGE_BYTES, "+08:00")
    path.write_text('[publication]\nutc_offset = "-03:30"\n[build]\nmax_page_bytes = 1024\n', encoding="utf-8")
    config = load_config(path)
    assert config.utc_offset == "-03:30" and config.max_page_bytes == 1024


@pytest.mark.parametrize("value", ["+8:00", "08:00", "+08:00\n", "+08:60", "+14:01", "+15:00", "-00:00",
                                   "+0800", "UTC+8", "", 8])
def test_bad_utc_offsets(tmp_path: Path, value: object) -> None:
    shown = f'"{value}"'.replace("\n", "\\n") if isinstance(value, str) else str(value)
    message = config_error(tmp_path, f"[publication]\nutc_offset = {shown}\n")
    assert "[publication] utc_offset" in message and ("+HH:MM" in message or "control character" in message)
    if isinstance(value, str):
        with pytest.raises(ConfigError):
            check_utc_offset(value)


@pytest.mark.parametrize("value", [1023, 0, -1, True, "65536", 1.5e6])
def test_bad_max_page_bytes(tmp_path: Path, value: object) -> None:
    shown = f'"{value}"' if isinstance(value, str) else str(value).lower()
    message = config_error(tmp_path, f"[build]\nmax_page_bytes = {shown}\n")
    assert "[build] max_page_bytes" in message and "≥ 1024" in message


def test_utc_offset_timezone_and_fingerprint() -> None:
    assert utc_offset_timezone("+08:00") == dt.timezone(dt.timedelta(hours=8))
    assert utc_offset_timezone("-09:30") == dt.timezone(-dt.timedelta(hours=9, minutes=30))
    assert utc_offset_timezone("+14:00").utcoffset(None) == dt.timedelta(hours=14)
    assert check_utc_offset("+05:45") == "+05:45"
    with pytest.raises(ConfigError):
        utc_offset_timezone("+25:00")
    # The feeds' dates change with it: every output is made again.
    assert Config(utc_offset="+09:00").fingerprint() != Config().fingerprint()
    # The page size limit changes no output.
    assert Config(max_page_bytes=4096).fingerprint() == Config().fingerprint()


# --- issues.toml: the same rules, and reserved ids --------------------------------------------


def sidecar_error(tmp_path: Path, table: str) -> str:
    path = tmp_path / "issues.toml"
    path.write_text(f'[defaults]\npublication_slug = "tyrb"\n\n["a.txt"]\ndate = 2021-12-10\n{table}',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sidecar(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


SIDECAR_BAD = [
    ('id = "pwn\\n"\n', "[a.txt] id contains a control character (U+000A)"),
    ('id = "pwn\\t"\n', "[a.txt] id contains a control character (U+0009)"),
    ('publication_slug = "tyrb\\n"\n', "[a.txt] publication_slug contains a control character (U+000A)"),
    ('publication = "太原\\u0000日报"\n', "[a.txt] publication contains a control character (U+0000)"),
    ('publication = "太原\\n日报"\n', "[a.txt] publication contains a control character (U+000A)"),
    ('edition = "a\\n"\n', "[a.txt] edition contains a control character (U+000A)"),
    ('evidence = "seen\\u0007"\n', "[a.txt] evidence contains a control character (U+0007)"),
    ('evidence = "seen\\ton the page"\n', "[a.txt] evidence contains a control character (U+0009)"),
    ('evidence = "seen\\u2028there"\n', "[a.txt] evidence contains a control character (U+2028)"),
    (f'id = "{"a" * 101}"\n', "[a.txt] id is 101 characters long; at most 100 are allowed"),
    (f'publication_slug = "{"a" * 101}"\n', "[a.txt] publication_slug is 101 characters long"),
    (f'publication = "{"报" * 201}"\n', "[a.txt] publication is 201 characters long; at most 200"),
    ('id = "corpus"\n', "[a.txt] id = 'corpus' is not allowed: it is reserved: the build writes tei/corpus.xml"),
    ('id = "Corpus"\n', "[a.txt] id = 'Corpus' is not allowed: it is reserved"),
    ('id = "b-vertical"\n', "[a.txt] id = 'b-vertical' is not allowed: an id ending in -vertical is reserved"),
    ('id = "b-Vertical"\n', "[a.txt] id = 'b-Vertical' is not allowed: an id ending in -vertical is reserved"),
    ('id = "b-kepub"\n', "[a.txt] id = 'b-kepub' is not allowed: an id ending in -kepub is reserved"),
    ('id = "1b"\n', "[a.txt] id = '1b' is not allowed: it is not an ASCII XML name"),
]


@pytest.mark.parametrize("table, needle", SIDECAR_BAD, ids=[f"sidecar{n}" for n in range(len(SIDECAR_BAD))])
def test_sidecar_values(tmp_path: Path, table: str, needle: str) -> None:
    message = sidecar_error(tmp_path, table)
    assert needle in message, message


def test_sidecar_good_values(tmp_path: Path) -> None:
    path = tmp_path / "issues.toml"
    path.write_text('["a.txt"]\ndate = 2021-12-10\nid = "' + "a" * 100 + '"\npublication = "' + "报" * 200 + '"\n'
                    'evidence = """first line\nsecond line"""\n\n["b.txt"]\nid = "corpus-2"\n'
                    '["c.txt"]\nid = "b-vertical-2"\n', encoding="utf-8")
    sidecar = load_sidecar(path)
    assert sidecar.for_page("a.txt").evidence == "first line\nsecond line"
    assert sidecar.for_page("b.txt").id == "corpus-2"


def test_sidecar_error_through_the_build(tmp_path: Path) -> None:
    """``id = "corpus"`` overwrote tei/corpus.xml and exited 0 (defect 8)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    sidecar = tmp_path / "seeds" / "issues.toml"
    sidecar.chmod(0o644)
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(text.replace('["004_e799359604fa2b7c.txt"]\n', '["004_e799359604fa2b7c.txt"]\nid = "corpus"\n'),
                       encoding="utf-8")
    result = pressout("build", "-q", cwd=tmp_path)
    assert result.returncode == 4, result.stderr
    assert result.stderr.count("\n") == 1 and "id = 'corpus' is not allowed" in result.stderr
    assert "issues.toml: [004_e799359604fa2b7c.txt]" in result.stderr


def test_what_an_older_reading_accepted_is_checked_again(tmp_path: Path) -> None:
    """``load_sidecar_known``'s memory of a file read before these checks is not trusted."""
    path = tmp_path / "issues.toml"
    path.write_text('["a.txt"]\nid = "pwn\\n"\n', encoding="utf-8")
    import hashlib

    data = path.read_bytes()
    older = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
             "defaults": [None] * 8, "pages": {"a.txt": [None, None, None, None, None, None, "pwn\n", None]}}
    with pytest.raises(ConfigError, match="control character"):
        load_sidecar_known(path, older)


def test_id_problem() -> None:
    assert RESERVED_IDS == frozenset({"corpus"})
    assert RESERVED_SUFFIXES == ("-vertical", "-kepub", ".kepub")
    assert id_problem("tyrb-2021-12-10-a") is None
    assert id_problem("a" * MAX_ID_LENGTH) is None
    assert "101 characters" in (id_problem("a" * 101) or "")
    for reserved in ("corpus", "CORPUS", "x-vertical", "x-VERTICAL", "x-kepub", "x.kepub", "x.KEPUB"):
        assert "reserved" in (id_problem(reserved) or ""), reserved
    for bad in ("", "1a", "-a", ".a", "a b", "a\n", "a/b", "报纸"):
        assert "ASCII XML name" in (id_problem(bad) or ""), bad


# --- derived ids: bounded, never reserved ------------------------------------------------------

NO_META = IssueMeta()
SHA = "0123456789abcdef" * 4


def test_a_derived_id_is_never_reserved() -> None:
    assert issue_id("tyrb", NO_META, "b.txt", SHA) == "tyrb-b"
    assert issue_id("tyrb", NO_META, "b-vertical.txt", SHA) == "tyrb-b-vertical_"
    assert issue_id("tyrb", NO_META, "B Vertical.txt", SHA) == "tyrb-b-vertical_"
    assert issue_id("tyrb", NO_META, "b-kepub.txt", SHA) == "tyrb-b-kepub_"
    dated = IssueMeta(date=dt.date(2021, 12, 10), edition="vertical")
    assert issue_id("tyrb", dated, "x.txt", SHA) == "tyrb-2021-12-10-vertical_"
    assert issue_id("tyrb", dataclasses.replace(dated, page=2), "x.txt", SHA) == "tyrb-2021-12-10-vertical-p0002"
    for name in ("b-vertical.txt", "b-kepub.txt", "corpus.txt"):
        assert id_problem(issue_id("tyrb", NO_META, name, SHA)) is None
    assert issue_id("tyrb", IssueMeta(id="given-id"), "b-vertical.txt", SHA) == "given-id"


def test_a_derived_id_is_bounded_stable_and_unique() -> None:
    short = issue_id("tyrb", NO_META, "x" * (MAX_ID_LENGTH - 5) + ".txt", SHA)
    assert short == "tyrb-" + "x" * (MAX_ID_LENGTH - 5)  # as long as allowed: unchanged
    ids = {issue_id("tyrb", NO_META, "x" * n + ".txt", SHA) for n in range(MAX_ID_LENGTH - 4, 250)}
    assert len(ids) == 250 - (MAX_ID_LENGTH - 4)
    for ident in ids:
        assert len(ident) <= MAX_ID_LENGTH and id_problem(ident) is None, ident
        assert ident.startswith("tyrb-xxxx")
    long_name = "x" * 240 + "-vertical.txt"
    assert issue_id("tyrb", NO_META, long_name, SHA) == issue_id("tyrb", NO_META, long_name, SHA)
    assert id_problem(issue_id("tyrb", NO_META, long_name, SHA)) is None
    # a long slug (allowed up to 100 characters) makes a bounded dated id too
    slug = "s" * 100
    dated = issue_id(slug, IssueMeta(date=dt.date(2021, 12, 10), page=3), "x.txt", SHA)
    assert len(dated) <= MAX_ID_LENGTH and id_problem(dated) is None
    assert dated != issue_id(slug, IssueMeta(date=dt.date(2021, 12, 11), page=3), "x.txt", SHA)


def test_pages_with_long_and_reserved_names_build(tmp_path: Path) -> None:
    """A 240-character file name ended the build with "File name too long"; ``b.txt`` and
    ``b-vertical.txt`` with vertical EPUBs wrote the same file (defects 8 and 9)."""
    pages = tmp_path / "pages"
    pages.mkdir()
    text = A_PAGE.read_text(encoding="utf-8")
    names = ["x" * 240 + ".txt", "b.txt", "b-vertical.txt"]
    for n, name in enumerate(names):
        (pages / name).write_text(text + f"\n\n第{n}页的补白。\n", encoding="utf-8")
    (tmp_path / CONFIG_NAME).write_text('[epub]\nvertical = true\n[build]\nsources = ["pages"]\n', encoding="utf-8")
    result = pressout("build", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epubs = sorted(p.name for p in (tmp_path / "dist" / "epub").glob("*.epub"))
    assert len(epubs) == 6, epubs
    assert {"paper-b.epub", "paper-b-vertical.epub", "paper-b-vertical_.epub", "paper-b-vertical_-vertical.epub"} <= set(epubs)
    assert all(len(name) <= MAX_ID_LENGTH + len("-vertical.epub") for name in epubs)


# --- pressout serve: odd paths -------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A folder with one page, served on 127.0.0.1, beside a file it must never give out."""
    (tmp_path / "secret.txt").write_text("SECRET-BESIDE", encoding="utf-8")
    root = tmp_path / "site"
    (root / "tei").mkdir(parents=True)
    (root / "index.html").write_text("<p>front</p>", encoding="utf-8")
    (root / "tei" / "a.xml").write_text("<TEI/>", encoding="utf-8")
    (root / ".pressout").mkdir()
    (root / ".pressout" / "manifest.json").write_text("SECRET-CACHE", encoding="utf-8")
    return root


def serve_and_ask(root: Path, paths: list[str], *, quiet: bool) -> list[tuple[int, bytes]]:
    server = make_server(root, 0, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    answers = []
    try:
        port = server.server_address[1]
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
            try:
                connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
                connection.endheaders()
                response = connection.getresponse()
                answers.append((response.status, response.read()))
            finally:
                connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return answers


ODD_PATHS = {
    "/%00": 400, "/index.html%00": 400, "/index.html%00.xml": 400, "/tei/%00/a.xml": 400, "/%0a": 400,
    "/index.html%0d%0aX-Injected:%20yes": 400, "/%7f": 400, "/%c2%85": 400,
    "/%2e%2e/": 404, "/..%2f": 404, "/%2e%2e%2fsecret.txt": 404, "/..%2fsecret.txt": 404,
    "/tei/..%2f..%2fsecret.txt": 404, "/%2e%2e/%2e%2e/secret.txt": 404, "/..%5csecret.txt": 404,
    "/%5c..%5csecret.txt": 404, "/%2fsecret.txt": 404, "//secret.txt": 404,
    "/%zz": 404, "/%": 404, "/%f": 404, "/%ff": 404, "/%c0%ae%c0%ae/secret.txt": 404, "/%ed%a0%80": 404,
    "/" + "a" * 5000: 404, "/" + "a/" * 5000: 404, "/" + "%41" * 3000: 404,
    "/" + "a" * 70000: 414,
    "/index.html": 200, "/tei/a.xml": 200, "/%2epressout/manifest.json": 404,
}


@pytest.mark.parametrize("quiet", [True, False])
def test_odd_paths_are_answered_quietly(served: Path, capfd: pytest.CaptureFixture[str],
                                        quiet: bool) -> None:
    """``GET /%00`` printed a traceback on the server's stderr, even with -q (defect 7)."""
    root = served
    answers = serve_and_ask(root, list(ODD_PATHS), quiet=quiet)
    for (path, expected), (status, body) in zip(ODD_PATHS.items(), answers, strict=True):
        assert status == expected, (path[:60], status)
        assert b"SECRET" not in body, path[:60]
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception" not in err
    if quiet:
        assert err == ""


def test_a_failing_request_is_one_line(served: Path, capfd: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever else goes wrong in a request: one line on stderr (none when quiet)."""
    root = served
    import pressout.serve

    def broken(self: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(pressout.serve._Handler, "do_GET", broken)
    for quiet in (False, True):
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            serve_and_ask(root, ["/index.html"], quiet=quiet)
        err = capfd.readouterr().err
        assert "Traceback" not in err
        assert err == ("" if quiet else
                       "pressout serve: a request from 127.0.0.1 failed: RuntimeError: boom second line\n")


def test_serve_command_with_q_prints_no_traceback(served: Path) -> None:
    root = served
    with Watched([sys.executable, "-m", "pressout.cli", "serve", root, "--port", "0", "-q"]) as proc:
        try:
            # It listens before it says so: once the line is there, the port answers.
            line = proc.wait_for_line(lambda line: True, "the server said nothing")
            assert line.startswith(f"serving {root} on http://127.0.0.1:"), line
            port = int(line.split(" on ", 1)[1].split(" ", 1)[0].rstrip("/").rsplit(":", 1)[1])
            for path in ("/%00", "/index.html%00", "/%ff", "/..%2fsecret.txt"):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
                connection.putrequest("GET", path)
                connection.endheaders()
                response = connection.getresponse()
                assert response.status in (400, 404) and b"SECRET" not in response.read()
                connection.close()
        finally:
            proc.send_signal(2)  # SIGINT, as Ctrl-C
            out, err = proc.finish()
    assert err == line and out == "", err  # nothing after the line saying where it listens
    assert proc.returncode == 0


def test_meta_module_documents_the_rules() -> None:
    doc = meta.__doc__ or ""
    for needle in ("MAX_ID_LENGTH", "reserved", "-vertical", "corpus", "_", "evidence", "fullmatch"):
        assert needle in doc, needle
