"""Gathering (pressout.read.gather, ``[build] group``): article files of a paper's day made
into that day's issue, on real per-article dumps of the evaluation corpus (People's Daily's
``YYYYMMDD-PP-NN.txt`` crawl, 眾新聞's Markdown posts)."""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest
from test_rebuild_from_tei import built_twice

from pressout import build
from pressout.config import Config
from pressout.read import IssueMeta, read_page
from pressout.read.gather import article_file, gather, slot

CORPUS = Path(__file__).parent / "corpus" / "files"
RMRB = CORPUS / "rmrb"
SEEDS = Path(__file__).parent.parent / "seeds"
DAY = sorted(RMRB.glob("20190201-*.txt"))


def test_what_an_article_file_is() -> None:
    assert all(article_file(read_page(p)) for p in DAY)  # named by their slot (a box of briefs too)
    assert article_file(read_page(CORPUS / "hkcnews" / "article_49005.md"))  # front matter titles it
    assert not article_file(read_page(SEEDS / "000_c8ae31b64c1052c2.txt", sidecar=SEEDS / "issues.toml"))
    assert not article_file(read_page(RMRB / "rmrb_20260704_baodao_zhaiyao.json"))  # a whole issue
    assert slot(read_page(RMRB / "20190201-05-03.txt")) == ("5", 3)


def test_a_day_is_gathered_in_page_and_item_order_whatever_the_files_order() -> None:
    meta = IssueMeta(publication="人民日报", publication_slug="rmrb")
    parts = [read_page(p, meta=meta) for p in DAY]
    shuffled = parts[:]
    random.Random(7).shuffle(shuffled)
    issue = gather(shuffled)
    assert issue == gather(parts)
    assert issue.id == "rmrb-2019-02-01-a" and issue.title == "人民日报 2019年2月1日"  # a whole day: no page
    assert [p.label for p in issue.pages] == ["1", "3", "4", "5", "9", "10", "11", "12", "14", "16", "18", "20"]
    assert [a.id for a in issue.articles] == [a.id for p in parts for a in p.articles]  # the files' own ids
    assert [a.page for a in issue.articles] == [a.page for p in parts for a in p.articles]
    assert issue.sources == tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in DAY)
    assert issue.sha256 != parts[0].sha256 and issue.source == DAY[0].name
    one = gather(parts[:2])  # two files of page 1: a one-page issue says its page
    assert one.page == 1 and one.title.endswith("第1版")


def _day_folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for path in [*DAY, *RMRB.glob("20200501-*.txt")]:
        shutil.copy(path, src / path.name)
    return src


def test_build_makes_one_issue_a_day_and_group_file_one_a_file(tmp_path: Path) -> None:
    src = _day_folder(tmp_path)
    report = build([src], tmp_path / "auto", jobs=1)
    assert not report.failures and report.issues == 2
    assert sorted(p.name for p in (tmp_path / "auto" / "epub").glob("*.epub")) == [
        "paper-2019-02-01-a.epub", "paper-2020-05-01-a.epub"]
    report = build([src], tmp_path / "file", config=Config(group="file", jobs=1))
    assert report.issues == len(list(src.iterdir()))


def test_a_slot_claimed_twice_fails_with_both_names_and_the_rest_is_built(tmp_path: Path) -> None:
    src = _day_folder(tmp_path)
    twin = src / "20190201-05-03.txt"
    copy = tmp_path / "other" / twin.name
    copy.parent.mkdir()
    copy.write_text(twin.read_text(encoding="utf-8").replace("。", "！", 1), encoding="utf-8")
    report = build([src, copy.parent], tmp_path / "out", jobs=1)
    assert report.issues == 2 and report.exit_code == 1
    [failure] = report.failures
    assert failure.source == str(copy.resolve())
    assert f"claims page 5 item 3 of paper 2019-02-01, as {twin.resolve()} does" in failure.message


def test_a_file_whose_name_and_metadata_disagree_is_gathered_by_its_metadata_with_a_warning(tmp_path: Path) -> None:
    src = _day_folder(tmp_path)
    moved = src / "20200501-04-07.txt"
    moved.write_text("---\ndate: 2019-02-01\n---\n" + moved.read_text(encoding="utf-8"), encoding="utf-8")
    report = build([src], tmp_path / "out", jobs=1)
    assert report.issues == 2 and not report.failures
    [warning] = [w for w in report.warnings if w.code == "PO301"]
    assert warning.source == moved.name and "2020-05-01" in warning.message and "2019-02-01" in warning.message


@pytest.mark.parametrize("group", ["auto", "file"])
def test_pages_dumps_are_never_gathered(tmp_path: Path, group: str) -> None:
    report = build([SEEDS], tmp_path / "out", config=Config(group=group, jobs=1))
    assert report.issues == 5


def test_a_gathered_issue_lists_its_files_in_the_tei_and_comes_back_whole(tmp_path: Path, tei_relaxng) -> None:
    """The TEI of a gathered day lists every file and its sha256 (sourceDesc), is valid
    against tei_all, reads back to the same issue, and a build from the archive gives the
    same files as the build from the article files."""
    from lxml import etree

    from pressout.export.tei import write_tei
    from pressout.read import read_tei

    issue = gather([read_page(p) for p in DAY])
    path = write_tei(issue, tmp_path / "day.xml")
    document = etree.parse(str(path))
    assert tei_relaxng.validate(document), tei_relaxng.error_log
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    listed = [(b.findtext("t:idno[@type='sourceFile']", namespaces=ns), b.findtext("t:idno[@type='sha256']", namespaces=ns))
              for b in document.iterfind(".//t:sourceDesc/t:listBibl[@type='sources']/t:bibl", ns)]
    assert listed == list(issue.sources) and len(listed) == len(DAY)
    assert read_tei(path) == [issue]
    first, _, _ = built_twice(_day_folder(tmp_path), tmp_path)
    assert (first.issues, first.articles) == (2, 25)


def test_a_gathered_sixteen_page_day_passes_every_validator(tmp_path: Path) -> None:
    """The real article files of two days laid out as one day of 16 pages (1–2 items a
    page), gathered: EPUBCheck (no warnings) and Ace on its EPUB, tei_all on its TEI and the
    corpus, the Atom schema and feedparser on its feeds: every check runs and passes."""
    from pressout.validate import validate

    src = tmp_path / "src"
    src.mkdir()
    for n, path in enumerate(sorted(RMRB.glob("20*.txt"))):
        shutil.copy(path, src / f"20190201-{n % 16 + 1:02d}-{n // 16 + 1:02d}.txt")
    report = build([src], tmp_path / "dist", jobs=2)
    assert (report.issues, report.failures) == (1, ())
    checks = validate(tmp_path / "dist")
    assert {c.name for c in checks} >= {"epubcheck", "ace", "tei", "atom", "feeds"}
    assert all(c.ok is True and not c.missing for c in checks), [(c.name, c.status, c.problems[:3]) for c in checks]
