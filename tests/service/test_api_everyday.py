"""The API as researchers and evaluators use it day to day (issue 14): exports by ?format= or Accept, a small
audit batch, paged lists, 415 for non-JSON bodies, one k limit, route labels in /metrics, messages that fit the
route, and no rate limit in the way of a local user."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import time
from pathlib import Path

import bibtexparser
import httpx
import pytest
import rispy

from tests.conftest import read_log_when, running_server

QUESTION = {"question": "Which chemotherapy is used first for metastatic cervical cancer?", "k": 2}
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
SUPPORTED = f"Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer [{ENGAGE}:1879-1967]."
CONTRADICTED = ("Patients with metastatic breast cancer live an average of 29 months "
                "[breast-cancer-with-metastases:893-1016].")


def post(server: str, path: str, body: dict, **kw) -> httpx.Response:
    return httpx.post(f"{server}{path}", json=body, timeout=120, **kw)


def test_query_exports_carry_what_a_citation_needs(server: str) -> None:
    plain = post(server, "/v1/query", QUESTION).json()["passages"]
    top = plain[0]
    assert top["marker"] == f"[{top['source_id']}:{top['start']}-{top['end']}]"
    md = post(server, "/v1/query", QUESTION, headers={"Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert top["marker"] in md.text and top["passage_id"] in md.text and "https://engage.esgo.org/" in md.text
    rows = list(csv.DictReader(io.StringIO(post(server, "/v1/query?format=csv", QUESTION).text)))
    assert [r["passage_id"] for r in rows] == [p["passage_id"] for p in plain]
    assert rows[0]["quote"] == top["text"] and rows[0]["accessed"] and rows[0]["publisher"].startswith("ENGAGe")
    csl = post(server, "/v1/query", QUESTION, headers={"Accept": "application/vnd.citationstyles.csl+json"}).json()
    assert csl[0]["id"] == top["passage_id"] and csl[0]["URL"] == "https://engage.esgo.org/"
    assert csl[0]["custom"]["quote"] == top["text"] and csl[0]["accessed"]["date-parts"][0][0] >= 2024
    (ris,) = rispy.loads(post(server, "/v1/query?format=ris", {**QUESTION, "k": 1}).text)
    assert ris["title"] == top["title"] and ris["urls"] == ["https://engage.esgo.org/"] and ris["access_date"]
    assert top["marker"] in ris["notes"][0]
    library = bibtexparser.parse_string(post(server, "/v1/query?format=bibtex", QUESTION).text)
    assert not library.failed_blocks and [e.key for e in library.entries] == [p["passage_id"] for p in plain]
    assert library.entries[0]["url"] == "https://engage.esgo.org/" and library.entries[0]["urldate"]


def test_a_format_nobody_can_write_is_406_and_a_bad_name_422(server: str) -> None:
    r = post(server, "/v1/query", QUESTION, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["code"] == "not_acceptable" and "format=md" in r.text
    assert post(server, "/v1/query?format=docx", QUESTION).status_code == 422
    assert post(server, "/v1/query", QUESTION, headers={"Accept": "*/*"}).json()["passages"]


def test_audit_batch_and_its_exports(server: str) -> None:
    body = {"answers": [{"id": "good", "answer": SUPPORTED}, {"id": "bad", "answer": CONTRADICTED},
                        {"id": "empty", "answer": "  "}], "suggest": False}
    r = post(server, "/v1/audit", body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["id"] for x in out["results"]] == ["good", "bad", "empty"]
    assert out["results"][0]["report"]["summary"]["verdict"] == "pass"
    assert out["results"][1]["report"]["claims"][0]["verdict"] == "contradicted"
    assert out["results"][2]["error"]["code"] == "invalid_request"
    assert out["summary"]["by_verdict"] == {"pass": 1, "review": 0, "fail": 1, "error": 1}
    assert out["summary"]["verdict"] == "fail" and not out["summary"]["passed"]
    html = post(server, "/v1/audit?format=html", body)
    assert html.headers["content-type"].startswith("text/html") and "<script" not in html.text
    assert "Answer bad" in html.text and "contradicted" in html.text
    rows = list(csv.DictReader(io.StringIO(post(server, "/v1/audit", body, headers={"Accept": "text/csv"}).text)))
    assert {r["answer_id"] for r in rows} == {"good", "bad", "empty"}
    md = post(server, "/v1/audit?format=md", {"answer": SUPPORTED, "suggest": False}).text
    assert md.startswith("# Audit") and "**PASS**" in md


def test_audit_batches_have_a_limit_and_unique_ids(server: str) -> None:
    many = {"answers": [{"id": str(i), "answer": SUPPORTED} for i in range(21)]}
    r = post(server, "/v1/audit", many)
    assert r.status_code == 422 and "GROUNDQA_AUDIT_MAX_BATCH" in r.json()["error"]["message"]
    twice = post(server, "/v1/audit", {"answers": [{"id": "a", "answer": SUPPORTED}, {"id": "a", "answer": SUPPORTED}]})
    assert twice.status_code == 422 and "share an id" in twice.json()["error"]["message"]
    both = post(server, "/v1/audit", {"answer": SUPPORTED, "answers": [{"answer": SUPPORTED}]})
    assert both.status_code == 422 and "exactly one of" in both.json()["error"]["message"]


def test_unreadable_markers_are_warned_about_with_the_fix(server: str) -> None:
    answer = f"{SUPPORTED} Cisplatin with paclitaxel is the usual combination [1863:2292]."
    report = post(server, "/v1/audit", {"answer": answer, "suggest": False}).json()
    (warning,) = report["warnings"]
    assert warning["marker"] == "[1863:2292]" and "[source_id:1863-2292]" in warning["message"]
    assert report["uncited"] and report["claims"][0]["verdict"] == "supported"


def test_list_routes_are_paged(server: str) -> None:
    first = httpx.get(f"{server}/v1/sources", params={"limit": 3}, timeout=30).json()
    assert first["total"] == 4 and len(first["sources"]) == 3 and first["next_offset"] == 3
    rest = httpx.get(f"{server}/v1/sources", params={"limit": 3, "offset": 3}, timeout=30).json()
    assert len(rest["sources"]) == 1 and rest["next_offset"] is None
    path = f"{server}/v1/sources/{ENGAGE}/passages"
    everything = httpx.get(path, params={"limit": 1000}, timeout=30).json()
    page = httpx.get(path, params={"limit": 2, "offset": 1}, timeout=30).json()
    assert [p["passage_id"] for p in page["passages"]] == [p["passage_id"] for p in everything["passages"][1:3]]
    assert page["total"] == everything["total"] == len(everything["passages"]) and page["next_offset"] == 3
    bad = httpx.get(path, params={"limit": 0}, timeout=30)
    assert bad.status_code == 422 and "limit" in bad.json()["error"]["message"]


def test_a_body_that_is_not_json_gets_415(server: str) -> None:
    form = httpx.post(f"{server}/v1/query", data={"question": "chemotherapy"}, timeout=30)
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in form.json()["error"]["message"]
    text = httpx.post(f"{server}/v1/audit", content=SUPPORTED, headers={"Content-Type": "text/plain"}, timeout=30)
    assert text.status_code == 415
    unlabelled = httpx.post(f"{server}/v1/query", content=json.dumps(QUESTION), timeout=30)
    assert unlabelled.status_code == 200  # no Content-Type at all is read as JSON, as documented


def test_messages_fit_the_route(server: str) -> None:
    big = "word " * 20_000
    query = post(server, "/v1/query", {"question": big})
    audit = post(server, "/v1/audit", {"answer": big})
    assert query.status_code == audit.status_code == 413
    assert "shorter question" in query.json()["error"]["message"]
    assert "shorter answer" in audit.json()["error"]["message"] and "question" not in audit.json()["error"]["message"]
    missing = httpx.get(f"{server}/v1/nothing-here", timeout=30).json()["error"]["message"]
    assert "/docs" in missing
    wrong = httpx.delete(f"{server}/v1/sources", timeout=30).json()["error"]["message"]
    assert "DELETE is not allowed" in wrong and "GET" in wrong


def test_metrics_label_the_page_and_docs_routes(server: str) -> None:
    for path in ("/", "/docs", "/redoc", "/openapi.json", "/web/app.js", "/docs-assets/swagger-ui.css"):
        assert httpx.get(f"{server}{path}", timeout=30).status_code == 200
    text = httpx.get(f"{server}/metrics", timeout=30).text
    for route in ('route="/"', 'route="/docs"', 'route="/redoc"', 'route="/openapi.json"', 'route="/web/{path}"',
                  'route="/docs-assets/{path}"'):
        assert f'groundqa_http_requests_total{{method="GET",{route},status="200"}}' in text, route


def test_sixteen_local_clients_are_never_throttled(server: str) -> None:
    deadline = time.monotonic() + 4

    def client() -> list[int]:
        statuses = []
        with httpx.Client(base_url=server, timeout=30) as http:
            while time.monotonic() < deadline:
                statuses.append(http.get("/v1/sources", params={"limit": 1}).status_code)
        return statuses

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = [s for f in [pool.submit(client) for _ in range(16)] for s in f.result()]
    assert len(statuses) > 160 and set(statuses) == {200}, f"{len(statuses)} requests: {set(statuses)}"


@pytest.mark.parametrize(("host", "setting", "expected"), [("0.0.0.0", None, "100/second"),
                                                           ("127.0.0.1", "5/minute", "5/minute")])
def test_the_rate_limit_is_on_where_the_service_is_exposed(seed_index: Path, tmp_path: Path, host: str,
                                                          setting: str | None, expected: str) -> None:
    """Bound beyond loopback, 'auto' limits at 100/second (logged at start); a limit that is set applies even on
    loopback. (100/second itself is not hammered here: a busy 2-core machine may not reach it.)"""
    env = {"GROUNDQA_HOST": host, **({"GROUNDQA_RATE_LIMIT": setting} if setting else {})}
    with running_server(seed_index, env=env, host_args=False, log=tmp_path / "server.log") as live:
        log = read_log_when(live.log, '"rate_limit"')
        assert f'"rate_limit": "{expected}"' in log
        if setting:
            statuses = [httpx.get(f"{live.base}/v1/sources", timeout=30).status_code for _ in range(8)]
            assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
