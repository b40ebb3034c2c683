"""Fit how window judgements combine into the claim's (credibility.aggregate) on HealthVer ``calib`` passages.

Each HealthVer dev row pairs a claim with a multi-sentence evidence passage, as a reviewer's citation does. The
claim is judged through the audit's own path (``Auditor.window_judgements``: cited windows, the closest few by
the stored sentence vectors, the verifier's calibrated probabilities), and a multinomial logistic layer over
the windows' features is fitted to the passage label. It is kept only when it beats the decisive-window rule out
of fold on ``calib`` (repeated stratified 5-fold cross-validation); ``test`` groups are never read here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from groundqa.credibility.aggregate import FEATURES, Aggregator, window_features
from groundqa.eval import stats
from groundqa.eval.claims import LABELS, ClaimPair, healthver


def judged_windows(pairs: list[ClaimPair], cache: Path, *, progress: bool = True
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(probabilities, similarities) of each pair's candidate windows, through the audit's own code."""
    from groundqa.core.settings import Settings
    from groundqa.engine.audit.auditor import Auditor
    from groundqa.engine.audit.records import CitationRef
    from groundqa.engine.audit.resolve import resolve
    from groundqa.engine.query import Engine
    from groundqa.eval.claimrun import evidence_index, source_id
    from tqdm import tqdm

    index = evidence_index(healthver(), cache, settings=Settings(), progress=progress)  # every dev passage, once
    engine = Engine.load(index)
    try:
        out = []
        for p in tqdm(pairs, desc="judge windows", unit="claim", disable=not progress):
            auditor = Auditor(engine, max_span=100_000, max_claims=10)
            sid = source_id(p.evidence)
            text = engine.source(sid).text
            cited = resolve(engine, CitationRef(source_id=sid, start=0, end=len(text)), max_span=100_000)
            _, probabilities, similarities = auditor.window_judgements(p.claim, [cited])
            out.append((probabilities, similarities))
        return out
    finally:
        engine.close()


def _predict(aggregator: Aggregator, judged: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    return np.array([int(np.argmax(aggregator.combine(p, s))) for p, s in judged])


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Aggregator:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0) + 1e-6
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit((x - mean) / scale, y)
    coef = np.zeros((3, x.shape[1]))
    intercept = np.zeros(3)
    coef[model.classes_] = model.coef_
    intercept[model.classes_] = model.intercept_
    return Aggregator("logistic", tuple(map(tuple, coef.round(6).tolist())), tuple(intercept.round(6).tolist()),
                      tuple(mean.round(6).tolist()), tuple(scale.round(6).tolist()))


def fit(out: Path, cache: Path, *, c_grid: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0), repeats: int = 5,
        log=print) -> dict:
    """Choose and write ``out/aggregate.json``; returns the out-of-fold figures of every candidate."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    calib = [p for p in healthver() if p.split == "calib" and p.label in LABELS]
    judged = judged_windows(calib, cache)
    y = np.array([LABELS.index(p.label) for p in calib])
    x = np.vstack([window_features(p, s) for p, s in judged])
    decisive = _predict(Aggregator(), judged)
    folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=13).split(x, y))
    figures: dict[str, float] = {"decisive": stats.macro_f1_codes(y, decisive, 3)}
    decisive_scores = [stats.macro_f1_codes(y[held], decisive[held], 3) for _, held in folds]
    for c in c_grid:
        scores = []
        for train, held in folds:
            model = _fit(x[train], y[train], c)
            scores.append(stats.macro_f1_codes(y[held], _predict(model, [judged[i] for i in held]), 3))
        figures[f"logistic C={c}"] = float(np.mean(scores))
        figures[f"logistic C={c} gain over decisive"] = float(np.mean(np.array(scores) - decisive_scores))
    best_c = max(c_grid, key=lambda c: figures[f"logistic C={c}"])
    chosen = _fit(x, y, best_c) if figures[f"logistic C={best_c} gain over decisive"] > 0 else Aggregator()
    data = {"kind": chosen.kind, "features": list(FEATURES), "coef": [list(r) for r in chosen.coef],
            "intercept": list(chosen.intercept), "mean": list(chosen.mean), "scale": list(chosen.scale),
            "fitted_on": f"HealthVer dev calib groups, {len(calib)} passages (labels/claims_split.json)",
            "out_of_fold_macro_f1": {k: round(v, 4) for k, v in figures.items()},
            "chosen_c": best_c if chosen.kind == "logistic" else None}
    out.mkdir(parents=True, exist_ok=True)
    (out / "aggregate.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    log(json.dumps(data["out_of_fold_macro_f1"], indent=1))
    log(f"chosen: {chosen.kind}")
    return data
