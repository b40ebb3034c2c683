"""Between the JSON models of ``POST /v1/audit`` (and ``groundqa audit``) and the engine's audit records.

Requests come in as pydantic models (validated, with their error messages) and become AuditRequest records;
the reports the engine returns become the response models here, and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict

from groundqa.credibility.checks import Agreement
from groundqa.engine.audit.records import (
    AuditReport,
    AuditRequest,
    BatchItem,
    BatchSummary,
    Citation,
    CitationRef,
    Claim,
    ClaimRef,
    ItemResult,
    Quote,
    SourceSpan,
    Suggestion,
    Summary,
)
from groundqa.index.store import flag_to_json
from groundqa.service.audit.schemas import (
    AgreementOut,
    AuditBatchOut,
    AuditIn,
    AuditItemIn,
    AuditItemOut,
    AuditOut,
    BatchSummaryOut,
    ChecksOut,
    CitationOut,
    ClaimIn,
    ClaimOut,
    DiffOpOut,
    InheritedFlagOut,
    MarkerWarningOut,
    Probabilities,
    QuoteOut,
    SpanOut,
    SuggestionOut,
    SummaryOut,
    UncitedOut,
)
from groundqa.service.schemas import ErrorBody, FlagOut, passage_out, source_meta

# -- requests -------------------------------------------------------------------------------------------------


def claim_ref(claim: ClaimIn) -> ClaimRef:
    return ClaimRef(text=claim.claim, citations=tuple(
        CitationRef(passage_id=x.passage_id, source_id=x.source_id, start=x.start, end=x.end, quote=x.quote)
        for x in claim.citations))


def audit_request(body: AuditIn, *, suggest: bool = True) -> AuditRequest:
    """The record of a validated request; ``suggest=False`` turns suggestions off whatever the body says."""
    claims = None if body.claims is None else tuple(claim_ref(c) for c in body.claims)
    return AuditRequest(answer=body.answer, claims=claims, suggest=body.suggest and suggest)


def item_from(position: int, item: AuditItemIn, *, suggest: bool = True) -> BatchItem:
    """One answer of a batch; without an id it is known by its position (from 1)."""
    return BatchItem(id=item.id or str(position), request=audit_request(item, suggest=suggest))


# -- reports --------------------------------------------------------------------------------------------------


def _span(span: SourceSpan | None) -> SpanOut | None:
    return None if span is None else SpanOut(source_id=span.source_id, start=span.start, end=span.end, text=span.text)


def _agreement(a: Agreement) -> AgreementOut:
    return AgreementOut(claim=list(a.claim), missing=list(a.missing), conflicts=list(a.conflicts))


def _quote(q: Quote | None) -> QuoteOut | None:
    if q is None:
        return None
    c = q.check
    return QuoteOut(quote=q.quote, status=c.status, similarity=c.similarity, start=c.start, end=c.end, text=c.text,
                    in_span=c.in_span, diff=[DiffOpOut(op=d.op, quote=d.quote, source=d.source) for d in c.diff])


def citation_out(c: Citation) -> CitationOut:
    return CitationOut(marker=c.marker, passage_id=c.passage_id, source_id=c.source_id, start=c.start, end=c.end,
                       status=c.status, message=c.message, title=c.title, text=c.text, verdict=c.verdict,
                       score=c.score, probabilities=None if c.probabilities is None
                       else Probabilities(**asdict(c.probabilities)), aligned=_span(c.aligned),
                       quote=_quote(c.quote), flags=[FlagOut(**flag_to_json(f)) for f in c.flags],
                       source=None if c.source is None else source_meta(c.source))


def _suggestion(s: Suggestion | None) -> SuggestionOut | None:
    if s is None:
        return None
    return SuggestionOut(passage=passage_out(s.passage, s.source), verdict=s.verdict, score=s.score,
                         aligned=_span(s.aligned))


def claim_out(c: Claim) -> ClaimOut:
    checks = None if c.checks is None else ChecksOut(numbers=_agreement(c.checks.numbers),
                                                     names=_agreement(c.checks.names),
                                                     negation=_agreement(c.checks.negation))
    flags = [InheritedFlagOut(**flag_to_json(f.flag), passage_id=f.passage_id, source_id=f.source_id,
                              touches_claim=f.touches_claim) for f in c.flags]
    return ClaimOut(index=c.index, claim=c.claim, start=c.start, end=c.end, verdict=c.verdict, score=c.score,
                    probabilities=Probabilities(**asdict(c.probabilities)), similarity=c.similarity,
                    coverage=c.coverage, reasons=list(c.reasons), checks=checks,
                    citations=[citation_out(x) for x in c.citations], flags=flags,
                    sources=[source_meta(s) for s in c.sources], best_passage=_suggestion(c.best_passage))


def summary_out(s: Summary) -> SummaryOut:
    return SummaryOut(verdict=s.verdict, passed=s.passed, claims=s.claims, by_verdict=dict(s.by_verdict),
                      citations=s.citations, citations_missing=s.citations_missing, quotes_checked=s.quotes_checked,
                      quotes_mismatched=s.quotes_mismatched, uncited_sentences=s.uncited_sentences,
                      flagged_claims=s.flagged_claims, mean_score=s.mean_score, elapsed_ms=s.elapsed_ms,
                      notes=list(s.notes))


def audit_out(report: AuditReport) -> AuditOut:
    return AuditOut(summary=summary_out(report.summary), claims=[claim_out(c) for c in report.claims],
                    uncited=[UncitedOut(text=u.text, start=u.start, end=u.end) for u in report.uncited],
                    warnings=[MarkerWarningOut(marker=w.marker, start=w.start, end=w.end, message=w.message)
                              for w in report.warnings])


def item_out(item: ItemResult) -> AuditItemOut:
    error = None if item.error is None else ErrorBody(status=item.error.status, code=item.error.code,
                                                      message=item.error.message)
    return AuditItemOut(id=item.id, report=None if item.report is None else audit_out(item.report), error=error)


def batch_summary_out(s: BatchSummary) -> BatchSummaryOut:
    return BatchSummaryOut(verdict=s.verdict, passed=s.passed, answers=s.answers, by_verdict=dict(s.by_verdict),
                           claims=s.claims, elapsed_ms=s.elapsed_ms)


def batch_out(results: list[ItemResult], summary: BatchSummary) -> AuditBatchOut:
    return AuditBatchOut(summary=batch_summary_out(summary), results=[item_out(r) for r in results])
