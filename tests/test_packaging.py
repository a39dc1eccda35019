"""What ships: the wheel carries the style sheets and py.typed; the CSS is found both from an
installed package and from a source checkout (python -m pressout in the repository)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

import pressout.export.css as css


def test_wheel_carries_styles_and_types(tmp_path: Path):
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    (wheel,) = tmp_path.glob("pressout-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("article.css", "epub.css", "vertical.css", "site.css"):
        assert f"pressout/styles/{name}" in names
    assert "pressout/py.typed" in names
    assert any(n.endswith("LICENSE") for n in names)
    for name in ("tei_all.rng", "atom-rfc4287.rng", "README.md"):  # the schemas, with their licences
        assert f"pressout/schemas/{name}" in names


def test_style_sheets_found_from_a_checkout(monkeypatch):
    """When the checkout's pressout/ shadows the installed package, pressout.styles is not
    importable: the top-level styles/ folder is used."""

    def missing(_name):
        raise ModuleNotFoundError("pressout.styles")

    css.stylesheet.cache_clear()
    monkeypatch.setattr(css.resources, "files", missing)
    try:
        assert css.stylesheet("article.css") == (ROOT / "styles" / "article.css").read_bytes()
        assert css.stylesheet("no-such.css") is None
    finally:
        css.stylesheet.cache_clear()
