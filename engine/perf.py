"""Settings -> the performance knobs of ingest and the engine (encoder backend, ANN, cache, Ray).

Kept in one place so the CLI, the service and the benchmarks build engines and encoders the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from groundqa.core.encoder import Encoder, resolve_model
from groundqa.core.settings import Settings
from groundqa.index.ann import AnnSettings
from groundqa.index.snapshot import current_snapshot, manifest_backend, read_manifest

ENGINES = ("local", "ray")


def ingest_backend(settings: Settings) -> str:
    """The configured backend, else the existing index's (so a plain re-ingest re-embeds nothing), else fp32."""
    if settings.encoder_backend:
        return settings.encoder_backend
    snapshot = current_snapshot(settings.index)
    return manifest_backend(read_manifest(snapshot)) if snapshot else "fp32"


class EncoderFactory:
    """Makes the ingest encoder when something needs embedding; names its model and backend without loading it
    (so ingest can tell whether the previous snapshot's vectors are reusable before any model is loaded)."""

    def __init__(self, make: Callable[[], Any], *, name: str, backend: str) -> None:
        self._make, self.name, self.backend = make, name, backend

    def __call__(self) -> Any:
        return self._make()


def ingest_encoder(settings: Settings, *, engine: str = "local") -> EncoderFactory:
    """A factory for the encoder of an ingest run; called only when something needs embedding."""
    if engine not in ENGINES:
        raise ValueError(f"ingest engine {engine!r} is not one of {', '.join(ENGINES)}")
    backend = ingest_backend(settings)
    name = resolve_model(settings.model)[0]
    if engine == "ray":
        from groundqa.index.ray_embed import RayEncoder

        return EncoderFactory(lambda: RayEncoder(settings.model, backend=backend, batch_size=settings.batch_size,
                                                 cache_dir=settings.model_cache, address=settings.ray_address),
                              name=name, backend=backend)
    return EncoderFactory(lambda: Encoder(settings.model, batch_size=settings.batch_size, backend=backend,
                                          cache_dir=settings.model_cache), name=name, backend=backend)


def ann_settings(settings: Settings) -> AnnSettings:
    return AnnSettings(hnsw_threshold=settings.hnsw_threshold, m=settings.hnsw_m,
                       ef_construction=settings.hnsw_ef_construction, ef_search=settings.hnsw_ef_search)


def engine_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of ``Engine.load`` that come from the performance settings."""
    return {"encoder_backend": settings.encoder_backend, "model_cache": settings.model_cache,
            "cache_size": settings.query_cache_size, "ef_search": settings.hnsw_ef_search,
            "micro_batch": settings.encoder_micro_batch}
