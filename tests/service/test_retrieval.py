"""Retrieval quality on the seed question set: each question names its source and quoted evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SET = Path(__file__).parents[2] / "labels" / "seed_questions.jsonl"


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
                                                          ("hybrid", 1.0, 0.85)])
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


def test_a_jsonl_title_is_searchable(tmp_path: Path, encoder) -> None:
    """In FAQ-style corpora the title is the question: a word found only there must still find the document."""
    from groundqa.engine.query import Engine
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    corpus = tmp_path / "faq.jsonl"
    rows = [{"_id": "flu-treat", "title": "What are the treatments for influenza?",
             "text": "Rest, fluids and antiviral medicine such as oseltamivir shorten the illness."},
            {"_id": "flu-cause", "title": "What causes influenza?",
             "text": "A virus that spreads through droplets when infected people cough or sneeze."},
            {"_id": "knee", "title": "Knee replacement",
             "text": "Surgeons replace the worn joint surfaces with metal and plastic parts."}]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = ingest([corpus], index_dir=tmp_path / "idx", encoder=encoder, chunking=ChunkSettings(), progress=False)
    assert report.ok, report.errors
    engine = Engine.load(tmp_path / "idx", encoder=encoder)
    try:
        hits = engine.query("influenza", k=3, mode="bm25")  # no passage text says "influenza"
        assert [h.passage.source_id for h in hits][:2] in (["flu-treat", "flu-cause"], ["flu-cause", "flu-treat"])
        assert engine.query("treatments for influenza", k=1, mode="hybrid")[0].passage.source_id == "flu-treat"
    finally:
        engine.close()


def test_one_passage_per_source_ranks_every_source_once(engine) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = engine.query("How is metastatic cancer treated?", k=10, mode=mode, per_source=1)
        assert len(hits) == 4 and len({h.passage.source_id for h in hits}) == 4  # all four, though k is 10


@pytest.mark.parametrize(("question", "answer"), [
    ("When is an operation considered for cervical cancer that has spread?", "Surgery is rare in metastatic"),
    ("When should palliative care start?", "Palliative care is not only for the end of life")])
def test_best_sentence_is_the_answering_sentence(engine, question: str, answer: str) -> None:
    """Paraphrase included: the question says "operation" and "spread", the sentence "surgery" and "metastatic"."""
    hits = engine.query(question, k=5, mode="hybrid")
    hit = next(h for h in hits if answer in h.passage.text)
    best = hit.best_sentence
    assert best is not None and hit.passage.start <= best.start < best.end <= hit.passage.end
    assert engine.source(hit.passage.source_id).text[best.start:best.end].startswith(answer)
