"""The reviewer page: static HTML, CSS and vanilla JS (ES modules) shipped in the package, served at ``/``; no
build step and nothing fetched from another host."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def mount_web(app: FastAPI) -> None:
    """Serve the page at ``/``, its assets under ``/web/`` and the favicon where browsers look for it; the API
    routes keep precedence."""
    app.mount("/web", StaticFiles(directory=STATIC), name="web")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon",
                            headers={"Cache-Control": "public, max-age=86400"})
