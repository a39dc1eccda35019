"""The articles' feed entries made ahead, one issue at a time, and the feed pages put
together from them: the same bytes as ``render_page``, with the costly part (each article's
content, and its Atom, RSS and JSON serialisation) done where the issue is read, in the
build's per-page work, so that what is left once every page is read is a concatenation.

An article's entry depends on the issue alone except for three things, which are filled
in when a page is put together:

* its instant (``entry_instants``: the article's place among all the articles of its date):
  the pieces are made with a stand-in instant (``_STAND_IN``), whose spelling in each format
  is replaced by the real one (``<updated>``/``<published>`` in Atom, ``<pubDate>`` in RSS, or
  ``<dc:date>`` for an instant before 1900, ``date_published``/``date_modified`` in JSON);
* ``xml:lang`` on an Atom entry whose language is not the page's (the pieces are made with
  the issue's language as the feed's, so they have none: it is added to the start tag);
* what the document around the entries declares (its namespaces, RFC 5005 links, the
  history marker): the document of each page is made with one stand-in entry that uses the
  same namespaces as the page's entries, and the pieces replace that entry.

``pieces_of(options, issue)`` gives an issue's pieces as bytes (kept by the build in its
cache); ``render_page_from_pieces`` a feed page of the articles from the pieces of its
issues. The text checks that ``render_page`` runs on each entry run when its pieces are
made; the checks of the instants hold by construction and are asserted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from . import _feedgen
from ._feedgen import Entry, Head
from .feed import (
    FEEDS,
    FeedPage,
    SiteOptions,
    _article_entry,
    _dumps,
    _json_document,
    _json_item,
    issue_language,
)

__all__ = ["pieces_of", "render_page_from_pieces"]

_ENTRY, _FEED_END = _feedgen.ATOM_ENTRY, _feedgen.ATOM_END
_ITEM, _CHANNEL_END = _feedgen.RSS_ITEM, _feedgen.RSS_END
_ITEMS = b'\n  "items": ['
_ITEMS_END = b"\n  ]\n}\n"
_BATCH = 50


def _stand_in(tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime(2999, 1, 2, 3, 4, 5, tzinfo=tz)


def _spellings(when: dt.datetime) -> tuple[bytes, bytes, bytes]:
    """An instant as the Atom entry, the RSS item and the JSON item spell it (what stands
    between the tags; None in RSS for an instant before 1900: see ``rfc822_date``)."""
    rfc = _feedgen.rfc822_date(when)
    iso = when.isoformat()
    return iso.encode(), (rfc or "").encode(), iso.encode()


def pieces_of(options: SiteOptions, issue: object) -> bytes:
    """The feed entries of each article of ``issue`` (an Issue), made with the stand-in
    instant: its Atom entry, RSS item and JSON item, and its language (see below)."""
    from ..model import Issue

    assert isinstance(issue, Issue)
    if not issue.articles:
        return b"{}\n"
    stand_in = _stand_in(options.tz)
    entries = [_article_entry(options, issue, article, stand_in) for article in issue.articles]
    later = stand_in + dt.timedelta(days=1)
    for entry in entries:  # render_page's checks of the text, one entry at a time
        _feedgen.check_entries([entry], later)
    language = issue_language(issue)
    head = Head(id="tag:pressout,2000:pieces", title="pieces", subtitle="pieces", site_url=options.base_url,
                self_url=options.url(FEEDS["atom"][0]), updated=stand_in, author="pieces", language=language)
    atom: list[bytes] = []
    rss: list[bytes] = []
    # A batch of entries to a document, as a feed page holds (feedgen's time grows faster
    # than the number of entries in one document: a page of 10,000 items would take minutes).
    for at in range(0, len(entries), _BATCH):
        batch = entries[at: at + _BATCH]
        made = _quick(head, batch)
        if made is None:
            made = _slow(head, batch)
        atom += made[0]
        rss += made[1]
    # One header line (JSON: article id -> [language, then offset and length of its Atom
    # entry, RSS item and JSON item in what follows]), then the pieces, back to back: a
    # page takes its entries as they are, never decoding or encoding their text.
    index: dict[str, list[object]] = {}
    payload: list[bytes] = []
    at = 0
    for article, e, a, r in zip(issue.articles, entries, atom, rss, strict=True):
        j = _dumps(_json_item(e, language), "    ").encode("utf-8")
        index[article.id] = [e.language, at, len(a), at + len(a), len(r), at + len(a) + len(r), len(j)]
        payload += (a, r, j)
        at += len(a) + len(r) + len(j)
    return json.dumps(index, ensure_ascii=False).encode("utf-8") + b"\n" + b"".join(payload)


def _slow(head: Head, batch: list[Entry]) -> tuple[list[bytes], list[bytes]]:
    """A batch's Atom entries and RSS items, cut from the documents feedgen makes of it."""
    return (_feedgen.cut(_feedgen.atom_document(head, batch, checked=True), _ENTRY, _FEED_END),
            _feedgen.cut(_feedgen.rss_document(head, batch, checked=True), _ITEM, _CHANNEL_END))


# Whether a batch's entries are built directly (``_feedgen.atom_entries``/``rss_items``):
# None until a process's first batch has been made both ways and compared (as the covers'
# quick path is, pressout.export.cover), False for good if the bytes differed.
_QUICK: bool | None = None


def _quick(head: Head, batch: list[Entry]) -> tuple[list[bytes], list[bytes]] | None:
    """``_slow(head, batch)``, without feedgen (at a process's first batch: both ways, and
    feedgen's if they differ); None where it is not made this way."""
    global _QUICK
    if _QUICK is False or not _feedgen.plain_entries(batch):
        return None
    made = _feedgen.atom_entries(head.language, batch), _feedgen.rss_items(batch)
    if _QUICK is None:
        slow = _slow(head, batch)
        _QUICK = made == slow
        return slow
    return made


def _pieces(data: bytes) -> tuple[dict[str, list[Any]], bytes]:
    """An issue's pieces: its header and its payload (see ``pieces_of``)."""
    end = data.index(b"\n")
    return json.loads(data[:end]), data[end + 1:]


# The last page's issues' pieces, decoded, by issue id, with the bytes they were decoded
# from: the build hands the same bytes object to the next page that needs the issue.
_decoded: dict[str, tuple[bytes, Any]] = {}


def _decode(ident: str, data: bytes) -> tuple[dict[str, list[Any]], bytes]:
    hit = _decoded.get(ident)
    if hit is not None and hit[0] is data:
        return hit[1]  # type: ignore[no-any-return]
    return _pieces(data)


def render_page_from_pieces(options: SiteOptions, page: FeedPage,
                            pieces: Mapping[str, bytes]) -> Iterator[tuple[str, str, bytes]]:
    """The documents of a page of the articles' feeds (``render_page``'s bytes), from the
    pieces of its issues (issue id -> ``pieces_of``)."""
    assert page.family == "articles" and page.items
    decoded = {ident: _decode(ident, data) for ident, data in pieces.items()}
    _decoded.clear()
    _decoded.update((ident, (pieces[ident], value)) for ident, value in decoded.items())
    records = []  # [atom, rss, json, language] of each entry
    for head, article, _ in page.items:
        index, payload = decoded[head.id]
        language, a, a_len, r, r_len, j, j_len = index[article.id]
        records.append((payload[a: a + a_len], payload[r: r + r_len], payload[j: j + j_len], language))
    whens = [when for _, _, when in page.items]
    if len(set(whens)) != len(whens):
        raise ValueError(f"feed page {page.docs[0][1]}: two entries share an instant")
    stand_in = _stand_in(options.tz)
    atom_in, rss_in, json_in = _spellings(stand_in)
    early = any(when.year < _feedgen.RFC822_EARLIEST_YEAR for when in whens)
    uses_dc = early or any(b"<dc:" in record[1] for record in records)
    # (dated as the earliest entry: before 1900, its RSS item shows how this document spells a dc:date)
    earliest = min(whens)
    stub = Entry(id="tag:pressout,2000:stand-in", title="stand-in", link=options.base_url, published=earliest,
                 updated=earliest, content_html="stand-in", summary="stand-in",
                 authors=("stand-in",) if uses_dc else ())
    for role, path, head in page.docs:
        if any(when > head.updated for when in whens):
            raise ValueError(f"feed {head.self_url}: an entry is newer than the feed")
        if role == "atom":
            document = _feedgen.atom_document(head, [stub], checked=True)
            first = document.index(_ENTRY) + 1
            parts = [document[:first]]
            for record, when in zip(records, whens, strict=True):
                spelt = when.isoformat().encode()
                piece = record[0].replace(b"<updated>" + atom_in + b"</updated>", b"<updated>" + spelt + b"</updated>", 1)
                piece = piece.replace(b"<published>" + atom_in + b"</published>",
                                      b"<published>" + spelt + b"</published>", 1)
                if record[3] is not None and record[3] != head.language:
                    piece = piece.replace(b"<entry>", b'<entry xml:lang="' + record[3].encode() + b'">', 1)
                parts.append(piece)
            parts.append(_FEED_END)
        elif role == "rss":
            document = _feedgen.rss_document(head, [stub], checked=True)
            first = document.index(_ITEM) + 1
            parts = [document[:first]]
            dc_date = b"<dc:date>"
            if early:
                at = document.index(b"<dc:date", first)
                dc_date = document[at: document.index(b">", at) + 1]
            for record, when in zip(records, whens, strict=True):
                piece = record[1]
                rfc = _feedgen.rfc822_date(when)
                if rfc is not None:
                    piece = piece.replace(b"<pubDate>" + rss_in + b"</pubDate>", b"<pubDate>" + rfc.encode() + b"</pubDate>", 1)
                else:
                    piece = piece.replace(b"<pubDate>" + rss_in + b"</pubDate>",
                                          dc_date + when.isoformat().encode() + b"</dc:date>", 1)
                parts.append(piece)
            parts.append(_CHANNEL_END)
        else:
            document = _json_document(head, [stub], checked=True)
            at = document.rindex(_ITEMS) + len(_ITEMS)
            items = []
            for record, when in zip(records, whens, strict=True):
                spelt = when.isoformat().encode()
                item = record[2].replace(b'"date_published": "' + json_in + b'"', b'"date_published": "' + spelt + b'"', 1)
                item = item.replace(b'"date_modified": "' + json_in + b'"', b'"date_modified": "' + spelt + b'"', 1)
                items.append(b"    " + item)
            parts = [document[:at], b"\n", b",\n".join(items), _ITEMS_END]
        yield role, path, b"".join(parts)
