"""Compare ways of judging claim/evidence pairs on the claims datasets (issue: a trained verifier).

    python bench/verifier_variants.py --runs bench/.cache/verifier/full-e3 [...] [--part calib|test]

Variants, all measured in the same run on the same pairs:
- ``always-neither`` and ``cosine-threshold``: a MiniLM cosine of claim and evidence with two thresholds (the
  best order of the three labels) fitted on the ``train`` part;
- (the audit's hand-set judgement before this issue, ``credibility/support.py``, scored 0.250 on calib; it is
  removed from the product, and its figure stays in bench/README.md)
- ``embedding-head``: a logistic regression over [u, v, |u-v|, u*v, cosine] of the bi-encoder, fitted on the
  ``train`` examples the cross-encoders see;
- ``cross-encoder <run>``: a fine-tuned cross-encoder, temperature and class shifts fitted on HealthVer calib;
- ``cross-encoder+checks <run>``: a logistic regression over the cross-encoder's logits and the checks'
  conflict and missing counts, fitted on HealthVer calib.
``--part calib`` is for choosing; ``--part test`` reports the split nothing was tuned on.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from common import ROOT  # noqa: F401  (puts the repository on sys.path)
from groundqa.credibility.verifier import LABELS
from groundqa.eval import stats
from groundqa.eval.claimrun import apply_cosine_thresholds, fit_cosine_thresholds
from groundqa_training.pairs import claim_pairs, evidence_window, training_examples


def macro_f1_interval(gold: np.ndarray, predicted: np.ndarray, *, n: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Percentile 95% interval of macro-F1 over resampled pairs (the one bootstrap, groundqa.eval.stats)."""
    gold, predicted = np.asarray(gold, dtype=int), np.asarray(predicted, dtype=int)
    return stats.interval(stats.bootstrap(lambda idx: stats.macro_f1_codes(gold[idx], predicted[idx], len(LABELS)),
                                          len(gold), samples=n, seed=seed))


class CachedEncoder:
    """The bundled encoder with an on-disk cache: the sweeps re-embed the same pairs many times."""

    def __init__(self, folder: Path) -> None:
        from groundqa.core.encoder import Encoder

        self._encoder = Encoder("bundled")
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        import hashlib

        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:20]
        path = self._folder / f"{key}.npy"
        if path.is_file():
            return np.load(path)
        vectors = self._encoder.encode(texts)
        np.save(path, vectors)
        return vectors


def encoder():
    return CachedEncoder(ROOT / "bench" / ".cache" / "verifier" / "embeddings")


def features(enc, claims: list[str], evidence: list[str]) -> tuple[np.ndarray, np.ndarray]:
    u, v = enc.encode(claims), enc.encode(evidence)
    cos = (u * v).sum(1)
    return np.hstack([u, v, np.abs(u - v), u * v, cos[:, None]]), cos


def check_counts(claims: list[str], evidence: list[str]) -> np.ndarray:
    from groundqa.credibility.checks import check_names, check_negation, check_numbers

    rows = []
    for c, e in zip(claims, evidence, strict=True):
        n, m, g = check_numbers(c, e, e), check_names(c, e, e), check_negation(c, e)
        rows.append([len(n.conflicts), len(n.missing), len(m.conflicts), len(m.missing), len(g.conflicts)])
    return np.array(rows, dtype=np.float32)


def cross_encoder_logits(run: Path, claims: list[str], evidence: list[str]) -> np.ndarray:
    from groundqa_training.verifier import predict
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(run / "model")
    tokenizer = AutoTokenizer.from_pretrained(run / "model")
    return predict(model, tokenizer, list(zip(claims, evidence, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, nargs="*", default=[])
    parser.add_argument("--part", choices=("calib", "test"), default="calib")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "verifier_variants.json")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    began = time.time()
    enc = encoder()
    results: dict[str, dict] = {}

    train = training_examples(cache=ROOT / "bench" / ".cache" / "verifier" / "synthetic-1800-13.jsonl")
    train_full = [e for e in train if e.label in LABELS]
    x_train, cos_train = features(enc, [e.claim for e in train_full], [e.evidence for e in train_full])
    y_train = np.array([LABELS.index(e.label) for e in train_full])
    hv_train = [p for p in claim_pairs("train") if p.dataset == "healthver"]
    _, hv_cos = features(enc, [p.claim for p in hv_train], [evidence_window(p.claim, p.evidence) for p in hv_train])
    fitted_cos = fit_cosine_thresholds(hv_cos, np.array([LABELS.index(p.label) for p in hv_train]))
    from sklearn.linear_model import LogisticRegression

    head = LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced").fit(x_train, y_train)

    calib_hv = [p for p in claim_pairs("calib") if p.dataset == "healthver"]
    calib_claims = [p.claim for p in calib_hv]
    calib_ev = [evidence_window(p.claim, p.evidence) for p in calib_hv]
    calib_gold = np.array([LABELS.index(p.label) for p in calib_hv])
    calib_checks = check_counts(calib_claims, calib_ev)
    calib_head = head.predict_log_proba(features(enc, calib_claims, calib_ev)[0])

    for dataset in ("healthver", "covidfact", "scifact"):
        pairs = [p for p in claim_pairs(args.part) if p.dataset == dataset]
        claims = [p.claim for p in pairs]
        ev = [evidence_window(p.claim, p.evidence) for p in pairs]
        gold = np.array([LABELS.index(p.label) if p.label in LABELS else 1 for p in pairs])
        x, cos = features(enc, claims, ev)
        rows: dict[str, np.ndarray] = {
            "always-neither": np.full(len(pairs), 2),
            "cosine-threshold": apply_cosine_thresholds(cos, fitted_cos),
            "embedding-head": head.predict(x),
        }
        checks = check_counts(claims, ev)
        for run in args.runs:
            from groundqa_training.calibrate import calibrate

            logits = cross_encoder_logits(run, claims, ev)
            calib_logits = cross_encoder_logits(run, calib_claims, calib_ev)
            cal = calibrate(calib_logits, [LABELS[g] for g in calib_gold])
            probs = cal.probabilities(logits)
            rows[f"cross-encoder {run.name} (argmax)"] = logits.argmax(1)
            rows[f"cross-encoder {run.name}"] = np.array([cal.decide(p) for p in probs])
            if args.part == "calib" and dataset == "healthver":  # cross-fitted, as for the stack
                from sklearn.model_selection import GroupKFold

                decided = np.zeros(len(pairs), dtype=int)
                for fit, held in GroupKFold(5).split(logits, gold, [p.group for p in pairs]):
                    fold = calibrate(logits[fit], [LABELS[g] for g in gold[fit]])
                    decided[held] = [fold.decide(p) for p in fold.probabilities(logits[held])]
                rows[f"cross-encoder {run.name}"] = decided
            calib_stack = np.hstack([calib_logits, calib_head, calib_checks])
            stack_x = np.hstack([logits, head.predict_log_proba(x), checks])
            stack = LogisticRegression(max_iter=2000, C=0.5, class_weight="balanced")
            if args.part == "calib":  # never score the stack on the pairs it was fitted on: cross-fit by claim
                from sklearn.model_selection import GroupKFold, cross_val_predict

                rows[f"cross-encoder+head+checks {run.name}"] = cross_val_predict(
                    stack, stack_x, gold, groups=[p.group for p in pairs], cv=GroupKFold(5)) \
                    if dataset == "healthver" else stack.fit(calib_stack, calib_gold).predict(stack_x)
            else:
                rows[f"cross-encoder+head+checks {run.name}"] = stack.fit(calib_stack, calib_gold).predict(stack_x)
        results[dataset] = {}
        for name, predicted in rows.items():
            if dataset == "healthver":
                low, high = macro_f1_interval(gold, predicted)
                codes = range(len(LABELS))
                results[dataset][name] = {"macro_f1": round(stats.macro_f1(gold, predicted, codes), 4),
                                          "ci95": [round(low, 4), round(high, 4)],
                                          "per_class_f1": {LABELS[c]: s["f1"] for c, s in
                                                           stats.per_class(gold, predicted, codes, digits=3).items()}}
            else:  # two-way gold: supports vs the rest (SciFact), supports vs refutes (COVID-Fact)
                binary_gold = (gold == 0).astype(int)
                binary_pred = (np.asarray(predicted) == 0).astype(int)
                results[dataset][name] = {"macro_f1_2way": round(stats.macro_f1(binary_gold, binary_pred), 4)}
            print(f"{args.part:5} {dataset:9} {name:45} {results[dataset][name]}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"part": args.part, "cosine_thresholds": fitted_cos, "results": results,
                                    "seconds": round(time.time() - began)}, indent=1) + "\n")


if __name__ == "__main__":
    main()
