"""Train the sentence flag classifier (``groundqa train flags``; python -m groundqa_training.flags).

One logistic regression per kind over credibility.flag_features. Feature sets and the regularisation are
chosen, and the decision threshold set, by 5-fold cross-validation grouped by site on the ``tune`` part of the
labelled set (real pages plus the authored pages); the ``test`` part (other sites) is scored once, at the end.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from groundqa.credibility.flag_features import featurise
from groundqa.eval import stats
from groundqa.eval.flagset.data import Labelled, authored_rows, labelled_rows, medquad_negatives

KINDS = ("commercial", "unverified")
VARIANTS = ("cues", "text", "text+cues", "text+cues+embedding")
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


@dataclass
class Fitted:
    variant: str
    c: float
    threshold: float
    cv_f1: float


def embeddings(rows: list[Labelled], cache: Path) -> np.ndarray:
    from groundqa.core.encoder import Encoder

    texts = [r.item.text for r in rows]
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = cache / f"flag-embeddings-{key}.npy"
    if path.is_file():
        return np.load(path)
    vectors = Encoder("bundled").encode(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def matrix(rows: list[Labelled], variant: str, vectors: np.ndarray):  # type: ignore[no-untyped-def]
    """The feature matrix of one variant (columns of the full matrix)."""
    from groundqa.credibility.flag_features import handcrafted, text_features
    from scipy.sparse import csr_matrix

    if variant == "cues":
        return csr_matrix(np.vstack([handcrafted(r.item, r.page) for r in rows]))
    if variant == "text":
        return text_features([r.item for r in rows])
    full = featurise([r.item for r in rows], [r.page for r in rows], vectors if "embedding" in variant else None)
    return full


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    grid = np.round(np.arange(0.1, 0.91, 0.02), 2)
    scores = [(stats.prf(y, p >= t)["f1"], t) for t in grid]
    f1, t = max(scores, key=lambda x: (round(x[0], 4), -abs(x[1] - 0.5)))
    return float(t), float(f1)


def cross_validate(x, y: np.ndarray, groups: list[str], c: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    for train, held in GroupKFold(n_splits=5).split(x, y, groups):
        model = LogisticRegression(C=c, max_iter=3000, solver="liblinear")
        model.fit(x[train], y[train])
        out[held] = model.predict_proba(x[held])[:, 1]
    return out


def rule_baseline(rows: list[Labelled], kind: str) -> np.ndarray:
    """A flag wherever a cue of the kind matches (the lexicon alone, no model)."""
    from groundqa.credibility.cues import cues_in

    return np.array([any(c.kind == kind for c in cues_in(r.item.text)) for r in rows], dtype=float)


def train(out: Path, cache: Path, *, variants: tuple[str, ...] = VARIANTS, c_grid: tuple[float, ...] = C_GRID,
          weak_negatives: int = 2000, log=print) -> dict:
    from sklearn.linear_model import LogisticRegression
    began = time.time()
    rows = labelled_rows() + authored_rows()
    test_sites = {r.site for r in rows if r.split == "test"}
    rows += medquad_negatives(limit=weak_negatives, test_sites=test_sites) if weak_negatives else []
    tune = [r for r in rows if r.split == "tune"]
    test = [r for r in rows if r.split == "test"]
    vectors = embeddings(tune + test, cache)
    tune_vec, test_vec = vectors[:len(tune)], vectors[len(tune):]
    groups = [r.site for r in tune]
    report: dict = {"rows": {"tune": len(tune), "test": len(test), "weak_negatives": weak_negatives},
                    "variants": list(variants), "c_grid": list(c_grid), "kinds": {}}
    chosen: dict[str, Fitted] = {}
    matrices = {v: (matrix(tune, v, tune_vec), matrix(test, v, test_vec)) for v in variants}
    for kind in KINDS:
        y = np.array([getattr(r, kind) for r in tune])
        cv: dict[str, dict] = {}
        best: Fitted | None = None
        for variant in variants:
            x = matrices[variant][0]
            for c in c_grid:
                p = cross_validate(x, y, groups, c)
                t, f1 = best_threshold(y, p)
                cv[f"{variant} C={c}"] = round(f1, 4)
                log(f"{kind:10} {variant:22} C={c:<5} cv F1 {f1:.4f} at {t}  ({time.time() - began:.0f}s)")
                if best is None or f1 > best.cv_f1 + 1e-9:
                    best = Fitted(variant, c, t, f1)
        chosen[kind] = best
        x_tune, x_test = matrices[best.variant]
        model = LogisticRegression(C=best.c, max_iter=3000, solver="liblinear").fit(x_tune, y)
        y_test = np.array([getattr(r, kind) for r in test])
        p_test = model.predict_proba(x_test)[:, 1]
        predicted = p_test >= best.threshold
        rules = rule_baseline(test, kind)

        def scores(gold: np.ndarray, pred: np.ndarray) -> dict:
            s = stats.prf(gold, pred, digits=3)
            return {k: s[k] for k in ("precision", "recall", "f1", "support")}

        report["kinds"][kind] = {"chosen": best.__dict__, "cv": cv, "test": scores(y_test, predicted),
                                 "test_cue_rule_baseline": scores(y_test, rules.astype(bool)),
                                 "test_by_origin": {o: scores(y_test[m], predicted[m]) for o in
                                                    sorted({r.origin for r in test})
                                                    if (m := np.array([r.origin == o for r in test])).any()}}
        log(f"{kind}: chosen {best}; test {report['kinds'][kind]['test']}; cue rule "
            f"{report['kinds'][kind]['test_cue_rule_baseline']}")
        _save(out, kind, model, best)
    report["seconds"] = round(time.time() - began)
    (out / "training.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def _save(out: Path, kind: str, model, fitted: Fitted) -> None:  # type: ignore[no-untyped-def]
    """Weights as a sparse npz (no pickles): indices and values of the non-zero coefficients."""
    out.mkdir(parents=True, exist_ok=True)
    coef = model.coef_.ravel().astype(np.float32)
    nonzero = np.flatnonzero(coef)
    np.savez_compressed(out / f"{kind}.npz", index=nonzero.astype(np.int32), value=coef[nonzero],
                        size=np.array([coef.size]), intercept=np.array([float(model.intercept_[0])]))
    meta_path = out / "classifier.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    meta[kind] = {"variant": fitted.variant, "c": fitted.c, "threshold": fitted.threshold,
                  "cv_f1": round(fitted.cv_f1, 4)}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
