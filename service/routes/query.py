"""POST /v1/query: cited passages for a question."""

from __future__ import annotations

from fastapi import APIRouter
from groundqa.ingest.errors import InvalidRequestError
from groundqa.service.deps import EngineDep, SettingsDep
from groundqa.service.engine import Filters
from groundqa.service.errors import ERROR_RESPONSES
from groundqa.service.schemas import QueryIn, QueryOut, query_out

router = APIRouter(prefix="/v1", tags=["query"])


@router.post("/query", response_model=QueryOut, responses=ERROR_RESPONSES)
def query(body: QueryIn, engine: EngineDep, settings: SettingsDep) -> QueryOut:
    if len(body.question) > settings.max_question_chars:
        raise InvalidRequestError(f"question is {len(body.question)} characters long, the limit is "
                                  f"{settings.max_question_chars}; shorten it")
    if not 1 <= body.k <= settings.max_k:
        raise InvalidRequestError(f"k must be between 1 and {settings.max_k}, got {body.k}")
    filters = Filters(tuple(body.filters.source_ids), tuple(body.filters.publisher_types),
                      tuple(body.filters.languages), exclude_flags=tuple(body.filters.exclude_flags),
                      downrank_flagged=body.filters.downrank_flagged,
                      min_source_credibility=body.filters.min_source_credibility)
    answer = engine.answer(body.question.strip(), k=body.k, mode=body.mode, filters=filters,
                           per_source=body.per_source)
    return query_out(body.question, body.mode, body.k, answer, engine.source)
