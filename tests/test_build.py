"""``pressout build``: incremental rebuilds, parallel determinism, output streams, big pages.

Everything runs the real command in a subprocess (``python -m pressout.cli``), as the desk
runs it, except where the library function itself is the subject.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pressout.config import load_config
from pressout.pipeline import BuildReport, build

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CACHE = ".pressout"


def pressout(*args: object, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressout.cli", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def outputs(folder: Path) -> dict[str, str]:
    """Every output file (the build cache left out) → sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and CACHE not in p.relative_to(folder).parts}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file, cache included → (inode, mtime): unchanged when nothing was written."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    for page in target.iterdir():  # the seeds are read-only in the checkout
        page.chmod(0o644)
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds (as seeds/) built once into dist/ with the default command."""
    folder = tmp_path_factory.mktemp("build")
    copy_seeds(folder / "seeds")
    ok(pressout("build", "-q", cwd=folder))
    return folder


# --- the no-change build ---------------------------------------------------------------------


def test_second_build_rebuilds_nothing_and_says_so(project: Path) -> None:
    before = stats(project / "dist")
    result = ok(pressout("build", "--json", cwd=project))
    report = json.loads(result.stdout)
    assert report["changed"] is False and report["rebuilt"] == 0 and report["reused"] == 5
    assert report["issues"] == 5 and report["outputs"] == len(outputs(project / "dist"))
    assert "nothing to rebuild" in result.stderr
    assert stats(project / "dist") == before  # not one file written, not even the manifest


def test_second_build_is_ten_times_faster(tmp_path: Path) -> None:
    """Wall time of the whole command, first build against the no-change build.

    The folder holds 1,000 pages (the five seeds under 200 names each: a few months of
    a paper), not just the five seeds: the no-change command cannot take less than the
    start-up of the interpreter and the command line (about 0.13 s here), and the five
    seeds build in about 0.45 s, so on them the ratio is capped near 4 by start-up, not by
    the work skipped. (200 pages were enough until the full build got faster: on tmpfs
    they built in 1.26 s, 9.2 times the no-change build; 400 pages gave 2.22 s against
    0.21 s.) The no-change time is the best of three runs, so that another process on the
    machine does not decide the result."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(200):
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, pages / f"p{n:02d}_{seed.name}")
    start = time.perf_counter()
    ok(pressout("build", "pages", "-q", cwd=tmp_path))
    first = time.perf_counter() - start
    again = []
    for _ in range(3):
        start = time.perf_counter()
        result = ok(pressout("build", "pages", cwd=tmp_path))
        again.append(time.perf_counter() - start)
        assert "nothing to rebuild" in result.stderr
    assert first >= 10 * min(again), (first, again)


def test_deleted_output_is_rebuilt(tmp_path: Path) -> None:
    """An output removed by hand is noticed: the next build puts it back."""
    copy_seeds(tmp_path / "seeds")
    ok(pressout("build", "-q", cwd=tmp_path))
    clean = outputs(tmp_path / "dist")
    for rel in ("epub/tyrb-2021-12-10-a.epub", "index.html"):
        (tmp_path / "dist" / rel).unlink()
        result = ok(pressout("build", "--json", cwd=tmp_path))
        assert json.loads(result.stdout)["changed"] is True
        assert outputs(tmp_path / "dist") == clean


# --- what is rebuilt --------------------------------------------------------------------------


def test_jobs_do_not_change_the_output(project: Path, tmp_path: Path) -> None:
    ok(pressout("build", "seeds", "-o", tmp_path / "one", "-j", "1", "-q", cwd=project))
    ok(pressout("build", "seeds", "-o", tmp_path / "two", "-j", "2", "-q", cwd=project))
    one, two = outputs(tmp_path / "one"), outputs(tmp_path / "two")
    assert one == two
    assert one == outputs(project / "dist")  # and the same as the default (one job per core)
    assert len(one) > 50


def test_force_rebuilds_everything(project: Path) -> None:
    before = outputs(project / "dist")
    report = json.loads(ok(pressout("build", "--force", "--json", cwd=project)).stdout)
    assert report["rebuilt"] == 5 and report["reused"] == 0 and report["changed"] is True
    assert outputs(project / "dist") == before  # deterministic


def test_changed_page_rebuilds_only_that_page(tmp_path: Path) -> None:
    copy_seeds(tmp_path / "seeds")
    ok(pressout("build", "-q", cwd=tmp_path))
    page = tmp_path / "seeds" / "002_6d3b14249bc8cb53.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("调度令", "调度命令", 1), encoding="utf-8")
    report = json.loads(ok(pressout("build", "--json", cwd=tmp_path)).stdout)
    assert report["rebuilt"] == 1 and report["reused"] == 4
    # the same as a clean build of the changed pages
    ok(pressout("build", "seeds", "-o", "clean", "-q", cwd=tmp_path))
    assert outputs(tmp_path / "dist") == outputs(tmp_path / "clean")
    assert "调度命令" in (tmp_path / "dist" / "tei" / "tyrb-2022-07-29-a.xml").read_text(encoding="utf-8")


def test_changed_sidecar_entry_rebuilds_that_page(tmp_path: Path) -> None:
    copy_seeds(tmp_path / "seeds")
    ok(pressout("build", "-q", cwd=tmp_path))
    sidecar = tmp_path / "seeds" / "issues.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("date = 2025-11-10", "date = 2025-11-11"),
                       encoding="utf-8")
    report = json.loads(ok(pressout("build", "--json", cwd=tmp_path)).stdout)
    assert report["rebuilt"] == 1
    assert (tmp_path / "dist" / "epub" / "tyrb-2025-11-11-a.epub").is_file()
    assert not (tmp_path / "dist" / "epub" / "tyrb-2025-11-10-a.epub").exists()


def test_changed_config_rebuilds(tmp_path: Path) -> None:
    copy_seeds(tmp_path / "seeds")
    ok(pressout("build", "-q", cwd=tmp_path))
    (tmp_path / "pressout.toml").write_text('[site]\nbase_url = "https://news.example.org/tyrb"\n', encoding="utf-8")
    report = json.loads(ok(pressout("build", "--json", cwd=tmp_path)).stdout)
    assert report["changed"] is True and report["rebuilt"] == 5
    atom = (tmp_path / "dist" / "atom.xml").read_text(encoding="utf-8")
    assert "https://news.example.org/tyrb/" in atom and "127.0.0.1" not in atom
    assert json.loads(ok(pressout("build", "--json", cwd=tmp_path)).stdout)["changed"] is False


def test_style_sheets_from_config(tmp_path: Path) -> None:
    """[build] styles replaces the web edition's shipped style sheets; editing one rebuilds."""
    copy_seeds(tmp_path / "seeds")
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "site.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    (tmp_path / "pressout.toml").write_text('[build]\nstyles = "house"\n', encoding="utf-8")
    ok(pressout("build", "-q", cwd=tmp_path))
    assert (tmp_path / "dist" / "styles" / "site.css").read_text(encoding="utf-8") == "body { color: #123456; }\n"
    (tmp_path / "house" / "site.css").write_text("body { color: #654321; }\n", encoding="utf-8")
    assert json.loads(ok(pressout("build", "--json", cwd=tmp_path)).stdout)["changed"] is True
    assert "#654321" in (tmp_path / "dist" / "styles" / "site.css").read_text(encoding="utf-8")
    # A house article.css reaches the EPUBs too (and the web edition, which shares it).
    (tmp_path / "house" / "article.css").write_text("p { text-indent: 3em; }\n", encoding="utf-8")
    ok(pressout("build", "-q", cwd=tmp_path))
    import zipfile

    book = next((tmp_path / "dist" / "epub").glob("*.epub"))
    with zipfile.ZipFile(book) as z:
        assert z.read("EPUB/styles/article.css") == b"p { text-indent: 3em; }\n"
    assert (tmp_path / "dist" / "styles" / "article.css").read_bytes() == b"p { text-indent: 3em; }\n"


# --- what the command prints -------------------------------------------------------------------


def test_json_summary_alone_on_stdout(project: Path, tmp_path: Path) -> None:
    result = ok(pressout("build", "seeds", "-o", tmp_path / "out", "--json", cwd=project))
    report = json.loads(result.stdout)  # stdout is the JSON document and nothing else
    assert set(report) >= {"issues", "articles", "outputs", "rebuilt", "reused", "warnings", "failures",
                           "seconds", "exit_code"}
    assert report["issues"] == 5 and report["exit_code"] == 0
    assert "read 5/5" in result.stderr and "built 5 issues" in result.stderr  # progress on stderr


def test_progress_goes_to_stderr_only(project: Path, tmp_path: Path) -> None:
    result = ok(pressout("build", "seeds", "-o", tmp_path / "out", "-v", cwd=project))
    assert result.stdout == ""
    assert "read" in result.stderr and "warning PO" in result.stderr and "built 5 issues" in result.stderr


def test_quiet_prints_nothing_on_success(project: Path, tmp_path: Path) -> None:
    result = ok(pressout("build", "seeds", "-o", tmp_path / "out", "--quiet", cwd=project))
    assert result.stdout == "" and result.stderr == ""
    result = ok(pressout("build", "seeds", "-o", tmp_path / "out", "--quiet", cwd=project))
    assert result.stdout == "" and result.stderr == ""


def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    pages = copy_seeds(tmp_path / "pages")
    (pages / "bad.txt").write_bytes(b"")
    result = pressout("build", "pages", "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"pressout: error: {pages / 'bad.txt'}: file is empty"]


# --- the library -------------------------------------------------------------------------------


def test_library_build(tmp_path: Path) -> None:
    copy_seeds(tmp_path / "seeds")
    seen: list[str] = []
    report = build([tmp_path / "seeds"], tmp_path / "out", jobs=1,
                   progress=lambda stage, done, total, item: seen.append(stage))
    assert isinstance(report, BuildReport)
    assert report.issues == 5 and report.rebuilt == 5 and report.exit_code == 0
    assert {"read", "feeds", "tei"} <= set(seen)
    again = build([tmp_path / "seeds"], tmp_path / "out", jobs=1)
    assert again.changed is False and again.rebuilt == 0


def test_stale_staging_folders_are_cleaned_up(tmp_path: Path) -> None:
    """What a build killed outright (SIGKILL) leaves beside the output is cleaned up by the
    next build; an output folder renamed away mid-swap is put back."""
    copy_seeds(tmp_path / "seeds")
    ok(pressout("build", "-q", cwd=tmp_path))
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (tmp_path / f".dist.staging-{dead}" / "epub").mkdir(parents=True)
    (tmp_path / f".dist.staging-{dead}-spare" / "epub").mkdir(parents=True)  # killed as a spare went
    (tmp_path / f".dist.next-{dead}" / "epub").mkdir(parents=True)  # killed while the spare was updated
    os.replace(tmp_path / "dist", tmp_path / f".dist.old-{dead}")  # killed between the renames
    result = ok(pressout("build", "--json", cwd=tmp_path))
    assert json.loads(result.stdout)["changed"] is False  # the old output came back, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "seeds"]


def test_config_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    copy_seeds(tmp_path / "site" / "pages")
    (tmp_path / "site" / "pressout.toml").write_text('[build]\nsources = ["pages"]\noutput = "public"\n',
                                                     encoding="utf-8")
    ok(pressout("build", "--config", "site/pressout.toml", "-q", cwd=tmp_path))
    assert (tmp_path / "site" / "public" / "index.html").is_file()
    assert load_config(tmp_path / "site" / "pressout.toml").output == str(tmp_path / "site" / "public")


# --- big pages ---------------------------------------------------------------------------------


def _seed_text() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def _wrapped(lines: int, width: int = 12) -> str:
    """A hard-wrapped dump, as of a newspaper column: the seeds' paragraphs cut every
    ``width`` characters (never inside a character: these are str slices), blank lines
    between paragraphs."""
    out: list[str] = []
    paragraphs = [p for p in _seed_text().split("\n") if p.strip()]
    while len(out) < lines:
        for para in paragraphs:
            out.extend(para[i:i + width] for i in range(0, len(para), width))
            out.append("")
    return "\n".join(out[:lines]) + "\n"


def test_big_pages_finish_in_linear_time(tmp_path: Path) -> None:
    """A 20 MB page (the seeds over and over) and a 200,000-line page (hard-wrapped lines)
    are built, and cost no more per byte (per line) than pages a tenth their size, within
    a generous factor of 3.

    The four builds run at once (the machine has two cores) and each is measured by the
    CPU time the kernel charges its process (os.wait4), which sharing the cores does not
    inflate the way it inflates wall time."""
    text = _seed_text().encode("utf-8")
    mib = 1024 * 1024
    pages = {
        "mb20": text * (20 * mib // len(text) + 1),
        "mb2": text * (2 * mib // len(text) + 1),
        "lines200k": _wrapped(200_000).encode("utf-8"),
        "lines20k": _wrapped(20_000).encode("utf-8"),
    }
    assert len(pages["mb20"]) >= 20 * mib and pages["lines200k"].count(b"\n") == 200_000
    procs = {}
    for name, data in pages.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_bytes(data)
        log = open(tmp_path / f"{name}.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed below
        procs[name] = (subprocess.Popen([sys.executable, "-m", "pressout.cli", "build", name, "-o", f"out-{name}",
                                         "-j", "1", "-q", "--json"], cwd=tmp_path, stdout=log, stderr=log), log)
    cpu: dict[str, float] = {}
    for name, (proc, log) in procs.items():
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
        log.close()
        assert proc.returncode == 0, output
        cpu[name] = usage.ru_utime + usage.ru_stime
        assert (tmp_path / f"out-{name}" / "tei" / "corpus.xml").is_file()
    per_mb = {name: cpu[name] / (len(data) / mib) for name, data in pages.items()}
    assert per_mb["mb20"] <= 3 * per_mb["mb2"], (cpu, per_mb)
    assert cpu["lines200k"] / 200_000 <= 3 * cpu["lines20k"] / 20_000, cpu
    articles = {name: len(json.loads(p.read_text(encoding="utf-8"))["articles"])
                for name in pages for p in [next((tmp_path / f"out-{name}" / CACHE / "models").glob("*.json"))]}
    assert articles["mb20"] >= 9 * articles["mb2"]  # the whole page was read, not a part of it


def test_build_is_a_function_of_the_package(tmp_path: Path) -> None:
    """``pressout.build(...)`` builds, even after the package ``pressout.build`` was imported
    (which makes the name the package's: the package is callable)."""
    import pressout
    import pressout.build.run  # noqa: F401
    import pressout.cli  # noqa: F401

    assert callable(pressout.build)
    report = pressout.build([copy_seeds(tmp_path / "seeds")], tmp_path / "dist", jobs=1)
    assert isinstance(report, pressout.BuildReport) and report.issues == 5
    assert "build" in pressout.__all__ and "BuildReport" in pressout.__all__


def test_vertical_edition_is_opt_in_and_linked(tmp_path: Path, seed_paths):
    """[epub] vertical = true adds the 竖排 edition of every issue, linked from its page."""
    from pressout.config import Config

    pages = tmp_path / "pages"
    pages.mkdir()
    for path in [*seed_paths[:2], seed_paths[0].parent / "issues.toml"]:
        (pages / path.name).write_bytes(path.read_bytes())
    plain = build([pages], tmp_path / "plain", config=Config(jobs=1))
    assert not list((tmp_path / "plain" / "epub").glob("*-vertical.epub")) and plain.issues == 2
    build([pages], tmp_path / "both", config=Config(jobs=1, vertical=True))
    verticals = sorted((tmp_path / "both" / "epub").glob("*-vertical.epub"))
    assert len(verticals) == 2
    page = (tmp_path / "both" / "issues" / verticals[0].name.removesuffix("-vertical.epub") / "index.html")
    assert f'href="../../epub/{verticals[0].name}"' in page.read_text(encoding="utf-8")


# --- many incremental builds in a row (the spare generation) ---------------------------------


def test_a_run_of_incremental_builds_equals_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Day after day the desk changes, adds and removes pages and settings; from the second
    build on, an incremental build brings the previous generation (``.pressout/spare``; after
    the first build, links to its output) up to date instead of making a new tree. After every step the output must be exactly a
    clean build of the same pages: the same files, the same bytes, nothing left over; and
    a file of the output must never be changed in place (the generations share files)."""
    from dataclasses import replace as with_

    from pressout.build import run as pipeline

    updates: list[int] = []  # builds that brought the spare up to date
    update = pipeline._Build.update
    monkeypatch.setattr(pipeline._Build, "update", lambda self, *a: updates.append(1) or update(self, *a))
    seeds = copy_seeds(tmp_path / "seeds")
    parked = tmp_path / "parked"
    parked.mkdir()
    dist = tmp_path / "dist"
    config = load_config(None)
    page = seeds / "002_6d3b14249bc8cb53.txt"
    original = page.read_text(encoding="utf-8")
    other = seeds / "004_e799359604fa2b7c.txt"

    def edit_page() -> None:
        page.write_text(original.replace("调度令", "调度命令", 1), encoding="utf-8")

    def restore_page() -> None:
        page.write_text(original, encoding="utf-8")

    def remove_other() -> None:
        other.rename(parked / other.name)

    def add_other() -> None:
        (parked / other.name).rename(other)

    # Article files of two days (People's Daily's per-article crawl), gathered into one
    # issue a day (pressout.read.gather): one added to a day, one removed, one moved to the
    # other day.
    articles = Path(__file__).parent / "corpus" / "files" / "rmrb"
    for name in ("20190201-01-01.txt", "20190201-03-07.txt", "20200501-01-02.txt", "20200501-02-07.txt"):
        (seeds / name).write_bytes((articles / name).read_bytes())

    def add_article() -> None:
        (seeds / "20190201-04-01.txt").write_bytes((articles / "20190201-04-01.txt").read_bytes())

    def remove_article() -> None:
        (seeds / "20190201-03-07.txt").rename(parked / "20190201-03-07.txt")

    def move_article() -> None:  # (its date is its name's: 2020-05-01 → 2019-02-01)
        (seeds / "20200501-02-07.txt").rename(seeds / "20190201-02-07.txt")

    steps: list[tuple[str, Any]] = [
        ("first build", None),
        ("one page edited", edit_page),
        ("the edit undone", restore_page),
        ("a page removed", remove_other),
        ("the page added back", add_other),
        ("an article file added to its day", add_article),
        ("an article file removed from its day", remove_article),
        ("an article file moved to another day", move_article),
        ("the site retitled", lambda: None),
        ("one page edited again", edit_page),
        ("the vertical edition on", lambda: None),
        ("nothing changed", lambda: None),
    ]
    for n, (label, change) in enumerate(steps):
        if change is not None:
            change()
        if label == "the site retitled":
            config = with_(config, site_title="太原日报·测试")
        if label == "the vertical edition on":
            config = with_(config, vertical=True)
        before = stats(dist) if dist.exists() else {}
        report = build([seeds], dist, config=config, jobs=2)
        assert not report.failures, label
        clean = build([seeds], tmp_path / f"clean{n}", config=config, jobs=1, force=True)
        assert outputs(dist) == outputs(tmp_path / f"clean{n}"), label
        assert (report.issues, report.articles, report.outputs) == (clean.issues, clean.articles,
                                                                    clean.outputs), label
        after = stats(dist)
        rewritten = [rel for rel, (inode, mtime) in after.items()
                     if rel in before and before[rel][0] == inode and before[rel][1] != mtime]
        assert not rewritten, (label, rewritten[:5])
        shutil.rmtree(tmp_path / f"clean{n}")
    assert (dist / CACHE / "spare").is_dir()
    # the spare path ran (edited, undone, removed, added back, three article files), not only
    # the new-tree one (the retitled site changes the configuration: the spare that is left is
    # of the old one)
    assert len(updates) == 7
    # (the seeds' issues.toml names the paper of every file in the folder: tyrb)
    days = sorted(p.name for p in (dist / "epub").glob("*-20[12]?-0[25]-01-a*.epub"))
    assert days == ["tyrb-2019-02-01-a-vertical.epub", "tyrb-2019-02-01-a.epub",
                    "tyrb-2020-05-01-a-vertical.epub", "tyrb-2020-05-01-a.epub"]


def test_first_build_leaves_a_spare_of_links(tmp_path: Path) -> None:
    """The first build of a folder has no previous output to keep as the spare: it makes one
    of hard links to its own output (the same files, not copies), so the next build, which
    adds a page, brings the spare up to date instead of linking every file anew."""
    from pressout.build.cache import Generation

    seeds = copy_seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=1)
    live = {rel: ino for rel, (ino, _) in stats(dist).items()
            if not rel.startswith(f"{CACHE}/spare/") and rel != f"{CACHE}/lock"}  # each has its own lock
    spare = {rel: ino for rel, (ino, _) in stats(dist / CACHE / "spare").items()}
    assert spare == live
    assert Generation.load(dist / CACHE / "spare").manifest == json.loads(
        (dist / CACHE / "manifest.json").read_bytes())


def test_pages_known_by_their_stamp_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page file whose size, times, inode and device are as the last build saw them is
    not read again to learn its digest (git's index does the same); a file changed since is,
    even when its size and modification time were put back as they were (its ctime moved);
    and a file changed within the settling time gets no stamp at all (``racy git``)."""
    from pressout.build import sources as pipeline

    seeds = copy_seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=1)
    assert json.loads((dist / CACHE / "manifest.json").read_bytes())["stamps"] == {}  # all just written

    monkeypatch.setattr(pipeline, "_STAMP_SETTLED_NS", 0)
    build([seeds], dist, jobs=1, force=True)
    stamps = json.loads((dist / CACHE / "manifest.json").read_bytes())["stamps"]
    assert sorted(stamps) == sorted(str(p) for p in seeds.glob("*.txt"))

    import pressout.read.decode as decode

    read: list[str] = []
    read_source = decode.read_source  # what the build reads a page's bytes with
    monkeypatch.setattr(decode, "read_source", lambda path, **kw: read.append(Path(path).name) or read_source(path, **kw))
    assert build([seeds], dist, jobs=1).changed is False
    assert not [name for name in read if name.endswith(".txt")]
    # (and the watch sees a read when there is one: a page without a stamp is read)
    monkeypatch.setattr(pipeline, "_STAMP_SETTLED_NS", 10**18)
    assert build([seeds], dist, jobs=1, force=True).changed is True
    assert len([name for name in read if name.endswith(".txt")]) == 5
    monkeypatch.setattr(pipeline, "_STAMP_SETTLED_NS", 0)
    build([seeds], dist, jobs=1, force=True)
    read.clear()

    page = seeds / "002_6d3b14249bc8cb53.txt"
    text = page.read_text(encoding="utf-8")
    edited = text.replace("调度令", "调度命", 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    before = page.stat()
    page.write_text(edited, encoding="utf-8")  # the same size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    assert (page.stat().st_size, page.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = build([seeds], dist, jobs=1)
    assert report.rebuilt == 1
    assert "调度命" in (dist / "tei" / f"{_issue_of(dist, page)}.xml").read_text(encoding="utf-8")


def _issue_of(dist: Path, page: Path) -> str:
    manifest = json.loads((dist / CACHE / "manifest.json").read_bytes())
    [(ident, _)] = manifest["pages"][str(page)][1]
    return ident


def test_a_library_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """The build pauses Python's cyclic collector while it plans and freezes what it holds
    around the jobs it runs itself (``jobs=1``); a caller's process gets the collector back
    as it was: enabled or not, nothing of the build's left frozen."""
    import gc

    seeds = copy_seeds(tmp_path / "seeds")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    build([seeds], tmp_path / "dist", jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        build([seeds], tmp_path / "dist", jobs=1, force=True)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_a_page_that_fails_half_way_leaves_nothing_parked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose outputs fail after some of them are parked (here: its EPUB and TEI are
    made, then its cover's thumbnail fails after the cover) is a failure with the message,
    and takes its parked files away with it (the parked outputs of all pages share one
    folder; see ``pressout.build.work.run_task``)."""
    from pressout.build import work
    from pressout.config import Config
    from pressout.errors import OutputError
    from pressout.export import cover
    from pressout.export.feed import SiteOptions
    from pressout.export.registry import Settings, exporters

    real_outputs = cover.CoverExporter.issue_outputs

    def first_file_then_fail(*args: Any, **kwargs: Any):
        yield next(iter(real_outputs(*args, **kwargs)))
        raise OutputError("the article page cannot be made", path="covers/x-thumb.png")

    monkeypatch.setattr(cover.CoverExporter, "issue_outputs", first_file_then_fail)
    staging = tmp_path / "staging"
    parked = staging / CACHE / "parked"
    parked.mkdir(parents=True)
    (parked / "6.other-page.epub").write_bytes(b"another page's")
    task = work.Task(str(SEEDS / "000_c8ae31b64c1052c2.txt"), "key", None, None, "strict",
                     settings=Settings(Config(), {}, SiteOptions()), formats=exporters(), staging=str(staging),
                     parked=f"{parked}/7.")
    done = work.run_task(task)
    assert done.error is not None and "the article page cannot be made" in done.error
    assert [p.name for p in parked.iterdir()] == ["6.other-page.epub"]


def test_the_manifest_is_written_in_pieces_as_json_dumps_writes_it(tmp_path: Path) -> None:
    """The manifest and the heads are written an item at a time (``_write_json``), with
    the bytes ``json.dumps(..., ensure_ascii=False)`` gives for the same data."""
    from pressout.build import files as pipeline

    data = {"format": 4, "pages": {"太原 日报.txt": ["key", [["tyrb-1", "太原日报"]], False], "b": {"x": None}},
            "empty": {}, "list": [1, "二", {"三": 3.5}], "none": None, "quote": 'a"\\b\u2028',
            "many": {f"第{n}版": [n] for n in range(600)}}  # more than one batch
    expected = json.dumps(data, ensure_ascii=False).encode("utf-8")
    pipeline._write_json(tmp_path / "a.json", data)
    assert (tmp_path / "a.json").read_bytes() == expected
    streamed = {**data, "pages": iter(data["pages"].items()), "empty": iter(()), "many": iter(data["many"].items())}
    pipeline._write_json(tmp_path / "b.json", streamed)
    assert (tmp_path / "b.json").read_bytes() == expected


def test_workers_are_forked_before_the_pages_are_scanned_when_all_will_be_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first (or forced) build forks its workers before it reads the pages' bytes for
    their digests and the folder's issues.toml: a forked worker holds a copy of what the
    main process held then (README, "Where the memory goes"). A build that may have nothing
    to do scans first, and starts no worker when nothing changed."""
    from pressout.build import executor, run

    events: list[str] = []
    start, digest = executor.Workers.start, run._content_digest

    def started(self: Any) -> None:
        if self.pool is None:
            events.append("fork")
        start(self)

    monkeypatch.setattr(executor.Workers, "start", started)
    monkeypatch.setattr(run, "_content_digest", lambda *args: events.append("scan") or digest(*args))
    seeds = copy_seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=2)
    assert events[0] == "fork" and events.count("scan") == 5
    events.clear()
    assert build([seeds], dist, jobs=2).changed is False
    assert events == ["scan"] * 5
    events.clear()
    build([seeds], dist, jobs=2, force=True)
    assert events[0] == "fork"
