"""groundqa compare and POST /v1/compare over the real model, verifier and index: the CLI in a subprocess, the
service over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from groundqa.credibility.relation import AGREE_AT, DISAGREE_AT, RELATED_COSINE

from tests.conftest import CORPUS, groundqa

SURVIVAL = "How long do patients with metastatic breast cancer live?"
CURE = "Can metastatic cancer be cured?"
BREAST = "breast-cancer-with-metastases"


def _source_text(source_id: str) -> str:
    return (CORPUS / f"{source_id}.txt").read_text(encoding="utf-8")


def _check_spans_and_order(body: dict) -> None:
    """Every statement is the exact span its marker names; positions list their sources most credible first."""
    for s in body["statements"]:
        assert s["marker"] == f"[{s['source_id']}:{s['start']}-{s['end']}]"
        assert _source_text(s["source_id"])[s["start"]:s["end"]] == s["text"]
    for g in body["groups"]:
        assert set(g["statements"]) <= {s["id"] for s in body["statements"]}
        for position in g["positions"]:
            scores = [s["score"] if s["score"] is not None else -1 for s in position["sources"]]
            assert scores == sorted(scores, reverse=True)


def test_cli_shows_the_only_survival_figure_with_its_unattributed_source_and_flag(seed_index: Path) -> None:
    out = groundqa("compare", SURVIVAL, "--json", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    _check_spans_and_order(body)
    figure = next(s for s in body["statements"] if "19 months" in s["text"])
    assert figure["source_id"] == BREAST and "19 months" in figure["figures"]
    assert "unverified" in {f["kind"] for f in figure["flags"]}
    brief = next(s for s in body["sources"] if s["source_id"] == BREAST)
    assert brief["publisher_type"] == "unknown" and brief["grade"] in tuple("ABCDE")
    shown = [f for g in body["groups"] for sp in g["spread"] for f in sp["figures"] if f["statement"] == figure["id"]]
    assert shown and shown[0]["text"] == "19 months" and shown[0]["grade"] == brief["grade"]
    assert body["settings"] == {"related_cosine": RELATED_COSINE, "disagree_at": DISAGREE_AT, "agree_at": AGREE_AT,
                                "numbers_on_topic": 0.6}


def test_cli_text_names_each_statement_with_marker_grade_and_flags(seed_index: Path) -> None:
    out = groundqa("compare", SURVIVAL, "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    assert f"19 months ({BREAST}, grade " in out.stdout
    assert f"[{BREAST}:" in out.stdout and "[unverified]" in out.stdout and "unknown" in out.stdout


def test_cli_two_sources_with_different_figures_disagree(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "registry.txt").write_text("Survival in metastatic breast cancer\n\nPatients with metastatic breast "
                                         "cancer live an average of 29 months from diagnosis.\n")
    (corpus / "blog.txt").write_text("Breast cancer facts\n\nPatients with metastatic breast cancer live an average "
                                     "of 19 months from diagnosis.\n")
    index = tmp_path / "index"
    assert groundqa("ingest", str(corpus), "--index", str(index)).returncode == 0
    out = groundqa("compare", SURVIVAL, "--json", "--index", str(index))
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    group = body["groups"][0]
    assert group["relation"] == "disagree" and set(group["sources"]) == {"registry", "blog"}
    assert len(group["positions"]) == 2
    pair = group["pairs"][0]
    assert pair["relation"] == "disagree" and pair["numbers"] and not pair["within_source"]
    (spread,) = group["spread"]
    assert [f["text"] for f in spread["figures"]] == ["19 months", "29 months"] and spread["sources"] == 2


def test_http_compare_gathers_statements_across_sources_with_profiles(server: str) -> None:
    r = httpx.post(f"{server}/v1/compare", json={"question": CURE}, timeout=300)
    assert r.status_code == 200, r.text
    body = r.json()
    _check_spans_and_order(body)
    assert len({s["source_id"] for s in body["statements"]}) >= 3
    profiles = {s["source_id"]: s for s in httpx.get(f"{server}/v1/sources", timeout=30).json()["sources"]}
    for brief in body["sources"]:
        assert brief["publisher_type"] == profiles[brief["source_id"]]["publisher_type"]
        assert brief["grade"] == (profiles[brief["source_id"]]["profile"] or {}).get("grade")
    order = [{"disagree": 0, "agree": 1, "unrelated": 2, "alone": 3}[g["relation"]] for g in body["groups"]]
    assert order == sorted(order)


@pytest.mark.parametrize(("payload", "status"), [({"question": "   "}, 422), ({"question": CURE, "k": 0}, 422),
                                                 ({"question": CURE, "statements_per_source": 0}, 422),
                                                 ({"question": CURE, "nonsense": 1}, 422)])
def test_http_compare_refuses_bad_requests(server: str, payload: dict, status: int) -> None:
    r = httpx.post(f"{server}/v1/compare", json=payload, timeout=60)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]
