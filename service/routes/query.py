"""POST /v1/query: cited passages for a question, as JSON or as an export (Markdown, CSV, CSL-JSON, RIS, BibTeX)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from groundqa.engine.query import Filters
from groundqa.service.deps import EngineDep, SettingsDep
from groundqa.service.errors import ERROR_RESPONSES
from groundqa.service.export import QUERY_FORMATS, render_query_as
from groundqa.service.negotiate import format_responses, formatted, pick_format
from groundqa.service.schemas import QueryIn, QueryOut, check_query_limits, query_out

router = APIRouter(prefix="/v1", tags=["query"])

QueryFormat = Literal["json", "md", "csv", "csl", "ris", "bibtex"]


@router.post("/query", response_model=QueryOut, responses={**ERROR_RESPONSES, **format_responses(QUERY_FORMATS)})
def query(body: QueryIn, engine: EngineDep, settings: SettingsDep, request: Request,
          format: Annotated[QueryFormat | None, Query(  # noqa: A002  (the parameter's public name)
              description="json (default), md, csv, csl (CSL-JSON), ris or bibtex; or ask with the Accept header "
                          "(text/markdown, text/csv, application/vnd.citationstyles.csl+json, "
                          "application/x-research-info-systems, application/x-bibtex).")] = None,
          ) -> QueryOut | Response:
    """Cited passages: each with its id, its citation marker [source_id:start-end], source and flags."""
    fmt = pick_format(request, format, QUERY_FORMATS)
    check_query_limits(body.question, body.k, max_k=settings.max_k, max_question_chars=settings.max_question_chars)
    filters = Filters(tuple(body.filters.source_ids), tuple(body.filters.publisher_types),
                      tuple(body.filters.languages), exclude_flags=tuple(body.filters.exclude_flags),
                      downrank_flagged=body.filters.downrank_flagged,
                      min_source_credibility=body.filters.min_source_credibility)
    answer = engine.answer(body.question.strip(), k=body.k, mode=body.mode, filters=filters,
                           per_source=body.per_source)
    result = query_out(body.question, body.mode, body.k, answer, engine.source)
    if fmt == "json":
        return result
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return formatted(render_query_as(result, fmt, today=today), fmt, QUERY_FORMATS, filename="groundqa-query")
