"""The sentence-level index: every passage's sentences as exact source spans, each with its own vector.

Passages are retrieved whole, but a reader wants the sentence that answers: the engine scores a hit's
sentences against the question vector it already has (a dot product over a handful of rows, no second
search) and returns the best one with its span. Sentences shared by two overlapping passages are
embedded once. Saved as .npy arrays (nothing pickled): ``sentence_spans.npy`` (passage row, start, end in
source coordinates), ``sentence_offsets.npy`` (passage row -> its first sentence) and ``sentences.npy``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from groundqa.core.sentences import split_sentences

SPANS_FILE = "sentence_spans.npy"
OFFSETS_FILE = "sentence_offsets.npy"
VECTORS_FILE = "sentences.npy"


def lexical_best(question: str, text: str) -> tuple[int, int] | None:
    """The sentence of ``text`` sharing the most stemmed terms with the question (offsets into text);
    the fallback when a snapshot has no sentence vectors."""
    from groundqa.core.tokenizer import tokenize

    terms = set(tokenize([question])[0])
    best, best_score = None, 0
    for s in split_sentences(text):
        score = len(terms.intersection(tokenize([text[s.start:s.end]])[0]))  # ">" below: ties go to the first
        if score > best_score:
            best, best_score = (s.start, s.end), score
    return best


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embed_sentences(texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dim: int,
                    reuse: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for ``texts``: each distinct text encoded once, vectors of ``reuse`` (by text hash) kept.

    Returns the vectors and how many texts were encoded.
    """
    reuse = reuse or {}
    keys = [text_key(t) for t in texts]
    todo = list(dict.fromkeys(k for k in keys if k not in reuse))
    first = {}
    for k, t in zip(keys, texts, strict=True):
        first.setdefault(k, t)
    fresh = dict(zip(todo, encode([first[k] for k in todo]), strict=True)) if todo else {}
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = fresh[k] if k in fresh else reuse[k]
    return out, len(todo)


def save(directory: Path, spans: np.ndarray, offsets: np.ndarray, vectors: np.ndarray) -> None:
    np.save(directory / SPANS_FILE, spans, allow_pickle=False)
    np.save(directory / OFFSETS_FILE, offsets, allow_pickle=False)
    np.save(directory / VECTORS_FILE, vectors, allow_pickle=False)


@dataclass(frozen=True)
class SentenceIndex:
    spans: np.ndarray
    offsets: np.ndarray
    vectors: np.ndarray

    @classmethod
    def load(cls, directory: Path) -> SentenceIndex | None:
        """The snapshot's sentence index; None for snapshots built without one."""
        if not (directory / VECTORS_FILE).is_file():
            return None
        return cls(spans=np.load(directory / SPANS_FILE, allow_pickle=False),
                   offsets=np.load(directory / OFFSETS_FILE, allow_pickle=False),
                   vectors=np.load(directory / VECTORS_FILE, mmap_mode="r", allow_pickle=False))

    def reusable(self, texts_of: Callable[[int], str]) -> dict[str, np.ndarray]:
        """Vectors by text hash, so a re-ingest embeds only new sentences (``texts_of(i)``: sentence i's text)."""
        return {text_key(texts_of(i)): np.asarray(self.vectors[i]) for i in range(len(self.spans))}

    def best(self, row: int, question: np.ndarray) -> tuple[int, int, float] | None:
        """(start, end, cosine) of passage ``row``'s sentence closest to the question vector."""
        first, last = int(self.offsets[row]), int(self.offsets[row + 1])
        if last <= first:
            return None
        scores = np.asarray(self.vectors[first:last]) @ question
        i = int(np.argmax(scores))
        _, start, end = self.spans[first + i]
        return int(start), int(end), float(scores[i])

    def scores(self, rows: Sequence[int], question: np.ndarray) -> dict[int, float]:
        """The best sentence cosine of each passage row, in one matrix product (rows without sentences are
        left out)."""
        rows = [r for r in rows if self.offsets[r + 1] > self.offsets[r]]
        if not rows:
            return {}
        starts = self.offsets[rows]
        counts = self.offsets[np.asarray(rows) + 1] - starts
        index = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())
        cosines = np.asarray(self.vectors[index]) @ question
        best = np.maximum.reduceat(cosines, np.concatenate(([0], np.cumsum(counts)[:-1])))
        return {int(r): float(b) for r, b in zip(rows, best, strict=True)}
