"""Where the public writers write: a path that ends with a slash or is an existing folder
means "into this folder" (made if missing), under the file's usual name; any other path is
the file itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from samples import sample_issue

from pressout.errors import OutputError
from pressout.export.epub import epub_bytes, epub_name, write_epub
from pressout.export.feed import write_feeds
from pressout.export.site import write_site
from pressout.export.tei import tei_bytes, write_tei


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


# --- write_epub ----------------------------------------------------------------------------


@pytest.mark.parametrize("slash", sorted({"/", os.sep}))
def test_epub_trailing_slash_makes_the_folder(tmp_path: Path, slash: str) -> None:
    issue = sample_issue()
    written = write_epub(issue, f"{tmp_path / 'out' / 'books'}{slash}", vertical=True)
    assert written == tmp_path / "out" / "books" / epub_name(issue, vertical=True)
    assert written.read_bytes() == epub_bytes(issue, vertical=True)
    assert listing(tmp_path) == ["out", "out/books", f"out/books/{epub_name(issue, vertical=True)}"]


def test_epub_relative_folder_with_slash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The README's call: write_epub(issue, "out/") in a folder without out/ writes into out/,
    # not a file named "out".
    monkeypatch.chdir(tmp_path)
    issue = sample_issue()
    written = write_epub(issue, "out/")
    assert written == Path("out") / epub_name(issue)
    assert (tmp_path / "out").is_dir()
    assert listing(tmp_path) == ["out", f"out/{epub_name(issue)}"]


@pytest.mark.parametrize("kind", [str, Path])
def test_epub_existing_folder(tmp_path: Path, kind: type) -> None:
    issue = sample_issue()
    folder = tmp_path / "books"
    folder.mkdir()
    written = write_epub(issue, kind(folder))
    assert written == folder / epub_name(issue)
    assert written.read_bytes() == epub_bytes(issue)


def test_epub_file_path(tmp_path: Path) -> None:
    issue = sample_issue()
    written = write_epub(issue, tmp_path / "book")  # no extension, no slash, not there: a file
    assert written == tmp_path / "book"
    assert written.is_file()
    assert written.read_bytes() == epub_bytes(issue)
    assert listing(tmp_path) == ["book"]


def test_epub_slash_after_a_file_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"x")
    with pytest.raises(OutputError):
        write_epub(sample_issue(), f"{tmp_path / 'taken'}/")
    assert (tmp_path / "taken").read_bytes() == b"x"


def test_epub_failure_makes_no_folder(tmp_path: Path) -> None:
    from dataclasses import replace

    with pytest.raises(OutputError):
        write_epub(replace(sample_issue(), articles=()), f"{tmp_path / 'out'}/")
    assert listing(tmp_path) == []


# --- write_tei -----------------------------------------------------------------------------


@pytest.mark.parametrize("slash", sorted({"/", os.sep}))
def test_tei_trailing_slash_makes_the_folder(tmp_path: Path, slash: str) -> None:
    issue = sample_issue()
    written = write_tei(issue, f"{tmp_path / 'out' / 'tei'}{slash}")
    assert written == tmp_path / "out" / "tei" / f"{issue.id}.xml"
    assert written.read_bytes() == tei_bytes(issue)
    assert listing(tmp_path) == ["out", "out/tei", f"out/tei/{issue.id}.xml"]


@pytest.mark.parametrize("kind", [str, Path])
def test_tei_existing_folder(tmp_path: Path, kind: type) -> None:
    issue = sample_issue()
    written = write_tei(issue, kind(tmp_path), keep_breaks=False)
    assert written == tmp_path / f"{issue.id}.xml"
    assert written.read_bytes() == tei_bytes(issue, keep_breaks=False)
    assert listing(tmp_path) == [f"{issue.id}.xml"]


def test_tei_file_path(tmp_path: Path) -> None:
    issue = sample_issue()
    written = write_tei(issue, tmp_path / "archive" / "issue")  # its folder is made, as before
    assert written == tmp_path / "archive" / "issue"
    assert written.read_bytes() == tei_bytes(issue)
    assert listing(tmp_path) == ["archive", "archive/issue"]


# --- write_feeds, write_site: always a folder ----------------------------------------------


@pytest.mark.parametrize("writer", [write_feeds, write_site])
def test_web_writers_make_their_folder(tmp_path: Path, writer) -> None:
    out = tmp_path / "a" / "web"
    written = writer([sample_issue()], out)
    assert out.is_dir()
    assert written and all(out in path.parents for path in written)
