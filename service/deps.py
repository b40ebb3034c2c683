"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from groundqa.core.settings import Settings
from groundqa.engine.query import Engine
from starlette.exceptions import HTTPException


def get_engine(request: Request) -> Engine:
    """The live engine, taken once per request so the whole request runs on one snapshot."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        raise HTTPException(503, "the model and index are still loading; retry in a few seconds (GET /readyz)")
    request.state.snapshot = engine.snapshot.name  # sent back as X-Groundqa-Snapshot (service/observability.py)
    return engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
