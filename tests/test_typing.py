"""The package type-checks: ``mypy`` (strict, configured in pyproject.toml) finds nothing.

mypy is in the ``test`` extra, with ``lxml-stubs``; a missing mypy fails this test, it is
never skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def test_mypy_strict_clean(tmp_path: Path):
    run = subprocess.run(
        # The configuration ([tool.mypy] in pyproject.toml) names the files: the package.
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if run.returncode != 0:
        pytest.fail(f"mypy exited {run.returncode}:\n{run.stdout}{run.stderr}", pytrace=False)
