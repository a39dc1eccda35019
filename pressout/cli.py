"""The ``pressout`` command: thin glue between click and the library.

Every command imports the library lazily, inside the command, so ``pressout --help``
starts fast. A user mistake raises a ``PressoutError``; ``main`` prints it as one line,
``pressout: error: <file>: <problem>``, and exits with the error's code (see
``pressout.errors``). Ctrl-C exits with 130 and, during ``pressout build``, SIGTERM with
143; either way the build's staging folder is removed and the previous output kept.
Anything else that escapes is a bug: one line says so and names the crash log that holds
its traceback (exit code 70, ``pressout.errors.crash_log``). Nothing here reads text or
builds output itself.

``pressout build`` prints progress and the summary on stderr only (stdout carries the
``--json`` summary and nothing else); ``--quiet`` leaves only the errors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .model import Issue

# Every path argument is click.Path(readable=False): a file we may not read is reported by
# the reader as an input error (exit 3, one line), not by click as a usage error (exit 2).
ENCODING_HELP = "Decode pages with this encoding instead of guessing (e.g. gb18030, utf-16-le)."
ERRORS_HELP = "strict: an undecodable byte is an error; replace: keep going with U+FFFD."


def _fail(exc: Exception) -> None:
    """A PressoutError is one line and its exit code; anything else is a bug: one line
    that says so and where its traceback was written (``crash_log``), exit code 70."""
    from .errors import INTERNAL_ERROR, PressoutError, crash_log, one_line

    if isinstance(exc, PressoutError):
        click.echo(f"pressout: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    import traceback

    log = crash_log("pressout " + " ".join(sys.argv[1:]) + "\n" + "".join(traceback.format_exception(exc)))
    click.echo(f"pressout: internal error (a bug in pressout, please report it): {type(exc).__name__}: {one_line(exc)}; "
               f"the traceback is in {log}", err=True)
    sys.exit(INTERNAL_ERROR)


def _read(path: str, *, encoding: str | None, errors: str, sidecar: str | None) -> Issue:
    from .read import read_page

    return read_page(path, encoding=encoding, errors=errors, sidecar=sidecar)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pressout", message="pressout %(version)s")
def cli() -> None:
    """Publish Chinese newspaper page dumps as EPUB, feeds and a TEI archive."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=True, path_type=str, readable=False))
@click.option("--json", "as_json", is_flag=True, help="Print the article model as JSON.")
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", help=ERRORS_HELP)
@click.option(
    "--meta",
    "sidecar",
    type=click.Path(dir_okay=False, path_type=str, readable=False),
    default=None,
    help="Issue metadata file (default: issues.toml beside the page).",
)
def parse(file: str, as_json: bool, encoding: str | None, errors: str, sidecar: str | None) -> None:
    """Read one page and print what pressout understood of it."""
    issue = _read(file, encoding=encoding, errors=errors, sidecar=sidecar)
    if as_json:
        import json

        from .jsonio import issue_to_dict

        click.echo(json.dumps(issue_to_dict(issue), ensure_ascii=False, indent=2))
    else:
        click.echo(outline(issue))
    for diagnostic in issue.diagnostics:
        click.echo(str(diagnostic), err=True)


def outline(issue: Issue) -> str:
    """A readable table of the page's items: kind, title, credits."""
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)

    def cut(text: str, limit: int) -> str:
        out, used = "", 0
        for ch in text:
            w = 2 if east_asian_width(ch) in "WF" else 1
            if used + w > limit - 1:
                return out + "…"
            out, used = out + ch, used + w
        return out

    def pad(text: str, size: int) -> str:
        return text + " " * max(0, size - width(text))

    date = issue.date.isoformat() if issue.date else "date unknown"
    lines = [f"{issue.title}  [{issue.id}]  {issue.source}  ({date})", ""]
    lines.append(f"{'#':>3}  {pad('kind', 8)}{pad('title', 46)}credits")
    for n, article in enumerate(issue.articles, 1):
        title = article.title or f"〔{article.display_title}〕"
        people = "、".join(f"{c.name}({c.role.label})" for c in article.contributors)
        lines.append(f"{n:>3}  {pad(article.kind.value, 8)}{pad(cut(title, 44), 46)}{people}")
        extras = [
            f"{label}: {value}"
            for label, value in (
                ("kicker", article.kicker),
                ("subtitle", article.subtitle),
                ("column", article.column),
            )
            if value
        ]
        counts = {
            t: sum(1 for b in article.body if b.type == t) for t in ("paragraph", "subhead", "figure", "note")
        }
        extras.append(", ".join(f"{v} {k}s" for k, v in counts.items() if v))
        lines.append(f"{'':>3}  {'':8}" + "; ".join(extras))
    for item in issue.furniture:
        lines.append(f"{'-':>3}  {pad(item.kind, 8)}{cut(item.text, 60)}")
    return "\n".join(lines)



def _read_all(files: tuple[str, ...], encoding: str | None, errors: str) -> list[Issue]:
    """Read every page (or TEI archive) named; the first bad one stops the command."""
    from .build import find_pages

    issues: list[Issue] = []
    for path in find_pages(files):
        if path.suffix.lower() == ".xml":
            from .read.tei import read_tei

            issues.extend(read_tei(path))
        else:
            issues.append(_read(str(path), encoding=encoding, errors=errors, sidecar=None))
    return issues


def _out_dir(out: str) -> Path:
    from .build.files import _check_output
    from .errors import OutputError

    path = Path(out)
    _check_output(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", path=path) from None
    return path


PAGES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
OUT = click.option("-o", "--out", "out", default="dist", show_default=True, help="Output folder.")
ENCODING = click.option("--encoding", default=None, help=ENCODING_HELP)
ERRORS = click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", help=ERRORS_HELP)


@cli.command()
@PAGES
@OUT
@click.option("--vertical", is_flag=True, help="Write the vertical (竖排, right-to-left) edition.")
@ENCODING
@ERRORS
def epub(files: tuple[str, ...], out: str, vertical: bool, encoding: str | None, errors: str) -> None:
    """Write one EPUB 3 per page (FILE... are pages, folders of pages or TEI archives)."""
    from .export.epub import write_epub

    issues = _read_all(files, encoding, errors)
    folder = _out_dir(out)
    for issue in issues:
        click.echo(str(write_epub(issue, folder, vertical=vertical)))


@cli.command()
@PAGES
@OUT
@click.option("--base-url", default=None, help="Where the output folder is served (absolute URL).")
@click.option("--feed-size", type=click.IntRange(min=1), default=None, help="Entries per subscription feed (older: archives).")
@click.option("--title", default=None, help="Site and feed title.")
@click.option("--tag-authority", default=None, help="Domain used in the feeds' tag: ids.")
@ENCODING
@ERRORS
def feed(files: tuple[str, ...], out: str, base_url: str | None, feed_size: int | None, title: str | None,
         tag_authority: str | None, encoding: str | None, errors: str) -> None:
    """Write Atom, RSS and JSON feeds, the editions feeds and the web edition they link to."""
    from .config import check_base_url, check_tag_authority, control_character, load_config
    from .errors import ConfigError
    from .export.epub import write_epub
    from .export.feed import SiteOptions, write_feeds
    from .export.site import write_site

    config = load_config()
    if base_url is not None:
        base_url = check_base_url(base_url, what="--base-url")
    if tag_authority is not None:
        tag_authority = check_tag_authority(tag_authority, what="--tag-authority")
    if title is not None and (bad := control_character(title)):
        raise ConfigError(f"--title contains a control character ({bad}); use one line of text")
    options = SiteOptions(base_url=base_url or config.base_url, title=title or config.site_title,
                          feed_size=feed_size or config.feed_size,
                          tag_authority=tag_authority or config.tag_authority, utc_offset=config.utc_offset,
                          time=config.time, websub_hub=config.websub_hub)
    issues = _read_all(files, encoding, errors)
    folder = _out_dir(out)
    epubs = {issue.id: write_epub(issue, folder / "epub") for issue in issues}
    written = write_feeds(issues, folder, options, epubs) + write_site(issues, folder, options, epubs)
    click.echo(f"{len(written)} files written in {folder}")


@cli.command()
@PAGES
@OUT
@click.option("--keep-breaks/--no-keep-breaks", default=True, show_default=True,
              help="Keep rejoined line breaks as <cb break=\"no\"/> (needed for an exact round trip).")
@click.option("--corpus/--no-corpus", default=True, show_default=True, help="Also write tei/corpus.xml.")
@ENCODING
@ERRORS
def tei(files: tuple[str, ...], out: str, keep_breaks: bool, corpus: bool, encoding: str | None,
        errors: str) -> None:
    """Write the TEI P5 archive: one document per issue, and a teiCorpus of them all."""
    from .export.tei import write_corpus, write_tei

    issues = _read_all(files, encoding, errors)
    folder = _out_dir(out)
    for issue in issues:
        click.echo(str(write_tei(issue, folder / f"{issue.id}.xml", keep_breaks=keep_breaks)))
    if corpus:  # in the corpus order of every corpus (the build's too): date, then page
        from .export.registry import corpus_order

        ordered = sorted(issues, key=corpus_order)
        click.echo(str(write_corpus(ordered, folder / "corpus.xml", keep_breaks=keep_breaks)))


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=str, readable=False))
@click.option("-o", "--out", "out", default=None, help="Output folder (default: dist, or the config's).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: cores).")
@click.option("--force", is_flag=True, help="Rebuild every page, even unchanged ones.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str, readable=False), default=None,
              help="Configuration file (default: ./pressout.toml if present).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print every warning and every page.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--force-output", is_flag=True,
              help="Build into a folder that holds other files too (they are kept, never deleted).")
@click.option("--wait", is_flag=True, help="If another build is writing the output folder, wait for it.")
@click.option("--executor", default=None, metavar="URL",
              help="Run the work on a Dask cluster: dask://HOST:PORT (pip install 'pressout[dask]'; the "
                   "pages and the output on a file system the workers share).")
@ENCODING
@ERRORS
def build(sources: tuple[str, ...], out: str | None, jobs: int | None, force: bool, config_path: str | None,
          quiet: bool, verbose: bool, as_json: bool, force_output: bool, wait: bool, executor: str | None,
          encoding: str | None, errors: str) -> None:
    """Build everything: EPUBs, feeds, web edition and TEI archive (default: seeds/ → dist/)."""
    from .build.run import build as run_build
    from .config import load_config

    config = load_config(config_path, required=config_path is not None)
    progress = None if quiet else _Progress(verbose=verbose)
    try:
        with _terminate_as_interrupt():
            report = run_build(sources, out, config=config, jobs=jobs, force=force, encoding=encoding,
                               errors=errors, progress=progress, force_output=force_output, wait=wait,
                               executor=executor)
    finally:
        if progress is not None:
            progress.close()
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    if verbose and not quiet:
        for warning in report.warnings:
            click.echo(str(warning), err=True)
    for failure in report.failures:  # errors are printed even with --quiet
        kept = " (kept its previous build)" if failure.kept_previous else ""
        click.echo(f"pressout: error: {failure.message}{kept}", err=True)
    if not quiet:
        click.echo(_summary(report, verbose=verbose), err=True)
    sys.exit(report.exit_code)


class _Terminated(KeyboardInterrupt):
    exit_code = 143  # 128 + SIGTERM, as a shell reports a process killed by it


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a CI timeout) stops a build like Ctrl-C does: the staging folder
    is removed and the previous output stays; without this the process would just die."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _summary(report: Any, *, verbose: bool = False) -> str:
    if not report.changed:
        return (f"nothing to rebuild: {report.issues} issues unchanged in {report.out_dir} "
                f"({report.seconds:.2f} s)")
    warn = f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    if report.warnings and not verbose:
        warn += " (-v to list)"
    fail = f"; {len(report.failures)} page(s) failed" if report.failures else ""
    return (f"built {report.issues} issues, {report.articles} articles → {report.outputs} files in "
            f"{report.out_dir} ({report.rebuilt} pages built, {report.reused} unchanged); {warn}{fail}; "
            f"{report.seconds:.2f} s")


class _Progress:
    """A progress bar on a terminal; plain lines when stderr is a pipe or a file."""

    def __init__(self, *, verbose: bool) -> None:
        self.tty = sys.stderr.isatty()
        self.verbose = verbose
        self.width = 0

    def __call__(self, stage: str, done: int, total: int, item: str) -> None:
        if self.tty:
            bar = "#" * (20 * done // total if total else 20)
            line = f"\r[{bar:<20}] {done}/{total} {stage}: {item}"
            click.echo(line.ljust(self.width), err=True, nl=False)
            self.width = len(line)
        elif self.verbose or stage != "read" or done == total or done % 50 == 0:
            click.echo(f"{stage} {done}/{total} {item}", err=True)

    def close(self) -> None:
        if self.tty and self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)


@cli.command()
@click.argument("path", default="pressout.toml", type=click.Path(dir_okay=False, path_type=str, readable=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration (pressout.toml)."""
    from .config import STARTER
    from .errors import OutputError

    target = Path(path)
    if target.exists() and not force:
        raise OutputError("already exists (use --force to overwrite)", path=target)
    try:
        target.write_text(STARTER, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=target) from None
    click.echo(f"wrote {target}")


@cli.command()
@click.argument("directory", default="dist", type=click.Path(path_type=str, readable=False))
@click.option("--epubcheck", "epubcheck_jar", default=None, help="Path to epubcheck.jar.")
@click.option("--ace", default=None, help="Path to Ace's ace-cli.")
@click.option("--tei-schema", default=None, help="Path to tei_all.rng.")
@click.option("--atom-schema", default=None, help="Path to the Atom RELAX NG schema (RFC 4287).")
@click.option("--skip", multiple=True, metavar="CHECK",
              help="Leave a check out (repeatable): epubcheck, ace, tei, atom, feeds, or a registered format's.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem, not only the first ten.")
def validate(directory: str, epubcheck_jar: str | None, ace: str | None, tei_schema: str | None,
             atom_schema: str | None, skip: tuple[str, ...], verbose: bool) -> None:
    """Run the validators it can find over a build and print a table."""
    from .config import load_config
    from .errors import ValidationFailed
    from .validate import validate as run

    config = load_config()
    checks = run(directory, epubcheck=epubcheck_jar, ace=ace, tei_schema=tei_schema or config.tei_schema,
                 atom_schema=atom_schema or config.atom_schema, skip=skip)
    click.echo(f"{'check':<10} {'files':>5}  result")
    for check in checks:
        detail = f"  [{check.note}]" if check.note and check.ok is not None else ""
        click.echo(f"{check.name:<10} {check.files:>5}  {check.status}{detail}")
        for problem in check.problems[: None if verbose else 10]:
            click.echo(f"    {problem}")
    missing = [c.name for c in checks if c.missing]
    if missing:
        click.echo(f"could not find the validator or schema for: {', '.join(missing)} (see the table)")
    failed = [c.name for c in checks if c.ok is False]
    # A check that could not run is no pass: the build is not known to be valid (exit 6).
    problems = [f"{', '.join(failed)} failed"] if failed else []
    problems += [f"{', '.join(missing)} could not run (install them, or leave them out with --skip)"] if missing else []
    if problems:
        raise ValidationFailed("; ".join(problems), path=directory)


@cli.command()
def formats() -> None:
    """List the output formats (built-in and registered): the files each makes and its checks."""
    from .config import Config
    from .export.registry import Settings, exporters

    settings = Settings(Config(vertical=True))
    for exporter in exporters():
        made = [*exporter.issue_files(settings)]
        if exporter.concatenated:
            made.append(exporter.concatenated)
        made += [f"{folder}/…" for folder in exporter.folders]
        checks = ", ".join(v.name for v in exporter.validators()) or "none"
        click.echo(f"{exporter.name:<8} {' '.join(made) or '(archive files only)'}  [checks: {checks}]")


@cli.command()
@click.argument("directory", default="dist", type=click.Path(path_type=str, readable=False))
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests.")
def serve(directory: str, port: int, quiet: bool) -> None:
    """Serve a build on http://127.0.0.1:PORT/ (web edition, feeds, EPUBs)."""
    from .serve import make_server

    server = make_server(directory, port, quiet=quiet)
    host, bound = server.server_address[:2]
    click.echo(f"serving {directory} on http://{host!s}:{bound}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.argument("directory", default="dist", type=click.Path(path_type=str, readable=False))
@click.option("-n", "--dry-run", is_flag=True, help="Print what would be sent, as curl commands; send nothing.")
def ping(directory: str, dry_run: bool) -> None:
    """Tell the WebSub hub ([site] websub_hub) that the build's feeds changed: run it after
    the build is on the web server."""
    from shlex import quote

    from .websub import ping as send

    pairs = send(directory, send=not dry_run)
    for topic, hub in pairs:
        if dry_run:
            click.echo(f"curl -d hub.mode=publish --data-urlencode {quote('hub.url=' + topic)} {quote(hub)}")
    if not dry_run:
        hubs = ", ".join(dict.fromkeys(hub for _, hub in pairs))
        click.echo(f"{len(pairs)} feed{'s' if len(pairs) != 1 else ''} pinged at {hubs}", err=True)


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="pressout", standalone_mode=False)
    except click.exceptions.Abort as exc:  # click's wrapper of KeyboardInterrupt
        click.echo("pressout: interrupted", err=True)
        sys.exit(getattr(exc.__cause__, "exit_code", 130))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        click.echo("pressout: interrupted", err=True)
        sys.exit(getattr(exc, "exit_code", 130))
    except Exception as exc:  # our own errors become one line; anything else is a bug
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
