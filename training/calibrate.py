"""Calibrate the verifier on HealthVer ``calib`` claims and export what ships in models/verifier.

Temperature scaling (Guo et al. 2017) fits one temperature to the calibration logits by log-loss; then a
log-prior shift per class is chosen by grid search for macro-F1 (the decision rule) and kept only when it beats
plain argmax out of fold (2-fold cross-fitting on the same split, repeated over 20 random halvings: a shift
fitted on 300 pairs can chase noise), and the thresholds that
split "not supported" from "unclear" (and "supported" from "partly supported") are the lowest probabilities at
which those verdicts are right at least 85% of the time on the same split.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from groundqa.credibility.verifier import LABELS, Calibration
from groundqa.eval.stats import macro_f1_codes  # numpy: the grid calls it thousands of times

PRECISION_FOR_STRONG_VERDICTS = 0.85


def _nll(logits: np.ndarray, gold: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(gold)), gold].mean())


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 200))
    return float(min(grid, key=lambda t: _nll(logits, gold, t)))


def fit_shift(probabilities: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Log-prior shifts for refutes and neither (supports fixed at 0) that maximise macro-F1; ties: smallest."""
    log_p = np.log(np.clip(probabilities, 1e-12, 1.0))
    grid = np.round(np.arange(-1.5, 1.51, 0.1), 2)
    best = max(itertools.product(grid, grid),
               key=lambda s: (round(macro_f1_codes(gold, (log_p + np.array([0.0, *s])).argmax(1), len(LABELS)), 4),
                              -abs(s[0]) - abs(s[1])))
    return 0.0, float(best[0]), float(best[1])


def shift_helps(probabilities: np.ndarray, gold: np.ndarray, *, repeats: int = 20, seed: int = 0) -> bool:
    """Whether a shift fitted on one half beats argmax on the other half, on average over random halvings."""
    rng = np.random.default_rng(seed)
    log_p = np.log(np.clip(probabilities, 1e-12, 1.0))
    gains = []
    for _ in range(repeats):
        order = rng.permutation(len(gold))
        for fit, held in ((order[::2], order[1::2]), (order[1::2], order[::2])):
            shift = np.array(fit_shift(probabilities[fit], gold[fit]))
            gains.append(macro_f1_codes(gold[held], (log_p[held] + shift).argmax(1), len(LABELS))
                         - macro_f1_codes(gold[held], log_p[held].argmax(1), len(LABELS)))
    return float(np.mean(gains)) > 0.0


def _strong_threshold(scores: np.ndarray, correct: np.ndarray) -> float:
    """The lowest probability from which the verdict is right 85% of the time; 0 when no probability gets there
    (then the model's confidence does not tell strong from weak verdicts, and the milder verdict is never used)."""
    for t in np.round(np.arange(0.5, 0.99, 0.01), 2):
        chosen = scores >= t
        if chosen.sum() >= 5 and correct[chosen].mean() >= PRECISION_FOR_STRONG_VERDICTS:
            return float(t)
    return 0.0


def calibrate(logits: np.ndarray, gold_labels: list[str]) -> Calibration:
    gold = np.array([LABELS.index(g) for g in gold_labels])
    temperature = fit_temperature(logits, gold)
    base = Calibration(temperature=temperature)
    probabilities = base.probabilities(logits)
    shift = fit_shift(probabilities, gold) if shift_helps(probabilities, gold) else (0.0, 0.0, 0.0)
    decided = (np.log(np.clip(probabilities, 1e-12, 1)) + np.array(shift)).argmax(1)
    supports, neither = decided == 0, decided == 2
    return Calibration(temperature, shift,
                       _strong_threshold(probabilities[supports, 0], gold[supports] == 0),
                       _strong_threshold(probabilities[neither, 2], gold[neither] == 2))


def export(run: Path, target: Path, calibration: Calibration, card_facts: dict) -> None:
    """Write the fine-tuned layers and head (fp16, not the bundled embeddings), config and calibration."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(run / "model")
    state = {k: v.to(torch.float16).contiguous() for k, v in model.state_dict().items()
             if not k.startswith("bert.embeddings.")}
    target.mkdir(parents=True, exist_ok=True)
    save_file(state, str(target / "delta.safetensors"), metadata={"base": "sentence-transformers/all-MiniLM-L6-v2"})
    model.config.save_pretrained(target)
    (target / "calibration.json").write_text(json.dumps(asdict(calibration), indent=1) + "\n", encoding="utf-8")
    (target / "training.json").write_text(json.dumps(card_facts, indent=1) + "\n", encoding="utf-8")
