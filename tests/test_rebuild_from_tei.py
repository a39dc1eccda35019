"""The TEI archive is enough: a build from dist/tei/corpus.xml alone gives byte-identical
EPUBs, feeds, web pages and TEI files to the build from the pages."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

from samples import WHOLE_ISSUE_TEXT, paged_issue, web_issue

from pressout.config import Config
from pressout.export.tei import write_tei
from pressout.pipeline import build
from pressout.read import read_page
from pressout.read.tei import read_tei


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".pressout" not in p.parts
    }


def test_build_from_tei_archive_is_byte_identical(tmp_path: Path, seed_paths):
    pages = tmp_path / "pages"
    pages.mkdir()
    for path in [*seed_paths, seed_paths[0].parent / "issues.toml"]:
        shutil.copy(path, pages / path.name)
    config = Config(jobs=1)
    from_pages = build([pages], tmp_path / "dist", config=config)
    archive = tmp_path / "archive.xml"
    shutil.copy(tmp_path / "dist" / "tei" / "corpus.xml", archive)
    from_tei = build([archive], tmp_path / "again", config=config)
    assert from_pages.failures == from_tei.failures == ()
    assert (from_pages.issues, from_pages.articles) == (from_tei.issues, from_tei.articles) == (5, 37)
    first, second = _digests(tmp_path / "dist"), _digests(tmp_path / "again")
    assert len(first) > 60
    assert first == second


def test_a_web_dump_page_survives_the_archive(tmp_path: Path) -> None:
    """Source fields, removed scaffolding and an unknown paper go through a build (its
    model cache, its TEI) and a build from that build's archive, byte for byte."""
    web = web_issue()
    config = Config(jobs=1)
    source = write_tei(web, tmp_path / "web.xml")
    first = build([source], tmp_path / "dist", config=config)
    archive = tmp_path / "archive.xml"
    shutil.copy(tmp_path / "dist" / "tei" / "corpus.xml", archive)
    second = build([archive], tmp_path / "again", config=config)
    assert first.failures == second.failures == ()
    assert _digests(tmp_path / "dist") == _digests(tmp_path / "again")
    (back,) = read_tei(archive)
    # A configured language tag, where there is one, is every issue's.
    assert back.language in (web.language, config.language)
    assert dataclasses.replace(back, language=web.language) == web


CORPUS_FILES = Path(__file__).resolve().parent / "corpus" / "files"
# Issues with pages: a per-article file (one page), a whole issue as JSON and as HTML
# (eight pages), Shenbao pages (``Page 1`` headers).
PAGED_FILES = (
    "rmrb/20190201-01-01.txt",
    "rmrb/rmrb_20260704_baodao_zhaiyao.json",
    "rmrb/rmrb_20260704_baodao_zhaiyao.html",
    "shenbao/1880-1-4902399_p1-2.txt",
    "shenbao/1880-10-4902408_p1.txt",
)


def test_pages_survive_the_archive(tmp_path: Path) -> None:
    """Issue.pages and Article.page are in the archive: read back they equal the model
    read from the dump, and a build from the archive gives the same files as the build
    from the dumps (whose EPUBs, feeds and web pages show the pages)."""
    issues = [paged_issue(), *(read_page(CORPUS_FILES / name) for name in PAGED_FILES)]
    for issue in issues:
        assert issue.pages
        assert read_tei(write_tei(issue, tmp_path / "one" / f"{issue.id}.xml")) == [issue]
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in PAGED_FILES:
        shutil.copy(CORPUS_FILES / name, pages / Path(name).name)
    (pages / "dskb_20260404.txt").write_text(WHOLE_ISSUE_TEXT, encoding="utf-8")
    config = Config(jobs=1)
    first = build([pages], tmp_path / "dist", config=config)
    archive = tmp_path / "archive.xml"
    shutil.copy(tmp_path / "dist" / "tei" / "corpus.xml", archive)
    second = build([archive], tmp_path / "again", config=config)
    assert first.failures == second.failures == ()
    assert (first.issues, first.articles) == (second.issues, second.articles)
    assert _digests(tmp_path / "dist") == _digests(tmp_path / "again")
    back = read_tei(archive)
    assert len(back) == first.issues and all(issue.pages for issue in back)
