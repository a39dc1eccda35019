"""Reading accuracy on the evaluation corpus (benchmarks/accuracy.py): every gold reading
parses and names a corpus file, no paper falls below its floors (tests/corpus/floors.toml),
the seeds read perfectly, and the scorer itself counts what it says it counts."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


def _load_scorer():
    spec = importlib.util.spec_from_file_location("pressout_accuracy", ROOT / "benchmarks" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


accuracy = _load_scorer()
GOLD_FILES = accuracy.gold_files()


@pytest.fixture(scope="module")
def report():
    return accuracy.run()


def test_there_is_gold():
    assert len([p for p in GOLD_FILES if p.parent.name == "tyrb"]) == 5


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gold_file_parses_and_names_a_corpus_file(path):
    gold = accuracy.load_gold(path)
    assert gold.file.is_file(), f"{path}: names {gold.file}, which does not exist"
    assert gold.file.name + accuracy.GOLD_SUFFIX == path.name


def test_no_paper_below_its_floors(report):
    floors = tomllib.loads((CORPUS / "floors.toml").read_text(encoding="utf-8"))
    assert accuracy.check_floors(report, floors) == []


def test_every_floor_names_a_paper_with_gold():
    floors = tomllib.loads((CORPUS / "floors.toml").read_text(encoding="utf-8"))
    papers = {p.parent.name for p in GOLD_FILES}
    assert set(floors) <= papers


def test_seeds_read_perfectly(report):
    figures = accuracy.figures_of(report.papers["tyrb"])
    assert figures["seg_f1"] == 1.0
    assert figures["headline"] == 1.0
    assert figures["errors"] == 0 and figures["chars_lost"] == 0


def test_table_has_a_row_per_paper_and_overall(report):
    rows = accuracy.table(report).splitlines()
    assert rows[0].split()[:3] == ["paper", "files", "items"]
    assert [r.split()[0] for r in rows[2:]] == [*sorted(report.papers), "overall"]


# --- the scorer counts what it says -------------------------------------------------------


def _copy_seed_gold(tmp_path: Path, name: str, edit) -> Path:
    """A gold tree in tmp_path holding one seed's gold file, changed by ``edit``."""
    source = CORPUS / "gold" / "tyrb" / name
    folder = tmp_path / "gold" / "tyrb"
    folder.mkdir(parents=True)
    (folder / name).write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    return tmp_path / "gold"


def test_a_wrong_gold_headline_and_credit_count_against_the_reader(tmp_path):
    name = "000_c8ae31b64c1052c2.txt.gold.toml"
    gold = _copy_seed_gold(
        tmp_path,
        name,
        lambda t: t.replace('title = "社区干部巡查 发现走失老人"', 'title = "社区干部巡查"').replace(
            '{name = "高雅慧", role = "correspondent"}', '{name = "高雅慧", role = "reporter"}'
        ),
    )
    figures = accuracy.figures_of(accuracy.run(gold).papers["tyrb"])
    assert figures["seg_f1"] == 1.0  # matched by their opening words, not their titles
    assert figures["headline"] == 3 / 4
    assert figures["credit_precision"] == 4 / 5 and figures["credit_recall"] == 4 / 5


def test_a_missing_and_a_merged_item_lower_recall_and_precision(tmp_path):
    name = "000_c8ae31b64c1052c2.txt.gold.toml"

    def split_first_item(text: str) -> str:
        # The gold claims the first story is two items: the reader's one article can match
        # only one of them (recall 4/5), and an item the page does not have is never found.
        extra = (
            '[[item]]\nkind = "article"\nfirst = "我市近千名采购商组团赴这场"\nparagraphs = 8\n\n'
            '[[item]]\nkind = "article"\ntitle = "并不存在的标题"\nfirst = "这段文字不在页面上出现"\nparagraphs = 1\n\n'
        )
        at = text.index('[[item]]\nkind = "article"\ntitle = "太原理工大学')
        return text[:at] + extra + text[at:]

    gold = _copy_seed_gold(tmp_path, name, split_first_item)
    figures = accuracy.figures_of(accuracy.run(gold).papers["tyrb"])
    assert figures["seg_precision"] == 1.0
    assert figures["seg_recall"] == 4 / 6


def test_furniture_read_as_text_is_not_kept_out(tmp_path):
    name = "000_c8ae31b64c1052c2.txt.gold.toml"
    gold = _copy_seed_gold(
        tmp_path, name, lambda t: t + '\n[[furniture]]\nkind = "banner"\ntext = "社区干部巡查 发现走失老人"\n'
    )
    figures = accuracy.figures_of(accuracy.run(gold).papers["tyrb"])
    assert figures["furniture_out"] == 0.0


def _one_file_corpus(tmp_path: Path, name: str, content: str, gold_head: str, item: str) -> Path:
    (tmp_path / "files" / "x").mkdir(parents=True)
    corpus_file = tmp_path / "files" / "x" / name
    corpus_file.write_text(content, encoding="utf-8")
    folder = tmp_path / "gold" / "x"
    folder.mkdir(parents=True)
    (folder / f"{name}.gold.toml").write_text(
        f'file = "{corpus_file}"\npublication = "某报"\nlanguage = "zh-Hant"\n{gold_head}\n[[item]]\n{item}\n',
        encoding="utf-8",
    )
    return tmp_path / "gold"


def test_characters_lost_are_counted(tmp_path, monkeypatch):
    import pressout.read
    from pressout.read import read_text

    gold = _one_file_corpus(
        tmp_path,
        "page.txt",
        "標題一\n\n正文正文正文。另外的字\n",
        "",
        'kind = "article"\ntitle = "標題一"\nfirst = "正文正文正文"\nparagraphs = 1',
    )
    # A reader that drops the last four characters of the page.
    monkeypatch.setattr(pressout.read, "read_page", lambda path: read_text("標題一\n\n正文正文正文。\n"))
    counters = accuracy.run(gold, root=tmp_path).papers["x"]
    assert counters["chars"] == 13 and counters["chars_lost"] == 4
    assert counters["headline_ok"] == 1 and counters["errors"] == 0


def test_markup_text_is_its_character_data(tmp_path):
    gold = _one_file_corpus(
        tmp_path,
        "page.html",
        "<html><body><p>標題一</p><p>&#27491;&#25991;。</p></body></html>",
        'format = "html"',
        'kind = "article"\ntitle = "標題一"\nparagraphs = 1',
    )
    counters = accuracy.run(gold, root=tmp_path).papers["x"]
    assert counters["chars"] == 5  # 標題一正文: no tag names, no digits of the references
    assert accuracy.significant("記者 王勇，PM2.5！") == "記者王勇PM25"


def test_bad_gold_is_reported_with_file_and_key(tmp_path):
    folder = tmp_path / "gold" / "tyrb"
    folder.mkdir(parents=True)
    bad = folder / "000_c8ae31b64c1052c2.txt.gold.toml"
    shutil.copy(CORPUS / "gold" / "tyrb" / bad.name, bad)
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('role = "reporter"', 'role = "writer"', 1), encoding="utf-8"
    )
    with pytest.raises(accuracy.GoldError, match=r"item 1\.credits.*'writer'"):
        accuracy.load_gold(bad)


def test_language_tags():
    assert accuracy.language_matches("zh-Hans", "zh-CN")
    assert accuracy.language_matches("zh-Hant", "zh-HK")
    assert accuracy.language_matches("zh-TW", "zh-Hant-TW")
    assert not accuracy.language_matches("zh-Hant", "zh-CN")
    assert not accuracy.language_matches("zh-TW", "zh-HK")
