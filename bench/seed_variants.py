"""Ranking variants on the seed question set (42 questions with quoted evidence over the bundled corpus).

    .venv/bin/python bench/seed_variants.py [--backend fp32] [--grid full]

The seed set is a constraint, not a tuning target: evidence hit@5 must stay 100% and hit@1 at least 0.85
for the default. Each variant swaps the engine's ranking settings over the same index (built as `groundqa
eval seed --corpus corpus` builds it) and scores it the way `groundqa eval seed` does.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from common import CACHE, ROOT, emit, header

SCRIPT = "seed_variants"


def seed_variants(grid: str):
    if grid == "sentence":
        for k, wd, ws, wt, cap in itertools.product((10, 30, 60), (1.0, 2.0), (0.0, 0.5, 1.0, 2.0), (0.0, 1.0),
                                                    (None, 3)):
            yield (f"hybrid rrf k={k} w_dense={wd} w_sentence={ws} title {wt} per_source {cap}",
                   {"rrf_k": k, "weights": {"dense": wd, "sentence": ws}, "title_weight": wt, "level": "passage",
                    "per_source": cap}, "hybrid")
        return
    yield "before: hybrid RRF k=60 passages, text-only BM25", {"title_weight": 0.0, "level": "passage",
                                                                "per_source": None}, "hybrid"
    yield "before: dense", {"level": "passage"}, "dense"
    if grid == "report":
        return
    for mode, level, agg, cap, wt in itertools.product(("dense", "bm25"), ("passage",),
                                                       ("max", "sum2"), (None, 1, 2, 3), (0.0, 1.0, 2.0)):
        if mode != "hybrid" and level == "source":
            continue
        if mode == "dense" and wt:
            continue
        yield (f"{mode} {level} {agg} per_source {cap} title {wt}",
               {"level": level, "aggregate": agg, "per_source": cap, "title_weight": wt}, mode)
    for k, wd, wt, cap in itertools.product((10, 30, 60), (1.0, 1.5, 2.0, 3.0), (0.0, 1.0, 2.0),
                                                   (None, 2, 3)):
        yield (f"hybrid rrf k={k} w_dense={wd} title {wt} per_source {cap}",
               {"rrf_k": k, "weights": {"dense": wd}, "title_weight": wt, "level": "passage", "per_source": cap},
               "hybrid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="fp32")
    parser.add_argument("--grid", choices=("report", "full", "sentence"), default="report")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--chunk-chars", type=int, default=None)
    parser.add_argument("--overlap-chars", type=int, default=None)
    args = parser.parse_args()

    from groundqa.core.encoder import Encoder
    from groundqa.core.settings import Settings
    from groundqa.engine.query import Engine
    from groundqa.engine.ranking import RankSettings
    from groundqa.eval.backends import EngineBackend
    from groundqa.eval.datasets import SEED_SET, load_evidence_set
    from groundqa.eval.run import corpus_index, evaluate_evidence

    info = header("ranking variants on the seed question set")
    chunking = {k: v for k, v in (("chunk_max_chars", args.chunk_chars), ("chunk_overlap_chars", args.overlap_chars))
                if v is not None}
    settings = Settings(encoder_backend=args.backend, **chunking)
    encoder = Encoder(settings.model, backend=args.backend, cache_dir=settings.model_cache)
    index = corpus_index(args.corpus, settings, cache=CACHE / args.backend, encoder=encoder, progress=False)
    engine = Engine.load(index, encoder=encoder, cache_size=0)
    qset = load_evidence_set(SEED_SET)
    rows = []
    for name, rank, mode in seed_variants(args.grid):
        engine.rank = RankSettings(**rank)
        (result,) = evaluate_evidence(qset, EngineBackend(engine), modes=[mode], k=10, depth=50, progress=False)
        m = result.metrics
        row = {"variant": name, "mode": mode, "nDCG@10": m["nDCG@10"], "RR@10": m["RR@10"],
               "hit@1": m["evidence_hit@1"], "hit@5": m["evidence_hit@5"], "hit@10": m["evidence_hit@10"],
               "missed@5": [r["qid"] for r in result.per_query if r.get("answerable") and not r.get("evidence_hit@5")]}
        rows.append(row)
        emit(SCRIPT, {**row, "backend": args.backend, "machine": info["cpu"], **chunking})
    print("\n| variant | nDCG@10 | MRR@10 | hit@1 | hit@5 | hit@10 | missed at 5 |")
    print("|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (-r["hit@5"], -r["hit@1"], -r["nDCG@10"])):
        print(f"| {r['variant']} | {r['nDCG@10']:.3f} | {r['RR@10']:.3f} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | "
              f"{r['hit@10']:.3f} | {' '.join(r['missed@5'])} |")


if __name__ == "__main__":
    main()
