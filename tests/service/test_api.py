"""The HTTP API (the real app in-process, FastAPI's TestClient): shapes, exact offsets, every validation path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"


def test_query_returns_cited_passages_with_exact_offsets(client: TestClient) -> None:
    r = client.post("/v1/query", json={"question": QUESTION, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["question"] == QUESTION and len(body["passages"]) == 3
    top = body["passages"][0]
    assert top["source_id"] == "engage-metastatic-cervical-cancer-factsheet"
    assert "cisplatin or carboplatin with paclitaxel" in top["text"]
    full = client.get(f"/v1/sources/{top['source_id']}").json()
    for p in body["passages"]:
        text = full["text"] if p["source_id"] == top["source_id"] else client.get(
            f"/v1/sources/{p['source_id']}").json()["text"]
        assert text[p["start"]:p["end"]] == p["text"]
    assert top["source"]["publisher_type"] == "patient-organisation"


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_each_mode_is_selectable(client: TestClient, mode: str) -> None:
    r = client.post("/v1/query", json={"question": QUESTION, "k": 2, "mode": mode})
    assert r.status_code == 200 and r.json()["mode"] == mode and r.json()["passages"]


def test_filters_restrict_sources(client: TestClient) -> None:
    r = client.post("/v1/query", json={"question": QUESTION, "k": 5,
                                       "filters": {"publisher_types": ["commercial-clinic"]}})
    assert r.status_code == 200
    assert {p["source_id"] for p in r.json()["passages"]} == {"oncocare-cancer-with-metastases"}


def test_passage_with_context(client: TestClient) -> None:
    hit = client.post("/v1/query", json={"question": QUESTION, "k": 1}).json()["passages"][0]
    r = client.get(f"/v1/passages/{hit['passage_id']}", params={"context": 50})
    assert r.status_code == 200
    p = r.json()
    source = client.get(f"/v1/sources/{hit['source_id']}").json()["text"]
    assert source[p["context_start"]:p["context_end"]] == p["context_before"] + p["text"] + p["context_after"]
    assert p["start"] - p["context_start"] == min(50, p["start"])


def test_sources_and_their_passages(client: TestClient) -> None:
    listing = client.get("/v1/sources").json()["sources"]
    assert len(listing) == 4
    by_id = {s["source_id"]: s for s in listing}
    assert by_id["oncocare-cancer-with-metastases"]["publisher"] == "OncoCare 308 LLC"
    passages = client.get("/v1/sources/imt-metastatic-cervical-cancer/passages").json()["passages"]
    assert passages and [p["start"] for p in passages] == sorted(p["start"] for p in passages)


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["sources"] == 4 and body["passages"] > 10


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/query" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(("payload", "status", "needle"), [
    ({"question": ""}, 422, "empty"),
    ({"question": "   "}, 422, "empty"),
    ({"question": "x" * 5000}, 422, "limit"),
    ({"question": QUESTION, "k": 0}, 422, "k must be"),
    ({"question": QUESTION, "k": 10_000}, 422, "k must be"),
    ({"question": QUESTION, "k": -3}, 422, "k must be"),
    ({"question": QUESTION, "mode": "magic"}, 422, "mode"),
    ({"k": 3}, 422, "question"),
    ({"question": QUESTION, "colour": "red"}, 422, "colour"),
])
def test_bad_queries_get_a_clear_4xx(client: TestClient, payload: dict, status: int, needle: str) -> None:
    r = client.post("/v1/query", json=payload)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["status"] == status and needle in str(error).lower()


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post("/v1/query", content=b'{"question": "oops', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("path", ["/v1/passages/p_doesnotexist", "/v1/sources/nope", "/v1/sources/nope/passages"])
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found" and "nope" in r.json()["error"]["message"] or "p_does" in r.text


def test_context_out_of_range(client: TestClient) -> None:
    hit = client.post("/v1/query", json={"question": QUESTION, "k": 1}).json()["passages"][0]
    r = client.get(f"/v1/passages/{hit['passage_id']}", params={"context": -1})
    assert r.status_code == 422 and "context" in r.text


def test_each_passage_carries_its_best_sentence_as_an_exact_span(client: TestClient) -> None:
    question = "How long do patients live after a diagnosis of metastatic breast cancer?"
    body = client.post("/v1/query", json={"question": question, "k": 3}).json()
    for p in body["passages"]:
        best = p["best_sentence"]
        assert p["start"] <= best["start"] < best["end"] <= p["end"] and -1.0 <= best["score"] <= 1.0
        text = client.get(f"/v1/sources/{p['source_id']}").json()["text"]
        assert text[best["start"]:best["end"]] == best["text"]
    answering = next(p for p in body["passages"] if "19 months" in p["text"])
    assert "live an average of 19 months" in answering["best_sentence"]["text"]


def test_per_source_one_lists_k_different_sources(client: TestClient) -> None:
    crowded = client.post("/v1/query", json={"question": QUESTION, "k": 3, "per_source": 0}).json()["passages"]
    spread = client.post("/v1/query", json={"question": QUESTION, "k": 3, "per_source": 1}).json()["passages"]
    assert len({p["source_id"] for p in crowded}) < 3  # the factsheet answers, and fills the list
    assert len({p["source_id"] for p in spread}) == 3
    assert spread[0]["passage_id"] == crowded[0]["passage_id"]
    bad = client.post("/v1/query", json={"question": QUESTION, "per_source": -1})
    assert bad.status_code == 422 and "per_source" in bad.text
