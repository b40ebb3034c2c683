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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from groundqa.core.paths import datasets_dir

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATASETS = datasets_dir()
SHARED = DATASETS.parent
MEDQUAD = DATASETS / "medquad"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def encoder():
    from groundqa.core.encoder import Encoder

    return Encoder("bundled")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    """An index of the bundled corpus, built once per session with the default settings, as `groundqa ingest`
    builds it; treat it as read-only."""
    from groundqa.core.settings import Settings
    from groundqa.credibility.flags import annotator as annotate
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    index_dir = tmp_path_factory.mktemp("seed-index")
    defaults = Settings(index=index_dir)
    report = ingest([CORPUS], index_dir=index_dir, encoder=encoder, progress=False, annotate=annotate,
                    chunking=ChunkSettings(max_chars=defaults.chunk_max_chars,
                                           overlap_chars=defaults.chunk_overlap_chars),
                    embed_context=defaults.embed_context)
    assert report.ok, report.errors
    return index_dir


@pytest.fixture(scope="session")
def engine(seed_index: Path, encoder):
    from groundqa.engine.query import Engine

    eng = Engine.load(seed_index, encoder=encoder)
    yield eng
    eng.close()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    base: str
    log: Path
    pid: int
    readiness: tuple[int, ...]  # /readyz statuses seen while starting (503s, then the 200)


def read_log_when(log: Path, *needles: str, timeout: float = 10.0) -> str:
    """The server log once every needle is in it (or at the deadline): the service logs through a queue
    and a writer thread, so a line lands in the file a moment after the response it describes."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(errors="replace")
        if all(n in text for n in needles) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


@contextlib.contextmanager
def running_server(index_dir: Path, *, env: dict[str, str] | None = None, log: Path | None = None,
                   host_args: bool = True, unread_pipe: bool = False, timeout: float = 180.0) -> Iterator[LiveServer]:
    """`groundqa serve` in a subprocess on 127.0.0.1; yields once /readyz says ready, stops it after.

    The server's output goes to ``log`` (a temporary file by default): an unread pipe fills up and stalls
    a chatty server. ``unread_pipe`` does exactly that on purpose, as a careless supervisor would.
    ``host_args=False`` leaves out ``--host`` to test the default bind address.
    """
    port = free_port()
    args = ["--host", "127.0.0.1"] if host_args else []
    folder = None if log else tempfile.TemporaryDirectory()
    log = log or Path(folder.name) / "server.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "groundqa", "serve", *args, "--port", str(port),
                                 "--index", str(index_dir)], cwd=ROOT,
                                stdout=subprocess.PIPE if unread_pipe else sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    seen: list[int] = []
    try:
        deadline = time.monotonic() + timeout
        while not seen or seen[-1] != 200:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            with contextlib.suppress(httpx.HTTPError):
                seen.append(httpx.get(f"{base}/readyz", timeout=2).status_code)
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready in time")
            time.sleep(0.05)
        yield LiveServer(base=base, log=log, pid=proc.pid, readiness=tuple(seen))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if folder is not None:
            folder.cleanup()


@pytest.fixture(scope="session")
def server(seed_index: Path) -> Iterator[str]:
    """Base URL of the real service (uvicorn on 127.0.0.1) over the seed index."""
    with running_server(seed_index) as live:
        yield live.base


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def groundqa(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess."""
    return subprocess.run([sys.executable, "-m", "groundqa", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}, timeout=timeout)
