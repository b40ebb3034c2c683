"""The sentence-level index: exact spans, one vector per distinct sentence, reuse on re-ingest, resumable shards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from groundqa.eval.run import ShardedEncoder
from groundqa.index.build import ingest, remove
from groundqa.index.sentences import SentenceIndex, embed_sentences, text_key
from groundqa.index.snapshot import current_snapshot, read_manifest
from groundqa.index.store import STORE_FILE, Store
from groundqa.ingest.chunk import ChunkSettings

from tests.conftest import IngestedCorpus


def test_spans_are_exact_and_grouped_by_passage(seed_index: Path) -> None:
    snapshot = current_snapshot(seed_index)
    store = Store(snapshot / STORE_FILE)
    index = SentenceIndex.load(snapshot)
    assert index is not None
    rows = dict(store.all_passages())
    assert len(index.offsets) == len(rows) + 1 and index.offsets[-1] == len(index.spans) == len(index.vectors)
    for row, passage in list(rows.items())[:10]:
        text = store.source(passage.source_id).text
        for r, start, end in index.spans[index.offsets[row]:index.offsets[row + 1]]:
            assert r == row and passage.start <= start < end <= passage.end
            assert text[start:end].strip() == text[start:end]
    store.close()


class CountingEncoder:
    name, backend, dim, batch_size = "counting", "fp32", 3, 8

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, *, on_batch=None) -> np.ndarray:
        self.seen.extend(texts)
        return np.asarray([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_each_distinct_sentence_is_encoded_once() -> None:
    counting = CountingEncoder()
    vectors, encoded = embed_sentences(["Same.", "Other one.", "Same."], counting.encode, 3)
    assert encoded == 2 and counting.seen == ["Same.", "Other one."]
    assert (vectors[0] == vectors[2]).all() and vectors[1][0] == len("Other one.")
    again, encoded = embed_sentences(["Same.", "New."], counting.encode, 3, reuse={text_key("Same."): vectors[0]})
    assert encoded == 1 and counting.seen[-1] == "New." and (again[0] == vectors[0]).all()


def test_reingest_after_an_edit_embeds_only_new_sentences(ingested: IngestedCorpus, tmp_path: Path,
                                                          encoder) -> None:
    index, corpus_copy = ingested.fresh(tmp_path), ingested.corpus  # as ingest([corpus], ...) leaves them
    first = SentenceIndex.load(current_snapshot(index))
    target = corpus_copy / "breast-cancer-with-metastases.txt"
    target.write_text(target.read_text() + "\n\nFollow-up scans are planned every six months.\n")
    calls: list[int] = []

    class Spy:
        name, backend, dim, batch_size = encoder.name, encoder.backend, encoder.dim, encoder.batch_size

        def encode(self, texts, *, on_batch=None):
            calls.append(len(texts))
            return encoder.encode(texts, on_batch=on_batch)

    ingest([corpus_copy], index_dir=index, encoder=lambda: Spy(), chunking=ChunkSettings(), progress=False)
    second = SentenceIndex.load(current_snapshot(index))
    assert len(second.spans) > len(first.spans) and sum(calls) <= 6  # a passage or two, and their sentences


def test_removing_a_source_keeps_every_other_sentence_and_its_vector(ingested: IngestedCorpus,
                                                                     tmp_path: Path) -> None:
    """`groundqa remove` renumbers passage rows; the sentence index follows them and encodes nothing."""
    index = ingested.fresh(tmp_path)  # as ingest([corpus], ...) leaves it
    before = current_snapshot(index)
    old_store, old = Store(before / STORE_FILE), SentenceIndex.load(before)
    old_rows = dict(old_store.all_passages())
    gone = sorted({p.source_id for p in old_rows.values()})[0]
    kept = [i for i, (r, _, _) in enumerate(old.spans) if old_rows[int(r)].source_id != gone]
    vector_of = {(old_rows[int(old.spans[i][0])].source_id, int(old.spans[i][1]), int(old.spans[i][2])):
                 old.vectors[i] for i in kept}  # a sentence in two overlapping passages is listed for each
    old_store.close()
    remove([gone], index_dir=index)  # takes no encoder: every kept vector must come from the old snapshot
    after = current_snapshot(index)
    store, new = Store(after / STORE_FILE), SentenceIndex.load(after)
    rows = dict(store.all_passages())
    assert read_manifest(after)["sentence_index"] is True and new is not None
    assert len(new.offsets) == len(rows) + 1 and len(new.spans) == len(kept) == len(new.vectors)
    for i, (r, s, e) in enumerate(new.spans):
        passage = rows[int(r)]
        assert passage.source_id != gone and passage.start <= s < e <= passage.end
        assert np.array_equal(new.vectors[i], vector_of[(passage.source_id, int(s), int(e))])
    store.close()


def test_sharded_encoding_resumes_from_finished_shards(tmp_path: Path) -> None:
    texts = [f"sentence number {i}" for i in range(10)]
    counting = CountingEncoder()
    first = ShardedEncoder(counting, tmp_path, shard=4).encode(texts)
    assert len(counting.seen) == 10 and len(list(tmp_path.glob("*.npy"))) == 3
    (sorted(tmp_path.glob("*.npy"))[0]).unlink()  # as if the run had stopped before one shard was written
    again = CountingEncoder()
    second = ShardedEncoder(again, tmp_path, shard=4).encode(texts)
    assert len(again.seen) in (2, 4) and (first == second).all()
