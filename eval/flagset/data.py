"""The labelled flag sentences with their context, read back from the pages they were drawn from.

Rows (labels/flagset/rows*.jsonl) point into pages by offsets; the pages are read at run time from
../shared/datasets and the seed corpus (eval.flagset.pages), each sentence's hash is checked, and every
sentence is given its zone, its neighbours and its page's signals. Authored pages (labels/flagset/authored.jsonl)
carry their sentences; they are tune-only.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from groundqa.core.paths import labels_dir
from groundqa.core.sentences import split_sentences
from groundqa.credibility.flag_features import PageSignals, SentenceInput, page_signals
from groundqa.eval.flagset.pages import (
    Page,
    medquad_pages,
    readability_pages,
    seed_pages,
    sentence_sha,
    webcred_pages,
)

FLAGSET = labels_dir() / "flagset"


@dataclass(frozen=True)
class Labelled:
    row_id: str
    item: SentenceInput
    page: PageSignals
    site: str
    origin: str
    split: str
    commercial: int
    unverified: int
    publisher_kind: str


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pages(needed: set[tuple[str, str]]) -> dict[tuple[str, str], Page]:
    out = {}
    origins = {o for o, _ in needed}
    readers = {"webcred": webcred_pages, "readability": readability_pages, "medquad": medquad_pages,
               "seed": seed_pages}
    for origin in origins:
        for page in readers[origin]():
            if (page.origin, page.page) in needed:
                out[(page.origin, page.page)] = page
    return out


def labelled_rows(*, extra: bool = True) -> list[Labelled]:
    """Every labelled real-page sentence: rows.jsonl, and unless ``extra`` is False the later draws of tune rows
    (rows_extra*.jsonl, tune sites only)."""
    rows = _read(FLAGSET / "rows.jsonl")
    labels = {r["id"]: r for r in _read(FLAGSET / "labels.jsonl")}
    if extra:
        for suffix in ("extra", "extra2"):
            rows += _read(FLAGSET / f"rows_{suffix}.jsonl")
            labels |= {r["id"]: r for r in _read(FLAGSET / f"labels_{suffix}.jsonl")}
    pages = _pages({(r["origin"], r["page"]) for r in rows})
    by_page: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        by_page[(r["origin"], r["page"])].append(r)
    out: list[Labelled] = []
    for key, page_rows in by_page.items():
        page = pages.get(key)
        if page is None:
            raise FileNotFoundError(f"page {key} of the flag label set is missing; is ../shared/datasets there?")
        spans = [s for s in split_sentences(page.text) if not s.is_heading]
        texts = [page.text[s.start:s.end] for s in spans]
        signals = page_signals(texts, url=page.url)
        index = {s.start: i for i, s in enumerate(spans)}
        for r in page_rows:
            i = index.get(r["start"])
            text = page.text[r["start"]:r["end"]]
            if i is None or sentence_sha(text) != r["sha"]:
                raise ValueError(f"row {r['id']} no longer matches its page (extractor {r['extractor']}); the "
                                 "page reader changed: re-draw the set or pin the reader")
            item = SentenceInput(text, r["zone"], texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "")
            label = labels[r["id"]]
            out.append(Labelled(r["id"], item, signals, r["site"], r["origin"], r["split"], label["commercial"],
                                label["unverified"], signals.publisher_kind))
    return out


def weak_pool(site: str) -> bool:
    """MedQuAD files (one eighth, by hash) whose sentences may be used as weak negatives for training; the
    MedQuAD flag-rate measurement (eval.flags) skips them."""
    return hashlib.sha1(("weak:" + site).encode()).hexdigest()[0] in "01"


def medquad_negatives(*, limit: int = 2000, per_answer: int = 3, test_sites: set[str] = frozenset()
                      ) -> list[Labelled]:
    """Weak negatives: body sentences of MedQuAD answers (NIH text) labelled neither commercial nor unverified,
    with no URL (the publisher unknown, as a user's pasted text). Justified by the labelled set, where all 240
    MedQuAD sentences carry no flag; drawn from ``weak_pool`` files outside the test sites; tune only."""
    out: list[Labelled] = []
    for page in medquad_pages():
        if not weak_pool(page.site) or page.site in test_sites:
            continue
        spans = [s for s in split_sentences(page.text) if not s.is_heading]
        texts = [page.text[s.start:s.end] for s in spans]
        signals = page_signals(texts, url=None)
        for i, text in enumerate(texts[:per_answer]):
            if len(text.split()) < 3:
                continue
            item = SentenceInput(text, "main", texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "")
            out.append(Labelled(f"medquad-weak:{page.page}:{i}", item, signals, f"medquad-weak:{page.site}",
                                "medquad-weak", "tune", 0, 0, signals.publisher_kind))
            if len(out) >= limit:
                return out
    return out


def authored_rows() -> list[Labelled]:
    """The authored training pages (tune only)."""
    rows = _read(FLAGSET / "authored.jsonl")
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    out = []
    for page, items in by_page.items():
        texts = [r["sentence"] for r in items]
        signals = page_signals(texts, url=items[0].get("url"))
        for i, r in enumerate(items):
            item = SentenceInput(r["sentence"], r.get("zone", "main"), texts[i - 1] if i else "",
                                 texts[i + 1] if i + 1 < len(texts) else "")
            out.append(Labelled(f"authored:{page}:{i}", item, signals, f"authored:{page}", "authored", "tune",
                                int(r["commercial"]), int(r["unverified"]), signals.publisher_kind))
    return out
