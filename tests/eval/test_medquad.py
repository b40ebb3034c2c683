"""The MedQuAD -> BEIR builder on a tiny seeded sample of the real dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from groundqa.eval.medquad import MedquadError, build_medquad_beir, clean_answer, strip_leading_question

from tests.conftest import MEDQUAD

needs_medquad = pytest.mark.skipif(not MEDQUAD.is_dir(), reason=f"MedQuAD not found at {MEDQUAD}; "
                                   "these tests read the shared dataset at run time")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_leading_question_is_cut_but_a_plain_answer_is_kept() -> None:
    answer = "What are the signs and symptoms of ABCD syndrome? The Human Phenotype Ontology lists the following."
    assert strip_leading_question(answer) == "The Human Phenotype Ontology lists the following."
    plain = "Aarskog-Scott syndrome is a genetic disorder. What causes it? Mutations in FGD1."
    assert strip_leading_question(plain) == plain


def test_clean_answer_folds_indentation() -> None:
    assert clean_answer("Key Points\n      - One.    - Two.\n\n\n\n   Next  para.  ") == \
        "Key Points\n- One. - Two.\n\nNext para."


@needs_medquad
def test_tiny_sample_is_a_valid_beir_set_without_question_leaks(tmp_path: Path) -> None:
    out = build_medquad_beir(MEDQUAD, tmp_path / "mq", sample=60, seed=7)
    corpus = {d["_id"]: d for d in _jsonl(out / "corpus.jsonl")}
    queries = {q["_id"]: q["text"] for q in _jsonl(out / "queries.jsonl")}
    lines = (out / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "query-id\tcorpus-id\tscore"
    qrels = [line.split("\t") for line in lines[1:]]
    info = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert 60 <= info["pairs"] < 200 and info["documents"] == len(corpus) and info["queries"] == len(queries)
    assert "Ben Abacha" in info["citation"]
    assert {q for q, _, _ in qrels} == set(queries)
    for query_id, doc_id, score in qrels:
        assert doc_id in corpus and score == "1"
        question = queries[query_id].rstrip(" ?").lower()
        assert question not in corpus[doc_id]["text"].lower(), f"{query_id} leaks into {doc_id}"
    assert all(d["title"] and d["text"].strip() for d in corpus.values())


@needs_medquad
def test_sample_is_seeded_and_rebuild_is_skipped(tmp_path: Path) -> None:
    a = build_medquad_beir(MEDQUAD, tmp_path / "a", sample=40, seed=1)
    b = build_medquad_beir(MEDQUAD, tmp_path / "b", sample=40, seed=1)
    c = build_medquad_beir(MEDQUAD, tmp_path / "c", sample=40, seed=2)
    assert (a / "corpus.jsonl").read_bytes() == (b / "corpus.jsonl").read_bytes()
    assert (a / "corpus.jsonl").read_bytes() != (c / "corpus.jsonl").read_bytes()
    stamp = (a / "corpus.jsonl").stat().st_mtime_ns
    build_medquad_beir(MEDQUAD, a, sample=40, seed=1)
    assert (a / "corpus.jsonl").stat().st_mtime_ns == stamp


def test_missing_source_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MedquadError, match="not a folder"):
        build_medquad_beir(tmp_path / "nowhere", tmp_path / "out", sample=10, seed=0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(MedquadError, match="no MedQuAD XML files"):
        build_medquad_beir(tmp_path / "empty", tmp_path / "out", sample=10, seed=0)
