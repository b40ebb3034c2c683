"""FAISS vectors: explicit int64 ids equal to passage row numbers; vectors are normalised, searched by inner product."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
from groundqa.index.ann import AnnSettings, build_index, one_thread

VECTORS_FILE = "vectors.faiss"


def build_vectors(embeddings: np.ndarray, ann: AnnSettings | None = None) -> faiss.Index:
    """Exact below ``ann.hnsw_threshold`` passages, HNSW from it on (index/ann.py)."""
    return build_index(embeddings, ann)


def save_vectors(index: faiss.Index, directory: Path) -> None:
    faiss.write_index(index, str(directory / VECTORS_FILE))


def load_vectors(directory: Path) -> faiss.Index:
    return faiss.read_index(str(directory / VECTORS_FILE))


def search_vectors(index: faiss.Index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top-k (row, cosine) pairs for one normalised query vector."""
    k = min(k, index.ntotal)
    if k <= 0:
        return []
    with one_thread():
        scores, ids = index.search(query.reshape(1, -1).astype(np.float32, copy=False), k)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
