"""Credibility over the API (the app in-process) and the CLI: flags, profiles, filters, down-ranking."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import groundqa

CLINIC = "oncocare-cancer-with-metastases"
QUESTION = "How can I make an appointment with an oncologist for metastatic cancer treatment?"


def _query(client: TestClient, **filters) -> list[dict]:
    r = client.post("/v1/query", json={"question": QUESTION, "k": 12, "filters": filters})
    assert r.status_code == 200, r.text
    return r.json()["passages"]


def _kinds(p: dict) -> set[str]:
    return {f["kind"] for f in p["flags"]}


def test_query_results_carry_flags_with_evidence_and_the_source_profile(client: TestClient) -> None:
    passages = _query(client)
    flagged = [p for p in passages if p["flags"]]
    assert flagged, "no flagged passage among the results"
    texts = {}
    for p in flagged:
        texts.setdefault(p["source_id"], client.get(f"/v1/sources/{p['source_id']}").json()["text"])
        for flag in p["flags"]:
            assert flag["kind"] in ("commercial", "unverified") and flag["reason"] and flag["cues"]
            assert 0 < flag["confidence"] <= 1 and flag["override"] is False
            for e in flag["evidence"]:  # source coordinates, inside the passage
                assert p["start"] <= e["start"] < e["end"] <= p["end"]
                assert texts[p["source_id"]][e["start"]:e["end"]] in p["text"]
    for p in passages:
        assert p["source"]["profile"]["grade"] in "ABCDE" and 0 <= p["source"]["profile"]["score"] <= 1


def test_source_passage_listing_and_source_carry_flags_and_profile(client: TestClient) -> None:
    listing = client.get(f"/v1/sources/{CLINIC}/passages").json()["passages"]
    source = client.get(f"/v1/sources/{CLINIC}").json()
    call_back = [p for p in listing if "our operator will call you back" in p["text"]]
    assert call_back and "commercial" in _kinds(call_back[0])
    evidence = [source["text"][e["start"]:e["end"]] for f in call_back[0]["flags"] for e in f["evidence"]]
    assert any(t.startswith("Leave your name and telephone number") for t in evidence)
    assert source["profile"]["publisher"]["type"] == "commercial-clinic"
    assert source["profile"]["commercial_signals"] and source["profile"]["reasons"]


def test_exclude_flags_drops_flagged_passages(client: TestClient) -> None:
    assert any("commercial" in _kinds(p) for p in _query(client))
    kept = _query(client, exclude_flags=["commercial"])
    assert kept and not any("commercial" in _kinds(p) for p in kept)


def test_downrank_keeps_flagged_passages_but_after_the_unflagged(client: TestClient) -> None:
    plain = _query(client)
    ranked = _query(client, exclude_flags=["commercial"], downrank_flagged=True)
    assert {p["passage_id"] for p in ranked} == {p["passage_id"] for p in plain}
    flags = ["commercial" in _kinds(p) for p in ranked]
    assert any(flags) and flags == sorted(flags)  # all False before all True
    assert [p["passage_id"] for p in plain if "commercial" in _kinds(p)] == \
           [p["passage_id"] for p in ranked if "commercial" in _kinds(p)]


def test_min_source_credibility_keeps_only_well_graded_sources(client: TestClient) -> None:
    scores = {p["source_id"]: p["source"]["profile"]["score"] for p in _query(client)}
    assert CLINIC in scores and max(scores.values()) > scores[CLINIC]
    floor = round(scores[CLINIC] + 0.005, 3)  # just above the clinic's score, whatever the model gives it
    passages = _query(client, min_source_credibility=floor)
    assert passages and all(p["source"]["profile"]["score"] >= floor for p in passages)
    assert CLINIC not in {p["source_id"] for p in passages}


@pytest.mark.parametrize("filters", [{"exclude_flags": ["advert"]}, {"min_source_credibility": 2}])
def test_bad_credibility_filters_get_422(client: TestClient, filters: dict) -> None:
    r = client.post("/v1/query", json={"question": QUESTION, "filters": filters})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_cli_shows_tags_reason_lines_and_grade_and_filters(seed_index) -> None:
    out = groundqa("query", QUESTION, "-k", "8", "--mode", "bm25", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    assert "[commercial]" in out.stdout and "↳ commercial: " in out.stdout and "credibility " in out.stdout
    dropped = groundqa("query", QUESTION, "-k", "8", "--mode", "bm25", "--exclude-flag", "commercial",
                       "--index", str(seed_index))
    assert dropped.returncode == 0 and "[commercial]" not in dropped.stdout
