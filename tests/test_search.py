"""Search in the web edition (issue 17; ``pressout.export.search``): a static bigram index,
sharded by year, that finds Chinese words in headlines and text; made again only for the
year a new page is in; the same bytes every time; and the page's script finds the same
articles in a headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from test_build import copy_seeds

from pressout.build import build
from pressout.export import search
from pressout.model import ArticleHead, IssueHead
from pressout.read import read_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    report = build([copy_seeds(folder / "seeds")], folder / "dist", jobs=1)
    assert report.exit_code == 0 and report.issues == 5
    return folder / "dist"


def seed_article(headline_has: str) -> tuple[str, str, str]:
    """(issue id, article id, all its text) of the seed article whose headline has the words."""
    for path in sorted(SEEDS.glob("*.txt")):
        issue = read_page(path)
        for article in issue.articles:
            if headline_has in article.display_title:
                return issue.id, article.id, "\n".join(search.article_texts(article))
    raise AssertionError(headline_has)


# --- words, postings, folding ----------------------------------------------------------------


def test_terms_and_keys_are_bigrams_of_folded_runs() -> None:
    assert search.fold("ＡＢＣ１２３") == "abc123"  # NFKC, then case folding
    assert search.fold("Straße") == "strasse"
    assert search.fold("臺灣") == "臺灣"  # Traditional stays Traditional
    assert search.terms("北京大学，  北京大学 Ｆｏｏ!") == ["北京大学", "foo"]
    assert search.terms("，。！") == []
    assert search.keys_of(["北京大学", "学生"]) == {"北京", "京大", "大学", "学", "学生", "生"}
    assert search.keys_of(["一，二"]) == {"一", "二"}  # no key spans punctuation
    assert search.term_keys("北京北京") == ["北京", "京北"]


def test_postings_round_trip() -> None:
    for numbers in ([], [0], [0, 1, 2], [5, 31, 32, 33, 1000, 1024, 40000, 1048576]):
        text = search.encode_postings(numbers)
        assert set(text) <= set(search.ALPHABET)
        assert search.decode_postings(text) == numbers
    assert search.encode_postings([0, 1, 2]) == "111"  # differences from the one before
    with pytest.raises(ValueError):
        search.encode_postings([3, 3])


def test_buckets_spread_the_characters() -> None:
    for buckets in (1, 2, 64, 256):
        used = {search.bucket_of(chr(c), buckets) for c in range(0x4E00, 0x4E00 + 4096)}
        assert used == set(range(buckets))


def test_the_folding_table_makes_lowercase_into_case_folding() -> None:
    """The page folds with NFKC, toLowerCase and the manifest's table; with Python's lower()
    for toLowerCase, that is fold() for every character."""
    table = search.fold_table()
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue
        text = unicodedata.normalize("NFKC", chr(point))
        assert "".join(table.get(c, c) for c in text.lower()) == search.fold(chr(point)), hex(point)


# --- the index of the seeds ---------------------------------------------------------------


def test_a_headline_word_finds_its_article_first(dist: Path) -> None:
    issue, article, _ = seed_article("南极科考")
    hits = search.SearchIndex(dist).query("南极科考")
    assert hits[0].id == article and hits[0].in_title
    assert hits[0].url == f"issues/{issue}/{article}.html" and (dist / hits[0].url).is_file()
    assert hits[0].issue == "太原日报 2021年11月8日" and hits[0].date == "2021-11-08"


def test_a_word_only_in_the_text_finds_its_article(dist: Path) -> None:
    issue, article, text = seed_article("科研创新是引擎更是号角")
    assert "北京大学" in text and "北京大学" not in "科研创新是引擎更是号角"
    hits = search.SearchIndex(dist).query("北京大学")
    assert [(h.id, h.in_title) for h in hits] == [(article, False)]
    # a query of two words: the articles with both; one of a single character: any key of it
    both = search.SearchIndex(dist).query("北京大学 号角")
    assert [h.id for h in both] == [article]
    assert article in [h.id for h in search.SearchIndex(dist).query("号")]
    assert search.SearchIndex(dist).query("北京大学 南极科考") == []
    assert search.SearchIndex(dist).query("，。") == []


def test_headline_hits_come_first_then_newer(dist: Path) -> None:
    hits = search.SearchIndex(dist).query("太原")
    flags = [h.in_title for h in hits]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    for group in (True, False):
        dates = [h.date for h in hits if h.in_title is group]
        assert dates == sorted(dates, reverse=True)


def test_shards_by_year(dist: Path) -> None:
    manifest = json.loads((dist / search.MANIFEST).read_bytes())
    assert manifest["format"] == search.FORMAT
    assert [s["name"] for s in manifest["shards"]] == ["2025", "2022", "2021"]
    assert [s["issues"] for s in manifest["shards"]] == [2, 1, 2]
    files = sorted(p.name for p in (dist / "search").iterdir())
    expected = ["index.json"]
    for shard in manifest["shards"]:
        expected += [f"{shard['name']}-{n:02x}.json" for n in range(shard["buckets"])]
        expected += [f"{shard['name']}-t{k}.json" for k in range(-(-shard["articles"] // manifest["rows"]))]
        table = json.loads((dist / "search" / f"{shard['name']}-t0.json").read_bytes())
        assert {issue[2][:4] for issue in table["issues"]} == {shard["name"]}
        assert sum(len(issue[3]) for issue in table["issues"]) == shard["articles"]
    assert files == sorted(expected)
    # the 2022 issue's words are only in the 2022 shard
    index = search.SearchIndex(dist)
    hits = index.query("调度令")
    assert hits and {h.date[:4] for h in hits if h.date} == {"2022"}


def test_the_plan_of_an_archive() -> None:
    def head(ident: str, date: str | None, articles: int) -> IssueHead:
        import datetime as dt

        return IssueHead(ident, f"{ident}.txt", dt.date.fromisoformat(date) if date else None, 1, "报", "bao",
                         ident, tuple(ArticleHead(f"{ident}-i{n}", f"标题{n}") for n in range(articles)))

    heads = [head("a", "2020-01-01", 3), head("b", None, 1), head("c", "2021-05-01", 200), head("d", "2020-12-31", 2)]
    plans = search.year_plans(heads)
    assert [(p.name, [row[0] for row in p.issues], p.articles) for p in plans] == [
        ("2021", ["c"], 200), ("2020", ["d", "a"], 5), ("undated", ["b"], 1)]
    assert plans[0].buckets == 4 and plans[1].buckets == 1  # about BUCKET_ARTICLES a file
    big = search.year_plans([head("e", "2020-01-01", 3 * search.TABLE_ROWS + 1)])[0]
    assert big.paths[-1] == "search/2020-t3.json" and len(big.paths) == big.buckets + 4
    most = search.year_plans([head("f", "2020-01-01", search.MAX_BUCKETS * search.BUCKET_ARTICLES * 2)])[0]
    assert most.buckets == search.MAX_BUCKETS and len(set(most.paths)) == len(most.paths)  # no name twice


# --- incremental and deterministic ---------------------------------------------------------------


PAGE = "市区新增公园绿地{n}处\n\n本报讯 今年以来，我市新建和改造公园绿地{n}处，市民出门即可见绿。\n\n据介绍，新建公园均配有健身步道。\n"


def search_inodes(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in sorted((root / "search").iterdir())}


def test_a_new_page_makes_again_only_its_years_shard(tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=1)
    for date, n, year in (("2026-01-05", "二十", "2026"), ("2021-11-09", "十一", "2021")):
        before = search_inodes(dist)
        (seeds / f"tyrb-{date}.txt").write_text(PAGE.format(n=n), encoding="utf-8")
        report = build([seeds], dist, jobs=1)
        assert report.exit_code == 0 and report.rebuilt == 1
        after = search_inodes(dist)
        made = {name for name, inode in after.items() if before.get(name) != inode}
        assert made == {"index.json", *(name for name in after if name.startswith(f"{year}-"))}, date
        hits = search.SearchIndex(dist).query(f"公园绿地{n}处")
        assert [h.date for h in hits] == [date]
    # and the result is what a clean build makes
    clean = tmp_path / "clean"
    build([seeds], clean, jobs=1)
    assert sorted(search_inodes(dist)) == sorted(search_inodes(clean))
    for name in search_inodes(clean):
        assert (dist / "search" / name).read_bytes() == (clean / "search" / name).read_bytes(), name
    assert build([seeds], dist, jobs=1).changed is False


def test_two_builds_are_byte_identical(dist: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build([copy_seeds(tmp_path / "seeds")], again, jobs=2)
    names = sorted(search_inodes(dist))
    assert names == sorted(search_inodes(again))
    for rel in [*(f"search/{name}" for name in names), "search.html", "styles/search.js", "styles/search.css"]:
        assert (again / rel).read_bytes() == (dist / rel).read_bytes(), rel


def test_the_page_is_a_page_of_the_site(dist: Path) -> None:
    from lxml import etree

    page = etree.parse(str(dist / "search.html")).getroot()  # well-formed XHTML
    x = "{http://www.w3.org/1999/xhtml}"
    form = page.find(f".//{x}form")
    assert form is not None and form.get("action") == "search.html" and form.get("method") == "get"
    assert form.find(f".//{x}input[@name='q']") is not None
    scripts = [s.get("src") for s in page.iter(f"{x}script")]
    assert scripts == ["styles/search.js"] and (dist / "styles" / "search.js").is_file()
    assert (dist / "styles" / "search.css").is_file()
    stylesheets = [link.get("href") for link in page.iter(f"{x}link") if link.get("rel") == "stylesheet"]
    assert stylesheets[:2] == ["styles/site.css", "styles/article.css"] and "styles/search.css" in stylesheets
    assert b"http" not in (dist / "styles" / "search.js").read_bytes().split(b"*/", 1)[1]  # nothing from elsewhere


# --- in a browser ----------------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed (apt-get install chromium): the search page's test runs it", pytrace=False)


def browse(root: Path, path: str, tmp_path: Path) -> str:
    """The DOM of ``path`` on a server of ``root``, once its script has run."""
    from pressout.serve import make_server

    server = make_server(root, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{path}"
        run = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={tmp_path / 'chromium'}", "--virtual-time-budget=10000", "--dump-dom", url],
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )
    finally:
        server.shutdown()
        thread.join()
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def results(dom: str) -> tuple[str, list[str], list[str]]:
    """The status line, the result links and the snippets of the search page."""
    status = re.search(r'<p class="search-status"[^>]*>(.*?)</p>', dom, re.S)
    assert status is not None, dom[-2000:]
    links = re.findall(r'<li class="search-hit"><a href="([^"]+)"', dom)
    snippets = re.findall(r'<p class="search-snippet">(.*?)</p>', dom, re.S)
    return status.group(1), links, snippets


def test_the_page_finds_an_article_in_chromium(dist: Path, tmp_path: Path) -> None:
    issue, article, _ = seed_article("南极科考")
    status, links, _ = results(browse(dist, f"search.html?q={quote('南极科考')}", tmp_path))
    assert links and links[0] == f"issues/{issue}/{article}.html", status
    assert status.startswith("找到 1 篇")
    # a word only in the text: found, with a snippet around it, the word marked
    issue, article, _ = seed_article("科研创新是引擎更是号角")
    status, links, snippets = results(browse(dist, f"search.html?q={quote('北京大学')}", tmp_path))
    assert links == [f"issues/{issue}/{article}.html"], status
    assert "<mark>北京大学</mark>" in snippets[0]
    # the same articles, in the same order, as the Python side finds
    status, links, _ = results(browse(dist, f"search.html?q={quote('太原')}", tmp_path))
    expected = [h.url for h in search.SearchIndex(dist).query("太原")]
    assert len(expected) > 20 and links == expected[:20], status  # a page of results, then 更多结果


def test_the_page_drops_bigrams_that_are_apart(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "tyrb-2024-03-01.txt").write_text(
        "北京大学开学\n\n本报讯 北京大学今天开学。\n\n东京大学学生\n\n本报讯 北京市民和东京大学学生座谈。\n",
        encoding="utf-8")
    build([seeds], tmp_path / "dist", jobs=1)
    hits = search.SearchIndex(tmp_path / "dist").query("北京大学")
    assert [h.title for h in hits] == ["北京大学开学", "东京大学学生"]  # the index has the bigrams of both
    status, links, _ = results(browse(tmp_path / "dist", f"search.html?q={quote('北京大学')}", tmp_path))
    assert links == [hits[0].url], status  # the page reads the second's text: no 北京大学 in it
    assert status.startswith("找到 1 篇")


def test_the_script_folds_and_cuts_as_python_does(dist: Path, tmp_path: Path) -> None:
    samples = ["北京大学，  北京大学 Ｆｏｏ!", "ΑΣ Straße ﬁne Ꭰ", "臺灣 台湾 ①②", "𠀋𠀌 一，二", "ǰ İstanbul", ""]
    harness = tmp_path / "site"
    shutil.copytree(dist, harness)
    table = json.dumps(search.fold_table(), ensure_ascii=False)
    script = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'/><script src='styles/search.js'></script></head>"
        "<body><pre id='out'></pre><script>"
        f"var s = window.pressoutSearch; s.setFold({table});"
        f"var samples = {json.dumps(samples, ensure_ascii=False)};"
        "document.getElementById('out').textContent = JSON.stringify(samples.map(function (t) {"
        "  return [s.fold(t), s.terms(t), s.keysOf(t), Array.from(t).map(function (c) { return s.bucketOf(c, 64); })];"
        "}));</script></body></html>"
    )
    (harness / "harness.html").write_text(script, encoding="utf-8")
    dom = browse(harness, "harness.html", tmp_path)
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    import html

    got = json.loads(html.unescape(found.group(1)))
    for sample, (folded, words, keys, buckets) in zip(samples, got, strict=True):
        assert folded == search.fold(sample), sample
        assert words == search.terms(sample), sample
        assert keys == sorted(search.keys_of([sample])), sample
        assert buckets == [search.bucket_of(c, 64) for c in sample], sample


def test_the_check_finds_what_is_wrong(dist: Path, tmp_path: Path) -> None:
    from pressout.validate import ValidateOptions, validate

    (check,) = validate(dist, skip=[n for n in search_checks() if n != "search"])
    assert check.ok and check.files == len(list((dist / "search").iterdir())), check.problems
    broken = tmp_path / "broken"
    shutil.copytree(dist, broken)
    bucket = broken / "search" / "2022-00.json"
    keys = json.loads(bucket.read_bytes())
    first = sorted(keys)[0]
    keys[first][sorted(keys[first])[0]] = "zz"  # digits that never end
    bucket.write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    (broken / "search" / "2021-t0.json").unlink()
    (broken / "search" / "1999-00.json").write_text("{}", encoding="utf-8")
    issue, article, _ = seed_article("科研创新是引擎更是号角")  # of 2025
    (broken / "issues" / issue / f"{article}.html").unlink()
    check = search.search_check(broken, ValidateOptions())
    assert check.ok is False
    text = "\n".join(check.problems)
    for expected in ("search/2022-00.json: the postings of", "search/2021-t0.json: cannot be read",
                     "search/1999-00.json: not a file of the index", f"{article}.html"):
        assert expected in text, text
    assert search.search_check(tmp_path, ValidateOptions()).ok is None  # no index: not run


def search_checks() -> list[str]:
    from pressout.validate import check_names

    return check_names()


def test_pair_codes_are_the_keys_as_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The year job's numbers for the pairs of characters (read from the text's UTF-32
    bytes) are the keys ``_keys`` makes, on either byte order; and ``fold``'s shortcut for
    full-width punctuation gives what NFKC gives."""
    import unicodedata

    texts = ["中文，测试abc\x1f南极科考", "a", "", "（全角）；：！？…\u3000％／－＋．𠀋𠀌", "ab\x1fcd"]
    for text in texts:
        expected = {ord(k[0]) | ord(k[1]) << 32 for k in search._keys(text)}
        assert search._pair_codes(text) == expected, text
        monkeypatch.setattr(search, "_LITTLE_ENDIAN", False)
        assert search._pair_codes(text) == expected, text
        monkeypatch.setattr(search, "_LITTLE_ENDIAN", True)
        assert search.fold(text) == unicodedata.normalize("NFKC", text).casefold()
