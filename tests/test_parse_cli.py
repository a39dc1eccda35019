"""``pressout parse``: the JSON contract other checks read, the outline, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import DEADLINE  # tests/ is on sys.path

ARTICLE_KEYS = {
    "id",
    "kind",
    "title",
    "display_title",
    "kicker",
    "subtitle",
    "column",
    "dateline",
    "contributors",
    "body",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressout", *args], capture_output=True, text=True, timeout=DEADLINE
    )


def test_json_contract(seed_paths):
    for path in seed_paths:
        result = run("parse", str(path), "--json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert {"source", "id", "publication", "date", "language", "articles"} <= set(data)
        assert data["language"] == "zh-CN" and data["publication"] == "太原日报"
        assert data["date"] is None or len(data["date"]) == 10
        for article in data["articles"]:
            assert ARTICLE_KEYS <= set(article)
            assert article["kind"] in ("article", "photo", "notice")
            assert article["title"] is None or isinstance(article["title"], str)
            assert all(set(c) == {"name", "role"} for c in article["contributors"])
            for block in article["body"]:
                assert block["type"] in ("paragraph", "subhead", "figure", "note") and "text" in block
            for figure in (b for b in article["body"] if b["type"] == "figure"):
                names = {c["name"] for c in article["contributors"] if c["role"] == "photographer"}
                assert set(figure["photographers"]) <= names


def test_outline_is_a_readable_table(seed_paths):
    result = run("parse", str(seed_paths[4]))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("太原日报 2021年12月10日")
    assert any("韦韬与安永中国主席陈凯举行工作会谈" in line and "赵继钊(记者)" in line for line in lines)
    assert any(line.split()[1:2] == ["photo"] for line in lines if line.strip()[:1].isdigit())


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b" \n\t\n", "page has no text"),
        ("binary.txt", bytes(range(256)) * 4, "binary file (NUL byte at offset 0)"),
        (
            "latin1.txt",
            "标题\n\n正文。".encode() + "Café crème brûlée".encode("latin-1") * 3,
            "invalid UTF-8 at byte offset",
        ),
    ],
)
def test_bad_pages_are_one_line_errors(tmp_path: Path, name: str, data: bytes, expected: str):
    page = tmp_path / name
    page.write_bytes(data)
    result = run("parse", str(page))
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"pressout: error: {page}: ") and expected in result.stderr


def test_missing_file_and_folder(tmp_path: Path):
    for target, expected in ((tmp_path / "nope.txt", "no such file"), (tmp_path, "is a folder")):
        result = run("parse", str(target))
        assert result.returncode == 3 and expected in result.stderr and "Traceback" not in result.stderr


def test_wrong_encoding_can_be_overridden(tmp_path: Path, seed_paths):
    page = tmp_path / "gbk.txt"
    page.write_bytes(seed_paths[0].read_text(encoding="utf-8").encode("gb18030"))
    forced = run("parse", str(page), "--encoding", "utf-8")
    assert forced.returncode == 3 and "not valid utf-8" in forced.stderr
    guessed = run("parse", str(page), "--json")
    assert guessed.returncode == 0 and "走进上海" in guessed.stdout
    unknown = run("parse", str(page), "--encoding", "klingon")
    assert unknown.returncode == 3 and "unknown encoding" in unknown.stderr
