"""Scores for ``groundqa eval claims``: confusion matrix, per-class P/R/F1, macro-F1 with a bootstrap 95% interval,
the paired difference to the cosine baseline, expected calibration error and a reliability plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from groundqa.eval import stats
from groundqa.eval.claims import LABELS, NOT_SUPPORTS

TWO_WAY = ("supports", NOT_SUPPORTS)


def label_space(gold: list[str]) -> tuple[str, ...]:
    """Three labels, or the two a dataset has (SciFact: supports / not; COVID-Fact: supports / refutes)."""
    if NOT_SUPPORTS in gold:
        return TWO_WAY
    present = tuple(label for label in LABELS if label in gold)
    return present if len(present) >= 2 else LABELS


def collapse(labels: list[str], space: tuple[str, ...]) -> list[str]:
    return [label if label == "supports" else NOT_SUPPORTS for label in labels] if space == TWO_WAY else labels


def macro_f1(gold: list[str], predicted: list[str], space: tuple[str, ...]) -> float:
    return stats.macro_f1(gold, predicted, space)


def bootstrap_f1(gold: list[str], predicted: list[str], other: list[str] | None, space: tuple[str, ...], *,
                 n: int, seed: int = 0) -> dict[str, Any]:
    """Percentile intervals of macro-F1 (and of the paired difference to ``other``) over resampled cases."""
    code = {label: i for i, label in enumerate(space)}
    g, p = (np.array([code.get(x, len(space)) for x in labels]) for labels in (gold, predicted))
    o = None if other is None else np.array([code.get(x, len(space)) for x in other])

    def scores(idx: np.ndarray) -> list[float]:
        f1 = stats.macro_f1_codes(g[idx], p[idx], len(space))
        return [f1] if o is None else [f1, f1 - stats.macro_f1_codes(g[idx], o[idx], len(space))]

    draws = stats.bootstrap(scores, len(g), samples=n, seed=seed)
    out = {"ci95": [round(x, 4) for x in stats.interval(draws[:, 0])]}
    if o is not None:
        out["difference_ci95"] = [round(x, 4) for x in stats.interval(draws[:, 1])]
    return out


def calibration(probabilities: np.ndarray, gold: list[str], space: tuple[str, ...], bins: int = 10
                ) -> tuple[float, list[dict[str, float]]]:
    """Expected calibration error of the top label (supports vs not for two-way data) and the reliability bins."""
    if space == TWO_WAY:
        p_support = probabilities[:, 0]
        confidence = np.maximum(p_support, 1 - p_support)
        correct = (p_support >= 0.5) == np.array([g == "supports" for g in gold])
    else:
        confidence = probabilities.max(1)
        correct = np.array([LABELS[i] == g for i, g in zip(probabilities.argmax(1), gold, strict=True)])
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence >= lo) & (confidence <= hi)
        if inside.any():
            acc, conf = float(correct[inside].mean()), float(confidence[inside].mean())
            ece += inside.mean() * abs(acc - conf)
            table.append({"low": round(float(lo), 2), "high": round(float(hi), 2), "cases": int(inside.sum()),
                          "accuracy": round(acc, 4), "confidence": round(conf, 4)})
    return round(float(ece), 4), table


def _per_class(gold: list[str], predicted: list[str], space: tuple[str, ...]) -> dict[str, dict[str, float]]:
    return stats.per_class(gold, predicted, space, digits=4)


def _plot(table: list[dict[str, float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
    ax.plot([b["confidence"] for b in table], [b["accuracy"] for b in table], marker="o", label="verifier")
    ax.set_xlabel("confidence (top label)")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(cases: list, baseline: np.ndarray, fitted: dict, *, out: Path, dataset: str | None, bootstrap: int,
                 seconds: float, citation: str) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix

    out.mkdir(parents=True, exist_ok=True)
    raw_gold = [c.pair.label for c in cases]
    space = label_space(raw_gold)
    gold = collapse(raw_gold, space)
    predicted = collapse([c.predicted for c in cases], space)
    base = collapse([LABELS[int(b)] for b in baseline], space)
    probabilities = np.array([[c.probabilities[k] for k in LABELS] for c in cases])
    # the model alone: the most probable label, without the checks' overrides or the verdict thresholds
    alone = collapse([LABELS[i] for i in probabilities.argmax(1)], space)
    rows = list(space) if space == TWO_WAY else list(LABELS)
    matrix = confusion_matrix(gold, predicted, labels=rows).tolist()
    ece, table = calibration(probabilities, gold, space)
    name = dataset or "file"
    metrics = {
        "dataset": name, "citation": citation, "cases": len(cases), "labels": list(space),
        "verifier": {"macro_f1": round(macro_f1(gold, predicted, space), 4),
                     **bootstrap_f1(gold, predicted, base, space, n=bootstrap),
                     "per_class": _per_class(gold, predicted, space),
                     "confusion": {"rows_gold_cols_predicted": rows, "matrix": matrix}},
        "verifier_alone": {"macro_f1": round(macro_f1(gold, alone, space), 4),
                           **bootstrap_f1(gold, alone, predicted, space, n=bootstrap),
                           "per_class": _per_class(gold, alone, space)},
        "cosine_baseline": {"macro_f1": round(macro_f1(gold, base, space), 4),
                            **bootstrap_f1(gold, base, None, space, n=bootstrap),
                            "per_class": _per_class(gold, base, space), "thresholds": fitted},
        "always_neither": {"macro_f1": round(macro_f1(gold, collapse(["neither"] * len(gold), space), space), 4)},
        "calibration": {"ece": ece, "bins": table},
        "verdicts": {v: sum(c.verdict == v for c in cases) for v in
                     ("supported", "partly supported", "unclear", "not supported", "contradicted")},
        "seconds": round(seconds, 1),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    _plot(table, out / "reliability.png", f"{name}: ECE {ece:.3f}")
    v, b = metrics["verifier"], metrics["cosine_baseline"]
    lines = [f"# Claims evaluation: {name}", "", f"Source: {citation}. {len(cases)} cases, labels {', '.join(space)}.",
             "", "| run | macro-F1 | 95% CI |", "|---|---|---|",
             f"| verifier (audit) | {v['macro_f1']:.3f} | {v['ci95'][0]:.3f}-{v['ci95'][1]:.3f} |",
             f"| verifier alone (argmax, no checks) | {metrics['verifier_alone']['macro_f1']:.3f} | "
             f"{metrics['verifier_alone']['ci95'][0]:.3f}-{metrics['verifier_alone']['ci95'][1]:.3f} |",
             f"| cosine threshold | {b['macro_f1']:.3f} | {b['ci95'][0]:.3f}-{b['ci95'][1]:.3f} |",
             f"| always neither | {metrics['always_neither']['macro_f1']:.3f} | |", "",
             f"Paired difference verifier - cosine: 95% CI {v['difference_ci95'][0]:+.3f} to "
             f"{v['difference_ci95'][1]:+.3f}.", "", "| class | P | R | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {x['precision']:.3f} | {x['recall']:.3f} | {x['f1']:.3f} | {x['support']} |"
              for k, x in v["per_class"].items()]
    lines += ["", f"Confusion (rows gold, columns predicted; {', '.join(rows)}): {matrix}", "",
              f"Expected calibration error {ece:.3f} (reliability.png). Verdicts: {metrics['verdicts']}.", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return metrics
