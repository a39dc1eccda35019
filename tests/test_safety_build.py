"""The build never loses a user's files and never crashes on them (issue 13).

One test (or more) per defect the attack run found, each through the real ``pressout``
command in a subprocess unless a fault must be simulated in-process: the output folder is
pressout's alone (defects 1, 6, 13, 14), a lock keeps two builds apart (2), one odd item
fails only its page (4), workers die with the build and leave signals to it (5, 7), sources
that are not pages are refused in one line (7, 12), and two pages never write one file (8).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from waiting import DEADLINE, wait_for  # tests/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def pressout(*args: object, cwd: Path, timeout: float = DEADLINE,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pressout.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, env=env)


def error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("pressout: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` → sha256 of its bytes (links as their target's name)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def outputs(folder: Path) -> dict[str, str]:
    """The published files (the build cache left out)."""
    return {rel: digest for rel, digest in tree(folder).items() if not rel.startswith(".pressout/")}


def working_folders(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and
                  any(f".{kind}-" in p.name for kind in ("staging", "next", "old")))


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    for page in target.iterdir():
        page.chmod(0o644)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_seeds(tmp_path / "seeds")
    return tmp_path


# --- 1. the output folder is pressout's alone ----------------------------------------------


def test_a_folder_that_holds_the_sources_is_refused(project: Path) -> None:
    """``pressout build seeds -o "$PWD"`` deleted everything in the folder, the sources
    included; ``-o .`` left a ``..next-PID`` folder in the parent. Both are refused now,
    and so is the sources' own folder; nothing is written or deleted."""
    before = tree(project)
    for out in (str(project), ".", "seeds", str(project / "seeds")):
        line = error_line(pressout("build", "seeds", "-o", out, "--force-output", cwd=project), 5)
        assert "refusing to build here" in line
        assert tree(project) == before
        assert working_folders(project) == working_folders(project.parent) == []


@pytest.mark.parametrize("where", ["/", "~"])
def test_the_root_and_home_folders_are_refused(project: Path, where: str) -> None:
    line = error_line(pressout("build", "seeds", "-o", os.path.expanduser(where), "--force-output", cwd=project), 5)
    assert "refusing to build here" in line


def test_a_folder_of_other_files_is_refused_and_with_force_output_kept(project: Path) -> None:
    """A folder that holds files of the user's is refused (exit 5, the folder named);
    with --force-output the build goes beside them and keeps every one, through later
    builds too (incremental, forced, with the spare), and never writes over one."""
    mine = project / "mine"
    (mine / "notes").mkdir(parents=True)
    (mine / "todo.txt").write_text("买报纸\n", encoding="utf-8")
    (mine / "notes" / "a.md").write_text("# a\n", encoding="utf-8")
    (mine / "empty").mkdir()
    (mine / "link").symlink_to("todo.txt")
    before = tree(mine)
    line = error_line(pressout("build", "seeds", "-o", "mine", cwd=project), 5)
    assert "mine" in line and "not a pressout output" in line and "--force-output" in line
    assert tree(mine) == before

    first = pressout("build", "seeds", "-o", "mine", "--force-output", "-q", cwd=project)
    assert first.returncode == 0, first.stderr
    assert (mine / "index.html").is_file() and (mine / "empty").is_dir()
    assert {rel: d for rel, d in tree(mine).items() if rel in before} == before
    # a file added by hand next to pressout's, in one of its folders, is kept too
    (mine / "epub" / "keep-me.txt").write_text("mine\n", encoding="utf-8")
    (project / "seeds" / "004_e799359604fa2b7c.txt").write_text(
        (SEEDS / "004_e799359604fa2b7c.txt").read_text(encoding="utf-8") + "\n本报讯 补记一段。\n", encoding="utf-8")
    for extra in ((), ("--force",), (), ("--force",)):
        again = pressout("build", "seeds", "-o", "mine", "-q", *extra, cwd=project)  # a pressout output now
        assert again.returncode == 0, again.stderr
        kept = tree(mine)
        assert {rel: d for rel, d in kept.items() if rel in before} == before
        assert (mine / "epub" / "keep-me.txt").read_text(encoding="utf-8") == "mine\n"
        assert (mine / "empty").is_dir()
        assert not any(rel.startswith(".pressout/spare/") and rel.endswith(("todo.txt", "keep-me.txt"))
                       for rel in kept)  # the user's files are not pressout's spare
    # a file of the user's where an output must go: refused, nothing replaced
    theirs = project / "theirs"
    theirs.mkdir()
    (theirs / "index.html").write_text("<p>my own front page</p>\n", encoding="utf-8")
    line = error_line(pressout("build", "seeds", "-o", "theirs", "--force-output", cwd=project), 5)
    assert "index.html" in line and "did not write" in line
    assert tree(theirs) == {"index.html": hashlib.sha256(b"<p>my own front page</p>\n").hexdigest()}
    assert working_folders(project) == []


def test_the_repository_dist_folder_counts_as_empty(project: Path) -> None:
    """The checkout's dist/ holds only its README.md: the quickstart builds there, and the
    README stays."""
    (project / "dist").mkdir()
    (project / "dist" / "README.md").write_text("what this folder is\n", encoding="utf-8")
    result = pressout("build", "seeds", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "dist" / "README.md").read_text(encoding="utf-8") == "what this folder is\n"
    again = pressout("build", "seeds", "-q", "--force", cwd=project)
    assert again.returncode == 0 and (project / "dist" / "README.md").is_file()


def test_missing_parent_folders_are_made(project: Path) -> None:
    result = pressout("build", "seeds", "-o", "new/sub/site", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "new" / "sub" / "site" / "index.html").is_file()
    assert working_folders(project / "new" / "sub") == []


def test_a_symlinked_output_folder_is_built_in_its_target(project: Path) -> None:
    """The link stays a link, its target is the new build, and nothing is left beside."""
    (project / "real").mkdir()
    (project / "site").symlink_to("real")
    for extra in ((), ("--force",), ()):
        result = pressout("build", "seeds", "-o", "site", "-q", *extra, cwd=project)
        assert result.returncode == 0, result.stderr
        assert (project / "site").is_symlink() and os.readlink(project / "site") == "real"
        assert (project / "real" / "index.html").is_file()
        assert working_folders(project) == []


def test_a_failed_first_build_leaves_no_folder(project: Path) -> None:
    (project / "bad").mkdir()
    (project / "bad" / "a.txt").write_bytes(b"\x00\x01 not text")
    result = pressout("build", "bad", "-o", "out", cwd=project)
    assert result.returncode == 3, result.stderr
    assert not (project / "out").exists() and working_folders(project) == []


# --- 2. the lock -----------------------------------------------------------------------------


def test_two_builds_at_once_never_corrupt_the_output(project: Path) -> None:
    """20 pairs of builds of one output folder started together: each build either
    finishes or is refused at once with the lock's one-line error (exit 75); with --wait
    both finish. After each pair the corpus is well-formed and the outputs are exactly a
    clean build's."""
    reference = project / "reference"
    assert pressout("build", "seeds", "-o", reference, "-q", "-j", "1", cwd=project).returncode == 0
    expected = outputs(reference)
    codes: list[int] = []

    def one(extra: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return pressout("build", "seeds", "-o", "out", "-q", "-j", "1", "--force", *extra, cwd=project)

    with ThreadPoolExecutor(2) as pool:
        for n in range(20):
            extra = ("--wait",) if n % 2 else ()
            results = list(pool.map(one, [extra, extra]))
            for result in results:
                codes.append(result.returncode)
                if result.returncode != 0:
                    assert not extra, result.stderr
                    line = error_line(result, 75)
                    assert "another pressout build" in line and "--wait" in line
            assert any(r.returncode == 0 for r in results), [r.stderr for r in results]
            etree.parse(str(project / "out" / "tei" / "corpus.xml"))
            assert outputs(project / "out") == expected
            assert working_folders(project) == []
    assert pressout("build", "seeds", "-o", "out", "--json", cwd=project).stdout.count('"changed": false') == 1
    assert codes.count(0) >= 30  # the --wait half always both


def test_a_lock_left_by_a_killed_build_is_taken_over(project: Path) -> None:
    """A lock dies with its process: the lock file a killed build leaves is no obstacle."""
    assert pressout("build", "seeds", "-q", cwd=project).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys\n"
        "fd = os.open('dist/.pressout/lock', os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n")],  # holds the lock until it is killed (or its stdin closed), however long that takes
        cwd=project, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        busy = pressout("build", "seeds", "--force", cwd=project)
        error_line(busy, 75)
        holder.kill()
        holder.wait()
        result = pressout("build", "seeds", "--force", "-q", cwd=project)
        assert result.returncode == 0, result.stderr
    finally:
        holder.kill()
        holder.wait()


# --- 4. one odd item, one bug: only that page fails ------------------------------------------


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from pressout.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


def test_a_bug_in_one_page_fails_that_page_only(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """An exporter that raises (a bug, simulated) on one page: that page is a failure
    (exit 1) whose one line names it and the crash log holding the traceback; the other
    pages are built."""
    import pressout.export.tei as tei

    real = tei.tei_documents

    def broken(issue: object, **kwargs: object) -> object:
        if getattr(issue, "source", "").startswith("002_"):
            raise ValueError("simulated bug")
        return real(issue, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tei, "tei_documents", broken)
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_STATE_HOME", str(project / "state"))
    code, err = run_main(["build", "seeds", "-q", "-j", "1"], capsys)
    assert code == 1 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("pressout: error:")]
    assert len(lines) == 1 and "002_" in lines[0] and "internal error" in lines[0] and "ValueError" in lines[0]
    log = lines[0].rsplit("the traceback is in ", 1)[1]
    assert log.startswith(str(project / "state")) and "simulated bug" in Path(log).read_text(encoding="utf-8")
    assert len(list((project / "dist" / "epub").glob("*.epub"))) == 4


def test_a_bug_outside_the_pages_exits_70_with_a_crash_log(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A bug in the archive-wide work (the front page, simulated): exit 70, one line that
    says it is a bug and names the log with the traceback; the earlier output stays."""
    assert pressout("build", "seeds", "-q", cwd=project).returncode == 0
    before = tree(project / "dist")
    import pressout.export.site as site

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(site, "iter_site", broken)
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_STATE_HOME", str(project / "state"))
    code, err = run_main(["build", "seeds", "--force", "-q", "-j", "1"], capsys)
    assert code == 70 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "internal error" in err and "RuntimeError" in err
    log = Path(err.strip().rsplit("the traceback is in ", 1)[1])
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert tree(project / "dist") == before and working_folders(project) == []


# --- 5 and 7. signals and workers ------------------------------------------------------------


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """60 pages (the seeds under twelve names each)."""
    (tmp_path / "pages").mkdir()
    for n in range(12):
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, tmp_path / "pages" / f"p{n:02}_{seed.name}")
    return tmp_path


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        here = todo.pop()
        try:
            kids = {int(c) for c in Path(f"/proc/{here}/task/{here}/children").read_text().split()}
        except OSError:
            kids = set()
        found |= kids
        todo.extend(kids)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def _start_build(folder: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "pressout.cli", "build", "pages", "--force", "-j", "2"],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    wait_for(lambda: proc.poll() is not None or len(_descendants(proc.pid)) >= 2, "no workers started")
    assert proc.poll() is None, proc.communicate()
    return proc


def test_sigkill_of_the_build_leaves_no_worker(many: Path) -> None:
    for _ in range(3):
        proc = _start_build(many)
        workers = _descendants(proc.pid)
        proc.kill()
        proc.communicate(timeout=DEADLINE)  # workers left alive would hold its pipes open
        wait_for(lambda w=workers: not any(_alive(pid) for pid in w), "worker processes outlived the build")
    result = pressout("build", "pages", "-q", cwd=many)  # and the next build cleans up after it
    assert result.returncode == 0, result.stderr
    assert working_folders(many) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_process_group_prints_one_line(many: Path, sig: signal.Signals, code: int) -> None:
    """Ctrl-C at a terminal goes to the whole process group, workers included: the build
    says so once, with no worker's KeyboardInterrupt traceback, and leaves nothing."""
    assert pressout("build", "pages", "-q", cwd=many).returncode == 0
    before = tree(many / "dist")
    for _ in range(3):
        proc = _start_build(many)
        workers = _descendants(proc.pid)
        os.killpg(proc.pid, sig)
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == code, err
        assert err.strip().splitlines()[-1] == "pressout: interrupted" and "Traceback" not in err, err
        assert "KeyboardInterrupt" not in err and err.count("pressout: interrupted") == 1, err
        wait_for(lambda w=workers: not any(_alive(pid) for pid in w), "worker processes were left running")
        assert tree(many / "dist") == before and working_folders(many) == []


# --- 7 and 12. sources that are not pages --------------------------------------------------


def test_a_looping_symlink_among_the_sources(project: Path) -> None:
    os.symlink("loop.txt", project / "seeds" / "loop.txt")
    result = pressout("build", "seeds", "-q", cwd=project)
    line = error_line(result, 1)  # the other pages are built
    assert "loop.txt" in line
    named = pressout("build", str(project / "seeds" / "loop.txt"), cwd=project)
    assert "symbolic link" in error_line(named, 3)


@pytest.mark.parametrize("kind", ["fifo", "device", "too big"])
def test_sources_that_are_not_page_files(project: Path, kind: str) -> None:
    """/dev/zero was read without limit and a FIFO hung the build: each is refused in
    one line, at once."""
    if kind == "fifo":
        source = project / "pipe.txt"
        os.mkfifo(source)
    elif kind == "device":
        source = Path("/dev/zero")
    else:
        source = project / "big.txt"
        source.write_text("本报讯 " + "很长的一段。" * 20000, encoding="utf-8")
        (project / "pressout.toml").write_text("[build]\nmax_page_bytes = 102400\n", encoding="utf-8")
    result = pressout("build", source, "seeds", "-o", "out", cwd=project)  # a FIFO opened would hang it
    line = error_line(result, 1)
    assert str(source.name) in line
    assert {"fifo": "FIFO", "device": "device", "too big": "larger than"}[kind] in line


# --- 8. two pages, one file -----------------------------------------------------------------


def test_two_pages_never_write_one_file(project: Path) -> None:
    """Pages b.txt and b-vertical.txt with the vertical edition on both wrote
    epub/b-vertical.epub: their ids differ now (a derived id never ends as an edition's
    name does), and each page's outputs are its own."""
    pages = project / "pages"
    pages.mkdir()
    text = (SEEDS / "003_6aa299da6edd33b0.txt").read_text(encoding="utf-8")
    (pages / "b.txt").write_text(text, encoding="utf-8")
    (pages / "b-vertical.txt").write_text(text + "\n本报讯 另一页。\n", encoding="utf-8")
    (project / "pressout.toml").write_text('[publication]\nslug = "b"\n[epub]\nvertical = true\n',
                                           encoding="utf-8")
    result = pressout("build", "pages", "-o", "out", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    sources = {json.loads(m.read_text(encoding="utf-8"))["source"]: m.stem
               for m in (project / "out" / ".pressout" / "models").glob("*.json")}
    assert set(sources) == {"b.txt", "b-vertical.txt"}
    epubs = {p.name for p in (project / "out" / "epub").iterdir()}
    assert epubs == {f"{ident}{suffix}.epub" for ident in sources.values() for suffix in ("", "-vertical")}
    assert len(epubs) == 4


def test_an_issue_named_like_the_corpus_is_a_failure(project: Path) -> None:
    """A TEI archive whose issue id is ``corpus`` would write tei/corpus.xml over the
    corpus: that issue fails (exit 1, one line naming the file), the others are built and
    the corpus is the corpus."""
    assert pressout("build", "seeds", "-o", "first", "-q", cwd=project).returncode == 0
    archive = (project / "first" / "tei" / "tyrb-2025-11-10-a.xml").read_text(encoding="utf-8")
    assert archive.count('xml:id="tyrb-2025-11-10-a"') == 1
    (project / "odd").mkdir()
    (project / "odd" / "x.xml").write_text(archive.replace('xml:id="tyrb-2025-11-10-a"', 'xml:id="corpus"'),
                                           encoding="utf-8")
    result = pressout("build", "seeds", "odd", "-o", "out", cwd=project)
    line = error_line(result, 1)
    assert "x.xml" in line and "tei/corpus.xml" in line
    corpus = etree.parse(str(project / "out" / "tei" / "corpus.xml")).getroot()
    assert corpus.tag == "{http://www.tei-c.org/ns/1.0}teiCorpus"


# --- 14. a read-only folder in an old output -------------------------------------------------


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder anyone may write (for a build run as another user)."""
    folder = Path(tempfile.mkdtemp(prefix="pressout-ro-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(folder)


def _as_user(function: Callable[[], int]) -> int:
    """``function()`` run by a user who is not root (nobody) when the tests run as root,
    in a forked child (everything it needs already imported here: root's files are not
    nobody's to read); else in-process. Its return value, an exit code."""
    if not IS_ROOT:
        return function()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            code = function()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_read_only_folder_left_in_an_old_output(shared_folder: Path) -> None:
    """A folder of the output made read-only by hand: the next builds succeed (the old
    generations' copies are made writable to be removed), name no working folder and
    leave none behind."""
    import pressout.export.epub  # noqa: F401 - everything a build imports, before the fork
    import pressout.export.feed  # noqa: F401
    import pressout.export.site  # noqa: F401
    import pressout.export.tei  # noqa: F401
    import pressout.jsonio  # noqa: F401
    import pressout.read  # noqa: F401
    import pressout.read.tei  # noqa: F401
    from pressout.cli import main
    from pressout.read import read_page

    for seed in SEEDS.glob("*.txt"):
        read_page(seed)  # the reader's lazy parts too
    warm = shared_folder / "warm"  # a build as root first: every module a build imports
    with pytest.raises(SystemExit):
        main(["build", str(SEEDS), "-o", str(warm), "-q", "-j", "1"])
    shutil.rmtree(warm)
    pages = shared_folder / "pages"
    copy_seeds(pages)
    for path in [pages, *pages.iterdir()]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    out = shared_folder / "out"

    def build(*extra: str) -> int:
        try:
            main(["build", str(pages), "-o", str(out), "-q", "-j", "1", *extra])
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    assert _as_user(build) == 0
    (out / "epub").chmod(0o555)
    (out / "issues").chmod(0o555)
    page = pages / "004_e799359604fa2b7c.txt"
    for n in range(4):  # the read-only folders go through the spare and back
        page.write_text((SEEDS / page.name).read_text(encoding="utf-8") + f"\n本报讯 补记{n}。\n", encoding="utf-8")
        assert _as_user(lambda n=n: build(*(("--force",) if n == 2 else ()))) == 0, n
        assert working_folders(shared_folder) == [], n
        assert (out / "index.html").is_file()


def test_an_unreadable_source_folder_is_one_line(shared_folder: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A source folder the user may not read (as a user who is not root): one line naming
    it, exit 3, no traceback."""
    import pressout.read.meta  # noqa: F401 - what the failing build imports, before the fork
    from pressout.cli import main

    locked = shared_folder / "locked"
    copy_seeds(locked)
    locked.chmod(0o000)

    def build() -> int:
        try:
            main(["build", str(locked), "-o", str(shared_folder / "out"), "-q"])
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    try:
        code = _as_user(build)
    finally:
        locked.chmod(0o755)
    err = capfd.readouterr().err
    assert code == 3, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    assert "locked" in err and "cannot read the folder" in err
    assert not (shared_folder / "out").exists()
