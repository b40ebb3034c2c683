"""Audit an answer: resolve every citation, check quotes, judge support per claim, summarise.

All claims and all cited sentences go to the bi-encoder in one call, which picks the few cited windows
closest to each claim; those (claim, window) pairs go to the verifier in one batch. Only claims whose
support is weak cost more: one hybrid query each and one more pass for the candidate passages together.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from groundqa.core.errors import InvalidRequestError
from groundqa.core.records import Passage
from groundqa.credibility.checks import check_names, check_negation, check_numbers
from groundqa.credibility.judge import RANK, Judgement, Window, decide, nothing, shortlist, terms, windows
from groundqa.credibility.verifier import Verifier, verifier
from groundqa.engine.audit.parse import ParsedAnswer, parse_answer
from groundqa.engine.audit.quotes import check_quote
from groundqa.engine.audit.records import (
    AuditReport,
    AuditRequest,
    Checks,
    Citation,
    Claim,
    ClaimRef,
    InheritedFlag,
    Probabilities,
    Quote,
    SourceSpan,
    Suggestion,
)
from groundqa.engine.audit.resolve import Resolved, resolve
from groundqa.engine.audit.summary import summarise
from groundqa.engine.query import Engine

SUGGESTION_CANDIDATES = 3
WINDOWS_PER_CITATION = 10  # cited windows embedded per claim and citation (those sharing most words with it)
VERIFIED_PER_CITATION = 3  # of those, the ones closest to the claim go to the verifier
WINDOWS_PER_SUGGESTION = 3
SUGGEST_MARGIN = 0.1  # a suggested passage must support the claim this much more probably than its citations


def claims_of(request: AuditRequest) -> ParsedAnswer:
    """The claims to check, from answer text (markers) or from structured claims."""
    if request.answer is not None:
        return parse_answer(request.answer)
    claims = tuple(replace(c, text=c.text.strip()) for c in request.claims or ())
    return ParsedAnswer(claims=claims, uncited=())


class _Encoded:
    """Embeddings of distinct texts: cited sentences the index holds are read from its sentence vectors; the rest
    (claims, altered quotes, text the index split otherwise) is encoded in as few encoder calls as possible."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, engine.encoder.dim), dtype=np.float32)
        self.encoded = 0  # texts the encoder was asked for (tests/engine/test_audit_vectors.py reads it)

    def _append(self, texts: list[str], vectors: np.ndarray) -> None:
        for i, t in enumerate(texts, start=len(self._rows)):
            self._rows[t] = i
        self._vectors = np.vstack([self._vectors, vectors])

    def add_stored(self, cited: Sequence[tuple[str, Sequence[Window]]]) -> None:
        """Vectors of cited windows that are indexed sentences (a pair of them: their normalised sum)."""
        texts, vectors = [], []
        for source_id, spans in cited:
            stored = self._engine.stored_sentences(source_id)
            if not stored:
                continue
            by_start: dict[int, list[tuple[int, int]]] = {}
            for (start, end), i in stored.items():
                by_start.setdefault(start, []).append((end, i))
            by_end = {end: (start, i) for (start, end), i in stored.items()}
            for w in spans:
                if w.text in self._rows or w.text in texts:
                    continue
                vector = self._stored_vector(w, stored, by_start, by_end)
                if vector is not None:
                    texts.append(w.text)
                    vectors.append(vector)
        if texts:
            self._append(texts, np.vstack(vectors))

    def _stored_vector(self, w: Window, stored: dict[tuple[int, int], int], by_start: dict[int, list[tuple[int, int]]],
                       by_end: dict[int, tuple[int, int]]) -> np.ndarray | None:
        engine = self._engine
        if (w.start, w.end) in stored:
            return engine.sentence_vector(stored[(w.start, w.end)])
        last = by_end.get(w.end)
        for first_end, i in by_start.get(w.start, ()):
            if last is not None and first_end <= last[0]:
                v = engine.sentence_vector(i) + engine.sentence_vector(last[1])
                return v / max(float(np.linalg.norm(v)), 1e-12)
        return None

    def add(self, texts: Sequence[str]) -> None:
        new = list(dict.fromkeys(t for t in texts if t not in self._rows))
        if not new:
            return
        self._append(new, self._engine.encoder.encode(new))
        self.encoded += len(new)

    def __getitem__(self, text: str) -> np.ndarray:
        return self._vectors[self._rows[text]]

    def many(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors[[self._rows[t] for t in texts]] if texts else self._vectors[:0]


def _span(resolved_source: str, window: Window | None) -> SourceSpan | None:
    return SourceSpan(source_id=resolved_source, start=window.start, end=window.end, text=window.text) \
        if window else None


def _overlaps(evidence: Sequence, window: Window | None) -> bool:
    return window is not None and any(e.start < window.end and e.end > window.start for e in evidence)


class Auditor:
    def __init__(self, engine: Engine, *, max_span: int, max_claims: int, judge: Verifier | None = None) -> None:
        self.engine = engine
        self.max_span = max_span
        self.max_claims = max_claims
        self.encoded = _Encoded(engine)
        self.verifier = judge or verifier()
        self._windows: dict[tuple[str, int, int], list[Window]] = {}
        self._terms: dict[str, set[str]] = {}
        self._probabilities: dict[tuple[str, str], np.ndarray] = {}

    def terms_of(self, texts: Sequence[str]) -> list[set[str]]:
        new = list(dict.fromkeys(t for t in texts if t not in self._terms))
        self._terms.update(zip(new, terms(new), strict=True))
        return [self._terms[t] for t in texts]

    def windows_for(self, claim: str, source_id: str, start: int, end: int, text: str, limit: int,
                    *, pairs: bool = True) -> list[Window]:
        """The windows of a cited text worth embedding for this claim (those sharing most words with it)."""
        key = (source_id, start, end)
        if key not in self._windows:
            self._windows[key] = windows(text, start)
        spans = [w for w in self._windows[key] if pairs or not w.pair] or self._windows[key]
        keep = shortlist(self.terms_of([claim])[0], spans, self.terms_of([w.text for w in spans]), limit)
        return [spans[i] for i in keep]

    def _cited_windows(self, claim: str, cited: Sequence[Resolved]) -> list[Window]:
        return [w for r in cited for w in self.windows_for(claim, r.source.source_id, r.start, r.end, r.text,
                                                           WINDOWS_PER_CITATION)]

    def candidates(self, claim: str, spans: list[Window], limit: int = VERIFIED_PER_CITATION) -> list[Window]:
        """The ``limit`` windows closest to the claim by bi-encoder cosine (embedded beforehand)."""
        if len(spans) <= limit:
            return spans
        sims = self.encoded.many([w.text for w in spans]) @ self.encoded[claim]
        return [spans[i] for i in sorted(np.argsort(-sims)[:limit])]

    def verify(self, pairs: Sequence[tuple[str, Window]]) -> None:
        """Calibrated verifier probabilities for every new (claim, window) pair, in one batch."""
        todo = list(dict.fromkeys((c, w.text) for c, w in pairs if (c, w.text) not in self._probabilities))
        if todo:
            for key, row in zip(todo, self.verifier.probabilities(todo), strict=True):
                self._probabilities[key] = row

    def judge(self, claim: str, cited: Sequence[Resolved]) -> Judgement:
        chosen = [w for r in cited for w in self.candidates(claim, self._cited_windows(claim, [r]))]
        return self._decide(claim, "\n".join(r.text for r in cited), chosen)

    def window_judgements(self, claim: str, cited: Sequence[Resolved]) -> tuple[list[Window], np.ndarray, np.ndarray]:
        """The candidate windows of the cited text for this claim, their calibrated verifier probabilities and
        their cosine to the claim: what the claim's verdict is decided from (training fits the aggregate on it)."""
        self.encoded.add_stored([(r.source.source_id, self._cited_windows(claim, [r])) for r in cited])
        self.encoded.add([claim, *(w.text for w in self._cited_windows(claim, cited))])
        chosen = [w for r in cited for w in self.candidates(claim, self._cited_windows(claim, [r]))]
        return (chosen, *self._judged(claim, chosen))

    def _judged(self, claim: str, chosen: list[Window]) -> tuple[np.ndarray, np.ndarray]:
        self.verify([(claim, w) for w in chosen])
        texts = [w.text for w in chosen]
        probabilities = np.array([self._probabilities[(claim, t)] for t in texts]).reshape(-1, 3)
        similarities = self.encoded.many(texts) @ self.encoded[claim] if texts else np.zeros(0)
        return probabilities, similarities

    def _decide(self, claim: str, cited_text: str, chosen: list[Window]) -> Judgement:
        texts = [w.text for w in chosen]
        probabilities, similarities = self._judged(claim, chosen)
        return decide(claim, cited_text, chosen, probabilities, similarities, self.terms_of([claim])[0],
                      self.terms_of(texts), self.verifier.calibration, getattr(self.verifier, "aggregator", None))

    def run(self, request: AuditRequest) -> AuditReport:
        began = time.perf_counter()
        parsed = claims_of(request)
        if len(parsed.claims) > self.max_claims:
            raise InvalidRequestError(f"the answer has {len(parsed.claims)} claims, the limit is {self.max_claims}; "
                                      "audit it in parts")
        resolved = [[resolve(self.engine, ref, max_span=self.max_span) for ref in c.citations] for c in parsed.claims]
        texts = [c.text for c in parsed.claims]
        cited = [(r.source.source_id, self._cited_windows(claim.text, [r]))
                 for claim, group in zip(parsed.claims, resolved, strict=True) for r in group if r.ok]
        self.encoded.add_stored(cited)  # cited sentences the index holds: their stored vectors
        texts += [w.text for _, spans in cited for w in spans]
        self.encoded.add(texts)  # the one encoder call: claims, and cited text the index does not hold
        self.verify([(claim.text, w) for claim, group in zip(parsed.claims, resolved, strict=True)
                     for r in group if r.ok for w in self.candidates(claim.text, self._cited_windows(claim.text, [r]))])
        claims = [self._claim(i, c, group) for i, (c, group) in enumerate(zip(parsed.claims, resolved, strict=True))]
        if request.suggest:
            claims = self._suggest(claims)
        return AuditReport(summary=summarise(claims, parsed.uncited, elapsed_ms=(time.perf_counter() - began) * 1000),
                           claims=tuple(claims), uncited=parsed.uncited)

    # -- one claim ------------------------------------------------------------------------------------------
    def _claim(self, index: int, claim: ClaimRef, cited: list[Resolved]) -> Claim:
        ok = [r for r in cited if r.ok]
        reasons: list[str] = []
        citations = _quotes_over_union([self._citation(claim.text, r) for r in cited])
        if not cited:
            support = nothing("unclear", "the claim cites nothing")
        elif not ok:
            support = nothing("not supported", "none of its citations points to an existing passage or span")
        else:
            support = self.judge(claim.text, ok)
        verdict, score = support.verdict, support.score
        reasons.extend(support.reasons)
        if ok and len(ok) < len(cited):
            reasons.append(f"{len(cited) - len(ok)} of its {len(cited)} citations point to nothing")
            verdict = _cap(verdict, "partly supported")
        verdict, score = self._apply_quotes(citations, verdict, score, reasons)
        flags = tuple(InheritedFlag(flag=f, passage_id=p.passage_id, source_id=p.source_id,
                                    touches_claim=_overlaps(f.evidence, support.aligned) or not f.evidence)
                      for r in ok for p, f in r.flags())
        sources = {r.source.source_id: r.source for r in ok}
        checks = Checks(numbers=support.numbers, names=support.names, negation=support.negation) if ok else None
        return Claim(index=index, claim=claim.text, start=claim.start, end=claim.end, verdict=verdict,
                     score=score, probabilities=Probabilities.of(support.probabilities), similarity=support.similarity,
                     coverage=support.coverage, reasons=tuple(reasons), checks=checks, citations=tuple(citations),
                     flags=flags, sources=tuple(sources.values()))

    def _citation(self, claim: str, r: Resolved) -> Citation:
        ref = r.ref
        where = Citation(marker=ref.marker, passage_id=ref.passage_id, source_id=r.source.source_id if r.source
                         else ref.source_id, start=r.start if r.ok else ref.start,
                         end=r.end if r.ok else ref.end, status=r.status, message=r.message)
        if not r.ok:
            return where
        support = self.judge(claim, [r])
        quote = Quote(ref.quote, check_quote(ref.quote, r.source.text, r.start, r.end)) if ref.quote else None
        return replace(where, title=r.source.title, text=r.text, verdict=support.verdict, score=support.score,
                       probabilities=Probabilities.of(support.probabilities),
                       aligned=_span(r.source.source_id, support.aligned), quote=quote,
                       flags=tuple(f for _, f in r.flags()), source=r.source)

    @staticmethod
    def _apply_quotes(citations: list[Citation], verdict: str, score: float,
                      reasons: list[str]) -> tuple[str, float]:
        """A quote that is not in the source, or differs from it, lowers what the claim can be credited with."""
        for c in citations:
            if c.quote is None:
                continue
            quote, q = c.quote.quote, c.quote.check
            where = c.marker or c.passage_id or c.source_id
            if q.status == "not_found":
                reasons.append(f"the quote cited to {where} is not in the source (closest span "
                               f"{q.similarity:.0f}% similar)")
                verdict = _cap(verdict, "not supported")
            elif q.status == "altered":
                changes = "; ".join(f"{d.quote or '∅'} → {d.source or '∅'}" for d in q.diff[:5])
                reasons.append(f"the quote cited to {where} differs from the source: {changes}")
                conflicts = [*check_numbers(quote, q.text or "", q.text or "").conflicts,
                             *check_names(quote, q.text or "", q.text or "").conflicts,
                             *check_negation(quote, q.text or "").conflicts]
                if conflicts:
                    reasons.extend(f"in the quote: {x}" for x in conflicts)
                    verdict = "contradicted"
                else:
                    verdict = _cap(verdict, "partly supported")
            elif not q.in_span:
                reasons.append(f"the quote cited to {where} is in the source but outside the cited span "
                               f"({q.start}-{q.end})")
                verdict = _cap(verdict, "partly supported")
        return verdict, score

    # -- suggestions ----------------------------------------------------------------------------------------
    def _suggest(self, claims: list[Claim]) -> list[Claim]:
        """For claims not fully supported: the corpus passage that supports them best, if it beats the citations.

        A passage the claim already cites, or one overlapping a cited range, is never suggested."""
        weak = [c for c in claims if c.verdict != "supported"]
        candidates: dict[int, list[tuple[Passage, list[Window]]]] = {}
        for c in weak:
            cited_ids = {x.passage_id for x in c.citations if x.passage_id}
            ranges = [(x.source_id, x.start, x.end) for x in c.citations if x.status == "ok"]
            hits = self.engine.query(c.claim, k=SUGGESTION_CANDIDATES + len(c.citations), mode="hybrid")
            fresh = [h.passage for h in hits if h.passage.passage_id not in cited_ids and not any(
                sid == h.passage.source_id and start < h.passage.end and h.passage.start < end
                for sid, start, end in ranges)]
            candidates[c.index] = [
                (p, self.windows_for(c.claim, p.source_id, p.start, p.end, p.text, WINDOWS_PER_SUGGESTION,
                                     pairs=False)) for p in fresh[:SUGGESTION_CANDIDATES]]
        self.encoded.add_stored([(p.source_id, ws) for ps in candidates.values() for p, ws in ps])
        self.encoded.add([w.text for ps in candidates.values() for _, ws in ps for w in ws])  # one call for the rest
        self.verify([(c.claim, w) for c in weak for _, ws in candidates[c.index] for w in ws])
        suggested: dict[int, Suggestion] = {}
        for c in weak:
            best: tuple[Judgement, Passage] | None = None
            for p, spans in candidates[c.index]:
                support = self._decide(c.claim, p.text, spans)
                if best is None or (RANK[support.verdict], support.score) > (RANK[best[0].verdict], best[0].score):
                    best = (support, p)
            if best is None:
                continue
            support, p = best
            if RANK[support.verdict] >= RANK["partly supported"] and support.score >= c.score + SUGGEST_MARGIN:
                suggested[c.index] = Suggestion(passage=p, source=self.engine.source(p.source_id),
                                                verdict=support.verdict, score=support.score,
                                                aligned=_span(p.source_id, support.aligned))
        return [replace(c, best_passage=suggested[c.index]) if c.index in suggested else c for c in claims]


def _quotes_over_union(citations: list[Citation]) -> list[Citation]:
    """A quote placed on several citations of one claim is checked against their union: where one of them holds
    it, it is in the cited text for all of them."""
    held = {c.quote.quote for c in citations if c.quote is not None and c.quote.check.in_span}
    return [replace(c, quote=replace(c.quote, check=replace(c.quote.check, in_span=True)))
            if c.quote is not None and not c.quote.check.in_span and c.quote.quote in held
            and c.quote.check.status != "not_found" else c for c in citations]


def _cap(verdict: str, ceiling: str) -> str:
    """The weaker of ``verdict`` and ``ceiling``."""
    return verdict if RANK[verdict] <= RANK[ceiling] else ceiling


def check_request(request: AuditRequest, *, max_chars: int) -> None:
    """Refuse what is empty or too large before any model work, saying what to change."""
    size = len(request.answer) if request.answer is not None else sum(len(c.text) for c in request.claims or ())
    if size > max_chars:
        raise InvalidRequestError(f"the answer is {size} characters long, the limit is {max_chars}; audit it in parts")
    if request.answer is not None and not request.answer.strip():
        raise InvalidRequestError("the answer is empty; send its text with citation markers such as [p_...]")
    if request.claims is not None and not request.claims:
        raise InvalidRequestError("'claims' is empty; send at least one {claim, citations}")


def audit(engine: Engine, request: AuditRequest, *, max_chars: int = 20_000, max_span: int = 10_000,
          max_claims: int = 100) -> AuditReport:
    """Audit one answer. Limits (else InvalidRequestError): ``max_chars`` of answer text, ``max_span`` characters
    per cited range, ``max_claims`` claims."""
    check_request(request, max_chars=max_chars)
    return Auditor(engine, max_span=max_span, max_claims=max_claims).run(request)
