"""Fixtures of the performance tests: an int8 encoder and a seed-corpus index embedded with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS


@pytest.fixture(scope="session")
def int8_encoder():
    """The onnx-int8 backend; its exported model is cached in the user cache like the service's."""
    from groundqa.core.encoder import Encoder

    return Encoder("bundled", backend="onnx-int8")


@pytest.fixture(scope="session")
def int8_index(tmp_path_factory: pytest.TempPathFactory, int8_encoder) -> Path:
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    index_dir = tmp_path_factory.mktemp("int8-index")
    report = ingest([CORPUS], index_dir=index_dir, encoder=int8_encoder, chunking=ChunkSettings(), progress=False)
    assert report.ok, report.errors
    return index_dir


@pytest.fixture(scope="session")
def seed_texts(engine) -> list[str]:
    return [p.text for _, p in engine.store.all_passages()]
