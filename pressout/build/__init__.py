"""``pressout build``: pages → EPUBs, feeds, web edition and TEI archive, in one folder.

The package: ``sources`` (finding pages, knowing them by their bytes), ``cache`` (the
manifest, the heads, the keys), ``work`` (what runs on the executor: a page's outputs, the
archive jobs), ``executor`` (the local worker pool, or Dask), ``files`` (writing, linking,
the swap) and ``run`` (the build itself). It knows no output format by name: each is an
``Exporter`` of ``pressout.export.registry``, and the layout below is what the built-in
ones make.

Layout of the output folder (it is also the web root that ``pressout serve`` serves)::

    index.html, years/…, issues/…        the web edition (pressout.export.site)
    atom.xml, rss.xml, feed.json,
    editions.xml, editions-rss.xml,
    archive/…                            the feeds (pressout.export.feed)
    epub/{issue}.epub, {issue}-vertical.epub
    tei/{issue}.xml, tei/corpus.xml      the TEI archive (pressout.export.tei)
    .pressout/                           the build cache: one model per issue (models/) and
                                         the feeds' pieces of it (pieces/feeds/), the manifest
                                         and issues.json (what every output was made from),
                                         and spare/, the previous build (see below)

Guarantees:

* **Never half-written.** A build writes into a staging folder beside the output and puts
  the finished output in place with renames; an error, a crash or Ctrl-C leaves the
  previous output as it was.
* **Incremental.** A page whose bytes, metadata, configuration and pressout code (a digest
  of its files: ``cache.code_digest``) are unchanged is not read again, and nothing made
  from it alone is made again: its EPUBs, TEI file, web pages, corpus fragment and feed
  pieces are the previous build's. The front page, the
  year pages and the corpus are assembled anew (the corpus from the issues' fragments, see
  ``pressout.export.tei``); a feed document is made again only when its entries or links
  change (archive pages fill from the oldest, so a full one never does), an issue's web
  pages only when the site's title changes. When nothing at all changed, nothing is
  written. ``force=True`` rebuilds everything.
* **Parallel and deterministic.** Pages are read and their own outputs (EPUBs, TEI file,
  web pages, corpus fragment, the feed entries of its articles) made in ``jobs`` worker processes (or on a Dask cluster:
  ``executor``, see ``pressout.build.executor``), which then make the feed documents; the
  result is byte-identical for every number of jobs and every executor.
* **One bad page is not the end.** A page that cannot be read is reported; the others are
  built; its outputs from the last good build are kept; ``BuildReport.failures`` lists it
  and the CLI exits with code 1 (partial failure). Of two pages with the same issue id,
  the first (in source order) is built and the second is such a failure.
* **Errors are one line.** A missing source, a folder without pages or an output folder
  that cannot be written is a ``PressoutError`` (InputError, OutputError) naming the path;
  an operating-system error while writing becomes an OutputError naming the output file.
  A bad value in ``issues.toml`` concerns every page: it stops the build (ConfigError).

``[build] styles`` in pressout.toml names a folder whose ``*.css`` files replace the shipped
style sheets of the same name, in the web edition and in the EPUBs (``article.css`` is shared
by both; ``epub.css``/``vertical.css`` are the EPUB's, ``site.css`` the web's); their bytes
are part of the cache key.

Outputs deleted by hand are noticed (the manifest says what every output is) and rebuilt;
outputs *edited* by hand are not: use ``force=True``. Hidden files (names starting with
``.``, such as editors' backups) in a source folder are not pages.

**Two generations.** An archive of 10,000 pages is some 120,000 files, and on an ordinary
file system linking each of them into a new folder and deleting the old folder costs
seconds, more than an incremental build's work. So the previous output is kept as
``.pressout/spare`` (most of its files hard links to the output's), and an incremental
build brings that spare up to date instead of making a new tree: while it runs it writes
only what is new into the staging folder; at the end, with Ctrl-C and SIGTERM held back,
it renames the new files into the spare, links there what the build before it changed,
removes what is gone, swaps the spare in for the output and keeps the old output as the
next spare. Files are never changed in place (they may be hard links shared by the two
generations): a file is only ever created, renamed or unlinked. Without a usable spare
(``force``, a changed configuration) the staging folder becomes the whole new output,
unchanged files hard-linked into it. A build that leaves no previous output to become the
spare (the first build of a folder) makes one of hard links to its own output, so that the
next build, the first to add a page, already finds one. A file added by hand to the output
is the user's and is kept (carried into each new generation, see ``pressout.outdir``).

**Safety** (``pressout.outdir``): a build writes only into a folder that is absent, empty or
a pressout output, never where the sources, the configuration, the current or the home
folder are; it holds the output's lock (``.pressout/lock``) throughout; a page that is not a
regular file or is larger than ``[build] max_page_bytes`` is a failure of that page; a bug
while building one page fails that page only (its traceback goes to a crash log); worker
processes die with the build and leave Ctrl-C and SIGTERM to it.

A build killed outright (SIGKILL, power loss) can leave a ``.{out}.staging-{pid}`` or
``.{out}.next-{pid}`` folder beside the output; the next build removes it (and puts back
``.{out}.old-{pid}`` if the kill came between the swap's renames), making folders in it
writable where it must (a folder made read-only by hand). A spare that cannot be brought
up to date (such a folder, for a user who is not root) is dropped and the build made
again without it.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .cache import output_files
from .run import BuildReport, Failure, Progress, build
from .sources import PAGE_SUFFIXES, find_pages, is_tei

__all__ = ["PAGE_SUFFIXES", "BuildReport", "Failure", "Progress", "build", "find_pages", "is_tei", "output_files"]


class _CallableModule(types.ModuleType):
    """``pressout.build`` is both this package and the function ``build`` (the public API
    says ``pressout.build(sources, out_dir)``; importing the package makes the name the
    package's): calling the package calls ``build``."""

    def __call__(self, *args: Any, **kwargs: Any) -> BuildReport:
        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
