"""What needs the real process and a socket: `groundqa serve` (uvicorn in its own process) binds loopback by
default, /readyz answers 503 until the model and index are loaded, the JSON log lines carry the request id a
client sent, a body streamed in chunks meets the size limit, sixteen concurrent loopback clients are never
throttled, and a log pipe nobody reads never stalls requests. Everything else about the API is tested on the same
app in-process (the ``client`` fixture), which is much faster; the browser tests (tests/web/) use this server too.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
from groundqa.core.settings import Settings

from tests.conftest import LiveServer, read_log_when, running_server


def test_binds_loopback_unless_told_otherwise(live_server: LiveServer) -> None:
    assert Settings().host == "127.0.0.1"
    listening = [c.laddr for c in psutil.Process(live_server.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and {addr.ip for addr in listening} == {"127.0.0.1"}


def test_readyz_is_503_until_the_engine_is_loaded(live_server: LiveServer) -> None:
    first_ready = live_server.readiness.index(200)
    assert first_ready > 0 and set(live_server.readiness[:first_ready]) == {503}, live_server.readiness
    body = httpx.get(f"{live_server.base}/readyz", timeout=60).json()
    assert body["status"] == "ready" and body["model"].endswith("all-MiniLM-L6-v2")
    assert '"message": "serving snapshot"' in live_server.log.read_text()


def test_request_id_is_echoed_and_logged(live_server: LiveServer) -> None:
    r = httpx.get(f"{live_server.base}/v1/sources", headers={"X-Request-ID": "rq-7f3a"}, timeout=60)
    assert r.headers["X-Request-ID"] == "rq-7f3a"
    forged = httpx.get(f"{live_server.base}/v1/sources", headers={"X-Request-ID": 'x" level=ERROR injected'},
                       timeout=60).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged), "an unsafe id is replaced, never written to the log"
    log = read_log_when(live_server.log, '"request_id": "rq-7f3a"')
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "groundqa.access" and e.get("request_id") == "rq-7f3a"]
    assert len(access) == 1
    assert access[0]["status"] == 200 and access[0]["route"] == "/v1/sources" and access[0]["duration_ms"] >= 0
    assert not any("injected" in json.dumps(e) for e in lines)


def test_a_body_streamed_in_chunks_meets_the_size_limit(live_server: LiveServer) -> None:
    """No Content-Length: uvicorn hands the body over chunk by chunk, and the limit must hold while it streams."""

    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    r = httpx.post(f"{live_server.base}/v1/query", content=chunks(), headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large" and "X-Request-ID" in r.headers


def test_sixteen_local_clients_are_never_throttled(live_server: LiveServer) -> None:
    """Sixteen connections at once from 127.0.0.1 to a service bound to loopback: the rate limit is off."""
    deadline = time.monotonic() + 4

    def client() -> list[int]:
        statuses = []
        with httpx.Client(base_url=live_server.base, timeout=30) as http:
            while time.monotonic() < deadline:
                statuses.append(http.get("/v1/sources", params={"limit": 1}).status_code)
        return statuses

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = [s for f in [pool.submit(client) for _ in range(16)] for s in f.result()]
    assert len(statuses) > 160 and set(statuses) == {200}, f"{len(statuses)} requests: {set(statuses)}"


def test_a_stalled_log_reader_never_stalls_requests(seed_index: Path) -> None:
    """A server whose output pipe nobody reads: after 64 KB of log lines every write to that pipe blocks.
    Requests must still be answered (lines are dropped). Its own process: the pipe is the point."""
    with running_server(seed_index, unread_pipe=True) as live, httpx.Client(base_url=live.base, timeout=30) as client:
        statuses = [client.get("/healthz", headers={"X-Request-ID": f"stall-{i}"}).status_code for i in range(800)]
    assert statuses == [200] * 800  # about 200 KB of access log
