"""The reviewer page: static HTML, CSS and vanilla JS shipped in the package, served at ``/``; no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def mount_web(app: FastAPI) -> None:
    """Serve the page at ``/`` and its assets under ``/web/``; the API routes keep precedence."""
    app.mount("/web", StaticFiles(directory=STATIC), name="web")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")
