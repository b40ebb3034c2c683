"""Operator routes: readiness, Prometheus metrics, and the key-protected snapshot reload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from groundqa.service.errors import error_response
from groundqa.service.schemas import ErrorOut
from groundqa.service.security import AdminKey
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

router = APIRouter(tags=["service"])


class ReadyOut(BaseModel):
    status: str
    snapshot: str
    model: str


class ReloadOut(BaseModel):
    reloaded: bool
    snapshot: str | None


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ErrorOut}})
def readyz(request: Request) -> ReadyOut | JSONResponse:
    """200 once the model and index are loaded; 503 while loading, or with the reason when loading failed."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        problem = getattr(request.app.state, "load_error", None)
        message = (f"the index could not be loaded: {problem}" if problem
                   else "the model and index are still loading; retry in a few seconds")
        return error_response(503, "not_ready", message)
    return ReadyOut(status="ready", snapshot=engine.snapshot.name, model=str(engine.manifest.get("model")))


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}})
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.post("/v1/admin/reload", response_model=ReloadOut,
             responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def reload(request: Request, _: AdminKey) -> ReloadOut:
    """Swap in the snapshot CURRENT names now, without waiting for the next poll (needs X-API-Key)."""
    keeper = request.app.state.keeper
    reloaded = keeper.refresh()
    engine = keeper.engine
    return ReloadOut(reloaded=reloaded, snapshot=engine.snapshot.name if engine else None)
