"""Feeds and pages per section and per column (issue 17; ``pressout.export.sections``), and
WebSub (``[site] websub_hub``, ``pressout ping``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import feedparser
import pytest
from lxml import etree
from samples import WHOLE_ISSUE_TEXT

from pressout.build import build
from pressout.config import Config
from pressout.export.sections import file_name
from pressout.jsonio import issue_from_dict
from pressout.validate import ValidateOptions, sections_check

CORPUS = Path(__file__).parent / "corpus" / "files"
SEEDS = Path(__file__).parent.parent / "seeds"
BASE = "http://127.0.0.1:8000/"
A = "{http://www.w3.org/2005/Atom}"


def sources(root: Path, seeds: tuple[str, ...] = ("001_79f41e49edf8f691.txt",)) -> Path:
    """A whole rmrb issue with named pages (JSON), a 都市快报 issue with A01 要闻 …, and
    ``seeds`` (the first has the column 并州论坛), with their dates from the seeds' issues.toml
    (and no defaults: the other papers are not 太原日报)."""
    src = root / "src"
    src.mkdir(parents=True)
    shutil.copy(CORPUS / "rmrb" / "rmrb_20260704_baodao_zhaiyao.json", src)
    (src / "dskb_20260404.txt").write_text(WHOLE_ISSUE_TEXT, encoding="utf-8")
    known = tomllib.loads((SEEDS / "issues.toml").read_text("utf-8"))
    sidecar = []
    for name in seeds:
        shutil.copy(SEEDS / name, src)
        sidecar.append(f'["{name}"]\ndate = {known[name]["date"]}\npublication = "太原日报"\n'
                       'publication_slug = "tyrb"\n')
    (src / "issues.toml").write_text("\n".join(sidecar), encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sections")
    out = root / "dist"
    report = build([sources(root)], out, config=Config(), jobs=1)
    assert not report.failures
    return out


def models(out: Path) -> list:
    return [issue_from_dict(json.loads(p.read_text("utf-8"))) for p in sorted((out / ".pressout/models").glob("*.json"))]


def entries(path: Path) -> dict[str, bytes]:
    root = etree.parse(str(path)).getroot()
    return {e.findtext(f"{A}id"): etree.tostring(e, method="c14n", exclusive=True, with_tail=False)
            for e in root.findall(f"{A}entry")}


def test_file_names_keep_the_name_and_drop_what_a_file_name_cannot_hold() -> None:
    assert file_name("要闻") == "要闻"
    assert file_name("科技·新知") == "科技·新知"
    assert file_name(" A/B 新闻. ") == "A-B-新闻"
    assert file_name('x:*?"<>|#%y') == "x-y"
    assert file_name("Index") == "Index-"  # sections/index.html lists them all
    assert file_name("...") == "" and file_name("  ") == ""
    assert len(file_name("长" * 200)) == 60


def test_every_named_page_and_column_has_its_feeds_and_page(dist: Path) -> None:
    expected: dict[tuple[str, str], list[str]] = {}
    for issue in models(dist):
        for article in issue.articles:
            for kind, name in (("sections", issue.section_of(article)), ("columns", article.column)):
                if name:
                    expected.setdefault((kind, name), []).append(article.id)
    assert ("sections", "要闻") in expected and ("columns", "并州论坛") in expected
    assert {k for k, _ in expected} == {"sections", "columns"}
    everything = entries(dist / "atom.xml")
    for page in sorted((dist / "archive").glob("atom-*.xml")):
        everything |= entries(page)
    for (kind, name), ids in expected.items():
        stem = dist / kind / file_name(name)
        atom = entries(stem.with_suffix(".xml"))
        # The very entries of the whole paper's feed: same id, instant, content, credits.
        mine = {i for i in everything if i.rsplit("/", 1)[1] in ids}
        assert len(mine) == len(ids)
        # (the newest feed_size of them, 50 by default)
        assert set(atom) == mine if len(ids) <= 50 else (set(atom) < mine and len(atom) == 50), name
        assert all(atom[i] == everything[i] for i in atom), name
        rss = etree.parse(str(stem.with_name(stem.name + ".rss.xml"))).getroot()
        assert [i.findtext("guid") for i in rss.iter("item")] == list(atom)
        feed = json.loads(stem.with_name(stem.name + ".json").read_text("utf-8"))
        assert [item["id"] for item in feed["items"]] == list(atom)
        assert feed["feed_url"] == BASE + f"{kind}/" + "".join(
            c if c.isascii() else "%" + "%".join(f"{b:02X}" for b in c.encode()) for c in stem.name) + ".json"
        parsed = feedparser.parse(stem.with_suffix(".xml").read_bytes())
        assert not parsed.bozo and parsed.feed.title.endswith(f" · {name}")
        # Its page: the feeds first for autodiscovery, then every article linked.
        page = stem.with_suffix(".html")
        html = etree.parse(str(page), etree.XMLParser()).getroot()
        first = html.find(".//{http://www.w3.org/1999/xhtml}link[@rel='alternate']")
        assert unquote(first.get("href")) == stem.name + ".xml"
        hrefs = [unquote(a.get("href")) for a in html.iter("{http://www.w3.org/1999/xhtml}a")]
        for article_id in ids:
            assert any(h.endswith(f"/{article_id}.html") and (page.parent / h).resolve().is_file() for h in hrefs)
    listing = (dist / "sections" / "index.html").read_text("utf-8")
    assert all(f">{name}</a>" in listing for _, name in expected)
    assert 'href="sections/index.html"' in (dist / "index.html").read_text("utf-8")
    root = etree.parse(str(dist / "opds" / "root.xml")).getroot()
    assert root.find(f"{A}link[@rel='related']").get("href") == BASE + "sections/index.html"


def test_the_sections_check_validates_their_feeds(dist: Path) -> None:
    check = sections_check(dist, ValidateOptions())
    assert check.ok and not check.missing and check.files > 3, check


def test_a_section_that_is_gone_takes_its_files_with_it(tmp_path: Path) -> None:
    src = sources(tmp_path)
    out = tmp_path / "dist"
    build([src], out, config=Config(), jobs=1)
    assert (out / "sections" / "杭州新闻.xml").is_file()
    (src / "dskb_20260404.txt").unlink()
    build([src], out, config=Config(), jobs=1)
    assert not list((out / "sections").glob("杭州新闻*"))
    clean = tmp_path / "clean"
    build([src], clean, config=Config(), jobs=1)
    for folder in ("sections", "columns"):
        made = sorted(p.name for p in (out / folder).iterdir())
        assert made == sorted(p.name for p in (clean / folder).iterdir())
        assert all((out / folder / n).read_bytes() == (clean / folder / n).read_bytes() for n in made)


def test_no_sections_no_columns_no_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SEEDS / "000_c8ae31b64c1052c2.txt", src)
    shutil.copy(SEEDS / "issues.toml", src)
    build([src], tmp_path / "dist", config=Config(), jobs=1)
    assert not list((tmp_path / "dist" / "sections").iterdir())
    assert "sections/index.html" not in (tmp_path / "dist" / "index.html").read_text("utf-8")
    check = sections_check(tmp_path / "dist", ValidateOptions())
    assert check.ok is None and not check.missing  # nothing to check: not a failure, not a pass


# --- WebSub ---------------------------------------------------------------------------


class _Hub(BaseHTTPRequestHandler):
    status = 204
    got: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        type(self).got.append(parse_qs(self.rfile.read(length).decode("ascii")))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def hub():
    _Hub.got, _Hub.status = [], 204
    server = HTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hub", _Hub
    server.shutdown()
    server.server_close()


def pressout(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pressout", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_every_subscription_feed_names_the_hub_and_ping_tells_it(tmp_path: Path, hub) -> None:
    url, handler = hub
    sources(tmp_path)
    (tmp_path / "pressout.toml").write_text(
        f'[site]\nwebsub_hub = "{url}"\nfeed_size = 3\n[build]\nsources = ["src"]\n', encoding="utf-8")
    assert pressout("build", "-q", cwd=tmp_path).returncode == 0
    out = tmp_path / "dist"
    subscription = [out / n for n in ("atom.xml", "rss.xml", "editions.xml", "editions-rss.xml")]
    subscription += sorted(p for d in ("sections", "columns") for p in (out / d).glob("*.xml"))
    for path in subscription:
        root = etree.parse(str(path)).getroot()
        feed = root.find("channel") if root.tag == "rss" else root
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
        assert links["hub"] == url, path
    for path in [out / "feed.json", *sorted(p for d in ("sections", "columns") for p in (out / d).glob("*.json"))]:
        assert json.loads(path.read_text("utf-8"))["hubs"] == [{"type": "WebSub", "url": url}], path
    # Archive pages never change: no hub.
    archives = sorted((out / "archive").iterdir())
    assert archives and not any(b'rel="hub"' in p.read_bytes() or b'"hubs"' in p.read_bytes() for p in archives)

    dry = pressout("ping", "-n", "dist", cwd=tmp_path)
    assert dry.returncode == 0 and not handler.got
    assert dry.stdout.splitlines()[0] == f"curl -d hub.mode=publish --data-urlencode hub.url={BASE}atom.xml {url}"
    done = pressout("ping", "dist", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    topics = [got["hub.url"][0] for got in handler.got]
    assert all(got["hub.mode"] == ["publish"] for got in handler.got)
    assert len(topics) == len(dry.stdout.splitlines()) == len(subscription) + 1 + len(
        [p for d in ("sections", "columns") for p in (out / d).glob("*.json")])
    assert BASE + "atom.xml" in topics and BASE + "feed.json" in topics
    assert all(urlsplit(t).path.lstrip("/").startswith(("atom", "rss", "feed", "editions", "sections/", "columns/"))
               for t in topics)

    handler.status = 500
    refused = pressout("ping", "dist", cwd=tmp_path)
    assert refused.returncode == 5 and refused.stderr.count("\n") == 1 and "HTTP 500" in refused.stderr


def test_ping_without_a_hub_says_how_to_set_one(tmp_path: Path) -> None:
    sources(tmp_path)
    (tmp_path / "pressout.toml").write_text('[build]\nsources = ["src"]\n', encoding="utf-8")
    assert pressout("build", "-q", cwd=tmp_path).returncode == 0
    assert b'rel="hub"' not in (tmp_path / "dist" / "atom.xml").read_bytes()
    result = pressout("ping", "dist", cwd=tmp_path)
    assert result.returncode == 4 and "websub_hub" in result.stderr and result.stderr.count("\n") == 1
    missing = pressout("ping", "nowhere", cwd=tmp_path)
    assert missing.returncode == 3 and "nowhere" in missing.stderr


def test_a_hub_that_is_not_a_url_is_refused_by_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pressout.toml").write_text('[site]\nwebsub_hub = "pubsubhubbub"\n', encoding="utf-8")
    result = pressout("build", cwd=tmp_path)
    assert result.returncode == 4 and "websub_hub" in result.stderr
