"""How well cited text supports a claim: embedding similarity and word coverage, then agreement checks.

The claim is compared with every sentence (and pair of adjacent sentences) of the cited text, not with
the passage as a whole: a passage of 800 characters dilutes the one sentence that carries the claim. The
best-aligned sentence is where the number, name and negation checks look for what the text says instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from groundqa.credibility.checks import Agreement, check_names, check_negation, check_numbers
from groundqa.index.lexical import tokenize
from groundqa.ingest.sentences import split_sentences

# Verdict thresholds on the combined score (0.6 x best sentence cosine + 0.4 x claim-word coverage), set on
# the seed corpus with all-MiniLM-L6-v2: faithful paraphrases score 0.85-0.99, a claim that adds an
# unsupported detail 0.6-0.7, a claim on the same topic the text does not make about 0.5, unrelated text < 0.4.
SUPPORTED = 0.78
PARTLY = 0.62
UNCLEAR = 0.45
MISSING_PENALTY = 0.1  # per number, drug or treatment the claim states and the cited text lacks
SIMILARITY_WEIGHT = 0.6
CONFLICT_MIN_SIMILARITY = 0.6  # a disagreement only contradicts when the cited sentence is about the same thing
PAIR_MAX_CHARS = 400  # adjacent sentences are also compared as one window when this short together

VERDICTS = ("supported", "partly supported", "unclear", "not supported", "contradicted")


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
class Support:
    verdict: str
    score: float
    similarity: float
    coverage: float
    aligned: Window | None
    numbers: Agreement = field(default_factory=Agreement)
    names: Agreement = field(default_factory=Agreement)
    negation: Agreement = field(default_factory=Agreement)
    reasons: tuple[str, ...] = ()


def _band(score: float) -> str:
    if score >= SUPPORTED:
        return "supported"
    if score >= PARTLY:
        return "partly supported"
    if score >= UNCLEAR:
        return "unclear"
    return "not supported"


def judge(claim: str, claim_vector: np.ndarray, claim_terms: set[str], cited: str, spans: list[Window],
          span_terms: list[set[str]], vectors: np.ndarray) -> Support:
    """The support verdict of ``cited`` (all the text a claim cites) for ``claim``.

    ``spans`` are windows of the cited text with their content words and normalised embeddings (same order);
    the window with the best combined score is the one the claim rests on.
    """
    if not spans:
        return Support("not supported", 0.0, 0.0, 0.0, None, reasons=("nothing it cites could be read",))
    sims = vectors @ claim_vector
    covers = np.array([coverage(claim_terms, t) for t in span_terms])
    combined = SIMILARITY_WEIGHT * sims + (1 - SIMILARITY_WEIGHT) * covers
    best = int(np.argmax(combined))
    similarity, cover, score = float(sims[best]), float(covers[best]), float(combined[best])
    aligned = spans[best]
    nums = check_numbers(claim, cited, aligned.text)
    names = check_names(claim, cited, aligned.text)
    negation = check_negation(claim, aligned.text)
    reasons: list[str] = [f"closest cited sentence: similarity {similarity:.2f}, {cover:.0%} of the claim's "
                          "words in it"]
    missing = [*nums.missing, *names.missing]
    score = max(0.0, score - MISSING_PENALTY * len(missing))
    conflicts = [*nums.conflicts, *names.conflicts, *negation.conflicts]
    verdict = _band(score)
    if missing:
        reasons.append("the cited text does not state: " + ", ".join(missing))
        if verdict == "supported":
            verdict = "partly supported"
    if conflicts and similarity >= CONFLICT_MIN_SIMILARITY:
        # The cited sentence speaks about the same thing and says something else: a contradiction.
        verdict = "contradicted"
        reasons.extend(conflicts)
        score = min(score, UNCLEAR - 0.01)
    elif conflicts:
        reasons.extend(f"{c} (in a sentence on another topic)" for c in conflicts)
    return Support(verdict, round(score, 3), round(similarity, 3), round(cover, 3), aligned, nums, names,
                   negation, tuple(reasons))
