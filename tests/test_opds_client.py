"""An e-reader's OPDS client against ``pressout serve`` on 127.0.0.1, written as KOReader's
is: it is given the site's address, discovers the catalog from the front page's
``rel="alternate"`` links, reads the Atom catalog (and, asking with ``Accept:
application/opds+json``, the OPDS 2.0 one), follows navigation and ``next`` pages, searches
through the OpenSearch description, and downloads the newest issue's EPUB."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin
from urllib.request import Request, urlopen

import pytest
from lxml import etree

from pressout import build
from pressout.config import Config
from pressout.export import opds
from pressout.serve import make_server

SEEDS = Path(__file__).parent.parent / "seeds"
ATOM = {"a": "http://www.w3.org/2005/Atom", "os": "http://a9.com/-/spec/opensearch/1.1/"}
HTML_LINK = re.compile(r'<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)"|'
                       r'<link rel="alternate" href="([^"]+)" type="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The seeds built for the address they are served at (the catalog's links are
    absolute), two issues a catalog page, and the server."""
    folder = tmp_path_factory.mktemp("opds")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    shutil.copytree(SEEDS, folder / "seeds")
    report = build([folder / "seeds"], folder / "dist", config=Config(jobs=1, base_url=base, feed_size=2))
    assert not report.failures
    server = make_server(folder / "dist", port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, folder / "dist"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str, accept: str = "application/atom+xml") -> tuple[str, bytes]:
    with urlopen(Request(url, headers={"Accept": accept, "User-Agent": "KOReader/2024.11"}), timeout=30) as answer:
        return answer.headers["Content-Type"], answer.read()


def discover(base: str) -> dict[str, str]:
    """The catalog's addresses by media type, from the front page's alternate links."""
    _, page = get(base, "text/html")
    found = {}
    for m in HTML_LINK.finditer(page.decode("utf-8")):
        media, href = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if "opds" in media:
            found[media.split(";")[0] if "json" in media else "atom"] = urljoin(base, href)
    return found


def links(feed: etree._Element, rel: str) -> list[etree._Element]:
    return feed.findall(f"a:link[@rel='{rel}']", ATOM)


def test_koreader_browses_the_atom_catalog_and_downloads_the_newest_epub(served: tuple[str, Path]) -> None:
    base, dist = served
    catalog = discover(base)
    media, data = get(catalog["atom"])
    assert media.startswith(opds.NAVIGATION_TYPE)
    root = etree.fromstring(data)
    # the served root advertises search (the built file does not: a static host has none)
    [search] = links(root, "search")
    assert search.get("type") == "application/opensearchdescription+xml"
    assert b'rel="search"' not in (dist / "opds" / "root.xml").read_bytes()
    latest = next(e for e in root.iterfind("a:entry", ATOM) if e.findtext("a:title", "", ATOM) == "最新")
    media, data = get(latest.find("a:link", ATOM).get("href"))
    assert media.startswith(opds.ACQUISITION_TYPE)
    page = etree.fromstring(data)
    seen = []
    while True:  # every page, following next, newest first
        seen += [e.findtext("a:title", "", ATOM) for e in page.iterfind("a:entry", ATOM)]
        following = links(page, "next")
        if not following:
            break
        page = etree.fromstring(get(following[0].get("href"))[1])
    assert len(seen) == 5 and seen[0] == "太原日报 2025年11月10日"
    first = etree.fromstring(get(latest.find("a:link", ATOM).get("href"))[1]).find("a:entry", ATOM)
    [acquire] = [link for link in first.iterfind("a:link", ATOM)
                 if link.get("rel") == opds.ACQUISITION and link.get("type") == "application/epub+zip"]
    media, book = get(acquire.get("href"), "application/epub+zip")
    assert media == "application/epub+zip" and book[:2] == b"PK" and len(book) == int(acquire.get("length"))
    assert book == (dist / "epub" / "tyrb-2025-11-10-a.epub").read_bytes()
    thumbnail = next(link for link in first.iterfind("a:link", ATOM) if link.get("rel") == opds.THUMBNAIL)
    media, image = get(thumbnail.get("href"), "image/*")
    assert media == "image/png" and image.startswith(b"\x89PNG")


def test_koreader_searches_through_the_opensearch_description(served: tuple[str, Path]) -> None:
    base, _ = served
    root = etree.fromstring(get(discover(base)["atom"])[1])
    media, data = get(links(root, "search")[0].get("href"), "application/opensearchdescription+xml")
    assert media.startswith("application/opensearchdescription+xml")
    description = etree.fromstring(data)
    template = next(u.get("template") for u in description.iterfind("os:Url", ATOM)
                    if u.get("type") == opds.ACQUISITION_TYPE)
    # a headline of the 2021-11-08 issue, not its title: found by its words
    media, data = get(template.replace("{searchTerms}", quote("世界之约")))
    assert media.startswith(opds.ACQUISITION_TYPE)
    results = etree.fromstring(data)
    assert [e.findtext("a:title", "", ATOM) for e in results.iterfind("a:entry", ATOM)] == ["太原日报 2021年11月8日"]
    nothing = etree.fromstring(get(template.replace("{searchTerms}", quote("不存在的词语")))[1])
    assert nothing.find("a:entry", ATOM) is None
    # the answers are OPDS 1.2 catalogs like the built ones
    from pressout.export.opds import SCHEMA

    schema = etree.RelaxNG(etree.parse(str(Path(opds.__file__).parent.parent / "schemas" / SCHEMA)))
    for doc in (results, nothing):
        assert schema.validate(doc), schema.error_log


def test_an_opds2_client_browses_searches_and_downloads(served: tuple[str, Path]) -> None:
    base, dist = served
    media, data = get(discover(base)[opds.OPDS2_TYPE], opds.OPDS2_TYPE)
    assert media.startswith(opds.OPDS2_TYPE)
    root = json.loads(data)
    [search] = [link for link in root["links"] if link["rel"] == "search"]
    assert search["templated"] and search["href"].endswith("{?query}")
    latest = next(n for n in root["navigation"] if n["title"] == "最新")
    feed = json.loads(get(latest["href"], opds.OPDS2_TYPE)[1])
    newest = feed["publications"][0]
    assert newest["metadata"]["title"] == "太原日报 2025年11月10日"
    acquire = next(link for link in newest["links"] if link["rel"] == opds.ACQUISITION)
    assert get(acquire["href"], "application/epub+zip")[1] == (dist / "epub" / "tyrb-2025-11-10-a.epub").read_bytes()
    found = json.loads(get(search["href"].replace("{?query}", "?query=" + quote("世界之约")), opds.OPDS2_TYPE)[1])
    assert [p["metadata"]["title"] for p in found["publications"]] == ["太原日报 2021年11月8日"]
    validator = opds.opds2_validator()
    for doc in (root, found):
        assert not list(validator.iter_errors(doc)), list(validator.iter_errors(doc))[:3]
