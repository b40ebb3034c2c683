"""Embedding as Ray Data batches, for corpora that outgrow one machine (`groundqa ingest --engine ray`).

``RayEncoder`` has the interface of ``index.embed.Encoder`` (name, backend, dim, encode), so the ingest
run (index/build.py) is unchanged: it still chunks, reuses unchanged vectors and writes the same
snapshot; only the texts that need embedding go to Ray. Each Ray actor loads the model once (the same
backend as a local run) and embeds ``map_batches`` batches; rows carry their position, so the result is
put back in input order whatever order the batches finish in. Without an address a local Ray instance
is started for the run and shut down after it; with one (``GROUNDQA_RAY_ADDRESS``), the cluster's
workers do the embedding and the driver only writes the index.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from groundqa.core.encoder import Encoder, resolve_model


class _EmbedBatch:
    """A Ray Data actor: one model per actor, reused for every batch it is given."""

    def __init__(self, model: str, backend: str, batch_size: int, cache_dir: str) -> None:
        self.encoder = Encoder(model, batch_size=batch_size, backend=backend, cache_dir=Path(cache_dir))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.encoder.encode([str(t) for t in batch["text"]])
        return {"position": batch["position"], "embedding": vectors}


def _dimension(location: str) -> int | None:
    """The model's output dimension from its pooling config, without loading the weights in the driver."""
    for pooling in sorted(Path(location).glob("*_Pooling/config.json")):
        return int(json.loads(pooling.read_text())["word_embedding_dimension"])
    return None


class RayEncoder:
    def __init__(self, model: str, *, backend: str = "fp32", batch_size: int = 32, cache_dir: Path,
                 address: str | None = None, actors: int | None = None) -> None:
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise ValueError("`--engine ray` needs Ray Data: pip install 'groundqa[ray]'") from exc
        self.model = model
        self.name, location = resolve_model(model)
        self.backend = backend
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.address = address
        self.actors = actors
        dim = _dimension(location)
        self.dim = dim if dim is not None else Encoder(model, backend=backend, cache_dir=cache_dir).dim

    def encode(self, texts: Sequence[str], *, on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        import ray

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        started = not ray.is_initialized()
        if started:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
                     **({} if self.address else {"num_cpus": os.cpu_count()}))
        try:
            return self._run(texts, on_batch)
        finally:
            if started:
                ray.shutdown()

    def _run(self, texts: Sequence[str], on_batch: Callable[[int], None] | None) -> np.ndarray:
        import ray
        import ray.data

        ray.data.DataContext.get_current().enable_progress_bars = False
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = self.actors or max(1, cpus // 2)  # two intra-op threads per model copy
        rows = [{"position": i, "text": t} for i, t in enumerate(texts)]
        dataset = ray.data.from_items(rows, override_num_blocks=max(actors, len(rows) // (self.batch_size * 8) or 1))
        embedded = dataset.map_batches(
            _EmbedBatch, batch_size=self.batch_size * 8, batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=max(1, cpus // actors),
            fn_constructor_kwargs={"model": self.model, "backend": self.backend, "batch_size": self.batch_size,
                                   "cache_dir": str(self.cache_dir)})
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in embedded.iter_batches(batch_format="numpy", batch_size=None):
            out[batch["position"]] = batch["embedding"]
            if on_batch:
                on_batch(len(batch["position"]))
        return out
