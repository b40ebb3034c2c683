"""Structured logs with a request id, Prometheus metrics, and the last-resort 500 handler.

Every request gets an id (the client's ``X-Request-ID`` when it is a sane token, else a fresh one), echoed in
the response and carried by every log line written while it runs, so a 500 reported by a user can be found in
the log. Metrics live in a registry per app, so several apps in one process (tests) never clash.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import logging.handlers
import queue
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI
from groundqa.service.errors import error_response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOG = logging.getLogger("groundqa.access")
ERROR_LOG = logging.getLogger("groundqa.error")
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # anything else could forge log lines: replaced
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def valid_request_id(value: str) -> bool:
    return _REQUEST_ID.fullmatch(value) is not None


def log_config(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A logging.dictConfig for the service and uvicorn: one line per event, with the request id."""
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter",
         "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
         "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}
        if fmt == "json" else
        {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "groundqa.service.observability.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"stderr": {"()": "groundqa.service.observability.StderrWithoutStalls", "formatter": "default",
                                "filters": ["request_id"]}},
        "loggers": {name: {"handlers": ["stderr"], "level": level, "propagate": False}
                    for name in ("groundqa", "uvicorn", "uvicorn.error", "uvicorn.access")},
    }


class StderrWithoutStalls(logging.handlers.QueueHandler):
    """Log lines go through a bounded queue to a writer thread, so a slow or blocked stderr (a full pipe, a
    stuck log shipper) drops lines, counted in ``dropped``, instead of stalling the requests that log."""

    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__(queue.Queue(capacity))
        self.dropped = 0
        self._writer = logging.StreamHandler(sys.stderr)
        self._writer.setFormatter(logging.Formatter("%(message)s"))  # formatted by this handler already
        self._thread = threading.Thread(target=self._write, name="groundqa-log", daemon=True)
        self._thread.start()
        atexit.register(self._flush_at_exit)

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def _write(self) -> None:
        while (record := self.queue.get()) is not None:
            self._writer.handle(record)

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(None)
        self._thread.join(timeout=2)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served ('-' outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        return True


def snapshot_bytes(snapshot: Path) -> int:
    return sum(f.stat().st_size for f in snapshot.rglob("*") if f.is_file())


def flagged_passages(store_path: Path) -> dict[str, int]:
    """Passages carrying at least one flag, per flag kind; {} for a store without flags."""
    try:
        conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        rows = conn.execute("SELECT json_extract(f.value, '$.kind'), COUNT(DISTINCT p.row) "
                            "FROM passages p, json_each(p.flags_json) f GROUP BY 1").fetchall()
    except sqlite3.Error:  # a store written before flags existed, or with another layout
        return {}
    finally:
        conn.close()
    return {str(kind): int(count) for kind, count in rows}


class IndexCollector:
    """Index gauges read at scrape time from whatever engine is live; per-snapshot figures are cached."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._cache: tuple[str, int, dict[str, int]] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        engine = getattr(self._app.state, "engine", None)
        ready = GaugeMetricFamily("groundqa_ready", "1 once the model and index are loaded")
        ready.add_metric([], 1.0 if engine is not None else 0.0)
        yield ready
        if engine is None:
            return
        name = engine.snapshot.name
        if self._cache is None or self._cache[0] != name:
            self._cache = (name, snapshot_bytes(engine.snapshot), flagged_passages(engine.snapshot / "store.sqlite"))
        _, size, flags = self._cache
        info = GaugeMetricFamily("groundqa_index_info", "The live snapshot and its model", labels=["snapshot", "model"])
        info.add_metric([name, str(engine.manifest.get("model"))], 1.0)
        yield info
        for metric, help_text, value in (
                ("groundqa_index_sources", "Sources in the live snapshot", engine.store.source_count),
                ("groundqa_index_passages", "Passages in the live snapshot", engine.store.passage_count),
                ("groundqa_index_bytes", "Size of the live snapshot on disk", size)):
            gauge = GaugeMetricFamily(metric, help_text)
            gauge.add_metric([], float(value))
            yield gauge
        flagged = GaugeMetricFamily("groundqa_index_flagged_passages", "Passages with at least one flag of a kind",
                                    labels=["kind"])
        for kind, count in sorted(flags.items()):
            flagged.add_metric([kind], float(count))
        yield flagged


class Metrics:
    """The app's Prometheus registry: request counts and latencies, reloads, and the index collector."""

    def __init__(self, app: FastAPI) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("groundqa_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("groundqa_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reloads = Counter("groundqa_snapshot_reloads", "Snapshots swapped in by a running service",
                               ["outcome"], registry=self.registry)
        self.registry.register(IndexCollector(app))


def _route_label(scope: Scope, entry: Scope) -> str:
    """The route's path template (bounded label values), never the raw path a client made up.

    FastAPI routes leave themselves in the scope; the page, its static files and the docs are plain Starlette
    routes and mounts that do not, so those are matched again against the scope as it came in (``entry``).
    """
    route = scope.get("route")
    if getattr(route, "path", None):
        return route.path
    app = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        path = getattr(candidate, "path", None)
        if isinstance(path, str) and path and candidate.matches(entry)[0] == Match.FULL:
            return f"{path}/{{path}}" if isinstance(candidate, Mount) else path
    return "<unmatched>"


class ObservedRequests:
    """ASGI middleware: one access-log line and metrics per request; unhandled errors become a JSON 500."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        entry = dict(scope)  # routing rewrites paths inside mounts; labels are matched on the request as sent
        state = {"status": 500, "started": False}

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                snapshot = scope.get("state", {}).get("snapshot")
                if snapshot:  # which index answered: ids and offsets are only comparable within one snapshot
                    message["headers"] = [*message.get("headers", []), (b"x-groundqa-snapshot", snapshot.encode())]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            # Logged with its traceback here; the client gets the error shape and the id to quote, never the trace.
            ERROR_LOG.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if state["started"]:
                raise
            state["status"] = 500
            response = error_response(500, "internal_error", "the service failed to answer this request; "
                                      f"report it with request id {correlation_id.get()}")
            await response(scope, receive, send)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_label(scope, entry)
            self.metrics.requests.labels(scope["method"], route, str(state["status"])).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            client = scope.get("client")
            ACCESS_LOG.info("request", extra={
                "method": scope["method"], "path": scope["path"], "route": route, "status": state["status"],
                "duration_ms": round(elapsed * 1000, 2), "client": client[0] if client else None})


def install_observability(app: FastAPI) -> Metrics:
    """Outermost layers: the request id first (so every response carries it), then logs and metrics."""
    metrics = Metrics(app)
    app.state.metrics = metrics
    app.add_middleware(ObservedRequests, metrics=metrics)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER, validator=valid_request_id)
    return metrics
