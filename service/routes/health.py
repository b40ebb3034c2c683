"""Liveness: answers once the engine is loaded."""

from __future__ import annotations

from fastapi import APIRouter
from groundqa.service.deps import EngineDep
from groundqa.service.schemas import HealthOut

router = APIRouter(tags=["service"])


@router.get("/healthz", response_model=HealthOut)
def healthz(engine: EngineDep) -> HealthOut:
    return HealthOut(status="ok", snapshot=engine.snapshot.name, model=engine.manifest["model"],
                     sources=engine.store.source_count, passages=engine.store.passage_count)
