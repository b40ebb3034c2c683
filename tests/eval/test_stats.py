"""groundqa.eval.stats: scores against scikit-learn and against worked examples, and the bootstrap's properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from groundqa.eval import stats
from sklearn.metrics import f1_score, precision_recall_fscore_support


def _random_labels(rng: np.random.Generator, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """Skewed labels with a class often absent from gold, predictions or both, and codes outside the label set."""
    n = int(rng.integers(1, 120))
    gold = rng.choice(n_labels, n, p=rng.dirichlet(np.full(n_labels, 0.4)))
    predicted = rng.choice(n_labels + 1, n, p=rng.dirichlet(np.full(n_labels + 1, 0.4)))  # n_labels: not a class
    return gold, predicted


def test_macro_f1_by_hand() -> None:
    gold = ["a", "a", "b", "b", "c"]
    predicted = ["a", "b", "b", "b", "a"]
    # a: P 1/2 R 1/2 F1 1/2; b: P 2/3 R 1 F1 4/5; c: never predicted, F1 0; d: in neither list, F1 0
    assert stats.macro_f1(gold, predicted, ("a", "b", "c")) == pytest.approx((0.5 + 0.8 + 0) / 3)
    assert stats.macro_f1(gold, predicted, ("a", "b", "c", "d")) == pytest.approx((0.5 + 0.8) / 4)
    assert stats.macro_f1(gold, predicted) == pytest.approx((0.5 + 0.8) / 3)  # the labels seen in either list


@pytest.mark.parametrize("n_labels", [2, 3, 5])
def test_numpy_macro_f1_equals_sklearn_on_random_labels(n_labels: int) -> None:
    rng = np.random.default_rng(n_labels)
    absent = 0
    for _ in range(500):
        gold, predicted = _random_labels(rng, n_labels)
        absent += len(set(range(n_labels)) - set(gold.tolist()) - set(predicted.tolist())) > 0
        expected = f1_score(gold, predicted, labels=list(range(n_labels)), average="macro", zero_division=0)
        assert stats.macro_f1_codes(gold, predicted, n_labels) == expected  # exactly: a grid search ranks by it
    assert absent > 20  # the draws did hold classes absent from both lists


def test_per_class_by_hand() -> None:
    scores = stats.per_class(["a", "a", "b", "b", "c"], ["a", "b", "b", "b", "a"], ("a", "b", "c"), digits=3)
    assert scores["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scores["b"] == {"precision": 0.667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert scores["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert list(scores) == ["a", "b", "c"]
    assert stats.per_class([], [], ("a", "b"))["a"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_prf_of_one_class_with_its_counts() -> None:
    gold = ["disagree", "disagree", "agree", "agree", "unrelated", "disagree"]
    predicted = ["disagree", "agree", "disagree", "agree", "disagree", "disagree"]
    scores = stats.prf(gold, predicted, positive="disagree")
    assert (scores["tp"], scores["fp"], scores["fn"], scores["support"]) == (2, 2, 1, 3)
    assert scores["precision"] == pytest.approx(0.5) and scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_scores_from_counts_equal_sklearn() -> None:
    rng = np.random.default_rng(0)
    for _ in range(500):
        n = int(rng.integers(1, 60))
        gold, predicted = rng.random(n) < rng.random(), rng.random(n) < rng.random()
        tp = int(np.sum(gold & predicted))
        p, r, f, _ = precision_recall_fscore_support(gold, predicted, labels=[True], zero_division=0)
        assert stats.prf_from_counts(tp, int(predicted.sum()) - tp, int(gold.sum()) - tp) == (p[0], r[0], f[0])
    assert stats.prf_from_counts(0, 0, 0) == (0.0, 0.0, 0.0)
    # an exact tie is rounded as the exact value is, not as 2pr/(p+r) lands (0.31250000000000006)
    assert round(stats.prf_from_counts(5, 13, 9)[2], 3) == round(5 / 16, 3)


def test_roc_auc() -> None:
    assert stats.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert stats.roc_auc([0, 0, 1, 1], [0.1, 0.3, 0.2, 0.4]) == 0.75  # one of four pairs out of order
    assert math.isnan(stats.roc_auc([1, 1, 1], [0.1, 0.2, 0.3]))


def test_resamples_draw_one_index_array_after_another() -> None:
    """The draws earlier code made (``rng.integers(0, n, n)`` per resample, the same as one (samples, n) draw), so
    seeded intervals keep their values."""
    drawn = np.stack(list(stats.resamples(37, 50, seed=5)))
    assert np.array_equal(drawn, np.random.default_rng(5).integers(0, 37, (50, 37)))


def test_cluster_resamples_keep_groups_whole() -> None:
    groups = ["a"] * 3 + ["b"] * 1 + ["c"] * 4 + ["d"] * 2
    members = {g: {i for i, x in enumerate(groups) if x == g} for g in set(groups)}
    mixed = False
    for idx in stats.resamples(len(groups), 200, seed=0, groups=groups):
        counts = np.bincount(idx, minlength=len(groups))
        drawn = 0
        for items in members.values():
            times = {int(counts[i]) for i in items}
            assert len(times) == 1  # every item of a group is drawn as often as the others
            drawn += times.pop()
        assert drawn == len(members)  # as many groups drawn as there are
        mixed |= len(set(idx.tolist())) < len(groups)
    assert mixed
    with pytest.raises(ValueError):
        next(stats.resamples(3, 1, groups=["a", "b"]))


def test_bootstrap_interval_contains_the_estimate_and_matches_normal_theory() -> None:
    x = np.random.default_rng(1).normal(10.0, 2.0, 400)
    low, high = stats.interval(stats.bootstrap(lambda idx: x[idx].mean(), len(x), samples=4000, seed=0))
    assert low < x.mean() < high
    half = 1.96 * x.std(ddof=1) / math.sqrt(len(x))
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)
    assert (low + high) / 2 == pytest.approx(x.mean(), abs=0.1 * half)


def test_bootstrap_of_macro_f1_contains_the_estimate() -> None:
    rng = np.random.default_rng(2)
    gold = rng.integers(0, 3, 300)
    predicted = np.where(rng.random(300) < 0.6, gold, rng.integers(0, 3, 300))
    draws = stats.bootstrap(lambda idx: stats.macro_f1_codes(gold[idx], predicted[idx], 3), len(gold), samples=1000,
                            seed=0)
    low, high = stats.interval(draws)
    assert low < stats.macro_f1(gold, predicted, [0, 1, 2]) < high
    assert 0.02 < high - low < 0.2


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    x = np.random.default_rng(3).random(50)

    def mean(idx: np.ndarray) -> float:
        return x[idx].mean()

    first = stats.bootstrap(mean, len(x), samples=500, seed=11)
    assert np.array_equal(first, stats.bootstrap(mean, len(x), samples=500, seed=11))
    assert stats.interval(first) == stats.interval(stats.bootstrap(mean, len(x), samples=500, seed=11))
    assert not np.array_equal(first, stats.bootstrap(mean, len(x), samples=500, seed=12))


def test_bootstrap_interval_narrows_with_more_data() -> None:
    rng = np.random.default_rng(4)
    widths = []
    for n in (25, 100, 400, 1600):
        x = rng.normal(0.0, 1.0, n)
        low, high = stats.interval(stats.bootstrap(lambda idx, x=x: x[idx].mean(), n, samples=2000, seed=0))
        widths.append(high - low)
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False))
    assert widths[0] / widths[-1] == pytest.approx(8.0, rel=0.25)  # the width goes as 1 / sqrt(n)


def test_interval_leaves_out_undefined_resamples() -> None:
    values = np.array([np.nan, 1.0, 2.0, np.nan, 3.0, 4.0, 5.0])
    assert stats.interval(values, confidence=0.5) == (2.0, 4.0)
    with pytest.raises(ValueError):
        stats.interval([np.nan, np.nan])
    two_class = np.array([0, 1, 1, 1, 1, 1, 1, 1])  # many resamples hold only 1s: their AUC is undefined
    score = np.linspace(0, 1, len(two_class))
    draws = stats.bootstrap(lambda idx: stats.roc_auc(two_class[idx], score[idx]), len(two_class), samples=300,
                            seed=0)
    assert np.isnan(draws).any() and not np.isnan(draws).all()
    assert stats.interval(draws) == stats.interval(draws[~np.isnan(draws)])


def test_paired_difference_of_identical_systems_is_centred_on_zero() -> None:
    x = np.random.default_rng(5).random(200)
    same = stats.paired_difference(x, x.copy(), samples=2000, seed=0)
    assert same["mean"] == same["low"] == same["high"] == 0.0 and same["p_not_better"] == 1.0 and same["n"] == 200
    # two systems equally good, each with its own noise: the interval straddles 0 about evenly
    rng = np.random.default_rng(6)
    truth = rng.random(400)
    a, b = truth + rng.normal(0, 0.2, 400), truth + rng.normal(0, 0.2, 400)
    result = stats.paired_difference(a - a.mean(), b - b.mean(), samples=4000, seed=0)
    assert result["low"] < 0 < result["high"]
    assert abs(result["low"] + result["high"]) < 0.1 * (result["high"] - result["low"])
    assert 0.35 < result["p_not_better"] < 0.65


def test_paired_difference_of_a_better_system() -> None:
    base = [0.2, 0.4, 0.5, 0.1, 0.3, 0.6, 0.2, 0.5] * 10
    better = [b + 0.1 for b in base]
    result = stats.paired_difference(better, base, samples=2000, seed=1)
    assert result["mean"] == pytest.approx(0.1) and result["low"] == pytest.approx(0.1)
    assert result["p_not_better"] == 0.0
    noisy = stats.paired_difference([b + (0.3 if i % 2 else -0.3) for i, b in enumerate(base)], base, samples=2000)
    assert noisy["low"] < 0 < noisy["high"] and 0.1 < noisy["p_not_better"] < 0.9
    with pytest.raises(ValueError):
        stats.paired_difference([], [])
