"""What an operator sees: /readyz flips only once model and index are loaded, JSON log lines carry the
request id the client sent, /metrics counts requests and describes the live index."""

from __future__ import annotations

import json
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer, read_log_when, running_server


def samples(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{base}/metrics", timeout=60).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_readyz_is_503_until_the_engine_is_loaded(live: LiveServer) -> None:
    first_ready = live.readiness.index(200)
    assert first_ready > 0 and set(live.readiness[:first_ready]) == {503}, live.readiness
    body = httpx.get(f"{live.base}/readyz", timeout=60).json()
    assert body["status"] == "ready" and body["model"].endswith("all-MiniLM-L6-v2")
    assert '"message": "serving snapshot"' in live.log.read_text()


def test_request_id_is_echoed_and_logged(live: LiveServer) -> None:
    r = httpx.get(f"{live.base}/v1/sources", headers={"X-Request-ID": "rq-7f3a"}, timeout=60)
    assert r.headers["X-Request-ID"] == "rq-7f3a"
    forged = httpx.get(f"{live.base}/v1/sources", headers={"X-Request-ID": 'x" level=ERROR injected'},
                       timeout=60).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged), "an unsafe id is replaced, never written to the log"
    log = read_log_when(live.log, '"request_id": "rq-7f3a"')
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "groundqa.access" and e.get("request_id") == "rq-7f3a"]
    assert len(access) == 1
    assert access[0]["status"] == 200 and access[0]["route"] == "/v1/sources" and access[0]["duration_ms"] >= 0
    assert not any("injected" in json.dumps(e) for e in lines)


def test_metrics_count_requests_and_describe_the_index(live: LiveServer) -> None:
    key = ("groundqa_http_requests_total", (("method", "GET"), ("route", "/v1/sources/{source_id:path}"),
                                            ("status", "404")))
    before = samples(live.base).get(key, 0.0)
    for _ in range(3):
        assert httpx.get(f"{live.base}/v1/sources/no-such-source", timeout=60).status_code == 404
    after = samples(live.base)
    assert after[key] == before + 3
    health = httpx.get(f"{live.base}/healthz", timeout=60).json()
    assert after[("groundqa_index_passages", ())] == health["passages"]
    assert after[("groundqa_index_sources", ())] == health["sources"]
    assert after[("groundqa_index_bytes", ())] > 0 and after[("groundqa_ready", ())] == 1
    count = ("groundqa_http_request_duration_seconds_count", (("method", "GET"),
                                                              ("route", "/v1/sources/{source_id:path}")))
    assert after[count] >= 3
    text = httpx.get(f"{live.base}/metrics", timeout=60).text
    assert "# TYPE groundqa_index_flagged_passages gauge" in text


def test_flag_counts_come_from_the_store(tmp_path) -> None:
    from groundqa.core.records import Flag, Passage, SourceMeta
    from groundqa.index.store import StoredSource, write_store
    from groundqa.service.observability import flagged_passages

    text = "Book now. Free consultation. Cisplatin is standard."
    source = StoredSource(source_id="s", file="s.txt", file_hash="h", text_hash="t", title="S", meta=SourceMeta(),
                          profile=None, page_starts=(), text=text)
    commercial, unverified = Flag("commercial", "sales"), Flag("unverified", "no citation")
    passages = [Passage("p1", "s", 0, 9, text[0:9], flags=(commercial,)),
                Passage("p2", "s", 10, 28, text[10:28], flags=(commercial, unverified, commercial)),
                Passage("p3", "s", 29, len(text), text[29:])]
    write_store(tmp_path / "store.sqlite", [source], passages)
    assert flagged_passages(tmp_path / "store.sqlite") == {"commercial": 2, "unverified": 1}
    assert flagged_passages(tmp_path / "missing.sqlite") == {}


def test_a_stalled_log_reader_never_stalls_requests(seed_index) -> None:
    """A server whose output pipe nobody reads: after 64 KB of log lines every write to that pipe blocks.
    Requests must still be answered (lines are dropped)."""
    with running_server(seed_index, unread_pipe=True) as live, httpx.Client(base_url=live.base, timeout=30) as client:
        statuses = [client.get("/healthz", headers={"X-Request-ID": f"stall-{i}"}).status_code for i in range(800)]
    assert statuses == [200] * 800  # about 200 KB of access log
