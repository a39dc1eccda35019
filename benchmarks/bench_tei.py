"""Benchmark of the TEI archive: how fast the seeds are written and read back, and whether
writing a large corpus keeps memory flat (it streams one issue at a time).

    python benchmarks/bench_tei.py [--issues 10000] [--repeat 20]

Memory is measured in child processes, so each starts clean: the peak of Python
allocations (tracemalloc) and, in a separate run, the growth of the peak resident set size
(VmHWM, which also sees libxml2's memory, invisible to tracemalloc) over a warmed-up
process. The corpus is made of the seed models replicated with new ids and dates.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pressout.export.tei import tei_bytes, write_corpus  # noqa: E402
from pressout.read import read_page  # noqa: E402
from pressout.read.tei import read_tei  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

_CHILD = """
import json, sys, time, tracemalloc
sys.path[:0] = [sys.argv[3], sys.argv[3] + "/tests"]
from pathlib import Path
from pressout.export.tei import write_corpus
from pressout.read import read_page
from strategies import replicas

def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

seeds = [read_page(p) for p in sorted(Path(sys.argv[3], "seeds").glob("*.txt"))]
write_corpus(replicas(seeds, 5), sys.argv[2] + ".warm")
trace = sys.argv[4] == "trace"
if trace:
    tracemalloc.start()
rss0 = peak_kib()
start, cpu = time.perf_counter(), time.process_time()
write_corpus(replicas(seeds, int(sys.argv[1])), sys.argv[2])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
if trace:
    print(json.dumps({"py_peak_kib": tracemalloc.get_traced_memory()[1] // 1024}))
else:
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_growth_kib": peak_kib() - rss0}))
"""


def _child(count: int, target: Path, mode: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(count), str(target), str(ROOT), mode],
        capture_output=True, text=True, check=True,
    )
    return json.loads(run.stdout)


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    issues = [read_page(p) for p in SEEDS]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"TEI for the {len(issues)} seeds (median of {args.repeat} runs):")
        for issue in issues:
            data = tei_bytes(issue, keep_breaks=True)
            path = out / f"{issue.id}.xml"
            path.write_bytes(data)
            write_s = _timed(lambda i=issue: tei_bytes(i, keep_breaks=True), args.repeat)
            read_s = _timed(lambda p=path: read_tei(p), args.repeat)
            print(f"  {issue.source:28} {len(data):7,d} bytes  write {write_s * 1e3:6.2f} ms"
                  f"  read {read_s * 1e3:6.2f} ms")
        corpus = out / "seeds.xml"
        total = _timed(lambda: write_corpus(issues, corpus), args.repeat)
        print(f"  corpus of the seeds: {corpus.stat().st_size:,d} bytes in {total * 1e3:.2f} ms")

        print("\nStreamed corpus memory (growth over a warmed-up process):")
        print(f"  {'issues':>7} {'wall s':>7} {'CPU s':>7} {'file MiB':>9} {'tracemalloc peak KiB':>21}"
              f" {'RSS growth KiB':>15}")
        for count in sorted({max(1, args.issues // 10), args.issues}):
            target = out / f"corpus-{count}.xml"
            # Separate runs: tracemalloc's own bookkeeping would inflate the RSS.
            m = _child(count, target, "rss") | _child(count, target, "trace")
            print(f"  {count:7,d} {m['seconds']:7.2f} {m['cpu']:7.2f} {target.stat().st_size / 2**20:9.1f}"
                  f" {m['py_peak_kib']:21,d} {m['rss_growth_kib']:15,d}")
            target.unlink()


if __name__ == "__main__":
    main()
