"""The engine's life in a running service: loaded in the background, swapped for each new snapshot.

The port opens at once; /readyz answers 503 until the model and index are loaded. A watcher thread polls
the index's CURRENT pointer and, when an ingest has committed a new snapshot, loads it beside the live one
and swaps ``app.state.engine`` in one assignment. A request takes the engine once (service/deps.py), so it
runs start to end on one snapshot; requests after the swap use the new one. A snapshot that fails to load
(another model, a half-deleted folder) is logged and the old one keeps serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI
from groundqa.core.encoder import resolve_model
from groundqa.core.errors import GroundqaError
from groundqa.core.settings import Settings
from groundqa.engine.query import Engine
from groundqa.index.snapshot import check_compatible, read_manifest, require_snapshot

LOG = logging.getLogger("groundqa.lifecycle")


def check_index(settings: Settings) -> None:
    """Fail fast (before the port opens) on a missing index or one built with another model."""
    check_compatible(read_manifest(require_snapshot(settings.index)), model=resolve_model(settings.model)[0],
                     index_dir=settings.index, backend=settings.encoder_backend)


class EngineKeeper:
    """Owns ``app.state.engine``: the first load, the reload checks, and closing at shutdown."""

    def __init__(self, app: FastAPI, settings: Settings, load: Callable[[], Engine]) -> None:
        self.app = app
        self.settings = settings
        self._load = load
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_error: str | None = None
        app.state.engine = None
        app.state.load_error = None

    @property
    def engine(self) -> Engine | None:
        return self.app.state.engine

    def start(self, engine: Engine | None = None) -> None:
        """Serve ``engine`` now, or load one in the background; then watch for new snapshots."""
        if engine is not None:
            self.app.state.engine = engine
        if engine is None or self.settings.reload_interval > 0:
            self._thread = threading.Thread(target=self._run, name="groundqa-engine", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if self.engine is None:
            self.refresh()
        while self.settings.reload_interval > 0 and not self._stop.wait(self.settings.reload_interval):
            self.refresh()
        while self.engine is None and not self._stop.wait(1.0):  # reloads off: keep trying the first load
            self.refresh()

    def refresh(self) -> bool:
        """Load the engine, or the snapshot CURRENT now names; True when a new one was swapped in."""
        with self._lock:
            current = self.engine
            try:
                fresh = self._load() if current is None else current.reload()
            except (GroundqaError, OSError, ValueError) as exc:
                self._failed(exc, first=current is None)
                return False
            if fresh is None:
                return False
            self.app.state.engine = fresh  # one assignment: a request sees the old engine or the new one
            self.app.state.load_error = None
        self._count("ok")
        LOG.info("serving snapshot", extra={"snapshot": fresh.snapshot.name,
                                            "previous": current.snapshot.name if current else None})
        # The old engine is not closed: requests still running on it finish; it is freed with its last user.
        return True

    def _failed(self, exc: Exception, *, first: bool) -> None:
        message = str(exc)
        if first:
            self.app.state.load_error = message
        if message != self._last_error:  # once per distinct failure, not every poll
            LOG.error("cannot load the index" if first else "cannot load the new snapshot; still serving the old one",
                      extra={"reason": message})
            self._count("failed")
        self._last_error = message

    def _count(self, outcome: str) -> None:
        metrics = getattr(self.app.state, "metrics", None)
        if metrics is not None:
            metrics.reloads.labels(outcome).inc()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.engine is not None:
            self.engine.close()
