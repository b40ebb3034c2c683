"""Classification metrics and the bootstrap, each defined once for eval, training and bench.

Scores come from scikit-learn (``precision_recall_fscore_support``, ``f1_score``, ``roc_auc_score``) with
``zero_division=0``. Two numpy kernels give the same numbers where a loop calls them thousands of times (a
threshold grid, a bootstrap): ``macro_f1_codes`` and ``prf_from_counts``; tests/eval/test_stats.py holds them
to scikit-learn's. Ranking measures are ir-measures' (``groundqa.eval.metrics.ranking_metrics``).

The bootstrap is one percentile bootstrap (``bootstrap`` + ``interval``): index arrays drawn with replacement
from a seeded numpy Generator, one resample after another (``rng.integers(0, n, n)``), or whole groups for a
cluster bootstrap; ``paired_difference`` is the paired case (the mean of a - b over resampled items).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

import numpy as np

Seed = int | np.random.Generator


def macro_f1(gold: Sequence[Any] | np.ndarray, predicted: Sequence[Any] | np.ndarray,
             labels: Sequence[Any] | None = None) -> float:
    """Unweighted mean of the per-class F1 over ``labels`` (default: every label seen in either list)."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=None if labels is None else list(labels), average="macro",
                          zero_division=0))


def macro_f1_codes(gold: np.ndarray, predicted: np.ndarray, n_labels: int) -> float:
    """``macro_f1`` over the labels 0 .. n_labels - 1 for integer-coded arrays, in numpy (for loops that call it
    thousands of times): per class 2 tp / (gold + predicted), 0 for a class in neither."""
    true = np.bincount(gold, minlength=n_labels)[:n_labels]
    chosen = np.bincount(predicted, minlength=n_labels)[:n_labels]
    tp = np.bincount(gold[gold == predicted], minlength=n_labels)[:n_labels]
    denominator = true + chosen
    f1 = np.divide(2.0 * tp, denominator, out=np.zeros(n_labels), where=denominator > 0)
    return float(f1.mean())


def per_class(gold: Sequence[Any] | np.ndarray, predicted: Sequence[Any] | np.ndarray, labels: Sequence[Any], *,
              digits: int | None = None) -> dict[Any, dict[str, float | int]]:
    """Precision, recall, F1 and support of each label, in the order of ``labels`` (all 0 for no items)."""
    from sklearn.metrics import precision_recall_fscore_support

    if len(gold) == 0 and len(predicted) == 0:  # scikit-learn refuses empty input; nothing counted scores 0
        p = r = f = s = np.zeros(len(labels))
    else:
        p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=list(labels), zero_division=0)
    return {label: {"precision": _round(p[i], digits), "recall": _round(r[i], digits), "f1": _round(f[i], digits),
                    "support": int(s[i])} for i, label in enumerate(labels)}


def prf(gold: Sequence[Any] | np.ndarray, predicted: Sequence[Any] | np.ndarray, *, positive: Any = True,
        digits: int | None = None) -> dict[str, float | int]:
    """Precision, recall and F1 of one class (``positive``), its support and its tp / fp / fn counts."""
    g, p = np.asarray(gold) == positive, np.asarray(predicted) == positive
    scores = per_class(g, p, [True], digits=digits)[True]
    tp = int(np.count_nonzero(g & p))
    return {**scores, "tp": tp, "fp": int(np.count_nonzero(p)) - tp, "fn": int(np.count_nonzero(g)) - tp}


def prf_from_counts(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts, as ``prf`` defines them (0 where a ratio has nothing to count)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return precision, recall, f1


def roc_auc(gold: Sequence[int] | np.ndarray, score: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve; NaN when ``gold`` holds one class only (the area is undefined)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(gold)
    return float(roc_auc_score(y, score)) if 0 < np.count_nonzero(y) < len(y) else float("nan")


def resamples(n: int, samples: int, *, seed: Seed = 0, groups: Sequence[Hashable] | None = None
              ) -> Iterator[np.ndarray]:
    """``samples`` index arrays, each ``n`` indices drawn with replacement; with ``groups`` (one key per item),
    whole groups are drawn, as many as there are, and their items listed in order (a cluster bootstrap)."""
    rng = np.random.default_rng(seed) if isinstance(seed, int) else seed
    if groups is None:
        for _ in range(samples):
            yield rng.integers(0, n, n)
        return
    if len(groups) != n:
        raise ValueError(f"{len(groups)} group keys for {n} items")
    members: dict[Hashable, list[int]] = {}
    for i, key in enumerate(groups):
        members.setdefault(key, []).append(i)
    blocks = [np.array(m) for m in members.values()]
    for _ in range(samples):
        yield np.concatenate([blocks[k] for k in rng.integers(0, len(blocks), len(blocks))])


def bootstrap(statistic: Callable[[np.ndarray], float | Sequence[float] | np.ndarray], n: int, *, samples: int,
              seed: Seed = 0, groups: Sequence[Hashable] | None = None) -> np.ndarray:
    """``statistic`` (given the resample's indices) on each resample: shape (samples,) or (samples, k). A NaN marks
    a resample where the statistic is undefined; ``interval`` leaves it out."""
    if n == 0:
        raise ValueError("the bootstrap needs at least one item")
    return np.array([statistic(idx) for idx in resamples(n, samples, seed=seed, groups=groups)], dtype=float)


def interval(values: np.ndarray | Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap values (NaNs left out)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise ValueError("no bootstrap value to take an interval of")
    tail = round(50 * (1 - confidence), 9)  # 2.5 for 0.95, not 2.500000000000002
    low, high = np.percentile(v, [tail, 100 - tail])
    return float(low), float(high)


def paired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, *, samples: int = 10_000,
                      seed: Seed = 0, confidence: float = 0.95) -> dict[str, float | int]:
    """Mean of a - b over paired per-item values, its percentile bootstrap interval (items resampled, pairs kept),
    and the share of resamples where a does not beat b (a one-sided p-value estimate)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if diff.size == 0:
        raise ValueError("a paired difference needs at least one pair")
    means = bootstrap(lambda idx: diff[idx].mean(), diff.size, samples=samples, seed=seed)
    low, high = interval(means, confidence)
    return {"mean": float(diff.mean()), "low": low, "high": high, "p_not_better": float((means <= 0).mean()),
            "n": int(diff.size)}


def _round(value: float, digits: int | None) -> float:
    return float(value) if digits is None else round(float(value), digits)
