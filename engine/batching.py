"""Micro-batching of question encodes across concurrent requests.

Concurrent requests each need one short question encoded. One encoder thread takes every question
queued at the moment it becomes free and encodes them as one batch: a batch of 16 questions costs little
more than one, where 16 separate calls cost 16 times one and fight over the two cores. Nothing waits for
a batch to fill (there is no timer): a lone request is encoded at once, and batches form only while the
encoder is busy, that is exactly when they help.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
from groundqa.core.backends import SMALL_INPUT


class BatchingEncoder:
    """Wraps an ``Encoder``; question-sized ``encode`` calls from many threads share batched model calls."""

    def __init__(self, encoder: Any, *, max_batch: int = 64) -> None:
        self.inner = encoder
        self.name, self.backend, self.dim = encoder.name, encoder.backend, encoder.dim
        self.batch_size = encoder.batch_size
        self.max_batch = max_batch
        self.batches = 0  # model calls made, and questions encoded through them (batches < questions: it helps)
        self.questions = 0
        self._queue: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="groundqa-encoder", daemon=True)
        self._thread.start()

    def encode(self, texts: Sequence[str], *, on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        if len(texts) > SMALL_INPUT:  # an ingest-sized call gains nothing from joining others
            return self.inner.encode(texts, on_batch=on_batch)
        future: Future[np.ndarray] = Future()
        self._queue.put((list(texts), future))
        return future.result()

    def _run(self) -> None:
        while True:
            pending = [self._queue.get()]
            size = len(pending[0][0])
            while size < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                pending.append(item)
                size += len(item[0])
            texts = [t for batch, _ in pending for t in batch]
            try:
                vectors = self.inner._backend.encode(texts, batch_size=max(len(texts), 1))
            except BaseException as exc:  # handed to every waiting caller, who re-raises it
                for _, future in pending:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.questions += len(texts)
            start = 0
            for batch, future in pending:
                future.set_result(vectors[start:start + len(batch)])
                start += len(batch)
