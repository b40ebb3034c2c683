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
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from groundqa.core.paths import datasets_dir
from groundqa.service.launch import LiveServer, running_server  # the one launcher of `groundqa serve`

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATASETS = datasets_dir()
SHARED = DATASETS.parent
MEDQUAD = DATASETS / "medquad"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _no_model_still_loading_at_exit() -> Iterator[None]:
    """At the end of the session, wait for the audit's warm-up threads (engine/audit/batch.py), which every app
    and `groundqa audit` built in this process start: a daemon thread still loading the verifier when the
    interpreter exits aborts the whole run (exit 134, "terminate called without an active exception")."""
    yield
    for thread in threading.enumerate():
        if thread.name == "audit-warm-up":
            thread.join(timeout=300)


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
def seed_index(cli_ingested: IngestedCorpus) -> Iterator[Path]:
    """An index of the bundled corpus, built once per session by `groundqa ingest` with the default settings.
    The whole session shares it, so it is read-only: a test that changes or breaks an index copies it (or takes
    ``cli_ingested.fresh(tmp_path)``). At the end of the session it must be byte for byte as built."""
    built = tree_digest(cli_ingested.template)
    yield cli_ingested.template
    assert tree_digest(cli_ingested.template) == built, "a test changed the shared seed index: give it a copy"


@pytest.fixture(scope="session")
def engine(seed_index: Path, encoder):
    from groundqa.engine.query import Engine

    eng = Engine.load(seed_index, encoder=encoder)
    yield eng
    eng.close()


def read_log_when(log: Path, *needles: str, timeout: float = 10.0) -> str:
    """The server log once every needle is in it (or at the deadline): the service logs through a queue
    and a writer thread, so a line lands in the file a moment after the response it describes."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(errors="replace")
        if all(n in text for n in needles) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


@pytest.fixture(scope="session")
def live_server(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`groundqa serve` in a subprocess over the seed index, bound where it binds by default (no --host), its
    log in a file. Only for what needs the process and a socket: the browser tests (tests/web/), the HTTP eval
    backend, and uvicorn's own behaviour (tests/reliability/test_live_server.py). Everything else talks to the
    same app in-process through ``client``."""
    log = tmp_path_factory.mktemp("live-server") / "server.log"
    with running_server(seed_index, log=log, host=None, cwd=ROOT) as live:
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
    ``report`` is what that first ingest returned.
    """

    corpus: Path
    template: Path
    report: Any

    @classmethod
    def build(cls, root: Path, ingest_into: Callable[[Path, Path], Any]) -> IngestedCorpus:
        corpus, template = root / "corpus", root / "template-index"
        shutil.copytree(CORPUS, corpus)
        return cls(corpus, template, ingest_into(corpus, template))

    def fresh(self, tmp_path: Path) -> Path:
        """Restore the corpus folder and return a new copy of the index (``tmp_path``/idx)."""
        shutil.rmtree(self.corpus)
        shutil.copytree(CORPUS, self.corpus)
        index = tmp_path / "idx"
        shutil.copytree(self.template, index)
        return index


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory, encoder) -> IngestedCorpus:
    """The bundled corpus ingested once by ``ingest(paths, chunking=ChunkSettings(), progress=False)`` (the
    library's defaults; ``report`` is its IngestReport)."""
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    def ingest_into(corpus: Path, index: Path) -> Any:
        report = ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False)
        assert report.ok and report.sources == 4, report.errors
        return report

    return IngestedCorpus.build(tmp_path_factory.mktemp("ingested"), ingest_into)


@pytest.fixture(scope="session")
def cli_ingested(tmp_path_factory: pytest.TempPathFactory, encoder) -> IngestedCorpus:
    """The bundled corpus ingested once by `groundqa ingest CORPUS --index IDX --json` (the CLI's settings;
    ``report`` is its JSON summary). Its index is the session's seed index (``seed_index``). The model is
    loaded first (``encoder``), so the CLI finds torch and the weights already in memory."""

    def ingest_into(corpus: Path, index: Path) -> Any:
        out = groundqa("ingest", str(corpus), "--index", str(index), "--json")
        report = json.loads(out.stdout)
        assert out.returncode == 0 and report["sources_added"] == 4, out.stderr
        return report

    return IngestedCorpus.build(tmp_path_factory.mktemp("seed"), ingest_into)


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
