"""The flag measurement: the labelled set's shape and split, the shipped model against the cue baseline on the
never-tuned sites, MedQuAD's flag rate, and the ``flags-eval`` command."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from groundqa.core.records import KINDS
from groundqa.eval.flags import DEFAULT_MEDQUAD, evaluate_rows, medquad_flag_rate
from groundqa.eval.flagset.data import labelled_rows
from groundqa.eval.flagset.pages import DATASETS
from groundqa_training.flags import rule_baseline

from tests.conftest import groundqa

# Dataset-scale, so in the slow run: the label set is read back from its pages (every webcred and MedQuAD page is
# parsed, over a minute on 2 cores), then the model judges its ~1,700 sentences (the command: minutes).
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (DATASETS / "webcred").is_dir(),
                                 reason=f"the label set reads its pages from {DATASETS}, which is not here")]


@pytest.fixture(scope="module")
def rows():
    return labelled_rows()


def test_the_split_is_by_site_and_the_test_part_has_enough_of_each_kind(rows) -> None:
    tune_sites = {r.site for r in rows if r.split == "tune"}
    test_sites = {r.site for r in rows if r.split == "test"}
    assert tune_sites and test_sites and not tune_sites & test_sites
    positives = Counter(k for r in rows if r.split == "test" for k in KINDS if getattr(r, k))
    assert positives["commercial"] >= 100 and positives["unverified"] >= 50
    assert len(rows) >= 1500 and len({r.row_id for r in rows}) == len(rows)


def test_the_model_beats_the_cue_rules_on_sites_it_never_saw(rows) -> None:
    from sklearn.metrics import f1_score

    test = [r for r in rows if r.split == "test"]
    result = evaluate_rows(test)
    for kind in KINDS:
        model_f1 = result.counts["split=test"][kind].scores()["f1"]
        gold = [bool(getattr(r, kind)) for r in test]
        rules_f1 = f1_score(gold, rule_baseline(test, kind).astype(bool), zero_division=0)
        assert model_f1 > rules_f1, (kind, model_f1, rules_f1)
    assert len(result.public_commercial) <= max(1, result.public_rows // 50)  # public bodies are not sellers


# five minutes: every sentence of 300 answers is embedded and judged
@pytest.mark.skipif(not DEFAULT_MEDQUAD.is_dir(), reason=f"MedQuAD is not at {DEFAULT_MEDQUAD}")
@pytest.mark.xfail(strict=True, reason="the issue's target (at most 2% of MedQuAD answers flagged) is not met: 6% of "
                   "the first 300 (models/flags/MODEL_CARD.md)")
def test_at_most_two_percent_of_medquad_answers_carry_a_flag() -> None:
    result = medquad_flag_rate(DEFAULT_MEDQUAD, limit=300)
    assert result.answers == 300 and result.rate <= 0.02, result.examples[:5]


def test_flags_eval_command_reports_the_never_tuned_split_first() -> None:
    out = groundqa("flags-eval", "--no-medquad", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    groups = list(report["sentence_level"])
    assert groups[0].startswith("split=test") and "split=tune" in groups
    assert set(report["sentence_level"]["split=test"]) == set(KINDS)
    assert report["model"].startswith("flags-")
