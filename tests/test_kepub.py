"""The Kobo edition (``pressout.export.kepub``) and the Kindle check (``pressout.export.kindle``).

The Kobo edition is made only with ``[epub] kobo = true``, one per issue, as
``epub/{id}.kepub.epub``: the EPUB with Kobo's sentence spans. Checked by reopening the
archive: spans in every content document, every character of every paragraph inside them
and in order (tags stripped and compared with the EPUB's), ids unique and numbered as
kepubify numbers them, the rest of the book unchanged, the same bytes on every build;
EPUBCheck 5.3.0 (0 errors, 0 warnings) and Ace 1.4.6 (0 violations) pass a seed's and
the paged sample's Kobo edition (never skipped: a missing validator fails the test, and
a damaged copy must fail EPUBCheck). The Kindle check finds each of its four problems in
a damaged book, and none in the seeds' books.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, require_tool
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from samples import hostile_issue, paged_issue, sample_issue, web_issue

from pressout.config import Config, load_config
from pressout.errors import ConfigError
from pressout.export.css import stylesheet
from pressout.export.epub import epub_bytes
from pressout.export.kepub import EXPORTER, KEPUB_FILE, kepub_bytes, kobo_css, kobo_document, split_sentences
from pressout.export.kindle import css_custom_properties, kindle_check, kindle_problems, language_problem
from pressout.export.registry import Settings, check_templates
from pressout.model import Issue
from pressout.validate import ValidateOptions

H = "http://www.w3.org/1999/xhtml"
NS = {"h": H, "opf": "http://www.idpf.org/2007/opf"}
SPAN_ID = re.compile(r"kobo\.(\d+)\.(\d+)")
# Elements whose text a Kobo edition wraps (all text but white space between elements).
TEXT_BLOCKS = ("p", "h1", "h2", "li")


def _seed(path: Path) -> Issue:
    from pressout.read import read_page

    return read_page(path)


def _paged_mixed() -> Issue:
    """The paged sample with a column (a heading span in the nav) and a page revisited."""
    issue = paged_issue()
    a1, a2, a3, a4 = issue.articles
    return replace(issue, id=f"{issue.id}-mixed",
                   articles=(replace(a1, page=None), replace(a2, column="评论"), a3, replace(a4, page="A01")))


SOURCES: dict[str, Callable[[], Issue]] = {
    "sample": sample_issue,
    "hostile": hostile_issue,
    "web": web_issue,
    "paged": paged_issue,
    "paged-mixed": _paged_mixed,
    **{f"seed-{path.name[:3]}": (lambda path=path: _seed(path)) for path in SEEDS},
}


def _files(book: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _documents(files: dict[str, bytes]) -> list[str]:
    """The content documents of a pressout book, in manifest order."""
    opf = etree.fromstring(files["EPUB/content.opf"])
    return [f"EPUB/{item.get('href')}" for item in opf.iterfind("opf:manifest/opf:item", NS)
            if item.get("media-type") == "application/xhtml+xml"]


@pytest.fixture(scope="module")
def books() -> dict[str, tuple[bytes, bytes]]:
    """Each source's (EPUB, Kobo edition)."""
    out = {}
    for name, make in SOURCES.items():
        issue = make()
        out[name] = (epub_bytes(issue), kepub_bytes(issue))
    return out


# --- configuration and the build ----------------------------------------------------------------


def test_kobo_key(tmp_path: Path) -> None:
    assert Config().kobo is False
    path = tmp_path / "pressout.toml"
    path.write_text("[epub]\nkobo = true\n", encoding="utf-8")
    assert load_config(path).kobo is True
    path.write_text("[epub]\nkobo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[epub\] kobo = 1 is not allowed; use true \| false"):
        load_config(path)
    assert Config(kobo=True).fingerprint() != Config().fingerprint()  # every output is made again
    from pressout.config import STARTER

    assert "\nkobo = false " in STARTER


def test_files_only_with_kobo() -> None:
    off, on = Settings(Config()), Settings(Config(kobo=True))
    issue = sample_issue()
    assert EXPORTER.issue_files(off) == () and list(EXPORTER.issue_outputs(issue, off, {})) == []
    assert check_templates(EXPORTER, EXPORTER.issue_files(on)) == (KEPUB_FILE,) == ("epub/{id}.kepub.epub",)
    # Vertical or not, one Kobo edition: of the horizontal book.
    vertical = Settings(Config(kobo=True, vertical=True))
    [(path, data)] = EXPORTER.issue_outputs(issue, vertical, {})
    assert path == f"epub/{issue.id}.kepub.epub" and data == kepub_bytes(issue)
    assert [v.name for v in EXPORTER.validators()] == ["kindle"]


def test_build_makes_one_per_issue_only_with_kobo(tmp_path: Path) -> None:
    import shutil

    from pressout.build import build

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS[0].parent, seeds)
    dist = tmp_path / "dist"
    assert build([seeds], dist, jobs=1).exit_code == 0
    assert not list((dist / "epub").glob("*.kepub.epub"))
    assert build([seeds], dist, jobs=1, config=Config(kobo=True)).exit_code == 0
    epubs = sorted(p.name.removesuffix(".epub") for p in (dist / "epub").glob("*.epub")
                   if not p.name.endswith(".kepub.epub"))
    kepubs = sorted(p.name.removesuffix(".kepub.epub") for p in (dist / "epub").glob("*.kepub.epub"))
    assert kepubs == epubs and len(kepubs) == len(SEEDS)
    for ident in kepubs:
        issue_book = (dist / "epub" / f"{ident}.kepub.epub").read_bytes()
        assert b"koboSpan" in _files(issue_book)["EPUB/a001.xhtml"]
    # The kindle check of `pressout validate` runs over them all, EPUBs and Kobo editions.
    check = kindle_check(dist, ValidateOptions())
    assert (check.name, check.files, check.ok, check.problems) == ("kindle", 2 * len(SEEDS), True, [])
    # Turned off again: the Kobo editions go.
    assert build([seeds], dist, jobs=1).exit_code == 0
    assert not list((dist / "epub").glob("*.kepub.epub"))


# --- the Kobo edition ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SOURCES))
def test_same_book_with_spans(name: str, books: dict[str, tuple[bytes, bytes]]) -> None:
    """Only the content documents change; every one of them has spans, the wrapper divs
    and Kobo's style, and the rest of the archive is the EPUB's, byte for byte."""
    epub, kobo = (_files(book) for book in books[name])
    assert list(kobo) == list(epub)  # the same entries, in the same order (mimetype first)
    documents = _documents(epub)
    assert "EPUB/nav.xhtml" in documents and "EPUB/cover.xhtml" in documents
    for entry in epub:
        if entry not in documents:
            assert kobo[entry] == epub[entry], entry
    for entry in documents:
        root = etree.fromstring(kobo[entry])
        assert kobo[entry].startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n")
        assert root.xpath("/h:html/h:body/h:div[@id='book-columns']/h:div[@id='book-inner']", namespaces=NS)
        assert len(root.find("h:body", NS)) == 1  # everything is in the wrappers
        assert root.xpath("h:head/h:style[@class='kobostylehacks']", namespaces=NS)
        assert root.xpath("//h:span[@class='koboSpan']", namespaces=NS), entry
    with zipfile.ZipFile(io.BytesIO(books[name][1])) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert z.testzip() is None


def _strip_tags(xml: str) -> str:
    return re.sub(r"<[^>]*>", "", xml)


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_character_in_order_inside_the_spans(name: str, books: dict[str, tuple[bytes, bytes]]) -> None:
    epub, kobo = (_files(book) for book in books[name])
    for entry in _documents(epub):
        before, after = etree.fromstring(epub[entry]), etree.fromstring(kobo[entry])
        for tag in TEXT_BLOCKS:
            old = before.findall(f".//h:body//h:{tag}", NS)
            new = after.findall(f".//h:body//h:{tag}", NS)
            assert len(old) == len(new), (entry, tag)
            for a, b in zip(old, new, strict=True):
                text = "".join(a.itertext())
                # Tags stripped from the serialised element: the same characters, in order.
                serialised = etree.tostring(b, encoding="unicode", with_tail=False)
                assert _strip_tags(serialised) == _strip_tags(etree.tostring(a, encoding="unicode",
                                                                              with_tail=False))
                # ... and all of them inside the spans (the outermost ones: a span never
                # holds another).
                spans = b.xpath(".//h:span[@class='koboSpan']", namespaces=NS)
                assert not any(s.xpath(".//h:span[@class='koboSpan']", namespaces=NS) for s in spans)
                inside = "".join("".join(s.itertext()) for s in spans)
                # All of a paragraph's text; elsewhere white space between elements stays
                # outside (kepubify wraps white space alone only in a p).
                expected = text if tag == "p" else "".join(t for t in a.xpath(".//text()") if t.strip())
                assert inside == expected, (entry, text)
        # No text outside the spans but white space between elements.
        outside = after.xpath("//h:body//text()[not(ancestor::h:span[@class='koboSpan'])]", namespaces=NS)
        assert all(not t.strip() for t in outside), (entry, [t for t in outside if t.strip()])


@pytest.mark.parametrize("name", list(SOURCES))
def test_ids_unique_and_numbered_as_kepubify(name: str, books: dict[str, tuple[bytes, bytes]]) -> None:
    epub, kobo = (_files(book) for book in books[name])
    for entry in _documents(epub):
        root = etree.fromstring(kobo[entry])
        ids = [str(i) for i in root.xpath("//@id")]
        assert len(ids) == len(set(ids)), entry
        assert {str(i) for i in etree.fromstring(epub[entry]).xpath("//@id")} <= set(ids)  # none lost
        numbers = [tuple(map(int, SPAN_ID.fullmatch(s.get("id")).groups()))
                   for s in root.iterfind(".//h:span[@class='koboSpan']", NS)]
        assert numbers, entry
        last = (0, 0)
        for para, seg in numbers:
            # A new paragraph starts at sentence 1; within one, sentences follow on.
            assert (para > last[0] and seg == 1) or (para == last[0] and seg == last[1] + 1), (entry, numbers)
            last = (para, seg)


def test_paragraph_numbers_follow_the_blocks(books: dict[str, tuple[bytes, bytes]]) -> None:
    """Each headline and paragraph of an item is a paragraph of its own (kepubify's
    count): the n-th block with text is paragraph n."""
    kobo = _files(books["seed-004"][1])
    root = etree.fromstring(kobo["EPUB/a001.xhtml"])
    blocks = [b for b in root.iterfind(".//h:body//*", NS)
              if etree.QName(b).localname in ("p", "h1", "h2") and "".join(b.itertext()).strip()]
    for n, block in enumerate(blocks, start=1):
        paras = {SPAN_ID.fullmatch(s.get("id", "")).group(1)
                 for s in block.iterfind(".//h:span[@class='koboSpan']", NS)}
        assert paras == {str(n)}


def test_sentences_are_chinese_sentences(books: dict[str, tuple[bytes, bytes]]) -> None:
    """A paragraph of several sentences has one span per sentence, each ending at 。！？
    (with its closing quote) or at the paragraph's end."""
    kobo = _files(books["seed-004"][1])
    root = etree.fromstring(kobo["EPUB/a001.xhtml"])
    paragraph = root.findall(".//h:p", NS)[1]  # 通过加快建设太原国家互联网骨干直联点 … (three sentences)
    spans = ["".join(s.itertext()) for s in paragraph.iterfind("h:span", NS)]
    assert len(spans) == 3 and all(s.endswith("。") for s in spans)
    assert "".join(spans) == "".join(paragraph.itertext())


def test_deterministic(books: dict[str, tuple[bytes, bytes]]) -> None:
    """The same bytes again, and in another process with another hash seed."""
    issue = _seed(SEEDS[4])
    assert kepub_bytes(issue) == kepub_bytes(issue) == books["seed-004"][1]
    code = ("import sys, hashlib; from pressout.read import read_page; from pressout.export.kepub import kepub_bytes; "
            "sys.stdout.write(hashlib.sha256(kepub_bytes(read_page(sys.argv[1]))).hexdigest())")
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(SEEDS[4])], capture_output=True, text=True, env=env,
                         check=True, cwd=ROOT)
    import hashlib

    assert out.stdout == hashlib.sha256(books["seed-004"][1]).hexdigest()


def test_kepubify_rules_on_one_document() -> None:
    """Paragraph 0 before any paragraph, one paragraph per list, an image in a span (and
    paragraph) of its own, pre/svg/comments untouched, white space wrapped only in a p;
    a document that has spans already is left as it is."""
    doc = ("<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n"
           f'<html xmlns="{H}"><head><title>t</title></head><body>'
           "<div>intro. text</div><p>甲。乙！</p><ul><li>x</li><li>y</li></ul>"
           '<p><img src="i.png" alt=""/>后来。</p><pre>留着。 原样</pre><p> </p><!-- c -->尾'
           '<svg xmlns="http://www.w3.org/2000/svg"><text>矢量。图</text></svg></body></html>').encode()
    out = kobo_document(doc)
    spans = re.findall(r'<span class="koboSpan" id="(kobo\.\d+\.\d+)">(.*?)</span>', out.decode())
    assert spans == [("kobo.0.1", "intro. "), ("kobo.0.2", "text"), ("kobo.1.1", "甲。"), ("kobo.1.2", "乙！"),
                     ("kobo.2.1", "x"), ("kobo.2.2", "y"), ("kobo.3.1", '<img src="i.png" alt=""/>'),
                     ("kobo.3.2", "后来。"), ("kobo.4.1", " "), ("kobo.4.2", "尾")]
    assert "<pre>留着。 原样</pre>" in out.decode() and "<text>矢量。图</text>" in out.decode()
    assert "<!-- c -->" in out.decode()
    assert kobo_document(out) == out


# --- sentences ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "pieces"), [
    ("我们走吧。然后呢？好！", ["我们走吧。", "然后呢？", "好！"]),
    ("他说：“走吧。”大家都笑了。", ["他说：“走吧。”", "大家都笑了。"]),
    ("真的吗？！」他问。　下一句", ["真的吗？！」", "他问。　", "下一句"]),
    ("（完。）再见", ["（完。）", "再见"]),
    ("PM2.5浓度下降3.5%。U.S.A. 是缩写", ["PM2.5浓度下降3.5%。", "U.S.A. ", "是缩写"]),
    ("Hello. World! Is it? \"Yes.\" Done", ["Hello. ", "World! ", "Is it? ", "\"Yes.\" ", "Done"]),
    ("𠀀𪚥。𠀁", ["𠀀𪚥。", "𠀁"]),  # beyond the BMP: characters, not bytes or UTF-16 units
    ("好。\u0301后", ["好。\u0301", "后"]),  # a combining mark stays with its character
    ("没有句号", ["没有句号"]),
    ("", [""]),
    ("  ", ["  "]),
])
def test_split_sentences(text: str, pieces: list[str]) -> None:
    assert split_sentences(text) == pieces


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("甲乙。！？”」）. !?\"' \u3000\n𠀀\u0301a"), max_size=40))
def test_split_sentences_keeps_every_character(text: str) -> None:
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert all(pieces) or pieces == [""]
    for piece in pieces[:-1]:  # every cut is after a sentence's end (and the space after it)
        assert re.search(r"[。！？｡][。！？｡”」）\"')\u0301]*\s*$|[.!?]+['\"”’“…]?[ \t\n\r\f]+$", piece), pieces


# --- style sheets -------------------------------------------------------------------------------


def test_shipped_style_sheets_go_in_unchanged() -> None:
    for name in ("article.css", "epub.css"):
        css = stylesheet(name)
        assert css is not None
        assert kobo_css(css) == css and css_custom_properties(css.decode()) == []


def test_custom_properties_are_taken_out() -> None:
    css = (b':root {\n  --ink: #1a1a1a; /* a; comment */\n  color-scheme: light;\n}\n'
           b'@import url("x;y.css");\n'
           b"@media (min-width: 30em) {\n  :root { --ink: #eee; }\n  p { color: VAR(--ink); margin: 0 }\n}\n"
           b'p { content: "--a: var(;"; color: var(--ink, #000) }\n')
    out = kobo_css(css).decode()
    assert css_custom_properties(out) == []
    for kept in ("color-scheme: light", '@import url("x;y.css");', "@media (min-width: 30em)", "margin: 0",
                 'content: "--a: var(;"', "/* a; comment */"):
        assert kept in out
    # A desk's sheet with them: the Kobo edition passes the Kindle check, the EPUB does not.
    issue = sample_issue()
    styles = {"epub.css": (stylesheet("epub.css") or b"") + b"\n:root { --ink: #000; }\nbody { color: var(--ink); }\n"}
    assert any("CSS custom property" in p for p in kindle_problems(epub_bytes(issue, styles=styles)))
    assert kindle_problems(kepub_bytes(issue, styles=styles)) == []


# --- EPUBCheck and Ace -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validated(books: dict[str, tuple[bytes, bytes]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kepubs")
    paths = {}
    for name in ("seed-004", "paged-mixed"):
        paths[name] = folder / f"{name}.kepub.epub"
        paths[name].write_bytes(books[name][1])
    # A damaged copy EPUBCheck must refuse: two spans with one id.
    files = _files(books["seed-004"][1])
    files["EPUB/a001.xhtml"] = files["EPUB/a001.xhtml"].replace(b'id="kobo.1.1"', b'id="kobo.2.1"')
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), files.pop("mimetype"))
        for entry, data in files.items():
            z.writestr(entry, data, zipfile.ZIP_DEFLATED)
    paths["broken"] = folder / "broken.kepub.epub"
    paths["broken"].write_bytes(broken.getvalue())
    return paths


# All books through one JVM, as tests/test_epub_validators.py runs them.
from test_epub_validators import _RUN_MANY  # noqa: E402


def test_epubcheck(validated: dict[str, Path], tmp_path: Path) -> None:
    jar = require_tool("epubcheck")
    source = tmp_path / "RunMany.java"
    source.write_text(_RUN_MANY, encoding="utf-8")
    run = subprocess.run(["java", "-cp", jar, str(source), *map(str, validated.values())], capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    codes = {line.split(" ", 2)[2]: int(line.split(" ", 2)[1]) for line in run.stdout.splitlines()
             if line.startswith("EXIT ")}
    assert set(codes) == {str(p) for p in validated.values()}, run.stdout + run.stderr
    for name, path in validated.items():
        report = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
        checker = report["checker"]
        assert checker["checkerVersion"] == "5.3.0"
        assert checker["path"].endswith(path.name)
        messages = [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]
        if name == "broken":  # the control: two spans with one id
            assert codes[str(path)] != 0 and checker["nError"] > 0, messages
            assert any("kobo.2.1" in m for m in messages), messages
        else:
            assert (checker["nFatal"], checker["nError"], checker["nWarning"], codes[str(path)]) == (0, 0, 0, 0), (
                messages)


def test_ace(validated: dict[str, Path], tmp_path: Path) -> None:
    ace = require_tool("ace")
    env = dict(os.environ,
               PUPPETEER_EXECUTABLE_PATH=os.environ.get("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium"))
    for name in ("seed-004", "paged-mixed"):
        out = tmp_path / name
        run = subprocess.run([ace, "-s", "-f", "-o", str(out), str(validated[name])], capture_output=True,
                             text=True, env=env, timeout=300)
        report_file = out / "report.json"
        assert report_file.exists(), f"Ace wrote no report (exit {run.returncode}): {run.stdout}\n{run.stderr}"
        report = json.loads(report_file.read_text(encoding="utf-8"))
        assert report["earl:assertedBy"]["doap:release"]["doap:revision"] == "1.4.6"
        failed = [f"{doc['earl:testSubject']['url']}: {check['earl:test']['dct:title']}"
                  for doc in report["assertions"] for check in doc.get("assertions", [])
                  if check["earl:result"]["earl:outcome"] == "fail"]
        assert failed == [] and report["earl:result"]["earl:outcome"] == "pass"
        assert report["properties"]["hasPageBreaks"] == name.startswith("paged")


# --- the Kindle check -----------------------------------------------------------------------------


def _damaged(book: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    files = _files(book)
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), files.pop("mimetype"))
        for entry, data in files.items():
            z.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _replace(entry: str, old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(files: dict[str, bytes]) -> None:
        assert old in files[entry], (entry, old)
        files[entry] = files[entry].replace(old, new, 1)

    return change


DAMAGES = {
    "no language": (_replace("EPUB/content.opf", b"<dc:language>zh-CN</dc:language>", b""),
                    ["EPUB/content.opf: no dc:language"]),
    "odd language": (_replace("EPUB/content.opf", b"<dc:language>zh-CN</dc:language>",
                              b"<dc:language>zh_CN</dc:language>"),
                     ["EPUB/content.opf: dc:language 'zh_CN' is not a BCP 47 language tag"]),
    "unsupported language": (_replace("EPUB/content.opf", b"<dc:language>zh-CN</dc:language>",
                                      b"<dc:language>tlh</dc:language>"),
                             ["EPUB/content.opf: dc:language 'tlh' is not a language Kindle reads"]),
    "no declaration": (_replace("EPUB/a002.xhtml", b"<?xml version='1.0' encoding='utf-8'?>\n", b""),
                       ["EPUB/a002.xhtml: no XML declaration naming the encoding"]),
    "declaration without encoding": (_replace("EPUB/nav.xhtml", b" encoding='utf-8'", b""),
                                     ["EPUB/nav.xhtml: no XML declaration naming the encoding"]),
    "custom property": (_replace("EPUB/styles/epub.css", b"body {", b":root { --paper: #fff; }\nbody {"),
                        ["EPUB/styles/epub.css: CSS custom property: --paper:"]),
    "var()": (_replace("EPUB/styles/article.css", b"margin: 0;", b"margin: var(--gap);"),
              ["EPUB/styles/article.css: CSS custom property: var("]),
    "custom property in a page": (_replace("EPUB/a001.xhtml", b"<article ", b'<article style="--x: 1" '),
                                  ["EPUB/a001.xhtml: CSS custom property in a style attribute: --x:"]),
    "broken fragment": (_replace("EPUB/nav.xhtml", b'href="a003.xhtml"', b'href="a003.xhtml#nowhere"'),
                        ["EPUB/nav.xhtml: link 'a003.xhtml#nowhere': EPUB/a003.xhtml has no id 'nowhere'"]),
    "broken fragment in the NCX": (_replace("EPUB/toc.ncx", b'src="a004.xhtml"', b'src="a004.xhtml#gone"'),
                                   ["EPUB/toc.ncx: link 'a004.xhtml#gone': EPUB/a004.xhtml has no id 'gone'"]),
    "missing file": (_replace("EPUB/cover.xhtml", b'href="a002.xhtml"', b'href="a999.xhtml#x"'),
                     ["EPUB/cover.xhtml: link 'a999.xhtml#x' leads to EPUB/a999.xhtml, which is not in the book"]),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_kindle_check_finds_each_problem(damage: str, books: dict[str, tuple[bytes, bytes]]) -> None:
    change, expected = DAMAGES[damage]
    for book in books["seed-004"]:  # the EPUB and the Kobo edition alike
        problems = kindle_problems(_damaged(book, change))
        assert len(problems) == len(expected), problems
        for problem, start in zip(problems, expected, strict=True):
            assert problem.startswith(start), problems


def test_kindle_check_passes_the_seeds(books: dict[str, tuple[bytes, bytes]]) -> None:
    for name, (epub, kobo) in books.items():
        assert kindle_problems(epub) == [] and kindle_problems(kobo) == [], name
    for path in SEEDS:
        assert kindle_problems(epub_bytes(_seed(path), vertical=True)) == [], path.name
    # A link to an id that is there, and out of the book, is fine.
    fine = _damaged(books["seed-004"][0], _replace("EPUB/cover.xhtml", b'href="a002.xhtml"',
                                                   b'href="a002.xhtml#' + _first_id(books) + b'"'))
    assert kindle_problems(fine) == []
    assert kindle_problems(b"not a zip")[0].startswith("not a readable zip archive")


def _first_id(books: dict[str, tuple[bytes, bytes]]) -> bytes:
    root = etree.fromstring(_files(books["seed-004"][0])["EPUB/a002.xhtml"])
    return str(root.find(".//h:article", NS).get("id")).encode()


@pytest.mark.parametrize(("tag", "ok"), [
    ("zh", True), ("zh-CN", True), ("zh-Hans", True), ("zh-Hant-TW", True), ("ZH-hk", True), ("en-GB", True),
    ("zh_CN", False), ("", False), (None, False), ("chinese", False), ("zh-cmn-Hans", False), ("x-klingon", False),
    ("tlh", False), ("zh-CN-x-private", False),
])
def test_language_tags(tag: str | None, ok: bool) -> None:
    assert (language_problem(tag) is None) == ok


def test_kindle_validator_fails_a_damaged_book(tmp_path: Path, books: dict[str, tuple[bytes, bytes]]) -> None:
    (tmp_path / "epub").mkdir()
    (tmp_path / "epub" / "a.epub").write_bytes(books["seed-004"][0])
    (tmp_path / "epub" / "a.kepub.epub").write_bytes(_damaged(books["seed-004"][1], DAMAGES["var()"][0]))
    check = kindle_check(tmp_path, ValidateOptions())
    assert (check.files, check.ok) == (2, False)
    assert check.problems == ["a.kepub.epub: EPUB/styles/article.css: CSS custom property: var("]
    empty = kindle_check(tmp_path / "nothing", ValidateOptions())
    assert empty.ok is None and empty.files == 0

