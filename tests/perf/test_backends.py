"""Encoder backends agree with fp32, and the backend an index was built with is enforced at query time."""

from __future__ import annotations

import numpy as np
import pytest
from groundqa.core.errors import IndexMismatchError
from groundqa.engine.query import Engine
from groundqa.index.snapshot import read_manifest, require_snapshot


def test_int8_embeddings_are_close_to_fp32(encoder, int8_encoder, seed_texts):
    fp32 = encoder.encode(seed_texts)
    int8 = int8_encoder.encode(seed_texts)
    assert int8.shape == fp32.shape and int8.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4)
    cosine = (fp32 * int8).sum(axis=1)
    assert cosine.min() > 0.97, cosine.min()
    assert cosine.mean() > 0.99, cosine.mean()


def test_int8_keeps_the_nearest_passage_of_each_passage(encoder, int8_encoder, seed_texts):
    """What retrieval needs: each passage's nearest other passage mostly stays the same."""
    fp32, int8 = encoder.encode(seed_texts), int8_encoder.encode(seed_texts)
    near32 = np.argsort(-(fp32 @ fp32.T), axis=1)[:, 1]
    near8 = np.argsort(-(int8 @ int8.T), axis=1)[:, 1]
    assert (near32 == near8).mean() >= 0.9


def test_bf16_embeddings_are_close_to_fp32(encoder, seed_texts):
    from groundqa.core.encoder import Encoder

    bf16 = Encoder("bundled", backend="bf16").encode(seed_texts[:16])
    cosine = (encoder.encode(seed_texts[:16]) * bf16).sum(axis=1)
    assert cosine.min() > 0.99, cosine.min()


def test_unknown_backend_is_refused():
    from groundqa.core.encoder import Encoder

    with pytest.raises(ValueError, match="not one of fp32, bf16, onnx-int8"):
        Encoder("bundled", backend="int4")


def test_manifest_records_the_backend_and_queries_use_it(int8_index, int8_encoder, encoder):
    manifest = read_manifest(require_snapshot(int8_index))
    assert manifest["encoder_backend"] == "onnx-int8"
    assert manifest["vector_index"] == "flat"
    with pytest.raises(IndexMismatchError, match="encoder backend 'onnx-int8'"):
        Engine.load(int8_index, encoder=encoder)
    with pytest.raises(IndexMismatchError, match="GROUNDQA_ENCODER_BACKEND"):
        Engine.load(int8_index, encoder_backend="fp32")
    engine = Engine.load(int8_index, encoder=int8_encoder)
    try:
        hits = engine.query("Which chemotherapy is used first for metastatic cervical cancer?", k=3, mode="dense")
        assert hits and hits[0].passage.source_id
    finally:
        engine.close()


def test_seed_index_without_a_recorded_backend_is_fp32(seed_index, encoder):
    from groundqa.index.snapshot import manifest_backend

    manifest = read_manifest(require_snapshot(seed_index))
    assert manifest_backend(manifest) == "fp32"
    assert manifest_backend({k: v for k, v in manifest.items() if k != "encoder_backend"}) == "fp32"
