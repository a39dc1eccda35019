"""Shared fixtures: the seed pages, the shared schemas, and where the validators live.

Validators are never skipped: a test that needs one and cannot find it fails and says how
to install it (``bash tools/install-test-tools.sh``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SHARED = Path(os.environ.get("PRESSOUT_SHARED", ROOT.parent / "shared"))
# The shared schemas when they are there, else the copies the package ships (a fresh clone).
SCHEMAS = SHARED / "schemas" if (SHARED / "schemas" / "tei_all.rng").is_file() else ROOT / "pressout" / "schemas"
TOOLS = Path(os.environ.get("PRESSOUT_TOOLS", Path.home() / ".cache" / "pressout-tools"))
INSTALL_HINT = "run `bash tools/install-test-tools.sh`"


def require_tool(name: str) -> str:
    """The path of an external tool the tests need; fails the test when it is missing."""
    candidates = {
        "ace": [os.environ.get("PRESSOUT_ACE"), str(TOOLS / "ace/node_modules/.bin/ace-cli")],
        "epubcheck": [os.environ.get("PRESSOUT_EPUBCHECK_JAR")],
    }.get(name, [])
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if name == "epubcheck":
        try:
            import epubcheck  # the PyPI wheel carries the jar

            jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
            if jar.exists():
                return str(jar)
        except ImportError:
            pass
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"{name} is not installed: {INSTALL_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    assert len(SEEDS) == 5, "the five seed pages must be in seeds/"
    return SEEDS


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    if not (SCHEMAS / "tei_all.rng").exists():
        pytest.fail(f"schemas not found at {SCHEMAS} (shipped in pressout/schemas/)", pytrace=False)
    return SCHEMAS


@pytest.fixture(scope="session")
def tei_relaxng(schemas_dir: Path):
    """tei_all.rng compiled once per test session (it takes about 9 s)."""
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(schemas_dir / "tei_all.rng")))
