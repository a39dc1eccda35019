"""``pressout.toml`` and ``pressout init``: the starter file loads, and every bad value is
reported with the file, the key and what is allowed (exit code 4)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pressout.config import CONFIG_NAME, STARTER, Config, load_config
from pressout.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pressout(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pressout.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_init_writes_a_config_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = pressout("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / CONFIG_NAME).read_text(encoding="utf-8")
    assert written == STARTER
    assert sum(1 for line in written.splitlines() if "#" in line) >= 15  # a commented file
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.path == Path(CONFIG_NAME)
    # the starter shows the defaults: loading it changes nothing
    assert dataclasses.replace(config, path=None) == Config()


def test_starter_keys_all_load_when_uncommented(tmp_path: Path) -> None:
    """Uncommenting every example in the starter gives a file that loads too."""
    lines = []
    for line in STARTER.splitlines():
        stripped = line.lstrip("#").lstrip()
        example = line.startswith("# ") and "=" in stripped and stripped.split("=")[0].strip().isidentifier()
        lines.append(stripped if example else line)
    path = tmp_path / CONFIG_NAME
    path.write_text("\n".join(lines), encoding="utf-8")
    config = load_config(path)  # (the example paths need not exist to load)
    assert config.publication == "太原日报" and config.publication_slug == "tyrb"
    assert config.tag_authority == "example.org"
    assert config.styles == str(tmp_path / "my-styles")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / CONFIG_NAME
    target.write_text("[site]\nfeed_size = 7\n", encoding="utf-8")
    result = pressout("init", cwd=tmp_path)
    assert result.returncode == 5
    assert result.stderr.strip() == f"pressout: error: {CONFIG_NAME}: already exists (use --force to overwrite)"
    assert target.read_text(encoding="utf-8") == "[site]\nfeed_size = 7\n"
    assert pressout("init", "--force", cwd=tmp_path).returncode == 0
    assert target.read_text(encoding="utf-8") == STARTER


BAD = [
    # (file content, what the one error line must contain)
    ("[styling]\ncolour = 'red'\n", ["[styling]", "unknown table", "[publication]", "[site]", "[build]"]),
    ("[site]\nfeed_sizes = 5\n", ["[site]", "unknown key 'feed_sizes'", "base_url", "feed_size", "title"]),
    ("[site]\nfeed_size = '5'\n", ["[site] feed_size = '5'", "a whole number ≥ 1"]),
    ("[site]\nfeed_size = 0\n", ["[site] feed_size = 0", "a whole number ≥ 1"]),
    ("[site]\nfeed_size = true\n", ["[site] feed_size = True", "a whole number ≥ 1"]),
    ("[site]\nbase_url = 'ftp://example.org/'\n", ["[site] base_url = 'ftp://example.org/'", "absolute http(s) URL"]),
    ("[site]\nbase_url = '/news/'\n", ["[site] base_url = '/news/'", "absolute http(s) URL"]),
    ("[publication]\nlanguage = 'en'\n", ["[publication] language = 'en'", "zh-CN | zh-SG | zh-MY | zh-TW",
                                          "zh-Hant", "leave it out"]),
    ("[publication]\nslug = 'Tai Yuan'\n", ["[publication] slug = 'Tai Yuan'", "lowercase ASCII"]),
    ("[publication]\ntimezone = 'UTC'\n", ["[publication] timezone = 'UTC'", "Asia/Shanghai"]),
    ("[publication]\ntime = '23:30'\n", ["[publication] time = '23:30'", '"HH:MM" from 00:00 to 23:00']),
    ("[epub]\nvertical = 'yes'\n", ["[epub] vertical = 'yes'", "true | false"]),
    ("[build]\njobs = -1\n", ["[build] jobs = -1", "≥ 0"]),
    ("[build]\nsources = 'seeds'\n", ["[build] sources = 'seeds'", "a list of files or folders"]),
    ("base_url = 'http://example.org/'\n", ["'base_url' is outside a table", "put it under [site]"]),
    ("site = 3\n", ["[site] must be a table", "allowed tables"]),
    ("[site\n", ["not valid TOML", "line 1"]),
]


@pytest.mark.parametrize("content, needles", BAD, ids=[f"bad{n}" for n in range(len(BAD))])
def test_bad_values_name_file_key_and_allowed_values(tmp_path: Path, content: str, needles: list[str]) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    for needle in needles:
        assert needle in str(caught.value), (needle, str(caught.value))
    # through the command: found in the current folder, one line, exit 4, nothing built
    shutil.copytree(SEEDS, tmp_path / "seeds")
    result = pressout("build", cwd=tmp_path)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pressout: error: {CONFIG_NAME}: ")
    for needle in needles:
        assert needle in lines[0]
    assert not (tmp_path / "dist").exists()


def test_missing_config_given_explicitly(tmp_path: Path) -> None:
    result = pressout("build", "--config", "nowhere.toml", cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.strip() == "pressout: error: nowhere.toml: configuration file not found"


def test_missing_style_folder(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / CONFIG_NAME).write_text("[build]\nstyles = 'house-styles'\n", encoding="utf-8")
    result = pressout("build", cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.strip() == (f"pressout: error: {CONFIG_NAME}: [build] styles = 'house-styles': "
                                     "no such folder; use a folder of CSS files")


def test_good_values_are_used(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text('[publication]\nname = "太原晚报"\nslug = "tywb"\n[site]\nbase_url = "https://example.org/paper"\n'
                    'feed_size = 3\n[epub]\nvertical = false\n[build]\njobs = 1\n', encoding="utf-8")
    config = load_config(path)
    assert config.publication == "太原晚报" and config.publication_slug == "tywb"
    assert config.base_url == "https://example.org/paper/"  # a folder URL ends with /
    assert config.feed_size == 3 and config.vertical is False and config.jobs == 1


# --- [publication] language -------------------------------------------------------------------

LANGUAGES = ["zh-CN", "zh-SG", "zh-MY", "zh-TW", "zh-HK", "zh-MO", "zh-Hans", "zh-Hant"]


def test_language_defaults_to_the_text() -> None:
    """No language configured: None, each page keeps the tag its script gives it."""
    assert Config().language is None
    assert 'language = "zh-CN"' not in STARTER  # (the old default would override every page)
    for tag in LANGUAGES:
        assert tag in STARTER


@pytest.mark.parametrize("tag", LANGUAGES)
def test_language_tags_allowed(tmp_path: Path, tag: str) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(f'[publication]\nlanguage = "{tag}"\n', encoding="utf-8")
    assert load_config(path).language == tag
    path.write_text(f'[publication]\nlanguage = "{tag.lower()}"\n', encoding="utf-8")
    assert load_config(path).language == tag  # BCP 47 is case-insensitive; kept as LANGUAGES spells it
    assert Config(language=tag).fingerprint() != Config().fingerprint()  # every output changes with it


@pytest.mark.parametrize("value", ['"en"', '"zh"', '"zh_TW"', '"zh-Hant-TW"', '"zh-cmn-Hans"', '"zh-CN "',
                                   '""', "1", "true", '["zh-CN"]'])
def test_bad_languages(tmp_path: Path, value: str) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(f"[publication]\nlanguage = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [publication] language = ") and "\n" not in message
    assert " | ".join(LANGUAGES) in message


# --- [publication] time -------------------------------------------------------------------------


def test_time_defaults_to_eight_in_the_morning(tmp_path: Path) -> None:
    """08:00 at +08:00, 00:00 UTC: shown in the starter, part of the fingerprint."""
    assert Config().time == "08:00"
    assert 'time = "08:00"' in STARTER
    path = tmp_path / CONFIG_NAME
    path.write_text('[publication]\ntime = "16:30"\n', encoding="utf-8")
    assert load_config(path).time == "16:30"
    assert Config(time="16:30").fingerprint() != Config().fingerprint()  # every feed changes with it


@pytest.mark.parametrize("value", ['"24:00"', '"23:01"', '"8:00"', '"08:00:00"', '"08:60"', '"0800"', '""',
                                   '" 08:00"', "8", "08:00:00", "true", '["08:00"]', "{hour = 8}"])
def test_bad_times(tmp_path: Path, value: str) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(f"[publication]\ntime = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [publication] time = ") and "\n" not in message
    assert 'a quoted "HH:MM" from 00:00 to 23:00' in message  # (08:00:00 unquoted is a TOML time)


def test_time_reaches_every_feed(tmp_path: Path) -> None:
    """``pressout build`` dates the feeds (articles, editions, archives) at the time given."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / CONFIG_NAME).write_text('[publication]\ntime = "06:30"\n[site]\nfeed_size = 20\n',
                                        encoding="utf-8")
    result = pressout("build", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    dist = tmp_path / "dist"
    names = ["atom.xml", "rss.xml", "feed.json", "editions.xml", "editions-rss.xml", "archive/atom-1.xml",
             "archive/rss-1.xml", "archive/feed-1.json"]
    for name in names:
        text = (dist / name).read_text(encoding="utf-8")
        stamps = re.findall(r"(?:T|\d{4} )(\d{2}:\d{2}:\d{2})(?:\+08:00| \+0800)", text)
        assert stamps and all("06:30:00" <= stamp <= "07:29:59" for stamp in stamps), (name, stamps[:5])
