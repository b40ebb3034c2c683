"""Do two statements agree, disagree or speak of different things? The verifier read both ways, plus figures.

Each statement is read once as the claim and once as the evidence of the other, so a contradiction is caught
whichever side states more. The pair's ``disagree`` score is the larger of the two calibrated refutes
probabilities; ``agree`` the larger supports probability. Figures of the same dimension whose intervals do not
overlap ("19 months" / "29 months"), and a word one statement negates and the other does not ("not curable" /
"curable", the audit's negation check), make a pair disagree when it is about one thing (cosine at least
``NUMBERS_ON_TOPIC``). Pairs whose cosine is below ``RELATED_COSINE`` are not sent to the verifier at all: they
are ``unrelated``.

The thresholds are chosen by ``groundqa eval contradictions`` on COVID-Fact ``calib`` articles (statement
pairs: a true claim against its word-swapped counter-claim, against a sentence of its evidence, and against the
nearest claim of another article) and measured on ``test`` articles, never tuned on, and on HealthVer ``test``
as a transfer check (bench/README.md, "Where sources disagree"). What that measurement shows: on COVID-Fact
statement pairs the verifier's refutes probability does not separate contradictions from the rest (ROC AUC
0.435 calib, 0.439 test; cosine 0.967 / 0.934, since counter-claims are near-copies), on HealthVer test it does
somewhat (0.737); the gate and the figure and negation checks carry most of the COVID-Fact figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from groundqa.credibility.checks.numbers import Quantity, quantities

RELATIONS = ("agree", "disagree", "unrelated")
# Chosen on COVID-Fact calib articles by `groundqa eval contradictions` (888 pairs; bench/README.md).
RELATED_COSINE = 0.74  # below: unrelated, the verifier is not asked (best balanced accuracy, claim vs its
#                        evidence sentence against claim vs the nearest claim of another article)
DISAGREE_AT = 0.25  # the larger refutes probability of the two readings at or above: disagree (best F1)
AGREE_AT = 0.70  # else the larger supports probability at or above: agree (best three-way accuracy)
NUMBERS_ON_TOPIC = 0.6  # the audit's on-topic similarity (credibility/judge.py): a figure only conflicts on topic


@dataclass(frozen=True)
class Settings:
    related_cosine: float = RELATED_COSINE
    disagree_at: float = DISAGREE_AT
    agree_at: float = AGREE_AT
    numbers_on_topic: float = NUMBERS_ON_TOPIC


@dataclass(frozen=True)
class Relation:
    relation: str  # one of RELATIONS
    disagree: float  # max refutes probability of the two readings (0 when the verifier was not asked)
    agree: float  # max supports probability of the two readings
    cosine: float
    forward: tuple[float, float, float] | None  # (supports, refutes, neither) with a as claim, b as evidence
    backward: tuple[float, float, float] | None  # ... with b as claim, a as evidence
    numbers: tuple[str, ...] = field(default_factory=tuple)  # figures that differ, "19 months vs 29 months"
    negations: tuple[str, ...] = field(default_factory=tuple)  # words one negates and the other does not
    reasons: tuple[str, ...] = ()


def figure_conflicts(a: Sequence[Quantity], b: Sequence[Quantity]) -> list[str]:
    """Dimensions both give figures for where no figure of one overlaps a figure of the other."""
    out = []
    for dimension in sorted({q.dimension for q in a} & {q.dimension for q in b}):
        mine = [q for q in a if q.dimension == dimension]
        theirs = [q for q in b if q.dimension == dimension]
        if not any(x.overlaps(y) for x in mine for y in theirs):
            out.append(f"{mine[0].text} vs {theirs[0].text}")
    return out


def negation_conflicts(a: str, b: str) -> list[str]:
    """Words both statements use where only one negates them (the audit's check, read both ways)."""
    from groundqa.credibility.checks.negation import check_negation

    found = check_negation(a, b).conflicts or check_negation(b, a).conflicts
    return [c.replace("the claim says", "one says").replace("the cited text says", "the other") for c in found]


def decide(cosine: float, forward: np.ndarray | None, backward: np.ndarray | None, numbers: list[str],
           settings: Settings, negations: list[str] | None = None) -> Relation:
    """The relation of one pair from its cosine, the two readings' probabilities and its figure and negation
    conflicts."""
    on_topic = cosine >= settings.numbers_on_topic
    figures = tuple(numbers) if on_topic else ()
    flipped = tuple(negations or ()) if on_topic else ()
    if forward is None or backward is None:
        reason = f"different topics (similarity {cosine:.2f} < {settings.related_cosine:.2f})"
        return Relation("unrelated", 0.0, 0.0, round(cosine, 3), None, None, (), (reason,))
    disagree = float(max(forward[1], backward[1]))
    agree = float(max(forward[0], backward[0]))
    reasons = [f"verifier both ways: refutes {forward[1]:.2f} / {backward[1]:.2f}, supports {forward[0]:.2f} / "
               f"{backward[0]:.2f} (similarity {cosine:.2f})"]
    if figures or flipped:
        relation = "disagree"
        if figures:
            reasons.append("the figures differ: " + "; ".join(figures))
        reasons.extend(flipped)
    elif disagree >= settings.disagree_at:
        relation = "disagree"
    elif agree >= settings.agree_at:
        relation = "agree"
    else:
        relation = "unrelated"
    return Relation(relation, round(disagree, 3), round(agree, 3), round(cosine, 3),
                    tuple(round(float(x), 3) for x in forward),  # type: ignore[arg-type]
                    tuple(round(float(x), 3) for x in backward),  # type: ignore[arg-type]
                    figures, flipped, tuple(reasons))


def relate(pairs: Sequence[tuple[str, str]], cosines: Sequence[float], *, verifier: object,
           settings: Settings = Settings()) -> list[Relation]:
    """Relations of statement pairs: one batched verifier call over both readings of every related pair."""
    asked = [i for i, c in enumerate(cosines) if c >= settings.related_cosine]
    readings = [pairs[i] for i in asked] + [(pairs[i][1], pairs[i][0]) for i in asked]
    probabilities = verifier.probabilities(readings) if readings else np.zeros((0, 3))  # type: ignore[attr-defined]
    by_pair = {i: (probabilities[n], probabilities[n + len(asked)]) for n, i in enumerate(asked)}
    cache: dict[str, list[Quantity]] = {}

    def figures(text: str) -> list[Quantity]:
        if text not in cache:
            cache[text] = quantities(text)
        return cache[text]

    out = []
    for i, (a, b) in enumerate(pairs):
        forward, backward = by_pair.get(i, (None, None))
        on_topic = cosines[i] >= settings.numbers_on_topic
        numbers = figure_conflicts(figures(a), figures(b)) if on_topic else []
        flipped = negation_conflicts(a, b) if on_topic else []
        out.append(decide(float(cosines[i]), forward, backward, numbers, settings, flipped))
    return out
