"""Session fixtures over the real components: the bundled model, a seed-corpus index, the app in-process
(FastAPI's TestClient), a live server for what needs a socket, and the CLI in-process (click's CliRunner).

The expensive things are built once: the model (``encoder``), the seed index, an engine and an app over it. The
CLI and the apps built here reuse the loaded model where they can, so a test costs its own work, not a fresh
Python process importing torch and loading the model again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
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


def tree_digest(folder: Path) -> str:
    """One hash of every file's path and bytes under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, encoder) -> Iterator[Path]:
    """An index of the bundled corpus, built once per session with the default settings, as `groundqa ingest`
    builds it. The whole session shares it, so it is read-only: a test that changes or breaks an index copies
    it to its tmp_path first. At the end of the session it must be byte for byte as built."""
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
    built = tree_digest(index_dir)
    yield index_dir
    assert tree_digest(index_dir) == built, "a test changed the shared seed index: give it a copy (tmp_path)"


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
def live_server(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`groundqa serve` in a subprocess over the seed index, bound where it binds by default (no --host), its
    log in a file. Only for what needs the process and a socket: the browser tests (tests/web/), the HTTP eval
    backend, and uvicorn's own behaviour (tests/reliability/test_live_server.py). Everything else talks to the
    same app in-process through ``client``."""
    log = tmp_path_factory.mktemp("live-server") / "server.log"
    with running_server(seed_index, log=log, host_args=False) as live:
        yield live


@pytest.fixture(scope="session")
def server(live_server: LiveServer) -> str:
    """Base URL of the live server (uvicorn on 127.0.0.1) over the seed index."""
    return live_server.base


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@dataclass(frozen=True)
class IngestedCorpus:
    """The bundled corpus at one folder of the session and an index of it, ingested once (embedding the corpus
    takes tens of seconds); ``fresh`` hands a test both as if it had just ingested the corpus itself.

    The folder stays the same because an index records where its files are (the manifest's roots): a test gets
    the folder restored to the bundled files and its own copy of the index, so it may change either at will.
    """

    corpus: Path
    template: Path

    @classmethod
    def build(cls, root: Path, ingest_into: Callable[[Path, Path], None]) -> IngestedCorpus:
        corpus, template = root / "corpus", root / "template-index"
        shutil.copytree(CORPUS, corpus)
        ingest_into(corpus, template)
        return cls(corpus, template)

    def fresh(self, tmp_path: Path) -> Path:
        """Restore the corpus folder and return a new copy of the index (``tmp_path``/idx)."""
        shutil.rmtree(self.corpus)
        shutil.copytree(CORPUS, self.corpus)
        index = tmp_path / "idx"
        shutil.copytree(self.template, index)
        return index


@pytest.fixture(scope="session")
def cli_ingested(tmp_path_factory: pytest.TempPathFactory) -> IngestedCorpus:
    """The bundled corpus ingested once by `groundqa ingest CORPUS --index IDX` (the CLI's settings)."""

    def ingest_into(corpus: Path, index: Path) -> None:
        out = groundqa("ingest", str(corpus), "--index", str(index), "--json")
        assert out.returncode == 0 and json.loads(out.stdout)["sources_added"] == 4, out.stderr

    return IngestedCorpus.build(tmp_path_factory.mktemp("cli-ingested"), ingest_into)


def groundqa(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI (``groundqa.cli:main``) in this process through click's CliRunner, from the repository
    root as the subprocess did: the exit code, stdout and stderr come back as a CompletedProcess.

    ``env`` is set for the call only. An exception the CLI does not handle is exit code 1 with its traceback on
    stderr, as Python prints it in a process. ``timeout`` is kept for callers written for the subprocess helper;
    in-process it is not enforced (the pytest run's own limits apply).
    """
    from groundqa.cli import main

    runner = CliRunner()
    with contextlib.chdir(ROOT):
        result = runner.invoke(main, list(args), env={"HF_HUB_OFFLINE": "1", **(env or {})}, prog_name="groundqa")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["groundqa", *args], result.exit_code, result.stdout, stderr)


def groundqa_process(*args: str, env: dict[str, str] | None = None,
                     timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (``python -m groundqa``): only for tests of the process itself (the
    entry point, exit codes seen by a shell, signals) or of work that must leave this process (Ray)."""
    return subprocess.run([sys.executable, "-m", "groundqa", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}, timeout=timeout)


def app_engine(settings: Any, encoder: Any) -> Any:
    """The engine ``create_app`` loads for ``settings`` (service/app.py), over the session's loaded model:
    the same ranking, abstention, cache and micro-batching settings, without loading the weights again."""
    from groundqa.engine.batching import BatchingEncoder
    from groundqa.engine.perf import engine_options
    from groundqa.engine.query import Engine
    from groundqa.engine.ranking import from_settings as rank_settings

    shared = BatchingEncoder(encoder) if settings.encoder_micro_batch else encoder
    return Engine.load(settings.index, model=settings.model, encoder=shared, batch_size=settings.batch_size,
                       rank=rank_settings(settings), abstain_below=settings.abstain_below, **engine_options(settings))


def build_app(index_dir: Path, encoder: Any, **overrides: Any) -> Any:
    """The real app (``create_app``) over ``index_dir`` with ``overrides`` on top of the environment and the
    defaults, as ``groundqa serve`` builds it, but handed an engine over the already-loaded model."""
    from groundqa.core.settings import Settings
    from groundqa.service.app import create_app

    settings = Settings(index=index_dir, **overrides)
    return create_app(settings, engine=app_engine(settings, encoder))


@contextlib.contextmanager
def app_client(index_dir: Path, encoder: Any, **overrides: Any) -> Iterator[TestClient]:
    """A TestClient over ``build_app``, its lifespan running (the engine keeper and its reload watcher) until
    the block ends. Errors come back as the 500 responses a client would see, not as exceptions."""
    with TestClient(build_app(index_dir, encoder, **overrides), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def client(seed_index: Path, encoder) -> Iterator[TestClient]:
    """The app with default settings over the seed index, in-process; shared by the session, so read-only."""
    with app_client(seed_index, encoder) as http:
        yield http


@pytest.fixture(scope="session")
def make_client(seed_index: Path, encoder) -> Callable[..., contextlib.AbstractContextManager[TestClient]]:
    """``make_client(**settings)``: a context manager yielding a TestClient over an app with those settings
    (``index=`` a copy for a test that breaks or changes its index; the seed index otherwise)."""

    def make(index: Path | None = None, **overrides: Any) -> contextlib.AbstractContextManager[TestClient]:
        return app_client(index or seed_index, encoder, **overrides)

    return make
