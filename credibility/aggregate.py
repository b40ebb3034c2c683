"""From window judgements to one judgement of the claim.

The audit judges a claim against a few cited windows (a sentence or two each); a reviewer wants one
distribution for the claim. Two ways are shipped, chosen by measurement (models/verifier/aggregate.json, fitted
by ``groundqa train aggregate`` on HealthVer ``calib`` passages, which is how the audit is used):
- ``decisive``: the distribution of the window the verifier is most decided about (least "neither"), ties
  broken by similarity to the claim;
- ``logistic``: a multinomial logistic layer over features of all the windows' distributions (the decisive
  window's, the largest support and refutation, the mean, the closest window's, the best similarity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FEATURES = ("decisive_supports", "decisive_refutes", "decisive_neither", "max_supports", "max_refutes",
            "min_neither", "mean_supports", "mean_refutes", "mean_neither", "closest_supports", "closest_refutes",
            "closest_neither", "max_similarity", "windows")


def decisive_index(probabilities: np.ndarray, similarities: np.ndarray) -> int:
    """The window the verifier is most decided about (smallest p(neither)); ties: the one closest to the claim."""
    keys = [(1.0 - float(p[2]), float(s)) for p, s in zip(probabilities, similarities, strict=True)]
    return max(range(len(keys)), key=lambda i: keys[i])


def window_features(probabilities: np.ndarray, similarities: np.ndarray) -> np.ndarray:
    """The FEATURES of one claim's judged windows (calibrated probabilities, one row per window)."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    s = np.asarray(similarities, dtype=np.float64).reshape(-1)
    decisive = p[decisive_index(p, s)]
    closest = p[int(np.argmax(s))]
    return np.concatenate([decisive, [p[:, 0].max(), p[:, 1].max(), p[:, 2].min()], p.mean(0), closest,
                           [s.max(), np.log1p(len(p))]])


@dataclass(frozen=True)
class Aggregator:
    """How window distributions become the claim's; ``kind`` says which way (module docstring)."""

    kind: str = "decisive"
    coef: tuple[tuple[float, ...], ...] = ()
    intercept: tuple[float, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    @classmethod
    def read(cls, path: Path) -> Aggregator:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(kind=data["kind"], coef=tuple(tuple(r) for r in data.get("coef", ())),
                   intercept=tuple(data.get("intercept", ())), mean=tuple(data.get("mean", ())),
                   scale=tuple(data.get("scale", ())))

    def combine(self, probabilities: np.ndarray, similarities: np.ndarray) -> np.ndarray:
        """The claim's distribution over supports / refutes / neither."""
        p = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
        if self.kind == "decisive" or not self.coef:
            return p[decisive_index(p, np.asarray(similarities).reshape(-1))]
        x = (window_features(p, similarities) - np.array(self.mean)) / np.array(self.scale)
        z = np.array(self.coef) @ x + np.array(self.intercept)
        z = np.exp(z - z.max())
        return z / z.sum()
