"""``groundqa serve`` in a subprocess, handed over once ``/readyz`` says 200 and stopped when the block ends.

The one launcher of a live server, for what needs the real process and socket: bench/ (HTTP load, soak) and
the tests' live server. It runs the command a user runs (``python -m groundqa serve``), so it imports nothing
of the CLI. The server's output goes to a file: an unread pipe fills up and stalls a chatty server.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LiveServer:
    base: str  # http://127.0.0.1:<port>
    log: Path
    pid: int
    readiness: tuple[int, ...]  # /readyz statuses seen while starting (503s, then the 200)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int | None:
    """The HTTP status of a GET, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, http.client.HTTPException):
        return None


def _tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def running_server(index_dir: Path, *, port: int | None = None, host: str | None = "127.0.0.1",
                   env: Mapping[str, str] | None = None, log: Path | None = None, cwd: Path | None = None,
                   timeout: float = 180.0, unread_pipe: bool = False) -> Iterator[LiveServer]:
    """`groundqa serve --index index_dir` on ``port`` (a free one by default); yields once /readyz is 200.

    ``host=None`` leaves out ``--host`` (the default bind address is 127.0.0.1). ``env`` is laid over this
    process's environment, with ``HF_HUB_OFFLINE=1`` (the bundled model is on disk). The output goes to ``log``
    (a temporary file by default); ``unread_pipe`` sends it to a pipe nobody reads, as a careless supervisor
    would. The server is terminated when the block ends (killed if it takes more than 30 s).
    """
    port = port or free_port()
    args = [sys.executable, "-m", "groundqa", "serve", *(["--host", host] if host else []), "--port", str(port),
            "--index", str(index_dir)]
    folder = None
    if log is None:
        folder = tempfile.TemporaryDirectory()
        log = Path(folder.name) / "server.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE if unread_pipe else sink,
                                stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    seen: list[int] = []
    try:
        deadline = time.monotonic() + timeout
        while not seen or seen[-1] != 200:
            if proc.poll() is not None:
                raise RuntimeError(f"groundqa serve exited with {proc.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"groundqa serve did not become ready in {timeout:g} s:\n{_tail(log)}")
            status = _status(f"{base}/readyz")
            if status is not None:
                seen.append(status)
            time.sleep(0.05)
        yield LiveServer(base=base, log=log, pid=proc.pid, readiness=tuple(seen))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if folder is not None:
            folder.cleanup()
