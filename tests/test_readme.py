"""The README's examples run: every ```python block, and the command lines of "Using it ›
Command line", each in a fresh folder holding a copy of ``seeds/`` (the examples' paths are
relative to the repository root), with this checkout's ``pressout`` on the path."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

# Command lines of the section that are not run here, and why: every other line is run.
NOT_RUN = {
    "serve": "serves until stopped; tests/test_serve.py covers the server",
    "validate": "needs EPUBCheck, Ace and the schemas; tests/test_cli.py and tests/test_epub_validators.py cover it",
    "ping": "needs a WebSub hub on the network; tests/test_sections.py covers it with a local one",
}


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a Markdown heading line) up to the next heading of the
    same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(f"\n{heading}\n")
    end = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(text, start + len(heading) + 2)
    return text[start : end.start() if end else len(text)]


def command_lines() -> list[str]:
    """The command lines of "Command line", without their comments: a line with optional
    parts (``[--vertical]``) once without them and once with them."""
    lines = []
    for block in blocks(section(README, "### Command line"), "sh"):
        for line in block.splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()  # a comment
            if not line:
                continue
            lines.append(re.sub(r"\s*\[[^\]]*\]", "", line))
            if "[" in line:
                lines.append(re.sub(r"\[([^\]]*)\]", r"\1", line))
    return lines


PYTHON_BLOCKS = blocks(README, "python")
COMMANDS = command_lines()
RUN = [line for line in COMMANDS if line.split()[1] not in NOT_RUN]


def workdir(tmp_path: Path) -> Path:
    """A fresh folder with the seeds as ``seeds/`` and again as ``pages/`` (the folder the
    examples name for other sources)."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "seeds", work / "seeds")
    shutil.copytree(ROOT / "seeds", work / "pages")
    return work


def environment() -> dict[str, str]:
    """This checkout's package first on the path, whatever is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def test_readme_has_examples() -> None:
    assert PYTHON_BLOCKS, "no ```python block found in README.md"
    assert all(line.startswith("pressout ") for line in COMMANDS), COMMANDS
    assert any(line.startswith("pressout build") for line in RUN), COMMANDS
    named = {line.split()[1] for line in COMMANDS}
    assert set(NOT_RUN) <= named, f"NOT_RUN names commands the README no longer shows: {set(NOT_RUN) - named}"


def _run(args: list[str], work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=work, env=environment(), capture_output=True, text=True, encoding="utf-8",
                          timeout=300)


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=[f"python-{n}" for n in range(1, len(PYTHON_BLOCKS) + 1)])
def test_python_block_runs(code: str, tmp_path: Path) -> None:
    work = workdir(tmp_path)
    (work / "example.py").write_text(code, encoding="utf-8")
    run = _run([sys.executable, "example.py"], work)
    assert run.returncode == 0, f"README example exited {run.returncode}:\n{code}\n--- stderr:\n{run.stderr}"


@pytest.mark.parametrize("line", RUN)
def test_command_line_runs(line: str, tmp_path: Path) -> None:
    work = workdir(tmp_path)
    # Through the shell, for its globs (seeds/*.txt); `pressout` is this Python's module.
    command = f"{shlex.quote(sys.executable)} -m pressout{line.removeprefix('pressout')}"
    run = _run(["bash", "-c", command], work)
    assert run.returncode == 0, f"`{line}` exited {run.returncode}:\n--- stderr:\n{run.stderr}"
