"""A live service whose log goes to a file, for tests that send it hundreds of requests.

These tests also need the server's readiness history and its pid, and read the log back: the structured
log is itself under test.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port

API_KEY = "test-key-0123456789"


@dataclass(frozen=True)
class LiveServer:
    base: str
    log: Path
    pid: int
    readiness: tuple[int, ...]  # /readyz statuses seen while starting (503s, then the 200)


@contextlib.contextmanager
def serve(index_dir: Path, log: Path, *, env: dict[str, str] | None = None, host_args: bool = True,
          timeout: float = 180.0) -> Iterator[LiveServer]:
    """`groundqa serve` on 127.0.0.1 in a subprocess; yields once /readyz says ready, stops it after."""
    port = free_port()
    args = ["--host", "127.0.0.1"] if host_args else []
    with open(log, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "service", "serve", *args, "--port", str(port),
                                 "--index", str(index_dir)], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
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


@pytest.fixture(scope="session")
def live(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service over the seed index with admin routes on (API_KEY) and no rate limit (fuzzing is fast)."""
    log = tmp_path_factory.mktemp("live") / "server.log"
    with serve(seed_index, log, env={"GROUNDQA_API_KEY": API_KEY, "GROUNDQA_RATE_LIMIT": ""}) as server:
        yield server
