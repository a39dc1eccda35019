"""Benchmark gathering: a build of N per-article files against a build of the same articles
as page dumps, per article.

    python benchmarks/bench_gather.py                 # N = 1000 articles, 25 a day, 5 a page
    python benchmarks/bench_gather.py --articles 1000 --jobs 2 --repeat 3

The articles are the seeds' (``seeds/``), read once and written again, round-robin, as
the two kinds of dump a desk or a crawler writes:

* **article files**: ``YYYYMMDD-PP-NN.txt`` (People's Daily's per-article crawl), 25 a day,
  5 items a page; ``[build] group = "auto"`` gathers each day's files into one issue, so
  the build makes N / 25 EPUBs;
* **page dumps**: the same articles 5 a page, one page a file with its own date (as
  ``benchmarks/synth.py`` dates its pages), so the build makes N / 5 EPUBs.

Each full build runs in a fresh ``pressout build`` process (after ``sync``, the best of
``--repeat``); the result is the seconds per article of each and their ratio (issue 14 asks
that gathering keep the build's speed per article within 1.2× of page dumps: both are
divided by the N articles written, the same text; the reader may make more or fewer of a
synthetic page, whose headlines it cannot always tell from subheads). Then one
article file is added to a day and the incremental build timed: only that day is made again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PER_DAY, PER_PAGE = 25, 5


def _articles() -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of every seed article with a headline."""
    sys.path.insert(0, str(ROOT))
    from pressout.read import read_page

    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for article in read_page(path).articles:
            paragraphs = [p.text for p in article.paragraphs]
            if article.title and paragraphs:
                out.append((article.title, paragraphs))
    return out


def _text(title: str, paragraphs: list[str]) -> str:
    return title + "\n" + "".join(f"\u3000\u3000{p}\n" for p in paragraphs)


def write_archives(n: int, work: Path) -> tuple[Path, Path]:
    articles = _articles()
    start = dt.date(2019, 1, 1)
    per_article, pages = work / "articles", work / "pages"
    for folder in (per_article, pages):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "issues.toml").write_text('[defaults]\npublication = "示例日报"\npublication_slug = "slrb"\n',
                                            encoding="utf-8")
    page_text: list[str] = []
    for k in range(n):
        title, paragraphs = articles[k % len(articles)]
        title = f"{title}（{k + 1}）"  # every headline its own
        day, rest = divmod(k, PER_DAY)
        page, item = divmod(rest, PER_PAGE)
        date = start + dt.timedelta(days=day)
        name = f"{date:%Y%m%d}-{page + 1:02d}-{item + 1:02d}.txt"
        (per_article / name).write_text(_text(title, paragraphs), encoding="utf-8")
        page_text.append("\n\n".join([title, *paragraphs]))  # (the seeds' layout: blank lines between)
        if len(page_text) == PER_PAGE:
            dated = start + dt.timedelta(days=k // PER_PAGE)
            (pages / f"slrb_{dated:%Y%m%d}.txt").write_text("\n\n\n".join(page_text) + "\n", encoding="utf-8")
            page_text = []
    return per_article, pages


def timed_build(source: Path, out: Path, jobs: int) -> tuple[float, dict[str, object]]:
    os.sync()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pressout", "build", str(source), "-o", str(out), "-j", str(jobs),
                           "--json"], capture_output=True, text=True, check=True, cwd=source.parent)
    return time.perf_counter() - started, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work", help="folder for the archives and outputs (default: a temporary one)")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pressout-gather-"))
    try:
        per_article, pages = write_archives(args.articles, work)
        results: dict[str, dict[str, float | int]] = {}
        for label, source in (("article files", per_article), ("page dumps", pages)):
            best = None
            for _ in range(args.repeat):
                out = work / f"out-{source.name}"
                shutil.rmtree(out, ignore_errors=True)
                seconds, report = timed_build(source, out, args.jobs)
                if best is None or seconds < best[0]:
                    best = (seconds, report)
            assert best is not None
            seconds, report = best
            results[label] = {"seconds": seconds, "issues": int(report["issues"]),  # type: ignore[call-overload]
                              "articles": int(report["articles"]),  # type: ignore[call-overload]
                              "ms_per_article": 1000 * seconds / args.articles}
        last = sorted(per_article.glob("*.txt"))[-1]
        extra = per_article / (last.stem[:-2] + f"{int(last.stem[-2:]) + 1:02d}.txt")
        extra.write_text(_text("新增一篇", ["这是新加入当天的一篇稿件。"]), encoding="utf-8")
        seconds, report = timed_build(per_article, work / "out-articles", args.jobs)
        results["add one article file"] = {"seconds": seconds, "rebuilt": int(report["rebuilt"]),  # type: ignore[call-overload]
                                           "reused": int(report["reused"])}  # type: ignore[call-overload]
        ratio = results["article files"]["ms_per_article"] / results["page dumps"]["ms_per_article"]
        print(f"{'':22}{'s':>8}{'issues':>8}{'read as':>10}{'ms/article':>12}")
        for label in ("article files", "page dumps"):
            r = results[label]
            print(f"{label:22}{r['seconds']:8.2f}{r['issues']:8}{r['articles']:10}{r['ms_per_article']:12.2f}")
        print(f"ratio (article files / page dumps, per article): {ratio:.2f}")
        add = results["add one article file"]
        print(f"add one article file: {add['seconds']:.2f} s, {add['rebuilt']} rebuilt, {add['reused']} unchanged")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
