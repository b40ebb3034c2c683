"""What an audit takes and returns: frozen records. service/audit/convert.py turns them into the JSON of
``POST /v1/audit`` and ``groundqa audit --json``; eval and bench read them as they are."""

from __future__ import annotations

from dataclasses import dataclass

from groundqa.core.records import Flag, Passage
from groundqa.credibility.checks import Agreement
from groundqa.engine.audit.quotes import QuoteCheck
from groundqa.index.store import StoredSource

# -- what is audited ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationRef:
    """One citation as written: a passage id, or a source id with a [start, end) character range."""

    passage_id: str | None = None
    source_id: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class ClaimRef:
    """A claim to check; ``start``/``end`` locate it in the answer text when it came from one."""

    text: str
    citations: tuple[CitationRef, ...]
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class AuditRequest:
    """One answer: its text with citation markers, or structured claims (exactly one of the two)."""

    answer: str | None = None
    claims: tuple[ClaimRef, ...] | None = None
    suggest: bool = True  # look for the best-supporting passage where support is weak


# -- what the audit finds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Uncited:
    """A sentence of the answer that cites nothing (answer coordinates)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class MarkerWarning:
    """A bracket that looks like a citation but is not one groundqa can check, and how to write it."""

    marker: str
    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Probabilities:
    """Calibrated probabilities that the cited text supports, refutes or says nothing about the claim."""

    supports: float
    refutes: float
    neither: float

    @classmethod
    def of(cls, values: dict[str, float]) -> Probabilities:
        return cls(supports=values["supports"], refutes=values["refutes"], neither=values["neither"])


@dataclass(frozen=True)
class SourceSpan:
    source_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """A quote an answer puts on a citation, and where it was found in the source."""

    quote: str
    check: QuoteCheck


@dataclass(frozen=True)
class Citation:
    """One citation of a claim: what it points to (``status``), and, when it points to text, how well that text
    alone supports the claim."""

    marker: str | None
    passage_id: str | None
    source_id: str | None
    start: int | None
    end: int | None
    status: str  # ok | missing_passage | missing_source | bad_range
    message: str | None = None
    title: str | None = None
    text: str | None = None
    verdict: str | None = None
    score: float | None = None
    probabilities: Probabilities | None = None
    aligned: SourceSpan | None = None  # the cited sentence closest to the claim
    quote: Quote | None = None
    flags: tuple[Flag, ...] = ()
    source: StoredSource | None = None


@dataclass(frozen=True)
class Checks:
    numbers: Agreement
    names: Agreement  # drug and treatment names
    negation: Agreement


@dataclass(frozen=True)
class InheritedFlag:
    """A flag of the cited text, carried by the claim that rests on it."""

    flag: Flag
    passage_id: str
    source_id: str
    touches_claim: bool  # the flag's evidence overlaps the sentence the claim rests on


@dataclass(frozen=True)
class Suggestion:
    """The corpus passage that supports a weakly supported claim best, when it beats the citations."""

    passage: Passage
    source: StoredSource
    verdict: str
    score: float
    aligned: SourceSpan | None


@dataclass(frozen=True)
class Claim:
    index: int
    claim: str
    start: int | None
    end: int | None
    verdict: str
    score: float  # the verifier's calibrated p(supports) for the sentence the claim rests on
    probabilities: Probabilities
    similarity: float
    coverage: float
    reasons: tuple[str, ...]
    checks: Checks | None
    citations: tuple[Citation, ...]
    flags: tuple[InheritedFlag, ...] = ()
    sources: tuple[StoredSource, ...] = ()  # the cited sources, each once
    best_passage: Suggestion | None = None


@dataclass(frozen=True)
class Summary:
    verdict: str  # pass | review | fail
    passed: bool
    claims: int
    by_verdict: dict[str, int]
    citations: int
    citations_missing: int
    quotes_checked: int
    quotes_mismatched: int
    uncited_sentences: int
    flagged_claims: int
    mean_score: float
    elapsed_ms: float
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AuditReport:
    summary: Summary
    claims: tuple[Claim, ...]
    uncited: tuple[Uncited, ...]
    warnings: tuple[MarkerWarning, ...] = ()


# -- batches --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchItem:
    """One answer of a batch: its id, and the request or the reason it could not be read."""

    id: str
    request: AuditRequest | None = None
    problem: str | None = None


@dataclass(frozen=True)
class ItemError:
    """Why an answer of a batch could not be audited; ``status`` is the HTTP status it would have had alone."""

    status: int
    code: str
    message: str


@dataclass(frozen=True)
class ItemResult:
    id: str
    report: AuditReport | None = None
    error: ItemError | None = None


@dataclass(frozen=True)
class BatchSummary:
    verdict: str  # the worst of the batch; an answer that could not be audited counts as fail
    passed: bool
    answers: int
    by_verdict: dict[str, int]  # answers per verdict: pass, review, fail, error
    claims: int
    elapsed_ms: float
