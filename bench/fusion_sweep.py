"""Sweep fusion settings on a BEIR dataset without re-embedding: retrieve once per query, fuse many ways.

    .venv/bin/python bench/fusion_sweep.py bench/.cache/medquad-s3000-seed0 --index bench/.cache/index-...

Prints nDCG@10 / RR@10 of bm25, dense and each fusion variant (RRF with k, candidate depth and weights;
convex combination of min-max-normalised scores), documents ranked by their best passage.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from groundqa.engine.query import Engine, rrf
from groundqa.eval.datasets import load_beir
from groundqa.eval.metrics import doc_run, ranking_metrics


def fuse_rrf(lists: dict[str, list[tuple[int, float]]], *, k: int, depth: int, weights: dict[str, float]) -> list[int]:
    scores: dict[int, float] = {}
    for name, rows in lists.items():
        for rank, (row, _) in enumerate(rows[:depth], start=1):
            scores[row] = scores.get(row, 0.0) + weights.get(name, 1.0) / (k + rank)
    return sorted(scores, key=lambda r: (-scores[r], r))


def fuse_convex(lists: dict[str, list[tuple[int, float]]], *, alpha: float, depth: int) -> list[int]:
    """alpha * dense + (1 - alpha) * bm25, each min-max normalised over its own top ``depth``."""
    scores: dict[int, float] = {}
    for name, rows in lists.items():
        top = rows[:depth]
        if not top:
            continue
        hi, lo = top[0][1], top[-1][1]
        weight = alpha if name == "dense" else 1 - alpha
        for row, s in top:
            scores[row] = scores.get(row, 0.0) + weight * ((s - lo) / (hi - lo) if hi > lo else 1.0)
    return sorted(scores, key=lambda r: (-scores[r], r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args()
    data = load_beir(args.dataset)
    engine = Engine.load(args.index)
    began = time.perf_counter()
    lists = {qid: engine.rankings(text, mode="hybrid", depth=args.depth) for qid, text in data.queries.items()}
    rows = {r for ranked in lists.values() for rs in ranked.values() for r, _ in rs}
    source_of = {row: p.source_id for row, p in engine.store.passages_by_rows(sorted(rows)).items()}
    print(f"{len(lists)} queries retrieved in {time.perf_counter() - began:.0f}s")

    def score(ranking: dict[str, list[int]]) -> str:
        run = {q: doc_run([(source_of[r], 0.0) for r in rs]) for q, rs in ranking.items()}
        means, _ = ranking_metrics(data.qrels, run, k=10)
        return f"nDCG@10 {means['nDCG@10']:.4f}  RR@10 {means['RR@10']:.4f}  R@10 {means['R@10']:.4f}"

    print(f"{'bm25':32s}", score({q: [r for r, _ in ls["bm25"]] for q, ls in lists.items()}))
    print(f"{'dense':32s}", score({q: [r for r, _ in ls["dense"]] for q, ls in lists.items()}))
    base = {q: [r for r, _, _ in rrf({n: [r for r, _ in rs] for n, rs in ls.items()}, k=60)] for q, ls in lists.items()}
    print(f"{'engine rrf k=60':32s}", score(base))
    for k in (1, 5, 10, 20, 60):
        for depth in (20, 50, 100):
            for wd in (1.0, 1.5, 2.0, 3.0):
                ranking = {q: fuse_rrf(ls, k=k, depth=depth, weights={"dense": wd}) for q, ls in lists.items()}
                print(f"{f'rrf k={k} depth={depth} w_dense={wd}':32s}", score(ranking))
    for alpha in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9):
        for depth in (20, 100):
            ranking = {q: fuse_convex(ls, alpha=alpha, depth=depth) for q, ls in lists.items()}
            print(f"{f'convex alpha={alpha} depth={depth}':32s}", score(ranking))
    engine.close()


if __name__ == "__main__":
    main()
