"""The HTTP API over uvicorn on 127.0.0.1: shapes, exact offsets, and every validation path."""

from __future__ import annotations

import httpx
import pytest

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"


def test_query_returns_cited_passages_with_exact_offsets(server: str) -> None:
    r = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 3}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["question"] == QUESTION and len(body["passages"]) == 3
    top = body["passages"][0]
    assert top["source_id"] == "engage-metastatic-cervical-cancer-factsheet"
    assert "cisplatin or carboplatin with paclitaxel" in top["text"]
    full = httpx.get(f"{server}/v1/sources/{top['source_id']}", timeout=30).json()
    for p in body["passages"]:
        text = full["text"] if p["source_id"] == top["source_id"] else httpx.get(
            f"{server}/v1/sources/{p['source_id']}", timeout=30).json()["text"]
        assert text[p["start"]:p["end"]] == p["text"]
    assert top["source"]["publisher_type"] == "patient-organisation"


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_each_mode_is_selectable(server: str, mode: str) -> None:
    r = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 2, "mode": mode}, timeout=30)
    assert r.status_code == 200 and r.json()["mode"] == mode and r.json()["passages"]


def test_filters_restrict_sources(server: str) -> None:
    r = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 5,
                                               "filters": {"publisher_types": ["commercial-clinic"]}}, timeout=30)
    assert r.status_code == 200
    assert {p["source_id"] for p in r.json()["passages"]} == {"oncocare-cancer-with-metastases"}


def test_passage_with_context(server: str) -> None:
    hit = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 1}, timeout=30).json()["passages"][0]
    r = httpx.get(f"{server}/v1/passages/{hit['passage_id']}", params={"context": 50}, timeout=30)
    assert r.status_code == 200
    p = r.json()
    source = httpx.get(f"{server}/v1/sources/{hit['source_id']}", timeout=30).json()["text"]
    assert source[p["context_start"]:p["context_end"]] == p["context_before"] + p["text"] + p["context_after"]
    assert p["start"] - p["context_start"] == min(50, p["start"])


def test_sources_and_their_passages(server: str) -> None:
    listing = httpx.get(f"{server}/v1/sources", timeout=30).json()["sources"]
    assert len(listing) == 4
    by_id = {s["source_id"]: s for s in listing}
    assert by_id["oncocare-cancer-with-metastases"]["publisher"] == "OncoCare 308 LLC"
    passages = httpx.get(f"{server}/v1/sources/imt-metastatic-cervical-cancer/passages", timeout=30).json()["passages"]
    assert passages and [p["start"] for p in passages] == sorted(p["start"] for p in passages)


def test_healthz(server: str) -> None:
    body = httpx.get(f"{server}/healthz", timeout=30).json()
    assert body["status"] == "ok" and body["sources"] == 4 and body["passages"] > 10


def test_openapi_docs(server: str) -> None:
    assert httpx.get(f"{server}/docs", timeout=30).status_code == 200
    assert "/v1/query" in httpx.get(f"{server}/openapi.json", timeout=30).json()["paths"]


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
def test_bad_queries_get_a_clear_4xx(server: str, payload: dict, status: int, needle: str) -> None:
    r = httpx.post(f"{server}/v1/query", json=payload, timeout=30)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["status"] == status and needle in str(error).lower()


def test_malformed_json_is_400(server: str) -> None:
    r = httpx.post(f"{server}/v1/query", content=b'{"question": "oops', headers={"content-type": "application/json"},
                   timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("path", ["/v1/passages/p_doesnotexist", "/v1/sources/nope", "/v1/sources/nope/passages"])
def test_unknown_ids_are_404(server: str, path: str) -> None:
    r = httpx.get(f"{server}{path}", timeout=30)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found" and "nope" in r.json()["error"]["message"] or "p_does" in r.text


def test_context_out_of_range(server: str) -> None:
    hit = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 1}, timeout=30).json()["passages"][0]
    r = httpx.get(f"{server}/v1/passages/{hit['passage_id']}", params={"context": -1}, timeout=30)
    assert r.status_code == 422 and "context" in r.text


def test_each_passage_carries_its_best_sentence_as_an_exact_span(server: str) -> None:
    question = "How long do patients live after a diagnosis of metastatic breast cancer?"
    body = httpx.post(f"{server}/v1/query", json={"question": question, "k": 3}, timeout=30).json()
    for p in body["passages"]:
        best = p["best_sentence"]
        assert p["start"] <= best["start"] < best["end"] <= p["end"] and -1.0 <= best["score"] <= 1.0
        text = httpx.get(f"{server}/v1/sources/{p['source_id']}", timeout=30).json()["text"]
        assert text[best["start"]:best["end"]] == best["text"]
    answering = next(p for p in body["passages"] if "19 months" in p["text"])
    assert "live an average of 19 months" in answering["best_sentence"]["text"]


def test_per_source_one_lists_k_different_sources(server: str) -> None:
    crowded = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 3, "per_source": 0},
                         timeout=30).json()["passages"]
    spread = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "k": 3, "per_source": 1},
                        timeout=30).json()["passages"]
    assert len({p["source_id"] for p in crowded}) < 3  # the factsheet answers, and fills the list
    assert len({p["source_id"] for p in spread}) == 3
    assert spread[0]["passage_id"] == crowded[0]["passage_id"]
    bad = httpx.post(f"{server}/v1/query", json={"question": QUESTION, "per_source": -1}, timeout=30)
    assert bad.status_code == 422 and "per_source" in bad.text
