"""Abstention: off-topic questions are flagged as unsupported, passages are still returned beside the flag."""

from __future__ import annotations

from fastapi.testclient import TestClient
from groundqa.core.settings import ABSTAIN_BELOW, Settings
from groundqa.service.render import render_query
from groundqa.service.schemas import QueryOut

OFF_TOPIC = "What is the usual starting dose of metformin for type 2 diabetes?"
ON_TOPIC = "Which chemotherapy is used first for metastatic cervical cancer?"


def test_engine_abstains_off_topic_in_every_mode(engine) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        answer = engine.answer(OFF_TOPIC, k=3, mode=mode)
        assert answer.abstained and answer.support < ABSTAIN_BELOW
        assert len(answer.hits) == 3 or mode == "bm25"  # bm25 returns only passages sharing a term
        kept = engine.answer(ON_TOPIC, k=3, mode=mode)
        assert not kept.abstained and kept.support > ABSTAIN_BELOW + 0.1


def test_threshold_is_a_setting_and_minus_one_never_abstains(engine) -> None:
    assert Settings().abstain_below == ABSTAIN_BELOW
    saved = engine.abstain_below
    try:
        engine.abstain_below = -1.0
        assert not engine.answer(OFF_TOPIC, k=1, mode="dense").abstained
    finally:
        engine.abstain_below = saved


def test_http_query_says_abstained_beside_the_passages(client: TestClient) -> None:
    off = client.post("/v1/query", json={"question": OFF_TOPIC, "k": 2}).json()
    assert off["abstained"] is True and off["support"] < ABSTAIN_BELOW and len(off["passages"]) == 2
    on = client.post("/v1/query", json={"question": ON_TOPIC, "k": 2}).json()
    assert on["abstained"] is False and on["support"] > ABSTAIN_BELOW


def test_terminal_output_warns_before_the_passages(engine) -> None:
    from groundqa.service.schemas import passage_out

    answer = engine.answer(OFF_TOPIC, k=1, mode="hybrid")
    result = QueryOut(question=OFF_TOPIC, mode="hybrid", k=1, abstained=True, support=answer.support,
                      passages=[passage_out(h.passage, engine.source(h.passage.source_id), score=h.score)
                                for h in answer.hits])
    text = render_query(result)
    assert "No passage supports an answer" in text and text.index("No passage") < text.index(" 1.")
