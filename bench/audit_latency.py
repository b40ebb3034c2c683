"""Audit speed: p50/p95 of a 5-claim audit in-process on the seed corpus, and quote alignment on 10,000 characters.

    python bench/audit_latency.py [--runs 40]

Targets (issue: a trained verifier): a 5-claim audit at p95 <= 500 ms in-process on 2 cores; one quote aligned
against a 10,000-character span in about 50 ms at most. The raw verifier call for the same pairs is printed
beside it, so the audit's overhead over the model is visible.
"""

from __future__ import annotations

import argparse
import random
import time

from common import CACHE, ROOT, emit, header, percentiles


def seed_index():
    from groundqa.core.encoder import Encoder
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    index = CACHE / "audit-seed-index"
    ingest([ROOT / "corpus"], index_dir=index, encoder=lambda: Encoder("bundled"), chunking=ChunkSettings(),
           embed_context="title", progress=False)
    return index


def answer(engine, rng: random.Random) -> str:
    """Five claims, each citing a passage: restated, with a quote, a changed figure or an unrelated claim."""
    passages = [p for s in engine.store.sources() for p in engine.store.passages_of(s.source_id)]
    chosen = rng.sample(passages, 5)
    sentences = []
    for n, p in enumerate(chosen):
        words = p.text.split()
        quote = " ".join(words[3:12])
        claim = [f'The source says "{quote}"', " ".join(words[:18]), "Survival is 29 months on average",
                 "Vaccines cause autism in most children", " ".join(words[-15:])][n]
        sentences.append(f"{claim} [{p.passage_id}].")
    return " ".join(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    header("audit latency")
    from groundqa.engine.audit.auditor import audit
    from groundqa.engine.audit.quotes import check_quote
    from groundqa.engine.audit.records import AuditRequest
    from groundqa.engine.query import Engine

    engine = Engine.load(seed_index())
    rng = random.Random(0)
    answers = [answer(engine, rng) for _ in range(args.runs)]
    audit(engine, AuditRequest(answer=answers[0], suggest=False))  # warm: verifier, drug dictionary, unit tables
    for suggest in (False, True):
        times = []
        for text in answers:
            began = time.perf_counter()
            audit(engine, AuditRequest(answer=text, suggest=suggest))
            times.append(time.perf_counter() - began)
        emit("audit_latency", {"figure": "5-claim audit, in-process", "suggest": suggest, **percentiles(times)})
    from groundqa.credibility.verifier import verifier

    pairs = [(f"claim number {i} about survival", "Patients live an average of 19 months after diagnosis.")
             for i in range(15)]
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        verifier().probabilities(pairs)
        times.append(time.perf_counter() - began)
    emit("audit_latency", {"figure": "raw verifier, 15 pairs (5 claims x 3 windows)", **percentiles(times)})
    text = " ".join(p.text for s in engine.store.sources() for p in engine.store.passages_of(s.source_id))[:10_000]
    words = text.split()
    times = []
    for _ in range(args.runs):
        start = rng.randrange(0, len(words) - 30)
        quote = words[start:start + 25]
        quote[5] = "altered"
        began = time.perf_counter()
        check_quote(" ".join(quote), text, 0, len(text))
        times.append(time.perf_counter() - began)
    emit("audit_latency", {"figure": "quote alignment, altered 25-word quote vs 10,000 chars", **percentiles(times)})


if __name__ == "__main__":
    main()
