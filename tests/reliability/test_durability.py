"""kill -9 an ingest at several moments: the old index still loads and answers as before, and the next
ingest finishes the work. Re-ingest under a running service (the real app in-process, loading its engine and
watching for snapshots as `groundqa serve` does): every query is answered, then the new snapshot is served.
Kill points are found by watching the index folder, never by hooks in the code under test; the ingests that
are killed are real processes (``python -m groundqa ingest``), since the kill is the point.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from groundqa.core.settings import Settings
from groundqa.engine.query import Engine
from groundqa.index.build import ingest
from groundqa.index.snapshot import CURRENT_FILE, SNAPSHOTS_DIR, current_snapshot
from groundqa.ingest.chunk import ChunkSettings
from groundqa.service.app import create_app

from tests.conftest import ROOT, groundqa
from tests.reliability.corpora import CHANGED, NEW_TERM, OLD, QUESTIONS, write

SNAPSHOT = "X-Groundqa-Snapshot"


def build(corpus: Path, index: Path, encoder) -> None:
    report = ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False)
    assert report.ok, report.errors


def answers(index: Path, encoder) -> dict[str, list[tuple[str, str]]]:
    engine = Engine.load(index, encoder=encoder)
    try:
        return {q: [(h.passage.passage_id, h.passage.text) for h in engine.query(q, k=3)] for q in QUESTIONS}
    finally:
        engine.close()


def passages_text(index: Path, encoder) -> str:
    engine = Engine.load(index, encoder=encoder)
    try:
        return "\n".join(p.text for s in engine.sources() for p in engine.source_passages(s.source_id))
    finally:
        engine.close()


def pointer(index: Path) -> str:
    return (index / CURRENT_FILE).read_text().strip()


def build_dirs(index: Path) -> list[Path]:
    return list((index / SNAPSHOTS_DIR).glob(".tmp-*"))


def holds_lock(pid: int, index: Path) -> bool:
    """The ingest has taken the index lock (/proc/locks lists the holder's pid and the file's inode)."""
    inode = f":{(index / '.lock').stat().st_ino} "
    return any(f" {pid} " in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


def start_ingest(corpus: Path, index: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "groundqa", "ingest", str(corpus), "--index", str(index), *extra,
                             "--no-progress"], cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when(proc: subprocess.Popen, moment: Callable[[], bool], *, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not moment():
        if proc.poll() is not None:
            pytest.fail(f"ingest ended (exit {proc.returncode}) before the kill point: "
                        f"{proc.stderr.read().decode(errors='replace') if proc.stderr else ''}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the kill point never came")
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture()
def old_index(tmp_path: Path, encoder) -> tuple[Path, Path]:
    corpus = write(tmp_path / "corpus", OLD)
    index = tmp_path / "index"
    build(corpus, index, encoder)
    return corpus, index


@pytest.mark.parametrize("point", ["loading files", "building the snapshot"])
def test_kill_before_commit_keeps_the_old_index_and_the_next_ingest_finishes(old_index, point: str,
                                                                            encoder) -> None:
    corpus, index = old_index
    before, live = answers(index, encoder), pointer(index)
    write(corpus, CHANGED)
    proc = start_ingest(corpus, index)
    moment = {"loading files": lambda: holds_lock(proc.pid, index) and not build_dirs(index),
              "building the snapshot": lambda: bool(build_dirs(index))}[point]
    kill_when(proc, moment)

    assert pointer(index) == live
    assert answers(index, encoder) == before
    assert NEW_TERM not in passages_text(index, encoder)

    report = ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False)
    assert report.ok and report.changed, report.errors
    assert pointer(index) != live and not build_dirs(index)
    assert NEW_TERM in passages_text(index, encoder)
    assert "brain" in {s.source_id for s in Engine.load(index, encoder=encoder).sources()}


def test_kill_right_after_commit_leaves_the_new_index_complete(old_index, encoder) -> None:
    corpus, index = old_index
    live = pointer(index)
    (corpus / "liver.txt").unlink()  # a removal re-embeds nothing, so the run reaches its commit in seconds
    proc = start_ingest(corpus, index, "--prune")
    kill_when(proc, lambda: pointer(index) != live)  # CURRENT swapped: the build is sealed, pruning may be cut

    assert {s.source_id for s in Engine.load(index, encoder=encoder).sources()} == {"bone"}
    again = groundqa("ingest", str(corpus), "--prune", "--index", str(index), "--json")  # as the killed run
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["changed"] is False, "a committed build must not be redone"
    assert answers(index, encoder)


def test_crash_states_between_rename_and_pointer_swap(old_index, tmp_path: Path, encoder) -> None:
    """States too brief to hit by polling, laid out as a kill would leave them: a sealed snapshot nobody points
    at, a pointer file written but not yet swapped in, and a half-written build folder."""
    corpus, index = old_index
    before, live = answers(index, encoder), pointer(index)
    other = tmp_path / "other"
    build(write(tmp_path / "changed", CHANGED), other, encoder)
    sealed = current_snapshot(other)
    assert sealed is not None
    orphan = index / SNAPSHOTS_DIR / ("99991231T235959-" + sealed.name.split("-")[-1])
    shutil.copytree(sealed, orphan)
    (index / f".{CURRENT_FILE}.tmp").write_text(orphan.name + "\n")
    half = index / SNAPSHOTS_DIR / ".tmp-deadbeef0000"
    half.mkdir()
    (half / "store.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)

    assert pointer(index) == live and answers(index, encoder) == before
    write(corpus, CHANGED)
    report = ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False)
    assert report.ok and report.changed
    assert not build_dirs(index) and pointer(index) not in (live, orphan.name)
    assert NEW_TERM in passages_text(index, encoder)


def test_reingest_while_serving_answers_every_query(tmp_path: Path, encoder) -> None:
    corpus = write(tmp_path / "corpus", OLD)
    index = tmp_path / "index"
    build(corpus, index, encoder)
    old = pointer(index)
    failures: list[str] = []
    served = {"count": 0, "straddled": 0}
    stop = threading.Event()

    def ask(client: TestClient) -> None:
        while not stop.is_set():
            try:
                r = client.post("/v1/query", json={"question": QUESTIONS[served["count"] % 2], "k": 2})
                if r.status_code != 200:
                    failures.append(f"query {r.status_code}: {r.text[:200]}")
                    continue
                hit, snapshot = r.json()["passages"][0], r.headers[SNAPSHOT]
                p = client.get(f"/v1/passages/{hit['passage_id']}")
                s = client.get(f"/v1/sources/{hit['source_id']}")
                served["count"] += 1
                if {p.headers[SNAPSHOT], s.headers[SNAPSHOT]} != {snapshot}:
                    # The swap fell between the query and its look-ups: an id whose text changed is gone.
                    served["straddled"] += 1
                    if p.status_code not in (200, 404) or s.status_code not in (200, 404):
                        failures.append(f"look-up across the swap {p.status_code}/{s.status_code}")
                elif p.status_code != 200 or s.status_code != 200:
                    failures.append(f"look-up {p.status_code}/{s.status_code}")
                elif s.json()["text"][hit["start"]:hit["end"]] != hit["text"] or p.json()["text"] != hit["text"]:
                    failures.append("citation does not match its source")
            except httpx.HTTPError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

    # The service as `groundqa serve` builds it: the engine loads in the background, and a watcher swaps in each
    # new snapshot (every 0.2 s here).
    app = create_app(Settings(index=index, reload_interval=0.2, rate_limit=""), load_in_background=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the service never became ready"
            time.sleep(0.05)
        worker = threading.Thread(target=ask, args=(client,))
        worker.start()
        try:
            write(corpus, CHANGED)
            proc = start_ingest(corpus, index)  # first a crashed ingest: the service must not notice it
            kill_when(proc, lambda: bool(build_dirs(index)))
            count_before = served["count"]
            report = ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False)
            assert report.ok and report.changed
            new = pointer(index)
            deadline = time.monotonic() + 90  # snapshot polling plus loading the new snapshot, on loaded cores
            while client.get("/readyz").json().get("snapshot") != new:
                assert time.monotonic() < deadline, "the service never swapped in the new snapshot"
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop.set()
            worker.join(timeout=60)
        found = client.post("/v1/query", json={"question": "Which drug lowers the risk of fractures?", "k": 3,
                                               "mode": "bm25"}).json()
        metrics = client.get("/metrics").text
    assert failures == []
    assert served["straddled"] <= 1, "only requests in flight at the one swap may straddle it"
    assert served["count"] > count_before > 0, "queries were answered before, during and after the swap"
    assert old != new and any(NEW_TERM in p["text"] for p in found["passages"])
    assert 'groundqa_snapshot_reloads_total{outcome="ok"} 2.0' in metrics
