"""The statement-pair relation: figures compared by unit, the verifier's two readings, the settings' thresholds."""

from __future__ import annotations

import numpy as np
from groundqa.credibility.checks.numbers import quantities
from groundqa.credibility.relation import Settings, decide, figure_conflicts


def test_figures_of_one_dimension_that_do_not_overlap_conflict() -> None:
    a = quantities("Patients live an average of 19 months after diagnosis.")
    assert figure_conflicts(a, quantities("Patients live an average of 29 months.")) == ["19 months vs 29 months"]
    assert figure_conflicts(a, quantities("Median survival is about two years.")) == ["19 months vs two years"]
    assert figure_conflicts(a, quantities("Survival is 1.5 years on average.")) == []  # 18 months +- hedge
    assert figure_conflicts(a, quantities("Survival at five years is 30%.")) == ["19 months vs five years"]


def test_figures_of_other_dimensions_never_conflict() -> None:
    assert figure_conflicts(quantities("29 patients were treated."), quantities("They lived 29 months.")) == []


def test_decide_uses_the_larger_refutes_of_the_two_readings() -> None:
    s = Settings(related_cosine=0.3, disagree_at=0.6, agree_at=0.5)
    one_way = decide(0.8, np.array([0.2, 0.7, 0.1]), np.array([0.6, 0.1, 0.3]), [], s)
    assert one_way.relation == "disagree" and one_way.disagree == 0.7
    agree = decide(0.8, np.array([0.7, 0.1, 0.2]), np.array([0.4, 0.2, 0.4]), [], s)
    assert agree.relation == "agree" and agree.agree == 0.7
    assert decide(0.8, np.array([0.3, 0.2, 0.5]), np.array([0.3, 0.2, 0.5]), [], s).relation == "unrelated"


def test_off_topic_pairs_are_unrelated_and_figures_count_only_on_topic() -> None:
    s = Settings(related_cosine=0.3, disagree_at=0.6, agree_at=0.5, numbers_on_topic=0.6)
    assert decide(0.2, None, None, ["19 months vs 29 months"], s).relation == "unrelated"
    calm = np.array([0.5, 0.1, 0.4])
    assert decide(0.7, calm, calm, ["19 months vs 29 months"], s).relation == "disagree"
    assert decide(0.5, calm, calm, ["19 months vs 29 months"], s).relation == "agree"
