"""``pressout serve``: the output folder over HTTP on 127.0.0.1, with the right media types.

Feed readers and e-reader apps decide what a file is by its Content-Type, and Python's
``http.server`` would send feeds as ``application/xml`` or ``application/octet-stream``.
This server sends Atom, RSS, JSON Feed, EPUB and TEI with their registered types and
``charset=utf-8`` for text, refuses the build cache (dot folders), and binds to loopback
only: it is for trying a build locally, not for publishing. A folder is answered with its
``index.html`` where it has one (the front page, an issue's page), and otherwise with a
page of its own (``folder_index``: its folders and files with their sizes, names escaped,
nothing that starts with a dot), not ``http.server``'s bare listing.

No request path makes it print a traceback or reach outside the folder: a path whose
decoded form holds a control character (``/%00``, ``/index.html%00``, ``%0A`` …) is
answered 400; dot segments (``/%2e%2e/``, ``/..%2f``) are dropped or refused with 404;
invalid or non-UTF-8 percent-encoding and over-long names are just files not found (404),
and a request line over 64 KiB is 414. A request that fails for any other reason is told
on one line (nothing with ``quiet``), and a client that hangs up mid-answer is not told
at all.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import sys
import unicodedata
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from .errors import InputError, OutputError

__all__ = ["MEDIA_TYPES", "folder_index", "make_server", "media_type"]

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".epub": "application/epub+zip",
    ".png": "image/png",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
# Control characters: no file of a build has one in its name, and NUL makes open() raise.
_CONTROL = "[\x00-\x1f\x7f-\x9f]"
FAVICON = "favicon.svg"  # the site's icon (pressout.export.site.FAVICON)
_FEED_TYPES = {"atom": "application/atom+xml", "editions": "application/atom+xml",
               "rss": "application/rss+xml", "editions-rss": "application/rss+xml"}


def media_type(path: str) -> str:
    """The Content-Type for a file of the build, by its name and place in the layout."""
    from .export.opds import catalog_media_type

    catalog = catalog_media_type(path)  # OPDS: the catalog's types, which e-readers go by
    if catalog is not None:
        return catalog + ("; charset=utf-8" if "charset" not in catalog else "")
    name = Path(path).name
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        if "/tei/" in f"/{path}" or name == "corpus.xml":
            return "application/tei+xml; charset=utf-8"
        stem = Path(name).stem
        kind = stem.rsplit("-", 1)[0] if stem.rsplit("-", 1)[-1].isdigit() else stem  # archive/atom-3
        return _FEED_TYPES.get(kind, "application/xml") + "; charset=utf-8"
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


class _Handler(SimpleHTTPRequestHandler):
    server_version = "pressout"

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return media_type(os.path.relpath(os.fspath(path), self.directory).replace(os.sep, "/"))

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        # Decode first: /%2Epressout/ is /.pressout/ to translate_path, so it must be to us.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if re.search(_CONTROL, path):
            self.send_error(400, None, "The path holds a control character.")
            return None
        if any(part.startswith(".") for part in path.replace("\\", "/").split("/") if part):
            self.send_error(404, "Not found")
            return None
        made = _catalog_answer(Path(str(self.directory)), path, self.path, self.headers.get("Host"))
        if made is not None:
            status, media, data = made
            if status != 200:
                self.send_error(status, "Not found")
                return None
            self.send_response(200)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return io.BytesIO(data)
        try:
            return super().send_head()
        except (OSError, ValueError):  # a name the file system cannot take (too long, …)
            self.send_error(404, "Not found")
            return None

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """A folder without an ``index.html`` (one with it is answered with it): a page of
        its folders and files, with their sizes, instead of ``http.server``'s bare listing;
        nothing that starts with a dot (the build cache)."""
        shown = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        try:
            data = folder_index(Path(path), shown, icon=(Path(str(self.directory)) / FAVICON).is_file())
        except OSError:
            self.send_error(404, "Not found")
            return None
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


# --- a folder's own page -----------------------------------------------------------------


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _shown_name(name: str) -> str:
    """A file's name as the page shows it: bytes that are no UTF-8 and control characters
    (which no XML page may hold) as U+FFFD, the rest escaped."""
    from html import escape

    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return escape(re.sub(_CONTROL, "\ufffd", text), quote=True)


def folder_index(folder: Path, shown: str, *, icon: bool = False) -> bytes:
    """The page ``pressout serve`` answers a folder of the build with that has no
    ``index.html``: its folders, then its files, by name, each linked, the files with
    their sizes; what starts with a dot is left out. ``shown``: the folder's path in the
    site (``/epub/``); ``icon``: the site has its icon (``/favicon.svg``). Well-formed
    XHTML in UTF-8, every name escaped."""
    from html import escape

    folders: list[tuple[str, str, str]] = []
    files: list[tuple[str, str, str]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            href = quote(entry.name.encode("utf-8", "surrogateescape"))
            try:
                if entry.is_dir():
                    folders.append((entry.name, href + "/", "—"))
                    continue
                size = _size(entry.stat().st_size)
            except OSError:  # a link to nothing, or gone meanwhile
                size = "—"
            files.append((entry.name, href, size))
    rows = [f'<tr><td><a href="{href}">{_shown_name(name)}{"/" if href.endswith("/") else ""}</a></td>'
            f'<td class="size">{size}</td></tr>'
            for name, href, size in sorted(folders) + sorted(files)]
    up = '<p><a href="../">上一级</a></p>\n' if shown.strip("/") else ""
    where = escape(re.sub(_CONTROL, "\ufffd", shown), quote=True)
    head = f'<link rel="icon" href="/{FAVICON}" type="image/svg+xml"/>\n' if icon else ""
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">\n'
        '<head>\n<meta charset="utf-8"/>\n<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{where}</title>\n{head}"
        "<style>body{font-family:sans-serif;max-width:48em;margin:1em auto;padding:0 1em}"
        "td{padding:0.2em 1em 0.2em 0}td.size{text-align:right;white-space:nowrap}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{where}</h1>\n{up}"
        "<table>\n<thead><tr><th>名称</th><th>大小</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows) + ("\n" if rows else "")
        + f"</tbody>\n</table>\n<p>{len(folders)} 个文件夹，{len(files)} 个文件</p>\n</body>\n</html>\n"
    ).encode("utf-8")


# --- the catalog's search (OpenSearch) --------------------------------------------------

OPENSEARCH = "/opds/opensearch.xml"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
SEARCH_LIMIT = 100  # issues a search answers with, newest first
_SEARCHES = {"/opds/search.xml": "xml", "/opds/search.json": "json"}
_ROOTS = {"/opds/root.xml": "xml", "/opds/root.json": "json"}


def _catalog_answer(root: Path, path: str, raw: str, host: str | None) -> tuple[int, str, bytes] | None:
    """What the server makes itself for the OPDS catalog (None: a file of the build): the
    OpenSearch description, the answer to a search over the issues' titles and headlines
    (``/opds/search.xml?q=…``, ``/opds/search.json?q=…``), and the root feeds with the
    search link added. A built site hosted elsewhere has no search, so the built catalog
    does not advertise one; the server that answers searches adds the link."""
    if path != OPENSEARCH and path not in _SEARCHES and path not in _ROOTS:
        return None
    from .export import opds

    base = _catalog_base(root)
    if base is None:
        return 404, "", b""
    if path == OPENSEARCH:
        return 200, f"{OPENSEARCH_TYPE}; charset=utf-8", opensearch_description(base)
    if path in _ROOTS:
        ext = _ROOTS[path]
        data = (root / opds.catalog_path(opds.ROOT, ext)).read_bytes()
        media = opds.NAVIGATION_TYPE if ext == "xml" else opds.OPDS2_TYPE
        return 200, f"{media}; charset=utf-8", _with_search_link(data, base, ext)
    asked = parse_qs(urlsplit(raw).query)
    query = (asked.get("q") or asked.get("query") or [""])[0]  # (OpenSearch's q, OPDS 2's {?query})
    if _SEARCHES[path] == "xml":
        return 200, f"{opds.ACQUISITION_TYPE}; charset=utf-8", search_atom(root, base, query)
    return 200, f"{opds.OPDS2_TYPE}; charset=utf-8", search_json(root, base, query)


def _catalog_base(root: Path) -> str | None:
    """The web root's address as the catalog gives it (its root feed's self link, less
    ``opds/root.xml``); None when the build has no catalog."""
    from .export import opds

    try:
        data = (root / opds.catalog_path(opds.ROOT)).read_bytes()
    except OSError:
        return None
    found = re.search(rb'<link rel="self" href="([^"]+)"', data)
    if found is None:
        return None
    href = found.group(1).decode("utf-8")
    suffix = opds.catalog_path(opds.ROOT)
    return href[: -len(suffix)] if href.endswith(suffix) else None


def opensearch_description(base: str) -> bytes:
    """The OpenSearch 1.1 description of the catalog's search, in both serialisations."""
    from xml.sax.saxutils import quoteattr

    from .export import opds

    urls = "".join(f'  <Url type={quoteattr(media)} template={quoteattr(f"{base}opds/search.{ext}?q={{searchTerms}}")}/>\n'
                   for ext, media in (("xml", opds.ACQUISITION_TYPE), ("json", opds.OPDS2_TYPE)))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
            "  <ShortName>pressout</ShortName>\n"
            "  <Description>按标题和各篇标题查找各期电子版</Description>\n"
            "  <InputEncoding>UTF-8</InputEncoding>\n  <OutputEncoding>UTF-8</OutputEncoding>\n"
            f"{urls}</OpenSearchDescription>\n").encode()


def _with_search_link(data: bytes, base: str, ext: str) -> bytes:
    """The root feed with its search link (OPDS 1.2: the OpenSearch description; OPDS 2: a
    templated link)."""
    from .export import opds

    if ext == "xml":
        link = f'  <link rel="search" href="{base}opds/opensearch.xml" type="{OPENSEARCH_TYPE}"/>\n'.encode()
        at = data.find(b"  <entry>")
        at = at if at >= 0 else data.rfind(b"</feed>")
        return data[:at] + link + data[at:]
    doc = json.loads(data)
    doc["links"].append({"rel": "search", "href": f"{base}opds/search.json{{?query}}", "type": opds.OPDS2_TYPE,
                         "templated": True})
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _matches(query: str, *texts: str | None) -> bool:
    """Every word of the query (split at spaces) in the title or the headlines; an empty
    query matches nothing."""
    words = _fold(query).split()
    haystack = _fold(" ".join(t for t in texts if t))
    return bool(words) and all(word in haystack for word in words)


def _complete_feed(root: Path, ext: str) -> list[Path]:
    """The complete feed's documents, newest first (``all``, then ``all-{k}`` down to 1)."""
    from .export import opds

    folder = root / opds.FOLDER
    older = sorted(folder.glob(f"{opds.ALL}-*.{ext}"), key=lambda p: -int(p.stem.rsplit("-", 1)[1])
                   if p.stem.rsplit("-", 1)[1].isdigit() else 0)
    first = folder / f"{opds.ALL}.{ext}"
    return ([first] if first.is_file() else []) + older


def search_atom(root: Path, base: str, query: str) -> bytes:
    """The issues whose title or headlines hold every word of ``query``, as an OPDS 1.2
    acquisition feed (their entries as the catalog has them), newest first."""
    from xml.sax.saxutils import escape, quoteattr

    from lxml import etree

    from .export import opds

    ns = {"a": opds.ATOM_NS}
    found: list[bytes] = []
    updated = "1970-01-01T00:00:00+00:00"
    language = "zh-CN"
    for path in _complete_feed(root, "xml"):
        feed = etree.parse(str(path)).getroot()
        language = feed.get("{http://www.w3.org/XML/1998/namespace}lang") or language
        updated = max(updated, feed.findtext("a:updated", "", ns))
        for entry in feed.iterfind("a:entry", ns):
            if len(found) < SEARCH_LIMIT and _matches(query, entry.findtext("a:title", "", ns),
                                                       entry.findtext("a:summary", "", ns)):
                found.append(etree.tostring(entry, encoding="utf-8"))
    self_href = f"{base}opds/search.xml?{urlencode({'q': query})}"
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="{opds.ATOM_NS}" xmlns:dc="{opds.DC_NS}" '
            f'xmlns:opds="{opds.OPDS_NS}" xml:lang={quoteattr(language)}>\n'
            f"  <id>{escape(self_href)}</id>\n  <title>{escape('搜索：' + query)}</title>\n"
            f"  <updated>{escape(updated)}</updated>\n  <author><name>pressout</name></author>\n"
            f"  <link rel=\"self\" href={quoteattr(self_href)} type={quoteattr(opds.ACQUISITION_TYPE)}/>\n"
            f"  <link rel=\"start\" href={quoteattr(base + 'opds/root.xml')} type={quoteattr(opds.NAVIGATION_TYPE)}/>\n"
            f"  <link rel=\"search\" href={quoteattr(base + 'opds/opensearch.xml')} type={quoteattr(OPENSEARCH_TYPE)}/>\n")
    return head.encode("utf-8") + b"".join(b"  " + e.strip() + b"\n" for e in found) + b"</feed>\n"


def search_json(root: Path, base: str, query: str) -> bytes:
    """The same search as an OPDS 2.0 feed of publications."""
    from .export import opds

    found: list[Any] = []
    for path in _complete_feed(root, "json"):
        for publication in json.loads(path.read_bytes()).get("publications", []):
            meta = publication.get("metadata", {})
            if len(found) < SEARCH_LIMIT and _matches(query, meta.get("title"), meta.get("description")):
                found.append(publication)
    doc = {"metadata": {"title": f"搜索：{query}", "numberOfItems": len(found)},
           "links": [{"rel": "self", "href": f"{base}opds/search.json?{urlencode({'q': query})}",
                      "type": opds.OPDS2_TYPE},
                     {"rel": "start", "href": f"{base}opds/root.json", "type": opds.OPDS2_TYPE}],
           "publications": found}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class _Server(ThreadingHTTPServer):
    quiet = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line instead of socketserver's traceback; nothing for a client that left."""
        error = sys.exc_info()[1]
        if self.quiet or isinstance(error, ConnectionError | TimeoutError):
            return
        print(f"pressout serve: a request from {client_address[0]} failed: "
              f"{type(error).__name__}: {error}".replace("\n", " "), file=sys.stderr)


def make_server(directory: str | os.PathLike[str], port: int = 8000, *, quiet: bool = False) -> ThreadingHTTPServer:
    """A server for ``directory`` on 127.0.0.1:``port`` (0 picks a free port)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError("no such folder to serve (run `pressout build` first)", path=root)
    handler = functools.partial(_Handler, directory=str(root))
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as exc:
        raise OutputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    server.quiet = quiet
    return server
