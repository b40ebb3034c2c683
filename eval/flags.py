"""Measure the credibility flags on the labelled sentences of real pages, split by site.

``test`` rows come from sites nothing was fitted or tuned on: their figure is the generalisation figure and
is reported first. Also: the share of MedQuAD answers (trusted NIH text) that would carry any flag, and the
commercial flags raised on pages of government and public-health publishers.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundqa.core.paths import REPO_ROOT, datasets_dir
from groundqa.core.records import KINDS, Document, Passage, SourceMeta, passage_id_for
from groundqa.credibility.flag_model import flag_model
from groundqa.credibility.flags import annotate, judge_sentences
from groundqa.eval.flagset.data import Labelled, weak_pool
from groundqa.eval.stats import prf_from_counts

ROOT = REPO_ROOT
DEFAULT_MEDQUAD = datasets_dir() / "medquad"


class FlagsEvalError(ValueError):
    """The label set or a dataset it points into is missing or does not match."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        self.support += gold
        self.tp += gold and predicted
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    def scores(self) -> dict[str, float | int]:
        p, r, f1 = prf_from_counts(self.tp, self.fp, self.fn)
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3), "support": self.support,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class SetResult:
    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)  # group -> kind -> counts
    errors: list[dict[str, Any]] = field(default_factory=list)
    public_commercial: list[dict[str, Any]] = field(default_factory=list)
    public_rows: int = 0
    rows: int = 0


def evaluate_rows(rows: list[Labelled]) -> SetResult:
    """Sentence-level counts per group (split, origin) and kind, with each row's page context."""
    judged = judge_sentences([r.item for r in rows], [r.page for r in rows], [(0, len(r.item.text)) for r in rows])
    result = SetResult(rows=len(rows))
    for r, j in zip(rows, judged, strict=True):
        predicted = set(j.flagged)
        gold = {k for k in KINDS if getattr(r, k)}
        for group in (f"split={r.split}", f"split={r.split} origin={r.origin}"):
            for kind in KINDS:
                result.counts.setdefault(group, {}).setdefault(kind, Counts()).add(kind in gold, kind in predicted)
        if r.publisher_kind == "government":
            result.public_rows += 1
            if "commercial" in predicted:
                result.public_commercial.append({"id": r.row_id, "probability": j.probabilities["commercial"]})
        if gold != predicted:
            result.errors.append({"id": r.row_id, "split": r.split, "gold": sorted(gold),
                                  "predicted": sorted(predicted), "probabilities": j.probabilities,
                                  "text": r.item.text[:200]})
    return result


def iter_medquad(src: Path) -> Iterator[tuple[str, str, str, str]]:
    """(file relative to ``src``, question id, page URL, raw answer text) for every answer MedQuAD ships."""
    for path in sorted(src.glob("*/*.xml")):
        root = ET.parse(path).getroot()
        for pair in root.iter("QAPair"):
            question, answer = pair.find("Question"), pair.find("Answer")
            if question is not None and answer is not None and answer.text and answer.text.strip():
                yield path.relative_to(src).as_posix(), question.get("qid") or "", root.get("url") or "", answer.text


@dataclass
class MedquadResult:
    answers: int = 0
    flagged: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_collection: dict[str, list[int]] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.flagged / self.answers if self.answers else 0.0


def medquad_flag_rate(src: Path, *, limit: int | None = None, with_url: bool = False) -> MedquadResult:
    """Run the ingest annotator on MedQuAD answers, each its own source with the whole answer as one passage; an
    answer counts as flagged when that passage carries any flag. Files whose sentences were weak negatives in
    training (``weak_pool``) are skipped. Without ``with_url`` the publisher is unknown
    (no help from the NIH address), the harder case."""
    result = MedquadResult()
    started = time.perf_counter()
    for file, qid, url, text in iter_medquad(src):
        if limit is not None and result.answers >= limit:
            break
        if weak_pool(file.removesuffix(".xml")):  # their sentences trained the model as weak negatives
            continue
        doc = Document(source_id=qid, text=text)
        whole = Passage(passage_id=passage_id_for(qid, 0, len(text), text), source_id=qid, start=0, end=len(text),
                        text=text)
        _, (passage,) = annotate(doc, SourceMeta(url=url if with_url else None), [whole], [])
        collection = file.split("/", 1)[0]
        result.answers += 1
        result.flagged += bool(passage.flags)
        result.by_collection.setdefault(collection, [0, 0])
        result.by_collection[collection][0] += 1
        result.by_collection[collection][1] += bool(passage.flags)
        for flag in passage.flags:
            result.by_kind[flag.kind] += 1
            if len(result.examples) < 200:
                result.examples.append({"qid": qid, "kind": flag.kind, "cues": list(flag.cues),
                                        "evidence": [text[e.start:e.end][:200] for e in flag.evidence[:2]]})
    result.seconds = round(time.perf_counter() - started, 1)
    if result.answers == 0:
        raise FlagsEvalError(f"no MedQuAD answers under {src}; point --medquad at the folder holding 1_CancerGov_QA/")
    return result


def report(result: SetResult, mq: MedquadResult | None) -> dict[str, Any]:
    groups = sorted(result.counts, key=lambda g: (not g.startswith("split=test"), g))
    out: dict[str, Any] = {"model": flag_model().version, "rows": result.rows,
                           "sentence_level": {g: {k: c.scores() for k, c in result.counts[g].items()}
                                              for g in groups},
                           "public_body_rows": result.public_rows,
                           "public_body_commercial_flags": len(result.public_commercial)}
    if mq is not None:
        out["medquad"] = {"answers": mq.answers, "flagged": mq.flagged, "rate": round(mq.rate, 4),
                          "by_kind": dict(mq.by_kind), "seconds": mq.seconds,
                          "by_collection": {c: {"answers": a, "flagged": f, "rate": round(f / a, 4)}
                                            for c, (a, f) in sorted(mq.by_collection.items())}}
    return out
