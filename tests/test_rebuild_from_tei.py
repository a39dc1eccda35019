"""The TEI archive is enough: a build from dist/tei/corpus.xml alone gives byte-identical
EPUBs, feeds, web pages and TEI files to the build from the pages."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pressout.config import Config
from pressout.pipeline import build


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
