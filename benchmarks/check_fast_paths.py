"""Check the build's quick ways against the plain ones they stand for, on many inputs.

    python benchmarks/check_fast_paths.py            # about 20 s; exits 1 on a difference

Each quick way must give the same bytes as the plain one (see the README's performance
section): the covers' glyph cache and PNG writer (``cover._Glyphs``, ``cover._Template``)
against Pillow's ``draw.text`` and PNG of the same cover, on the synthetic archive's issues
and on headlines of random characters (Latin with kerning pairs, combining marks, emoji,
astral ideographs, tabs); the search index's folding (``search.fold``) against NFKC and
case folding, for every code point alone and beside full-width punctuation and combining
marks; its pairs as numbers (``search._pair_codes``) against ``search._keys``; an
issue's web page made with its neighbours from the page made without them
(``SiteExporter.rebound``) against the page made with them; and the feed pieces' entries
built without feedgen (``_feedgen.atom_entries``, ``rss_items``) against those cut from
feedgen's documents, for the synthetic archive's and the evaluation corpus's issues and
for entries of random text (markup, entities, control-free odd characters, other languages).
"""

from __future__ import annotations

import random
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def covers(rng: random.Random, problems: list[str]) -> int:
    import synth

    from pressout.export import cover
    from pressout.model import Kind
    from pressout.read import IssueMeta, read_text

    if not cover.available():
        print("covers: no CJK font or Pillow here, not checked")
        return 0
    path = cover.find_font()
    assert path is not None
    issues = [read_text(text, meta=IssueMeta(date=date, page=page))
              for _, text, date, page, _ in synth.page_texts(150, 7)]
    pool = (list("中华人民共和国北京上海报道记者新闻發展經濟社會文化") + list("AVToWaYoLT.,;:!?-—()“”‘’《》、。，0123456789")
            + ["\u0301", "\u0308", "😀", "𠀀", "ﬁ", "Ａ", "…", " ", "\t", "\u3000", "é", "ß", "Ж", "ع"])
    for n in range(150):
        articles = tuple(replace(a, title="".join(rng.choice(pool) for _ in range(rng.randint(1, 40))),
                                 kind=Kind.ARTICLE) for a in issues[n].articles[:5])
        issues.append(replace(issues[n], id=f"random-{n}", articles=articles,
                              language=rng.choice(["zh-CN", "zh-TW", "zh-HK"]),
                              publication=rng.choice(["太原日报", "信報", "The Paper", "人民日报海外版特刊"])))
    for issue in issues:
        masthead, date, leads = cover._lines(issue)
        face = cover._face(issue.language)
        plain = cover._draw(path, masthead, date, tuple(leads), face, fast=False)
        quick = cover._draw(path, masthead, date, tuple(leads), face, fast=True)
        if quick.tobytes() != plain.tobytes():
            problems.append(f"cover of {issue.id}: the glyph cache draws other pixels")
        png = cover._quick_png(path, masthead, face, plain)
        if png is not None and png != cover._png(plain):
            problems.append(f"cover of {issue.id}: the PNG writer writes other bytes than Pillow")
    return len(issues)


def folding(rng: random.Random, problems: list[str]) -> int:
    from pressout.export.search import _WIDE, fold

    count = 0
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        for text in (char, char + "，", "，" + char, char + "\u0301", "…" + char + "\u0308"):
            count += 1
            if fold(text) != unicodedata.normalize("NFKC", text).casefold():
                problems.append(f"fold({text!r}) is not NFKC and case folding")
    pool = ([wide for wide, _ in _WIDE] + ["\u0301", "\u0308", "\u3099", "\u1161", "\u11a8", "가", "ᄀ", "中"]
            + [chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0xFF00, 0xFF70)])
    for _ in range(100_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        count += 1
        if fold(text) != unicodedata.normalize("NFKC", text).casefold():
            problems.append(f"fold({text!r}) is not NFKC and case folding")
    return count


def pairs(rng: random.Random, problems: list[str]) -> int:
    from pressout.export.search import _END, _keys, _pair_codes, _runs

    pool = list("中国北京大学报道ab1") + ["😀", "𠀀", _END, "\u0301"]
    for n in range(20_000):
        runs = _runs(["".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))]) if n % 2 else \
            "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        keys = {chr(code & 0xFFFFFFFF) + chr(code >> 32) for code in _pair_codes(runs)}
        if keys != _keys(runs):
            problems.append(f"_pair_codes({runs!r}) are not the pairs of _keys")
    return 20_000


def neighbours(problems: list[str]) -> int:
    from pressout.config import Config
    from pressout.export.feed import SiteOptions
    from pressout.export.registry import Settings
    from pressout.export.site import EXPORTER, ISSUE_PAGE
    from pressout.read import read_page

    issues = [read_page(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    settings = Settings(Config(), {}, SiteOptions())
    values = EXPORTER.bounds(issues, settings)
    for issue, value in zip(issues, values, strict=True):
        made = {f"epub/{issue.id}.epub": 12345}
        alone = EXPORTER.bounds([issue], settings)[0]
        first = dict(EXPORTER.issue_outputs(issue, settings, made, alone))
        final = dict(EXPORTER.issue_outputs(issue, settings, made, value))
        patched = EXPORTER.rebound(issue.id, alone, value, first.__getitem__)
        if patched != [(ISSUE_PAGE.format(id=issue.id), final[ISSUE_PAGE.format(id=issue.id)])]:
            problems.append(f"the page of {issue.id} made with its neighbours from itself differs")
    return len(issues)


def entries(rng: random.Random, problems: list[str]) -> int:
    import synth

    from pressout.export import _feedgen as fg
    from pressout.export import feed_pieces
    from pressout.export.feed import SiteOptions, _article_entry, issue_language
    from pressout.read import IssueMeta, read_page, read_text

    options = SiteOptions()
    issues = [read_text(text, meta=IssueMeta(date=date, page=page))
              for _, text, date, page, _ in synth.page_texts(150, 7)]
    issues += [read_page(str(p)) for p in sorted((ROOT / "tests" / "corpus" / "files").rglob("*"))
               if p.is_file() and p.suffix != ".toml"]
    stand_in = feed_pieces._stand_in(options.tz)
    pool = list("中华人民共和國報道<>&\"'; /?=#%“”‘’《》、。，\n\t éßЖع😀𠀀ﬁＡ…") + ["&amp;", "<b>", "]]>", "&#10;"]
    count = 0
    for n, issue in enumerate(issues):
        language = issue_language(issue)
        batch = [_article_entry(options, issue, article, stand_in) for article in issue.articles[:50]]
        if n % 3 == 0:  # the same entries with random text, authors and categories
            def text(low: int = 1) -> str:
                return "".join(rng.choice(pool) for _ in range(rng.randint(low, 30))).strip() or "x"

            batch = [replace(e, title=text(), summary=text(), content_html=text(), authors=(text(), text()),
                             contributors=(text(),), categories=(fg.Category(text(), text(), "https://example.org/"
                                                                             + text()),),
                             language=rng.choice([None, "zh-HK", "en", language])) for e in batch]
        if not batch or not fg.plain_entries(batch):
            continue
        head = fg.Head(id="tag:example.org,2000:check", title="t", subtitle="s", site_url=options.base_url,
                       self_url=options.url("atom.xml"), updated=stand_in, author="a", language=language)
        count += len(batch)
        if (fg.atom_entries(language, batch), fg.rss_items(batch)) != feed_pieces._slow(head, batch):
            problems.append(f"feed entries of {issue.id}{' (random text)' if n % 3 == 0 else ''}: "
                            "built without feedgen, other bytes")
    return count


def main() -> int:
    rng = random.Random(20240607)
    problems: list[str] = []
    for name, check in (("covers", lambda: covers(rng, problems)), ("folding", lambda: folding(rng, problems)),
                        ("pairs", lambda: pairs(rng, problems)), ("neighbours", lambda: neighbours(problems)),
                        ("feed entries", lambda: entries(rng, problems))):
        print(f"{name}: {check()} cases")
    for problem in problems[:20]:
        print(problem)
    print(f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
