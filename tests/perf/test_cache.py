"""Repeated identical queries are answered from the engine's cache, with the same result."""

from __future__ import annotations

from groundqa.engine.cache import LRUCache
from groundqa.engine.query import Engine, Filters

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"


def test_repeated_query_is_a_cache_hit_with_the_same_answer(seed_index, encoder):
    engine = Engine.load(seed_index, encoder=encoder, cache_size=8)
    try:
        first = engine.answer(QUESTION, k=3)
        hits_before = engine.cache.hits
        second = engine.answer(QUESTION, k=3)
        assert engine.cache.hits == hits_before + 1
        assert second is first
        other = engine.answer(QUESTION, k=4)  # another k is another query
        assert engine.cache.hits == hits_before + 1
        assert [h.passage.passage_id for h in other.hits[:3]] == [h.passage.passage_id for h in first.hits]
        engine.answer(QUESTION, k=3, filters=Filters(source_ids=("imt-metastatic-cervical-cancer",)))
        assert engine.cache.hits == hits_before + 1
    finally:
        engine.close()


def test_cache_off_gives_the_same_results(seed_index, encoder):
    cached = Engine.load(seed_index, encoder=encoder, cache_size=8)
    plain = Engine.load(seed_index, encoder=encoder, cache_size=0)
    try:
        for mode in ("bm25", "dense", "hybrid"):
            a = cached.answer(QUESTION, k=5, mode=mode)
            b = plain.answer(QUESTION, k=5, mode=mode)
            assert [(h.passage.passage_id, h.score) for h in a.hits] == \
                [(h.passage.passage_id, h.score) for h in b.hits]
        assert len(plain.cache) == 0 and plain.cache.hits == 0
    finally:
        cached.close()
        plain.close()


def test_lru_evicts_the_least_recently_used():
    cache: LRUCache[int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
