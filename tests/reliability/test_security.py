"""The service lets no one in: read-only API, admin key checked, size and rate limits, CORS off unless
configured, and no stack trace in any error body, even when the index breaks. The real app in-process (FastAPI's
TestClient); the bind address and a body streamed over the socket are tested on the live server
(tests/reliability/test_live_server.py)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from groundqa.index.snapshot import current_snapshot
from groundqa.service.observability import RequestIdFilter

from tests.conftest import tree_digest

API_KEY = "test-key-0123456789"
ORIGIN = "https://reviewers.example.org"
QUESTION = {"question": "Which chemotherapy is used first for metastatic cervical cancer?", "k": 2}


def test_the_query_api_is_read_only(client: TestClient, seed_index: Path) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    methods = {(path, method) for path, item in paths.items() for method in item}
    assert not {m for _, m in methods} & {"put", "patch", "delete"}
    writes = {path for path, method in methods if method == "post"} - {"/v1/query", "/v1/audit", "/v1/compare"}
    assert writes == {"/v1/admin/reload"}, "every other POST only reads; admin routes need the key"
    before = tree_digest(seed_index)
    for _ in range(3):
        assert client.post("/v1/query", json=QUESTION).status_code == 200
    assert tree_digest(seed_index) == before


def test_admin_route_needs_the_key(client: TestClient, make_client) -> None:
    with make_client(api_key=API_KEY) as keyed:
        for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": API_KEY[:-1] + "X"}, {"X-API-Key": API_KEY * 2}):
            r = keyed.post("/v1/admin/reload", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        r = keyed.post("/v1/admin/reload", headers={"X-API-Key": API_KEY})
        assert r.status_code == 200 and r.json() == {"reloaded": False, "snapshot": r.json()["snapshot"]}
    r = client.post("/v1/admin/reload", headers={"X-API-Key": ""})  # no key configured: the routes are off
    assert r.status_code == 403 and "GROUNDQA_API_KEY" in r.json()["error"]["message"]


def test_request_size_limit(client: TestClient) -> None:
    big = {"question": "why " * 20_000}
    r = client.post("/v1/query", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert "X-Request-ID" in r.headers


def test_rate_limit_answers_429_with_retry_after_and_spares_operators(make_client) -> None:
    with make_client(rate_limit="30/second") as limited:
        statuses = [limited.get("/v1/sources").status_code for _ in range(60)]
        too_many = limited.get("/v1/sources")
        ops = [limited.get(path).status_code for path in ("/healthz", "/readyz", "/metrics") for _ in range(20)]
    assert statuses.count(200) >= 25 and 429 in statuses
    assert too_many.status_code == 429 and int(too_many.headers["Retry-After"]) >= 1
    assert too_many.json()["error"]["code"] == "rate_limited"
    assert set(ops) == {200}


def test_cors_is_off_by_default_and_exact_when_configured(client: TestClient, make_client) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    off = client.options("/v1/query", headers=preflight)
    assert "access-control-allow-origin" not in off.headers
    assert "access-control-allow-origin" not in client.get("/v1/sources", headers={"Origin": ORIGIN}).headers
    with make_client(cors_origins=[ORIGIN]) as browser_facing:
        on = browser_facing.options("/v1/query", headers=preflight)
        other = browser_facing.options("/v1/query", headers={**preflight, "Origin": "https://evil.example"})
    assert on.status_code == 200 and on.headers["access-control-allow-origin"] == ORIGIN
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_internal_errors_carry_no_stack_trace(make_client, seed_index: Path, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """Break the live snapshot's store under the running app (its own copy of the index): the answer is the JSON
    error shape with a request id to quote; the traceback goes to the log, under that id."""
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    caplog.handler.addFilter(RequestIdFilter())  # what the service's log config stamps on each line
    with make_client(index=index) as app:
        hit = app.post("/v1/query", json=QUESTION).json()["passages"][0]
        ready = app.get("/readyz").json()
        store = current_snapshot(index) / "store.sqlite"
        assert ready["snapshot"] == store.parent.name
        original = store.read_bytes()
        try:
            with open(store, "r+b") as handle:  # in place: open connections see it too
                handle.write(b"\xde\xad\xbe\xef" * (len(original) // 4))
            with caplog.at_level(logging.ERROR, logger="groundqa.error"):
                r = app.get(f"/v1/passages/{hit['passage_id']}", headers={"X-Request-ID": "boom-42"})
        finally:
            with open(store, "r+b") as handle:
                handle.write(original)
    assert r.status_code == 500 and r.headers["X-Request-ID"] == "boom-42"
    error = r.json()["error"]
    assert error["code"] == "internal_error" and "boom-42" in error["message"]
    for leak in ("Traceback", 'File "', "sqlite", ".py", str(index)):
        assert leak not in r.text
    (logged,) = [rec for rec in caplog.records if rec.name == "groundqa.error"]
    assert logged.request_id == "boom-42" and logged.exc_info is not None
    assert "Traceback" in caplog.text
