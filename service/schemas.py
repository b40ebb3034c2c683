"""Pydantic models of the HTTP edge (and of the CLI's --json output, which has the same shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from groundqa.core.records import Passage
from groundqa.core.settings import Mode
from groundqa.index.store import StoredSource, flag_to_json
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from groundqa.engine.query import Answer, Sentence


class FilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_ids: list[str] = Field(default_factory=list, description="Only passages of these sources.")
    publisher_types: list[str] = Field(default_factory=list, description="Only sources of these publisher types.")
    languages: list[str] = Field(default_factory=list, description="Only sources in these languages.")
    exclude_flags: list[Literal["commercial", "unverified"]] = Field(
        default_factory=list, description="Drop passages carrying any of these credibility flags.")
    downrank_flagged: bool = Field(False, description="Instead of dropping passages with exclude_flags, rank them "
                                   "after every unflagged passage.")
    min_source_credibility: float | None = Field(None, ge=0.0, le=1.0, description="Only sources whose credibility "
                                                 "profile score (source.profile.score, 0-1) is at least this.")


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="Free-text question.", examples=["Which chemotherapy is used first?"])
    k: int = Field(5, description="Number of passages to return.")
    mode: Mode = Field("hybrid", description="bm25, dense or hybrid (fusion of both).")
    per_source: int | None = Field(None, ge=0, description="At most this many passages of one source (1: one per "
                                   "source, k sources ranked; 0: no limit); default: the service's setting.")
    filters: FilterIn = Field(default_factory=FilterIn)


class SourceMetaOut(BaseModel):
    source_id: str
    title: str | None
    publisher: str | None
    publisher_type: str
    url: str | None
    language: str | None
    authors: list[str]
    date: str | None
    original_file: str | None
    file: str | None
    length: int
    profile: dict[str, Any] | None = None
    ingested: str | None = Field(None, description="UTC date this copy of the source was ingested (a citation's "
                                 "accessed date).")


class FlagOut(BaseModel):
    kind: str
    reason: str
    cues: list[str]
    confidence: float
    evidence: list[dict[str, int]]
    override: bool = False


class SentenceOut(BaseModel):
    start: int = Field(..., description="Offset in the source text (source.text[start:end] == text).")
    end: int
    text: str
    score: float = Field(..., description="Cosine of the sentence to the question.")


class PassageOut(BaseModel):
    passage_id: str
    marker: str = Field(description="The citation marker [source_id:start-end] that `groundqa audit` reads; "
                        "[passage_id] works as well.")
    source_id: str
    title: str | None
    start: int
    end: int
    page: int | None
    heading: str | None
    text: str
    ocr: bool = Field(False, description="The passage's page was a scanned image read by OCR: check the wording "
                      "against the original before quoting it.")
    score: float | None = None
    ranks: dict[str, int] | None = None
    best_sentence: SentenceOut | None = Field(None, description="The passage's sentence closest in meaning to the "
                                               "question (null for an index built without sentence vectors).")
    flags: list[FlagOut] = Field(default_factory=list)
    source: SourceMetaOut


class QueryOut(BaseModel):
    question: str
    mode: Mode
    k: int
    abstained: bool = Field(False, description="True when no passage supports an answer (the nearest passage's "
                            "dense cosine is below the calibrated threshold); passages are still listed.")
    support: float | None = Field(None, description="Dense cosine of the question to its nearest passage.")
    passages: list[PassageOut]


class PassageContextOut(PassageOut):
    context_start: int
    context_end: int
    context_before: str
    context_after: str


class SourceOut(SourceMetaOut):
    text: str


class PageOut(BaseModel):
    """Where a page of a list sits: ask again with ``offset=next_offset`` until it is null."""

    total: int = Field(description="Items in the whole list.")
    offset: int = Field(0, description="Items skipped before this page.")
    limit: int = Field(description="Most items a page holds.")
    next_offset: int | None = Field(None, description="The offset of the next page; null on the last one.")


class SourceListOut(PageOut):
    sources: list[SourceMetaOut]


class SourcePassagesOut(PageOut):
    source_id: str
    passages: list[PassageOut]


class HealthOut(BaseModel):
    status: str
    snapshot: str
    model: str
    sources: int
    passages: int


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


def citation_marker(source_id: str, start: int, end: int) -> str:
    """The one way groundqa writes a citation, everywhere it writes one; ``groundqa audit`` parses it back."""
    return f"[{source_id}:{start}-{end}]"


def source_meta(source: StoredSource) -> SourceMetaOut:
    m = source.meta
    return SourceMetaOut(source_id=source.source_id, title=source.title, publisher=m.publisher,
                         publisher_type=m.publisher_type, url=m.url, language=m.language, authors=list(m.authors),
                         date=m.date, original_file=m.original_file, file=source.file, length=len(source.text),
                         profile=source.profile, ingested=source.ingested)


def passage_out(passage: Passage, source: StoredSource, *, score: float | None = None,
                ranks: dict[str, int] | None = None, best: Sentence | None = None) -> PassageOut:
    sentence = None if best is None else SentenceOut(start=best.start, end=best.end, score=best.score,
                                                     text=source.text[best.start:best.end])
    return PassageOut(passage_id=passage.passage_id, marker=citation_marker(passage.source_id, passage.start,
                                                                            passage.end),
                      source_id=passage.source_id, title=source.title,
                      start=passage.start, end=passage.end, page=passage.page, heading=passage.heading,
                      text=passage.text, ocr=passage.page in source.meta.extra.get("ocr_pages", ()),
                      score=score, ranks=ranks, best_sentence=sentence,
                      flags=[FlagOut(**flag_to_json(f)) for f in passage.flags], source=source_meta(source))


def query_out(question: str, mode: str, k: int, answer: Answer,
              source: Callable[[str], StoredSource]) -> QueryOut:
    """The one response shape of a query, for HTTP and for the CLI's --json alike."""
    return QueryOut(question=question, mode=mode, k=k, abstained=answer.abstained, support=answer.support,
                    passages=[passage_out(h.passage, source(h.passage.source_id), score=h.score, ranks=h.ranks,
                                          best=h.best_sentence) for h in answer.hits])


def check_query_limits(question: str, k: int, *, max_k: int, max_question_chars: int) -> None:
    """The limits of a query, the same for the HTTP API and the CLI (GROUNDQA_MAX_K, GROUNDQA_MAX_QUESTION_CHARS)."""
    from groundqa.core.errors import InvalidRequestError

    if len(question) > max_question_chars:
        raise InvalidRequestError(f"the question is {len(question)} characters long, the limit is "
                                  f"{max_question_chars} (GROUNDQA_MAX_QUESTION_CHARS); shorten it")
    if not 1 <= k <= max_k:
        raise InvalidRequestError(f"k must be between 1 and {max_k} (GROUNDQA_MAX_K), got {k}")
