"""Fusion and source ranking (service/ranking.py), the code the engine runs and the sweeps measured."""

from __future__ import annotations

import pytest
from groundqa.engine.ranking import RankSettings, aggregate, convex, grouped, rank_sources, rrf

SOURCE = {1: "a", 2: "a", 3: "a", 4: "b", 5: "c", 6: "d"}
LISTS = {"bm25": [(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0)], "dense": [(5, 0.9), (1, 0.8), (6, 0.7), (4, 0.6)]}


def test_weighted_rrf_and_convex_by_hand() -> None:
    fused = rrf({"x": [1, 2], "y": [2]}, k=10, weights={"y": 2.0})
    assert fused == pytest.approx({1: 1 / 11, 2: 1 / 12 + 2 / 11})
    mixed = convex({"x": [(1, 10.0), (2, 5.0), (3, 0.0)], "y": [(3, 0.9), (1, 0.5)]}, weights={"x": 0.5, "y": 0.5})
    assert mixed == pytest.approx({1: 0.5, 2: 0.25, 3: 0.5})


def test_sources_aggregate_their_passages() -> None:
    scores = {1: 0.5, 2: 0.4, 3: 0.3, 4: 0.6}
    assert aggregate(scores, SOURCE, "max") == pytest.approx({"a": 0.5, "b": 0.6})
    assert aggregate(scores, SOURCE, "sum2") == pytest.approx({"a": 0.9, "b": 0.6})
    assert aggregate(scores, SOURCE, "sum3") == pytest.approx({"a": 1.2, "b": 0.6})


def test_one_per_source_lists_k_distinct_sources_in_source_rank_order() -> None:
    settings = RankSettings(per_source=1, level="source", rrf_k=60)
    listed = grouped(LISTS, SOURCE, settings, k=4)
    assert [SOURCE[row] for row, _, _ in listed] == rank_sources(LISTS, SOURCE, settings)[:4]
    assert len({SOURCE[row] for row, _, _ in listed}) == 4
    assert listed[0][0] == 1  # source a's best passage stands for it
    assert listed[0][2] == {"bm25": 1, "dense": 2}


def test_a_cap_keeps_one_source_from_crowding_out_the_others() -> None:
    crowded = {"bm25": [(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0), (5, 5.0)]}
    uncapped = grouped(crowded, SOURCE, RankSettings(per_source=None), k=4)
    capped = grouped(crowded, SOURCE, RankSettings(per_source=2), k=4)
    assert [SOURCE[r] for r, _, _ in uncapped].count("a") == 3
    assert [SOURCE[r] for r, _, _ in capped].count("a") == 2 and len(capped) == 4
    scores = [s for _, s, _ in capped]
    assert scores == sorted(scores, reverse=True)  # passages stay in fused-score order


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_a_longer_list_starts_with_the_shorter_one(k: int) -> None:
    for settings in (RankSettings(), RankSettings(per_source=1), RankSettings(per_source=2, fusion="convex")):
        assert grouped(LISTS, SOURCE, settings, k=k) == grouped(LISTS, SOURCE, settings, k=6)[:k]


@pytest.mark.parametrize("bad", [{"fusion": "sum"}, {"aggregate": "mean"}, {"level": "doc"}, {"rrf_k": 0},
                                 {"per_source": 0}, {"candidates": 0}])
def test_bad_settings_are_refused_with_the_value(bad: dict) -> None:
    with pytest.raises(ValueError, match=str(next(iter(bad.values())))):
        RankSettings(**bad)


def test_the_engines_defaults_are_the_settings_defaults() -> None:
    from groundqa.core.settings import Settings
    from groundqa.engine.ranking import from_settings

    assert from_settings(Settings()) == RankSettings()
