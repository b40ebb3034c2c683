"""Compare speed: p50/p95 of `compare` in-process on the seed corpus, and the verifier readings it needed.

    python bench/compare_latency.py [--runs 5]

The seed conflict questions (labels/compare_seed.jsonl) are each compared --runs times (the engine's query cache
is off, so every run retrieves, embeds the statements and calls the verifier); the raw verifier throughput at
128 tokens is printed beside it.
"""

from __future__ import annotations

import argparse
import time

from audit_latency import seed_index
from common import emit, header, percentiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    header("compare latency")
    from groundqa.credibility.verifier import verifier
    from groundqa.engine.compare.run import compare
    from groundqa.engine.query import Engine
    from groundqa.eval.conflicts import read_conflicts

    engine = Engine.load(seed_index(), cache_size=0)
    model = verifier()
    questions = [item["question"] for item in read_conflicts()]
    compare(engine, question=questions[0], verifier=model)  # warm: verifier, unit tables, negation
    times, pairs = [], []
    for _ in range(args.runs):
        for q in questions:
            began = time.perf_counter()
            result = compare(engine, question=q, verifier=model)
            times.append(time.perf_counter() - began)
            n = len(result.statements)
            pairs.append(n * (n - 1) // 2)
    emit("compare_latency", {"figure": "compare, seed questions, in-process", "statement_pairs_mean":
                             round(sum(pairs) / len(pairs), 1), **percentiles(times)})
    readings = [("Patients live an average of 19 months after diagnosis.",
                 "Median survival of metastatic breast cancer is about two to three years.")] * 64
    began = time.perf_counter()
    model.probabilities(readings)
    emit("compare_latency", {"figure": "raw verifier readings per second (64, batch 32)",
                             "per_second": round(64 / (time.perf_counter() - began), 1)})


if __name__ == "__main__":
    main()
