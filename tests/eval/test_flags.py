"""The flag measurement: dev set shape, sentence-level F1, the cheap screen's safety, MedQuAD false positives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from groundqa.credibility.cues import KINDS, may_flag
from groundqa.credibility.flags import judge_sentence
from groundqa.eval.flags import DEFAULT_MEDQUAD, DEV_SET, evaluate_dev, medquad_false_positives

from tests.conftest import groundqa

ROWS = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
HAS_MEDQUAD = DEFAULT_MEDQUAD.is_dir()
NO_MEDQUAD = f"MedQuAD is not at {DEFAULT_MEDQUAD}; its rows and the false-positive run are skipped"


def test_dev_set_rows_are_well_formed() -> None:
    assert {r["origin"] for r in ROWS} == {"seed", "medquad", "authored"}
    assert {r["split"] for r in ROWS} == {"dev", "heldout"}
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    for r in ROWS:
        assert set(r["flags"]) <= set(KINDS)
        if r["origin"] == "medquad":
            assert "text" not in r and len(r["sha1"]) == 12  # MedQuAD text is read at run time, never stored
    for kind in KINDS:
        assert sum(kind in r["flags"] for r in ROWS if r["split"] == "heldout") >= 10


@pytest.fixture(scope="module")
def dev_result():
    return evaluate_dev(medquad=DEFAULT_MEDQUAD if HAS_MEDQUAD else None)


def test_f1_per_kind_on_the_dev_split_meets_the_target(dev_result) -> None:
    for kind in KINDS:
        assert dev_result.counts["split=dev"][kind].scores()["f1"] >= 0.85, kind


def test_held_out_rows_are_measured_and_not_collapsed(dev_result) -> None:
    """Held-out rows were never used for tuning; the figure is reported, this only guards against a collapse."""
    for kind in KINDS:
        scores = dev_result.counts["split=heldout"][kind].scores()
        assert scores["support"] >= 10 and scores["f1"] >= 0.7, (kind, scores)


def test_the_cheap_screen_never_hides_a_flagged_sentence() -> None:
    from groundqa.ingest.records import SourceMeta

    texts = [r["text"] for r in ROWS if "text" in r]
    texts += ["Mon - Sat from 09:00 to 20:00", "Sun - closed", "Call us on +44 20 7946 0958 today."]
    from groundqa.credibility.flags import _context

    for text in texts:
        if judge_sentence(text, 0, _context(text, SourceMeta())).kinds():
            assert may_flag(text), text


def test_medquad_sample_false_positive_rate_is_low() -> None:
    if not HAS_MEDQUAD:
        pytest.skip(NO_MEDQUAD)
    result = medquad_false_positives(DEFAULT_MEDQUAD, limit=800)
    assert result.answers == 800 and result.rate <= 0.02, result.examples


@pytest.mark.slow
def test_medquad_false_positive_rate_over_all_answers_is_at_most_two_percent() -> None:
    if not HAS_MEDQUAD:
        pytest.skip(NO_MEDQUAD)
    result = medquad_false_positives(DEFAULT_MEDQUAD)
    assert result.answers > 10_000 and result.rate <= 0.02


def test_flags_eval_command_reports_figures(tmp_path: Path) -> None:
    out = groundqa("flags-eval", "--no-medquad", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report["sentence_level"]["split=dev"]) == set(KINDS)
    missing = groundqa("flags-eval", "--dev", str(tmp_path / "none.jsonl"), "--no-medquad")
    assert missing.returncode != 0 and "no such dev set" in missing.stderr
