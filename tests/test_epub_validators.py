"""The EPUBs judged by the reference validators: EPUBCheck 5.3.0 and Ace by DAISY 1.4.6.

Every seed page, horizontal and vertical, plus the hand-built sample and hostile issues,
a web dump's page in Traditional script (zh-TW, no paper named, one book of all its
articles and one of a single article naming its original in ``dc:source``) and a whole
issue of three pages (contents by page, page-break markers and a page-list; once as read,
once with items of no page and a page revisited), with their creator, contributors (MARC
roles) and subjects, the vertical ones with tate-chu-yoko spans, must get 0 errors and 0 warnings from
EPUBCheck (``--failonwarnings``) and 0 violations from Ace. The validators are never skipped: a missing one fails the test (conftest).

A JVM start costs seconds, so all books go through one JVM: a few lines of Java call
``EpubChecker.run(args)`` per book, which is exactly what the ``epubcheck`` command's
``main`` does before ``System.exit``. Ace runs once per book, two at a time. A
deliberately broken book goes through each validator too, so a validator that passes
everything (or a report we misread) cannot pass these tests.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import SEEDS, require_tool
from samples import hostile_issue, paged_issue, sample_issue, web_issue

from pressout.export.epub import write_epub

BROKEN = "broken-control"
PAGED = ("paged", "paged-mixed")  # the books with a page-list


def _paged_mixed():
    """The paged sample with a lead of no known page, a column on A01, and A01 revisited
    after A02: a table of contents three deep, and a page that begins only once."""
    issue = paged_issue()
    a1, a2, a3, a4 = issue.articles
    articles = (replace(a1, page=None), replace(a2, column="评论"), a3, replace(a4, page="A01"))
    return replace(issue, id=f"{issue.id}-mixed", articles=articles)


def _sources() -> dict[str, object]:
    found: dict[str, object] = {
        "sample": sample_issue,
        "hostile": hostile_issue,
        "web": web_issue,
        "web-single": lambda: replace(web_issue(), articles=web_issue().articles[:1]),
        "paged": paged_issue,
        "paged-mixed": _paged_mixed,
    }
    for path in SEEDS:

        def read(path: Path = path):
            from pressout.read import read_page

            return read_page(path)

        found[f"seed-{path.name[:3]}"] = read
    return found


SOURCES = _sources()
BOOKS = [f"{name}-{mode}" for name in SOURCES for mode in ("horizontal", "vertical")]


@dataclass
class Built:
    paths: dict[str, Path]
    errors: dict[str, BaseException]

    def path(self, book: str) -> Path:
        if book in self.errors:
            raise self.errors[book]
        return self.paths[book]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("epubs")
    paths: dict[str, Path] = {}
    errors: dict[str, BaseException] = {}
    for name, make in SOURCES.items():
        try:
            issue = make()
        except Exception as error:  # reported by each of this source's tests
            errors[f"{name}-horizontal"] = errors[f"{name}-vertical"] = error
            continue
        for mode in ("horizontal", "vertical"):
            folder = out / f"{name}-{mode}"
            folder.mkdir()
            paths[f"{name}-{mode}"] = write_epub(issue, folder, vertical=mode == "vertical")
    paths[BROKEN] = _broken_copy(paths["sample-horizontal"], out / f"{BROKEN}.epub")
    return Built(paths, errors)


@pytest.mark.parametrize("book", [f"{name}-{mode}" for name in PAGED for mode in ("horizontal", "vertical")])
def test_paged_books_have_what_the_validators_must_judge(book: str, built: Built) -> None:
    """The paged books carry a page-list, page-break markers and their source: else the
    validators would pass them without judging any of it."""
    with zipfile.ZipFile(built.path(book)) as z:
        nav = z.read("EPUB/nav.xhtml")
        pages = b"".join(z.read(n) for n in z.namelist() if n.startswith("EPUB/a0"))
        opf = z.read("EPUB/content.opf")
    assert b'epub:type="page-list"' in nav and "A01版 要闻".encode() in nav
    # Three pages begin in the book as read; with A01 revisited, A01 and A02 begin once each.
    assert pages.count(b'epub:type="pagebreak"') == (2 if book.startswith("paged-mixed") else 3)
    assert b'property="pageBreakSource"' in opf


@pytest.mark.parametrize("book", ["sample-vertical", "paged-horizontal", "seed-004-vertical"])
def test_books_have_the_metadata_and_tcy_the_validators_must_judge(book: str, built: Built) -> None:
    """The books carry the paper as creator, contributors with MARC roles and subjects, and
    the vertical ones tate-chu-yoko spans in their pages, cover and table of contents: else
    the validators would pass them without judging any of it."""
    with zipfile.ZipFile(built.path(book)) as z:
        opf = z.read("EPUB/content.opf")
        nav = z.read("EPUB/nav.xhtml")
        cover = z.read("EPUB/cover.xhtml")
        pages = b"".join(z.read(n) for n in z.namelist() if n.startswith("EPUB/a0"))
    assert b'<dc:creator id="creator">' in opf and b'property="file-as"' in opf
    assert opf.count(b"<dc:contributor ") >= 5 and b'scheme="marc:relators">rpt<' in opf
    if not book.startswith("seed-"):  # (the seed's page names no column)
        assert b"<dc:subject>" in opf
    vertical = book.endswith("-vertical")
    assert (b'class="tcy"' in pages + cover) == vertical
    if book.startswith("seed-004"):
        assert b'<span class="tcy">13</span>' in nav


def _broken_copy(good: Path, target: Path) -> Path:
    """The sample book with faults both validators must catch: no language anywhere and
    no accessibility metadata."""
    with zipfile.ZipFile(good) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    opf = files["EPUB/content.opf"].decode()
    opf = opf.replace(' xml:lang="zh-CN"', "").replace("<dc:language>zh-CN</dc:language>", "")
    opf = "\n".join(line for line in opf.splitlines() if "schema:" not in line and "conformsTo" not in line)
    files["EPUB/content.opf"] = opf.encode()
    for name in list(files):
        if name.endswith(".xhtml"):
            files[name] = files[name].replace(b' lang="zh-CN" xml:lang="zh-CN"', b"")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), files.pop("mimetype"))
        for name, data in files.items():
            z.writestr(name, data, zipfile.ZIP_DEFLATED)
    target.write_bytes(buffer.getvalue())
    return target


# --- EPUBCheck -------------------------------------------------------------------------------

_RUN_MANY = """
import com.adobe.epubcheck.tool.EpubChecker;

public class RunMany {
  public static void main(String[] books) {
    for (String book : books) {
      int code = new EpubChecker().run(
          new String[] {book, "--failonwarnings", "--json", book + ".json", "--quiet"});
      System.out.println("EXIT " + code + " " + book);
    }
  }
}
"""


@pytest.fixture(scope="module")
def epubcheck(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict]]:
    jar = require_tool("epubcheck")
    src = tmp_path_factory.mktemp("epubcheck") / "RunMany.java"
    src.write_text(_RUN_MANY, encoding="utf-8")
    books = {str(path): name for name, path in built.paths.items()}
    run = subprocess.run(["java", "-cp", jar, str(src), *books], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    results = {}
    for line in run.stdout.splitlines():
        if line.startswith("EXIT "):
            _, code, path = line.split(" ", 2)
            report = json.loads(Path(path + ".json").read_text(encoding="utf-8"))
            results[books[path]] = (int(code), report)
    assert set(results) == set(built.paths), run.stdout + run.stderr
    return results


def _messages(report: dict) -> str:
    return "\n".join(
        f"{m['severity']} {m['ID']}: {m['message']} {[loc.get('path') for loc in m.get('locations', [])]}"
        for m in report["messages"]
    )


@pytest.mark.parametrize("book", BOOKS)
def test_epubcheck_clean(book: str, built: Built, epubcheck: dict[str, tuple[int, dict]]) -> None:
    built.path(book)
    code, report = epubcheck[book]
    checker = report["checker"]
    assert checker["checkerVersion"] == "5.3.0"
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), _messages(report)
    assert code == 0, _messages(report)


def test_epubcheck_rejects_broken_control(epubcheck: dict[str, tuple[int, dict]]) -> None:
    code, report = epubcheck[BROKEN]
    assert code != 0
    assert report["checker"]["nError"] + report["checker"]["nFatal"] > 0


# --- Ace -----------------------------------------------------------------------------------------


def _ace(ace: str, epub: Path) -> dict:
    out = epub.with_suffix(".ace")
    env = dict(
        os.environ, PUPPETEER_EXECUTABLE_PATH=os.environ.get("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
    )
    run = subprocess.run(
        [ace, "-s", "-f", "-o", str(out), str(epub)], capture_output=True, text=True, env=env, timeout=300
    )
    report = out / "report.json"
    assert report.exists(), (
        f"Ace wrote no report for {epub.name} (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    )
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ace_reports(built: Built) -> dict[str, dict]:
    ace = require_tool("ace")
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {name: pool.submit(_ace, ace, path) for name, path in built.paths.items()}
        return {name: job.result() for name, job in jobs.items()}


def _violations(report: dict) -> list[str]:
    found = []
    for doc in report["assertions"]:
        for check in doc.get("assertions", []):
            if check["earl:result"]["earl:outcome"] == "fail":
                test = check["earl:test"]
                found.append(
                    f"{doc['earl:testSubject']['url']}: [{test['earl:impact']}] {test['dct:title']}: "
                    f"{check['earl:result'].get('dct:description', '')}"
                )
    return found


@pytest.mark.parametrize("book", BOOKS)
def test_ace_no_violations(book: str, built: Built, ace_reports: dict[str, dict]) -> None:
    built.path(book)
    report = ace_reports[book]
    assert report["earl:assertedBy"]["doap:release"]["doap:revision"] == "1.4.6"
    assert _violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    # Ace saw the page breaks of the paged books (and judged the page-list's source).
    assert report["properties"]["hasPageBreaks"] == book.startswith(PAGED)
    # Everything Ace lists as accessibility metadata it looks for, the book has.
    assert not report["a11y-metadata"]["empty"]
    assert {
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
        "a11y:certifiedBy",
    } <= set(report["a11y-metadata"]["present"])


def test_ace_rejects_broken_control(ace_reports: dict[str, dict]) -> None:
    report = ace_reports[BROKEN]
    assert report["earl:result"]["earl:outcome"] == "fail"
    assert len(_violations(report)) > 0
