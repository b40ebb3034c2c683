"""``groundqa eval claims``: a user's CSV of labelled claims through the real audit, and the fixed split."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from groundqa.eval.claims import CLAIMS, SPLIT_FILE, ClaimsDataError, healthver, parse_label_map

from tests.conftest import groundqa

ROWS = [
    ("Patients with metastatic breast cancer live an average of 19 months.",
     "Patients with metastatic breast cancer live an average of 19 months from diagnosis.", "SUP"),
    ("Aspirin lowers the risk of a second heart attack.",
     "In people who have had a heart attack, daily low-dose aspirin lowers the risk of another one.", "SUP"),
    ("Regular exercise improves sleep quality in older adults.",
     "In older adults, regular moderate exercise improved self-reported sleep quality.", "SUP"),
    ("Vitamin C cures COVID-19.", "There is no evidence that vitamin C cures or prevents COVID-19.", "REF"),
    ("Antibiotics kill viruses.", "Antibiotics do not work against viruses such as those that cause colds.", "REF"),
    ("Metastatic cervical cancer is usually curable.",
     "Metastatic cervical cancer is usually not curable, but treatment can control it.", "REF"),
    ("Wearing masks reduces the spread of influenza.",
     "The museum opens at nine in the morning and closes at five.", "NEI"),
    ("Coffee raises the risk of liver cancer.", "Tea is grown on hillsides in Sri Lanka and Kenya.", "NEI"),
    ("Statins cause memory loss.", "The hospital car park has 300 spaces and charges by the hour.", "NEI"),
]


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("claims") / "mine.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["statement", "text", "verdict"])
        writer.writerows(ROWS)
    return path


def test_a_users_csv_is_audited_and_scored(claims_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = groundqa("eval", "claims", str(claims_file), "--out", str(out), "--claim-field", "statement",
                    "--evidence-field", "text", "--label-field", "verdict", "--bootstrap", "200",
                    "--label-map", "SUP=supports,REF=refutes,NEI=neither", "--cache", str(tmp_path / "cache"),
                    timeout=900)
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["cases"] == len(ROWS) and metrics["labels"] == ["supports", "refutes", "neither"]
    v = metrics["verifier"]
    assert set(v["per_class"]) == {"supports", "refutes", "neither"}
    assert v["ci95"][0] <= v["macro_f1"] <= v["ci95"][1]
    assert sum(map(sum, v["confusion"]["matrix"])) == len(ROWS)
    assert 0.0 <= metrics["calibration"]["ece"] <= 1.0 and (out / "reliability.png").stat().st_size > 1000
    assert "cosine_baseline" in metrics and "difference_ci95" in v
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert len(cases) == len(ROWS)
    by_claim = {c["claim"]: c for c in cases}
    # the unmistakable ones: a restatement is supported, an unrelated text supports nothing
    assert by_claim[ROWS[0][0]]["predicted"] == "supports"
    assert by_claim[ROWS[6][0]]["predicted"] == "neither"
    for c in cases:
        assert abs(sum(c["probabilities"].values()) - 1.0) <= 2e-3 and c["reasons"]  # three values rounded to 0.001
    assert "macro-F1" in (out / "report.md").read_text()


def test_an_unmapped_label_is_refused_with_the_fix(claims_file: Path, tmp_path: Path) -> None:
    proc = groundqa("eval", "claims", str(claims_file), "--out", str(tmp_path / "o"), "--claim-field", "statement",
                    "--evidence-field", "text", "--label-field", "verdict", "--label-map", "SUP=supports")
    assert proc.returncode == 2
    assert "'REF' is not mapped" in proc.stderr and "--label-map" in proc.stderr


def test_label_maps_are_checked() -> None:
    assert parse_label_map("Yes=supports, No=refutes")["No"] == "refutes"
    with pytest.raises(ClaimsDataError, match="NAME=LABEL"):
        parse_label_map("Yes=true")


def test_the_healthver_split_is_pinned_and_claim_disjoint() -> None:
    if not (CLAIMS / "healthver_dev.csv").is_file():
        pytest.skip(f"the claims datasets are not at {CLAIMS}")
    pinned = json.loads(SPLIT_FILE.read_text())
    pairs = healthver()
    counts = {part: sum(p.split == part for p in pairs) for part in ("train", "calib", "test")}
    assert counts == pinned["counts"]["healthver"]
    parts_of_claim: dict[str, set[str]] = {}
    for p in pairs:
        parts_of_claim.setdefault(p.group, set()).add(p.split)
    assert all(len(parts) == 1 for parts in parts_of_claim.values())
