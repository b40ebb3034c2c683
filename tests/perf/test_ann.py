"""The vector index type follows corpus size; HNSW finds nearly what exact search finds."""

from __future__ import annotations

import numpy as np
from groundqa.index.ann import FLAT, HNSW, AnnSettings, build_index, index_kind, recall_at_k, set_ef_search
from groundqa.index.snapshot import read_manifest, require_snapshot


def _clustered(n: int, dim: int = 64, clusters: int = 50, seed: int = 0) -> np.ndarray:
    """Vectors around cluster centres, like embeddings of a topical corpus (uniform noise is HNSW's worst case)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_small_corpus_is_searched_exactly():
    x = _clustered(500)
    index = build_index(x, AnnSettings(hnsw_threshold=1000))
    assert index_kind(index) == FLAT
    scores, ids = index.search(x[:5], 10)
    expected = np.argsort(-(x[:5] @ x.T), axis=1)[:, :10]
    np.testing.assert_array_equal(ids, expected)


def test_large_corpus_uses_hnsw_with_high_recall():
    x = _clustered(6000)
    queries = _clustered(200, seed=1)
    exact = build_index(x, AnnSettings(hnsw_threshold=10_000))
    approx = build_index(x, AnnSettings(hnsw_threshold=5000, m=16, ef_construction=64, ef_search=256))
    assert index_kind(exact) == FLAT and index_kind(approx) == HNSW
    _, exact_ids = exact.search(queries, 10)
    _, approx_ids = approx.search(queries, 10)
    assert recall_at_k(exact_ids, approx_ids, 10) >= 0.95
    set_ef_search(approx, 8)  # a far shallower search must cost recall, or efSearch is not reaching faiss
    _, shallow_ids = approx.search(queries, 10)
    assert recall_at_k(exact_ids, shallow_ids, 10) < recall_at_k(exact_ids, approx_ids, 10)


def test_ingest_past_the_threshold_writes_hnsw_and_serves_it(tmp_path, encoder, engine):
    from groundqa.core.settings import Settings
    from groundqa.engine.query import Engine
    from groundqa.index.ann import AnnSettings
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    from tests.conftest import CORPUS

    # the same embedding settings as the seed index it is compared with, only the vector index differs
    report = ingest([CORPUS], index_dir=tmp_path, encoder=encoder, chunking=ChunkSettings(), progress=False,
                    embed_context=Settings().embed_context, ann=AnnSettings(hnsw_threshold=1))
    assert report.ok, report.errors
    assert read_manifest(require_snapshot(tmp_path))["vector_index"] == HNSW
    hnsw_engine = Engine.load(tmp_path, encoder=encoder)
    try:
        assert index_kind(hnsw_engine.vectors) == HNSW
        question = "Which chemotherapy is used first for metastatic cervical cancer?"
        got = [h.passage.passage_id for h in hnsw_engine.query(question, k=5, mode="dense")]
        want = [h.passage.passage_id for h in engine.query(question, k=5, mode="dense")]
        assert got == want  # 62 passages and efSearch 128: the graph search visits them all
    finally:
        hnsw_engine.close()
