"""``groundqa eval claims``: audit labelled claims through the same code path as POST /v1/audit and score it.

Every distinct evidence text becomes a source of its own index (built under the cache, keyed by content), each
claim is audited with one citation to the whole of its evidence, and the verdicts are mapped to three labels
(supported and partly supported -> supports, contradicted -> refutes, unclear and not supported -> neither).
A cosine-threshold baseline is measured in the same run: the MiniLM cosine of claim and evidence with two
thresholds fitted on the dataset's ``train`` and ``calib`` groups (HealthVer's for a file of your own).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from groundqa.eval import stats
from groundqa.eval.claims import BUILTIN, CITATIONS, LABELS, ClaimPair

VERDICT_LABEL = {"supported": "supports", "partly supported": "supports", "contradicted": "refutes",
                 "unclear": "neither", "not supported": "neither"}


@dataclass
class Case:
    pair: ClaimPair
    verdict: str
    predicted: str
    probabilities: dict[str, float]
    reasons: list[str]
    cosine: float


def evidence_index(pairs: list[ClaimPair], cache: Path, *, settings: Any, progress: bool) -> Path:
    """An index holding each distinct evidence text as a source ``ev-<hash>``, built once per content."""
    from groundqa.core.encoder import Encoder
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    texts = sorted({p.evidence for p in pairs})
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    folder = cache / f"claims-{key}"
    index = folder / "index"
    if (index / "CURRENT").is_file():
        return index
    corpus = folder / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for text in texts:
        (corpus / f"{source_id(text)}.txt").write_text(text, encoding="utf-8")
    report = ingest([corpus], index_dir=index, encoder=lambda: Encoder(settings.model, batch_size=settings.batch_size),
                    chunking=ChunkSettings(settings.chunk_max_chars, settings.chunk_overlap_chars),
                    embed_context=settings.embed_context, progress=progress)
    if report.errors:
        raise ValueError("could not index the evidence: " + "; ".join(report.errors[:3]))
    return index


def source_id(evidence: str) -> str:
    return "ev-" + hashlib.sha1(evidence.encode("utf-8")).hexdigest()[:12]


def audit_pairs(pairs: list[ClaimPair], engine: Any, *, progress: bool) -> list[Case]:
    """One audit per claim, citing the whole of its evidence (as a reviewer would cite a passage)."""
    from groundqa.engine.audit.auditor import audit
    from groundqa.engine.audit.records import AuditRequest, CitationRef, ClaimRef
    from tqdm import tqdm

    cases = []
    for p in tqdm(pairs, desc="audit", unit="claim", disable=not progress):
        sid = source_id(p.evidence)
        text = engine.source(sid).text
        cited = ClaimRef(text=p.claim, citations=(CitationRef(source_id=sid, start=0, end=len(text)),))
        claim = audit(engine, AuditRequest(claims=(cited,), suggest=False), max_span=max(10_000, len(text))).claims[0]
        cases.append(Case(p, claim.verdict, VERDICT_LABEL[claim.verdict], asdict(claim.probabilities),
                          list(claim.reasons), 0.0))
    return cases


CosineThresholds = tuple[tuple[int, ...], float, float]


def fit_cosine_thresholds(cos: np.ndarray, gold: np.ndarray) -> CosineThresholds:
    """The label order (low, middle, high cosine) and two thresholds that maximise macro-F1 on ``gold``."""
    grid = np.round(np.arange(0.0, 1.0, 0.02), 2)
    best: tuple[float, CosineThresholds] = (-1.0, ((0, 1, 2), 0.0, 0.0))
    for order in itertools.permutations(range(3)):
        for lo, hi in itertools.combinations_with_replacement(grid, 2):
            score = stats.macro_f1_codes(gold, apply_cosine_thresholds(cos, (order, lo, hi)), 3)
            if score > best[0]:
                best = (score, (order, float(lo), float(hi)))
    return best[1]


def apply_cosine_thresholds(cos: np.ndarray, thresholds: CosineThresholds) -> np.ndarray:
    order, lo, hi = thresholds
    return np.where(cos < lo, order[0], np.where(cos < hi, order[1], order[2]))


def cosine_baseline(dataset: str | None, pairs: list[ClaimPair], encoder: Any) -> tuple[np.ndarray, dict]:
    """Cosine predictions for ``pairs`` and the fitted thresholds (fitted on a tune part, never on ``pairs``)."""
    from groundqa.eval.claims import evidence_window

    reader = BUILTIN.get(dataset or "", BUILTIN["healthver"])
    tune = [p for p in reader() if p.split in ("train", "calib") and p.label in LABELS]

    def cosines(items: list[ClaimPair]) -> np.ndarray:
        u = encoder.encode([p.claim for p in items])
        v = encoder.encode([evidence_window(p.claim, p.evidence) for p in items])
        return (u * v).sum(1)

    gold = np.array([LABELS.index(p.label) for p in tune])
    thresholds = fit_cosine_thresholds(cosines(tune), gold)
    order, lo, hi = thresholds
    mine = cosines(pairs)
    fitted = {"fitted_on": f"{dataset if dataset in BUILTIN else 'healthver'} train+calib ({len(tune)} pairs)",
              "order": [LABELS[i] for i in order], "low": lo, "high": hi}
    return apply_cosine_thresholds(mine, thresholds), fitted | {"cosines": mine}


def run_claims(pairs: list[ClaimPair], *, dataset: str | None, engine: Any, encoder: Any, out: Path,
               progress: bool, bootstrap: int = 2000) -> dict:
    from groundqa.eval.claimreport import write_report

    began = time.perf_counter()
    cases = audit_pairs(pairs, engine, progress=progress)
    baseline, fitted = cosine_baseline(dataset, pairs, encoder)
    for case, cos in zip(cases, fitted.pop("cosines"), strict=True):
        case.cosine = float(cos)
    metrics = write_report(cases, baseline, fitted, out=out, dataset=dataset, bootstrap=bootstrap,
                           seconds=time.perf_counter() - began,
                           citation=CITATIONS.get(dataset or "", "a file of your own"))
    with open(out / "cases.jsonl", "w", encoding="utf-8") as handle:
        for c, b in zip(cases, baseline, strict=True):
            handle.write(json.dumps({"id": c.pair.pair_id, "claim": c.pair.claim, "gold": c.pair.label,
                                     "verdict": c.verdict, "predicted": c.predicted,
                                     "probabilities": c.probabilities, "reasons": c.reasons,
                                     "cosine": round(c.cosine, 4), "baseline": LABELS[int(b)]}) + "\n")
    return metrics
