"""The MEDIQA QA development benchmark: its fixed split, its graded measures, the paired bootstrap."""

from __future__ import annotations

import json

import pytest
from groundqa.eval.datasets import DatasetError
from groundqa.eval.mediqa import DEFAULT_MEDIQA, SPLIT_FILE, load_mediqa, make_split, question_groups
from groundqa.eval.metrics import ranking_metrics

needs_data = pytest.mark.skipif(not (DEFAULT_MEDIQA / "qrels" / "dev.tsv").is_file(),
                                reason=f"mediqa_qa not found at {DEFAULT_MEDIQA}")


@needs_data
def test_the_committed_split_is_the_one_the_rule_makes() -> None:
    committed = json.loads(SPLIT_FILE.read_text())
    assert make_split() == committed
    assert not set(committed["tune"]) & set(committed["measure"])
    assert len(committed["tune"]) + len(committed["measure"]) == 277


@needs_data
def test_related_questions_never_straddle_the_parts() -> None:
    data = load_mediqa(part="all")
    split = json.loads(SPLIT_FILE.read_text())
    part_of = {q: p for p in ("tune", "measure") for q in split[p]}
    for group in question_groups(data.queries, data.qrels):
        assert len({part_of[q] for q in group}) == 1, group
    flu = [q for q, t in data.queries.items() if q.startswith("alexa_") and t.rstrip("?").endswith("Flu")]
    assert len(flu) == 5 and len({part_of[q] for q in flu}) == 1


@needs_data
def test_parts_hold_only_their_questions_with_a_relevant_answer() -> None:
    measure, tune = load_mediqa(part="measure"), load_mediqa(part="tune")
    assert not set(measure.queries) & set(tune.queries)
    assert len(measure.queries) + len(tune.queries) == 275  # 2 questions have no answer scored >= 2
    assert all(max(measure.qrels[q].values()) >= 2 for q in measure.queries)
    assert measure.info["relevant_from"] == 2 and measure.info["parts"]["measure"] == sorted(measure.queries)
    with pytest.raises(DatasetError, match="part"):
        load_mediqa(part="test")


def test_binary_measures_take_the_relevance_threshold_ndcg_the_grades() -> None:
    qrels = {"q": {"related": 1, "answer": 3}}
    run = {"q": {"related": 2.0, "answer": 1.0}}
    lenient, _ = ranking_metrics(qrels, run, k=10)
    strict, _ = ranking_metrics(qrels, run, k=10, relevant_from=2)
    assert lenient["RR@10"] == 1.0 and strict["RR@10"] == 0.5
    assert strict["nDCG@10"] == lenient["nDCG@10"] < 1.0 and strict["Judged@10"] == 1.0
