"""WebSub: tell the hub that the feeds changed (``pressout ping``).

With ``[site] websub_hub`` set, every subscription document names the hub (Atom and RSS
``<link rel="hub">``, JSON Feed ``hubs``; ``pressout.export.feed``), and subscribers' readers
ask it to push them updates. After a build is published (copied to the web server), the
hub must be told which feeds to fetch again: ``pressout ping DIST`` posts
``hub.mode=publish`` and ``hub.url=<feed>`` (the form that pubsubhubbub.appspot.com,
Superfeedr and websub.rocks take; WebSub itself leaves publishing to the hub) for each
subscription document of the build, found by its hub link, with its ``self`` address as
the topic. The same by hand, for one feed::

    curl -d hub.mode=publish --data-urlencode hub.url=https://example.org/atom.xml https://pubsubhubbub.appspot.com/

Every subscription document is pinged, changed or not: the hub fetches each and tells
subscribers only of new entries. The archive pages name no hub (they never change).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from .errors import ConfigError, InputError, OutputError

__all__ = ["TIMEOUT", "ping", "topics"]

ATOM = "{http://www.w3.org/2005/Atom}"
TIMEOUT = 30  # seconds for each of the hub's answers


def _links(path: Path) -> tuple[str | None, str | None]:
    """A feed document's topic (its self address) and hub, None where it names none."""
    if path.suffix == ".json":
        try:
            doc = json.loads(path.read_bytes())
        except ValueError:
            return None, None
        hubs = doc.get("hubs") if isinstance(doc, dict) else None
        hub = next((h.get("url") for h in hubs or () if isinstance(h, dict) and h.get("type") == "WebSub"), None)
        return (doc.get("feed_url"), hub) if isinstance(doc, dict) else (None, None)
    from lxml import etree

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError:
        return None, None
    channel = root.find("channel")
    feed = channel if channel is not None else root  # RSS links are the channel's, Atom's the feed's
    found = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    return found.get("self"), found.get("hub")


def topics(directory: str | Path) -> Iterator[tuple[str, str]]:
    """Each subscription document of the build in ``directory`` that names a hub, as
    ``(topic, hub)``, in file-name order."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError("no such build folder (run `pressout build` first)", path=root)
    from .export.sections import FOLDERS

    for folder in ("", *FOLDERS):  # where the build writes subscription documents (feed, sections)
        for path in sorted((root / folder).glob("*")):
            if path.suffix in (".xml", ".json") and path.is_file():
                topic, hub = _links(path)
                if topic and hub:
                    yield topic, hub


def ping(directory: str | Path, *, send: bool = True) -> list[tuple[str, str]]:
    """Tell each hub of the build's subscription documents that they changed; returns the
    ``(topic, hub)`` pinged (with ``send=False``: that would be). A ConfigError when no
    document names a hub, an OutputError naming the feed when a hub refuses or cannot be
    reached (the feeds before it were pinged)."""
    pairs = list(topics(directory))
    if not pairs:
        raise ConfigError("no feed of this build names a WebSub hub: set [site] websub_hub in pressout.toml "
                          "and build again", path=directory)
    for topic, hub in pairs if send else ():
        if urllib.parse.urlsplit(hub).scheme not in ("http", "https"):
            raise ConfigError(f"the WebSub hub {hub!r} named by the feed {topic} is not an http(s) URL")
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode("ascii")
        request = urllib.request.Request(hub, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise OutputError(f"the WebSub hub {hub} refused {topic}: HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise OutputError(f"cannot reach the WebSub hub {hub} for {topic}: {reason}") from error
    return pairs
