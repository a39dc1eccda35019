"""Stable warning codes: what each ``Diagnostic.code`` means. Codes never change meaning;
a retired code is never reused. The README lists them (a test keeps the two in step)."""

from __future__ import annotations

__all__ = ["WARNINGS"]

WARNINGS: dict[str, str] = {
    "PO101": "the issue date is unknown (no issues.toml entry, front matter or date in the file name)",
    "PO102": "undecodable bytes were replaced by U+FFFD (--errors replace)",
    "PO103": "control characters that XML forbids were removed from the page",
    "PO104": "front matter lines the reader does not use (unknown keys); the warning holds them",
    "PO105": "the publication is unknown: nothing in the file, its metadata, issues.toml or pressout.toml names the paper",
    "PO106": "the file looks like JSON or markup but holds nothing pressout can unwrap into articles; it is read as page text",
    "PO107": "text of the dump that is not the paper's (scaffolding: crawl times, labels, page chrome) was taken out; the warning counts it by rule, the TEI header and the model's removed list hold it",
    "PO201": "no articles were found on the page",
    "PO210": "a paragraph ends mid-sentence right before a new dateline (text may be missing)",
    "PO220": "a credit stands before any article, or right after page furniture; it is kept as page furniture",
    "PO230": "a headline with no text after it is kept as page furniture (banner)",
    "PO301": "an article file's name gives one date and its metadata another; it is gathered into the metadata's day",
    "PO401": "no cover images were made (no CJK font found, or Pillow missing); the EPUBs keep their text cover page",
}
