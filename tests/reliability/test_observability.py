"""What an operator sees: /metrics counts requests and describes the live index (the real app in-process); the
flag counts come from the store. That /readyz flips only once model and index are loaded, and that JSON log
lines carry the request id the client sent, are tested on the live server (tests/reliability/test_live_server.py).
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = client.get("/metrics").text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_requests_and_describe_the_index(client: TestClient) -> None:
    key = ("groundqa_http_requests_total", (("method", "GET"), ("route", "/v1/sources/{source_id:path}"),
                                            ("status", "404")))
    before = samples(client).get(key, 0.0)
    for _ in range(3):
        assert client.get("/v1/sources/no-such-source").status_code == 404
    after = samples(client)
    assert after[key] == before + 3
    health = client.get("/healthz").json()
    assert after[("groundqa_index_passages", ())] == health["passages"]
    assert after[("groundqa_index_sources", ())] == health["sources"]
    assert after[("groundqa_index_bytes", ())] > 0 and after[("groundqa_ready", ())] == 1
    count = ("groundqa_http_request_duration_seconds_count", (("method", "GET"),
                                                              ("route", "/v1/sources/{source_id:path}")))
    assert after[count] >= 3
    text = client.get("/metrics").text
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
