"""Session fixtures over the real components: the bundled model, a seed-corpus index, a live server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
MEDQUAD = SHARED / "datasets" / "medquad"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def encoder():
    from index.embed import Encoder

    return Encoder("bundled")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    """An index of the bundled corpus, built once per session; treat it as read-only."""
    from index.build import ingest
    from ingest.chunk import ChunkSettings
    from ingest.credibility import annotate

    index_dir = tmp_path_factory.mktemp("seed-index")
    report = ingest([CORPUS], index_dir=index_dir, encoder=encoder, chunking=ChunkSettings(), progress=False,
                    annotate=annotate)
    assert report.ok, report.errors
    return index_dir


@pytest.fixture(scope="session")
def engine(seed_index: Path, encoder):
    from service.engine import Engine

    eng = Engine.load(seed_index, encoder=encoder)
    yield eng
    eng.close()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(index_dir: Path, *, env: dict[str, str] | None = None, timeout: float = 120.0,
                   unread_pipe: bool = False) -> Iterator[str]:
    """`groundqa serve` in a subprocess on 127.0.0.1; yields the base URL once /healthz answers.

    ``unread_pipe`` sends the server's output to a pipe nobody reads, as a careless supervisor would.
    """
    port = free_port()
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    # The server's output goes to a file: an unread pipe fills up and stalls a chatty server.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port), "--index",
         str(index_dir)], env=full_env, stdout=subprocess.PIPE if unread_pipe else log, stderr=subprocess.STDOUT,
        cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in time")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server(seed_index: Path) -> Iterator[str]:
    """Base URL of the real service (uvicorn on 127.0.0.1) over the seed index."""
    with running_server(seed_index) as base:
        yield base


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def groundqa(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess."""
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}, timeout=timeout)
