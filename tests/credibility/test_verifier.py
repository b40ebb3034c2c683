"""The shipped verifier: it loads offline from models/verifier, its probabilities are calibrated distributions,
and its verdicts follow from them with the recorded thresholds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from groundqa.credibility.verifier import LABELS, MODEL_DIR, Calibration, verifier


def test_the_shipped_model_is_small_and_has_a_card() -> None:
    shipped = sum(p.stat().st_size for p in MODEL_DIR.iterdir() if p.is_file())
    assert shipped < 25 * 2**20, f"models/verifier is {shipped / 2**20:.1f} MB"
    card = (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needed in ("HealthVer", "COVID-Fact", "SciFact", "macro-F1", "groundqa train verifier", "seed"):
        assert needed in card, needed
    calibration = json.loads((MODEL_DIR / "calibration.json").read_text(encoding="utf-8"))
    assert calibration["temperature"] > 0


def test_probabilities_are_distributions() -> None:
    p = verifier().probabilities([("The drug lowers blood pressure.", "The drug lowers blood pressure in adults."),
                                  ("The drug lowers blood pressure.", "Snow fell in the Alps in January.")])
    assert p.shape == (2, 3)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    assert (p >= 0).all()


@pytest.mark.parametrize(("claim", "evidence", "expected"), [
    pytest.param("Patients with metastatic breast cancer live an average of 19 months.",
                 "Patients with metastatic breast cancer live an average of 19 months from diagnosis.", "supports",
                 marks=pytest.mark.xfail(strict=True, reason="a known error of the shipped model "
                                         "(models/verifier/MODEL_CARD.md, Limits): a near-copy read as refutes; the "
                                         "audit's containment rule decides such a citation")),
    pytest.param("Vitamin C cures COVID-19.", "There is no evidence that vitamin C cures or prevents COVID-19.",
                 "refutes", marks=pytest.mark.xfail(strict=True, reason="a known error of the shipped model "
                                                    "(models/verifier/MODEL_CARD.md, Limits): 'no evidence that' "
                                                    "read as support (p 0.450 against refutes 0.449)")),
    ("Wearing masks reduces the spread of influenza.",
     "The museum opens at nine in the morning and closes at five.", "neither"),
])
def test_clear_cases_get_their_label_as_the_most_probable(claim: str, evidence: str, expected: str) -> None:
    p = verifier().probabilities([(claim, evidence)])[0]
    assert LABELS[int(np.argmax(p))] == expected, dict(zip(LABELS, p.round(3), strict=True))


def test_verdicts_follow_the_probabilities_and_thresholds() -> None:
    c = Calibration(temperature=1.0, shift=(0.0, 0.0, 0.0), supported=0.8, not_supported=0.7)
    assert c.verdict(np.array([0.9, 0.05, 0.05])) == "supported"
    assert c.verdict(np.array([0.6, 0.1, 0.3])) == "partly supported"
    assert c.verdict(np.array([0.2, 0.7, 0.1])) == "contradicted"
    assert c.verdict(np.array([0.1, 0.1, 0.8])) == "not supported"
    assert c.verdict(np.array([0.3, 0.2, 0.5])) == "unclear"
    shifted = Calibration(shift=(0.0, 1.0, 0.0))  # a log-prior shift can move a close call to refutes
    assert shifted.verdict(np.array([0.45, 0.35, 0.2])) == "contradicted"


def test_temperature_scaling_keeps_the_ranking_and_softens() -> None:
    logits = np.array([[2.0, 0.5, -1.0]])
    hot, cold = Calibration(temperature=2.0).probabilities(logits), Calibration(temperature=1.0).probabilities(logits)
    assert hot.argmax() == cold.argmax() and hot.max() < cold.max()


def test_a_claim_longer_than_the_window_is_cut_not_an_error() -> None:
    # compare reads whole sentences both ways, so a long sentence can be the claim of a short one
    long_claim = " ".join(["Metastatic breast cancer is treated with chemotherapy and hormone therapy"] * 30)
    p = verifier().probabilities([(long_claim, "Chemotherapy is used."), ("Chemotherapy is used.", long_claim)])
    assert p.shape == (2, 3)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
