"""The CLI as researchers and reviewers use it (issue 14): one citation marker from query to audit, exports,
batch audits, the k limit of the API, a status line while the model loads, grades in `groundqa sources`."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import rispy

from tests.conftest import groundqa

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
SUPPORTED = f"Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer [{ENGAGE}:1879-1967]."
CONTRADICTED = ("Patients with metastatic breast cancer live an average of 29 months "
                "[breast-cancer-with-metastases:893-1016].")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_query_shows_markers_that_audit_reads_back(seed_index: Path, tmp_path: Path) -> None:
    out = groundqa("query", QUESTION, "-k", "1", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    assert "loading the model and the index" in out.stderr  # a sign of life while the model loads
    cite = re.search(r"cite (\[[^\]]+\]) or (\[p_[0-9a-f]+\])", ANSI.sub("", out.stdout))
    assert cite, out.stdout
    marker, passage = cite.groups()
    assert marker.startswith(f"[{ENGAGE}:")
    answer = tmp_path / "answer.txt"
    answer.write_text(f"Chemotherapy remains the backbone of first-line treatment in metastatic cervical cancer "
                      f"{marker}.\nThe usual combination is cisplatin or carboplatin with paclitaxel {passage}.\n")
    audit = groundqa("audit", str(answer), "--json", "--no-suggest", "--index", str(seed_index))
    report = json.loads(audit.stdout)
    assert [c["citations"][0]["status"] for c in report["claims"]] == ["ok", "ok"]
    assert [c["verdict"] for c in report["claims"]] == ["supported", "supported"] and not report["warnings"]


def test_query_exports_from_the_cli(seed_index: Path) -> None:
    md = groundqa("query", QUESTION, "-k", "2", "--format", "md", "--index", str(seed_index))
    assert md.returncode == 0 and md.stdout.startswith(f"# {QUESTION}")
    assert f"`[{ENGAGE}:" in md.stdout and "accessed " in md.stdout and "https://engage.esgo.org/" in md.stdout
    ris = rispy.loads(groundqa("query", QUESTION, "-k", "2", "--format", "ris", "--index", str(seed_index)).stdout)
    assert len(ris) == 2 and ris[0]["access_date"] and f"[{ENGAGE}:" in ris[0]["notes"][0]


def test_k_has_the_api_limit(seed_index: Path) -> None:
    out = groundqa("query", QUESTION, "-k", "500", "--index", str(seed_index))
    assert out.returncode == 2 and "between 1 and 100" in out.stderr and "GROUNDQA_MAX_K" in out.stderr
    ok = groundqa("query", QUESTION, "-k", "200", "--format", "json", "--index", str(seed_index),
                  env={"GROUNDQA_MAX_K": "200"})
    assert ok.returncode == 0 and json.loads(ok.stdout)["k"] == 200


def test_sources_show_grade_and_score(seed_index: Path) -> None:
    out = groundqa("sources", "--index", str(seed_index))
    assert out.returncode == 0
    text = ANSI.sub("", out.stdout)
    assert re.search(r"OncoCare 308 LLC \(commercial-clinic\); credibility [A-E] \(0\.\d\d\)", text), text
    assert text.count("credibility ") == 4


def test_an_unreadable_marker_is_warned_about_with_the_fix(seed_index: Path, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(f"{SUPPORTED}\nThe usual combination is cisplatin with paclitaxel [1863:2292].\n")
    out = groundqa("audit", str(answer), "--no-suggest", "--index", str(seed_index))
    assert out.returncode == 1  # the sentence with the bad marker cites nothing: review
    assert "[1863:2292] is not a citation groundqa can check" in out.stderr
    assert "[source_id:1863-2292]" in out.stderr


def test_batch_audit_writes_a_line_per_answer_and_a_summary(seed_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "answers.jsonl"
    batch.write_text("\n".join([json.dumps({"id": "good", "answer": SUPPORTED}),
                                json.dumps({"id": 7, "answer": CONTRADICTED}),
                                "{not json",
                                json.dumps({"id": "claims", "claims": [{"claim": "Chemotherapy is first-line.",
                                                                         "citations": [{"source_id": ENGAGE,
                                                                                        "start": 1879,
                                                                                        "end": 1967}]}]})]) + "\n")
    out = groundqa("audit", str(batch), "--no-suggest", "--index", str(seed_index))
    assert out.returncode == 1, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["good", "7", "line 3", "claims"]
    assert lines[0]["report"]["summary"]["verdict"] == "pass"
    assert lines[1]["report"]["claims"][0]["verdict"] == "contradicted"
    assert "not valid JSON" in lines[2]["error"]["message"]
    assert lines[3]["report"]["claims"][0]["citations"][0]["status"] == "ok"
    assert "4 answers (" in out.stderr and "1 fail, 1 error" in ANSI.sub("", out.stderr)
    assert "\r" not in out.stderr  # no progress bar in a log
    only_good = tmp_path / "good.jsonl"
    only_good.write_text(json.dumps({"id": "good", "answer": SUPPORTED}) + "\n")
    passed = groundqa("audit", str(only_good), "--no-suggest", "--format", "csv", "--out", str(tmp_path / "r.csv"),
                      "--fail-on", "fail", "--index", str(seed_index))
    assert passed.returncode == 0, passed.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert rows[0]["answer_id"] == "good" and rows[0]["verdict"] == "supported" and rows[0]["marker"].startswith("[")
