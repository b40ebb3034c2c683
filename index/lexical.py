"""BM25 over a passage's fields (text, its document's title, its section heading) via bm25s.

Each field is its own bm25s index (English stopwords, Snowball stemming), so each keeps its own
statistics: a title is a few words and would be drowned in a passage's length normalisation if it were
pasted into the text. A passage's lexical score is the weighted sum of its fields' BM25 scores (the
per-field fusion of Robertson & Zaragoza's BM25F survey, what Lucene's ``most_fields`` does); the weights
are query-time settings, so they can be tuned without re-indexing. Titles and headings are indexed once
per distinct string and mapped to passage rows. Saved as JSON + .npy, nothing pickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import bm25s
import numpy as np
from groundqa.core.tokenizer import _stemmer, tokenize

LEXICAL_DIR = "bm25"  # the text field (the layout every earlier snapshot has)
FIELDS_FILE = "lexical_fields.json"
FIELDS = ("text", "title", "heading")


def _index(texts: Sequence[str]) -> bm25s.BM25 | None:
    if not texts:
        return None
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False),
                    show_progress=False)
    return retriever


class Field:
    """One bm25s index over distinct strings, and the entry of each passage row (-1: the row has none)."""

    def __init__(self, retriever: bm25s.BM25 | None, rows: np.ndarray | None) -> None:
        self.retriever = retriever
        self.rows = rows  # None: one entry per row, in row order (the text field)
        self.vocab = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(cls, values: Sequence[str | None], *, per_row: bool) -> Field:
        if per_row:
            return cls(_index([v or "" for v in values]), None)
        distinct = list(dict.fromkeys(v for v in values if v and v.strip()))
        position = {v: i for i, v in enumerate(distinct)}
        rows = np.asarray([position.get(v, -1) if v else -1 for v in values], dtype=np.int32)
        return cls(_index(distinct), rows)

    def scores(self, terms: list[str], size: int) -> np.ndarray | None:
        """BM25 of every passage row for the (already tokenised) query terms; None when no term is known."""
        known = [t for t in terms if t in self.vocab]
        if self.retriever is None or not known:
            return None
        scores = self.retriever.get_scores(known)
        if self.rows is None:
            return scores
        return np.append(scores, np.float32(0.0))[self.rows]  # row -1 picks the appended 0


class Lexical:
    def __init__(self, fields: Mapping[str, Field], size: int) -> None:
        self.fields = dict(fields)
        self.size = size

    @property
    def _retriever(self) -> bm25s.BM25 | None:
        """The text field's bm25s index (benchmarks time the library on it directly)."""
        return self.fields["text"].retriever

    @classmethod
    def build(cls, texts: Sequence[str], *, titles: Sequence[str | None] | None = None,
              headings: Sequence[str | None] | None = None) -> Lexical:
        """Fields of passage rows; ``titles``/``headings`` give each row's document title and section heading."""
        fields = {"text": Field.build(texts, per_row=True)}
        for name, values in (("title", titles), ("heading", headings)):
            if values is not None:
                if len(values) != len(texts):
                    raise ValueError(f"{name}s has {len(values)} entries for {len(texts)} passages; give one per "
                                     "passage (None where there is none)")
                fields[name] = Field.build(values, per_row=False)
        return cls(fields, len(texts))

    def save(self, directory: Path) -> None:
        target = directory / LEXICAL_DIR
        target.mkdir()
        listing = {}
        for name, field in self.fields.items():
            folder = target if name == "text" else directory / f"{LEXICAL_DIR}_{name}"
            folder.mkdir(exist_ok=True)
            if field.retriever is not None:
                field.retriever.save(str(folder))
            if field.rows is not None:
                np.save(folder / "rows.npy", field.rows, allow_pickle=False)
            listing[name] = {"folder": folder.name, "empty": field.retriever is None}
        (directory / FIELDS_FILE).write_text(json.dumps({"fields": listing}, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> Lexical:
        """The saved fields; a snapshot from before fields existed has the text field only."""
        listing_path = directory / FIELDS_FILE
        listing = (json.loads(listing_path.read_text(encoding="utf-8"))["fields"] if listing_path.is_file()
                   else {"text": {"folder": LEXICAL_DIR, "empty": size == 0}})
        fields = {}
        for name, entry in listing.items():
            folder = directory / entry["folder"]
            retriever = None if entry["empty"] else bm25s.BM25.load(str(folder), mmap=False)
            rows = np.load(folder / "rows.npy", allow_pickle=False) if name != "text" else None
            fields[name] = Field(retriever, rows)
        return cls(fields, size)

    def field_scores(self, query: str) -> dict[str, np.ndarray]:
        """BM25 per field over every passage row; fields sharing no term with the query are left out."""
        terms = tokenize([query])[0]
        out = {}
        for name, field in self.fields.items():
            scores = field.scores(terms, self.size)
            if scores is not None:
                out[name] = scores
        return out

    def scores(self, query: str, weights: Mapping[str, float]) -> np.ndarray | None:
        """Weighted sum of the fields' BM25 (a field without a weight counts 1); None when nothing matches."""
        total = None
        for name, scores in self.field_scores(query).items():
            weight = weights.get(name, 1.0)
            if weight:
                total = scores * weight if total is None else total + scores * weight
        return total

    def search(self, query: str, k: int, weights: Mapping[str, float] | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) pairs; rows with score 0 (no shared term) are dropped."""
        if self.size == 0 or k <= 0:
            return []
        scores = self.scores(query, weights or {})
        if scores is None:
            return []
        return top_rows(scores, k)


def top_rows(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k highest (row, score) pairs with score > 0, best first (ties by row)."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
