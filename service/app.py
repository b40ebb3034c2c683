"""The FastAPI application: routers under /v1, one error shape, the engine kept fresh by service/lifecycle.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from groundqa.core.settings import Settings
from groundqa.engine.perf import engine_options
from groundqa.engine.query import Engine
from groundqa.engine.ranking import from_settings as rank_settings
from groundqa.service.errors import install_error_handlers
from groundqa.service.lifecycle import EngineKeeper
from groundqa.service.observability import install_observability
from groundqa.service.routes import audit, compare, health, ops, query, sources
from groundqa.service.security import install_security
from groundqa.service.web import mount_web

from groundqa import __version__

LOG = logging.getLogger("groundqa.service")
DOCS_ASSETS = "/docs-assets"


def create_app(settings: Settings, *, engine: Engine | None = None, load_in_background: bool = False) -> FastAPI:
    """``load_in_background`` opens the port before the engine is loaded (``serve``); /readyz tells when it is."""

    def load() -> Engine:
        return Engine.load(settings.index, model=settings.model, batch_size=settings.batch_size,
                           rank=rank_settings(settings),
                           abstain_below=settings.abstain_below, **engine_options(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        LOG.info("serving", extra={"host": settings.host, "port": settings.port,
                                   "rate_limit": app.state.rate_limit or "off"})
        keeper = app.state.keeper = EngineKeeper(app, settings, load)
        keeper.start(engine if engine is not None or load_in_background else load())
        yield
        keeper.stop()

    # Swagger UI (/docs) and ReDoc (/redoc) with their scripts served from this app, not a CDN: the docs work
    # offline and on machines that reach nothing but this service.
    app = FastAPIOffline(title="groundqa", version=__version__, lifespan=lifespan, static_url=DOCS_ASSETS,
                         description="Source-grounded question answering over health texts: every passage is cited "
                                     "to the exact character span of its source. The reviewer page is at /.")
    app.state.settings = settings
    install_error_handlers(app)
    install_security(app, settings)
    install_observability(app)
    for module in (health, ops, query, sources, audit, compare):
        app.include_router(module.router)
    mount_web(app)
    return app
