"""``pressout serve``: media types, what it refuses, and the web edition in a real browser.

The acceptance test of issue 6 opens the web edition, served by ``pressout serve``'s
server, in headless Chromium (Debian's ``/usr/bin/chromium``): the index lists every
issue, every article page shows its headline, and the feeds the pages advertise
(``<link rel="alternate">``) are there with the right media type.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html
from waiting import DEADLINE, Watched  # tests/ is on sys.path

from pressout.errors import InputError
from pressout.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built with feed_size = 10, so that there are feed archives to serve too, and
    with the (opt-in) vertical editions, so that both EPUBs of an issue are served."""
    folder = tmp_path_factory.mktemp("serve")
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "pressout.toml").write_text("[site]\nfeed_size = 10\n[epub]\nvertical = true\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pressout.cli", "build", "-q"], cwd=folder,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder / "dist"


def _serve(directory: Path) -> Iterator[str]:
    server = make_server(directory, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    yield from _serve(site)


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


# --- media types and refusals -------------------------------------------------------------------

TYPES = {
    "index.html": "text/html; charset=utf-8",
    "styles/site.css": "text/css; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "editions.xml": "application/atom+xml; charset=utf-8",
    "archive/atom-1.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "editions-rss.xml": "application/rss+xml; charset=utf-8",
    "archive/rss-1.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
    "archive/feed-1.json": "application/feed+json; charset=utf-8",
    "epub/tyrb-2021-12-10-a.epub": "application/epub+zip",
    "epub/tyrb-2021-12-10-a-vertical.epub": "application/epub+zip",
    "tei/corpus.xml": "application/tei+xml; charset=utf-8",
    "tei/tyrb-2021-12-10-a.xml": "application/tei+xml; charset=utf-8",
}


@pytest.mark.parametrize("path", sorted(TYPES))
def test_media_types(site: Path, base: str, path: str) -> None:
    status, content_type, body = get(base + path)
    assert status == 200
    assert content_type == TYPES[path]
    assert body == (site / path).read_bytes()


@pytest.mark.parametrize("path", [".pressout/manifest.json", "%2Epressout/manifest.json",
                                  "%2epressout/models/tyrb-2021-12-10-a.json",
                                  "issues/../.pressout/manifest.json", "issues/%2E%2E/%2Epressout/manifest.json",
                                  "no-such-file.xml"])
def test_refuses_the_build_cache(site: Path, base: str, path: str) -> None:
    status, _, body = get(base + path)
    assert status == 404
    assert b'"pages"' not in body and b"sha256" not in body


# --- folders ------------------------------------------------------------------------------------


def _listing(body: bytes) -> dict[str, tuple[str, str]]:
    """A folder's page, parsed as XML (it is XHTML): shown name → (href, size)."""
    from lxml import etree

    page = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert page.get("lang") == "zh-CN"
    return {row.find("h:td/h:a", ns).text: (row.find("h:td/h:a", ns).get("href"), row.findtext("h:td[2]", "", ns))
            for row in page.iterfind(".//h:tbody/h:tr", ns)}


def test_a_folder_is_answered_with_its_page(site: Path, base: str) -> None:
    """A folder without index.html: a generated page of its folders and files, with sizes
    (not http.server's bare listing); a folder with one: that page; without the slash: the
    way to it with the slash."""
    from pressout.serve import folder_index

    status, content_type, body = get(base + "epub/")
    assert status == 200 and content_type == "text/html; charset=utf-8"
    rows = _listing(body)
    files = sorted(p.name for p in (site / "epub").iterdir())
    assert list(rows) == files
    for name, (href, size) in rows.items():
        assert href == name and size.endswith(" KB")
        assert get(base + "epub/" + href)[2] == (site / "epub" / name).read_bytes()
    assert body == folder_index(site / "epub", "/epub/", icon=True)
    assert b'href="/favicon.svg"' in body and b'href="../"' in body
    issues = _listing(get(base + "issues/")[2])
    assert issues and all(name.endswith("/") and href == name and size == "—" for name, (href, size) in issues.items())
    with urllib.request.urlopen(base + "epub", timeout=DEADLINE) as response:  # redirected to epub/
        assert response.url == base + "epub/" and response.read() == body
    # a folder with its index page: that page
    ident = next(iter(issues)).rstrip("/")
    assert get(base + f"issues/{ident}/")[2] == (site / "issues" / ident / "index.html").read_bytes()
    assert get(base)[2] == (site / "index.html").read_bytes()


def test_a_folder_page_escapes_names_and_hides_dot_files(tmp_path: Path) -> None:
    """Names are text (escaped, percent-encoded in links), bytes that are no UTF-8 shown as
    U+FFFD; nothing that starts with a dot (the build cache) is listed or served."""
    import os

    root = tmp_path / "root"
    (root / "files" / ".pressout").mkdir(parents=True)
    (root / "files" / ".pressout" / "manifest.json").write_text("{}")
    (root / "files" / ".hidden").write_text("secret")
    (root / "files" / 'a <b> & "c".txt').write_bytes(b"x" * 2000)
    (root / "files" / "名字.txt").write_bytes(b"")
    (root / "files" / "sub").mkdir()
    os.close(os.open(os.fsencode(root / "files") + b"/\xff.bin", os.O_CREAT | os.O_WRONLY))
    for url in _serve(root):
        status, content_type, body = get(url + "files/")
        assert status == 200 and content_type == "text/html; charset=utf-8"
        rows = _listing(body)
        assert rows == {"sub/": ("sub/", "—"), 'a <b> & "c".txt': ("a%20%3Cb%3E%20%26%20%22c%22.txt", "2.0 KB"),
                        "名字.txt": ("%E5%90%8D%E5%AD%97.txt", "0 B"), "\ufffd.bin": ("%FF.bin", "0 B")}
        assert b"hidden" not in body and b"pressout" not in body
        assert b"<b>" not in body and b"favicon" not in body  # (this folder has no site icon)
        assert get(url + "files/.hidden")[0] == 404
        assert get(url + "files/.pressout/")[0] == 404
        assert get(url + "files/a%20%3Cb%3E%20%26%20%22c%22.txt")[2] == b"x" * 2000
        assert _listing(get(url + "files/sub/")[2]) == {}
        root_rows = _listing(get(url)[2])
        assert root_rows == {"files/": ("files/", "—")}


def test_the_icon_is_served_as_svg(site: Path, base: str) -> None:
    status, content_type, body = get(base + "favicon.svg")
    assert (status, content_type) == (200, "image/svg+xml") and body == (site / "favicon.svg").read_bytes()


def test_serve_command(site: Path) -> None:
    """The real command: it says where it listens (on stderr), serves, and stops on Ctrl-C."""
    with Watched([sys.executable, "-m", "pressout.cli", "serve", site, "--port", "0", "-q"]) as proc:
        try:
            # It listens before it says so: once the line is there, the port answers.
            line = proc.wait_for_line(lambda line: True, "the server said nothing")
            assert line.startswith(f"serving {site} on http://127.0.0.1:"), line
            url = line.split(" on ", 1)[1].split(" ", 1)[0]
            status, content_type, _ = get(url + "atom.xml")
            assert status == 200 and content_type == "application/atom+xml; charset=utf-8"
        finally:
            proc.send_signal(2)  # SIGINT, as Ctrl-C
            out, err = proc.finish()
    assert proc.returncode == 0 and "Traceback" not in err and out == ""


def test_serve_errors(site: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder to serve"):
        make_server(tmp_path / "missing", 0)
    result = subprocess.run([sys.executable, "-m", "pressout.cli", "serve", tmp_path / "missing", "-p", "0"],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.strip() == f"pressout: error: {tmp_path / 'missing'}: no such folder to serve " \
                                    "(run `pressout build` first)"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "pressout.cli", "serve", site, "-p", str(port)],
                                capture_output=True, text=True)
    assert result.returncode == 5
    assert result.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


# --- in Chromium ------------------------------------------------------------------------------


def chromium(url: str, profile: Path, *extra: str) -> str:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         *extra, "--dump-dom", url],
        capture_output=True, text=True, encoding="utf-8", timeout=DEADLINE,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _models(site: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((site / ".pressout" / "models").glob("*.json"))]


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_index_in_chromium(site: Path, base: str, tmp_path: Path) -> None:
    """The index, as Chromium renders it, links every issue, and each feed it advertises
    resolves with the media type it announces."""
    page = html.fromstring(chromium(base + "index.html", tmp_path / "profile"))
    links = {a.get("href") for a in page.iter("a")}
    issues = _models(site)
    assert len(issues) == 5
    for issue in issues:
        assert f"issues/{issue['id']}/index.html" in links, issue["id"]
    alternates = [(link.get("type"), link.get("href")) for link in page.iter("link") if link.get("rel") == "alternate"]
    types = {t for t, _ in alternates}
    assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= types
    for media_type, href in alternates:
        status, content_type, body = get(urljoin(base + "index.html", href))
        assert status == 200, href
        assert content_type == f"{media_type}; charset=utf-8", href
        assert body


HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>harness</title></head><body>
<iframe id="frame" style="width:1000px;height:800px"></iframe>
<ol id="results"></ol>
<script>
const pages = %s;
const frame = document.getElementById("frame");
const results = document.getElementById("results");
let next = 0;
function visit() {
  if (next >= pages.length) { document.body.dataset.done = "yes"; return; }
  frame.src = pages[next++];
}
frame.addEventListener("load", () => {
  const doc = frame.contentDocument;
  const h1 = doc.querySelector("main h1") || doc.querySelector("h1");
  const item = document.createElement("li");
  item.dataset.url = frame.getAttribute("src");
  item.dataset.h1 = h1 ? h1.textContent : "";
  item.dataset.h1count = doc.querySelectorAll("h1").length;
  item.dataset.visible = h1 && h1.getBoundingClientRect().height > 0
      && doc.defaultView.getComputedStyle(h1).visibility === "visible" ? "yes" : "no";
  item.dataset.title = doc.title;
  results.appendChild(item);
  visit();
});
visit();
</script></body></html>
"""


def test_every_article_page_shows_its_headline_in_chromium(site: Path, tmp_path: Path) -> None:
    """Every article page is loaded, one after another, in an iframe of a harness page
    (served from the same origin, so it may look inside); for each, the rendered page's
    h1 must be the article's headline and take up room on the screen.

    The harness is added to a copy of the build (the build itself is left as built)."""
    served = tmp_path / "site"
    shutil.copytree(site, served)
    expected = {f"issues/{issue['id']}/{article['id']}.html": article["display_title"]
                for issue in _models(site) for article in issue["articles"]}
    assert len(expected) >= 30 and all((site / url).is_file() for url in expected)
    (served / "harness.html").write_text(HARNESS % json.dumps(sorted(expected)), encoding="utf-8")
    for base in _serve(served):
        dom = chromium(base + "harness.html", tmp_path / "profile", "--virtual-time-budget=120000")
    page = html.fromstring(dom)
    assert page.body.get("data-done") == "yes", "the harness did not get through every page"
    seen = {li.get("data-url"): li for li in page.iter("li")}
    assert sorted(seen) == sorted(expected)
    for url, headline in expected.items():
        li = seen[url]
        assert " ".join(li.get("data-h1").split()) == " ".join(headline.split()), url
        assert li.get("data-visible") == "yes" and li.get("data-h1count") == "1", url
        assert " ".join(headline.split()) in " ".join(li.get("data-title").split()), url
