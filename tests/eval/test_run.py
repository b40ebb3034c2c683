"""End-to-end evaluation over the real engine: in-process, over HTTP against uvicorn, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import ir_measures
import pytest
from groundqa.core.settings import Settings
from groundqa.eval.backends import EngineBackend, HttpBackend
from groundqa.eval.datasets import SEED_SET, load_beir, load_evidence_set
from groundqa.eval.medquad import build_medquad_beir
from groundqa.eval.run import beir_index, evaluate_beir, evaluate_evidence, write_outputs, write_run_file

from tests.conftest import MEDQUAD, groundqa

META = {"dataset": "seed", "dataset_path": "x", "kind": "quoted-evidence", "queries": 0, "backend": "test",
        "backend_kind": "in-process", "k": 10, "depth": 50, "machine": "test", "date": "today",
        "settings": {"model": "bundled", "chunk_max_chars": 800, "chunk_overlap_chars": 120, "embed_context": "none",
                     "rrf_k": 60, "candidates": 100, "abstain_below": 0.35}}


def test_run_file_is_trec_format_best_first(tmp_path: Path) -> None:
    path = tmp_path / "run.trec"
    write_run_file(path, {"q1": {"b": 1.0, "a": 3.0}, "q2": {"c": 0.5}}, tag="t")
    lines = path.read_text().splitlines()
    assert lines == ["q1 Q0 a 1 3.000000 t", "q1 Q0 b 2 1.000000 t", "q2 Q0 c 1 0.500000 t"]
    assert [(d.query_id, d.doc_id) for d in ir_measures.read_trec_run(str(path))][:2] == [("q1", "a"), ("q1", "b")]


@pytest.fixture(scope="module")
def seed_results(engine) -> dict:
    qset = load_evidence_set(SEED_SET)
    results = evaluate_evidence(qset, EngineBackend(engine), modes=["bm25", "dense", "hybrid"], k=10, depth=50,
                                progress=False)
    return {r.mode: r for r in results}


def test_seed_set_in_process_scores_every_mode(seed_results: dict, tmp_path: Path) -> None:
    for result in seed_results.values():
        m = result.metrics
        assert 0.5 < m["nDCG@10"] <= 1.0 and m["evidence_hit@10"] >= 0.85
        assert m["abstention"]["unanswerable"] >= 6 and m["abstention"]["accuracy_unanswerable"] >= 0.5
        assert m["abstention"]["accuracy_answerable"] >= 0.9
        assert m["latency"]["p50_ms"] > 0 and m["flags"] is not None
    doc = write_outputs(tmp_path, list(seed_results.values()), meta={**META, "queries": 42})
    assert set(doc["modes"]) == {"bm25", "dense", "hybrid"}
    for name in ("metrics.json", "report.md", "metrics.png", "latency.png", "run.hybrid.trec", "run.bm25.trec"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "metrics.png").read_bytes()[:4] == b"\x89PNG"
    report = (tmp_path / "report.md").read_text()
    assert "![metrics per mode](metrics.png)" in report and "| hybrid |" in report
    run = list(ir_measures.read_trec_run(str(tmp_path / "run.dense.trec")))
    assert {r.doc_id for r in run} <= {p.stem for p in Path("corpus").glob("*.txt")}
    assert json.loads((tmp_path / "metrics.json").read_text())["modes"]["dense"]["nDCG@10"] == \
        seed_results["dense"].metrics["nDCG@10"]


def test_seed_set_over_http_matches_in_process(server: str, seed_results: dict) -> None:
    qset = load_evidence_set(SEED_SET)
    backend = HttpBackend(server)
    try:
        (result,) = evaluate_evidence(qset, backend, modes=["hybrid"], k=10, depth=50, progress=False)
    finally:
        backend.close()
    local = seed_results["hybrid"].metrics
    for measure in ("nDCG@10", "RR@10", "evidence_hit@1"):
        assert result.metrics[measure] == pytest.approx(local[measure])
    assert result.metrics["abstention"] == local["abstention"]


@pytest.mark.skipif(not MEDQUAD.is_dir(), reason=f"MedQuAD not found at {MEDQUAD}")
def test_tiny_medquad_beir_run_and_its_index_is_cached(tmp_path: Path, encoder) -> None:
    data = load_beir(build_medquad_beir(MEDQUAD, tmp_path / "mq", sample=40, seed=3))
    settings = Settings()
    index_dir = beir_index(data, settings, cache=tmp_path / "cache", encoder=encoder, progress=False)
    snapshot = (index_dir / "CURRENT").read_text()
    assert beir_index(data, settings, cache=tmp_path / "cache", encoder=encoder, progress=False) == index_dir
    assert (index_dir / "CURRENT").read_text() == snapshot
    backend = EngineBackend.load(index_dir, settings, encoder)
    try:
        results = evaluate_beir(data, backend, modes=["bm25", "hybrid"], k=10, depth=20, progress=False)
    finally:
        backend.close()
    for r in results:
        assert r.metrics["queries"] == len(data.queries)
        assert r.metrics["nDCG@10"] > 0.4  # 40 answers: each question should find its own near the top
        assert set(r.run) == set(data.queries)


def test_cli_eval_on_the_seed_set(seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = groundqa("eval", "seed", "--out", str(out), "--index", str(seed_index), "--mode", "bm25,hybrid")
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr, "no progress bar when stderr is not a terminal"
    assert "| hybrid |" in proc.stdout and "nDCG@10" in proc.stdout and "abstention [hybrid]" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["modes"]) == {"bm25", "hybrid"} and metrics["queries"] >= 40


def test_cli_eval_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    proc = groundqa("eval", str(tmp_path), "--out", str(tmp_path / "o"), "--no-progress")
    assert proc.returncode == 2 and "not a BEIR folder" in proc.stderr
    proc = groundqa("eval", "seed", "--out", str(tmp_path / "o"), "--mode", "bm25,sparse")
    assert proc.returncode == 2 and "sparse" in proc.stderr


def test_per_query_rows_carry_question_and_ranking(seed_results: dict, tmp_path: Path) -> None:
    write_outputs(tmp_path, [seed_results["hybrid"]], meta={**META, "queries": 42})
    rows = [json.loads(line) for line in (tmp_path / "per_query.hybrid.jsonl").read_text().splitlines()]
    questions = {q.qid: q.question for q in load_evidence_set(SEED_SET).questions}
    assert all(r["question"] == questions[r["qid"]] for r in rows)
    ranked = rows[0]["ranked"]
    assert ranked and all(pid.startswith("p_") for pid, _ in ranked)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_eval_compare_finds_what_changed(seed_results: dict, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_outputs(a, [seed_results["bm25"], seed_results["hybrid"]], meta={**META, "queries": 42})
    write_outputs(b, [seed_results["bm25"], seed_results["hybrid"]], meta={**META, "queries": 42})
    rows = [json.loads(line) for line in (b / "per_query.hybrid.jsonl").read_text().splitlines()]
    hurt = [r for r in rows if r.get("nDCG@10", 0) > 0][:12]  # B loses every relevant hit on 12 questions
    for r in hurt:
        r["nDCG@10"] = 0.0
    (b / "per_query.hybrid.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = groundqa("eval", "compare", str(a), str(b), "--json", "--top", "3")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)["modes"]
    ndcg = {d["measure"]: d for d in result["hybrid"]["deltas"]}["nDCG@10"]
    expected = -sum(r0["nDCG@10"] for r0 in [json.loads(line) for line in
                                              (a / "per_query.hybrid.jsonl").read_text().splitlines()]
                    if r0["qid"] in {r["qid"] for r in hurt}) / sum("nDCG@10" in r for r in rows)
    assert ndcg["delta"] == pytest.approx(expected) and ndcg["p_value"] < 0.01 and ndcg["ci_high"] < 0
    assert result["hybrid"]["changed"] == 12 and len(result["hybrid"]["top_changes"]) == 3
    top = result["hybrid"]["top_changes"][0]
    assert top["b"] == 0.0 and top["question"] and top["qid"] in {r["qid"] for r in hurt}
    same = {d["measure"]: d for d in result["bm25"]["deltas"]}["nDCG@10"]
    assert same["delta"] == 0 and same["p_value"] == 1.0 and result["bm25"]["changed"] == 0
    text = groundqa("eval", "compare", str(a), str(b), "--mode", "hybrid")
    assert text.returncode == 0 and "nDCG@10" in text.stdout and "12 queries changed nDCG@10" in text.stdout
    bad = groundqa("eval", "compare", str(a), str(tmp_path))
    assert bad.returncode == 2 and "per_query" in bad.stderr
