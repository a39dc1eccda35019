"""The OPDS catalogs (issue 16; ``pressout.export.opds``): built from the seeds, browsed from
the root down to every issue, paged, linked to the files the build made, valid against the
OPDS 1.2 RELAX NG and the OPDS 2.0 JSON schemas, made again only where they change, and
the same bytes every time."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from test_build import copy_seeds

from pressout.build import build
from pressout.config import Config
from pressout.export import opds
from pressout.export.feed import SiteOptions
from pressout.model import ArticleHead, IssueHead
from pressout.validate import Check, ValidateOptions, check_names, validate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BASE = "http://127.0.0.1:8000/"
A = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
FH = "{http://purl.org/syndication/history/1.0}"
FEED_SIZE = 2  # the seeds' five issues make two pages of the latest feed
CONFIG = Config(feed_size=FEED_SIZE, vertical=True)




@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("opds")
    report = build([copy_seeds(folder / "seeds")], folder / "dist", jobs=1, config=CONFIG)
    assert report.exit_code == 0 and report.issues == 5
    return folder / "dist"


def catalog_checks(root: Path) -> list[Check]:
    """``pressout validate``'s checks of the catalog alone (the other formats' left out)."""
    return validate(root, skip=[name for name in check_names() if name not in ("opds", "opds2")])


def atom(root: Path, stem: str) -> etree._Element:
    return etree.parse(str(root / "opds" / f"{stem}.xml")).getroot()


def links(element: etree._Element) -> dict[str, str]:
    """rel -> href of the element's own links (the first of each rel)."""
    out: dict[str, str] = {}
    for link in element.findall(f"{A}link"):
        out.setdefault(link.get("rel", "alternate"), link.get("href", ""))
    return out


def stem(href: str) -> str:
    assert href.startswith(BASE + "opds/") and href.endswith((".xml", ".json")), href
    return href.removeprefix(BASE + "opds/").rsplit(".", 1)[0]


def entry_ids(feed: etree._Element) -> list[str]:
    return [e.findtext(f"{A}id", "") for e in feed.findall(f"{A}entry")]


def walk(root: Path, first: str) -> list[etree._Element]:
    """A paged feed's documents, from its first page following ``next``."""
    pages, seen = [], set()
    current: str | None = first
    while current is not None:
        assert current not in seen
        seen.add(current)
        feed = atom(root, current)
        pages.append(feed)
        nxt = links(feed).get("next")
        current = stem(nxt) if nxt else None
    return pages


def editions_feed(root: Path) -> dict[str, str]:
    """The editions feed's entries, its archives' too: id -> updated, newest first."""
    found = {}
    for path in [root / "editions.xml", *(root / "archive").glob("editions-*.xml")]:
        for e in etree.parse(str(path)).getroot().findall(f"{A}entry"):
            found[e.findtext(f"{A}id", "")] = e.findtext(f"{A}updated", "")
    return dict(sorted(found.items(), key=lambda item: item[1], reverse=True))


# --- structure --------------------------------------------------------------------------------


def test_root_leads_to_latest_years_months_and_every_issue(dist: Path) -> None:
    root = atom(dist, "root")
    own = links(root)
    assert own["self"] == BASE + "opds/root.xml" and own["start"] == own["self"]
    assert own["http://opds-spec.org/crawlable"] == BASE + "opds/all.xml"
    kinds = {link.get("rel"): link.get("type") for link in root.findall(f"{A}link")}
    assert kinds["self"] == opds.NAVIGATION_TYPE
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == ["最新", "2025年", "2022年", "2021年"]
    latest = entries[0].find(f"{A}link")
    assert latest is not None
    assert (latest.get("rel"), latest.get("href"), latest.get("type")) == (
        "http://opds-spec.org/sort/new", BASE + "opds/latest.xml", opds.ACQUISITION_TYPE)

    editions = editions_feed(dist)
    newest_first = list(editions)
    # latest: the five issues, newest first, over two pages (3 on the first, then 2)
    pages = walk(dist, "latest")
    assert [len(entry_ids(p)) for p in pages] == [3, 2]
    assert [i for p in pages for i in entry_ids(p)] == newest_first
    first, older = (links(p) for p in pages)
    assert first["first"] == older["first"] == BASE + "opds/latest.xml"
    assert first["last"] == older["last"] == BASE + "opds/latest-1.xml"
    assert first["next"] == BASE + "opds/latest-1.xml" and "previous" not in first
    assert older["previous"] == BASE + "opds/latest.xml" and "next" not in older
    assert first["up"] == BASE + "opds/root.xml" and first["start"] == BASE + "opds/root.xml"

    # years → months → issues: every issue once, in its own month
    reached = []
    for year in ("2025", "2022", "2021"):
        feed = atom(dist, year)
        assert links(feed)["up"] == BASE + "opds/root.xml"
        for month in feed.findall(f"{A}entry"):
            link = month.find(f"{A}link")
            assert link is not None and link.get("type") == opds.ACQUISITION_TYPE
            month_stem = stem(link.get("href", ""))
            assert month_stem.startswith(f"{year}-")
            for page in walk(dist, month_stem):
                assert links(page)["up"] == BASE + f"opds/{year}.xml"
                for entry in page.findall(f"{A}entry"):
                    issued = entry.findtext(f"{DC}issued", "")
                    assert issued.startswith(month_stem)  # 2021-12 ⊂ 2021-12-10
                    reached.append(entry.findtext(f"{A}id", ""))
    assert sorted(reached) == sorted(newest_first)
    assert [e.findtext(f"{A}title") for e in atom(dist, "2021").findall(f"{A}entry")] == ["2021年12月", "2021年11月"]
    assert not (dist / "opds" / "undated.xml").exists()  # every seed is dated

    # the complete feed: one document, every issue, newest updated first, fh:complete
    everything = atom(dist, "all")
    assert everything.find(f"{FH}complete") is not None
    assert entry_ids(everything) == newest_first
    updated = [e.findtext(f"{A}updated", "") for e in everything.findall(f"{A}entry")]
    assert updated == sorted(updated, reverse=True)


def test_the_json_catalog_mirrors_the_atom_one(dist: Path) -> None:
    xml_files = sorted(p.stem for p in (dist / "opds").glob("*.xml"))
    assert xml_files == sorted(p.stem for p in (dist / "opds").glob("*.json"))
    for name in xml_files:
        feed = atom(dist, name)
        doc = json.loads((dist / "opds" / f"{name}.json").read_bytes())
        assert doc["metadata"]["title"] == feed.findtext(f"{A}title")
        json_links = {link["rel"]: link for link in doc["links"]}
        assert json_links["self"] == {"rel": "self", "href": BASE + f"opds/{name}.json", "type": opds.OPDS2_TYPE}
        for rel, href in links(feed).items():
            if rel in ("alternate", "self"):
                continue
            if href.endswith(".html"):  # a web page (the sections' feeds, on the root): the same in both
                assert json_links[rel]["href"] == href, (name, rel)
            else:
                assert json_links[rel]["href"] == href.removesuffix(".xml") + ".json", (name, rel)
        if "publications" in doc:
            assert [p["metadata"]["identifier"] for p in doc["publications"]] == entry_ids(feed)
        else:
            assert [n["title"] for n in doc["navigation"]] == [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]
    latest = json.loads((dist / "opds" / "latest.json").read_bytes())
    assert latest["metadata"]["numberOfItems"] == 5  # on the first page only: an older page never changes
    assert "numberOfItems" not in json.loads((dist / "opds" / "latest-1.json").read_bytes())["metadata"]


def test_entries_link_the_files_the_build_made(dist: Path) -> None:
    editions = editions_feed(dist)
    feed = atom(dist, "all")
    doc = {p["metadata"]["identifier"]: p for p in json.loads((dist / "opds" / "all.json").read_bytes())["publications"]}
    for entry in feed.findall(f"{A}entry"):
        ident = entry.findtext(f"{A}id", "")
        assert entry.findtext(f"{A}updated") == entry.findtext(f"{A}published") == editions[ident]  # same id, same instant
        assert entry.findtext(f"{DC}language") == "zh-CN"
        assert entry.findtext(f"{A}author/{A}name") == "太原日报"
        page = next(link.get("href", "") for link in entry.findall(f"{A}link") if link.get("rel") == "alternate")
        issue = page.removeprefix(BASE + "issues/").removesuffix("/index.html")
        assert entry.findtext(f"{A}title") == (dist / "issues" / issue / "index.html").read_text(
            encoding="utf-8").split("<h1>")[1].split("</h1>")[0]
        summary = entry.findtext(f"{A}summary", "")
        assert summary and "；" in summary
        acquisitions = [(link.get("href"), link.get("type"), int(link.get("length", "0")))
                        for link in entry.findall(f"{A}link") if link.get("rel") == opds.ACQUISITION]
        made = sorted((dist / "epub").glob(f"{issue}*.epub"))
        assert len(made) == 2  # the EPUB and, with [epub] vertical, the vertical one
        assert sorted(acquisitions) == sorted(
            (BASE + f"epub/{p.name}", "application/epub+zip", p.stat().st_size) for p in made)
        images = {link.get("rel"): link.get("href") for link in entry.findall(f"{A}link")
                  if link.get("rel", "").startswith("http://opds-spec.org/image")}
        covers = {opds.IMAGE: dist / "covers" / f"{issue}.png", opds.THUMBNAIL: dist / "covers" / f"{issue}-thumb.png"}
        assert images == {rel: BASE + f"covers/{path.name}" for rel, path in covers.items() if path.is_file()}
        publication = doc[ident]
        assert sorted((link["href"], link["type"], link["size"]) for link in publication["links"]
                      if link["rel"] == opds.ACQUISITION) == sorted(acquisitions)
        assert [i["href"] for i in publication.get("images", [])] == list(images.values())


def head(ident: str, date: dt.date | None, sizes: dict[str, int]) -> IssueHead:
    return IssueHead(ident, f"{ident}.txt", date, 1, "太原日报", "tyrb", f"太原日报 {ident}",
                     (ArticleHead(f"{ident}-1", "标题一"), ArticleHead(f"{ident}-2", "标题二")), "zh-CN",
                     tuple(sizes.items()))


def test_links_appear_exactly_when_their_files_exist() -> None:
    """Every edition and image among an issue's sizes is linked, and nothing else: the Kobo
    edition and the covers come from other formats, when they made them."""
    heads = [
        head("a", dt.date(2025, 1, 2), {"epub/a.epub": 10, "epub/a.kepub.epub": 12, "covers/a.png": 5,
                                        "covers/a-thumb.png": 2, "tei/a.xml": 7}),
        head("b", dt.date(2025, 1, 1), {"epub/b.epub": 11, "covers/b-thumb.png": 3}),
        head("c", None, {"epub/c-vertical.epub": 9}),
        head("d", dt.date(2024, 12, 31), {"tei/d.xml": 4}),  # nothing to acquire: not listed
    ]
    options = SiteOptions(feed_size=50)
    pages = {page.stem: page for page in opds.catalog_pages(heads, options)}
    assert sorted(pages) == ["2025", "2025-01", "all", "latest", "root", "undated"]
    by_id = {p.id.rsplit("/", 1)[1]: p for p in pages["all"].entries}
    assert sorted(by_id) == ["a", "b", "c"]
    assert by_id["a"].editions == (("epub/a.epub", "application/epub+zip", "EPUB", 10),
                                   ("epub/a.kepub.epub", "application/kepub+zip", "Kobo 版", 12))
    assert by_id["a"].images == (("covers/a.png", opds.IMAGE, "image/png"), ("covers/a-thumb.png", opds.THUMBNAIL, "image/png"))
    assert by_id["b"].images == (("covers/b-thumb.png", opds.THUMBNAIL, "image/png"),)
    assert by_id["c"].editions == (("epub/c-vertical.epub", "application/epub+zip", "EPUB 竖排版", 9),)
    assert by_id["c"].images == () and by_id["c"].issued is None
    xml = opds.atom_document(options, pages["all"]).decode("utf-8")
    assert 'href="http://127.0.0.1:8000/epub/a.kepub.epub" type="application/kepub+zip" length="12"' in xml
    assert xml.count("http://opds-spec.org/image/thumbnail") == 2 and xml.count('rel="http://opds-spec.org/image"') == 1
    doc = json.loads(opds.json_document(options, pages["all"]))
    assert [len(p.get("images", [])) for p in doc["publications"]] == [2, 1, 0]
    # and what this makes is valid, for both schemas
    validator = opds.opds2_validator()
    rng = etree.RelaxNG(etree.parse(str(Path(opds.__file__).parent.parent / "schemas" / opds.SCHEMA)))
    for page in pages.values():
        assert not list(validator.iter_errors(json.loads(opds.json_document(options, page)))), page.stem
        assert rng.validate(etree.fromstring(opds.atom_document(options, page))), (page.stem, rng.error_log)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_pages_fill_from_the_oldest_and_full_pages_never_change(size: int) -> None:
    before: dict[int, list[int]] = {}
    for n in range(0, 25):
        items = list(range(n, 0, -1))  # newest first: n is the newest
        pages = opds._pages(items, size)
        assert [i for page in pages for i in page] == items
        assert all(len(page) == size for page in pages[1:])
        assert n < size or size <= len(pages[0]) < 2 * size
        numbered = {len(pages) - k: list(page) for k, page in enumerate(pages) if k}  # 1: the oldest
        assert all(before[k] == page for k, page in numbered.items() if k in before)
        before = numbered


# --- validation -------------------------------------------------------------------------------


def test_both_schemas_validate_the_catalog(dist: Path) -> None:
    checks = catalog_checks(dist)
    assert [(c.name, c.ok, c.files) for c in checks] == [("opds", True, 11), ("opds2", True, 11)], \
        [(c.name, c.problems[:3]) for c in checks]
    assert "opds-1.2.rng" in checks[0].note and "atom-rfc4287.rng" in checks[0].note


def test_the_checks_find_what_is_wrong(dist: Path, tmp_path: Path) -> None:
    broken = tmp_path / "dist"
    shutil.copytree(dist, broken, symlinks=True, ignore=shutil.ignore_patterns(".pressout"))
    xml = broken / "opds" / "latest.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace('<summary type="text">', '<summary type="html">', 1),
                   encoding="utf-8")
    doc = json.loads((broken / "opds" / "latest.json").read_bytes())
    doc["publications"][0]["metadata"]["language"] = "zh CN"  # not BCP 47 (the schema's ECMA pattern)
    del doc["links"][0]  # no self link
    (broken / "opds" / "latest.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    epub = sorted((broken / "epub").glob("*.epub"))[0]
    epub.write_bytes(epub.read_bytes() + b"\0")  # a length no link gives
    opds_check, opds2_check = catalog_checks(broken)
    assert opds_check.ok is False and opds2_check.ok is False
    size = epub.stat().st_size
    text = "\n".join(opds_check.problems)
    # the OPDS schema: a summary is text (jing: 'must be equal to "text"', lxml: 'summary')
    assert "latest.xml" in text and ('"text"' in text or "summary" in text)
    assert f"epub/{epub.name} is {size} bytes, the link says {size - 1}" in text
    text2 = "\n".join(opds2_check.problems)
    assert "latest.json: publications/0/metadata/language: 'zh CN' does not match" in text2
    assert "latest.json: links: " in text2  # no self link
    assert f"epub/{epub.name} is {size} bytes, the link says {size - 1}" in text2


def test_a_check_that_cannot_run_fails(dist: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = opds.import_module

    def without_jsonschema(name: str) -> object:
        if name.startswith("jsonschema"):
            raise ImportError("No module named 'jsonschema'")
        return real(name)

    monkeypatch.setattr(opds, "import_module", without_jsonschema)
    check = opds.opds2_check(dist, ValidateOptions())
    assert (check.ok, check.missing) == (False, True) and "jsonschema" in check.note
    monkeypatch.undo()
    monkeypatch.setenv("PRESSOUT_OPDS2_SCHEMAS", str(tmp_path))  # a folder without the schemas
    check = opds.opds2_check(dist, ValidateOptions())
    assert (check.ok, check.missing) == (False, True)
    assert opds.opds_check(tmp_path, ValidateOptions()).ok is False  # no catalog at all


# --- the web edition ----------------------------------------------------------------------------


def test_the_front_page_offers_the_catalog(dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert ('<link rel="alternate" type="application/atom+xml;profile=opds-catalog;kind=navigation" '
            'title="太原日报 · 电子版书库（OPDS 1.2）" href="opds/root.xml"/>') in page
    assert '<link rel="alternate" type="application/opds+json" title="太原日报 · 电子版书库（OPDS 2.0）" href="opds/root.json"/>' in page
    assert "添加到电子阅读器" in page and f">{BASE}opds/root.xml</a>" in page
    etree.fromstring(page.encode("utf-8"))  # still well-formed XHTML
    # without the catalog (the built-in formats less it), the same site but for the front page
    from pressout.export import registry

    monkeypatch.setattr(registry, "_builtins", [e for e in registry.exporters() if e.name != "opds"])
    monkeypatch.setattr(registry, "_registered", [])
    build([copy_seeds(tmp_path / "seeds")], tmp_path / "plain", jobs=1, config=CONFIG)
    monkeypatch.undo()
    plain = tmp_path / "plain"
    assert "opds" not in (plain / "index.html").read_text(encoding="utf-8")
    for path in sorted([*(plain / "years").glob("*.html"), *(plain / "issues").rglob("*.html")]):
        rel = path.relative_to(plain)
        assert (dist / rel).read_bytes() == path.read_bytes(), rel


# --- incremental and deterministic ---------------------------------------------------------------


def catalog_inodes(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in sorted((root / "opds").iterdir())}


def both(*stems: str) -> set[str]:
    return {f"{s}.{ext}" for s in stems for ext in ("xml", "json")}


PAGE = "市区新增公园绿地{n}处\n\n本报讯 今年以来，我市新建和改造公园绿地{n}处，市民出门即可见绿。\n\n据介绍，新建公园均配有健身步道。\n"


def test_a_new_page_makes_again_only_the_catalog_pages_it_changes(
        tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path / "seeds")
    dist = tmp_path / "dist"
    build([seeds], dist, jobs=1, config=CONFIG)
    steps = [
        # the sixth issue: a new older page of latest (latest-2), and latest-1's previous link
        ("2025-11-12", "十二", both("root", "all", "latest", "latest-1", "latest-2", "2025", "2025-11")),
        # the seventh: latest's first page grows, its older pages stay as they were; the
        # month's four issues make it two pages (2025-11-1 new)
        ("2025-11-14", "十四", both("root", "all", "latest", "2025", "2025-11", "2025-11-1")),
        # the eighth, of a new year: the root lists it, the other years are untouched; latest
        # makes a new older page again (latest-3, and latest-2's previous link), latest-1 stays
        ("2026-01-05", "二十", both("root", "all", "latest", "latest-2", "latest-3", "2026", "2026-01")),
    ]
    for date, n, expected in steps:
        before = catalog_inodes(dist)
        (seeds / f"tyrb-{date}.txt").write_text(PAGE.format(n=n), encoding="utf-8")
        report = build([seeds], dist, jobs=1, config=CONFIG)
        assert report.exit_code == 0 and report.rebuilt == 1
        after = catalog_inodes(dist)
        made = {name for name, inode in after.items() if before.get(name) != inode}
        assert made == expected, (date, sorted(made ^ expected))
    # and the result is what a clean build makes
    clean = tmp_path / "clean"
    build([seeds], clean, jobs=1, config=CONFIG)
    for path in sorted((clean / "opds").iterdir()):
        assert (dist / "opds" / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in (dist / "opds").iterdir()) == sorted(p.name for p in (clean / "opds").iterdir())
    assert build([seeds], dist, jobs=1, config=CONFIG).changed is False


def test_two_builds_are_byte_identical(dist: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build([copy_seeds(tmp_path / "seeds")], again, jobs=2, config=CONFIG)
    files = sorted(p.relative_to(dist) for p in (dist / "opds").iterdir())
    assert files == sorted(p.relative_to(again) for p in (again / "opds").iterdir())
    for rel in [*files, Path("index.html")]:
        assert (again / rel).read_bytes() == (dist / rel).read_bytes(), rel


def test_the_catalog_follows_the_site_options() -> None:
    """base_url, tag_authority and utc_offset: the addresses, the ids and the instants."""
    heads = [head("a", dt.date(2025, 1, 2), {"epub/a.epub": 10})]
    options = SiteOptions(base_url="https://news.example.org/tyrb", tag_authority="example.org", utc_offset="+09:00")
    pages = {p.stem: p for p in opds.catalog_pages(heads, options)}
    assert list(pages)[0] == "root"
    xml = opds.atom_document(options, pages["latest"]).decode("utf-8")
    assert '<link rel="self" href="https://news.example.org/tyrb/opds/latest.xml"' in xml
    assert "<id>tag:example.org,2025-01-02:tyrb/edition/a</id>" in xml
    assert "<updated>2025-01-02T08:59:59+09:00</updated>" in xml


def test_media_types_for_a_web_server() -> None:
    assert opds.catalog_media_type("opds/root.xml") == opds.NAVIGATION_TYPE
    assert opds.catalog_media_type("opds/2025.xml") == opds.NAVIGATION_TYPE
    for name in ("latest", "latest-3", "2025-11", "2025-11-2", "undated", "all-1"):
        assert opds.catalog_media_type(f"opds/{name}.xml") == opds.ACQUISITION_TYPE
        assert opds.catalog_media_type(f"opds/{name}.json") == opds.OPDS2_TYPE
    assert opds.catalog_media_type("atom.xml") is None and opds.catalog_media_type("opds/x.txt") is None
