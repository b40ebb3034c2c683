"""How well cited text supports a claim: the verifier's calibrated probabilities, then the checks.

The claim is compared with sentences (and pairs of adjacent sentences) of the cited text, never with a whole
passage: a passage of 800 characters dilutes the one sentence that carries the claim. The bi-encoder picks the
few windows closest to the claim; the verifier (credibility.verifier) gives each window probabilities of
supports / refutes / neither; the window it is most decided about is the one the claim rests on. The checks
(figures, names, negation) read that window: they feed the verdict and override the verifier only where they
are certain (a different figure or identifier in a window on the claim's topic; a negation flipped in a
near-copy of the claim).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from groundqa.core.sentences import split_sentences
from groundqa.core.tokenizer import tokenize
from groundqa.credibility.aggregate import Aggregator, decisive_index
from groundqa.credibility.checks import Agreement, check_names, check_negation, check_numbers
from groundqa.credibility.verifier import LABELS, Calibration

VERDICTS = ("supported", "partly supported", "unclear", "not supported", "contradicted")
RANK = {"supported": 4, "partly supported": 3, "unclear": 2, "not supported": 1, "contradicted": 0}
PAIR_MAX_CHARS = 400  # adjacent sentences are also judged as one window when this short together
ON_TOPIC_SIMILARITY = 0.6  # a figure or name only contradicts in a window about the same thing
ON_TOPIC_NEITHER = 0.5  # ... or one the verifier does not call unrelated
_WORDS = re.compile(r"[\w%]+(?:[.,]\d+)?")
NEAR_COPY = 0.6  # share of the claim's content words in the window for a flipped negation to be certain


@dataclass(frozen=True)
class Window:
    """A sentence or two of cited text, in source coordinates."""

    start: int
    end: int
    text: str
    pair: bool = False


def windows(text: str, offset: int) -> list[Window]:
    """Sentences of ``text`` and short pairs of adjacent ones; ``offset`` maps them to source coordinates."""
    sentences = split_sentences(text)
    body = [s for s in sentences if not s.is_heading] or sentences
    out = [Window(offset + s.start, offset + s.end, text[s.start:s.end]) for s in body]
    out += [Window(offset + a.start, offset + b.end, text[a.start:b.end], pair=True)
            for a, b in zip(body, body[1:], strict=False) if b.end - a.start <= PAIR_MAX_CHARS]
    return out or [Window(offset, offset + len(text), text)]


def terms(texts: Sequence[str]) -> list[set[str]]:
    """Content-word stems of each text (the BM25 tokenizer: stopwords dropped, Snowball-stemmed)."""
    return [set(t) for t in tokenize(list(texts))] if texts else []


def shortlist(claim_terms: set[str], spans: list[Window], span_terms: list[set[str]], limit: int) -> list[int]:
    """Indexes of the ``limit`` windows sharing the most words with the claim, so only those are embedded."""
    order = sorted(range(len(spans)), key=lambda i: (-len(claim_terms & span_terms[i]), len(spans[i].text)))
    return sorted(order[:limit])


def coverage(claim_terms: set[str], span_terms: set[str]) -> float:
    """Share of the claim's content words that occur in a cited window."""
    return len(claim_terms & span_terms) / len(claim_terms) if claim_terms else 0.0


@dataclass(frozen=True)
class Judgement:
    verdict: str
    score: float  # the calibrated probability that the cited text supports the claim
    probabilities: dict[str, float]
    similarity: float
    coverage: float
    aligned: Window | None
    numbers: Agreement = field(default_factory=Agreement)
    names: Agreement = field(default_factory=Agreement)
    negation: Agreement = field(default_factory=Agreement)
    reasons: tuple[str, ...] = ()


def nothing(verdict: str, reason: str) -> Judgement:
    return Judgement(verdict, 0.0, {"supports": 0.0, "refutes": 0.0, "neither": 1.0}, 0.0, 0.0, None,
                     reasons=(reason,))


def states_verbatim(claim: str, text: str) -> bool:
    """Whether ``text`` contains every word of ``claim`` in order and adjacent (case, punctuation and spacing
    aside): a text entails what it says word for word, whatever a model trained on near-copy counter-claims
    makes of it."""
    words = _WORDS.findall(claim.lower())
    return len(words) >= 4 and f" {' '.join(words)} " in f" {' '.join(_WORDS.findall(text.lower()))} "


def decide(claim: str, cited: str, candidates: list[Window], probabilities: np.ndarray, similarities: np.ndarray,
           claim_terms: set[str], candidate_terms: list[set[str]], calibration: Calibration,
           aggregator: Aggregator | None = None) -> Judgement:
    """The verdict for ``claim`` given the verifier's calibrated probabilities for each candidate window: the
    windows' distributions combine into the claim's (credibility.aggregate); the checks read the decisive one."""
    if not candidates:
        return nothing("not supported", "nothing it cites could be read")
    best = decisive_index(probabilities, similarities)
    stating = [i for i, w in enumerate(candidates) if states_verbatim(claim, w.text)]
    if stating:  # a window that states the claim word for word is the one it rests on
        best = max(stating, key=lambda i: float(similarities[i]))
    p = (aggregator or Aggregator()).combine(probabilities, similarities)
    aligned = candidates[best]
    similarity, cover = float(similarities[best]), coverage(claim_terms, candidate_terms[best])
    verdict = calibration.verdict(p)
    probs = {label: round(float(v), 3) for label, v in zip(LABELS, p, strict=True)}
    reasons = [f"verifier: probability {probs['supports']:.2f} that the cited text supports the claim, "
               f"{probs['refutes']:.2f} that it refutes it, {probs['neither']:.2f} neither (calibrated)",
               f"the claim rests on the cited sentence closest to it (similarity {similarity:.2f}, {cover:.0%} of "
               "the claim's words)"]
    nums = check_numbers(claim, cited, aligned.text)
    names = check_names(claim, cited, aligned.text)
    negation = check_negation(claim, aligned.text)
    missing = [*nums.missing, *names.missing]
    if missing:
        reasons.append("the cited text does not state: " + ", ".join(missing))
        if verdict == "supported":
            verdict = "partly supported"
    on_topic = similarity >= ON_TOPIC_SIMILARITY or p[2] < ON_TOPIC_NEITHER
    certain = [*nums.conflicts, *names.conflicts] if on_topic else []
    if negation.conflicts and cover >= NEAR_COPY:
        certain += list(negation.conflicts)
    if certain:
        verdict = "contradicted"
        reasons.extend(certain)
    elif states_verbatim(claim, aligned.text) and not negation.conflicts:
        verdict = "partly supported" if missing else "supported"
        reasons.append("the cited text states the claim word for word")
    else:
        reasons.extend(f"{c} (not certain enough to overrule the verifier)" for c in
                       [*nums.conflicts, *names.conflicts, *negation.conflicts])
    return Judgement(verdict, probs["supports"], probs, round(similarity, 3), round(cover, 3), aligned, nums, names,
                     negation, tuple(reasons))


def warm_up() -> None:
    """Load the verifier, the drug dictionary, the unit tables and the negation pipeline ahead of the first audit."""
    from groundqa.credibility.checks import warm_up as checks_warm_up
    from groundqa.credibility.verifier import verifier

    verifier()
    checks_warm_up()
