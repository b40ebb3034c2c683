"""Pydantic models of POST /v1/audit (and of ``groundqa audit --json``, which prints the same shape)."""

from __future__ import annotations

from typing import Literal

from groundqa.service.schemas import ErrorBody, FlagOut, PassageOut, SourceMetaOut
from pydantic import BaseModel, ConfigDict, Field, model_validator

Verdict = Literal["supported", "partly supported", "unclear", "not supported", "contradicted"]
CitationStatus = Literal["ok", "missing_passage", "missing_source", "bad_range"]
QuoteStatus = Literal["exact", "normalised", "altered", "not_found"]


class CitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passage_id: str | None = Field(None, description="A passage id from a query result (p_...).")
    source_id: str | None = Field(None, description="A source id, cited with a [start, end) character range.")
    start: int | None = Field(None, description="Start offset in the source text (with source_id).")
    end: int | None = Field(None, description="End offset in the source text, exclusive (with source_id).")
    quote: str | None = Field(None, description="Text the answer quotes from the cited passage or span.")

    @model_validator(mode="after")
    def _one_target(self) -> CitationIn:
        if self.passage_id:
            if self.source_id or self.start is not None or self.end is not None:
                raise ValueError("give either passage_id, or source_id with start and end, not both")
        elif not self.source_id or self.start is None or self.end is None:
            raise ValueError("a citation needs passage_id, or source_id with start and end")
        return self


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claim: str = Field(..., min_length=1, description="One statement of the answer.")
    citations: list[CitationIn] = Field(default_factory=list, description="What the statement cites.")


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str | None = Field(None, description="Answer text with citation markers such as [p_0123abcd...] or "
                               "[source_id:120-240]; each sentence with markers is a claim.",
                               examples=["Chemotherapy is the backbone of first-line treatment [p_fce86e28cace2d61]."])
    claims: list[ClaimIn] | None = Field(None, description="Structured claims instead of answer text.")
    suggest: bool = Field(True, description="Look for the best-supporting passage where support is weak.")

    @model_validator(mode="after")
    def _one_input(self) -> AuditIn:
        if (self.answer is None) == (self.claims is None):
            raise ValueError("send either 'answer' (text with citation markers) or 'claims' (structured), "
                             "exactly one of them")
        return self


class DiffOpOut(BaseModel):
    op: Literal["replace", "delete", "insert"]
    quote: str = Field(description="What the answer says.")
    source: str = Field(description="What the source says there.")


class QuoteOut(BaseModel):
    quote: str
    status: QuoteStatus
    similarity: float = Field(description="Word-level similarity of quote and closest span, 0-100.")
    start: int | None = Field(None, description="Closest span in the source (source coordinates).")
    end: int | None = None
    text: str | None = None
    in_span: bool = Field(False, description="Whether that span lies inside the cited passage or range.")
    diff: list[DiffOpOut] = Field(default_factory=list)


class SpanOut(BaseModel):
    source_id: str
    start: int
    end: int
    text: str


class AgreementOut(BaseModel):
    claim: list[str] = Field(default_factory=list, description="What the claim states.")
    missing: list[str] = Field(default_factory=list, description="What the cited text does not state.")
    conflicts: list[str] = Field(default_factory=list, description="Where the cited text says otherwise.")


class ChecksOut(BaseModel):
    numbers: AgreementOut
    names: AgreementOut = Field(description="Drug and treatment names.")
    negation: AgreementOut


class Probabilities(BaseModel):
    """Calibrated probabilities that the cited text supports, refutes or says nothing about the claim."""

    supports: float
    refutes: float
    neither: float


class CitationOut(BaseModel):
    marker: str | None = Field(None, description="The marker as written in the answer text.")
    passage_id: str | None
    source_id: str | None
    start: int | None
    end: int | None
    status: CitationStatus
    message: str | None = None
    title: str | None = None
    text: str | None = Field(None, description="The cited text.")
    verdict: Verdict | None = Field(None, description="Support by this citation alone.")
    score: float | None = Field(None, description="Probability (calibrated) that this citation alone supports the "
                                "claim.")
    probabilities: Probabilities | None = None
    aligned: SpanOut | None = Field(None, description="The cited sentence closest to the claim.")
    quote: QuoteOut | None = None
    flags: list[FlagOut] = Field(default_factory=list)
    source: SourceMetaOut | None = None


class InheritedFlagOut(FlagOut):
    passage_id: str
    source_id: str
    touches_claim: bool = Field(description="Whether the flag's evidence overlaps the sentence the claim rests on.")


class SuggestionOut(BaseModel):
    passage: PassageOut
    verdict: Verdict
    score: float = Field(description="Probability (calibrated) that this passage supports the claim.")
    aligned: SpanOut | None


class ClaimOut(BaseModel):
    index: int
    claim: str
    start: int | None = Field(None, description="Where the claim sits in the answer text.")
    end: int | None = None
    verdict: Verdict
    score: float = Field(description="Probability (calibrated) that the cited text supports the claim: the "
                         "verifier's p(supports) for the sentence the claim rests on.")
    probabilities: Probabilities = Field(description="The verifier's calibrated probabilities for the sentence "
                                         "the claim rests on.")
    similarity: float = Field(description="Bi-encoder cosine of the claim and that sentence.")
    coverage: float = Field(description="Share of the claim's content words in that sentence.")
    reasons: list[str]
    checks: ChecksOut | None
    citations: list[CitationOut]
    flags: list[InheritedFlagOut] = Field(default_factory=list)
    sources: list[SourceMetaOut] = Field(default_factory=list, description="Cited sources and their profiles.")
    best_passage: SuggestionOut | None = Field(None, description="Where support is weak: the passage of the "
                                               "corpus that supports the claim best, when it beats the citation.")


class UncitedOut(BaseModel):
    text: str
    start: int
    end: int


class SummaryOut(BaseModel):
    verdict: Literal["pass", "review", "fail"]
    passed: bool
    claims: int
    by_verdict: dict[str, int]
    citations: int
    citations_missing: int
    quotes_checked: int
    quotes_mismatched: int
    uncited_sentences: int
    flagged_claims: int = Field(description="Claims resting on a sentence that carries a credibility flag.")
    mean_score: float
    elapsed_ms: float
    notes: list[str]


class MarkerWarningOut(BaseModel):
    marker: str = Field(description="The bracket as written in the answer.")
    start: int
    end: int
    message: str = Field(description="Why it is not read as a citation, and how to write it.")


class AuditOut(BaseModel):
    summary: SummaryOut
    claims: list[ClaimOut]
    uncited: list[UncitedOut]
    warnings: list[MarkerWarningOut] = Field(default_factory=list, description="Brackets that look like citations "
                                             "but are not in a form groundqa reads; their sentences count as uncited.")


class AuditItemIn(AuditIn):
    id: str | None = Field(None, max_length=200, description="The answer's id, echoed in its result "
                           "(default: its position, from 1).")


class AuditBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[AuditItemIn] = Field(..., min_length=1, description="Answers to audit, each with an id; at "
                                       "most GROUNDQA_AUDIT_MAX_BATCH of them.")
    suggest: bool = Field(True, description="Look for the best-supporting passage where support is weak.")


class AuditRequestIn(BaseModel):
    """The body of POST /v1/audit: one answer (``answer`` or ``claims``) or a small batch (``answers``)."""

    model_config = ConfigDict(extra="forbid")
    answer: str | None = AuditIn.model_fields["answer"]
    claims: list[ClaimIn] | None = AuditIn.model_fields["claims"]
    answers: list[AuditItemIn] | None = Field(None, description="A batch instead: answers each with an id and "
                                              "an 'answer' or 'claims'; at most GROUNDQA_AUDIT_MAX_BATCH.")
    suggest: bool = AuditIn.model_fields["suggest"]

    @model_validator(mode="after")
    def _one_input(self) -> AuditRequestIn:
        if sum(x is not None for x in (self.answer, self.claims, self.answers)) != 1:
            raise ValueError("send exactly one of 'answer' (text with citation markers), 'claims' (structured) "
                             "or 'answers' (a batch)")
        return self


class AuditItemOut(BaseModel):
    id: str
    report: AuditOut | None = Field(None, description="The audit, as for a single answer.")
    error: ErrorBody | None = Field(None, description="Why this answer could not be audited.")


class BatchSummaryOut(BaseModel):
    verdict: Literal["pass", "review", "fail"] = Field(description="The worst verdict of the batch (an answer "
                                                       "that could not be audited counts as fail).")
    passed: bool
    answers: int
    by_verdict: dict[str, int] = Field(description="Answers per verdict: pass, review, fail, error.")
    claims: int
    elapsed_ms: float


class AuditBatchOut(BaseModel):
    summary: BatchSummaryOut
    results: list[AuditItemOut]
