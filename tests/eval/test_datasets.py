"""Dataset loaders, and the shipped seed question set checked against the corpus it quotes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from groundqa.eval.datasets import SEED_SET, DatasetError, load_beir, load_evidence_set, quote_spans
from groundqa.ingest.loaders import load_file

from tests.conftest import CORPUS


def _corpus_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(CORPUS.glob("*.txt")):
        docs, errors = load_file(path, source_id=path.stem, data=path.read_bytes())
        assert not errors
        texts[path.stem] = docs[0].text
    return texts


def test_seed_set_quotes_are_exact_substrings_of_the_sources() -> None:
    qset = load_evidence_set(SEED_SET)
    texts = _corpus_texts()
    for q in qset.questions:
        spans = quote_spans(q.evidence, texts.get, where=q.qid)
        assert all(texts[s][a:b] for s, a, b in spans)
        if q.flags is not None:
            quote_spans(q.flags, texts.get, where=q.qid)


def test_seed_set_mixes_question_styles_and_unanswerables() -> None:
    qset = load_evidence_set(SEED_SET)
    styles = Counter(q.style for q in qset.questions)
    assert 38 <= len(qset.questions) <= 50
    assert styles["keyword"] >= 5 and styles["paraphrase"] >= 12
    unanswerable = [q for q in qset.questions if not q.answerable]
    assert 6 <= len(unanswerable) <= 12 and all(not q.evidence for q in unanswerable)
    assert sum(q.flags is not None for q in qset.questions) >= 3


def test_a_quote_that_drifted_from_its_source_is_refused() -> None:
    texts = _corpus_texts()
    qset = load_evidence_set(SEED_SET)
    bad = qset.questions[0].evidence[0].__class__(source_id="imt-metastatic-cervical-cancer", quote="no such words")
    with pytest.raises(DatasetError, match="not an exact substring"):
        quote_spans((bad,), texts.get, where="x")


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("row, message", [
    ({"id": "a", "question": "q?"}, "has no evidence"),
    ({"id": "a", "question": "q?", "answerable": False, "evidence": [{"source_id": "s", "quote": "x"}]},
     "marked unanswerable but lists evidence"),
    ({"id": "a", "question": "", "evidence": []}, "non-empty \"id\" and \"question\""),
    ({"id": "a", "question": "q?", "evidence": [{"source_id": "s"}]}, "non-empty source_id, quote"),
])
def test_bad_question_lines_say_what_to_fix(tmp_path: Path, row: dict, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_evidence_set(_write(tmp_path / "q.jsonl", [row]))


def test_beir_folder_with_graded_qrels(tmp_path: Path) -> None:
    _write(tmp_path / "corpus.jsonl", [{"_id": "d1", "text": "one"}, {"_id": "d2", "text": "two"}])
    _write(tmp_path / "queries.jsonl", [{"_id": "q1", "text": "first"}, {"_id": "q2", "text": "unjudged"}])
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t1\n")
    data = load_beir(tmp_path)
    assert data.queries == {"q1": "first"} and data.qrels == {"q1": {"d1": 2, "d2": 1}}
    (tmp_path / "qrels" / "test.tsv").write_text("q9\td1\t1\n")
    with pytest.raises(DatasetError, match="not in queries.jsonl"):
        load_beir(tmp_path)
    (tmp_path / "queries.jsonl").unlink()
    with pytest.raises(DatasetError, match="queries.jsonl is missing"):
        load_beir(tmp_path)
