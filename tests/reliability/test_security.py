"""The service lets no one in: read-only API, admin key checked, size and rate limits, CORS off unless
configured, loopback by default, and no stack trace in any error body, even when the index breaks."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from groundqa.core.settings import Settings
from groundqa.index.snapshot import current_snapshot

from tests.conftest import LiveServer, read_log_when, running_server
from tests.reliability.conftest import API_KEY

ORIGIN = "https://reviewers.example.org"
QUESTION = {"question": "Which chemotherapy is used first for metastatic cervical cancer?", "k": 2}


@pytest.fixture(scope="module")
def strict(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Default bind address (no --host), a tight rate limit, one CORS origin, no API key; its own index copy."""
    folder = tmp_path_factory.mktemp("strict")
    index = folder / "index"
    shutil.copytree(seed_index, index)
    env = {"GROUNDQA_RATE_LIMIT": "30/second", "GROUNDQA_CORS_ORIGINS": f'["{ORIGIN}"]', "GROUNDQA_API_KEY": ""}
    with running_server(index, log=folder / "server.log", env=env, host_args=False) as server:
        yield server


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_binds_loopback_unless_told_otherwise(strict: LiveServer) -> None:
    assert Settings().host == "127.0.0.1"
    listening = [c.laddr for c in psutil.Process(strict.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and {addr.ip for addr in listening} == {"127.0.0.1"}


def test_the_query_api_is_read_only(live: LiveServer, seed_index: Path) -> None:
    paths = httpx.get(f"{live.base}/openapi.json", timeout=60).json()["paths"]
    methods = {(path, method) for path, item in paths.items() for method in item}
    assert not {m for _, m in methods} & {"put", "patch", "delete"}
    writes = {path for path, method in methods if method == "post"} - {"/v1/query", "/v1/audit", "/v1/compare"}
    assert writes == {"/v1/admin/reload"}, "every other POST only reads; admin routes need the key"
    before = tree_digest(seed_index)
    for _ in range(3):
        assert httpx.post(f"{live.base}/v1/query", json=QUESTION, timeout=60).status_code == 200
    assert tree_digest(seed_index) == before


def test_admin_route_needs_the_key(live: LiveServer, strict: LiveServer) -> None:
    url = f"{live.base}/v1/admin/reload"
    for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": API_KEY[:-1] + "X"}, {"X-API-Key": API_KEY * 2}):
        r = httpx.post(url, headers=headers, timeout=60)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = httpx.post(url, headers={"X-API-Key": API_KEY}, timeout=60)
    assert r.status_code == 200 and r.json() == {"reloaded": False, "snapshot": r.json()["snapshot"]}
    r = httpx.post(f"{strict.base}/v1/admin/reload", headers={"X-API-Key": ""}, timeout=60)
    assert r.status_code == 403 and "GROUNDQA_API_KEY" in r.json()["error"]["message"]


def test_request_size_limit(live: LiveServer) -> None:
    big = {"question": "why " * 20_000}
    r = httpx.post(f"{live.base}/v1/query", json=big, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming too
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    r = httpx.post(f"{live.base}/v1/query", content=chunks(), headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code == 413 and "X-Request-ID" in r.headers


def test_rate_limit_answers_429_with_retry_after_and_spares_operators(strict: LiveServer) -> None:
    with httpx.Client(base_url=strict.base, timeout=60) as client:
        statuses = [client.get("/v1/sources").status_code for _ in range(60)]
        limited = client.get("/v1/sources")
        ops = [client.get(path).status_code for path in ("/healthz", "/readyz", "/metrics") for _ in range(20)]
    assert statuses.count(200) >= 25 and 429 in statuses
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    assert set(ops) == {200}


def test_cors_is_off_by_default_and_exact_when_configured(live: LiveServer, strict: LiveServer) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    off = httpx.options(f"{live.base}/v1/query", headers=preflight, timeout=60)
    assert "access-control-allow-origin" not in off.headers
    assert "access-control-allow-origin" not in httpx.get(f"{live.base}/v1/sources", headers={"Origin": ORIGIN},
                                                          timeout=60).headers
    on = httpx.options(f"{strict.base}/v1/query", headers=preflight, timeout=60)
    assert on.status_code == 200 and on.headers["access-control-allow-origin"] == ORIGIN
    other = httpx.options(f"{strict.base}/v1/query", headers={**preflight, "Origin": "https://evil.example"},
                          timeout=60)
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_internal_errors_carry_no_stack_trace(strict: LiveServer) -> None:
    """Break the live snapshot's store under the running service: the answer is the JSON error shape with a
    request id to quote; the traceback goes to the log, under that id."""
    time.sleep(1.1)  # let the rate-limit window of the tests before pass
    with httpx.Client(base_url=strict.base, timeout=60) as client:
        hit = client.post("/v1/query", json=QUESTION).json()["passages"][0]
        ready = client.get("/readyz").json()
    index = next(p for p in strict.log.parent.iterdir() if p.name == "index")
    store = current_snapshot(index) / "store.sqlite"
    assert ready["snapshot"] == store.parent.name
    original = store.read_bytes()
    try:
        with open(store, "r+b") as handle:  # in place: open connections see it too
            handle.write(b"\xde\xad\xbe\xef" * (len(original) // 4))
        r = httpx.get(f"{strict.base}/v1/passages/{hit['passage_id']}", headers={"X-Request-ID": "boom-42"},
                      timeout=60)
    finally:
        with open(store, "r+b") as handle:
            handle.write(original)
    assert r.status_code == 500 and r.headers["X-Request-ID"] == "boom-42"
    error = r.json()["error"]
    assert error["code"] == "internal_error" and "boom-42" in error["message"]
    for leak in ("Traceback", 'File "', "sqlite", ".py", str(index)):
        assert leak not in r.text
    log = read_log_when(strict.log, "boom-42", "Traceback")
    assert "boom-42" in log and "Traceback" in log
