"""The ``pressout`` command: thin glue between click and the library.

Every command imports the library lazily, inside the command, so ``pressout --help``
starts fast. A user mistake raises a ``PressoutError``; ``main`` prints it as one line,
``pressout: error: <file>: <problem>``, and exits with the error's code (see
``pressout.errors``). Nothing here reads text or builds output itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .model import Issue

ENCODING_HELP = "Decode pages with this encoding instead of guessing (e.g. gb18030, utf-16-le)."
ERRORS_HELP = "strict: an undecodable byte is an error; replace: keep going with U+FFFD."


def _fail(exc: Exception) -> None:
    from .errors import PressoutError

    if isinstance(exc, PressoutError):
        click.echo(f"pressout: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    raise exc


def _read(path: str, *, encoding: str | None, errors: str, sidecar: str | None) -> Issue:
    from .read import read_page

    return read_page(path, encoding=encoding, errors=errors, sidecar=sidecar)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pressout", message="pressout %(version)s")
def cli() -> None:
    """Publish Chinese newspaper page dumps as EPUB, feeds and a TEI archive."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the article model as JSON.")
@click.option("--encoding", default=None, help=ENCODING_HELP)
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", help=ERRORS_HELP)
@click.option(
    "--meta",
    "sidecar",
    type=click.Path(dir_okay=False, path_type=str),
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


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="pressout", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("pressout: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("pressout: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # our own errors become one line; anything else is a bug
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
