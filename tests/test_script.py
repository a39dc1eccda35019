"""pressout.read.script: the script of a page (Simplified or Traditional) and its language tag.

Real text: the seeds (Simplified, 太原日报), the evaluation corpus (tests/corpus/files: Taiwan's
中時/聯合報/自由時報 and Hong Kong's 眾新聞 in Traditional, 申報 of 1880 in Traditional OCR,
人民日报/人民日报海外版/新华社 in Simplified) and sentences cut from them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from rulecases import rule

from pressout.read.script import HANS_ONLY, HANT_ONLY, SAMPLE_CHARS, language_tag, script_counts, script_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# paper -> (script, the paper's region, the tag its pages take)
PAPERS = {
    "chinatimes": ("Hant", "TW", "zh-TW"),
    "udn": ("Hant", "TW", "zh-TW"),
    "ltn": ("Hant", "TW", "zh-TW"),
    "hkcnews": ("Hant", "HK", "zh-HK"),
    "shenbao": ("Hant", "CN", "zh-Hant"),  # Shanghai, 1880: Traditional print in China
    "rmrb": ("Hans", "CN", "zh-CN"),
    "rmrbhwb": ("Hans", "CN", "zh-CN"),
    "xinhua": ("Hans", "CN", "zh-CN"),
    "fjrb": ("Hans", "CN", "zh-CN"),
    "hnrb": ("Hans", "CN", "zh-CN"),
    "mingpao": ("Hant", "HK", "zh-HK"),
    "orientaldaily": ("Hant", "HK", "zh-HK"),
    "singtao": ("Hant", "HK", "zh-HK"),
    "hkej": ("Hant", "HK", "zh-HK"),
    "wenweipo": ("Hant", "HK", "zh-HK"),  # a Big5 file
}
CORPUS_FILES = sorted(p for p in (CORPUS / "files").glob("*/*") if p.is_file())

# Sentences cut from the corpus.
HANS_SENTENCE = "通过加快建设太原国家互联网骨干直联点,我省将提高省域间网络传输质量,优化数据中心网络运营环境。"  # seeds/004
HANT_SENTENCE = "國軍漢光42號演習日前結束，軍事專家分析，國軍在演習中著重的後備戰力、無人機戰力正好呼應明年度的施政計畫與國防預算。"  # udn
SHENBAO_SENTENCE = "汗簡一書爲周朝散大夫宗正丞兼國子書學博士郭忠恕所製見於宋史"  # shenbao 1880


def read(path: Path) -> str:
    from pressout.read.decode import decode_page

    return decode_page(path.read_bytes(), source=path.name).text  # (UTF-8, or Big5 as the reader decodes it)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seeds_are_simplified(path):
    text = read(path)
    assert script_of(text) == "Hans"
    assert language_tag(text) == "zh-CN"  # the golden outputs' tag, unchanged


def test_corpus_covers_every_paper():
    assert {p.parent.name for p in CORPUS_FILES} == set(PAPERS)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(path):
    script, region, tag = PAPERS[path.parent.name]
    text = read(path)
    hans, hant = script_counts(text)
    assert script_of(text) == script, (hans, hant)
    assert (hant if script == "Hans" else hans) == 0  # no character of the other table at all
    assert language_tag(text, region) == tag
    gold = CORPUS / "gold" / path.parent.name / f"{path.name}.gold.toml"
    if gold.is_file():  # the gold reading's language, written by hand, agrees on the script
        language = tomllib.loads(gold.read_text(encoding="utf-8"))["language"]
        assert ("Hant" if language in ("zh-Hant", "zh-TW", "zh-HK", "zh-MO") else "Hans") == script


@rule("script-language")
def test_script_language():
    """The tag follows the script of the text, and the paper's region where known."""
    udn = read(CORPUS / "files" / "udn" / "udn_news.txt")
    hkcnews = read(CORPUS / "files" / "hkcnews" / "article_49005.md")
    shenbao = read(CORPUS / "files" / "shenbao" / "1880-10-4902408_p1.txt")
    seed = read(SEEDS[0])
    assert language_tag(udn, "TW") == "zh-TW"
    assert language_tag(udn) == "zh-Hant"
    assert language_tag(hkcnews, "HK") == "zh-HK"
    assert language_tag(shenbao) == "zh-Hant"
    assert language_tag(seed) == "zh-CN"
    assert language_tag(seed, "SG") == "zh-SG"


@pytest.mark.parametrize(
    ("region", "hant", "hans", "unknown"),
    [
        (None, "zh-Hant", "zh-CN", "zh-CN"),
        ("CN", "zh-Hant", "zh-CN", "zh-CN"),
        ("TW", "zh-TW", "zh-Hans", "zh-TW"),
        ("HK", "zh-HK", "zh-Hans", "zh-HK"),
        ("MO", "zh-MO", "zh-Hans", "zh-MO"),
        ("SG", "zh-Hant", "zh-SG", "zh-SG"),
        ("MY", "zh-Hant", "zh-MY", "zh-MY"),
        ("US", "zh-Hant", "zh-Hans", "zh-CN"),
        ("tw", "zh-TW", "zh-Hans", "zh-TW"),  # any case
        ("", "zh-Hant", "zh-CN", "zh-CN"),  # as None
    ],
)
def test_region(region, hant, hans, unknown):
    assert language_tag(HANT_SENTENCE, region) == hant
    assert language_tag(HANS_SENTENCE, region) == hans
    assert language_tag("ABC 2021", region) == unknown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Page 1 — 2021-12-13, https://example.org/",
        "中文",  # no character of either table
        "人民日报",  # 报 alone: one marked character is too few
        "上海申報",  # 報 alone
        "国與",  # one of each
        "中国上海與台北的關係",  # 1 Simplified, 3 Traditional: neither 3 times the other, too few for a majority
        "后面里面干台只系云于余着於乾著",  # characters of both scripts: none counts
    ],
)
def test_too_few_to_tell(text):
    assert script_of(text) is None
    assert language_tag(text) == "zh-CN"


def test_two_marked_characters_are_enough():
    assert script_of("人民日报记者") == "Hans"
    assert script_of("聯合報記者") == "Hant"
    assert script_of(SHENBAO_SENTENCE) == "Hant"  # 爲 國 書 製: old print counts


def test_a_page_quoting_the_other_script_keeps_its_own():
    # A Simplified page naming a Taiwan paper, a Traditional page quoting a mainland slogan.
    simplified = f"{HANS_SENTENCE}据台湾《聯合報》報導，{HANS_SENTENCE}"
    traditional = f"{HANT_SENTENCE}標語寫著「为人民服务」。{HANT_SENTENCE}"
    assert script_counts(simplified)[1] == 4 and script_of(simplified) == "Hans"  # 聯 報 報 導
    assert script_counts(traditional)[0] == 2 and script_of(traditional) == "Hant"  # 为 务
    assert language_tag(traditional, "TW") == "zh-TW"


def test_mixed_page_takes_the_majority():
    hans = script_counts(HANS_SENTENCE)[0]
    hant = script_counts(HANT_SENTENCE)[1]
    assert hans < hant  # so the pages below are won by different scripts
    one_each = f"{HANS_SENTENCE}\n{HANT_SENTENCE}"
    assert script_counts(one_each) == (hans, hant)
    assert hant <= 3 * hans  # neither dominates: the majority decides
    assert script_of(one_each) == "Hant"
    assert script_of(f"{HANS_SENTENCE}\n{HANS_SENTENCE}\n{HANT_SENTENCE}") == "Hans"
    tie = "这们说国时会对发经为" + "這們說國時會對發經為"
    assert script_counts(tie) == (10, 10)
    assert script_of(tie) is None


def test_threshold():
    assert script_of("關國與" + "国") is None  # 3 : 1 is not more than 3 times
    assert script_of("關國與這" + "国") == "Hant"  # 4 : 1 is
    assert script_of("这们说国" + "與") == "Hans"


def test_only_the_sample_is_read():
    assert script_of(" " * SAMPLE_CHARS + HANT_SENTENCE) is None
    assert script_of(" " * (SAMPLE_CHARS - 100) + HANT_SENTENCE) == "Hant"


def test_an_opening_that_settles_it_ends_the_reading():
    seed = read(SEEDS[2])
    text = seed + HANT_SENTENCE * 50
    assert len(text) < SAMPLE_CHARS
    hans, hant = script_counts(text)  # the seed's opening settles it: the rest is not read
    assert hant == 0 and 200 <= hans < script_counts(seed)[0] * 2
    assert script_of(text) == "Hans"


def test_tables():
    assert len(HANS_ONLY) == len(set(HANS_ONLY)) >= 300
    assert len(HANT_ONLY) == len(set(HANT_ONLY)) >= 300
    assert not set(HANS_ONLY) & set(HANT_ONLY)
    for pair in ("这這", "们們", "说說", "国國", "时時", "会會", "对對", "发發", "经經", "为為", "过過", "来來",
                 "动動", "开開", "实實", "现現", "关關", "从從", "样樣", "问問", "进進", "两兩", "华華",
                 "长長", "书書", "东東", "车車", "机機", "门門", "电電", "话話", "听聽", "见見", "觉覺", "买買",
                 "卖賣", "让讓", "认認", "识識", "记記", "报報", "闻聞", "读讀", "写寫"):
        assert pair[0] in HANS_ONLY and pair[1] in HANT_ONLY, pair
    assert "後" in HANT_ONLY and "爲" in HANT_ONLY
    # Characters written in both scripts (or in Hong Kong, Taiwan or old print) are in neither.
    for char in "后面里干台只系云于余着於乾著并儿内况减决冲净凉却强烟群户么徵覆":
        assert char not in HANS_ONLY and char not in HANT_ONLY, char
    # Every character is a CJK ideograph.
    assert all(ch >= "\u3400" for ch in HANS_ONLY + HANT_ONLY)
