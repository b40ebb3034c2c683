"""Retrieval quality on the seed question set: each question names its source and quoted evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SET = Path(__file__).parents[2] / "eval" / "seed_questions.jsonl"


def questions() -> list[dict]:
    rows = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("answerable", True) and r.get("evidence")]


def evidence_spans(engine, row: dict) -> list[tuple[str, int, int]]:
    spans = []
    for ev in row["evidence"]:
        text = engine.source(ev["source_id"]).text
        start = text.find(ev["quote"])
        assert start >= 0, f"{row['id']}: quote not found verbatim in {ev['source_id']}"
        spans.append((ev["source_id"], start, start + len(ev["quote"])))
    return spans


def first_hit_rank(engine, row: dict, mode: str, k: int) -> int | None:
    spans = evidence_spans(engine, row)
    for rank, hit in enumerate(engine.query(row["question"], k=k, mode=mode), start=1):
        p = hit.passage
        if any(p.source_id == sid and p.start < end and start < p.end for sid, start, end in spans):
            return rank
    return None


@pytest.mark.parametrize(("mode", "min_hit5", "min_mrr"), [("bm25", 0.75, 0.6), ("dense", 0.75, 0.6),
                                                          ("hybrid", 0.85, 0.7)])
def test_seed_questions_find_their_evidence(engine, mode: str, min_hit5: float, min_mrr: float) -> None:
    rows = questions()
    ranks = [first_hit_rank(engine, row, mode, 5) for row in rows]
    hit1 = sum(r == 1 for r in ranks) / len(rows)
    hit5 = sum(r is not None for r in ranks) / len(rows)
    mrr = sum(1 / r for r in ranks if r) / len(rows)
    print(f"\n{mode}: n={len(rows)} hit@1={hit1:.3f} hit@5={hit5:.3f} MRR@5={mrr:.3f}")
    assert hit5 >= min_hit5 and mrr >= min_mrr, [r["id"] for r, rank in zip(rows, ranks, strict=True) if not rank]


def test_chemotherapy_question_ranks_the_factsheet_first_in_every_mode(engine) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        top = engine.query("Which chemotherapy is used first for metastatic cervical cancer?", k=1, mode=mode)[0]
        assert top.passage.source_id == "engage-metastatic-cervical-cancer-factsheet"
        assert "cisplatin or carboplatin with paclitaxel" in top.passage.text
