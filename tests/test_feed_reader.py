"""Real clients against the served seed build: newsboat subscribes, Chromium opens the links.

The seed pages are built into a folder that Python's http.server serves on 127.0.0.1
(an ephemeral port; ``base_url`` names it, so the feeds' absolute links point back to
it). newsboat (Debian's terminal feed reader) is run non-interactively with
``-x reload print-unread``; what it would list is what it stored in its cache, which is
read back with sqlite3. Headless Chromium then loads the article page a feed entry links
to and must show that article. Both tools are required (``require_tool``), never skipped.

Credits: newsboat and feedparser keep only the last of several RSS ``dc:creator``, so an
item has one holding every name (``韩睿、高雅慧``), and a story by a reporter with a
photographer's picture must reach both readers credited to the reporter first. Neither
newsboat 2.21 nor feedparser 6.0.14 reads JSON Feed (newsboat lists no item, feedparser
finds no XML): the JSON Feed's ``authors`` are read as its specification says, and should a
later newsboat list its items, their author must start with the reporter too.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sqlite3
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from conftest import require_tool
from waiting import DEADLINE

from pressout.export.feed import SiteOptions, article_page, article_tag, order_issues, write_feeds
from pressout.export.site import write_site
from pressout.model import Article, Issue, Role

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory, seed_paths):
    """The seed build (feeds, pages, EPUBs) served at http://127.0.0.1:<port>/."""
    from pressout.export.epub import write_epub
    from pressout.read import read_page

    root = tmp_path_factory.mktemp("web")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        options = SiteOptions(base_url=f"http://127.0.0.1:{server.server_port}/")
        issues = [read_page(p) for p in seed_paths]
        (root / "epub").mkdir()
        epubs = {i.id: write_epub(i, root / "epub") for i in issues}
        write_feeds(issues, root, options, epubs)
        write_site(issues, root, options, epubs)
        yield root, issues, options, epubs
    finally:
        server.shutdown()
        server.server_close()


def _newsboat(tmp_path: Path, url: str) -> tuple[str, list[sqlite3.Row]]:
    newsboat = require_tool("newsboat")
    (tmp_path / "urls").write_text(url + "\n", encoding="utf-8")
    (tmp_path / "config").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [
            newsboat,
            "-u",
            str(tmp_path / "urls"),
            "-c",
            str(tmp_path / "cache.db"),
            "-C",
            str(tmp_path / "config"),
            "-x",
            "reload",
            "print-unread",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "cache.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT guid, title, author, url, pubDate, content "
            "FROM rss_item WHERE feedurl = ? ORDER BY pubDate DESC",
            (url,),
        ).fetchall()
    return done.stdout, rows


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml"])
def test_newsboat_lists_every_article_with_its_chinese_title(served, tmp_path: Path, feed: str) -> None:
    root, issues, options, _ = served
    stdout, rows = _newsboat(tmp_path, options.url(feed))
    expected = [(i, a) for i in order_issues(issues) for a in i.articles]
    assert len(expected) <= options.feed_size  # the whole seed build is in the subscription
    assert re.search(rf"\b{len(expected)} unread articles", stdout), stdout
    assert [r["title"] for r in rows] == [a.display_title for _, a in expected]
    assert all(re.search(r"[\u4e00-\u9fff]", r["title"]) for r in rows)
    assert [r["guid"] for r in rows] == [article_tag(options, i, a) for i, a in expected]
    assert [r["url"] for r in rows] == [options.url(article_page(i, a)) for i, a in expected]


def test_newsboat_lists_each_days_edition_with_its_epub_link(served, tmp_path: Path) -> None:
    # newsboat keeps enclosures only for audio/video (its podcast support), so the EPUB
    # reaches its reader as the download link in the entry's text.
    root, issues, options, epubs = served
    _, rows = _newsboat(tmp_path, options.url("editions.xml"))
    ordered = order_issues(issues)
    assert [r["title"] for r in rows] == [i.title for i in ordered]
    for row, issue in zip(rows, ordered, strict=True):
        assert options.url(f"epub/{epubs[issue.id].name}") in row["content"]


def _credited(issues: list[Issue]) -> dict[str, tuple[Issue, Article, list[str]]]:
    """Seed articles whose first credit is a reporter's and that credit others after it, by
    id: (issue, the authors' names in page order)."""
    found = {}
    for issue in issues:
        for article in issue.articles:
            people = [p for p in article.contributors if p.role is not Role.EDITOR]
            if len(people) > 1 and people[0].role is Role.REPORTER and people[-1].role is not Role.REPORTER:
                found[article.id] = (issue, article, list(dict.fromkeys(p.name for p in people)))
    return found


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml", "feed.json"])
def test_readers_credit_a_story_to_its_reporter_first(served, tmp_path: Path, feed: str) -> None:
    root, issues, options, _ = served
    credited = _credited(issues)
    photographed = [names for _, article, names in credited.values()
                    if article.contributors[-1].role is Role.PHOTOGRAPHER]
    assert photographed == [["周利芳", "高劲鹏"]]  # 记者 周利芳 … 高劲鹏 摄 (2025-11-10)
    assert len(credited) >= 2  # and 记者 韩睿 通讯员 高雅慧 (2021-11-08)
    expected = {article_tag(options, issue, article): names for issue, article, names in credited.values()}
    data = (root / feed).read_bytes()
    parsed = feedparser.parse(data)
    _, rows = _newsboat(tmp_path, options.url(feed))
    newsboat = {row["guid"]: row for row in rows}
    if feed == "feed.json":
        items = {item["id"]: item for item in json.loads(data)["items"]}
        for guid, names in expected.items():
            assert [a["name"] for a in items[guid]["authors"]] == names
        # newsboat 2.21 lists no JSON Feed item and feedparser 6.0.14 finds no XML in it:
        # should a later one read it, the reporter must come first there too.
        read = {entry.id: entry.get("author", "") for entry in parsed.entries}
        for guid, names in expected.items():
            if guid in newsboat:
                assert newsboat[guid]["author"].startswith(names[0]), newsboat[guid]["author"]
            if guid in read:
                assert read[guid].startswith(names[0]), read[guid]
        return
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = {entry.id: entry for entry in parsed.entries}
    dates = {article_tag(options, i, a): i.date for i in issues for a in i.articles}
    for guid, names in expected.items():
        entry, row = entries[guid], newsboat[guid]
        if feed == "atom.xml":  # an author each: feedparser lists them, newsboat joins them
            assert [a["name"] for a in entry.authors] == names
            assert row["author"] == ", ".join(names)
        else:  # one dc:creator holding them all, in page order
            assert entry.author == "、".join(names) and len(entry.authors) == 1
            assert row["author"] == "、".join(names)
        assert entry.authors[0]["name"].startswith(names[0]) and row["author"].startswith(names[0])
    # 08:00 Beijing time is 00:00 UTC: a reader in UTC sees each item on its paper's date.
    assert len(rows) == len(dates)
    for row in rows:
        assert dt.datetime.fromtimestamp(row["pubDate"], dt.UTC).date() == dates[row["guid"]], row["guid"]


def test_chromium_opens_the_article_a_feed_entry_links_to(served, tmp_path: Path) -> None:
    chromium = require_tool("chromium")
    root, issues, options, _ = served
    entry = feedparser.parse((root / "atom.xml").read_bytes()).entries[0]
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", entry.link],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    dom = done.stdout
    assert "<article" in dom, done.stderr[-2000:]
    first = order_issues(issues)[0].articles[0]
    assert f'id="{first.id}"' in dom and first.display_title in dom
    assert 'lang="zh-CN"' in dom
