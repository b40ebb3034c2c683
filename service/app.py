"""The FastAPI application: routers under /v1, one error shape, the engine loaded once in lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.engine import Engine
from service.errors import install_error_handlers
from service.routes import health, query, sources
from service.settings import Settings


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine or Engine.load(settings.index, model=settings.model, batch_size=settings.batch_size,
                                                 rrf_k=settings.rrf_k, candidates=settings.candidates)
        yield
        app.state.engine.close()

    app = FastAPI(title="groundqa", version="0.1.0", lifespan=lifespan,
                  description="Source-grounded question answering over health texts: every passage is cited "
                              "to the exact character span of its source.")
    app.state.settings = settings
    install_error_handlers(app)
    for module in (health, query, sources):
        app.include_router(module.router)
    return app
