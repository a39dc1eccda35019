"""The feeds, read back the way readers and validators read them.

Atom is checked against RFC 4287's RELAX NG schema; every feed is read with feedparser
and compared with the model (titles, ids, links, authors, +08:00 dates, order); JSON Feed
against the 1.1 spec's required fields. Each feedgen trap in shared/reference/feeds.md has
its own regression test (``test_trap_*``). Then hostile text, stable ids, RFC 5005
archives, options, and the five seed pages end to end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from samples import HOSTILE, WEB_URL, hostile_issue, paged_issue, sample_issue, web_issue

from pressout.errors import ConfigError, OutputError
from pressout.export import _feedgen
from pressout.export.feed import (
    SLOTS_PER_DAY,
    SiteOptions,
    article_page,
    article_tag,
    build_feeds,
    order_issues,
    write_feeds,
)
from pressout.export.html import render_article
from pressout.model import Issue, Paragraph, Role
from pressout.timestamps import BEIJING, issue_instant

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS = {"a": ATOM, "atom": ATOM, "fh": FH, "dc": DC, "content": CONTENT}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "http://127.0.0.1:8000/"  # the default base_url
# RFC 4151: tag:authority,date:specific — ASCII only, the date zero-padded.
TAG_URI = re.compile(
    r"^tag:[a-z0-9.-]+(?:@[a-z0-9.-]+)?,\d{4}(?:-\d{2}(?:-\d{2})?)?:"
    r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]+$"
)


# --- issues and builds ----------------------------------------------------------------


def another_day(issue: Issue, day: dt.date, page: int | None = None) -> Issue:
    """The same page as if printed on ``day``: new issue id, article ids to match."""
    iid = f"tyrb-{day.isoformat()}-a" if page is None else f"tyrb-{day.isoformat()}-p{page}"
    articles = tuple(replace(a, id=a.id.replace(issue.id, iid)) for a in issue.articles)
    return replace(issue, id=iid, source=f"{iid}.txt", date=day, page=page, articles=articles)


def three_issues() -> list[Issue]:
    """Given out of order on purpose: the feeds must sort them newest first."""
    base = sample_issue()
    return [
        another_day(base, dt.date(2021, 12, 9)),
        base,  # 2021-12-10
        another_day(base, dt.date(2021, 12, 11)),
    ]


def stand_in_epubs(root: Path, issues: list[Issue], name=lambda i: f"{i.id}.epub") -> dict[str, Path]:
    """Files where the build puts EPUBs; sizes differ so a wrong length shows."""
    folder = root / "epub"
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for n, issue in enumerate(issues):
        path = folder / name(issue)
        path.write_bytes(b"PK\x03\x04" + bytes(1000 + 37 * n))
        out[issue.id] = path
    return out


def expected_order(issues: list[Issue]) -> list[tuple[Issue, object]]:
    return [(i, a) for i in order_issues(issues) for a in i.articles]


@pytest.fixture
def built(tmp_path: Path):
    issues = three_issues()
    epubs = stand_in_epubs(tmp_path, issues)
    options = SiteOptions()
    write_feeds(issues, tmp_path, options, epubs)
    return tmp_path, issues, options, epubs


def xml(path: Path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


def atom_docs(root: Path) -> list[Path]:
    return [
        root / "atom.xml",
        root / "editions.xml",
        *sorted((root / "archive").glob("atom-*.xml")),
        *sorted((root / "archive").glob("editions-[0-9]*.xml")),
    ]


# --- schema, feedparser, JSON Feed ----------------------------------------------------


@pytest.fixture(scope="module")
def atom_schema(schemas_dir: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(schemas_dir / "atom-rfc4287.rng")))


def test_atom_documents_validate_against_rfc4287_schema(tmp_path: Path, atom_schema) -> None:
    issues = [*three_issues(), hostile_issue()]
    write_feeds(issues, tmp_path, SiteOptions(feed_size=4), stand_in_epubs(tmp_path, issues))
    docs = atom_docs(tmp_path)
    assert len(docs) >= 5  # current, editions and archives are all checked
    for path in docs:
        document = etree.parse(str(path))
        assert atom_schema.validate(document), (path.name, atom_schema.error_log)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_feedparser_reads_titles_ids_links_authors_and_beijing_dates(built, name: str) -> None:
    root, issues, options, _ = built
    parsed = feedparser.parse((root / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "太原日报"
    assert parsed.feed.link == BASE  # the site, not the feed (trap 2 for RSS)
    assert parsed.feed.language == "zh-CN"
    expected = expected_order(issues)
    assert len(parsed.entries) == len(expected)
    for entry, (issue, article) in zip(parsed.entries, expected, strict=True):
        assert entry.id == article_tag(options, issue, article)
        assert entry.title == article.display_title
        assert entry.link == options.url(article_page(issue, article))
        names = list(dict.fromkeys(p.name for p in article.contributors if p.role is not Role.EDITOR))
        # Atom: an author each; RSS: one dc:creator holding them all (trap 6).
        joined = ["、".join(names)] if names else []
        assert [a["name"] for a in entry.get("authors", [])] == (names if name == "atom.xml" else joined)
        raw = entry.published
        assert raw.endswith("+08:00" if name == "atom.xml" else "+0800"), raw
        instant = dt.datetime.fromtimestamp(calendar.timegm(entry.published_parsed), BEIJING)
        assert instant.date() == issue.date  # on the issue's own day, Beijing time
        assert instant.astimezone(dt.UTC).date() == issue.date  # and in UTC (08:00 +08:00 is 00:00 UTC)
        assert dt.timedelta(0) <= instant - issue_instant(issue) < dt.timedelta(seconds=SLOTS_PER_DAY)


def test_feed_content_is_the_shared_article_renderer(built) -> None:
    root, issues, _, _ = built
    first_issue, first = expected_order(issues)[0]
    for name in ("atom.xml", "rss.xml"):
        entry = feedparser.parse((root / name).read_bytes()).entries[0]
        assert entry.title == first.display_title
        html = entry.content[0].value
        # feedparser sanitises; the paragraph texts and the article element survive.
        for paragraph in first.paragraphs:
            assert paragraph.text in html
    data = json.loads((root / "feed.json").read_text("utf-8"))
    assert data["items"][0]["content_html"] == render_article(first)


def test_json_feed_has_the_required_1_1_fields(built) -> None:
    root, issues, options, _ = built
    data = json.loads((root / "feed.json").read_text("utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "太原日报"
    assert data["home_page_url"] == BASE
    assert data["feed_url"] == BASE + "feed.json"
    assert data["language"] == "zh-CN"
    assert data["authors"] == [{"name": "太原日报"}]
    assert "author" not in data  # 1.0's field, deprecated in 1.1
    expected = expected_order(issues)
    assert len(data["items"]) == len(expected)
    atom_ids = [e.id for e in feedparser.parse((root / "atom.xml").read_bytes()).entries]
    assert [item["id"] for item in data["items"]] == atom_ids
    for item, (issue, article) in zip(data["items"], expected, strict=True):
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"] == options.url(article_page(issue, article))
        assert item["title"] == article.display_title
        published = dt.datetime.fromisoformat(item["date_published"])
        assert published.utcoffset() == dt.timedelta(hours=8)
        assert published <= dt.datetime.fromisoformat(item["date_modified"])
        for author in item.get("authors", []):
            assert set(author) == {"name"} and author["name"]
        assert "author" not in item


# --- one regression test per feedgen trap (shared/reference/feeds.md) -------------------


def test_trap_1_entries_keep_the_given_order(built) -> None:
    root, issues, _, _ = built
    expected = [a.display_title for _, a in expected_order(issues)]
    assert expected_order(issues)[0][0].date == dt.date(2021, 12, 11)  # newest issue first
    for name in ("atom.xml", "rss.xml"):
        titles = [e.title for e in feedparser.parse((root / name).read_bytes()).entries]
        assert titles == expected, name


def test_trap_2_rss_channel_link_is_the_site_and_self_links_come_first(built) -> None:
    root, _, _, _ = built
    rss = xml(root / "rss.xml")
    assert rss.findtext("channel/link") == BASE
    self_link = rss.find("channel/atom:link", NS)
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "rss.xml"
    atom = xml(root / "atom.xml")
    links = atom.findall("a:link", NS)
    assert links[0].get("rel") == "self" and links[0].get("href") == BASE + "atom.xml"
    assert links[-1].get("rel") == "alternate" and links[-1].get("href") == BASE
    editions_rss = xml(root / "editions-rss.xml")
    assert editions_rss.findtext("channel/link") == BASE
    assert editions_rss.find("channel/atom:link", NS).get("href") == BASE + "editions-rss.xml"


def test_trap_3_enclosure_rel_type_and_length_survive_in_atom(built) -> None:
    root, issues, _, epubs = built
    atom = xml(root / "editions.xml")
    entries = atom.findall("a:entry", NS)
    assert len(entries) == len(issues)
    for entry, issue in zip(entries, order_issues(issues), strict=True):
        links = entry.findall("a:link", NS)
        alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
        enclosures = [link for link in links if link.get("rel") == "enclosure"]
        assert len(alternates) == 1  # not a second alternate (DuplicateAtomLink)
        assert alternates[0].get("type") == "text/html"
        assert alternates[0].get("href") == BASE + f"issues/{issue.id}/index.html"
        assert len(enclosures) == 1
        assert enclosures[0].get("type") == "application/epub+zip"
        assert enclosures[0].get("length") == str(epubs[issue.id].stat().st_size)
        assert enclosures[0].get("href") == BASE + f"epub/{issue.id}.epub"


def test_trap_4_no_value_comes_from_the_build_clock(tmp_path: Path, monkeypatch) -> None:
    import feedgen.entry
    import feedgen.feed

    class AnyDatetime(type):  # feedgen's isinstance(value, datetime) must still pass
        def __instancecheck__(cls, value):
            return isinstance(value, dt.datetime)

    class FrozenClock(dt.datetime, metaclass=AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(1999, 9, 9, 9, 9, 9, tzinfo=dt.UTC)

    issues = three_issues()
    epubs = stand_in_epubs(tmp_path, issues)
    first = build_feeds(issues, SiteOptions(), epubs)
    monkeypatch.setattr(feedgen.feed, "datetime", FrozenClock)
    monkeypatch.setattr(feedgen.entry, "datetime", FrozenClock)
    second = build_feeds(issues, SiteOptions(), epubs)
    assert first == second  # byte-identical whatever the clock says
    for name, data in second.items():
        assert b"1999" not in data and b"Sep 1999" not in data, name
    rss = etree.fromstring(second["rss.xml"])
    newest = max(issues, key=issue_instant)
    assert rss.findtext("channel/lastBuildDate") == "Sat, 11 Dec 2021 08:59:59 +0800"
    assert rss.findtext("channel/pubDate") == rss.findtext("channel/lastBuildDate")
    assert newest.date == dt.date(2021, 12, 11)
    with pytest.raises(ValueError, match="naive"):
        _feedgen.atom_document(_head(updated=dt.datetime(2021, 12, 10)), [])


def test_trap_4_dates_are_beijing_time_never_cst_or_lmt(built) -> None:
    root, _, _, _ = built
    atom = (root / "atom.xml").read_text("utf-8")
    rss = (root / "rss.xml").read_text("utf-8")
    stamps = re.findall(r"<(?:updated|published)>([^<]+)<", atom)
    assert stamps and all(s.endswith("+08:00") for s in stamps)
    dates = re.findall(r"<(?:pubDate|lastBuildDate)>([^<]+)<", rss)
    assert dates and all(d.endswith(" +0800") for d in dates)
    for text in (atom, rss):
        assert "CST" not in text and "+08:06" not in text and "+0806" not in text


def test_trap_5_content_and_summary_both_present_without_cdata(built) -> None:
    root, _, _, _ = built
    atom = xml(root / "atom.xml")
    for entry in atom.findall("a:entry", NS):
        content = entry.find("a:content", NS)
        assert content.get("type") == "html" and content.text.startswith("<article")
        summary = entry.find("a:summary", NS)
        assert summary is not None and summary.text and summary.get("type") in (None, "text")
    rss = xml(root / "rss.xml")
    for item in rss.iter("item"):
        assert item.findtext("description")
        assert item.findtext("content:encoded", namespaces=NS).startswith("<article")
    for name in ("atom.xml", "rss.xml", "editions.xml", "editions-rss.xml"):
        assert b"<![CDATA[" not in (root / name).read_bytes()


def test_trap_5_rss_description_is_escaped_html_of_the_plain_summary(tmp_path: Path) -> None:
    write_feeds([hostile_issue()], tmp_path)
    item = xml(tmp_path / "rss.xml").find("channel/item")
    summary = xml(tmp_path / "atom.xml").find("a:entry/a:summary", NS).text
    assert "<b>粗</b>" in summary  # Atom type="text": the text itself
    # RSS readers take a description for HTML: the same text, escaped as HTML.
    assert item.findtext("description") == summary.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;"
    )
    parsed = feedparser.parse((tmp_path / "rss.xml").read_bytes()).entries[0]
    assert "<b>" not in parsed.summary and "&lt;b&gt;粗&lt;/b&gt;" in parsed.summary


def test_trap_6_rss_authors_are_one_dc_creator_with_every_name(built) -> None:
    """One ``dc:creator`` per item, all the authors' names in page order joined with ``、``
    (readers keep only the last of several: a story was credited to its photographer); the
    editors one ``dc:contributor`` the same way. Atom keeps an author per person."""
    root, issues, _, _ = built
    rss = xml(root / "rss.xml")
    items = rss.findall("channel/item")
    atom_entries = xml(root / "atom.xml").findall("a:entry", NS)
    several = 0
    for item, entry, (_, article) in zip(items, atom_entries, expected_order(issues), strict=True):
        assert item.find("author") is None  # RSS <author> would need an e-mail address
        names = list(dict.fromkeys(p.name for p in article.contributors if p.role is not Role.EDITOR))
        assert [c.text for c in item.findall("dc:creator", NS)] == (["、".join(names)] if names else [])
        assert [a.findtext("a:name", namespaces=NS) for a in entry.findall("a:author", NS)] == names
        editors = [p.name for p in article.contributors if p.role is Role.EDITOR and p.name not in names]
        assert [c.text for c in item.findall("dc:contributor", NS)] == (["、".join(editors)] if editors else [])
        several += len(names) > 1
    assert several  # the sample has articles of two or more authors
    assert _feedgen.NAME_SEPARATOR == "、"
    editors = [c.text for item in items for c in item.findall("dc:contributor", NS)]
    assert not any("王勇" in e for e in editors)  # also a reporter of that article: an author, once
    atom = xml(root / "atom.xml")
    assert atom.find(".//dc:creator", NS) is None  # Atom uses author/name instead


def test_trap_6_several_editors_are_one_dc_contributor() -> None:
    entry = replace(_entry("tag:x,2021:a"), authors=("韩睿", "高雅慧"), contributors=("王勇", "李静"))
    item = xml_bytes(_feedgen.rss_document(_head(), [entry])).find("channel/item")
    assert [c.text for c in item.findall("dc:creator", NS)] == ["韩睿、高雅慧"]
    assert [c.text for c in item.findall("dc:contributor", NS)] == ["王勇、李静"]
    parsed = feedparser.parse(_feedgen.rss_document(_head(), [entry])).entries[0]
    assert parsed.author == "韩睿、高雅慧" and parsed.contributors == [{"name": "王勇、李静"}]
    atom = xml_bytes(_feedgen.atom_document(_head(), [entry])).find("a:entry", NS)
    assert [a.findtext("a:name", namespaces=NS) for a in atom.findall("a:author", NS)] == ["韩睿", "高雅慧"]
    assert [a.findtext("a:name", namespaces=NS) for a in atom.findall("a:contributor", NS)] == ["王勇", "李静"]


def test_trap_7_enclosure_real_length_encoded_url_one_per_item(tmp_path: Path) -> None:
    issues = three_issues()
    epubs = stand_in_epubs(tmp_path, issues, name=lambda i: f"太原日报 {i.date}.epub")
    write_feeds(issues, tmp_path, SiteOptions(), epubs)
    rss = xml(tmp_path / "editions-rss.xml")
    for item, issue in zip(rss.findall("channel/item"), order_issues(issues), strict=True):
        enclosures = item.findall("enclosure")
        assert len(enclosures) == 1
        url = enclosures[0].get("url")
        assert url.isascii() and " " not in url
        assert url == BASE + "epub/%E5%A4%AA%E5%8E%9F%E6%97%A5%E6%8A%A5%20" + f"{issue.date}.epub"
        assert enclosures[0].get("length") == str(epubs[issue.id].stat().st_size)
        assert enclosures[0].get("type") == "application/epub+zip"
    atom_links = xml(tmp_path / "editions.xml").findall(".//a:link[@rel='enclosure']", NS)
    assert [link.get("href") for link in atom_links] == [e.get("url") for e in rss.iter("enclosure")]
    data = json.loads((tmp_path / "feed.json").read_text("utf-8"))
    assert all("attachments" not in item for item in data["items"])  # articles have none


def test_trap_7_missing_epub_is_an_output_error(tmp_path: Path) -> None:
    issues = three_issues()
    epubs = stand_in_epubs(tmp_path, issues)
    epubs[issues[0].id].unlink()
    with pytest.raises(OutputError, match="EPUB"):
        write_feeds(issues, tmp_path / "out", SiteOptions(), epubs)
    with pytest.raises(OutputError, match="no EPUB"):
        write_feeds(issues, tmp_path / "out", SiteOptions(), {})
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bad", ["\x07", "\x00", "\x1b[31m", "\x85", "\ufffe"])
def test_trap_8_control_characters_are_refused_cleanly(tmp_path: Path, bad: str) -> None:
    issue = sample_issue()
    article = issue.articles[1]
    broken = replace(article, body=(Paragraph(f"正文{bad}继续"),))
    issue = replace(issue, articles=(issue.articles[0], broken, *issue.articles[2:]))
    with pytest.raises(OutputError) as caught:
        write_feeds([issue], tmp_path / "out")
    message = str(caught.value)
    assert article.id in message and f"U+{ord(bad[0]):04X}" in message
    assert not (tmp_path / "out").exists()  # nothing half-written


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("title", {"title": "题\x07"}),
        ("summary", {"summary": "文\x07"}),
        ("author", {"authors": ("韩睿", "高\x07")}),
        ("author", {"contributors": ("编\x07",)}),
        ("category", {"categories": (_feedgen.Category("要闻", "要\x07闻"),)}),
        ("category scheme", {"categories": (_feedgen.Category("A03", "A03版", f"{BASE}\x07"),)}),
    ],
)
def test_trap_8_the_field_with_the_control_character_is_named(field: str, change: dict) -> None:
    """An entry's text is scanned at once; the message still names the field it is in."""
    entry = replace(_entry("tag:x,2021:a"), **change)
    with pytest.raises(OutputError, match=f"feed entry tag:x,2021:a: {field}: control character U\\+0007"):
        _feedgen.check_document(_head(), [entry])
    _feedgen.check_document(_head(), [_entry("tag:x,2021:a")])  # and a clean one passes


def test_trap_9_language_is_zh_cn_everywhere(built) -> None:
    root, _, _, _ = built
    for name in ("atom.xml", "editions.xml"):
        assert xml(root / name).get(XML_LANG) == "zh-CN"
    for name in ("rss.xml", "editions-rss.xml"):
        assert xml(root / name).findtext("channel/language") == "zh-CN"
    assert json.loads((root / "feed.json").read_text("utf-8"))["language"] == "zh-CN"
    with pytest.raises(ValueError, match="BCP 47"):
        _feedgen.rss_document(_head(language="zh_CN"), [])


def test_trap_10_no_two_entries_share_an_updated_instant(tmp_path: Path) -> None:
    # Two pages of one day and an undated issue: the hardest case for unique instants.
    base = sample_issue()
    issues = [
        another_day(base, base.date, page=1),
        another_day(base, base.date, page=2),
        base,
        hostile_issue(),
    ]
    write_feeds(issues, tmp_path, SiteOptions(), stand_in_epubs(tmp_path, issues))
    for name in ("atom.xml", "editions.xml"):
        feed = xml(tmp_path / name)
        stamps = [
            dt.datetime.fromisoformat(e.findtext("a:updated", namespaces=NS))
            for e in feed.findall("a:entry", NS)
        ]
        published = [
            dt.datetime.fromisoformat(e.findtext("a:published", namespaces=NS))
            for e in feed.findall("a:entry", NS)
        ]
        assert len(set(stamps)) == len(stamps), name
        assert stamps == sorted(stamps, reverse=True)  # readers sorting by date keep page order
        assert all(p <= u for p, u in zip(published, stamps, strict=True))
        assert dt.datetime.fromisoformat(feed.findtext("a:updated", namespaces=NS)) == max(stamps)
    # Page 1 before page 2 on the same date.
    titles = [e.id for e in feedparser.parse((tmp_path / "atom.xml").read_bytes()).entries]
    assert titles.index(article_tag(SiteOptions(), issues[0], issues[0].articles[-1])) < titles.index(
        article_tag(SiteOptions(), issues[1], issues[1].articles[0])
    )
    with pytest.raises(ValueError, match="same updated"):
        entry = _entry("tag:x,2021:a")
        _feedgen.atom_document(_head(), [entry, replace(entry, id="tag:x,2021:b")])


# --- hostile text ------------------------------------------------------------------------


def test_hostile_text_is_escaped_in_every_feed(tmp_path: Path) -> None:
    issues = [hostile_issue()]
    write_feeds(issues, tmp_path, SiteOptions(), stand_in_epubs(tmp_path, issues))
    article = issues[0].articles[0]
    for name in ("atom.xml", "rss.xml", "editions.xml", "editions-rss.xml"):
        data = (tmp_path / name).read_bytes()
        assert b"<script" not in data and b"<b>" not in data, name
        xml(tmp_path / name)  # well-formed despite ]]> and quotes
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        if not name.startswith("editions"):
            assert parsed.entries[0].title == article.display_title == f"标题{HOSTILE}"
            assert parsed.entries[0].authors == [{"name": HOSTILE}]
    data = json.loads((tmp_path / "feed.json").read_text("utf-8"))
    item = data["items"][0]
    assert item["title"] == f"标题{HOSTILE}"  # JSON strings are text: exact
    assert "<script" not in item["content_html"] and "&lt;script&gt;" in item["content_html"]


# --- ids -----------------------------------------------------------------------------------


def test_ids_are_ascii_tag_uris(tmp_path: Path) -> None:
    issues = [*three_issues(), hostile_issue()]
    docs = build_feeds(issues, SiteOptions(), stand_in_epubs(tmp_path, issues))
    for name in ("atom.xml", "editions.xml"):
        feed = etree.fromstring(docs[name])
        for tag in [feed.findtext("a:id", namespaces=NS)] + [
            e.findtext("a:id", namespaces=NS) for e in feed.findall("a:entry", NS)
        ]:
            assert TAG_URI.match(tag), tag
    issue = sample_issue()
    assert article_tag(SiteOptions(), issue, issue.articles[0]) == (
        "tag:localhost,2021-12-10:tyrb/article/tyrb-2021-12-10-a-i8d1c2a4e"
    )
    # The authority is configurable, so ids can survive a move of the site.
    moved = SiteOptions(base_url="https://news.example.org/tyrb/", tag_authority="localhost")
    assert article_tag(moved, issue, issue.articles[0]) == article_tag(
        SiteOptions(), issue, issue.articles[0]
    )


def _ids(docs: dict[str, bytes]) -> dict[str, str]:
    """Display title -> id, for every entry of the Atom feed."""
    return {e.title: e.id for e in feedparser.parse(docs["atom.xml"]).entries}


def test_ids_do_not_change_when_another_article_is_added_or_removed() -> None:
    issue = sample_issue()
    before = _ids(build_feeds([issue]))
    removed = replace(issue, articles=issue.articles[1:])
    added = replace(issue, articles=(*issue.articles[:2], hostile_issue().articles[0], *issue.articles[2:]))
    for changed in (removed, added):
        after = _ids(build_feeds([changed]))
        common = set(before) & set(after)
        assert len(common) >= len(issue.articles) - 1
        assert {t: before[t] for t in common} == {t: after[t] for t in common}
    assert build_feeds([issue]) == build_feeds([issue])  # and across rebuilds


# --- archives ---------------------------------------------------------------------------------


def _follow_atom(root: Path, start: str) -> list[etree._Element]:
    """The subscription document and every archive reachable by prev-archive."""
    docs, url = [], BASE + start
    while url:
        assert url.startswith(BASE)
        doc = xml(root / urlsplit(url).path.lstrip("/"))
        docs.append(doc)
        prev = doc.find("a:link[@rel='prev-archive']", NS)
        url = prev.get("href") if prev is not None else None
    return docs


def test_archives_hold_every_entry_once_and_link_back(tmp_path: Path) -> None:
    issues = three_issues()
    options = SiteOptions(feed_size=4)
    write_feeds(issues, tmp_path, options, stand_in_epubs(tmp_path, issues))
    expected = [article_tag(options, i, a) for i, a in expected_order(issues)]  # 15 entries

    docs = _follow_atom(tmp_path, "atom.xml")
    assert len(docs) == 4  # 4 current + 4 + 4 + 3, the oldest archive full
    ids = [e.findtext("a:id", namespaces=NS) for d in docs for e in d.findall("a:entry", NS)]
    assert ids[: options.feed_size] == expected[: options.feed_size]
    assert sorted(ids) == sorted(expected) and len(set(ids)) == len(ids)
    assert docs[0].find("fh:archive", NS) is None
    for doc in docs[1:]:
        assert doc.find("fh:archive", NS) is not None
        assert doc.find("a:link[@rel='current']", NS).get("href") == BASE + "atom.xml"
        assert doc.findtext("a:id", namespaces=NS) == docs[0].findtext("a:id", namespaces=NS)
    oldest = xml(tmp_path / "archive/atom-1.xml")
    assert len(oldest.findall("a:entry", NS)) == options.feed_size  # filled from the oldest
    assert oldest.find("a:link[@rel='next-archive']", NS).get("href") == BASE + "archive/atom-2.xml"

    # RSS: the same pages through atom:link; JSON Feed: through next_url.
    rss_ids, url = [], BASE + "rss.xml"
    while url:
        channel = xml(tmp_path / urlsplit(url).path.lstrip("/")).find("channel")
        rss_ids += [i.findtext("guid") for i in channel.findall("item")]
        prev = channel.find("atom:link[@rel='prev-archive']", NS)
        url = prev.get("href") if prev is not None else None
    assert rss_ids == ids
    json_ids, url = [], BASE + "feed.json"
    while url:
        page = json.loads((tmp_path / urlsplit(url).path.lstrip("/")).read_text("utf-8"))
        assert page["feed_url"] == BASE + "feed.json"
        json_ids += [item["id"] for item in page["items"]]
        url = page.get("next_url")
    assert json_ids == ids
    # Editions (one entry per issue) page the same way.
    assert len(xml(tmp_path / "editions.xml").findall("a:entry", NS)) == 3


def test_full_archive_pages_do_not_change_when_a_new_issue_arrives(tmp_path: Path) -> None:
    issues = three_issues()
    options = SiteOptions(feed_size=5)
    before = build_feeds(issues, options)
    newer = another_day(sample_issue(), dt.date(2021, 12, 12))
    after = build_feeds([*issues, newer], options)
    assert before["archive/atom-1.xml"] == after["archive/atom-1.xml"]
    assert "archive/atom-3.xml" in after and "archive/atom-3.xml" not in before
    # The then-newest archive only changes its next-archive link: from the subscription
    # document (the newest archive page's next) to the new archive page.
    parser = etree.XMLParser(remove_blank_text=True)
    old, new = (etree.fromstring(d["archive/atom-2.xml"], parser) for d in (before, after))
    link = new.find("a:link[@rel='next-archive']", NS)
    assert link.get("href") == BASE + "archive/atom-3.xml"
    old_link = old.find("a:link[@rel='next-archive']", NS)
    assert old_link.get("href") == BASE + "atom.xml"
    old_link.set("href", link.get("href"))
    assert etree.tostring(new) == etree.tostring(old)


def test_every_archive_page_links_on_even_when_there_is_only_one(tmp_path: Path) -> None:
    """A single archive page links to the subscription document as its next-archive (the
    W3C validator warns "Archive incomplete" on an archive page with no archive link)."""
    issues = three_issues()
    total = sum(len(i.articles) for i in issues)
    docs = build_feeds(issues, SiteOptions(feed_size=(total + 1) // 2 + 1))
    assert "archive/atom-1.xml" in docs and "archive/atom-2.xml" not in docs
    for path, current in (("archive/atom-1.xml", "atom.xml"), ("archive/rss-1.xml", "rss.xml")):
        root = etree.fromstring(docs[path])
        links = {link.get("rel"): link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")}
        assert links["next-archive"] == links["current"] == BASE + current, path
        assert "prev-archive" not in links


# --- options and errors -------------------------------------------------------------------------


def test_site_options_defaults_and_checks() -> None:
    options = SiteOptions()
    assert options.base_url == "http://127.0.0.1:8000/" and options.tag_authority == "localhost"
    assert options.feed_size == 50
    assert SiteOptions(base_url="https://example.org/paper").base_url == "https://example.org/paper/"
    assert SiteOptions(base_url="https://Example.ORG:8443/").tag_authority == "example.org"
    assert SiteOptions(title="晚报").site_title([sample_issue()]) == "晚报"
    for bad in ("localhost:8000", "/srv/www/", "ftp://example.org/", "http://example.org/?x=1"):
        with pytest.raises(ConfigError):
            SiteOptions(base_url=bad)
    for size in (0, -1, True, 2.5):
        with pytest.raises(ConfigError):
            SiteOptions(feed_size=size)
    with pytest.raises(ConfigError):
        SiteOptions(tag_authority="太原日报.cn")


# --- the time of day an issue is dated at ([publication] time) -----------------------------------


def _stamps(docs: dict[str, bytes]) -> dict[str, list[dt.datetime]]:
    """Every entry instant and feed instant of every document, by document."""
    out: dict[str, list[dt.datetime]] = {}
    for name, data in docs.items():
        if name.endswith(".json"):
            page = json.loads(data)
            out[name] = [dt.datetime.fromisoformat(i[k]) for i in page["items"] for k in ("date_published", "date_modified")]
        elif b"<rss" in data[:200]:
            texts = xml_bytes(data).xpath("//pubDate/text() | //lastBuildDate/text()")
            out[name] = [dt.datetime.strptime(t, "%a, %d %b %Y %H:%M:%S %z") for t in texts]
        else:
            texts = xml_bytes(data).xpath("//a:updated/text() | //a:published/text()", namespaces=NS)
            out[name] = [dt.datetime.fromisoformat(t) for t in texts]
    return out


def test_by_default_every_feed_keeps_the_paper_s_date_in_utc(tmp_path: Path) -> None:
    """08:00 at +08:00 is 00:00 UTC: every instant of every document (the articles', the
    editions', their archives) is on its issue's date in Beijing and in UTC alike, within
    the hour from 08:00 (00:00 UTC), counting down in page order."""
    issues = three_issues()
    options = SiteOptions(feed_size=4)
    assert options.time == "08:00" and options.time_of_day == dt.time(8, 0)
    docs = build_feeds(issues, options, stand_in_epubs(tmp_path, issues))
    assert {"archive/atom-1.xml", "archive/rss-1.xml", "archive/feed-1.json", "editions.xml",
            "editions-rss.xml"} <= set(docs)
    dates = {i.date for i in issues}
    for name, stamps in _stamps(docs).items():
        assert stamps, name
        for when in stamps:
            assert when.utcoffset() == dt.timedelta(hours=8), name
            assert when.date() in dates and when.astimezone(dt.UTC).date() == when.date(), (name, when)
            assert dt.time(8, 0) <= when.time() <= dt.time(8, 59, 59), (name, when)
            assert when.astimezone(dt.UTC).hour == 0, (name, when)
    atom = xml_bytes(docs["atom.xml"])
    assert atom.findtext("a:updated", namespaces=NS) == "2021-12-11T08:59:59+08:00"
    first, second = (e.findtext("a:updated", namespaces=NS) for e in atom.findall("a:entry", NS)[:2])
    assert (first, second) == ("2021-12-11T08:59:59+08:00", "2021-12-11T08:59:58+08:00")
    assert issue_instant(issues[1]).isoformat() == "2021-12-10T08:00:00+08:00"
    assert issue_instant(issues[1]).astimezone(dt.UTC).isoformat() == "2021-12-10T00:00:00+00:00"


@pytest.mark.parametrize(("time", "first"), [("00:00", "00:59:59"), ("06:30", "07:29:59"), ("16:00", "16:59:59"),
                                             ("23:00", "23:59:59")])
def test_the_time_of_day_is_configurable(tmp_path: Path, time: str, first: str) -> None:
    """``time`` moves every instant; the entries still take the hour from it, on the date."""
    issues = three_issues()
    options = SiteOptions(feed_size=4, time=time)
    docs = build_feeds(issues, options, stand_in_epubs(tmp_path, issues))
    atom = xml_bytes(docs["atom.xml"])
    assert atom.findtext("a:entry/a:updated", namespaces=NS) == f"2021-12-11T{first}+08:00"
    assert xml_bytes(docs["rss.xml"]).findtext("channel/item/pubDate") == f"Sat, 11 Dec 2021 {first} +0800"
    assert json.loads(docs["feed.json"])["items"][0]["date_published"] == f"2021-12-11T{first}+08:00"
    assert xml_bytes(docs["editions.xml"]).findtext("a:entry/a:updated", namespaces=NS) == f"2021-12-11T{first}+08:00"
    start = dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(time))
    for name, stamps in _stamps(docs).items():
        for when in stamps:
            assert when.date() in {i.date for i in issues}, (name, when)
            assert dt.timedelta(0) <= when.replace(tzinfo=None) - start.replace(
                year=when.year, month=when.month, day=when.day) < dt.timedelta(hours=1), (name, when)
    # the same order and ids whatever the time; only the instants move
    def ids(documents: dict[str, bytes]) -> list[str]:
        return [e.id for e in feedparser.parse(documents["atom.xml"]).entries]

    assert ids(docs) == ids(build_feeds(issues, SiteOptions(feed_size=4)))
    stamps = [dt.datetime.fromisoformat(e.findtext("a:updated", namespaces=NS)) for e in atom.findall("a:entry", NS)]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == len(stamps)


def test_the_time_of_day_goes_with_the_offset() -> None:
    """At another offset the time is that offset's: 09:00 at +09:00 is 00:00 UTC too."""
    issue = sample_issue()
    docs = build_feeds([issue], SiteOptions(utc_offset="+09:00", time="09:00"))
    when = dt.datetime.fromisoformat(xml_bytes(docs["atom.xml"]).findtext("a:entry/a:updated", namespaces=NS))
    assert when.isoformat() == "2021-12-10T09:59:59+09:00" and when.astimezone(dt.UTC).date() == issue.date
    docs = build_feeds([issue], SiteOptions(utc_offset="-05:00", time="00:00"))
    assert xml_bytes(docs["atom.xml"]).findtext("a:entry/a:updated", namespaces=NS) == "2021-12-10T00:59:59-05:00"


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(9999, 12, 31)],
                         ids=str)
@pytest.mark.parametrize(("offset", "time"), [("+08:00", "08:00"), ("+14:00", "00:00"), ("-12:00", "23:00")])
def test_any_year_at_any_time_and_offset(day: dt.date, offset: str, time: str, atom_schema) -> None:
    """The first and the last days a date can hold, either side of RFC 822's 1900, at the
    earliest and the latest time and offset: every document is made and reads back."""
    issue = replace(sample_issue(), date=day)
    docs = build_feeds([issue], SiteOptions(utc_offset=offset, time=time))
    first = f"{day.isoformat()}T{int(time[:2]):02d}:59:59{offset}"
    assert xml_bytes(docs["atom.xml"]).findtext("a:entry/a:updated", namespaces=NS) == first
    assert atom_schema.validate(xml_bytes(docs["atom.xml"]).getroottree()), atom_schema.error_log
    item = xml_bytes(docs["rss.xml"]).find("channel/item")
    if day.year >= 1900:
        assert item.findtext("pubDate") == _feedgen.rfc822_date(dt.datetime.fromisoformat(first))
    else:
        assert item.findtext("dc:date", namespaces=NS) == first
    assert json.loads(docs["feed.json"])["items"][0]["date_published"] == first
    assert not feedparser.parse(docs["rss.xml"]).bozo


def test_an_undated_issue_gets_the_time_and_source_date_epoch_stays_exact(monkeypatch) -> None:
    undated = replace(sample_issue(), date=None, date_cert=None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert issue_instant(undated).isoformat() == "2000-01-01T08:00:00+08:00"
    assert issue_instant(undated, BEIJING, dt.time(0, 0)).isoformat() == "2000-01-01T00:00:00+08:00"
    docs = build_feeds([undated], SiteOptions(time="12:00"))
    assert xml_bytes(docs["atom.xml"]).findtext("a:entry/a:updated", namespaces=NS) == "2000-01-01T12:59:59+08:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z: an instant, taken as it is
    for time in (dt.time(0, 0), dt.time(8, 0), dt.time(23, 0)):
        assert issue_instant(undated, BEIJING, time).isoformat() == "2023-11-15T06:13:20+08:00"
    docs = build_feeds([undated], SiteOptions(time="12:00"))
    assert xml_bytes(docs["atom.xml"]).findtext("a:entry/a:updated", namespaces=NS) == "2023-11-15T07:13:19+08:00"
    # The ids never move with the instant.
    assert _ids(docs) == _ids(build_feeds([undated]))


@pytest.mark.parametrize("bad", ["24:00", "23:01", "23:59", "8:00", "08:0", "08:00:00", "08:60", "0800", "", " 08:00",
                                 "08:00\n", "08.00", "８:００", 8])
def test_a_bad_time_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"time = .* is not allowed; use HH:MM from 00:00 to 23:00"):
        SiteOptions(time=bad)  # type: ignore[arg-type]
    assert SiteOptions(time="23:00").time_of_day == dt.time(23, 0)
    assert SiteOptions(time="00:00").time_of_day == dt.time(0, 0)


def test_unfit_or_repeated_ids_are_refused(tmp_path: Path) -> None:
    issue = sample_issue()
    with pytest.raises(OutputError, match="repeated"):
        write_feeds([issue, issue], tmp_path)
    escape_root = replace(issue, articles=(replace(issue.articles[0], id="../../etc/passwd"),))
    with pytest.raises(OutputError, match="unfit"):
        write_feeds([escape_root], tmp_path)
    with pytest.raises(OutputError, match="no issues"):
        write_feeds([], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    issues = three_issues()
    written = write_feeds(issues, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == ["atom.xml", "feed.json", "rss.xml"]
    before = {p: p.read_bytes() for p in written}
    write_feeds(issues, tmp_path)
    assert {p: p.read_bytes() for p in written} == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert all(p.stat().st_mode & 0o044 for p in written)  # readable by the web server


def test_unwritable_output_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write"):
        write_feeds([sample_issue()], blocker)


# --- web dumps: the original's address, languages, an unknown paper -------------------------------


def test_an_entry_links_to_the_original_when_its_record_gives_one(tmp_path: Path, atom_schema) -> None:
    """Atom ``link rel="related"`` and JSON Feed ``external_url``; the entry's own link stays
    our copy, and RSS (which has no element for it) says nothing of the original."""
    web = web_issue()
    options = SiteOptions()
    write_feeds([web], tmp_path, options, stand_in_epubs(tmp_path, [web]))
    for path in atom_docs(tmp_path):
        assert atom_schema.validate(etree.parse(str(path))), (path.name, atom_schema.error_log)
    entries = xml(tmp_path / "atom.xml").findall("a:entry", NS)
    # The first field named as a link with an http(s) value: Link, not the PDF, not a
    # later link; a javascript: value is no address.
    assert [[link.get("href") for link in e.findall("a:link[@rel='related']", NS)] for e in entries] == [
        [WEB_URL], [], []
    ]
    for entry, article in zip(entries, web.articles, strict=True):
        rels = [link.get("rel") for link in entry.findall("a:link", NS)]
        assert rels[0] == "alternate" and rels.count("alternate") == 1
        assert entry.find("a:link[@rel='alternate']", NS).get("href") == options.url(article_page(web, article))
    parsed = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert not parsed.bozo
    assert [lk.href for lk in parsed.entries[0].links if lk.rel == "related"] == [WEB_URL]
    assert parsed.entries[0].link == options.url(article_page(web, web.articles[0]))
    items = json.loads((tmp_path / "feed.json").read_text("utf-8"))["items"]
    assert [item.get("external_url") for item in items] == [WEB_URL, None, None]
    assert [item["url"] for item in items] == [options.url(article_page(web, a)) for a in web.articles]
    rss = (tmp_path / "rss.xml").read_bytes()
    assert b"news.example.com.tw" not in rss and b"javascript" not in rss
    assert [item.findtext("link") for item in xml(tmp_path / "rss.xml").iterfind("channel/item")] == [
        options.url(article_page(web, a)) for a in web.articles
    ]
    # The source record's other fields are no part of any feed.
    for name in ("atom.xml", "rss.xml", "feed.json"):
        words = (tmp_path / name).read_text("utf-8")
        assert "5500123.pdf" not in words and "06:43" not in words and "自由" not in words


def test_an_original_s_non_ascii_address_is_percent_encoded(tmp_path: Path) -> None:
    web = web_issue()
    first = replace(web.articles[0], meta=(("原文链接", " https://例子.台灣/新聞/1?q=颱風 "),))
    docs = build_feeds([replace(web, articles=(first,))], SiteOptions())
    (related,) = xml_bytes(docs["atom.xml"]).findall("a:entry/a:link[@rel='related']", NS)
    assert related.get("href") == "https://%E4%BE%8B%E5%AD%90.%E5%8F%B0%E7%81%A3/%E6%96%B0%E8%81%9E/1?q=%E9%A2%B1%E9%A2%A8"
    assert json.loads(docs["feed.json"])["items"][0]["external_url"] == related.get("href")


def xml_bytes(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_a_feed_is_in_the_language_of_most_of_its_entries(tmp_path: Path, atom_schema) -> None:
    """Traditional-script entries among Simplified ones say so (Atom ``xml:lang``, JSON Feed
    item ``language``): readers pick the glyphs by it. Each document is in the language of
    most of its own entries, a tie going to the newest; full archive pages keep theirs."""
    web, base = web_issue(), sample_issue()  # 3 entries in zh-TW (2026), 5 in zh-CN (2021)
    issues = [base, web]
    epubs = stand_in_epubs(tmp_path, issues)
    write_feeds(issues, tmp_path, SiteOptions(), epubs)
    atom = xml(tmp_path / "atom.xml")
    assert atom.get(XML_LANG) == "zh-CN"
    assert [e.get(XML_LANG) for e in atom.findall("a:entry", NS)] == ["zh-TW"] * 3 + [None] * 5
    assert xml(tmp_path / "rss.xml").findtext("channel/language") == "zh-CN"
    data = json.loads((tmp_path / "feed.json").read_text("utf-8"))
    assert data["language"] == "zh-CN"
    assert [item["language"] for item in data["items"]] == ["zh-TW"] * 3 + ["zh-CN"] * 5
    # Editions: one entry each, a tie, so the newest issue's language (web's, 2026).
    editions = xml(tmp_path / "editions.xml")
    assert editions.get(XML_LANG) == "zh-TW"
    assert [e.get(XML_LANG) for e in editions.findall("a:entry", NS)] == [None, "zh-CN"]
    assert xml(tmp_path / "editions-rss.xml").findtext("channel/language") == "zh-TW"
    for path in atom_docs(tmp_path):
        assert atom_schema.validate(etree.parse(str(path))), (path.name, atom_schema.error_log)
    # Pages of three: the newest holds web's three entries, the archives sample's five.
    paged = tmp_path / "paged"
    write_feeds(issues, paged, SiteOptions(feed_size=3), stand_in_epubs(paged, issues))
    assert xml(paged / "atom.xml").get(XML_LANG) == "zh-TW"
    assert [e.get(XML_LANG) for e in xml(paged / "atom.xml").findall("a:entry", NS)] == [None] * 3
    archives = sorted((paged / "archive").glob("atom-*.xml"))
    assert len(archives) == 2 and {xml(p).get(XML_LANG) for p in archives} == {"zh-CN"}
    assert {json.loads(p.read_text("utf-8"))["language"] for p in (paged / "archive").glob("feed-*.json")} == {
        "zh-CN"
    }


def test_a_paper_nothing_names_shows_its_masthead(tmp_path: Path) -> None:
    web = web_issue()
    docs = build_feeds([web], SiteOptions(), {web.id: stand_in_epubs(tmp_path, [web])[web.id]})
    parsed = feedparser.parse(docs["editions.xml"])
    assert [e.title for e in parsed.entries] == ["报刊不详 2026年8月22日"]
    assert parsed.feed.title == "pressout 电子版"  # the site is named by no made-up paper
    assert feedparser.parse(docs["atom.xml"]).feed.title == "pressout"


# --- the seed pages end to end ----------------------------------------------------------------------


def test_seed_pages_make_valid_feeds(tmp_path: Path, seed_paths: list[Path], atom_schema) -> None:
    from pressout.export.epub import write_epub
    from pressout.read import read_page

    issues = [read_page(p) for p in seed_paths]
    (tmp_path / "epub").mkdir()
    epubs = {i.id: write_epub(i, tmp_path / "epub") for i in issues}
    options = SiteOptions(feed_size=10)
    write_feeds(issues, tmp_path, options, epubs)
    for path in atom_docs(tmp_path):
        assert atom_schema.validate(etree.parse(str(path))), (path.name, atom_schema.error_log)
    ids = []
    for doc in _follow_atom(tmp_path, "atom.xml"):
        for entry in doc.findall("a:entry", NS):
            ids.append(entry.findtext("a:id", namespaces=NS))
            assert TAG_URI.match(ids[-1])
            assert re.search(r"[\u4e00-\u9fff]", entry.findtext("a:title", namespaces=NS))
    assert sorted(ids) == sorted(article_tag(options, i, a) for i in issues for a in i.articles)
    parsed = feedparser.parse((tmp_path / "editions.xml").read_bytes())
    assert [int(e.enclosures[0].length) for e in parsed.entries] == [
        epubs[i.id].stat().st_size for i in order_issues(issues)
    ]


# --- helpers for the wrapper-level checks -------------------------------------------------------------


def _head(**changes) -> _feedgen.Head:
    head = _feedgen.Head(
        id="tag:localhost,2000-01-01:tyrb/feed/test",
        title="测试",
        subtitle="测试",
        site_url=BASE,
        self_url=BASE + "atom.xml",
        updated=dt.datetime(2021, 12, 10, 1, tzinfo=BEIJING),
        author="太原日报",
    )
    return replace(head, **changes)


def _entry(entry_id: str) -> _feedgen.Entry:
    when = dt.datetime(2021, 12, 10, tzinfo=BEIJING)
    return _feedgen.Entry(
        id=entry_id,
        title="题",
        link=BASE,
        published=when,
        updated=when,
        content_html="<p>文</p>",
        summary="文",
    )


# --- the page an article is printed on (版面) --------------------------------------------------------


def _categories(entry: etree._Element) -> list[tuple[str, str, str | None]]:
    return [(c.get("term"), c.get("label"), c.get("scheme")) for c in entry.findall("a:category", NS)]


def test_an_article_s_page_is_a_category(tmp_path: Path, atom_schema) -> None:
    """Atom ``category`` with the page's label as term, its heading as label and the issue's
    page (which lists the issue's pages) as scheme; RSS ``category`` with the heading (the
    scheme its domain); JSON Feed ``tags`` with the heading. An article of no known page
    gets none, and feedparser reads them back."""
    paged, plain = paged_issue(), sample_issue()
    options = SiteOptions()
    issues = [plain, paged]
    write_feeds(issues, tmp_path, options, stand_in_epubs(tmp_path, issues))
    for path in atom_docs(tmp_path):
        assert atom_schema.validate(etree.parse(str(path))), (path.name, atom_schema.error_log)
    scheme = options.url(f"issues/{paged.id}/index.html")
    assert scheme == "http://127.0.0.1:8000/issues/dskb-2026-04-04-a/index.html"
    expected = expected_order(issues)
    assert [issue for issue, _ in expected[:4]] == [paged] * 4  # 2026 before 2021
    pages = [paged.page_of(article) for _, article in expected[:4]]
    assert [page.heading for page in pages] == ["A01版 要闻", "A01版 要闻", "A02版 杭州新闻", "A03版 文体"]
    entries = xml(tmp_path / "atom.xml").findall("a:entry", NS)
    for entry, (issue, article) in zip(entries, expected, strict=True):
        page = issue.page_of(article)
        shown = _categories(entry)
        if page is None:
            assert all(s is None for _, _, s in shown), shown
        else:
            assert shown == [("article", "文章", None), (page.label, page.heading, scheme)]
    rss = list(xml(tmp_path / "rss.xml").iterfind("channel/item"))
    assert [[(c.text, c.get("domain")) for c in item.findall("category")] for item in rss[:4]] == [
        [("文章", None), (page.heading, scheme)] for page in pages]
    assert not [c for item in rss[4:] for c in item.findall("category") if c.get("domain")]
    items = json.loads((tmp_path / "feed.json").read_text("utf-8"))["items"]
    assert [item["tags"] for item in items[:4]] == [["文章", page.heading] for page in pages]
    assert not [tag for item in items[4:] for tag in item.get("tags", []) if "版" in tag]
    # feedparser: Atom's term, label and scheme; RSS's text (the heading) and domain.
    for name, term in (("atom.xml", lambda p: p.label), ("rss.xml", lambda p: p.heading)):
        parsed = feedparser.parse((tmp_path / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        for entry, page in zip(parsed.entries[:4], pages, strict=True):
            (tag,) = [t for t in entry.tags if t.scheme]
            assert (tag.term, tag.scheme) == (term(page), scheme), name
            if name == "atom.xml":
                assert tag.label == page.heading
        assert not [t for e in parsed.entries[4:] for t in e.tags if t.scheme], name


def test_a_whole_issue_s_feeds_carry_its_pages_and_validate(tmp_path: Path, atom_schema) -> None:
    """The real whole-issue dump (eight pages of 人民日报): every article has its page as a
    category, and the documents pass the RELAX NG schema and feedparser, archives included."""
    from pressout.read import read_page

    issue = read_page(str(Path(__file__).parent / "corpus/files/rmrb/rmrb_20260704_baodao_zhaiyao.json"))
    assert len(issue.pages) == 8 and all(a.page for a in issue.articles)
    write_feeds([issue], tmp_path, SiteOptions(feed_size=20), stand_in_epubs(tmp_path, [issue]))
    docs = atom_docs(tmp_path)
    assert len(docs) >= 4  # the subscription document, the editions and archives
    headings = []
    for path in docs:
        assert atom_schema.validate(etree.parse(str(path))), (path.name, atom_schema.error_log)
        headings += [c.get("label") for c in xml(path).iterfind("a:entry/a:category[@scheme]", NS)]
    assert sorted(headings) == sorted(issue.page_of(a).heading for a in issue.articles)
    for path in [*tmp_path.glob("*.xml"), *(tmp_path / "archive").glob("*.xml")]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path.name, parsed.get("bozo_exception"))


def test_a_category_scheme_is_written_as_a_uri_and_only_when_given() -> None:
    """feedgen would write ``scheme=""`` (and RSS ``domain=""``) for an empty one: a category
    without a scheme has no such attribute; an IRI's non-ASCII characters are percent-encoded."""
    entry = replace(_entry("tag:x,2021:a"), categories=(
        _feedgen.Category("article", "文章"), _feedgen.Category("A03", "A03版 文体", "http://例子.cn/期/index.html")))
    atom = xml_bytes(_feedgen.atom_document(_head(), [entry]))
    assert _categories(atom.find("a:entry", NS)) == [
        ("article", "文章", None), ("A03", "A03版 文体", "http://%E4%BE%8B%E5%AD%90.cn/%E6%9C%9F/index.html")]
    rss = xml_bytes(_feedgen.rss_document(_head(), [entry]))
    assert [(c.text, c.get("domain")) for c in rss.iterfind("channel/item/category")] == [
        ("文章", None), ("A03版 文体", "http://%E4%BE%8B%E5%AD%90.cn/%E6%9C%9F/index.html")]
