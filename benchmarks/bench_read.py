"""Benchmark the page reader: seed pages per second, and one 10 MB page (time and peak memory).

    python benchmarks/bench_read.py            # prints a table; --json for machine output

Targets (issue "The article model and the newspaper-page reader"): the five seeds parse in
under 50 ms in one process after import; a 10 MB page in under 2 s with memory under 200 MB.
The 10 MB page is built from the seeds' own text, repeated, in a child process so that its
peak RSS is measured alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def seeds_once() -> float:
    from pressout.read import read_page

    start = time.perf_counter()
    for path in SEEDS:
        read_page(path)
    return time.perf_counter() - start


def big_page_child(megabytes: int) -> None:
    """Run in a child: build a page of ``megabytes`` MB from the seeds and read it."""
    from pressout.read import IssueMeta, read_bytes

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    data = text.encode("utf-8")
    data = (data + b"\n\n") * (megabytes * 1024 * 1024 // len(data) + 1)
    data = data[: megabytes * 1024 * 1024]
    data = data[: data.rfind(b"\n")]  # end on a whole line
    start = time.perf_counter()
    issue = read_bytes(data, source="big.txt", meta=IssueMeta())
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bytes": len(data), "seconds": elapsed, "peak_rss_mb": peak_mb,
                      "articles": len(issue.articles)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=10)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        big_page_child(args.child)
        return

    import_start = time.perf_counter()
    import pressout.read.page  # noqa: F401  (the reader itself; the package is lazy)

    import_s = time.perf_counter() - import_start
    seeds_once()  # warm: first-use costs (regex compilation) are not per page
    runs = [seeds_once() for _ in range(args.repeat)]
    best, median = min(runs), sorted(runs)[len(runs) // 2]
    child = subprocess.run([sys.executable, __file__, "--child", str(args.megabytes)],
                           capture_output=True, text=True, check=True)
    big = json.loads(child.stdout)
    result = {
        "import_s": import_s,
        "seeds_ms_best": best * 1000,
        "seeds_ms_median": median * 1000,
        "pages_per_s": len(SEEDS) / median,
        "big_page": big,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"import pressout.read.page   {import_s * 1000:8.1f} ms")
    print(f"5 seed pages (median)       {median * 1000:8.1f} ms   target < 50 ms")
    print(f"5 seed pages (best)         {best * 1000:8.1f} ms")
    print(f"pages per second            {result['pages_per_s']:8.0f}")
    print(f"{big['bytes'] / 1e6:.1f} MB page                {big['seconds']:8.2f} s    target < 2 s "
          f"({big['articles']} articles)")
    print(f"  peak RSS                  {big['peak_rss_mb']:8.0f} MB   target < 200 MB")


if __name__ == "__main__":
    main()
