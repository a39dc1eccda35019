"""A deterministic synthetic archive: N newspaper pages recombined from the seed pages' articles.

    python benchmarks/synth.py 1000 /tmp/archive        # writes p000001.txt … and issues.toml

The seed pages are read once with pressout's own reader to find where each article starts
(its first headline line, or for an item without a headline its first text line); the raw
text between two starts is one *chunk* (the article with its credits, and any banner that
follows it). Pages are then made by recombining chunks, as raw text, with a seeded RNG:

* layouts: ``seed`` (the chunks of one seed page, reordered and thinned: one paper's
  typography, e.g. Markdown headings or half-width punctuation), ``mixed`` (chunks from
  every seed), ``short`` (1–3 items, a small page) and ``long`` (16–30 items, a big page);
* sizes: from one item to thirty (about 1 KB to 60 KB of text);
* dates: one distinct date per page, in order, with gaps of one to three days, written
  with a page number to ``issues.toml`` beside the pages (as a desk would);

The same ``(n, seed)`` always gives the same bytes, so runs compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
START = dt.date(1990, 1, 1)
LAYOUTS = (("seed", 4), ("mixed", 4), ("short", 1), ("long", 1))


@dataclass(frozen=True, slots=True)
class Chunk:
    seed: int  # index of the seed page it came from
    text: str  # raw lines of the page, as printed (no trailing newline)


def _key(text: str) -> str:
    return "".join(text.split())


def seed_chunks(seed_dir: Path = SEEDS) -> list[list[Chunk]]:
    """The articles of each seed page as raw-text chunks, in page order."""
    from pressout.read import read_page
    from pressout.read.page import page_lines

    out: list[list[Chunk]] = []
    for index, path in enumerate(sorted(seed_dir.glob("*.txt"))):
        raw = path.read_text(encoding="utf-8")
        issue = read_page(path)
        lines, _ = page_lines(raw)
        keyed = [(line.no, _key(line.text)) for line in lines]
        starts: list[int] = []
        after = 0  # line number of the previous article's start
        for article in issue.articles:
            heads = [_key(h) for h in (article.column, article.kicker, article.title) if h]
            first = next((b.text for b in article.body if b.text), "")
            probe = _key(first)[:10]
            found = None
            for no, text in keyed:
                if no <= after or not text:
                    continue
                if heads and any(h.startswith(text) or text.startswith(h) for h in heads):
                    found = no
                    break
                if not heads and probe and probe in text:
                    found = no
                    break
            if found is None:  # cannot place it: leave it inside the previous chunk
                continue
            starts.append(found)
            after = found
        if not starts:
            continue
        starts[0] = 1  # whatever precedes the first article goes with it
        raw_lines = raw.split("\n")
        bounds = [*starts, len(raw_lines) + 1]
        chunks = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            text = "\n".join(raw_lines[a - 1 : b - 1]).strip("\n")
            if text.strip():
                chunks.append(Chunk(index, text))
        out.append(chunks)
    return out


def page_texts(n: int, seed: int = 20240607, seed_dir: Path = SEEDS):
    """Yield ``(file name, text, date, page number, layout)`` for pages 1..n."""
    per_seed = seed_chunks(seed_dir)
    every = [c for chunks in per_seed for c in chunks]
    rng = random.Random(seed)
    names, weights = zip(*LAYOUTS, strict=True)
    date = START
    for i in range(1, n + 1):
        layout = rng.choices(names, weights)[0]
        if layout == "seed":
            chunks = list(rng.choice(per_seed))
            keep = rng.randint(max(1, len(chunks) // 2), len(chunks))
            picked = rng.sample(chunks, keep)
        elif layout == "short":
            picked = rng.sample(every, rng.randint(1, 3))
        elif layout == "long":
            picked = [rng.choice(every) for _ in range(rng.randint(16, 30))]
        else:
            picked = rng.sample(every, rng.randint(4, 14))
        text = "\n\n" + "\n\n".join(c.text for c in picked) + "\n"
        yield f"p{i:06d}.txt", text, date, rng.randint(1, 16), layout
        date += dt.timedelta(days=rng.choice((1, 1, 1, 2, 3)))


def sidecar_entry(name: str, date: dt.date, page: int) -> str:
    return f'\n["{name}"]\ndate = {date.isoformat()}\ndate_cert = "high"\npage = {page}\n'


SIDECAR_HEAD = (
    "# Synthetic archive for benchmarks/bench_build.py (benchmarks/synth.py): pages recombined\n"
    "# from the seed pages' articles. Dates are invented, one per page.\n\n"
    '[defaults]\npublication = "太原日报"\npublication_slug = "tyrb"\n'
)


def make_archive(n: int, folder: str | Path, seed: int = 20240607) -> dict[str, object]:
    """Write ``n`` pages and their ``issues.toml`` into ``folder``; return a summary."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sidecar = [SIDECAR_HEAD]
    size = 0
    layouts: dict[str, int] = {}
    for name, text, date, page, layout in page_texts(n, seed):
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        size += len(data)
        layouts[layout] = layouts.get(layout, 0) + 1
        sidecar.append(sidecar_entry(name, date, page))
    (folder / "issues.toml").write_text("".join(sidecar), encoding="utf-8")
    return {"pages": n, "bytes": size, "layouts": layouts}


def add_page(folder: str | Path, n_existing: int, seed: int = 20240607) -> Path:
    """Add page ``n_existing + 1`` (what ``make_archive(n_existing + 1)`` would have made)
    to an archive of ``n_existing`` pages: the page file and its sidecar entry."""
    folder = Path(folder)
    *_, last = page_texts(n_existing + 1, seed)
    name, text, date, page, _ = last
    (folder / name).write_bytes(text.encode("utf-8"))
    with open(folder / "issues.toml", "a", encoding="utf-8") as sidecar:
        sidecar.write(sidecar_entry(name, date, page))
    return folder / name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(make_archive(args.n, args.folder, args.seed))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
