"""In-process query latency per mode, beside the raw library calls for the same questions in the same run.

For every question the engine's answer and the raw reference are timed back to back (alternating which
goes first), so both see the same machine load. The reference is what the libraries cost alone: the
encoder backend's encode of the question, faiss search for the candidates, bm25s tokenize + retrieve.
The engine's cache is off for these timings (every question is distinct anyway); a last figure shows a
repeated question answered from the cache.

    .venv/bin/python bench/query_latency.py --sample 3000 --queries 500
    .venv/bin/python bench/query_latency.py --index bench/.cache/<index> --queries 300 --modes hybrid
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path

from common import dir_mb, emit, header, medquad, medquad_index, percentiles, questions, rss_mb

SCRIPT = "query_latency"


def raw_reference(engine, mode: str) -> Callable[[str], object]:
    """The libraries alone for ``mode``: encode, faiss search, bm25s tokenize + retrieve (depth = candidates)."""
    import bm25s
    from groundqa.index.ann import one_thread
    from groundqa.index.lexical import _stemmer

    depth = min(engine.candidates, engine.store.passage_count)
    encoder = getattr(engine.encoder, "inner", engine.encoder)  # under the micro-batcher, if any
    backend = encoder._backend  # the very model object the engine uses, called directly
    retriever = engine.lexical._retriever
    vectors = engine.vectors

    def dense(q: str) -> object:
        vec = backend.encode([q], batch_size=1)
        with one_thread():  # the library's best single-query setting, as the engine uses it
            return vectors.search(vec, depth)

    def bm25(q: str) -> object:
        tokens = bm25s.tokenize([q], stopwords="en", stemmer=_stemmer(), show_progress=False)
        return retriever.retrieve(tokens, k=depth, show_progress=False, n_threads=0)

    def hybrid(q: str) -> object:
        return dense(q), bm25(q)

    return {"dense": dense, "bm25": bm25, "hybrid": hybrid}[mode]


def measure(engine, texts: list[str], mode: str, k: int, warmup: int) -> tuple[list[float], list[float]]:
    ref = raw_reference(engine, mode)
    for q in texts[:warmup]:
        engine.answer(q, k=k, mode=mode)
        ref(q)
    ours, raw = [], []
    gc.collect()
    for i, q in enumerate(texts[warmup:]):
        pair = [(ours, lambda q=q: engine.answer(q, k=k, mode=mode)), (raw, lambda q=q: ref(q))]
        for sink, call in pair if i % 2 == 0 else reversed(pair):
            began = time.perf_counter()
            call()
            sink.append(time.perf_counter() - began)
    return ours, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=None, help="MedQuAD sample size (answers); default: all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="fp32", help="encoder backend of the MedQuAD index to build/use")
    parser.add_argument("--index", type=Path, default=None, help="an existing index instead of MedQuAD's")
    parser.add_argument("--queries", type=int, default=500, help="timed questions per mode")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--modes", default="bm25,dense,hybrid")
    args = parser.parse_args()

    from groundqa.engine.query import Engine

    info = header("in-process query latency")
    dataset = medquad(args.sample, args.seed)
    index_dir = args.index or medquad_index(dataset, backend=args.backend)
    engine = Engine.load(index_dir, cache_size=0)
    texts = questions(dataset, args.queries + args.warmup, seed=args.seed)
    base = {"index": str(index_dir), "passages": engine.store.passage_count,
            "encoder_backend": engine.encoder.backend, "vector_index": engine.manifest.get("vector_index", "flat"),
            "index_disk_mb": dir_mb(engine.snapshot), "machine": info["cpu"]}
    for mode in args.modes.split(","):
        ours, raw = measure(engine, texts, mode, args.k, args.warmup)
        p_ours, p_raw = percentiles(ours), percentiles(raw)
        emit(SCRIPT, {**base, "figure": "latency", "mode": mode, "k": args.k, "groundqa": p_ours, "raw": p_raw,
                      "ratio_p50": round(p_ours["p50_ms"] / p_raw["p50_ms"], 2),
                      "p99_over_p50": round(p_ours["p99_ms"] / p_ours["p50_ms"], 2)})

    cached = Engine.load(index_dir, encoder=engine.encoder, cache_size=1024)
    q = texts[0]
    cached.answer(q, k=args.k)
    hits = []
    for _ in range(200):
        began = time.perf_counter()
        cached.answer(q, k=args.k)
        hits.append(time.perf_counter() - began)
    emit(SCRIPT, {**base, "figure": "repeated question (cache hit)", "mode": "hybrid", "groundqa": percentiles(hits),
                  "cache_hits": cached.cache.hits})
    emit(SCRIPT, {**base, "figure": "memory", "rss_mb": rss_mb()})


if __name__ == "__main__":
    main()
