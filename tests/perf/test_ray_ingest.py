"""`groundqa ingest --engine ray` writes the same index as a local ingest (local Ray instance)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import CORPUS, groundqa_process

pytest.importorskip("ray.data")


@pytest.mark.slow
def test_ray_ingest_writes_the_same_passages_and_vectors(tmp_path, seed_index):
    from groundqa.index.build import EMBEDDINGS_FILE
    from groundqa.index.snapshot import read_manifest, require_snapshot
    from groundqa.index.store import STORE_FILE, Store

    index_dir = tmp_path / "ray-index"
    # A real process: Ray starts a local instance of its own, which must not outlive the command in this one.
    done = groundqa_process("ingest", str(CORPUS), "--index", str(index_dir), "--engine", "ray", "--json", timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["passages_embedded"] == report["passages"] > 0

    ray_snap, local_snap = require_snapshot(index_dir), require_snapshot(seed_index)
    ray_passages = [(r, p.passage_id) for r, p in Store(ray_snap / STORE_FILE).all_passages()]
    local_passages = [(r, p.passage_id) for r, p in Store(local_snap / STORE_FILE).all_passages()]
    assert ray_passages == local_passages
    ray_vectors = np.load(ray_snap / EMBEDDINGS_FILE)
    local_vectors = np.load(local_snap / EMBEDDINGS_FILE)
    np.testing.assert_allclose(ray_vectors, local_vectors, atol=1e-4)  # same model and backend, row for row
    assert read_manifest(ray_snap)["model"] == read_manifest(local_snap)["model"]
