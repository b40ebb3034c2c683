"""Statement pairs from COVID-Fact for measuring "disagree": built per split, scored once, tuned on calib only.

Per article (COVID-Fact's ``gold_source``, the unit of the pinned split in labels/claims_split.json):
- **disagree**: the true claim against each of its word-swapped counter-claims (both about the same evidence);
- **agree**: the true claim against the evidence sentence that shares most of its words (the evidence supports
  both), and against a second true claim of the same article where there is one;
- **unrelated**: the true claim against the most similar true claim (MiniLM cosine) of another article of the
  same split: a hard "different topic" pair.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from groundqa.credibility.relation import Settings, decide, figure_conflicts, negation_conflicts
from groundqa.eval import stats
from groundqa.eval.claims import ClaimPair, covidfact


@dataclass(frozen=True)
class StatementPair:
    a: str
    b: str
    label: str  # agree | disagree | unrelated
    group: str  # the article: the bootstrap resamples articles
    kind: str  # counter | evidence | second-true | other-article


@dataclass
class Scored:
    pair: StatementPair
    cosine: float
    forward: np.ndarray | None
    backward: np.ndarray | None
    numbers: list[str]
    negations: list[str] | None = None


def _words(text: str) -> set[str]:
    return {w.strip(".,;:()\"'").lower() for w in text.split() if len(w) > 3}


def _best_sentence(claim: str, sentences: list[str]) -> str:
    return max(sentences, key=lambda s: (len(_words(claim) & _words(s)), -len(s)))


def build_pairs(split: str, encoder: Any, rows: list[ClaimPair] | None = None) -> list[StatementPair]:
    """The statement pairs of one split (``test``, ``calib`` or ``train``)."""
    import json

    from groundqa.eval.claims import CLAIMS

    evidence: dict[str, list[str]] = {}
    with open(CLAIMS / "covidfact.jsonl", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            evidence.setdefault(r["claim"].strip(), [s.strip() for s in r["evidence"] if s.strip()])
    groups: dict[str, list[ClaimPair]] = defaultdict(list)
    for p in rows if rows is not None else covidfact():
        if p.split == split:
            groups[p.group].append(p)
    out: list[StatementPair] = []
    trues: list[tuple[str, str]] = []
    for group, members in sorted(groups.items()):
        true = [p.claim for p in members if p.label == "supports"]
        false = [p.claim for p in members if p.label == "refutes"]
        for t in true:
            trues.append((group, t))
            out += [StatementPair(t, f, "disagree", group, "counter") for f in false]
            sentences = evidence.get(t) or []
            if sentences:
                out.append(StatementPair(t, _best_sentence(t, sentences), "agree", group, "evidence"))
        out += [StatementPair(a, b, "agree", group, "second-true") for a, b in itertools.combinations(true, 2)]
    if len(trues) > 1:
        vectors = encoder.encode([t for _, t in trues])
        sims = vectors @ vectors.T
        for i, (group, t) in enumerate(trues):
            order = np.argsort(-sims[i])
            j = next(j for j in order if trues[j][0] != group)
            out.append(StatementPair(t, trues[j][1], "unrelated", group, "other-article"))
    return out


HEALTHVER_RELATION = {"supports": "agree", "refutes": "disagree", "neither": "unrelated"}


def healthver_pairs(split: str) -> list[StatementPair]:
    """HealthVer claim/evidence pairs of one split as statement pairs: a web claim against a sentence of a
    scientific abstract, Supports = agree, Refutes = disagree, Neutral = unrelated (groups: the claim)."""
    from groundqa.eval.claims import healthver

    return [StatementPair(p.claim, p.evidence, HEALTHVER_RELATION[p.label], p.group, f"healthver-{p.label}")
            for p in healthver() if p.split == split]


def score(pairs: list[StatementPair], encoder: Any, verifier: Any, *, floor: float) -> list[Scored]:
    """Cosine, both verifier readings (for pairs at or above ``floor``) and figure conflicts of every pair."""
    from groundqa.credibility.checks.numbers import quantities

    texts = sorted({t for p in pairs for t in (p.a, p.b)})
    index = {t: i for i, t in enumerate(texts)}
    vectors = encoder.encode(texts)
    cos = [float(vectors[index[p.a]] @ vectors[index[p.b]]) for p in pairs]
    asked = [i for i, c in enumerate(cos) if c >= floor]
    readings = [(pairs[i].a, pairs[i].b) for i in asked] + [(pairs[i].b, pairs[i].a) for i in asked]
    probabilities = verifier.probabilities(readings) if readings else np.zeros((0, 3))
    both = {i: (probabilities[n], probabilities[n + len(asked)]) for n, i in enumerate(asked)}
    figures = {t: quantities(t) for t in texts}
    return with_checks([Scored(p, cos[i], *both.get(i, (None, None)), figure_conflicts(figures[p.a], figures[p.b]))
                        for i, p in enumerate(pairs)])


def with_checks(scored: list[Scored]) -> list[Scored]:
    """Fill in the negation check (cheap beside the verifier; also for caches written before it was read)."""
    for s in scored:
        if getattr(s, "negations", None) is None:
            s.negations = negation_conflicts(s.pair.a, s.pair.b)
    return scored


def predict(scored: list[Scored], settings: Settings) -> list[str]:
    out = []
    for s in scored:
        asked = s.cosine >= settings.related_cosine and s.forward is not None
        out.append(decide(s.cosine, s.forward if asked else None, s.backward if asked else None, s.numbers,
                          settings, s.negations).relation)
    return out


def prf(gold: list[str], predicted: list[str], positive: str = "disagree") -> dict[str, float]:
    scores = stats.prf(gold, predicted, positive=positive, digits=4)
    return {k: scores[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")}


BOOTSTRAPPED = ("precision", "recall", "f1", "f1_minus_first")


def bootstrap_f1(groups: list[str], gold: list[str], predictions: dict[str, list[str]], *, n: int = 2000,
                 seed: int = 0) -> dict[str, dict[str, list[float]]]:
    """Percentile 95% intervals of P, R and F1 of "disagree" per system, resampling articles (cluster bootstrap),
    and of each system's F1 minus the first system's."""
    g = np.array([x == "disagree" for x in gold])
    chosen = [np.array([x == "disagree" for x in p]) for p in predictions.values()]

    def draw(idx: np.ndarray) -> list[float]:
        out: list[float] = []
        for p in chosen:
            tp = int(np.count_nonzero(g[idx] & p[idx]))
            fp, fn = int(np.count_nonzero(p[idx])) - tp, int(np.count_nonzero(g[idx])) - tp
            precision, recall, f1 = (round(x, 4) for x in stats.prf_from_counts(tp, fp, fn))  # as ``prf`` rounds
            out += [precision, recall, f1, f1 - (out[2] if out else f1)]
        return out

    draws = stats.bootstrap(draw, len(gold), samples=n, seed=seed, groups=groups)
    return {name: {key: [round(x, 4) for x in stats.interval(draws[:, len(BOOTSTRAPPED) * s + j])]
                   for j, key in enumerate(BOOTSTRAPPED)} for s, name in enumerate(predictions)}


def topic_gate(scored: list[Scored]) -> float:
    """The cosine at or above which two statements are about one thing: the threshold that best tells a claim and
    its evidence sentence (one article; two wordings, as two sources would put it) from a claim and the nearest
    claim of another article (balanced accuracy). Counter-claims are left out: they are near-copies by
    construction and would push the gate up to "only near-copies are related"."""
    from sklearn.metrics import balanced_accuracy_score

    pairs = [x for x in scored if x.pair.kind in ("evidence", "other-article")]
    gold = [x.pair.kind == "evidence" for x in pairs]
    grid = np.round(np.arange(0.0, 1.0, 0.01), 2)
    scores = [balanced_accuracy_score(gold, [x.cosine >= t for x in pairs]) for t in grid]
    return float(grid[int(np.argmax(scores))])


def tune(scored: list[Scored]) -> tuple[Settings, float]:
    """Settings chosen on a tune split: the topic gate (``topic_gate``), then the refutes threshold with the best F1
    of "disagree", then the supports threshold with the best three-way accuracy."""
    gold = [x.pair.label for x in scored]
    gate = topic_gate(scored)
    grid = [float(x) for x in np.round(np.arange(0.05, 0.96, 0.05), 2)]
    f1s = [prf(gold, predict(scored, Settings(gate, d)))["f1"] for d in grid]
    disagree_at = grid[int(np.argmax(f1s))]

    def accuracy(agree_at: float) -> float:
        predicted = predict(scored, Settings(gate, disagree_at, agree_at))
        return float(np.mean([g == p for g, p in zip(gold, predicted, strict=True)]))

    agree_at = grid[int(np.argmax([accuracy(a) for a in grid]))]
    return Settings(gate, disagree_at, agree_at), round(max(f1s), 4)


def baselines(tune_set: list[Scored], test: list[Scored]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The raw verifier argmax (statement a as the claim, b as evidence: one reading, no thresholds) and a cosine
    threshold (disagree at or above it; fitted for F1 on the tune split)."""
    gold = [x.pair.label for x in tune_set]
    best = (-1.0, 0.0)
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        f1 = prf(gold, ["disagree" if x.cosine >= t else "agree" for x in tune_set])["f1"]
        if f1 > best[0] + 1e-9:
            best = (f1, float(t))

    def argmax(s: Scored) -> str:
        if s.forward is None:
            return "unrelated"
        return ("agree", "disagree", "unrelated")[int(np.argmax(s.forward))]

    return ({"verifier argmax (one reading)": [argmax(s) for s in test],
             "cosine threshold": ["disagree" if s.cosine >= best[1] else "agree" for s in test]},
            {"cosine_threshold": best[1], "cosine_tune_f1": round(best[0], 4)})


def verifier_only(settings: Settings) -> Settings:
    """The tuned thresholds without the similarity gate (every pair is read by the verifier): an ablation."""
    return Settings(0.0, settings.disagree_at, settings.agree_at, settings.numbers_on_topic)


def separability(scored: list[Scored]) -> dict[str, float]:
    """ROC AUC of "disagree" against the rest for each signal alone: how much each can tell, before thresholds."""
    gold = [x.pair.label == "disagree" for x in scored]
    read = [x for x in scored if x.forward is not None and x.backward is not None]
    if len(set(gold)) < 2 or len(read) < len(scored):
        return {}
    return {"cosine": round(stats.roc_auc(gold, [x.cosine for x in scored]), 4),
            "refutes, larger of the two readings": round(stats.roc_auc(
                gold, [max(x.forward[1], x.backward[1]) for x in read]), 4),  # type: ignore[index]
            "refutes, a as the claim": round(stats.roc_auc(gold, [x.forward[1] for x in read]), 4)}  # type: ignore[index]
