"""A million passages: exact vs HNSW vector search, and BM25, with build time, memory, disk and latency.

Embedding a million passages takes hours on two cores, so the vectors are made from real ones: the
embeddings of a MedQuAD index, each copied many times with Gaussian variation (cosine about 0.9 to its
original) and re-normalised; queries are real MedQuAD questions encoded by the model. Recall@10 of HNSW
is measured against exact search over the same vectors. The BM25 part indexes MedQuAD passage text
replicated with variation (each copy drops a random tenth of its words) to the same count.

    .venv/bin/python bench/scale.py --vectors 1000000 --texts 1000000
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

import numpy as np
from common import emit, header, medquad, medquad_index, percentiles, questions, rss_mb

SCRIPT = "scale"


def synthetic_vectors(base: np.ndarray, n: int, *, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        rows = min(step, n - start)
        x = base[rng.integers(0, len(base), rows)] + rng.standard_normal((rows, base.shape[1]),
                                                                        dtype=np.float32) * sigma
        out[start:start + rows] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def search_latency(index, queries: np.ndarray, k: int) -> tuple[dict, np.ndarray]:
    from groundqa.index.ann import one_thread

    with one_thread():
        return _search_latency(index, queries, k)


def _search_latency(index, queries: np.ndarray, k: int) -> tuple[dict, np.ndarray]:
    for q in queries[:5]:
        index.search(q[None, :], k)
    seconds, ids = [], []
    for q in queries:
        began = time.perf_counter()
        _, found = index.search(q[None, :], k)
        seconds.append(time.perf_counter() - began)
        ids.append(found[0])
    return percentiles(seconds), np.array(ids)


def vectors_part(args, base: np.ndarray, queries: np.ndarray) -> None:
    import faiss
    from groundqa.index.ann import AnnSettings, build_index, recall_at_k, set_ef_search

    x = synthetic_vectors(base, args.vectors, sigma=args.sigma, seed=args.seed)
    cos = float(np.mean(np.max(x[:200] @ base.T, axis=1)))
    record = {"vectors": len(x), "dim": x.shape[1], "sigma": args.sigma, "cosine_to_original": round(cos, 3)}
    exact_ids = None
    for kind in ("flat", "hnsw"):
        gc.collect()
        rss0 = rss_mb()
        began = time.perf_counter()
        index = build_index(x, AnnSettings(hnsw_threshold=len(x) if kind == "hnsw" else len(x) + 1,
                                           m=args.m, ef_construction=args.ef_construction, ef_search=128))
        build_s = time.perf_counter() - began
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "v.faiss"
            faiss.write_index(index, str(path))
            disk_mb = round(path.stat().st_size / 2**20, 1)
        rss1 = rss_mb()
        if kind == "flat":
            lat, exact_ids = search_latency(index, queries, 100)
            emit(SCRIPT, {**record, "figure": "vectors", "index": kind, "build_s": round(build_s, 1),
                          "memory_mb": round(rss1 - rss0, 1), "disk_mb": disk_mb, "k": 100, "latency": lat,
                          "recall@10": 1.0})
        else:
            for ef in args.ef_search:
                set_ef_search(index, max(ef, 100))
                lat, ids = search_latency(index, queries, 100)
                emit(SCRIPT, {**record, "figure": "vectors", "index": kind, "m": args.m,
                              "ef_construction": args.ef_construction, "ef_search": max(ef, 100),
                              "build_s": round(build_s, 1), "memory_mb": round(rss1 - rss0, 1), "disk_mb": disk_mb,
                              "k": 100, "latency": lat, "recall@10": round(recall_at_k(exact_ids, ids, 10), 4)})
        del index
    del x


def text_part(args, passages: list[str], texts: list[str]) -> None:
    import bm25s
    from groundqa.index.lexical import Lexical

    rng = np.random.default_rng(args.seed)
    words = [p.split() for p in passages]
    corpus = []
    for i in range(args.texts):
        w = words[i % len(words)]
        if i >= len(words):
            keep = rng.random(len(w)) > 0.1
            w = [t for t, kept in zip(w, keep, strict=True) if kept]
        corpus.append(" ".join(w))
    del words
    gc.collect()
    rss0 = rss_mb()
    began = time.perf_counter()
    lexical = Lexical.build(corpus)
    build_s = time.perf_counter() - began
    rss1 = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        lexical.save(Path(tmp))
        disk_mb = round(sum(p.stat().st_size for p in (Path(tmp) / "bm25").iterdir()) / 2**20, 1)
    del corpus
    seconds = []
    for q in texts:
        began = time.perf_counter()
        lexical.search(q, 100)
        seconds.append(time.perf_counter() - began)
    raw = []
    from groundqa.index.lexical import _stemmer
    for q in texts:
        began = time.perf_counter()
        lexical._retriever.retrieve(bm25s.tokenize([q], stopwords="en", stemmer=_stemmer(), show_progress=False),
                                    k=100, show_progress=False)
        raw.append(time.perf_counter() - began)
    emit(SCRIPT, {"figure": "bm25", "passages": args.texts, "build_s": round(build_s, 1),
                  "memory_mb": round(rss1 - rss0, 1), "disk_mb": disk_mb, "k": 100,
                  "latency": percentiles(seconds), "raw_bm25s_retrieve": percentiles(raw)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--texts", type=int, default=1_000_000, help="0: skip the BM25 part")
    parser.add_argument("--sample", type=int, default=3000, help="MedQuAD sample whose index seeds the data")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sigma", type=float, default=0.025, help="per-dimension noise of each copy")
    parser.add_argument("--m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--ef-search", type=lambda s: [int(x) for x in s.split(",")], default=[100, 128, 256])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from groundqa.core.encoder import Encoder
    from groundqa.index.snapshot import require_snapshot
    from groundqa.index.store import STORE_FILE, Store

    header(f"scale: {args.vectors} vectors, {args.texts} BM25 passages")
    dataset = medquad(args.sample)
    snapshot = require_snapshot(medquad_index(dataset))
    base = np.load(snapshot / "embeddings.npy")
    texts = questions(dataset, args.queries, seed=args.seed + 7)
    queries = Encoder("bundled").encode(texts)
    if args.vectors:
        vectors_part(args, base, queries)
    if args.texts:
        store = Store(snapshot / STORE_FILE)
        passages = [p.text for _, p in store.all_passages()]
        store.close()
        text_part(args, passages, texts)
    emit(SCRIPT, {"figure": "process peak", "rss_mb": rss_mb()})


if __name__ == "__main__":
    main()
