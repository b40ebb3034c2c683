"""One verdict over a whole answer: pass only when every claim is supported by what it really cites."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from groundqa.credibility.judge import VERDICTS
from groundqa.engine.audit.records import Claim, Summary, Uncited

_FAILING = {"not supported", "contradicted"}


def summarise(claims: Sequence[Claim], uncited: Sequence[Uncited], *, elapsed_ms: float) -> Summary:
    """``fail``: a claim is contradicted or unsupported, or cites what does not exist; ``review``: something
    needs a person's eye (partial support, altered quotes, uncited sentences, claims resting on flagged text);
    ``pass``: none of that."""
    by_verdict = Counter(c.verdict for c in claims)
    citations = [x for c in claims for x in c.citations]
    missing = sum(x.status != "ok" for x in citations)
    quotes = [x.quote.check for x in citations if x.quote is not None]
    mismatched = sum(q.status in ("altered", "not_found") or not q.in_span for q in quotes)
    flagged = sum(any(f.touches_claim for f in c.flags) for c in claims)
    notes: list[str] = []
    if not claims:
        notes.append("the answer carries no citation markers: nothing could be checked")
    if missing:
        notes.append(f"{missing} citation(s) point to no passage or span of the index")
    if mismatched:
        notes.append(f"{mismatched} quote(s) differ from the source or sit outside the cited span")
    if uncited:
        notes.append(f"{len(uncited)} sentence(s) cite nothing")
    if flagged:
        notes.append(f"{flagged} claim(s) rest on text with a credibility flag")
    if not claims or missing or any(c.verdict in _FAILING for c in claims):
        verdict = "fail"
    elif mismatched or uncited or flagged or any(c.verdict != "supported" for c in claims):
        verdict = "review"
    else:
        verdict = "pass"
    mean = sum(c.score for c in claims) / len(claims) if claims else 0.0
    return Summary(verdict=verdict, passed=verdict == "pass", claims=len(claims),
                   by_verdict={v: by_verdict.get(v, 0) for v in VERDICTS}, citations=len(citations),
                   citations_missing=missing, quotes_checked=len(quotes), quotes_mismatched=mismatched,
                   uncited_sentences=len(uncited), flagged_claims=flagged, mean_score=round(mean, 3),
                   elapsed_ms=round(elapsed_ms, 1), notes=tuple(notes))
