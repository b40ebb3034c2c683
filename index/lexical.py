"""BM25 via bm25s (English stopwords, Snowball stemming); saved as JSON + .npy, nothing pickled."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

LEXICAL_DIR = "bm25"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False,
                            show_progress=False)
    return [list(t) for t in tokens]


class Lexical:
    def __init__(self, retriever: bm25s.BM25 | None, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        if not texts:
            return cls(None, 0)
        retriever = bm25s.BM25()
        corpus_tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False)
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, directory: Path) -> None:
        target = directory / LEXICAL_DIR
        target.mkdir()
        if self._retriever is not None:
            self._retriever.save(str(target))

    @classmethod
    def load(cls, directory: Path, size: int) -> Lexical:
        if size == 0:
            return cls(None, 0)
        return cls(bm25s.BM25.load(str(directory / LEXICAL_DIR), mmap=False), size)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (row, bm25 score) pairs; rows with score 0 (no shared term) are dropped."""
        if self._retriever is None or k <= 0:
            return []
        vocab = self._retriever.vocab_dict
        terms = [t for t in tokenize([query])[0] if t in vocab]
        if not terms:
            return []
        scores = self._retriever.get_scores(terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
