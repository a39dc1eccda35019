"""The web edition as a reader walks it, in headless Chromium (issue 17): clicking 上一期
and 下一期, a page's section, a section's article, the front page's 版面与栏目; every page
reached carries its Open Graph card. (The search page's own Chromium test is in
tests/test_search.py.)

A small page of the test's own (``walk.html``, written beside the build, served by
``pressout serve``) loads a page in a frame, clicks the link a CSS selector names, waits for
the next page and writes down what it reached: its address, title, first heading and
``og:*`` tags."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from test_search import browse
from test_sections import sources

from pressout.build import build
from pressout.config import Config

WALK = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>walk</title></head>
<body><pre id="log"></pre><iframe id="frame" width="1280" height="800"></iframe>
<script>
const steps = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const frame = document.getElementById("frame"), log = document.getElementById("log");
let at = 0;
frame.onload = () => {
  const page = frame.contentDocument;
  const og = {};
  for (const meta of page.querySelectorAll('meta[property^="og:"]')) og[meta.getAttribute("property")] = meta.content;
  const h1 = page.querySelector("h1");
  log.textContent += JSON.stringify({path: decodeURIComponent(frame.contentWindow.location.pathname),
                                     title: page.title, h1: h1 ? h1.textContent : null, og}) + "\\n";
  at += 1;
  if (at < steps.length) {
    const link = page.querySelector(steps[at]);
    if (link) link.click(); else log.textContent += JSON.stringify({missing: steps[at]}) + "\\n";
  } else log.textContent += "END\\n";
};
frame.src = steps[0];
</script></body></html>
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    out = root / "dist"
    src = sources(root, ("000_c8ae31b64c1052c2.txt", "001_79f41e49edf8f691.txt", "004_e799359604fa2b7c.txt"))
    assert not build([src], out, config=Config(), jobs=1).failures
    (out / "walk.html").write_text(WALK, encoding="utf-8")
    return out


def walk(dist: Path, tmp_path: Path, start: str, *selectors: str) -> list[dict]:
    """What Chromium reached: the page ``start``, then each link ``selectors`` name clicked in turn."""
    steps = quote(json.dumps([f"/{start}", *selectors]))
    dom = browse(dist, f"walk.html#{steps}", tmp_path)
    text = dom.split('<pre id="log">', 1)[1].split("</pre>", 1)[0]
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    lines = text.splitlines()
    assert lines and lines[-1] == "END", text
    reached = [json.loads(line) for line in lines[:-1]]
    for page in reached:  # every page a reader reaches has its card
        assert {"og:title", "og:type", "og:url", "og:description", "og:site_name"} <= set(page["og"]), page
        assert page["og"]["og:url"].endswith(quote(page["path"].lstrip("/"), safe="/")), page
    return reached


def test_previous_and_next_issue_links_lead_there_and_back(dist: Path, tmp_path: Path) -> None:
    # the seeds' two pages of 2021 (11月8日 and 12月10日) and 2025's: 上一期/下一期 by date
    first = "issues/tyrb-2021-11-08-a/index.html"
    reached = walk(dist, tmp_path, first, "a[rel=next]", "a[rel=next]", "a[rel=prev]", "a[rel=prev]")
    paths = [page["path"] for page in reached]
    assert paths[0] == "/" + first and paths[-1] == "/" + first
    assert paths[1] == paths[3] and paths[1] != paths[0] and paths[2] not in (paths[0], paths[1])
    assert all(page["og"]["og:type"] == "website" for page in reached)
    assert [page["h1"] for page in reached[:3]] == [page["title"] for page in reached[:3]]


def test_a_page_heading_leads_to_its_section_and_on_to_an_article(dist: Path, tmp_path: Path) -> None:
    issue = next(p.name for p in (dist / "issues").iterdir() if "-2026-04-04-" in p.name)  # 都市快报
    reached = walk(dist, tmp_path, f"issues/{issue}/index.html", "h2 a.section",
                   "main.section ol.headlines a", "p.source a.section", "nav.crumbs a:nth-of-type(2)")
    issue_page, section, article, back, listing = reached
    assert section["path"].startswith("/sections/") and section["h1"] == section["path"][10:-5]
    assert section["h1"] in ("要闻", "杭州新闻", "文体")
    # (the section's newest article: of whichever paper has that section name newest)
    assert article["path"].startswith("/issues/") and article["og"]["og:type"] == "article"
    assert back == section | {"og": back["og"]}  # the article's section link: the same page
    assert listing["path"] == "/sections/index.html"


def test_the_front_page_leads_to_the_sections_and_a_column(dist: Path, tmp_path: Path) -> None:
    reached = walk(dist, tmp_path, "index.html", "p.sections a", "#columns ~ ul a, section[aria-labelledby=columns] a")
    front, listing, column = reached
    assert front["og"]["og:title"].endswith("网络版") and listing["path"] == "/sections/index.html"
    assert column["path"].startswith("/columns/") and column["h1"]
