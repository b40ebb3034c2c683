"""Encoder backends: throughput against fp32, throughput against passage length, and nDCG@10 parity.

Throughput: the same MedQuAD answers (whole answers, so most reach the model's 256-token limit) are
embedded by each backend in turn, several rounds, alternating the order; the best round of each counts
(the least disturbed by other work on the machine) and the ratio to fp32 is taken within the same round
set. Chunk size: the answers cut by the ingest chunker at several sizes, passages/s per backend.
Parity: MedQuAD questions against an index of the same (seeded) sample embedded by each backend,
nDCG@10 per mode with ir-measures, exactly as `groundqa eval` scores it.

    .venv/bin/python bench/encoder.py --texts 256 --rounds 3 --chunk-sizes 200,400,800,1600 --parity-sample 3000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import emit, header, medquad

SCRIPT = "encoder"
BACKENDS = ("fp32", "bf16", "onnx-int8")


def timed_rounds(encoders: dict, texts: list[str], rounds: int) -> dict[str, float]:
    """Best texts/s of each backend over ``rounds`` rounds, the order rotating each round."""
    best = dict.fromkeys(encoders, 0.0)
    names = list(encoders)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            began = time.perf_counter()
            encoders[name].encode(texts)
            best[name] = max(best[name], len(texts) / (time.perf_counter() - began))
    return best


def chunks_of(texts: list[str], max_chars: int, limit: int) -> list[str]:
    from groundqa.core.records import Document
    from groundqa.ingest.chunk import ChunkSettings, chunk_document

    out: list[str] = []
    for i, text in enumerate(texts):
        doc = Document(source_id=f"d{i}", text=text, title=None)
        out.extend(p.text for p in chunk_document(doc, ChunkSettings(max_chars=max_chars,
                                                                      overlap_chars=min(120, max_chars // 4))))
        if len(out) >= limit:
            break
    return out[:limit]


def parity(sample: int, seed: int, backends: list[str]) -> None:
    from common import medquad_index
    from groundqa.engine.query import Engine
    from groundqa.eval.backends import EngineBackend
    from groundqa.eval.run import evaluate_beir

    dataset = medquad(sample, seed)
    for backend in backends:
        index_dir = medquad_index(dataset, backend=backend)
        engine = Engine.load(index_dir, cache_size=0)
        results = evaluate_beir(dataset, EngineBackend(engine), modes=["dense", "hybrid"], k=10, depth=100,
                                progress=False)
        for r in results:
            emit(SCRIPT, {"figure": "nDCG@10 parity", "dataset": dataset.name, "queries": len(dataset.queries),
                          "backend": backend, "mode": r.mode, "nDCG@10": round(r.metrics["nDCG@10"], 4),
                          "RR@10": round(r.metrics["RR@10"], 4), "index": str(index_dir)})
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=256, help="MedQuAD answers per throughput round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--chunk-sizes", default="200,400,800,1600", help="empty: skip the chunk-size sweep")
    parser.add_argument("--parity-sample", type=int, default=3000, help="0: skip the nDCG parity")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from groundqa.core.encoder import Encoder
    from groundqa.eval.datasets import _read_jsonl

    header("encoder backends")
    backends = args.backends.split(",")
    dataset = medquad(None)
    answers = [row["text"] for _, row in _read_jsonl(dataset.corpus)]
    rng = np.random.default_rng(args.seed)
    texts = [answers[i] for i in rng.choice(len(answers), size=args.texts, replace=False)]
    encoders = {name: Encoder("bundled", backend=name) for name in backends}
    for enc in encoders.values():
        enc.encode(texts[:8])  # warm-up (and the one-off int8 export)
    reference = encoders["fp32"].encode(texts) if "fp32" in encoders else None
    best = timed_rounds(encoders, texts, args.rounds)
    for name, rate in best.items():
        cosine = None
        if reference is not None:
            c = (reference * encoders[name].encode(texts)).sum(axis=1)
            cosine = {"min": round(float(c.min()), 4), "mean": round(float(c.mean()), 4)}
        emit(SCRIPT, {"figure": "throughput (MedQuAD answers, <=256 tokens)", "backend": name, "texts": len(texts),
                      "mean_chars": round(float(np.mean([len(t) for t in texts]))), "texts_per_s": round(rate, 1),
                      "x_fp32": round(rate / best["fp32"], 2) if "fp32" in best else None,
                      "cosine_to_fp32": cosine, "rounds": args.rounds})

    for size in [int(s) for s in args.chunk_sizes.split(",") if s]:
        passages = chunks_of(answers, size, args.texts)
        rates = timed_rounds(encoders, passages, max(1, args.rounds - 1))
        for name, rate in rates.items():
            emit(SCRIPT, {"figure": "throughput vs chunk size", "backend": name, "chunk_max_chars": size,
                          "passages": len(passages), "mean_chars": round(float(np.mean([len(p) for p in passages]))),
                          "passages_per_s": round(rate, 1), "x_fp32": round(rate / rates["fp32"], 2)
                          if "fp32" in rates else None})

    if args.parity_sample:
        parity(args.parity_sample, args.seed, [b for b in backends if b in ("fp32", "onnx-int8")])


if __name__ == "__main__":
    main()
