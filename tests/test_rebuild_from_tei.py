"""The TEI archive is enough: a build from dist/tei/corpus.xml alone gives byte-identical
EPUBs, feeds, web pages and TEI files to the build from the pages."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

from samples import PAGED_FILES, WHOLE_ISSUE_TEXT, paged_issue, web_issue

from pressout.config import Config
from pressout.export.tei import write_tei
from pressout.pipeline import BuildReport, build
from pressout.read import read_page
from pressout.read.tei import read_tei


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".pressout" not in p.parts
    }


def built_twice(source: Path, tmp_path: Path, config: Config | None = None) -> tuple[BuildReport, BuildReport, Path]:
    """Build ``source`` into ``dist``, then its ``tei/corpus.xml`` alone into ``again``:
    both without failures, with the same issues and articles, and byte-identical outputs.
    Gives both reports and the archive."""
    config = config or Config(jobs=1)
    first = build([source], tmp_path / "dist", config=config)
    archive = tmp_path / "archive.xml"
    shutil.copy(tmp_path / "dist" / "tei" / "corpus.xml", archive)
    second = build([archive], tmp_path / "again", config=config)
    assert first.failures == second.failures == ()
    assert (first.issues, first.articles) == (second.issues, second.articles)
    assert _digests(tmp_path / "dist") == _digests(tmp_path / "again")
    return first, second, archive


def test_build_from_tei_archive_is_byte_identical(tmp_path: Path, seed_paths):
    pages = tmp_path / "pages"
    pages.mkdir()
    for path in [*seed_paths, seed_paths[0].parent / "issues.toml"]:
        shutil.copy(path, pages / path.name)
    from_pages, _, _ = built_twice(pages, tmp_path)
    assert (from_pages.issues, from_pages.articles) == (5, 37)
    assert len(_digests(tmp_path / "dist")) > 60


def test_a_web_dump_page_survives_the_archive(tmp_path: Path) -> None:
    """Source fields, removed scaffolding and an unknown paper go through a build (its
    model cache, its TEI) and a build from that build's archive, byte for byte."""
    web = web_issue()
    config = Config(jobs=1)
    _, _, archive = built_twice(write_tei(web, tmp_path / "web.xml"), tmp_path, config)
    (back,) = read_tei(archive)
    # A configured language tag, where there is one, is every issue's.
    assert back.language in (web.language, config.language)
    assert dataclasses.replace(back, language=web.language) == web


CORPUS_FILES = Path(__file__).resolve().parent / "corpus" / "files"


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
    first, _, archive = built_twice(pages, tmp_path)
    back = read_tei(archive)
    assert len(back) == first.issues and all(issue.pages for issue in back)
