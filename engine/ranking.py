"""From the retrievers' ranked passages to a ranked list of sources, each with its best passages.

Pure functions over (row, score) lists, shared by the engine and by the benchmark sweeps, so a setting
measured in bench/ is exactly what the engine runs. The steps, each a setting chosen by measurement
(bench/README.md "Retrieval on consumer questions"):

1. fuse the retrievers' passage lists: reciprocal-rank fusion with a weight per retriever, or a convex
   combination of min-max-normalised scores;
2. rank sources: fuse each retriever's source ranking (a source scores by an aggregate of its passages:
   the best one, or a sum of the best few), so a long document's many passages count once;
3. list passages: one per source in source order (``per_source`` 1, a document ranking), or in fused
   passage order with at most ``per_source`` from any one source, until k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Ranked = list[tuple[int, float]]  # (passage row, score), best first

FUSIONS = ("rrf", "convex")
AGGREGATES = ("max", "sum2", "sum3")
LEVELS = ("source", "passage")


@dataclass(frozen=True)
class RankSettings:
    """How a question is ranked: candidates, lexical field weights, fusion, sources; validated on construction."""

    candidates: int = 100  # passages taken from each retriever
    title_weight: float = 2.0  # lexical field weights, the text field counting 1
    heading_weight: float = 0.0
    fusion: str = "rrf"
    rrf_k: int = 30
    # per retriever (bm25, dense, sentence); an absent one counts 1
    weights: Mapping[str, float] = field(default_factory=lambda: {"dense": 2.0, "bm25": 1.0, "sentence": 0.5})
    aggregate: str = "max"
    level: str = "passage"  # per_source 1: aggregate fused passage scores, or fuse per-retriever source rankings
    per_source: int | None = 3  # None: no limit; 1: a ranking of sources, each with its best passage

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion {self.fusion!r} is not one of {', '.join(FUSIONS)}")
        if self.aggregate not in AGGREGATES:
            raise ValueError(f"aggregate {self.aggregate!r} is not one of {', '.join(AGGREGATES)}")
        if self.level not in LEVELS:
            raise ValueError(f"level {self.level!r} is not one of {', '.join(LEVELS)}")
        if self.rrf_k < 1:
            raise ValueError(f"rrf_k must be at least 1, got {self.rrf_k}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be at least 1, got {self.candidates}")
        if self.per_source is not None and self.per_source < 1:
            raise ValueError(f"per_source must be at least 1 (or None for no limit), got {self.per_source}")

    @property
    def field_weights(self) -> dict[str, float]:
        return {"text": 1.0, "title": self.title_weight, "heading": self.heading_weight}


def rrf(rankings: Mapping[str, Sequence[int]], *, k: int, weights: Mapping[str, float] | None = None
        ) -> dict[int, float]:
    """Weighted reciprocal-rank fusion (Cormack et al. 2009): sum over retrievers of weight / (k + rank)."""
    scores: dict[int, float] = {}
    for name, items in rankings.items():
        w = 1.0 if weights is None else float(weights.get(name, 1.0))
        for rank, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return scores


def convex(lists: Mapping[str, Sequence[tuple[int, float]]], *, weights: Mapping[str, float] | None = None
           ) -> dict[int, float]:
    """Weighted sum of min-max-normalised scores, each list normalised over its own entries (absent = 0)."""
    scores: dict[int, float] = {}
    for name, items in lists.items():
        if not items:
            continue
        w = 1.0 if weights is None else float(weights.get(name, 1.0))
        values = [s for _, s in items]
        hi, lo = max(values), min(values)
        for item, s in items:
            scores[item] = scores.get(item, 0.0) + w * ((s - lo) / (hi - lo) if hi > lo else 1.0)
    return scores


def aggregate(scores: Mapping[int, float], source_of: Mapping[int, str], how: str) -> dict[str, float]:
    """A source's score from its passages': the best (max) or the sum of the best two or three."""
    per: dict[str, list[float]] = {}
    for row, s in scores.items():
        per.setdefault(source_of[row], []).append(s)
    top = {"max": 1, "sum2": 2, "sum3": 3}[how]
    return {src: sum(sorted(v, reverse=True)[:top]) for src, v in per.items()}


def _order(scores: Mapping, tiebreak: Mapping | None = None) -> list:
    return sorted(scores, key=lambda x: (-scores[x], tiebreak[x] if tiebreak else 0, x))


def fuse(lists: Mapping[str, Ranked], settings: RankSettings) -> dict[int, float]:
    """One fused score per passage row from the retrievers' lists."""
    if len(lists) == 1:
        ((_, only),) = lists.items()
        return {row: s for row, s in only}
    if settings.fusion == "rrf":
        return rrf({n: [r for r, _ in items] for n, items in lists.items()}, k=settings.rrf_k,
                   weights=settings.weights)
    return convex(lists, weights=settings.weights)


def rank_sources(lists: Mapping[str, Ranked], source_of: Mapping[int, str], settings: RankSettings
                 ) -> list[str]:
    """Sources best first: each retriever ranks sources by its aggregate, then the rankings are fused
    (level "source"); or the fused passage scores are aggregated (level "passage")."""
    if settings.level == "passage":
        return _order(aggregate(fuse(lists, settings), source_of, settings.aggregate))
    per_retriever = {name: aggregate(dict(items), source_of, settings.aggregate) for name, items in lists.items()}
    if len(per_retriever) == 1:
        ((_, only),) = per_retriever.items()
        return _order(only)
    if settings.fusion == "rrf":
        fused = rrf({n: _order(s) for n, s in per_retriever.items()}, k=settings.rrf_k, weights=settings.weights)
    else:
        fused = convex({n: sorted(s.items(), key=lambda kv: -kv[1]) for n, s in per_retriever.items()},
                       weights=settings.weights)
    return _order(fused)


def grouped(lists: Mapping[str, Ranked], source_of: Mapping[int, str], settings: RankSettings, *, k: int
            ) -> list[tuple[int, float, dict[str, int]]]:
    """Up to k (row, fused score, rank per retriever) triples.

    With ``per_source`` 1 the result ranks sources (rank_sources: the measured source aggregation and
    fusion), each with its best passage. Otherwise passages come in fused-score order, at most
    ``per_source`` of any one source: listing a source's passages together measured worse on the seed set.
    """
    passage_scores = fuse(lists, settings)
    ranks = {name: {row: i for i, (row, _) in enumerate(items, start=1)} for name, items in lists.items()}

    def triple(row: int) -> tuple[int, float, dict[str, int]]:
        return row, passage_scores[row], {n: r[row] for n, r in ranks.items() if row in r}

    ordered = _order(passage_scores)
    out: list[tuple[int, float, dict[str, int]]] = []
    if settings.per_source == 1:
        best: dict[str, int] = {}
        for row in ordered:
            best.setdefault(source_of[row], row)
        order = (_order(aggregate(passage_scores, source_of, settings.aggregate)) if settings.level == "passage"
                 else rank_sources(lists, source_of, settings))
        return [triple(best[src]) for src in order[:k]]
    cap = settings.per_source or k
    taken: dict[str, int] = {}
    for row in ordered:
        src = source_of[row]
        if taken.get(src, 0) < cap:
            taken[src] = taken.get(src, 0) + 1
            out.append(triple(row))
            if len(out) == k:
                break
    return out


def from_settings(settings: Any) -> RankSettings:
    """The ranking the settings object describes (service/settings.py)."""
    return RankSettings(candidates=settings.candidates, title_weight=settings.title_weight,
                        heading_weight=settings.heading_weight, fusion=settings.fusion, rrf_k=settings.rrf_k,
                        weights={"dense": settings.dense_weight, "bm25": settings.bm25_weight,
                                 "sentence": settings.sentence_weight},
                        aggregate=settings.source_aggregate, level=settings.fusion_level,
                        per_source=settings.per_source or None)
