"""Metrics against qrels small enough to check by hand."""

from __future__ import annotations

import math

import pytest
from groundqa.eval.metrics import (
    abstention_metrics,
    doc_run,
    evidence_hit,
    flag_counts,
    latency_percentiles,
    precision_recall,
    ranking_metrics,
)

QRELS = {"q1": {"d1": 1, "d2": 0, "d3": 1}, "q2": {"d4": 2}}
RUN = {"q1": {"d1": 3.0, "d2": 2.0, "d3": 1.0}}  # q2 returned nothing


def test_ranking_measures_by_hand() -> None:
    means, per_query = ranking_metrics(QRELS, RUN, k=2)
    q1 = per_query["q1"]
    # relevant at ranks 1 and 3: DCG = 1 + 1/log2(4); ideal = 1 + 1/log2(3)
    assert q1["nDCG@10"] == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    assert q1["AP@10"] == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert q1["RR@10"] == 1.0
    assert q1["P@2"] == 0.5 and q1["R@2"] == 0.5
    # the query with an empty result counts as zero instead of vanishing from the mean
    assert per_query["q2"] == {m: 0.0 for m in q1}
    assert means["nDCG@10"] == pytest.approx(q1["nDCG@10"] / 2)
    assert means["RR@10"] == 0.5


def test_graded_relevance_rewards_the_better_document_first() -> None:
    qrels = {"q": {"a": 2, "b": 1}}
    good, _ = ranking_metrics(qrels, {"q": {"a": 2.0, "b": 1.0}}, k=10)
    worse, _ = ranking_metrics(qrels, {"q": {"b": 2.0, "a": 1.0}}, k=10)
    assert good["nDCG@10"] == pytest.approx(1.0) and worse["nDCG@10"] < 1.0


def test_a_document_scores_as_its_best_passage() -> None:
    run = doc_run([("d2", 0.9), ("d1", 0.8), ("d2", 0.7), ("d3", 0.1)])
    assert sorted(run, key=lambda d: -run[d]) == ["d2", "d1", "d3"]


def test_evidence_hit_needs_span_overlap_in_the_same_source() -> None:
    gold = [("s", 100, 150)]
    assert evidence_hit([("s", 0, 99), ("s", 140, 400)], gold, k=2)
    assert not evidence_hit([("s", 0, 99), ("s", 140, 400)], gold, k=1)
    assert not evidence_hit([("t", 100, 150)], gold, k=5)
    assert not evidence_hit([("s", 150, 200)], gold, k=5)  # touching is not overlapping


def test_flag_precision_and_recall() -> None:
    gold = [(("s", 0, 50), "commercial"), (("s", 200, 260), "unverified")]
    retrieved = [(("s", 0, 100), {"commercial"}),        # right
                 (("s", 100, 190), {"commercial"}),      # flagged, but no gold there
                 (("s", 190, 300), set())]               # missed the unverified claim
    tp, fp, fn = flag_counts(retrieved, gold)
    assert (tp, fp, fn) == (1, 1, 1)
    pr = precision_recall(tp, fp, fn)
    assert pr["precision"] == 0.5 and pr["recall"] == 0.5
    assert precision_recall(0, 0, 0)["precision"] is None


def test_abstention_accuracy_counts_each_side() -> None:
    out = abstention_metrics([True, True, False, False, False], [False, True, True, True, False])
    assert out["accuracy_unanswerable"] == pytest.approx(2 / 3)
    assert out["accuracy_answerable"] == 0.5
    assert out["accuracy"] == pytest.approx(3 / 5)
    assert abstention_metrics([True], [False])["accuracy_unanswerable"] is None


def test_latency_percentiles_in_milliseconds() -> None:
    out = latency_percentiles([i / 1000 for i in range(1, 101)])
    assert out["p50_ms"] == pytest.approx(50.5)
    assert out["p99_ms"] == pytest.approx(99.01)
    assert latency_percentiles([])["p95_ms"] is None
