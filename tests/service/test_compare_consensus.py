"""Positions of a group: agreeing statements share a side, disagreeing ones take the other side."""

from __future__ import annotations

from groundqa.engine.compare.consensus import sides
from groundqa.engine.compare.records import Pair


def _pair(a: str, b: str, relation: str) -> Pair:
    return Pair(a=a, b=b, relation=relation, disagree=0.0, agree=0.0, cosine=0.9, within_source=False)


def test_sides_follow_agree_and_disagree_from_the_best_ranked_statement() -> None:
    pairs = [_pair("s1", "s2", "disagree"), _pair("s2", "s3", "agree"), _pair("s3", "s4", "disagree")]
    rank = {"s4": 0, "s1": 1, "s2": 2, "s3": 3}
    assert sides(["s1", "s2", "s3", "s4"], pairs, lambda s: (rank[s],)) == [["s4", "s1"], ["s2", "s3"]]


def test_a_group_that_only_agrees_has_one_side() -> None:
    assert sides(["s1", "s2"], [_pair("s1", "s2", "agree")], lambda s: (s,)) == [["s1", "s2"]]


def test_a_stage_is_not_a_quantity_that_groups_statements() -> None:
    from groundqa.engine.compare.grouping import topics

    staged = topics("A sign of severe, stage 4 cancer of the breast is the appearance of metastases.")
    assert [q.dimension for q in staged.figures] == ["stage"] and not staged.quantities
    assert topics("Patients live an average of 19 months.").quantities == {"[time]"}
