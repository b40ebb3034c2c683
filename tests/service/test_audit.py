"""POST /v1/audit and `groundqa audit` over the live service and the seed index: every kind of bad citation."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import groundqa

ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
BREAST = "breast-cancer-with-metastases"
IMT = "imt-metastatic-cervical-cancer"
FAKE_ID = "p_deadbeefdeadbeef"
BACKBONE = "Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer"
COMBINATION = "The most commonly used combination is cisplatin or carboplatin with paclitaxel"
TIMEOUT = 180


def passage_with(server: str, source_id: str, needle: str) -> dict:
    """The first passage of ``source_id`` containing ``needle`` (ids come from the index, never hard-coded)."""
    passages = httpx.get(f"{server}/v1/sources/{source_id}/passages", timeout=TIMEOUT).json()["passages"]
    for p in passages:
        if needle in p["text"]:
            return p
    raise AssertionError(f"no passage of {source_id} contains {needle!r}")


def span_of(server: str, source_id: str, needle: str) -> tuple[int, int]:
    text = httpx.get(f"{server}/v1/sources/{source_id}", timeout=TIMEOUT).json()["text"]
    start = text.index(needle)
    return start, start + len(needle)


def audit(server: str, **body) -> dict:
    r = httpx.post(f"{server}/v1/audit", json=body, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def verdicts(result: dict) -> list[str]:
    return [c["verdict"] for c in result["claims"]]


def test_faithful_answer_passes(server: str) -> None:
    chemo = passage_with(server, ENGAGE, "Chemotherapy remains the backbone")
    spread = passage_with(server, ENGAGE, "spread beyond the cervix")
    start, end = span_of(server, ENGAGE, "Imaging tests (ie. CT, MRI, PET scans)")
    answer = (f"{BACKBONE} [{chemo['passage_id']}]. "
              f'The factsheet says "{COMBINATION}" [{chemo["passage_id"]}]. '
              f"Metastatic cervical cancer has spread beyond the cervix to other parts of the body, such as the "
              f"lungs, liver, bones or lymph nodes [{spread['passage_id']}].\n"
              f"It is usually diagnosed with imaging tests such as CT, MRI and PET scans [{ENGAGE}:{start}-{end}].")
    result = audit(server, answer=answer)
    assert verdicts(result) == ["supported"] * 4, [c["reasons"] for c in result["claims"]]
    summary = result["summary"]
    assert summary["verdict"] == "pass" and summary["passed"] is True
    assert summary["citations"] == 4 and summary["citations_missing"] == 0 and summary["uncited_sentences"] == 0
    quote = result["claims"][1]["citations"][0]["quote"]
    assert quote["status"] == "exact" and quote["in_span"] is True
    source = httpx.get(f"{server}/v1/sources/{ENGAGE}", timeout=TIMEOUT).json()
    assert source["text"][quote["start"]:quote["end"]] == COMBINATION
    for claim in result["claims"]:
        aligned = claim["citations"][0]["aligned"]
        assert source["text"][aligned["start"]:aligned["end"]] == aligned["text"]
        assert claim["sources"][0]["source_id"] == ENGAGE and claim["best_passage"] is None


def test_fabricated_citations_point_to_nothing(server: str) -> None:
    result = audit(server, claims=[
        {"claim": "Immunotherapy cures most cervical cancers.", "citations": [{"passage_id": FAKE_ID}]},
        {"claim": BACKBONE, "citations": [{"source_id": "no-such-source", "start": 0, "end": 40}]},
        {"claim": BACKBONE, "citations": [{"source_id": ENGAGE, "start": 10, "end": 10_000_000}]},
    ])
    statuses = [c["citations"][0]["status"] for c in result["claims"]]
    assert statuses == ["missing_passage", "missing_source", "bad_range"]
    assert verdicts(result) == ["not supported"] * 3
    assert FAKE_ID in result["claims"][0]["citations"][0]["message"]
    assert result["summary"]["verdict"] == "fail" and result["summary"]["citations_missing"] == 3


def test_fabricated_citation_next_to_a_real_one_is_not_fully_trusted(server: str) -> None:
    chemo = passage_with(server, ENGAGE, "Chemotherapy remains the backbone")
    result = audit(server, answer=f"{BACKBONE} [{chemo['passage_id']}, {FAKE_ID}].")
    claim = result["claims"][0]
    assert [c["status"] for c in claim["citations"]] == ["ok", "missing_passage"]
    assert claim["verdict"] == "partly supported"
    assert result["summary"]["verdict"] == "fail"


def test_altered_quote_gets_closest_span_and_diff(server: str) -> None:
    chemo = passage_with(server, ENGAGE, COMBINATION)
    altered = COMBINATION.replace("paclitaxel", "docetaxel")
    result = audit(server, claims=[{"claim": "The factsheet names the usual first-line combination.",
                                    "citations": [{"passage_id": chemo["passage_id"], "quote": altered}]}])
    claim = result["claims"][0]
    quote = claim["citations"][0]["quote"]
    assert quote["status"] == "altered" and quote["in_span"] is True
    assert quote["text"] == COMBINATION
    assert {"op": "replace", "quote": "docetaxel", "source": "paclitaxel"} in quote["diff"]
    source = httpx.get(f"{server}/v1/sources/{ENGAGE}", timeout=TIMEOUT).json()["text"]
    assert source[quote["start"]:quote["end"]] == COMBINATION
    assert claim["verdict"] == "contradicted"
    assert any("docetaxel" in r and "paclitaxel" in r for r in claim["reasons"])
    assert result["summary"]["quotes_mismatched"] == 1


def test_invented_quote_is_not_found(server: str) -> None:
    chemo = passage_with(server, ENGAGE, COMBINATION)
    result = audit(server, claims=[{"claim": "Chemotherapy cures metastatic cervical cancer.", "citations": [
        {"passage_id": chemo["passage_id"], "quote": "guaranteed cure within three weeks for every single patient"}]}])
    claim = result["claims"][0]
    assert claim["citations"][0]["quote"]["status"] == "not_found"
    assert claim["verdict"] in ("not supported", "contradicted")


def test_changed_number_is_contradicted(server: str) -> None:
    survival = passage_with(server, BREAST, "live an average of 19 months")
    claim = "Patients with metastatic breast cancer live an average of {} months from diagnosis"
    result = audit(server, answer=f"{claim.format(29)} [{survival['passage_id']}]. "
                                  f"{claim.format(19)} [{survival['passage_id']}].")
    changed, faithful = result["claims"]
    assert changed["verdict"] == "contradicted"
    assert changed["checks"]["numbers"]["conflicts"] and "19 months" in changed["checks"]["numbers"]["conflicts"][0]
    assert faithful["verdict"] == "supported"
    assert not faithful["checks"]["numbers"]["conflicts"]


def test_flipped_negation_is_contradicted(server: str) -> None:
    p = passage_with(server, ENGAGE, "usually not curable")
    result = audit(server, answer=f"Metastatic cervical cancer is usually curable [{p['passage_id']}]. "
                                  f"Metastatic cervical cancer is usually not curable [{p['passage_id']}].")
    flipped, faithful = result["claims"]
    assert flipped["verdict"] == "contradicted" and flipped["checks"]["negation"]["conflicts"]
    assert faithful["verdict"] == "supported" and not faithful["checks"]["negation"]["conflicts"]


def test_uncited_sentences_are_listed(server: str) -> None:
    chemo = passage_with(server, ENGAGE, "Chemotherapy remains the backbone")
    answer = f"{BACKBONE} [{chemo['passage_id']}]. Every patient should also ask for a second opinion."
    result = audit(server, answer=answer)
    assert [u["text"] for u in result["uncited"]] == ["Every patient should also ask for a second opinion."]
    u = result["uncited"][0]
    assert answer[u["start"]:u["end"]] == u["text"]
    assert result["summary"]["uncited_sentences"] == 1 and result["summary"]["verdict"] == "review"
    structured = audit(server, claims=[{"claim": "Radiotherapy relieves pain from bone metastases.", "citations": []}])
    assert verdicts(structured) == ["unclear"]


def test_mixed_answer_gets_the_right_verdict_per_claim(server: str) -> None:
    chemo = passage_with(server, ENGAGE, COMBINATION)
    curable = passage_with(server, ENGAGE, "usually not curable")
    survival = passage_with(server, BREAST, "live an average of 19 months")
    altered = COMBINATION.replace("cisplatin or carboplatin", "oxaliplatin")
    answer = "\n".join([
        f"{BACKBONE} [{chemo['passage_id']}].",                                         # faithful
        f'The usual combination is "{altered}" [{chemo["passage_id"]}].',              # altered quote
        f"Immunotherapy alone cures metastatic cervical cancer [{FAKE_ID}].",            # fabricated
        f"Metastatic breast cancer patients live about 29 months [{survival['passage_id']}].",  # changed number
        f"Metastatic cervical cancer is usually curable [{curable['passage_id']}].",    # flipped negation
        f'Chemotherapy is combined with "{COMBINATION}" [{chemo["passage_id"]}].',      # faithful quote
    ])
    result = audit(server, answer=answer)
    assert verdicts(result) == ["supported", "contradicted", "not supported", "contradicted", "contradicted",
                                "supported"], [c["reasons"] for c in result["claims"]]
    assert [c["citations"][0]["status"] for c in result["claims"]] == ["ok", "ok", "missing_passage", "ok", "ok", "ok"]
    assert result["claims"][1]["citations"][0]["quote"]["status"] == "altered"
    assert result["claims"][5]["citations"][0]["quote"]["status"] == "exact"
    summary = result["summary"]
    assert summary["verdict"] == "fail" and summary["by_verdict"]["contradicted"] == 3
    assert summary["citations_missing"] == 1 and summary["quotes_checked"] == 2 and summary["quotes_mismatched"] == 1


def test_weak_support_suggests_the_passage_that_does_support(server: str) -> None:
    wrong = passage_with(server, BREAST, "live an average of 19 months")
    right = passage_with(server, ENGAGE, COMBINATION)
    result = audit(server, answer=f"{COMBINATION} [{wrong['passage_id']}].")
    claim = result["claims"][0]
    assert claim["verdict"] in ("not supported", "unclear")
    assert claim["best_passage"]["passage"]["passage_id"] == right["passage_id"]
    assert claim["best_passage"]["verdict"] == "supported"
    plain = audit(server, answer=f"{COMBINATION} [{wrong['passage_id']}].", suggest=False)
    assert plain["claims"][0]["best_passage"] is None


def test_claims_inherit_flags_and_source_profile(server: str) -> None:
    promo = passage_with(server, IMT, "experienced facilitators")
    result = audit(server, answer="IMT is an experienced facilitator linking patients with cervical cancer "
                                  f"specialists in partner hospitals [{promo['passage_id']}].")
    claim = result["claims"][0]
    assert claim["sources"][0]["source_id"] == IMT
    assert claim["sources"][0]["publisher_type"] == "commercial-facilitator"
    assert claim["sources"][0]["profile"] is not None
    assert any(f["kind"] == "commercial" and f["touches_claim"] for f in claim["flags"])
    assert claim["citations"][0]["flags"]
    assert result["summary"]["flagged_claims"] == 1 and result["summary"]["verdict"] != "pass"


@pytest.mark.parametrize(("body", "needle"), [
    ({}, "exactly one"),
    ({"answer": "x", "claims": []}, "exactly one"),
    ({"answer": "   "}, "empty"),
    ({"claims": []}, "empty"),
    ({"answer": "x" * 30_000}, "limit"),
    ({"claims": [{"claim": "x", "citations": [{"quote": "y"}]}]}, "passage_id"),
    ({"claims": [{"claim": "x", "citations": [{"passage_id": "p_1", "source_id": "s", "start": 1, "end": 2}]}]},
     "not both"),
    ({"claims": [{"claim": "", "citations": []}]}, "claim"),
    ({"answer": "x", "colour": "red"}, "colour"),
])
def test_bad_audit_requests_get_a_clear_422(server: str, body: dict, needle: str) -> None:
    r = httpx.post(f"{server}/v1/audit", json=body, timeout=TIMEOUT)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_request" and needle in error["message"]


def test_answer_without_markers_fails_with_a_note(server: str) -> None:
    result = audit(server, answer="Chemotherapy is common. Radiotherapy is used for pain relief in some patients.")
    assert result["claims"] == [] and len(result["uncited"]) == 2
    assert result["summary"]["verdict"] == "fail" and "no citation markers" in result["summary"]["notes"][0]


def test_cli_audit_prints_the_api_shape_and_exit_code(server: str, seed_index: Path, tmp_path: Path) -> None:
    chemo = passage_with(server, ENGAGE, COMBINATION)
    claims = [{"claim": BACKBONE, "citations": [{"passage_id": chemo["passage_id"]}]},
              {"claim": "Cisplatin is combined with docetaxel.", "citations": [
                  {"passage_id": chemo["passage_id"], "quote": COMBINATION.replace("paclitaxel", "docetaxel")}]},
              {"claim": "Immunotherapy cures it.", "citations": [{"passage_id": FAKE_ID}]}]
    file = tmp_path / "claims.json"
    file.write_text(json.dumps(claims), encoding="utf-8")
    run = groundqa("audit", str(file), "--json", "--no-suggest", "--index", str(seed_index))
    assert run.returncode == 1, run.stderr
    result = json.loads(run.stdout)
    assert verdicts(result) == ["supported", "contradicted", "not supported"]
    over_http = audit(server, claims=claims, suggest=False)
    assert verdicts(over_http) == verdicts(result)
    assert {**result, "summary": None} == {**over_http, "summary": None}  # same shape and content, timing aside


def test_cli_audit_refuses_bad_input_before_loading_anything(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{not json", encoding="utf-8")
    run = groundqa("audit", str(bad))
    assert run.returncode == 2 and "not valid JSON" in run.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([{"claim": "x", "citations": [{"quote": "y"}]}]), encoding="utf-8")
    run = groundqa("audit", str(wrong))
    assert run.returncode == 2 and "passage_id" in run.stderr
    run = groundqa("audit", str(tmp_path / "missing.txt"))
    assert run.returncode == 2 and "cannot read" in run.stderr
