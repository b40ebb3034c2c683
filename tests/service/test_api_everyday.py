"""The API as researchers and evaluators use it day to day (issue 14): exports by ?format= or Accept, a small
audit batch, paged lists, 415 for non-JSON bodies, one k limit, route labels in /metrics, messages that fit the
route, and no rate limit in the way of a local user. The real app in-process (FastAPI's TestClient); that many
concurrent clients over loopback are never throttled is tested over the socket (tests/reliability/test_live_server.py).
"""

from __future__ import annotations

import csv
import io
import json
import logging

import bibtexparser
import httpx
import pytest
import rispy
from fastapi.testclient import TestClient

QUESTION = {"question": "Which chemotherapy is used first for metastatic cervical cancer?", "k": 2}
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
SUPPORTED = f"Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer [{ENGAGE}:1879-1967]."
CONTRADICTED = ("Patients with metastatic breast cancer live an average of 29 months "
                "[breast-cancer-with-metastases:893-1016].")


def post(client: TestClient, path: str, body: dict, **kw) -> httpx.Response:
    return client.post(path, json=body, **kw)


def test_query_exports_carry_what_a_citation_needs(client: TestClient) -> None:
    plain = post(client, "/v1/query", QUESTION).json()["passages"]
    top = plain[0]
    assert top["marker"] == f"[{top['source_id']}:{top['start']}-{top['end']}]"
    md = post(client, "/v1/query", QUESTION, headers={"Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert top["marker"] in md.text and top["passage_id"] in md.text and "https://engage.esgo.org/" in md.text
    rows = list(csv.DictReader(io.StringIO(post(client, "/v1/query?format=csv", QUESTION).text)))
    assert [r["passage_id"] for r in rows] == [p["passage_id"] for p in plain]
    assert rows[0]["quote"] == top["text"] and rows[0]["accessed"] and rows[0]["publisher"].startswith("ENGAGe")
    csl = post(client, "/v1/query", QUESTION, headers={"Accept": "application/vnd.citationstyles.csl+json"}).json()
    assert csl[0]["id"] == top["passage_id"] and csl[0]["URL"] == "https://engage.esgo.org/"
    assert csl[0]["custom"]["quote"] == top["text"] and csl[0]["accessed"]["date-parts"][0][0] >= 2024
    (ris,) = rispy.loads(post(client, "/v1/query?format=ris", {**QUESTION, "k": 1}).text)
    assert ris["title"] == top["title"] and ris["urls"] == ["https://engage.esgo.org/"] and ris["access_date"]
    assert top["marker"] in ris["notes"][0]
    library = bibtexparser.parse_string(post(client, "/v1/query?format=bibtex", QUESTION).text)
    assert not library.failed_blocks and [e.key for e in library.entries] == [p["passage_id"] for p in plain]
    assert library.entries[0]["url"] == "https://engage.esgo.org/" and library.entries[0]["urldate"]


def test_a_format_nobody_can_write_is_406_and_a_bad_name_422(client: TestClient) -> None:
    r = post(client, "/v1/query", QUESTION, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["code"] == "not_acceptable" and "format=md" in r.text
    assert post(client, "/v1/query?format=docx", QUESTION).status_code == 422
    assert post(client, "/v1/query", QUESTION, headers={"Accept": "*/*"}).json()["passages"]


def test_audit_batch_and_its_exports(client: TestClient) -> None:
    body = {"answers": [{"id": "good", "answer": SUPPORTED}, {"id": "bad", "answer": CONTRADICTED},
                        {"id": "empty", "answer": "  "}], "suggest": False}
    r = post(client, "/v1/audit", body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["id"] for x in out["results"]] == ["good", "bad", "empty"]
    assert out["results"][0]["report"]["summary"]["verdict"] == "pass"
    assert out["results"][1]["report"]["claims"][0]["verdict"] == "contradicted"
    assert out["results"][2]["error"]["code"] == "invalid_request"
    assert out["summary"]["by_verdict"] == {"pass": 1, "review": 0, "fail": 1, "error": 1}
    assert out["summary"]["verdict"] == "fail" and not out["summary"]["passed"]
    html = post(client, "/v1/audit?format=html", body)
    assert html.headers["content-type"].startswith("text/html") and "<script" not in html.text
    assert "Answer bad" in html.text and "contradicted" in html.text
    rows = list(csv.DictReader(io.StringIO(post(client, "/v1/audit", body, headers={"Accept": "text/csv"}).text)))
    assert {r["answer_id"] for r in rows} == {"good", "bad", "empty"}
    md = post(client, "/v1/audit?format=md", {"answer": SUPPORTED, "suggest": False}).text
    assert md.startswith("# Audit") and "**PASS**" in md


def test_audit_batches_have_a_limit_and_unique_ids(client: TestClient) -> None:
    many = {"answers": [{"id": str(i), "answer": SUPPORTED} for i in range(21)]}
    r = post(client, "/v1/audit", many)
    assert r.status_code == 422 and "GROUNDQA_AUDIT_MAX_BATCH" in r.json()["error"]["message"]
    twice = post(client, "/v1/audit", {"answers": [{"id": "a", "answer": SUPPORTED}, {"id": "a", "answer": SUPPORTED}]})
    assert twice.status_code == 422 and "share an id" in twice.json()["error"]["message"]
    both = post(client, "/v1/audit", {"answer": SUPPORTED, "answers": [{"answer": SUPPORTED}]})
    assert both.status_code == 422 and "exactly one of" in both.json()["error"]["message"]


def test_unreadable_markers_are_warned_about_with_the_fix(client: TestClient) -> None:
    answer = f"{SUPPORTED} Cisplatin with paclitaxel is the usual combination [1863:2292]."
    report = post(client, "/v1/audit", {"answer": answer, "suggest": False}).json()
    (warning,) = report["warnings"]
    assert warning["marker"] == "[1863:2292]" and "[source_id:1863-2292]" in warning["message"]
    assert report["uncited"] and report["claims"][0]["verdict"] == "supported"


def test_list_routes_are_paged(client: TestClient) -> None:
    first = client.get("/v1/sources", params={"limit": 3}).json()
    assert first["total"] == 4 and len(first["sources"]) == 3 and first["next_offset"] == 3
    rest = client.get("/v1/sources", params={"limit": 3, "offset": 3}).json()
    assert len(rest["sources"]) == 1 and rest["next_offset"] is None
    path = f"/v1/sources/{ENGAGE}/passages"
    everything = client.get(path, params={"limit": 1000}).json()
    page = client.get(path, params={"limit": 2, "offset": 1}).json()
    assert [p["passage_id"] for p in page["passages"]] == [p["passage_id"] for p in everything["passages"][1:3]]
    assert page["total"] == everything["total"] == len(everything["passages"]) and page["next_offset"] == 3
    bad = client.get(path, params={"limit": 0})
    assert bad.status_code == 422 and "limit" in bad.json()["error"]["message"]


def test_a_body_that_is_not_json_gets_415(client: TestClient) -> None:
    form = client.post("/v1/query", data={"question": "chemotherapy"})
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in form.json()["error"]["message"]
    text = client.post("/v1/audit", content=SUPPORTED, headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    unlabelled = client.post("/v1/query", content=json.dumps(QUESTION))
    assert unlabelled.status_code == 200  # no Content-Type at all is read as JSON, as documented


def test_messages_fit_the_route(client: TestClient) -> None:
    big = "word " * 20_000
    query = post(client, "/v1/query", {"question": big})
    audit = post(client, "/v1/audit", {"answer": big})
    assert query.status_code == audit.status_code == 413
    assert "shorter question" in query.json()["error"]["message"]
    assert "shorter answer" in audit.json()["error"]["message"] and "question" not in audit.json()["error"]["message"]
    missing = client.get("/v1/nothing-here").json()["error"]["message"]
    assert "/docs" in missing
    wrong = client.delete("/v1/sources").json()["error"]["message"]
    assert "DELETE is not allowed" in wrong and "GET" in wrong


def test_metrics_label_the_page_and_docs_routes(client: TestClient) -> None:
    for path in ("/", "/docs", "/redoc", "/openapi.json", "/web/app.js", "/docs-assets/swagger-ui.css"):
        assert client.get(path).status_code == 200
    text = client.get("/metrics").text
    for route in ('route="/"', 'route="/docs"', 'route="/redoc"', 'route="/openapi.json"', 'route="/web/{path}"',
                  'route="/docs-assets/{path}"'):
        assert f'groundqa_http_requests_total{{method="GET",{route},status="200"}}' in text, route


@pytest.mark.parametrize(("host", "setting", "expected"), [("0.0.0.0", None, "100/second"),
                                                           ("127.0.0.1", "5/minute", "5/minute")])
def test_the_rate_limit_is_on_where_the_service_is_exposed(make_client, caplog: pytest.LogCaptureFixture, host: str,
                                                          setting: str | None, expected: str) -> None:
    """Bound beyond loopback, 'auto' limits at 100/second (logged at start); a limit that is set applies even on
    loopback. (100/second itself is not hammered here: a busy 2-core machine may not reach it.) The app is only
    told the host it would bind: nothing is bound here."""
    with caplog.at_level(logging.INFO, logger="groundqa.service"), \
            make_client(host=host, **({"rate_limit": setting} if setting else {})) as limited:
        (start,) = [r for r in caplog.records if r.name == "groundqa.service" and r.getMessage() == "serving"]
        assert start.rate_limit == expected and start.host == host
        if setting:
            statuses = [limited.get("/v1/sources").status_code for _ in range(8)]
            assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
