"""Guards of the HTTP edge: request size and rate limits, CORS only when asked for, the admin API key.

The query API is read-only. The one route that changes what the service does (POST /v1/admin/reload) needs
the key from GROUNDQA_API_KEY, compared in constant time; without a key configured it is disabled.
"""

from __future__ import annotations

import hmac
import math
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.middleware.cors import CORSMiddleware
from groundqa.service.errors import error_response
from groundqa.service.settings import Settings
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RATE_LIMITED_PREFIX = "/v1/"  # the API; health, readiness, metrics and docs stay reachable for operators


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        # No Content-Length (chunked): read the body here, at most max_bytes of it, then replay it to the app.
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "payload_too_large", f"the request body is larger than the limit of "
                                  f"{self.max_bytes} bytes; send a shorter question (GROUNDQA_MAX_REQUEST_BYTES "
                                  "sets the limit)")
        await response(scope, receive, send)


class RateLimit:
    """ASGI middleware: a moving-window limit per client address on the /v1 API, 429 with Retry-After above it."""

    def __init__(self, app: ASGIApp, *, limits: list[RateLimitItem]) -> None:
        self.app = app
        self.limits = limits
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(RATE_LIMITED_PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        for item in self.limits:
            if not self.limiter.hit(item, key):
                reset = self.limiter.get_window_stats(item, key).reset_time
                retry = max(1, math.ceil(reset - time.time()))
                response = error_response(429, "rate_limited", f"more than {item} from {key}; retry in {retry} s "
                                          "(GROUNDQA_RATE_LIMIT sets the limit)")
                response.headers["Retry-After"] = str(retry)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def parse_rate_limit(text: str) -> list[RateLimitItem]:
    """'100/second;2000/minute' to limit items; empty means no limit. Raises ValueError naming the setting."""
    if not text.strip():
        return []
    try:
        return parse_many(text)
    except ValueError as exc:
        raise ValueError(f"GROUNDQA_RATE_LIMIT {text!r} is not a rate such as '100/second' or "
                         "'100/second;2000/minute'") from exc


def install_security(app: FastAPI, settings: Settings) -> None:
    """Size limit innermost, then the rate limit, then CORS (only when origins are configured)."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    items = parse_rate_limit(settings.rate_limit)
    if items:
        app.add_middleware(RateLimit, limits=items)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-Request-ID"], expose_headers=["X-Request-ID"],
                           allow_credentials=False)


def require_api_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """Admin routes: 403 when no key is configured, 401 unless X-API-Key matches it (constant-time compare)."""
    expected = request.app.state.settings.api_key
    if not expected:
        raise HTTPException(403, "admin routes are disabled; set GROUNDQA_API_KEY on the server to enable them")
    if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), expected.encode()):
        raise HTTPException(401, "missing or wrong X-API-Key header")


AdminKey = Annotated[None, Depends(require_api_key)]
