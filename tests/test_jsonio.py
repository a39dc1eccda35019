"""The model as JSON (``pressout.jsonio``): the ``parse --json`` contract and the build
cache. What web dumps add to the model (source fields, removed scaffolding, an unknown
paper, a Traditional-script language tag) goes there and back; a page without them gives
the JSON it always gave, and a cache file written before they existed still loads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from samples import sample_issue, web_issue
from test_tei import issues_from_web_dumps

from pressout.jsonio import issue_from_dict, issue_to_dict
from pressout.model import Issue


def there_and_back(issue: Issue) -> Issue:
    """Through JSON text, as the cache and ``parse --json`` carry it."""
    return issue_from_dict(json.loads(json.dumps(issue_to_dict(issue), ensure_ascii=False)))


def test_source_fields_removed_text_and_an_unknown_paper_round_trip() -> None:
    issue = web_issue()
    assert there_and_back(issue) == issue
    data = issue_to_dict(issue)
    assert data["publication"] == "" and data["language"] == "zh-TW"
    assert data["removed"] == [{"rule": r.rule, "text": r.text} for r in issue.removed]
    first, second, third = data["articles"]
    # [name, value] pairs in the record's order: names repeat, may be empty.
    assert first["meta"] == [list(pair) for pair in issue.articles[0].meta]
    assert second["meta"] == [["連結", "javascript:alert(1)"], ["來源", "自由"]]
    assert "meta" not in third  # nothing to say: not written


def test_without_source_fields_or_removed_text_the_json_is_as_it_was() -> None:
    data = issue_to_dict(sample_issue())
    assert "removed" not in data
    assert not any("meta" in article for article in data["articles"])
    assert list(data) == [
        "format_version", "source", "id", "publication", "date", "language", "articles", "publication_slug", "date_cert",
        "page", "pages", "sha256", "furniture", "rules_applied",
    ]


def test_pages_and_each_articles_page_round_trip_and_old_json_has_none() -> None:
    from pressout.model import Page

    issue = sample_issue()
    paged = dataclasses.replace(
        issue, page=None, pages=(Page("A01", "要闻"), Page("2")),
        articles=tuple(dataclasses.replace(a, page="A01" if n == 0 else "2") for n, a in enumerate(issue.articles)))
    assert there_and_back(paged) == paged
    data = issue_to_dict(paged)
    assert data["pages"] == [{"label": "A01", "name": "要闻"}, {"label": "2", "name": None}]
    assert [a["page"] for a in data["articles"]][:2] == ["A01", "2"]
    for key in ("pages",):
        del data[key]
    for article in data["articles"]:
        del article["page"]
    old = issue_from_dict(data)
    assert old.pages == () and all(a.page is None for a in old.articles)


def test_a_cache_file_from_before_reads_as_empty() -> None:
    issue = dataclasses.replace(web_issue(), publication="太原日报")
    old = issue_to_dict(issue)
    del old["removed"]
    for article in old["articles"]:
        article.pop("meta", None)
    back = issue_from_dict(old)
    assert back.removed == () and all(a.meta == () for a in back.articles)
    assert back == dataclasses.replace(
        issue, removed=(), articles=tuple(dataclasses.replace(a, meta=()) for a in issue.articles)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=issues_from_web_dumps())
def test_generated_models_from_web_dumps_round_trip(issue: Issue) -> None:
    assert there_and_back(issue) == issue


def test_the_json_says_its_format_version_and_a_newer_one_is_refused() -> None:
    from pressout.errors import InputError
    from pressout.jsonio import FORMAT_VERSION, issue_from_dict, issue_to_dict
    from pressout.read import read_page

    issue = read_page(str(Path(__file__).resolve().parent.parent / "seeds" / "000_c8ae31b64c1052c2.txt"))
    data = issue_to_dict(issue)
    assert next(iter(data)) == "format_version" and data["format_version"] == FORMAT_VERSION == 1
    without = {k: v for k, v in data.items() if k != "format_version"}
    assert issue_from_dict(without) == issue  # written before there was a version: version 1
    with pytest.raises(InputError, match="format_version 2 is newer"):
        issue_from_dict({**data, "format_version": 2})
