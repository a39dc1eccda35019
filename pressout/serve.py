"""``pressout serve``: the output folder over HTTP on 127.0.0.1, with the right media types.

Feed readers and e-reader apps decide what a file is by its Content-Type, and Python's
``http.server`` would send feeds as ``application/xml`` or ``application/octet-stream``.
This server sends Atom, RSS, JSON Feed, EPUB and TEI with their registered types and
``charset=utf-8`` for text, refuses the build cache (dot folders), and binds to loopback
only: it is for trying a build locally, not for publishing.

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
import os
import re
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
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
# Control characters: no file of a build has one in its name, and NUL makes open() raise.
_CONTROL = "[\x00-\x1f\x7f-\x9f]"
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

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        # Decode first: /%2Epressout/ is /.pressout/ to translate_path, so it must be to us.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if re.search(_CONTROL, path):
            self.send_error(400, None, "The path holds a control character.")
            return None
        if any(part.startswith(".") for part in path.replace("\\", "/").split("/") if part):
            self.send_error(404, "Not found")
            return None
        try:
            return super().send_head()
        except (OSError, ValueError):  # a name the file system cannot take (too long, …)
            self.send_error(404, "Not found")
            return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


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
