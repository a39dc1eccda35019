"""``issues.toml`` read with what an earlier reading knew (``load_sidecar_known``).

Whatever the file became, the result must be what ``load_sidecar`` gives for it (or the
same error): only how much is parsed may differ. The desk's daily case, a table appended
at the end, parses only that table; every other change parses the whole file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pressout.errors import ConfigError
from pressout.read import meta
from pressout.read.meta import load_sidecar, load_sidecar_known

ROOT = Path(__file__).resolve().parent.parent
SEED_SIDECAR = ROOT / "seeds" / "issues.toml"
# A day's entry as the desk appends it (the seed page 004's, under a new name).
APPENDED = '\n["005_new_page.txt"]\ndate = 2021-12-11\ndate_cert = "medium"\npage = 2\n'


@pytest.fixture
def sidecar(tmp_path: Path) -> Path:
    path = tmp_path / "issues.toml"
    shutil.copy(SEED_SIDECAR, path)
    path.chmod(0o644)
    return path


def parsed_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    parse = meta._parse
    monkeypatch.setattr(meta, "_parse", lambda path, data: sizes.append(len(data)) or parse(path, data))
    return sizes


def same(path: Path, known: dict, sizes: list[int] | None = None) -> meta.Sidecar:
    """What ``load_sidecar_known`` gives, checked against ``load_sidecar`` (whose own parse
    is taken off ``sizes``)."""
    got, _ = load_sidecar_known(path, known)
    counted = len(sizes) if sizes is not None else 0
    assert got == load_sidecar(path)
    if sizes is not None:
        del sizes[counted:]
    return got


@pytest.mark.parametrize("appended", [APPENDED, "\n# 2021-12-11, second page" + APPENDED])
def test_an_appended_table_is_all_that_is_parsed(sidecar: Path, monkeypatch: pytest.MonkeyPatch,
                                                 appended: str) -> None:
    _, known = load_sidecar_known(sidecar, None)
    with open(sidecar, "a", encoding="utf-8") as handle:
        handle.write(appended)
    sizes = parsed_sizes(monkeypatch)
    got = same(sidecar, known, sizes)
    assert sizes == [len(appended.encode())]
    assert got.for_page("005_new_page.txt").page == 2
    assert got.for_page("005_new_page.txt").publication == "太原日报"  # [defaults] still apply


def test_the_same_file_is_not_parsed_at_all(sidecar: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, known = load_sidecar_known(sidecar, None)
    sizes = parsed_sizes(monkeypatch)
    same(sidecar, known, sizes)
    assert sizes == []


@pytest.mark.parametrize("change", [
    # an entry edited in the middle: 004's page is the front page
    lambda text: text.replace('date = 2021-11-08\ndate_cert = "medium"', 'date = 2021-11-09\ndate_cert = "medium"'),
    # a key appended without a header belongs to the file's last table
    lambda text: text + "page = 7\n",
])
def test_any_other_change_parses_the_whole_file(sidecar: Path, monkeypatch: pytest.MonkeyPatch, change) -> None:
    _, known = load_sidecar_known(sidecar, None)
    sidecar.write_text(change(sidecar.read_text(encoding="utf-8")), encoding="utf-8")
    sizes = parsed_sizes(monkeypatch)
    same(sidecar, known, sizes)
    assert sizes == [sidecar.stat().st_size]


def test_a_file_without_a_last_line_end_is_parsed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What is appended to a last line without a line end continues that line."""
    path = tmp_path / "issues.toml"
    path.write_text('["a.txt"]\ndate = 2021-12-10\npage = 1', encoding="utf-8")
    _, known = load_sidecar_known(path, None)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('2\n["b.txt"]\ndate = 2021-12-11\n')
    sizes = parsed_sizes(monkeypatch)
    assert same(path, known, sizes).for_page("a.txt").page == 12
    assert sizes == [path.stat().st_size]


def test_a_table_named_again_is_the_whole_file_s_error(sidecar: Path) -> None:
    _, known = load_sidecar_known(sidecar, None)
    with open(sidecar, "a", encoding="utf-8") as handle:
        handle.write('\n["000_c8ae31b64c1052c2.txt"]\npage = 3\n')
    with pytest.raises(ConfigError) as whole:
        load_sidecar(sidecar)
    with pytest.raises(ConfigError) as helped:
        load_sidecar_known(sidecar, known)
    assert str(helped.value) == str(whole.value)


def test_an_error_in_the_appended_text_names_the_file_s_line(sidecar: Path) -> None:
    _, known = load_sidecar_known(sidecar, None)
    with open(sidecar, "a", encoding="utf-8") as handle:
        handle.write('\n["005_new_page.txt"]\ndate = 2021-12-1\n')
    with pytest.raises(ConfigError) as whole:
        load_sidecar(sidecar)
    with pytest.raises(ConfigError) as helped:
        load_sidecar_known(sidecar, known)
    assert str(helped.value) == str(whole.value)
    assert f"line {len(sidecar.read_text(encoding='utf-8').splitlines())}" in str(whole.value)


def test_defaults_appended_apply_to_every_page(tmp_path: Path) -> None:
    path = tmp_path / "issues.toml"
    path.write_text('["a.txt"]\ndate = 2021-12-10\n', encoding="utf-8")
    _, known = load_sidecar_known(path, None)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('\n[defaults]\npublication = "太原晚报"\n')
    assert same(path, known).for_page("a.txt").publication == "太原晚报"


def test_what_is_known_is_checked_before_it_is_used(sidecar: Path) -> None:
    """A stale or foreign ``known`` (another file's, an older version's) is not trusted."""
    other = sidecar.with_name("other.toml")
    other.write_text('["x.txt"]\ndate = 2020-01-01\n', encoding="utf-8")
    _, foreign = load_sidecar_known(other, None)
    same(sidecar, foreign)
    same(sidecar, {"size": 3})  # not what this version writes
