"""The TEI archive: valid TEI P5 (jing and lxml), checks the schema cannot make, and a
lossless round trip model → TEI → model for the seeds, the samples and generated models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from conftest import ROOT, require_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from samples import PAGED_FILES, hostile_issue, paged_issue, sample_issue, web_issue
from strategies import issues, replicas, texts

import pressout
from pressout.errors import InputError, OutputError
from pressout.export.tei import (
    TEI_NS,
    corpus_fragment,
    tei_bytes,
    tei_documents,
    text_lang,
    write_corpus,
    write_tei,
)
from pressout.model import (
    PUBLICATION_UNKNOWN,
    Article,
    Furniture,
    Issue,
    Kind,
    Mark,
    Page,
    Paragraph,
    Removal,
    Repair,
)
from pressout.read import read_page
from pressout.read.rules import RULES
from pressout.read.tei import read_tei

NS = {"t": TEI_NS}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
POINTERS = ("who", "target", "next", "prev", "resp", "corresp", "ana", "sameAs")


def t(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


def without_joins(issue: Issue) -> Issue:
    """The model as an archive written with keep_breaks=False holds it: joins are not written."""

    def article(a: Article) -> Article:
        body = tuple(dataclasses.replace(b, joins=()) if isinstance(b, Paragraph) else b for b in a.body)
        return dataclasses.replace(a, body=body)

    return dataclasses.replace(issue, articles=tuple(map(article, issue.articles)))


def empty_issue() -> Issue:
    return Issue(source="empty.txt", id="tyrb-x-empty", sha256="e" * 64, articles=())


# The language tags the reader gives a page (by its script), web_issue()'s zh-TW aside.
OTHER_LANGUAGES = ("zh-CN", "zh-Hans", "zh-Hant", "zh-HK", "zh-MO", "zh-SG", "zh-MY")


def web_issues_in_every_language() -> list[Issue]:
    """The web dump's page (source fields, removed scaffolding, no paper named) in each of
    the reader's language tags."""
    return [web_issue(), *(dataclasses.replace(web_issue(), language=tag) for tag in OTHER_LANGUAGES)]


@pytest.fixture(scope="session")
def seed_issues(seed_paths: list[Path]) -> list[Issue]:
    return [read_page(p) for p in seed_paths]


CORPUS_FILES = ROOT / "tests" / "corpus" / "files"


def irregular_paged_issue() -> Issue:
    """Pages as no header-led dump makes them, but the model allows: a page with no article
    (2), a name printed empty (3), the paper's order unlike the body's, a page gone back to
    (1 again, under a second header), an article of no page between, and furniture at
    every kind of boundary."""
    iid = "dskb-2026-04-05-a"
    articles = tuple(
        Article(id=f"{iid}-i{n}", kind=Kind.ARTICLE, title=f"标题{n}", body=(Paragraph(f"正文{n}。"),), page=page)
        for n, page in enumerate(["1", None, "3", "1"])
    )
    furniture = (
        Furniture(f"{iid}-f1", "banner", "都市快报", 0),
        Furniture(f"{iid}-f2", "page-header", "第1版：要闻", 0),
        Furniture(f"{iid}-f3", "banner", "本版导读", 0),
        Furniture(f"{iid}-f4", "banner", "广告", 1),
        Furniture(f"{iid}-f5", "editor-box", "责任编辑：王勇", 3),
        Furniture(f"{iid}-f6", "page-header", "第1版：要闻（续）", 3),
        Furniture(f"{iid}-f7", "editor-box", "责任编辑：李静", 4),
    )
    return Issue(
        source="dskb_20260405.txt", id=iid, sha256="d" * 64, articles=articles, publication="都市快报",
        publication_slug="dskb", date=dt.date(2026, 4, 5), date_cert="high", furniture=furniture,
        pages=(Page("3", ""), Page("1", "要闻"), Page("2")),
    )


@pytest.fixture(scope="session")
def paged_issues() -> list[Issue]:
    """Issues with pages (Issue.pages, Article.page): the sample whole issue (three pages,
    headers in three forms), the dumps of PAGED_FILES, and irregular_paged_issue()."""
    return [paged_issue(), *(read_page(CORPUS_FILES / name) for name in PAGED_FILES), irregular_paged_issue()]


@pytest.fixture(scope="session")
def all_issues(seed_issues: list[Issue], paged_issues: list[Issue]) -> list[Issue]:
    # Renamed copies: sample_issue() shares its id with seed 004's issue.
    bases = [sample_issue(), hostile_issue(), empty_issue(), *web_issues_in_every_language()]
    return [*seed_issues, *paged_issues, *replicas(bases, len(bases))]


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory, all_issues: list[Issue]) -> dict[str, Path]:
    """Every issue as TEI in both modes, and the corpus of them all (default: with breaks)."""
    out = tmp_path_factory.mktemp("tei")
    files = {}
    for issue in all_issues:
        files[issue.id] = write_tei(issue, out / f"{issue.id}.xml")
        files[f"{issue.id}-nobreaks"] = write_tei(issue, out / f"{issue.id}-nobreaks.xml", keep_breaks=False)
    files["corpus"] = write_corpus(all_issues, out / "corpus.xml")
    return files


# --- validity --------------------------------------------------------------------------


def test_jing_accepts_every_document_and_the_corpus(archive: dict[str, Path], schemas_dir: Path) -> None:
    jing = require_tool("jing")
    # One call for all files: the JVM start costs more than validating them.
    run = subprocess.run(
        [jing, str(schemas_dir / "tei_all.rng"), *map(str, archive.values())],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""


def test_lxml_relaxng_accepts_every_document_and_the_corpus(archive: dict[str, Path], tei_relaxng) -> None:
    for name, path in archive.items():
        # Parsed from the file, never validated in memory (lxml misses duplicate ids there).
        doc = etree.parse(str(path))
        assert tei_relaxng.validate(doc), f"{name}: {tei_relaxng.error_log}"


def test_seed_bytes_validate_after_reparse(seed_issues: list[Issue], tei_relaxng) -> None:
    for issue in seed_issues:
        doc = etree.ElementTree(etree.fromstring(tei_bytes(issue)))
        assert tei_relaxng.validate(doc), f"{issue.id}: {tei_relaxng.error_log}"


# --- what the schema cannot check -------------------------------------------------------


def _ids(root: etree._Element) -> list[str]:
    return [el.get(XML_ID) for el in root.iter() if isinstance(el.tag, str) and el.get(XML_ID)]


def test_every_pointer_resolves(archive: dict[str, Path]) -> None:
    for name, path in archive.items():
        root = etree.parse(str(path)).getroot()
        ids = set(_ids(root))
        pointers = 0
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in POINTERS:
                for token in (el.get(attr) or "").split():
                    pointers += 1
                    assert token.startswith("#") and token[1:] in ids, f"{name}: {attr}={token!r}"
        assert pointers > 0, f"{name}: no pointers at all (change/@who is expected)"


def test_ids_are_unique_ncnames_across_the_corpus(archive: dict[str, Path], all_issues: list[Issue]) -> None:
    root = etree.parse(str(archive["corpus"])).getroot()
    ids = _ids(root)
    assert len(ids) == len(set(ids))
    ncname = re.compile(r"^[A-Za-z_][\w.\-]*$")
    assert all(ncname.match(i) for i in ids), [i for i in ids if not ncname.match(i)]
    # The TEI ids are the model's ids, which the EPUB and feeds use too.
    model_ids = {i.id for i in all_issues}
    model_ids |= {a.id for i in all_issues for a in i.articles}
    model_ids |= {f.id for i in all_issues for f in i.furniture}
    assert model_ids <= set(ids)


def _langs_used(el: etree._Element, skip: str | None = None) -> set[str]:
    used = set()
    for node in el.iter():
        if node is not el and skip is not None and node.tag == skip:
            continue
        if isinstance(node.tag, str) and node.get(XML_LANG):
            used.add(node.get(XML_LANG))
    return used


def _declared(header: etree._Element) -> set[str]:
    return {lang.get("ident") for lang in header.iterfind("t:profileDesc/t:langUsage/t:language", NS)}


def test_every_language_used_is_declared(archive: dict[str, Path]) -> None:
    for name, path in archive.items():
        root = etree.parse(str(path)).getroot()
        teis = [root] if root.tag == t("TEI") else root.findall("t:TEI", NS)
        for tei in teis:
            used = {
                lang
                for node in tei.iter()
                if isinstance(node.tag, str)
                for lang in [node.get(XML_LANG)]
                if lang
            }
            assert used, name
            assert used <= _declared(tei.find("t:teiHeader", NS)), f"{name}: {used}"
        if root.tag == t("teiCorpus"):
            header = root.find("t:teiHeader", NS)
            assert _langs_used(header) <= _declared(header)


def _visible(el: etree._Element) -> str:
    """Text a reader of the cleaned edition sees: no notes, figures or original readings."""
    out = [el.text or ""]
    for child in el:
        if child.tag not in (t("orig"), t("note"), t("figure")):
            out.append(_visible(child))
        out.append(child.tail or "")
    return "".join(out)


@pytest.mark.parametrize("keep_breaks", [False, True])
def test_paragraph_text_equals_the_model(all_issues: list[Issue], keep_breaks: bool) -> None:
    for issue in all_issues:
        root = etree.fromstring(tei_bytes(issue, keep_breaks=keep_breaks))
        for article in issue.articles:
            (div,) = root.xpath("//t:div[@xml:id=$id]", namespaces=NS, id=article.id)
            ps = [p for p in div.iter(t("p")) if p.getparent().tag != t("figure")]
            assert [_visible(p) for p in ps] == [p.text for p in article.paragraphs], article.id


def test_no_whitespace_added_inside_mixed_content(all_issues: list[Issue]) -> None:
    mixed = {t(n) for n in "p head byline dateline ab note hi orig reg persName title bibl change item name".split()}
    for issue in all_issues:
        if any("\n" in f.text for f in issue.furniture):
            continue  # a banner with the source's own line breaks (Shenbao), kept as found
        root = etree.fromstring(tei_bytes(issue, keep_breaks=True))
        for el in root.iter(*mixed):
            for piece in [el.text, *(c.tail for c in el)]:
                assert "\n" not in (piece or ""), (issue.id, etree.tostring(el, encoding="unicode"))


# --- the header -------------------------------------------------------------------------


def test_header_records_source_date_software_and_rules(seed_issues: list[Issue]) -> None:
    for issue in seed_issues:
        root = etree.fromstring(tei_bytes(issue))
        header = root.find("t:teiHeader", NS)
        bibl = header.find("t:fileDesc/t:sourceDesc/t:bibl", NS)
        assert bibl.findtext("t:title[@level='j']", namespaces=NS) == issue.publication
        assert bibl.findtext("t:idno[@type='sourceFile']", namespaces=NS) == issue.source
        assert bibl.findtext("t:idno[@type='sha256']", namespaces=NS) == issue.sha256
        date = bibl.find("t:date", NS)
        assert date.get("when") == issue.date.isoformat()
        assert date.get("cert") == (None if issue.date_cert == "high" else issue.date_cert)
        app = header.find("t:encodingDesc/t:appInfo/t:application", NS)
        assert app.get("version") == pressout.__version__
        assert re.fullmatch(r"\d+\.\d+\.\d+", app.get("version"))
        decl = header.find("t:encodingDesc/t:editorialDecl", NS)
        stated = {p.get("n"): "".join(p.itertext()) for p in decl.iter(t("p"))}
        # Exactly the rules that acted on this page, each in the reader's own words.
        applied = {name: text for name, text in stated.items() if name in {r.name for r in RULES}}
        assert set(applied) == set(issue.rules_applied) and len(applied) >= 10
        for rule in RULES:
            if rule.name in applied:
                assert applied[rule.name] == rule.description
        (change,) = header.findall("t:revisionDesc/t:change", NS)
        # Dates come from the model, never the clock.
        assert change.get("when") == issue.date.isoformat()
        assert header.find("t:fileDesc/t:publicationStmt/t:date", NS).get("when") == issue.date.isoformat()
        text = "".join(change.itertext())
        assert issue.source in text and issue.sha256 in text
        assert root.get(XML_LANG) == "zh-Hans"


def test_output_is_deterministic(seed_issues: list[Issue], monkeypatch: pytest.MonkeyPatch) -> None:
    issue = seed_issues[0]
    first = tei_bytes(issue, keep_breaks=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert tei_bytes(issue, keep_breaks=True) == first  # dated: the epoch is not needed
    undated = tei_bytes(hostile_issue())
    assert b'when="2023-11-15"' in undated  # 1700000000 is 2023-11-15 in Beijing
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert b'when="2000-01-01"' in tei_bytes(hostile_issue())


def test_corpus_header_and_embedded_documents(archive: dict[str, Path], all_issues: list[Issue]) -> None:
    root = etree.parse(str(archive["corpus"])).getroot()
    assert root.tag == t("teiCorpus")
    assert root.find("t:teiHeader/t:encodingDesc/t:appInfo/t:application", NS).get(XML_ID) == "pressout"
    teis = root.findall("t:TEI", NS)
    assert [tei.get(XML_ID) for tei in teis] == [i.id for i in all_issues]
    for tei in teis:  # the application's id lives once, in the corpus header
        assert tei.find("t:teiHeader/t:encodingDesc/t:appInfo/t:application", NS).get(XML_ID) is None


# --- round trips ------------------------------------------------------------------------


def test_round_trip_keeps_every_issue(archive: dict[str, Path], all_issues: list[Issue]) -> None:
    for issue in all_issues:
        assert read_tei(archive[issue.id]) == [issue]  # the default archive: the identity
        # Without keep_breaks the rejoined breaks are not written; the rest comes back.
        assert read_tei(archive[f"{issue.id}-nobreaks"]) == [without_joins(issue)]
    assert read_tei(archive["corpus"]) == all_issues


def test_exports_from_the_archive_equal_exports_from_the_pages(
    archive: dict[str, Path], seed_issues: list[Issue]
) -> None:
    """Even the archive without breaks (keep_breaks=False) is enough to rebuild the EPUB
    and the article HTML that the feeds and web edition share, byte for byte."""
    from pressout.export.epub import epub_bytes
    from pressout.export.html import render_article

    for issue in seed_issues:
        (again,) = read_tei(archive[f"{issue.id}-nobreaks"])
        assert epub_bytes(again) == epub_bytes(issue), issue.id
        assert [render_article(a) for a in again.articles] == [render_article(a) for a in issue.articles]


def test_seeds_exercise_the_mapping(seed_issues: list[Issue]) -> None:
    """The seeds really contain what the round trip is meant to protect."""
    paragraphs = [p for i in seed_issues for a in i.articles for p in a.paragraphs]
    assert any(p.repairs for p in paragraphs) and any(p.marks for p in paragraphs)
    assert any(p.joins for p in paragraphs)
    assert any(a.closing for i in seed_issues for a in i.articles)
    assert any(i.furniture for i in seed_issues)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=issues())
def test_round_trip_generated_models(issue: Issue, tei_relaxng) -> None:
    data = tei_bytes(issue, keep_breaks=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "issue.xml"
        path.write_bytes(data)
        assert read_tei(path) == [issue]
    root = etree.fromstring(data)
    assert tei_relaxng.validate(etree.ElementTree(root)), tei_relaxng.error_log
    ids = _ids(root)
    assert len(ids) == len(set(ids))
    for article in issue.articles:
        (div,) = root.xpath("//t:div[@xml:id=$id]", namespaces=NS, id=article.id)
        ps = [p for p in div.iter(t("p")) if p.getparent().tag != t("figure")]
        assert [_visible(p) for p in ps] == [p.text for p in article.paragraphs]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=issues())
def test_one_serialisation_gives_the_document_and_the_corpus_fragment(issue: Issue) -> None:
    """A build serialises an issue once (``tei_documents``) and cuts its corpus fragment
    from the standalone document: both must be exactly what writing each gives, also for
    text with a raw newline, where the cut would indent the text (it is written anew)."""
    for keep_breaks in (True, False):
        assert tei_documents(issue, keep_breaks=keep_breaks) == (tei_bytes(issue, keep_breaks=keep_breaks),
                                                                corpus_fragment(issue, keep_breaks=keep_breaks))


def test_one_serialisation_of_seeds_and_of_text_with_a_newline(seed_issues: list[Issue]) -> None:
    for issue in seed_issues:
        assert tei_documents(issue) == (tei_bytes(issue), corpus_fragment(issue))
    article = seed_issues[0].articles[0]
    broken = dataclasses.replace(article, body=(Paragraph("第一行\n  第二行"), *article.body))
    issue = dataclasses.replace(seed_issues[0], articles=(broken, *seed_issues[0].articles[1:]))
    document, fragment = tei_documents(issue)
    assert fragment == corpus_fragment(issue) and "第一行\n  第二行".encode() in fragment


def test_crossing_marks_and_repairs_are_refused() -> None:
    text = "在PM2.5治理"
    para = Paragraph(text, marks=(Mark(3, 7, "subscript"),), repairs=(Repair(1, 5, "PM_{2", "x"),))
    article = Article(id="tyrb-2021-12-10-a-i1", kind=Kind.ARTICLE, title=None, body=(para,))
    issue = dataclasses.replace(sample_issue(), articles=(article,))
    with pytest.raises(ValueError, match="crosses"):
        tei_bytes(issue)


# --- source fields, removed scaffolding, an unknown paper, languages ----------------------


def test_source_fields_removed_text_and_an_unknown_paper_are_archived(tei_relaxng) -> None:
    issue = web_issue()
    data = tei_bytes(issue)
    root = etree.fromstring(data)
    assert tei_relaxng.validate(etree.ElementTree(root)), tei_relaxng.error_log
    header = root.find("t:teiHeader", NS)
    # The paper nothing names: the masthead every output shows, marked as no name.
    journal = header.find("t:fileDesc/t:sourceDesc/t:bibl/t:title[@level='j']", NS)
    assert (journal.text, journal.get("type"), journal.get("key")) == (PUBLICATION_UNKNOWN, "unknown", "paper")
    assert header.findtext("t:fileDesc/t:titleStmt/t:title[@type='main']", namespaces=NS) == issue.title
    # Removed scaffolding: a group per rule (in the order rules first took something out),
    # its count, and each passage as found with its place in Issue.removed.
    fd = header.find("t:fileDesc", NS)
    assert [etree.QName(c).localname for c in fd] == ["titleStmt", "publicationStmt", "notesStmt", "sourceDesc"]
    groups = fd.findall("t:notesStmt/t:noteGrp", NS)
    assert [(g.get("type"), g.get("n")) for g in groups] == [("removed", "web-scaffolding"), ("removed", "container-json")]
    assert [g.findtext("t:desc", namespaces=NS).split(" of ")[0] for g in groups] == ["2 passages", "1 passage"]
    notes = [[(n.get("n"), n.text, n.get(XML_LANG)) for n in g.findall("t:note", NS)] for g in groups]
    assert notes == [
        [("1", "抓取時間：2026-08-22 06:43", "zh-Hant"), ("3", "字數：1200　首次上稿：2026-08-22", "zh-Hant")],
        [("2", '"count": 3', "zh-Hant")],
    ]
    # Each rule that took something out is stated in editorialDecl, by name.
    stated = {p.get("n") for p in header.iterfind("t:encodingDesc/t:editorialDecl/*/t:p", NS)}
    assert {g.get("n") for g in groups} & {r.name for r in RULES} <= stated
    (change,) = header.findall("t:revisionDesc/t:change", NS)
    assert "3 passages of source scaffolding taken out, kept in notesStmt" in change.text
    # Source fields: a gloss list in a note closing the article, names and values as found.
    for article in issue.articles:
        (div,) = root.xpath("//t:div[@xml:id=$id]", namespaces=NS, id=article.id)
        records = div.findall("t:note[@type='source-record']", NS)
        if not article.meta:
            assert records == []
            continue
        (record,) = records
        assert div[-1] is record and record.text is None
        (gloss,) = record
        assert gloss.tag == t("list") and gloss.get("type") == "gloss"
        pairs = [(el.text or "", etree.QName(el).localname) for el in gloss]
        assert pairs == [x for name, value in article.meta for x in ((name, "label"), (value, "item"))]
    # None of it is text of the page.
    assert [_visible(p) for p in root.iter(t("p")) if p.getparent().tag == t("div")] == [
        p.text for a in issue.articles for p in a.paragraphs
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.xml"
        path.write_bytes(data)
        assert read_tei(path) == [issue]


def test_a_paper_named_as_the_unknown_masthead_stays_named(tmp_path: Path) -> None:
    """Only the type="unknown" mark makes the publication "": a paper really called
    报刊不详 keeps its name."""
    named = dataclasses.replace(web_issue(), publication=PUBLICATION_UNKNOWN)
    assert b'type="unknown"' not in tei_bytes(named)
    assert read_tei(write_tei(named, tmp_path / "named.xml")) == [named]
    assert read_tei(write_tei(web_issue(), tmp_path / "unknown.xml"))[0].publication == ""


def test_removed_text_and_source_fields_keep_their_line_breaks(tmp_path: Path) -> None:
    """Scaffolding may span lines (字數 … then 首次上稿 …): the raw newline is kept as found,
    and the corpus fragment is written anew rather than cut from the document."""
    base = web_issue()
    first = dataclasses.replace(base.articles[0], meta=(("摘要", "第一行\n第二行"),))
    issue = dataclasses.replace(
        base, articles=(first, *base.articles[1:]), removed=(*base.removed, Removal("web-scaffolding", "字數\n上稿"))
    )
    assert tei_documents(issue) == (tei_bytes(issue), corpus_fragment(issue))
    assert "字數\n上稿".encode() in corpus_fragment(issue)
    assert read_tei(write_tei(issue, tmp_path / "lines.xml")) == [issue]


@pytest.mark.parametrize(
    "tag, script",
    [
        ("zh-CN", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-MY", "zh-Hans"),
        ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"), ("zh-hant-hk", "zh-Hant"), ("zh-Hans-HK", "zh-Hans"), ("en", "en"),
    ],
)
def test_text_is_tagged_by_script(tag: str, script: str) -> None:
    assert text_lang(tag) == script


@pytest.mark.parametrize("issue", web_issues_in_every_language(), ids=lambda i: i.language)
def test_every_language_tag_is_named_in_lang_usage(issue: Issue) -> None:
    root = etree.fromstring(tei_bytes(issue))
    assert root.get(XML_LANG) == text_lang(issue.language)
    usage = {
        lang.get("ident"): lang.text
        for lang in root.iterfind("t:teiHeader/t:profileDesc/t:langUsage/t:language", NS)
    }
    assert list(usage) == list(dict.fromkeys(["en", text_lang(issue.language), issue.language]))
    assert all(name and "(language of the source page)" not in name for name in usage.values()), usage
    assert root.find("t:teiHeader/t:fileDesc/t:sourceDesc/t:bibl/t:textLang", NS).get("mainLang") == issue.language


RULE_NAMES = [r.name for r in RULES]


@st.composite
def issues_from_web_dumps(draw: st.DrawFn) -> Issue:
    """Generated issues with what web dumps add: source fields on the articles (names a
    dump may use, any text, even empty), removed scaffolding (rules named or not), an
    unknown paper, and every language tag."""
    issue = draw(issues())
    names = st.one_of(st.sampled_from(["link", "URL", "PDF链接", "抓取 时间", "", "id"]), texts(max_size=8))
    fields = st.lists(st.tuples(names, texts(max_size=24)), max_size=4)
    articles = tuple(dataclasses.replace(a, meta=tuple(draw(fields))) for a in issue.articles)
    rules = st.sampled_from([*RULE_NAMES, "", "a rule with spaces"])
    removed = tuple(draw(st.lists(st.builds(Removal, rules, texts(max_size=24)), max_size=5)))
    return dataclasses.replace(
        issue,
        articles=articles,
        removed=removed,
        publication=draw(st.sampled_from(["", issue.publication, PUBLICATION_UNKNOWN])),
        language=draw(st.sampled_from(["zh-TW", *OTHER_LANGUAGES])),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=issues_from_web_dumps())
def test_round_trip_generated_models_from_web_dumps(issue: Issue, tei_relaxng) -> None:
    for keep_breaks in (True, False):
        data = tei_bytes(issue, keep_breaks=keep_breaks)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "issue.xml"
            path.write_bytes(data)
            assert read_tei(path) == [issue if keep_breaks else without_joins(issue)]
        assert tei_relaxng.validate(etree.ElementTree(etree.fromstring(data))), tei_relaxng.error_log
    assert tei_documents(issue) == (tei_bytes(issue), corpus_fragment(issue))


# --- reading errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'/>", "not a TEI file"),
        (
            b"<TEI xmlns='http://www.tei-c.org/ns/1.0' xml:id='x'><teiHeader/><text><body/></text></TEI>",
            "not written by pressout",
        ),
        (b"<teiCorpus xmlns='http://www.tei-c.org/ns/1.0'><teiHeader/></teiCorpus>", "without any TEI"),
    ],
)
def test_read_tei_refuses_other_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        read_tei(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_read_tei_refuses_unknown_markup_and_missing_files(tmp_path: Path) -> None:
    head, body = tei_bytes(sample_issue()).split(b"<body>")
    data = head + b"<body>" + body.replace(b"<p>", b"<p><gap/>", 1)
    (tmp_path / "odd.xml").write_bytes(data)
    with pytest.raises(InputError, match="unexpected gap"):
        read_tei(tmp_path / "odd.xml")
    with pytest.raises(InputError, match="cannot read"):
        read_tei(tmp_path / "missing.xml")


@pytest.mark.parametrize(
    "old, new, message",
    [
        (b"<label>id</label>", b"<p>id</p>", "not label/item pairs"),
        (b'<list type="gloss"><label>id</label><item>5500123</item>', b'<list type="gloss"><label>id</label>',
         "not label/item pairs"),
        (b'<note xml:lang="zh-Hant" n="3">', b'<note xml:lang="zh-Hant" n="4">', "not numbered 1 to 3"),
        (b'<note xml:lang="zh-Hant" n="3">', b'<note xml:lang="zh-Hant">', "without its place"),
    ],
)
def test_read_tei_refuses_broken_source_fields_and_removed_text(
    tmp_path: Path, old: bytes, new: bytes, message: str
) -> None:
    data = tei_bytes(web_issue())
    assert old in data
    (tmp_path / "broken.xml").write_bytes(data.replace(old, new, 1))
    with pytest.raises(InputError, match=message):
        read_tei(tmp_path / "broken.xml")


def test_read_tei_does_not_expand_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    head, body = tei_bytes(sample_issue()).split(b"<body>")
    doctype = f'<!DOCTYPE TEI [<!ENTITY x SYSTEM "file://{secret}">]>\n<TEI '.encode()
    data = head.replace(b"<TEI ", doctype, 1) + b"<body>" + body.replace("本报讯".encode(), b"&x;", 1)
    (tmp_path / "xxe.xml").write_bytes(data)
    issue = read_tei(tmp_path / "xxe.xml")[0]
    assert issue.articles[0].dateline == "&x;"  # left as the reference, never expanded
    assert "SECRET" not in repr(issue)


# --- writing ----------------------------------------------------------------------------


def test_write_tei_is_atomic_and_reports_output_errors(tmp_path: Path) -> None:
    target = tmp_path / "out" / "issue.xml"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert write_tei(sample_issue(), target) == target
    assert target.read_bytes() == tei_bytes(sample_issue())
    assert [p.name for p in target.parent.iterdir()] == ["issue.xml"]  # no temp file left
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_tei(sample_issue(), blocker / "issue.xml")


def test_corpus_refuses_duplicate_ids_and_no_issues(tmp_path: Path) -> None:
    target = tmp_path / "corpus.xml"
    with pytest.raises(InputError, match="two issues"):
        write_corpus([sample_issue(), sample_issue()], target)
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="at least one"):
        write_corpus(iter(()), target)


# --- streaming --------------------------------------------------------------------------


def _python_peak(count: int, path: Path) -> int:
    tracemalloc.start()
    try:
        write_corpus(replicas([sample_issue(), hostile_issue()], count), path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_corpus_streams_python_memory_is_flat(tmp_path: Path) -> None:
    _python_peak(2, tmp_path / "warm.xml")
    small = _python_peak(50, tmp_path / "small.xml")
    large = _python_peak(1000, tmp_path / "large.xml")
    # All that grows is the set of issue ids that keeps xml:ids unique (~120 bytes an
    # issue); one issue's model and tree alone cost far more than 400 bytes.
    assert large - small < 950 * 400, (small, large)
    ids = [tei.get(XML_ID) for _, tei in etree.iterparse(str(tmp_path / "large.xml"), tag=t("TEI"))]
    assert len(ids) == len(set(ids)) == 1000


_RSS_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from pressout.export.tei import write_corpus
    from samples import hostile_issue, sample_issue
    from strategies import replicas

    def peak_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

    write_corpus(replicas([sample_issue(), hostile_issue()], 2), sys.argv[2] + ".warm")
    before = peak_kib()
    write_corpus(replicas([sample_issue(), hostile_issue()], int(sys.argv[1])), sys.argv[2])
    print(peak_kib() - before)
    """
)


def test_corpus_streams_native_memory_is_flat(tmp_path: Path) -> None:
    """libxml2's trees are invisible to tracemalloc: measure the process's peak RSS."""

    def growth(count: int) -> int:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                _RSS_SCRIPT,
                str(count),
                str(tmp_path / f"c{count}.xml"),
                str(ROOT / "tests"),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return int(run.stdout)

    small, large = growth(100), growth(4000)
    size_kib = (tmp_path / "c4000.xml").stat().st_size // 1024
    # Holding the trees would cost several times the file's size (~30 MB); even keeping
    # each xml:id in libxml2's string dictionary (what building one tree per issue does)
    # costs ~550 bytes an issue here. The set of issue ids costs ~190.
    assert (large - small) * 1024 < 3900 * 256, (small, large, size_kib)
    assert size_kib > 20 * 1024


def test_every_kind_of_furniture_round_trips(tmp_path: Path) -> None:
    """A page with a slogan banner and a staff line (责任编辑 …) comes back whole."""
    from pressout.read import IssueMeta, read_text

    issue = read_text(
        "**全面贯彻“五位一体”总体布局**\n\n快递网点实现“村村通”\n\n本报讯 我市“快递进村”实现建制村全覆盖。\n\n"
        "责任编辑：王勇 版式设计：李静\n",
        source="furniture.txt",
        meta=IssueMeta(date=dt.date(2021, 12, 10)),
    )
    assert {f.kind for f in issue.furniture} == {"banner", "editor-box"}
    path = write_tei(issue, tmp_path / "f.xml")
    assert read_tei(path) == [issue]


# --- pages ------------------------------------------------------------------------------


def _body_layout(root: etree._Element) -> list[object]:
    """The body as (kind, id or label, [children]) : page divs with their head and items,
    furniture and articles by id."""

    def item(el: etree._Element) -> object:
        if el.get("type") == "page":
            head, *rest = el
            return ("page", el.get("n"), (head.get("type"), head.get(XML_ID), head.text), [item(c) for c in rest])
        return el.get(XML_ID)

    return [item(el) for el in root.find("t:text/t:body", NS) if el.tag != t("pb")]


def _page_list(root: etree._Element) -> list[tuple[str, str, str | None]]:
    """The sourceDesc's page list: each item's label, text and name (None: no name element)."""
    items = root.iterfind("t:teiHeader/t:fileDesc/t:sourceDesc/t:list[@type='pages']/t:item", NS)
    return [(i.get("n"), "".join(i.itertext()), i.findtext("t:name", namespaces=NS)) for i in items]


def test_page_divs_of_a_whole_issue() -> None:
    """Each page's articles are a div type="page" n=label, headed by its page header as
    printed (the furniture, with its id); the masthead banner before the first header
    stays outside; the header lists the pages with their names."""
    issue = paged_issue()
    root = etree.fromstring(tei_bytes(issue))
    ids = [a.id for a in issue.articles]
    headers = {f.text: f.id for f in issue.furniture if f.kind == "page-header"}
    (banner,) = [f.id for f in issue.furniture if f.kind == "banner"]
    assert _body_layout(root) == [
        banner,
        ("page", "A01", ("page-header", headers["A01 要闻"], "A01 要闻"), ids[0:2]),
        ("page", "A02", ("page-header", headers["A02 杭州新闻"], "A02 杭州新闻"), ids[2:3]),
        ("page", "A03", ("page-header", headers["[A03版：文体]"], "[A03版：文体]"), ids[3:4]),
    ]
    assert _page_list(root) == [("A01", "A01版 要闻", "要闻"), ("A02", "A02版 杭州新闻", "杭州新闻"),
                                ("A03", "A03版 文体", "文体")]
    segmentation = root.find("t:teiHeader/t:encodingDesc/t:editorialDecl/t:segmentation/t:p", NS)
    assert 'div type="page"' in segmentation.text and 'list type="pages"' in segmentation.text


def test_a_one_page_issue_has_one_page_div() -> None:
    """A per-article file is on one page (its file's): one page div holding everything, its
    heading supplied (第1版, by pressout) as no page header was printed; a page dump with
    its printed header has that header as the div's head."""
    for name, head, outside in [
        ("rmrb/20190201-01-01.txt", ("supplied", None, "第1版"), 0),
        ("shenbao/1880-10-4902408_p1.txt", ("page-header", None, "Page 1"), 1),
    ]:
        issue = read_page(CORPUS_FILES / name)
        assert [p.label for p in issue.pages] == ["1"]
        root = etree.fromstring(tei_bytes(issue))
        layout = _body_layout(root)
        pages = [x for x in layout if isinstance(x, tuple)]
        assert len(pages) == 1 and len(layout) == outside + 1, name
        (_, label, (kind, ident, text), items) = pages[0]
        assert (label, kind, text) == ("1", head[0], head[2])
        assert {a.id for a in issue.articles} <= set(items)
        if kind == "supplied":
            assert ident is None and root.find(".//t:head[@type='supplied']", NS).get("resp") == "#pressout"
        else:  # the printed header is the furniture, id and all (the banner before it is outside)
            assert ident == next(f.id for f in issue.furniture if f.kind == "page-header")
            assert layout[0] == issue.furniture[0].id
        assert _page_list(root) == [("1", "第1版", None)]
        assert read_tei_bytes(tei_bytes(issue)) == [issue]


def read_tei_bytes(data: bytes) -> list[Issue]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "issue.xml"
        path.write_bytes(data)
        return read_tei(path)


def test_furniture_at_page_boundaries() -> None:
    """A page header heads its page's div; what was printed before it stays with the page
    before (a staff line closes the page it is on), what comes after it is in its page;
    furniture after the last article is in the last page."""
    issue = read_page(CORPUS_FILES / "rmrb/rmrb_20260704_baodao_zhaiyao.json")
    layout = _body_layout(etree.fromstring(tei_bytes(issue)))
    assert [x[1] for x in layout if isinstance(x, tuple)] == [str(n) for n in range(1, 9)]
    assert all(isinstance(x, tuple) for x in layout)  # nothing printed outside a page
    boxes = {f.id for f in issue.furniture if f.kind == "editor-box"}
    for _, label, (kind, _ident, text), items in layout:
        assert kind == "page-header" and text.startswith(f"0{label}版：")
        # Each page's staff line, where it has one, is the last thing on it.
        assert not boxes & set(items[:-1]), label
    assert [x[3][-1] in boxes for x in layout] == [False, False, True, False, True, True, True, True]


def test_pages_without_articles_out_of_order_and_gone_back_to() -> None:
    issue = irregular_paged_issue()
    root = etree.fromstring(tei_bytes(issue))
    a = [x.id for x in issue.articles]
    f = [x.id for x in issue.furniture]
    assert _body_layout(root) == [
        f[0],
        ("page", "1", ("page-header", f[1], "第1版：要闻"), [f[2], a[0]]),
        f[3],
        a[1],
        ("page", "3", ("supplied", None, "第3版"), [a[2], f[4]]),
        ("page", "1", ("page-header", f[5], "第1版：要闻（续）"), [a[3], f[6]]),
    ]
    # The paper's order, a page no article is on, a name printed empty and none.
    assert _page_list(root) == [("3", "第3版", ""), ("1", "第1版 要闻", "要闻"), ("2", "第2版", None)]
    assert read_tei_bytes(tei_bytes(issue)) == [issue]


def test_paged_issues_round_trip(paged_issues: list[Issue]) -> None:
    """Issue.pages and every Article.page come back exactly, from the documents and from
    the corpus fragments."""
    for issue in paged_issues:
        assert issue.pages and any(a.page for a in issue.articles)
        for keep_breaks in (True, False):
            document, fragment = tei_documents(issue, keep_breaks=keep_breaks)
            assert (document, fragment) == (tei_bytes(issue, keep_breaks=keep_breaks),
                                            corpus_fragment(issue, keep_breaks=keep_breaks))
            assert read_tei_bytes(document) == [issue if keep_breaks else without_joins(issue)], issue.id


def test_paged_tei_is_valid_for_jing(tmp_path: Path, paged_issues: list[Issue], schemas_dir: Path) -> None:
    """jing with tei_all on the paged documents and a corpus of them with the seeds (the
    archive fixture's documents are validated as well, by the test above)."""
    jing = require_tool("jing")
    files = [write_tei(issue, tmp_path / f"{issue.id}.xml") for issue in paged_issues]
    files.append(write_corpus(paged_issues, tmp_path / "corpus.xml"))
    run = subprocess.run([jing, str(schemas_dir / "tei_all.rng"), *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""
    for path in files[:-1]:
        assert etree.parse(str(path)).find(".//t:div[@type='page']", NS) is not None, path


def test_an_issue_without_pages_has_no_page_markup(seed_issues: list[Issue]) -> None:
    """Issues without pages (the seeds) are written as before pages existed."""
    for issue in seed_issues:
        assert not issue.pages
        data = tei_bytes(issue)
        assert b'type="page"' not in data and b'type="pages"' not in data and b"page div" not in data


def test_an_article_on_a_page_the_issue_lacks_is_refused() -> None:
    issue = paged_issue()
    stray = dataclasses.replace(issue.articles[0], page="B09")
    with pytest.raises(ValueError, match="B09"):
        tei_bytes(dataclasses.replace(issue, articles=(stray, *issue.articles[1:])))


@pytest.mark.parametrize(
    "old, new, message",
    [
        (b'<div type="page" n="A02">', b'<div type="page" n="B09">', "of no page"),
        (b'type="page-header">A02 \xe6\x9d\xad', b'type="main">A02 \xe6\x9d\xad', "without its head"),
        (b'<item n="A02">', b"<item>", "without its label"),
    ],
)
def test_read_tei_refuses_broken_pages(tmp_path: Path, old: bytes, new: bytes, message: str) -> None:
    data = tei_bytes(paged_issue())
    assert old in data
    (tmp_path / "broken.xml").write_bytes(data.replace(old, new, 1))
    with pytest.raises(InputError, match=message):
        read_tei(tmp_path / "broken.xml")


LABELS = ("1", "2", "12", "A01", "A03", "B12")


@st.composite
def issues_with_pages(draw: st.DrawFn) -> Issue:
    """Generated issues with pages: any of them in any order, named or not (or ""), each
    article on one of them or on none (so pages come back and unpaged articles stand
    between), and page headers and other furniture anywhere among the articles."""
    issue = draw(issues())
    labels = draw(st.lists(st.sampled_from(LABELS), unique=True, min_size=1, max_size=4))
    pages = tuple(Page(label, draw(st.none() | st.just("") | texts(min_size=1, max_size=6))) for label in labels)
    articles = tuple(dataclasses.replace(a, page=draw(st.none() | st.sampled_from(labels))) for a in issue.articles)
    positions = sorted(draw(st.lists(st.integers(0, len(articles)), max_size=5)))
    kinds = st.sampled_from(["banner", "editor-box", "page-header"])
    furniture = tuple(
        Furniture(f"{issue.id}-f{k + 1}", draw(kinds), draw(texts(min_size=1, max_size=12)), at)
        for k, at in enumerate(positions)
    )
    return dataclasses.replace(issue, pages=pages, articles=articles, furniture=furniture)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=issues_with_pages())
def test_round_trip_generated_models_with_pages(issue: Issue, tei_relaxng) -> None:
    for keep_breaks in (True, False):
        data = tei_bytes(issue, keep_breaks=keep_breaks)
        assert read_tei_bytes(data) == [issue if keep_breaks else without_joins(issue)]
        assert tei_documents(issue, keep_breaks=keep_breaks) == (data, corpus_fragment(issue, keep_breaks=keep_breaks))
    root = etree.fromstring(data)
    assert tei_relaxng.validate(etree.ElementTree(root)), tei_relaxng.error_log
    for article in issue.articles:  # on its page's div, or on none
        (div,) = root.xpath("//t:div[@xml:id=$id]", namespaces=NS, id=article.id)
        parent = div.getparent()
        assert (parent.get("n") if parent.get("type") == "page" else None) == article.page
