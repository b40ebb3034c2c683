"""Guards of the HTTP edge: JSON bodies only, request size and rate limits, CORS only when asked for, the admin
API key. The rate limit is off when the service binds a loopback address (one machine, its own users) and on
when it binds anything else, unless GROUNDQA_RATE_LIMIT says otherwise.

The query API is read-only. The one route that changes what the service does (POST /v1/admin/reload) needs
the key from GROUNDQA_API_KEY, compared in constant time; without a key configured it is disabled.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.middleware.cors import CORSMiddleware
from groundqa.core.settings import Settings
from groundqa.service.errors import error_response
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RATE_LIMITED_PREFIX = "/v1/"  # the API; health, readiness, metrics and docs stay reachable for operators
EXPOSED_RATE_LIMIT = "100/second"  # GROUNDQA_RATE_LIMIT=auto when bound to a non-loopback address
_TOO_LARGE_HINT = {"/v1/query": "send a shorter question",
                   "/v1/audit": "send a shorter answer, fewer claims or a smaller batch (or audit it in parts)"}
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _json_media(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class JsonBodiesOnly:
    """ASGI middleware: a body sent to the API must be JSON; anything else gets 415 saying what to send.

    A request without Content-Type is read as JSON (what the API documents), so ``curl --json`` and clients
    that leave the header out keep working; a form or text body is refused instead of failing validation.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"]) if scope["type"] == "http" else {}
        carries_body = headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers
        if carries_body and scope["method"] in _BODY_METHODS and scope["path"].startswith("/v1/"):
            content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
            if not content_type.strip():
                headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
                scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
            elif not _json_media(content_type):
                response = error_response(415, "unsupported_media_type", f"{scope['method']} {scope['path']} takes "
                                          f"a JSON body, not {content_type.split(';')[0].strip()}; send it with "
                                          "Content-Type: application/json")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
        hint = _TOO_LARGE_HINT.get(scope["path"].rstrip("/"), "send a smaller body")
        response = error_response(413, "payload_too_large", f"the request body is larger than the limit of "
                                  f"{self.max_bytes} bytes; {hint} (GROUNDQA_MAX_REQUEST_BYTES sets the limit)")
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


def is_loopback(host: str) -> bool:
    """Whether a bind address only reaches this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def effective_rate_limit(setting: str, host: str) -> str:
    """What GROUNDQA_RATE_LIMIT means for a service bound to ``host``: 'auto' is off on loopback, else
    EXPOSED_RATE_LIMIT; 'off' or empty is off; anything else is taken as it is."""
    value = setting.strip()
    if value.lower() == "auto":
        return "" if is_loopback(host) else EXPOSED_RATE_LIMIT
    return "" if value.lower() in ("off", "none", "0") else value


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
    """JSON-only bodies and the size limit innermost, then the rate limit, then CORS (only when configured)."""
    app.add_middleware(JsonBodiesOnly)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.state.rate_limit = effective_rate_limit(settings.rate_limit, settings.host)
    items = parse_rate_limit(app.state.rate_limit)
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
