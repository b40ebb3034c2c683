"""Vector index type chosen by corpus size: exact inner product below a threshold, HNSW above.

Exact search (IndexFlatIP) costs O(n) per query: 1.4 ms at 20k vectors but 208 ms at a million on this
2-core machine under load, while HNSW answers in under a millisecond at p50 (recall@10 against exact 0.99
at 20k, 0.79 at a million near-duplicate vectors with efSearch 256; bench/scale.py, bench/README.md).
Both sit inside an IndexIDMap with int64 ids equal to passage rows; vectors are normalised, so inner
product is cosine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import faiss
import numpy as np

FLAT = "flat"
HNSW = "hnsw"


@dataclass(frozen=True)
class AnnSettings:
    hnsw_threshold: int = 200_000
    m: int = 32
    ef_construction: int = 64
    ef_search: int = 256


def build_index(embeddings: np.ndarray, settings: AnnSettings | None = None) -> faiss.Index:
    """An id-mapped index over ``embeddings`` (rows are ids): flat below the threshold, HNSW from it on."""
    settings = settings or AnnSettings()
    dim = embeddings.shape[1]
    if len(embeddings) >= max(settings.hnsw_threshold, 1):
        inner = faiss.IndexHNSWFlat(dim, settings.m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = settings.ef_construction
        inner.hnsw.efSearch = settings.ef_search
    else:
        inner = faiss.IndexFlatIP(dim)
    index = faiss.IndexIDMap(inner)
    if len(embeddings):
        index.add_with_ids(np.ascontiguousarray(embeddings, dtype=np.float32),
                           np.arange(len(embeddings), dtype=np.int64))
    return index


def index_kind(index: faiss.Index) -> str:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index
    return HNSW if isinstance(inner, faiss.IndexHNSW) else FLAT


def set_ef_search(index: faiss.Index, ef_search: int) -> None:
    """Query-time depth of an HNSW index (no-op for exact search); must be at least the k asked for."""
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = ef_search


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Search one question on one OpenMP thread (the setting is per calling thread, so requests don't interfere).

    A single-question search gains little from a second thread, and when the cores are busy OpenMP's
    spinning barrier makes it far slower: measured here under load, exact search over 20k vectors took
    72 ms with two threads and 1.4 ms with one.
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def recall_at_k(exact_ids: np.ndarray, approx_ids: np.ndarray, k: int = 10) -> float:
    """Mean share of the exact top-k found in the approximate top-k (the usual ANN recall@k)."""
    hits = [len(set(e[:k].tolist()) & set(a[:k].tolist())) / k for e, a in zip(exact_ids, approx_ids, strict=True)]
    return float(np.mean(hits)) if hits else 0.0
