"""The query engine: load a snapshot once, retrieve with fielded BM25 and/or FAISS, fuse, rank sources.

Ranking (fusion, source aggregation, passages per source) lives in service/ranking.py, shared with the
benchmarks that chose its settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from groundqa.core.encoder import Encoder, resolve_model
from groundqa.core.errors import InvalidRequestError, NotFoundError
from groundqa.core.records import Passage
from groundqa.core.settings import ABSTAIN_BELOW
from groundqa.engine.batching import BatchingEncoder
from groundqa.engine.cache import LRUCache
from groundqa.engine.filters import check_flag_kinds, downrank, flagged_rows, source_credibility
from groundqa.engine.ranking import RankSettings, grouped
from groundqa.index.ann import set_ef_search
from groundqa.index.lexical import Lexical
from groundqa.index.sentences import SentenceIndex
from groundqa.index.snapshot import check_compatible, manifest_backend, read_manifest, require_snapshot
from groundqa.index.store import STORE_FILE, Store, StoredSource
from groundqa.index.vectors import load_vectors, search_vectors

MODES = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Filters:
    source_ids: tuple[str, ...] = ()
    publisher_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    exclude_flags: tuple[str, ...] = ()  # passages carrying any of these flag kinds are dropped ...
    downrank_flagged: bool = False  # ... or, when set, kept but listed after the unflagged ones of the top k
    min_source_credibility: float | None = None  # source profile score in [0, 1]; unprofiled sources fail it

    def __bool__(self) -> bool:
        """True when the filters restrict which rows may be returned (down-ranking only reorders)."""
        return bool(self.source_ids or self.publisher_types or self.languages
                    or self.min_source_credibility is not None or (self.exclude_flags and not self.downrank_flagged))


@dataclass(frozen=True)
class Sentence:
    """The sentence of a hit that answers best: a span of the source text, and how it was chosen."""

    start: int
    end: int
    score: float  # cosine of the sentence's own vector to the question


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    best_sentence: Sentence | None = None


@dataclass(frozen=True)
class Answer:
    """The hits plus whether the engine abstains: no passage is close enough to support an answer.

    ``support`` is the dense cosine of the question to its nearest passage (within the filters);
    below the calibrated threshold the engine abstains but still returns the passages it found.
    """

    hits: list[Hit]
    abstained: bool
    support: float


def _new_encoder(model: str, *, batch_size: int, backend: str, cache_dir: Path | None, micro_batch: bool) -> Encoder:
    encoder = Encoder(model, batch_size=batch_size, backend=backend, cache_dir=cache_dir)
    return BatchingEncoder(encoder) if micro_batch else encoder  # type: ignore[return-value]


class Engine:
    def __init__(self, *, index_dir: Path, snapshot: Path, manifest: dict, store: Store, lexical: Lexical,
                 vectors, encoder: Encoder, rank: RankSettings | None = None,
                 abstain_below: float = ABSTAIN_BELOW, cache_size: int = 1024, ef_search: int = 256,
                 sentences: SentenceIndex | None = None) -> None:
        self.index_dir = index_dir
        self.snapshot = snapshot
        self.manifest = manifest
        self.store = store
        self.lexical = lexical
        self.vectors = vectors
        self.encoder = encoder
        self.rank = rank or RankSettings()
        self.sentences = sentences
        self.candidates = self.rank.candidates
        self.abstain_below = abstain_below
        self._sources = {s.source_id: s for s in store.sources()}
        self._source_ids, self._source_of_row = store.source_codes()  # row -> index into _source_ids
        self._flag_index: dict[str, set[int]] | None = None
        self._stored: dict[str, dict[tuple[int, int], int]] = {}
        self.cache: LRUCache[Answer] = LRUCache(cache_size)  # one snapshot per engine: entries never go stale
        self.ef_search = ef_search
        set_ef_search(vectors, max(ef_search, self.candidates))

    @classmethod
    def load(cls, index_dir: Path, *, model: str = "bundled", encoder: Encoder | None = None,
             batch_size: int = 32, rank: RankSettings | None = None,
             abstain_below: float = ABSTAIN_BELOW, encoder_backend: str | None = None,
             model_cache: Path | None = None, cache_size: int = 1024, ef_search: int = 256,
             micro_batch: bool = False) -> Engine:
        """``encoder_backend`` None: the backend the index was embedded with (its manifest says which).

        ``micro_batch``: concurrent callers' question encodes share model calls (service/batching.py).
        """
        snapshot = require_snapshot(index_dir)
        manifest = read_manifest(snapshot)
        backend = getattr(encoder, "backend", "fp32") if encoder else encoder_backend or manifest_backend(manifest)
        check_compatible(manifest, model=resolve_model(model)[0], index_dir=index_dir, backend=backend)
        store = Store(snapshot / STORE_FILE)
        return cls(index_dir=index_dir, snapshot=snapshot, manifest=manifest, store=store,
                   lexical=Lexical.load(snapshot, store.passage_count), vectors=load_vectors(snapshot),
                   encoder=encoder or _new_encoder(model, batch_size=batch_size, backend=backend,
                                                   cache_dir=model_cache, micro_batch=micro_batch),
                   rank=rank, abstain_below=abstain_below, cache_size=cache_size, ef_search=ef_search,
                   sentences=SentenceIndex.load(snapshot))

    def reload(self) -> Engine | None:
        """An engine over the snapshot CURRENT names now, sharing this one's encoder and tuning; None if unchanged.

        Snapshots are immutable, so a new one is loaded beside this engine and swapped in by the caller
        (service/lifecycle.py); requests still running here finish on the old snapshot.
        """
        if require_snapshot(self.index_dir) == self.snapshot:
            return None
        return self.load(self.index_dir, model=self.encoder.name, encoder=self.encoder, rank=self.rank,
                         abstain_below=self.abstain_below,
                         cache_size=self.cache.size, ef_search=self.ef_search)

    # -- look-ups -----------------------------------------------------------------------------------------
    def sources(self) -> list[StoredSource]:
        return list(self._sources.values())

    def source(self, source_id: str) -> StoredSource:
        source = self._sources.get(source_id)
        if source is None:
            raise NotFoundError(f"no source with id {source_id!r}; list them with GET /v1/sources")
        return source

    def passage(self, passage_id: str) -> Passage:
        passage = self.store.passage(passage_id)
        if passage is None:
            raise NotFoundError(f"no passage with id {passage_id!r}; passage ids come from query results")
        return passage

    def source_passages(self, source_id: str) -> list[Passage]:
        self.source(source_id)
        return self.store.passages_of(source_id)

    # -- retrieval ----------------------------------------------------------------------------------------
    def _allowed_rows(self, filters: Filters) -> set[int] | None:
        if not filters:
            return None
        keep = [s.source_id for s in self._sources.values()
                if (not filters.source_ids or s.source_id in filters.source_ids)
                and (not filters.publisher_types or s.meta.publisher_type in filters.publisher_types)
                and (not filters.languages or (s.meta.language or "") in filters.languages)
                and (filters.min_source_credibility is None
                     or (source_credibility(s) or 0.0) >= filters.min_source_credibility)]
        rows = set(self.store.rows_of_sources(keep)) if keep else set()
        if filters.exclude_flags and not filters.downrank_flagged:
            rows -= self._rows_flagged(filters.exclude_flags)
        return rows

    def _rows_flagged(self, kinds: tuple[str, ...]) -> set[int]:
        check_flag_kinds(kinds)
        if self._flag_index is None:
            self._flag_index = flagged_rows(self.store)
        return set().union(*(self._flag_index.get(kind, set()) for kind in kinds))

    def rankings(self, question: str, *, mode: str, depth: int, vector: np.ndarray | None = None
                 ) -> dict[str, list[tuple[int, float]]]:
        """Raw ranked (row, score) lists per retriever used by ``mode``.

        In hybrid mode with a sentence weight, the candidates of both are re-scored by their best
        sentence's cosine (a third list, "sentence": no second search, the sentence index's rows only).
        """
        out: dict[str, list[tuple[int, float]]] = {}
        if mode in ("bm25", "hybrid"):
            out["bm25"] = self.lexical.search(question, depth, self.rank.field_weights)
        if mode in ("dense", "hybrid"):
            if vector is None:
                vector = self.encoder.encode([question])[0]
            out["dense"] = search_vectors(self.vectors, vector, depth)
            if mode == "hybrid" and self.sentences is not None and self.rank.weights.get("sentence", 0.0) > 0:
                rows = list(dict.fromkeys(r for items in out.values() for r, _ in items))
                scored = self.sentences.scores(rows, vector)
                out["sentence"] = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return out

    def stored_sentences(self, source_id: str) -> dict[tuple[int, int], int]:
        """The source's indexed sentences: (start, end) in source coordinates -> row of the sentence vectors
        (empty for a snapshot without them). The audit reads these instead of embedding cited text again."""
        if self.sentences is None:
            return {}
        if source_id not in self._stored:
            index, found = self.sentences, {}
            for row in self.store.rows_of_sources([source_id]):
                for i in range(int(index.offsets[row]), int(index.offsets[row + 1])):
                    _, start, end = index.spans[i]
                    found.setdefault((int(start), int(end)), i)
            self._stored[source_id] = found
        return self._stored[source_id]

    def sentence_vector(self, i: int) -> np.ndarray:
        return np.asarray(self.sentences.vectors[i], dtype=np.float32)  # type: ignore[union-attr]

    def best_sentence(self, row: int, vector: np.ndarray) -> Sentence | None:
        """The hit's sentence closest in meaning to the question; None for a snapshot without sentence
        vectors (the CLI and page then mark the sentence sharing most words, index/sentences.lexical_best)."""
        if self.sentences is None:
            return None
        found = self.sentences.best(row, vector)
        return Sentence(*found) if found else None

    def query(self, question: str, *, k: int = 5, mode: str = "hybrid", filters: Filters | None = None,
              per_source: int | None = None) -> list[Hit]:
        return self.answer(question, k=k, mode=mode, filters=filters, per_source=per_source).hits

    def answer(self, question: str, *, k: int = 5, mode: str = "hybrid", filters: Filters | None = None,
               per_source: int | None = None) -> Answer:
        """The top k passages, sources in rank order with at most ``per_source`` passages each (None: the
        engine's setting; 0: no limit), plus whether the engine abstains."""
        if mode not in MODES:
            raise InvalidRequestError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        if k < 1:
            raise InvalidRequestError(f"k must be at least 1, got {k}")
        if not question.strip():
            raise InvalidRequestError("the question is empty; ask something in words")
        if not re.search(r"\w", question):  # control characters, symbols or emoji alone
            raise InvalidRequestError("the question has no words (only symbols or control characters); "
                                      "ask something in words")
        if not question.isprintable() and any(0xD800 <= ord(ch) <= 0xDFFF for ch in question):
            raise InvalidRequestError("the question holds an unpaired UTF-16 surrogate, which is not text; "
                                      "send it as valid UTF-8")
        filters = filters if filters is not None else Filters()  # a reorder-only Filters is falsy
        if per_source is not None and per_source < 0:
            raise InvalidRequestError(f"per_source must be 0 (no limit) or more, got {per_source}")
        key = (question, k, mode, filters, per_source)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        allowed = self._allowed_rows(filters)
        total = self.store.passage_count
        rank = self.rank if per_source is None else replace(self.rank, per_source=per_source or None)
        depth = total if allowed is not None else min(total, max(self.candidates, k))
        vector = self.encoder.encode([question])[0]  # every mode needs it: abstention, best sentences
        while True:
            ranked = self.rankings(question, mode=mode, depth=depth, vector=vector)
            if allowed is not None:
                ranked = {name: [(r, s) for r, s in rows if r in allowed] for name, rows in ranked.items()}
            source_of = {r: self._source_ids[self._source_of_row[r]] for rows in ranked.values() for r, _ in rows}
            fused = grouped(ranked, source_of, rank, k=k)
            if len(fused) >= k or depth >= total:
                break
            depth = min(total, depth * 4)  # a run lists k passages (k sources at one per source) when there are
        if filters.exclude_flags and filters.downrank_flagged:  # same k passages, flagged ones listed last
            fused = downrank(fused, [row for row, _, _ in fused], self._rows_flagged(filters.exclude_flags))
        passages = self.store.passages_by_rows([row for row, _, _ in fused])
        hits = [Hit(passage=passages[row], score=score, ranks=ranks,
                    best_sentence=self.best_sentence(row, vector))
                for row, score, ranks in fused]
        dense = ranked.get("dense")
        if dense is None:  # bm25 mode: one nearest-neighbour look-up decides abstention
            dense = self.rankings(question, mode="dense", depth=1 if allowed is None else total,
                                  vector=vector)["dense"]
            dense = [(r, s) for r, s in dense if allowed is None or r in allowed]
        support = dense[0][1] if dense else 0.0
        result = Answer(hits=hits, abstained=support < self.abstain_below, support=support)
        self.cache.put(key, result)
        return result

    def close(self) -> None:
        self.store.close()
