"""Ingest runs against a real index: incremental work, removals, failures that keep old data, refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from groundqa.core.errors import IndexMismatchError
from groundqa.engine.query import Engine
from groundqa.index.build import IngestReport, ingest
from groundqa.index.snapshot import current_snapshot, read_manifest
from groundqa.index.store import STORE_FILE, Store
from groundqa.ingest.chunk import ChunkSettings

from tests.conftest import ROOT, IngestedCorpus

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"


def run(paths: list[Path], index: Path, encoder, **kw) -> IngestReport:
    return ingest(paths, index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False, **kw)


def store_of(index: Path) -> Store:
    return Store(current_snapshot(index) / STORE_FILE)


@pytest.fixture()
def indexed(ingested: IngestedCorpus, tmp_path: Path) -> Path:
    """The state right after ``run([corpus], index)`` of the bundled corpus: this test's own copy of the index."""
    return ingested.fresh(tmp_path)


@pytest.fixture()
def corpus_copy(ingested: IngestedCorpus, indexed: Path) -> Path:
    """The folder ``indexed`` was built from, holding the bundled files again: the test may change it."""
    return ingested.corpus


def test_unchanged_corpus_does_no_work(ingested: IngestedCorpus, indexed: Path, corpus_copy: Path,
                                      encoder) -> None:
    index, first = indexed, ingested.report
    assert first.changed and first.files_loaded == 4 and first.passages_embedded == first.passages > 0
    again = run([corpus_copy], index, encoder)
    assert not again.changed and again.files_unchanged == 4 and again.files_loaded == 0
    assert again.passages_embedded == 0 and again.snapshot == first.snapshot


def test_changed_file_reindexed_and_removed_file_pruned(corpus_copy: Path, indexed: Path, encoder) -> None:
    index = indexed
    before = {p.passage_id for _, p in store_of(index).all_passages()}
    target = corpus_copy / "breast-cancer-with-metastases.txt"
    target.write_text(target.read_text() + "\n\nA new closing paragraph about follow-up scans every six months.\n")
    (corpus_copy / "imt-metastatic-cervical-cancer.txt").unlink()
    report = run([corpus_copy], index, encoder, prune=True)
    assert report.changed and report.files_loaded == 1 and report.files_unchanged == 2 and report.sources_removed == 1
    assert report.updated == ["breast-cancer-with-metastases"] and report.removed == ["imt-metastatic-cervical-cancer"]
    # only passages whose text changed were embedded again
    assert 0 < report.passages_embedded <= 2
    store = store_of(index)
    assert {s.source_id for s in store.sources()} == {
        "engage-metastatic-cervical-cancer-factsheet", "oncocare-cancer-with-metastases",
        "breast-cancer-with-metastases"}
    after = {p.passage_id for _, p in store.all_passages()}
    assert any("follow-up scans" in p.text for _, p in store.all_passages())
    assert len(before & after) > 20
    for _, p in store.all_passages():
        assert store.source(p.source_id).text[p.start:p.end] == p.text


def test_a_file_that_breaks_keeps_its_previous_version(corpus_copy: Path, indexed: Path, encoder) -> None:
    index = indexed
    (corpus_copy / "breast-cancer-with-metastases.txt").write_bytes(b"\x00\x01binary garbage\x00")
    (corpus_copy / "new.html").write_text("<html><body><p>Liver metastases can cause jaundice.</p></body></html>")
    report = run([corpus_copy], index, encoder)
    assert not report.ok and report.files_failed == 1 and "binary" in report.errors[0]
    ids = {s.source_id for s in store_of(index).sources()}
    assert "breast-cancer-with-metastases" in ids and "new" in ids


def test_nothing_usable_leaves_the_index_alone(tmp_path: Path, indexed: Path, encoder) -> None:
    index = indexed
    first = current_snapshot(index)
    empty = tmp_path / "empty"
    empty.mkdir()
    report = run([empty], index, encoder)
    assert not report.ok and "no supported files" in report.errors[-1]
    assert current_snapshot(index) == first


def test_manifest_metadata_and_files_without_it(indexed: Path, corpus_copy: Path, encoder) -> None:
    (corpus_copy / "notes.md").write_text("# Notes on radiotherapy\n\nRadiotherapy relieves bone pain.\n")
    index = indexed
    run([corpus_copy], index, encoder)
    store = store_of(index)
    assert store.source("oncocare-cancer-with-metastases").meta.publisher == "OncoCare 308 LLC"
    notes = store.source("notes")
    assert notes.meta.publisher_type == "unknown" and notes.meta.publisher is None
    assert notes.title == "Notes on radiotherapy"


def test_index_built_with_another_model_is_refused(seed_index: Path) -> None:
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Engine.load(seed_index, model="sentence-transformers/some-other-model")


def test_manifest_describes_the_snapshot(seed_index: Path) -> None:
    manifest = read_manifest(current_snapshot(seed_index))
    assert manifest["model"] == "sentence-transformers/all-MiniLM-L6-v2" and manifest["dimension"] == 384
    assert manifest["format_version"] == 1 and manifest["sources"] == 4 and manifest["normalised"] is True


def test_build_killed_midway_leaves_previous_index_loadable(indexed: Path, corpus_copy: Path, encoder) -> None:
    index = indexed
    live = current_snapshot(index)
    expected = [h.passage.passage_id for h in Engine.load(index, encoder=encoder).query(QUESTION, k=3)]
    # a bigger change so the build spends seconds embedding; kill -9 once its temporary folder exists
    for i in range(40):
        (corpus_copy / f"extra-{i}.txt").write_text(f"Extra document {i}. " + "Metastases spread through blood. " * 60)
    proc = subprocess.Popen([sys.executable, "-m", "groundqa", "ingest", str(corpus_copy), "--index", str(index)],
                            cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((index / "snapshots").glob(".tmp-*")):
        assert proc.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert current_snapshot(index) == live
    got = [h.passage.passage_id for h in Engine.load(index, encoder=encoder).query(QUESTION, k=3)]
    assert got == expected
    # the next run cleans up and finishes the work
    report = run([corpus_copy], index, encoder)
    assert report.changed and report.sources == 44
    assert not list((index / "snapshots").glob(".tmp-*"))
    assert json.loads((current_snapshot(index) / "manifest.json").read_text())["sources"] == 44


def test_scanned_pdf_passages_say_they_came_from_ocr(tmp_path: Path, encoder) -> None:
    from groundqa.service.schemas import passage_out

    from tests.ingest.test_pdf import SCAN, needs_ocr, tesseract_ready
    from tests.pdfs import scanned_pdf

    if not tesseract_ready():
        pytest.skip(needs_ocr.kwargs["reason"])
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(scanned_pdf(SCAN))
    (corpus / "typed.txt").write_text("Typed notes on bone metastases and their treatment with radiotherapy.")
    report = run([corpus], tmp_path / "idx", encoder)
    assert report.ok, report.errors
    store = store_of(tmp_path / "idx")
    sources = {s.source_id: s for s in store.sources()}
    assert sources["scan"].meta.extra["ocr_pages"] == [1]
    outs = [passage_out(p, sources[p.source_id]) for _, p in store.all_passages()]
    assert {o.source_id for o in outs if o.ocr} == {"scan"} and any(not o.ocr for o in outs)
