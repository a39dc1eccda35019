"""The output formats' registry (issue 15): a format added through ``register`` is made by
the build, kept by its incremental machinery, checked by ``validate`` and configured in
``pressout.toml``, with no other module touched; and the build runs the same on a Dask
cluster as on its own workers, byte for byte."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from pressout.build import build, output_files
from pressout.config import Config, load_config
from pressout.export.registry import ArchiveJob, Exporter, Settings, Validator, register, unregister
from pressout.model import Issue, IssueHead
from pressout.validate import Check, ValidateOptions, validate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BUILT_IN_CHECKS = ("epubcheck", "ace", "kindle", "tei", "atom", "feeds", "sections", "opds", "opds2", "search")


def _toy_check(root: Path, options: ValidateOptions) -> Check:
    files = sorted((root / "toy").glob("*.txt"))
    check = Check("toy", files=len(files))
    check.problems = [f"{p.name}: empty" for p in files if not p.read_text(encoding="utf-8").strip()]
    check.ok = bool(files) and not check.problems
    return check


class ToyExporter(Exporter):
    """A plain-text list of headlines per issue, an index of issues, and a word count per
    paper (an archive job), with a setting of its own: ``[toy] mark``."""

    name = "toy"
    section = "toy"
    keys = {"mark": (lambda v: isinstance(v, str) and len(v) == 1, "one character")}
    folders = ("toy",)

    def issue_files(self, settings: Settings) -> tuple[str, ...]:
        return ("toy/{id}.txt",)

    def issue_outputs(self, issue: Issue, settings: Settings, made: Mapping[str, int],
                      bound: str = "") -> Iterator[tuple[str, bytes]]:
        mark = settings.section("toy").get("mark", "*")
        epub = made.get(f"epub/{issue.id}.epub")  # what an earlier format made for the issue
        lines = [f"{issue.title} (EPUB {epub} bytes)", *(f"{mark} {a.display_title}" for a in issue.articles)]
        yield f"toy/{issue.id}.txt", ("\n".join(lines) + "\n").encode("utf-8")

    def archive_files(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[tuple[str, bytes]]:
        yield "toy/index.txt", "".join(f"{h.id}\t{h.title}\n" for h in heads).encode("utf-8")

    def archive_jobs(self, heads: Sequence[IssueHead], settings: Settings) -> Iterator[ArchiveJob]:
        ids = tuple(h.id for h in heads)
        yield ArchiveJob(("toy/words.json",), hashlib.sha256(repr([(h.key, h.id) for h in heads]).encode()).hexdigest(),
                         needs=ids)

    def run_job(self, job: ArchiveJob, models: Mapping[str, Issue], settings: Settings) -> Iterator[tuple[str, bytes]]:
        words = {ident: sum(len(p.text) for a in issue.articles for p in a.paragraphs)
                 for ident, issue in sorted(models.items())}
        yield "toy/words.json", json.dumps(words, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def validators(self) -> tuple[Validator, ...]:
        return (Validator("toy", _toy_check),)


@pytest.fixture
def toy() -> Iterator[ToyExporter]:
    exporter = register(ToyExporter())
    try:
        yield exporter
    finally:
        unregister("toy")


def _seeds(folder: Path) -> Path:
    shutil.copytree(SEEDS, folder)
    return folder


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".pressout" not in p.parts}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_registered_format_is_built_kept_and_removed(tmp_path: Path, toy: ToyExporter, jobs: int) -> None:
    seeds = _seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    report = build([seeds], dist, jobs=jobs)
    assert report.exit_code == 0
    manifest = json.loads((dist / ".pressout" / "manifest.json").read_bytes())
    ids = [ident for _, issues, _ in manifest["pages"].values() for ident, _ in issues]
    assert len(ids) == 5
    for ident in ids:
        text = (dist / "toy" / f"{ident}.txt").read_text(encoding="utf-8")
        size = (dist / "epub" / f"{ident}.epub").stat().st_size
        assert f"(EPUB {size} bytes)" in text and "\n* " in text
    assert sorted(json.loads((dist / "toy" / "words.json").read_bytes())) == sorted(ids)
    assert (dist / "toy" / "index.txt").read_text(encoding="utf-8").count("\n") == 5
    listed = output_files(dist)
    assert {f"toy/{i}.txt" for i in ids} | {"toy/index.txt", "toy/words.json"} <= set(listed)

    assert build([seeds], dist, jobs=jobs).changed is False  # known from the manifest alone

    (dist / "toy" / f"{ids[0]}.txt").unlink()  # deleted by hand: noticed and made again
    again = build([seeds], dist, jobs=jobs)
    assert again.changed and again.rebuilt == 1 and (dist / "toy" / f"{ids[0]}.txt").is_file()

    gone = sorted(seeds.glob("*.txt"))[0]
    gone.unlink()
    after = build([seeds], dist, jobs=jobs)
    assert after.issues == 4
    assert len(list((dist / "toy").glob("*.txt"))) == 4 + 1  # four issues and the index
    assert len(json.loads((dist / "toy" / "words.json").read_bytes())) == 4

    # The same files as a clean build of the same pages: nothing left over.
    clean = tmp_path / "clean"
    build([seeds], clean, jobs=1)
    assert _tree(dist) == _tree(clean)


def test_validate_and_config_know_a_registered_format(tmp_path: Path, toy: ToyExporter) -> None:
    seeds = _seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=1)
    checks = validate(dist, skip=BUILT_IN_CHECKS)
    assert [(c.name, c.files, c.ok) for c in checks] == [("toy", 6, True)]  # five issues and the index

    config_file = tmp_path / "pressout.toml"
    config_file.write_text('[toy]\nmark = "#"\n', encoding="utf-8")
    config = load_config(config_file)
    assert config.extra == {"toy": {"mark": "#"}}
    report = build([seeds], dist, jobs=1, config=config)
    assert report.rebuilt == 5  # its table is part of the cache key
    assert all("\n# " in p.read_text(encoding="utf-8") for p in (dist / "toy").glob("*-*.txt"))

    config_file.write_text('[toy]\nmark = "##"\n', encoding="utf-8")
    from pressout.errors import ConfigError

    with pytest.raises(ConfigError, match=r"\[toy\] mark = .* is not allowed; use one character"):
        load_config(config_file)


def test_without_the_format_its_table_is_unknown(tmp_path: Path) -> None:
    from pressout.errors import ConfigError

    config_file = tmp_path / "pressout.toml"
    config_file.write_text('[toy]\nmark = "#"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown table \[toy\]"):
        load_config(config_file)


def test_validate_refuses_an_unknown_check(tmp_path: Path) -> None:
    from pressout.errors import InputError

    with pytest.raises(InputError, match="no check is called nope"):
        validate(tmp_path, skip=["nope"])


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError):
        register(type("Epub", (Exporter,), {"name": "epub"})())


def test_the_build_on_a_dask_cluster_is_byte_identical(tmp_path: Path) -> None:
    """The same pages built by the local workers and by a Dask LocalCluster of processes:
    the same output, byte for byte (the cache aside: its manifest names no executor, but
    its stamps are of the files as each build saw them)."""
    from distributed import LocalCluster

    seeds = _seeds(tmp_path / "seeds")
    local = tmp_path / "local"
    build([seeds], local, jobs=2, config=Config(vertical=True))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        spec = "dask://" + address.removeprefix("tcp://")
        report = build([seeds], tmp_path / "dask", jobs=2, config=Config(vertical=True), executor=spec)
        assert report.exit_code == 0 and report.rebuilt == 5
        assert _tree(tmp_path / "dask") == _tree(local)
        # and incrementally: one page changed, rebuilt on the cluster
        page = sorted(seeds.glob("*.txt"))[1]
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert build([seeds], tmp_path / "dask", config=Config(vertical=True), executor=spec).rebuilt == 1
    build([seeds], local, jobs=2, config=Config(vertical=True))
    assert _tree(tmp_path / "dask") == _tree(local)


def test_an_unknown_executor_is_a_one_line_error(tmp_path: Path) -> None:
    from pressout.errors import InputError

    seeds = _seeds(tmp_path / "seeds")
    with pytest.raises(InputError, match="unknown executor 'ftp://x'"):
        build([seeds], tmp_path / "dist", executor="ftp://x", force=True)


def test_the_formats_command_lists_every_format(toy: ToyExporter) -> None:
    from click.testing import CliRunner

    from pressout.cli import cli

    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["covers", "epub", "kepub", "tei", "site", "feeds", "sections", "opds", "search", "toy"]
    assert "toy/{id}.txt" in result.output and "[checks: toy]" in result.output


def test_one_corpus_order_everywhere(tmp_path: Path) -> None:
    """``pressout tei`` writes the same corpus as ``pressout build``, byte for byte: the
    issues by date, then page, whatever the order of the files."""
    from click.testing import CliRunner

    from pressout.cli import cli

    seeds = _seeds(tmp_path / "seeds")
    build([seeds], tmp_path / "dist", jobs=1)
    files = sorted(str(p) for p in seeds.glob("*.txt"))[::-1]  # not in date order
    result = CliRunner().invoke(cli, ["tei", *files, "-o", str(tmp_path / "tei")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tei" / "corpus.xml").read_bytes() == (tmp_path / "dist" / "tei" / "corpus.xml").read_bytes()


def test_a_format_names_files_the_build_can_make() -> None:
    """Templates are checked before a build uses them: fixed folders (the last may be the
    issue's own), ``{article}`` only in the file's name, nothing outside the output."""
    from pressout.export.registry import check_templates

    fine = ("epub/{id}.epub", "issues/{id}/index.html", "issues/{id}/{article}.html", "toy/{id}.txt")
    assert check_templates(ToyExporter(), fine) == fine
    for bad in ("a/{id}/b/c.html", "../{id}.txt", "/abs/{id}.txt", "a/{article}/x.html", "a//{id}.txt", "a/"):
        with pytest.raises(ValueError, match="toy"):
            check_templates(ToyExporter(), [bad])
