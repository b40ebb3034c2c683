"""Metrics: ranking measures through ir-measures (pytrec_eval underneath), plus the few it has no notion of.
Classification scores and the bootstrap are in ``groundqa.eval.stats``.

Every judged query counts: a query with an empty result scores 0 rather than being dropped, which
pytrec_eval would otherwise do silently and so flatter a system that returns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ir_measures
import numpy as np
from groundqa.eval.stats import prf_from_counts
from ir_measures import AP, RR, Judged, P, R, nDCG

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]
Span = tuple[str, int, int]  # (source_id, start, end)


def ranking_measures(k: int, *, relevant_from: int = 1) -> dict[str, object]:
    """nDCG@10, MAP@10, MRR@10, Recall@k, P@k (ir-measures names: nDCG@10, AP@10, RR@10, R@k, P@k).

    With graded qrels whose low grades mean "related, not an answer" (MEDIQA: relevant from 2), the binary
    measures take ``relevant_from`` as their threshold (ir-measures ``RR(rel=2)@10``) and keep their plain
    names here; nDCG uses the graded score as gain either way. Pooled judgments add Judged@10.
    """
    if relevant_from <= 1:
        measures = {"nDCG@10": nDCG @ 10, "AP@10": AP @ 10, "RR@10": RR @ 10, f"R@{k}": R @ k, f"P@{k}": P @ k}
    else:
        rel = relevant_from
        measures = {"nDCG@10": nDCG @ 10, "AP@10": AP(rel=rel) @ 10, "RR@10": RR(rel=rel) @ 10,
                    f"R@{k}": R(rel=rel) @ k, f"P@{k}": P(rel=rel) @ k, "R@100": R(rel=rel) @ 100,
                    "Judged@10": Judged @ 10}
    return measures


def ranking_metrics(qrels: Qrels, run: Run, *, k: int, relevant_from: int = 1
                    ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Mean and per-query values of the ranking measures over every query in ``qrels``."""
    measures = ranking_measures(k, relevant_from=relevant_from)
    per_query: dict[str, dict[str, float]] = {q: {name: 0.0 for name in measures} for q in qrels}
    scored = {q: docs for q, docs in run.items() if q in qrels and docs}
    if scored:
        for metric in ir_measures.iter_calc(list(dict.fromkeys(measures.values())), qrels, scored):
            for name, m in measures.items():
                if m == metric.measure:
                    per_query[metric.query_id][name] = float(metric.value)
    means = {name: float(np.mean([v[name] for v in per_query.values()])) if per_query else 0.0
             for name in measures}
    return means, per_query


def overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def evidence_hit(retrieved: Sequence[Span], gold: Sequence[Span], *, k: int) -> bool:
    """True when any of the top-k passages overlaps any gold evidence span."""
    return any(overlaps(p, g) for p in retrieved[:k] for g in gold)


def flag_counts(retrieved: Iterable[tuple[Span, set[str]]], gold: Sequence[tuple[Span, str]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over (passage, flag kind) pairs.

    A passage should carry kind K exactly when it overlaps a gold span of kind K.
    """
    tp = fp = fn = 0
    kinds = {kind for _, kind in gold}
    for span, predicted in retrieved:
        expected = {kind for g, kind in gold if overlaps(span, g)}
        for kind in kinds | predicted:
            if kind in predicted and kind in expected:
                tp += 1
            elif kind in predicted:
                fp += 1
            elif kind in expected:
                fn += 1
    return tp, fp, fn


def precision_recall(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    """Precision and recall of the flags from their counts; None where there is nothing to count."""
    precision, recall, _ = prf_from_counts(tp, fp, fn)
    return {"precision": precision if tp + fp else None, "recall": recall if tp + fn else None,
            "tp": tp, "fp": fp, "fn": fn}


def abstention_metrics(answerable: Sequence[bool], abstained: Sequence[bool]) -> dict[str, float | int | None]:
    """Accuracy on unanswerable questions (abstained) and on answerable ones (did not abstain)."""
    pairs = list(zip(answerable, abstained, strict=True))
    unanswerable = [a for ok, a in pairs if not ok]
    answered = [not a for ok, a in pairs if ok]
    return {
        "unanswerable": len(unanswerable),
        "answerable": len(answered),
        "accuracy_unanswerable": float(np.mean(unanswerable)) if unanswerable else None,
        "accuracy_answerable": float(np.mean(answered)) if answered else None,
        "accuracy": float(np.mean(unanswerable + answered)) if pairs else None,
    }


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 and mean per-query latency in milliseconds."""
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ms = np.asarray(seconds, dtype=float) * 1000.0
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99), "mean_ms": float(ms.mean())}


def doc_run(ranked: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Document scores from ranked passages: a document scores as its best passage (first occurrence).

    Scores are rank-derived (strictly decreasing) so ties in raw scores cannot reorder documents.
    """
    docs: dict[str, float] = {}
    for doc_id, _ in ranked:
        if doc_id not in docs:
            docs[doc_id] = float(-len(docs))
    return {d: 1000.0 + s for d, s in docs.items()}
