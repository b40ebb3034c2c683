"""The one JSON error shape of the HTTP API, and the handlers that translate domain errors into it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from groundqa.core.errors import GroundqaError, InvalidRequestError, NotFoundError
from groundqa.service.schemas import ErrorOut
from starlette.exceptions import HTTPException as StarletteHTTPException

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}, 415: {"model": ErrorOut},
    422: {"model": ErrorOut}}


def error_response(status: int, code: str, message: str, details: list | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse(status_code=status, content={"error": body})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", "the request body is not valid JSON; send a JSON object")
        details = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg")}
                   for e in errors]
        summary = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
        return error_response(422, "invalid_request", f"the request is not valid: {summary}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                406: "not_acceptable", 415: "unsupported_media_type", 503: "not_ready"}.get(exc.status_code,
                                                                                         "http_error")
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":  # no route matched: say where the routes are
            message = f"nothing at {request.url.path}; the routes are listed at /docs (the page is at /)"
        elif exc.status_code == 405 and message == "Method Not Allowed":
            allowed = exc.headers.get("Allow", "") if exc.headers else ""
            message = f"{request.method} is not allowed on {request.url.path}" + (f"; use {allowed}" if allowed else "")
        response = error_response(exc.status_code, code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(InvalidRequestError)
    async def _invalid(_: Request, exc: InvalidRequestError) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc))

    @app.exception_handler(GroundqaError)
    async def _domain(_: Request, exc: GroundqaError) -> JSONResponse:
        return error_response(500, "internal_error", str(exc))
