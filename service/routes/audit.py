"""POST /v1/audit: check every citation of an answer and judge each claim's support."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from groundqa.credibility.checks import warm_up
from groundqa.service.audit.auditor import audit as run_audit
from groundqa.service.audit.schemas import AuditIn, AuditOut
from groundqa.service.deps import EngineDep, SettingsDep
from groundqa.service.errors import ERROR_RESPONSES


@asynccontextmanager
async def _warm(_: FastAPI) -> AsyncIterator[None]:
    # The drug-name dictionary takes seconds to unpack: load it beside startup, not in the first audit.
    threading.Thread(target=warm_up, name="audit-warm-up", daemon=True).start()
    yield


router = APIRouter(prefix="/v1", tags=["audit"], lifespan=_warm)


@router.post("/audit", response_model=AuditOut, responses=ERROR_RESPONSES)
def audit(body: AuditIn, engine: EngineDep, settings: SettingsDep) -> AuditOut:
    """Per claim: do the cited passages exist, do quotes match the source (else the closest span and the
    difference), a support verdict with a score, the credibility flags and source profiles it inherits, and
    where support is weak the best-supporting passage of the corpus. Plus uncited sentences and a summary."""
    return run_audit(engine, body, max_chars=settings.audit_max_chars, max_span=settings.audit_max_span_chars,
                     max_claims=settings.audit_max_claims)
