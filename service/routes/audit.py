"""POST /v1/audit: check every citation of an answer (or of a small batch of answers) and judge each claim."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from groundqa.core.errors import InvalidRequestError
from groundqa.engine.audit.batch import audit_items, audit_one, summarise_batch, warm_up_in_background
from groundqa.service.audit.convert import audit_out, audit_request, batch_out, item_from
from groundqa.service.audit.export import AUDIT_FORMATS, render_audit_as
from groundqa.service.audit.schemas import AuditBatchOut, AuditIn, AuditOut, AuditRequestIn
from groundqa.service.deps import EngineDep, SettingsDep
from groundqa.service.errors import ERROR_RESPONSES
from groundqa.service.negotiate import format_responses, formatted, pick_format


@asynccontextmanager
async def _warm(_: FastAPI) -> AsyncIterator[None]:
    # The drug-name dictionary takes seconds to unpack: load it beside startup, not in the first audit.
    warm_up_in_background()
    yield


router = APIRouter(prefix="/v1", tags=["audit"], lifespan=_warm)

AuditFormat = Literal["json", "md", "csv", "html"]


@router.post("/audit", response_model=AuditOut | AuditBatchOut,
             responses={**ERROR_RESPONSES, **format_responses(AUDIT_FORMATS)})
def audit(body: AuditRequestIn, engine: EngineDep, settings: SettingsDep, request: Request,
          format: Annotated[AuditFormat | None, Query(  # noqa: A002  (the parameter's public name)
              description="json (default), md, csv or html; or ask with the Accept header (text/markdown, "
                          "text/csv, text/html).")] = None,
          ) -> AuditOut | AuditBatchOut | Response:
    """Per claim: do the cited passages exist, do quotes match the source (else the closest span and the
    difference), a support verdict with a score, the credibility flags and source profiles it inherits, and
    where support is weak the best-supporting passage of the corpus. Plus uncited sentences, brackets that look
    like citations but cannot be read (``warnings``), and a summary.

    ``answers`` (a list of {id, answer | claims}, at most GROUNDQA_AUDIT_MAX_BATCH) audits a small batch: one
    result per answer, each a report or the error that stopped it, and a summary of the batch."""
    fmt = pick_format(request, format, AUDIT_FORMATS)
    if body.answers is None:
        result: AuditOut | AuditBatchOut = audit_out(audit_one(
            engine, audit_request(AuditIn(answer=body.answer, claims=body.claims, suggest=body.suggest)), settings))
    else:
        if len(body.answers) > settings.audit_max_batch:
            raise InvalidRequestError(f"the batch has {len(body.answers)} answers, the limit is "
                                      f"{settings.audit_max_batch} (GROUNDQA_AUDIT_MAX_BATCH); send it in parts, or "
                                      "use `groundqa audit answers.jsonl` for large batches")
        ids = [a.id for a in body.answers if a.id is not None]
        if len(ids) != len(set(ids)):
            raise InvalidRequestError("two answers of the batch share an id; give every answer its own id")
        began = time.perf_counter()
        items = [item_from(i, a, suggest=body.suggest) for i, a in enumerate(body.answers, start=1)]
        results = list(audit_items(engine, items, settings))
        result = batch_out(results, summarise_batch(results, elapsed_ms=(time.perf_counter() - began) * 1000))
    if fmt == "json":
        return result
    return formatted(render_audit_as(result, fmt), fmt, AUDIT_FORMATS, filename="groundqa-audit")
