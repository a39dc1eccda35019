"""``pressout serve``: the output folder over HTTP on 127.0.0.1, with the right media types.

Feed readers and e-reader apps decide what a file is by its Content-Type, and Python's
``http.server`` would send feeds as ``application/xml`` or ``application/octet-stream``.
This server sends Atom, RSS, JSON Feed, EPUB and TEI with their registered types and
``charset=utf-8`` for text, refuses the build cache (dot folders), and binds to loopback
only: it is for trying a build locally, not for publishing.
"""

from __future__ import annotations

import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from .errors import InputError, OutputError

__all__ = ["MEDIA_TYPES", "make_server", "media_type"]

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".epub": "application/epub+zip",
    ".txt": "text/plain; charset=utf-8",
}
_FEED_TYPES = {"atom": "application/atom+xml", "editions": "application/atom+xml",
               "rss": "application/rss+xml", "editions-rss": "application/rss+xml"}


def media_type(path: str) -> str:
    """The Content-Type for a file of the build, by its name and place in the layout."""
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

    def send_head(self):  # type: ignore[override]
        # Decode first: /%2Epressout/ is /.pressout/ to translate_path, so it must be to us.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if any(part.startswith(".") for part in path.replace("\\", "/").split("/") if part):
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def make_server(directory: str | os.PathLike[str], port: int = 8000, *, quiet: bool = False) -> ThreadingHTTPServer:
    """A server for ``directory`` on 127.0.0.1:``port`` (0 picks a free port)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError("no such folder to serve (run `pressout build` first)", path=root)
    handler = functools.partial(_Handler, directory=str(root))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise OutputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    server.quiet = quiet  # type: ignore[attr-defined]
    return server
