"""The one word tokenizer: bm25s's English stopwords and Snowball stemming.

BM25 indexes, the sentence index's lexical gate and the audit's word overlap all read words through it, so
a word means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import bm25s
import Stemmer


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False,
                            show_progress=False)
    return [list(t) for t in tokens]
