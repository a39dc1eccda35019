"""Benchmark of the EPUB exporter: the five seed pages to ten EPUB files, in one process.

    python benchmarks/bench_epub.py [--repeat 20]

The target (issue 3) is under 0.25 s for all five after import, i.e. faster per page
than pandoc (about 0.05 s a page here). Printed: the first run (cold caches: style
sheets, ebooklib's lazy set-up), then the median and best of the repeats, both for
read + write (what ``pressout epub`` does) and for write alone (from ready models).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressout.export.epub import write_epub  # noqa: E402
from pressout.read import read_page  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
TARGET = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--vertical", action="store_true", help="also build the vertical editions")
    args = parser.parse_args()
    modes = (False, True) if args.vertical else (False,)

    with tempfile.TemporaryDirectory() as out:

        def read_and_write() -> None:
            for seed in SEEDS:
                issue = read_page(seed)
                for vertical in modes:
                    write_epub(issue, out, vertical=vertical)

        issues = [read_page(seed) for seed in SEEDS]

        def write_only() -> None:
            for issue in issues:
                for vertical in modes:
                    write_epub(issue, out, vertical=vertical)

        first = _time(read_and_write)
        full = [_time(read_and_write) for _ in range(args.repeat)]
        write = [_time(write_only) for _ in range(args.repeat)]
        books = len(list(Path(out).glob("*.epub")))

    label = "horizontal + vertical" if args.vertical else "horizontal"
    print(f"{len(SEEDS)} seed pages -> {books} EPUBs ({label}), {args.repeat} repeats")
    print(f"  first run, read + write : {first:.3f} s")
    print(f"  read + write            : median {statistics.median(full):.3f} s, best {min(full):.3f} s")
    print(f"  write only              : median {statistics.median(write):.3f} s, best {min(write):.3f} s")
    verdict = "ok" if statistics.median(full) < TARGET else "TOO SLOW"
    print(f"  target < {TARGET} s for all five: {verdict}")


def _time(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
