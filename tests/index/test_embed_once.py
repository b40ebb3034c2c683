"""Ingest reads each document's sentences once and embeds each sentence once, and the flags it writes are the
flags the flagger gives on its own (the vectors it reads are the bundled model's)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from groundqa.core.encoder import Encoder
from groundqa.credibility.flags import annotate, annotator
from groundqa.index.build import ingest, remove, with_document_metadata
from groundqa.index.sentences import SentenceIndex
from groundqa.index.snapshot import current_snapshot
from groundqa.index.store import STORE_FILE, Store
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.loaders import load_file
from groundqa.ingest.manifest import load_manifest


class CountingEncoder(Encoder):
    """The real bundled encoder, counting every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__("bundled")
        self.seen: Counter[str] = Counter()

    def encode(self, texts, *, on_batch=None):  # type: ignore[no-untyped-def]
        self.seen.update(texts)
        return super().encode(texts, on_batch=on_batch)


class RecordingAnnotator:
    """The shipped annotator, noting whether ingest handed it the sentence vectors (else it embeds them again)."""

    def __init__(self) -> None:
        self.given_vectors: list[bool] = []
        self.version = annotator.version
        self.reads_vectors_of = annotator.reads_vectors_of

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.given_vectors.append(kwargs.get("embed") is not None)
        return annotator(*args, **kwargs)


def _run(paths: list[Path], index: Path, encoder: Encoder, annotate=annotator):  # type: ignore[no-untyped-def]
    return ingest(paths, index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False,
                  annotate=annotate)


def test_each_text_is_embedded_once_and_flags_match_the_flaggers_own(corpus_copy: Path, tmp_path: Path) -> None:
    counting = CountingEncoder()
    index = tmp_path / "idx"
    recording = RecordingAnnotator()
    report = _run([corpus_copy], index, counting, recording)
    assert report.ok and report.passages > 0
    assert recording.given_vectors == [True] * 4  # the flagger read the ingest vectors for every document
    twice = {t: n for t, n in counting.seen.items() if n > 1}
    assert not twice, f"embedded more than once: {list(twice)[:3]}"
    snapshot = current_snapshot(index)
    store = Store(snapshot / STORE_FILE)
    sentences = SentenceIndex.load(snapshot)
    assert sentences is not None and len(sentences.spans) > report.passages
    rows = dict(store.all_passages())
    # every stored sentence vector is the encoder's vector of that sentence's text
    for i in range(0, len(sentences.spans), 17):
        row, start, end = (int(v) for v in sentences.spans[i])
        p = rows[row]
        text = p.text[start - p.start:end - p.start]
        assert text in counting.seen
        expected = Encoder.encode(counting, [text])[0]
        assert float(np.dot(expected, sentences.vectors[i])) > 0.999
    # flags from the shared vectors are those the flagger computes with its own copy of the model
    manifest = load_manifest(corpus_copy)
    for path in sorted(corpus_copy.glob("*.txt")):
        entry = manifest.entry_for(path.name)
        (doc,), _ = load_file(path, source_id=entry.source_id if entry and entry.source_id else path.stem,
                              data=path.read_bytes())
        stored = store.passages_of(doc.source_id)
        meta = with_document_metadata(entry.meta, doc) if entry else None
        _, alone = annotate(doc, meta, chunk_document(doc, ChunkSettings()), list(entry.overrides) if entry else [])
        assert [(p.passage_id, [f.kind for f in p.flags]) for p in stored] == \
            [(p.passage_id, [f.kind for f in p.flags]) for p in alone]
    store.close()


def test_reingest_of_an_edited_file_embeds_only_its_new_sentences(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    _run([corpus_copy], index, Encoder("bundled"))
    target = corpus_copy / "breast-cancer-with-metastases.txt"
    added = "A new closing paragraph about follow-up scans every six months."
    target.write_text(target.read_text() + f"\n\n{added}\n")
    counting = CountingEncoder()
    report = _run([corpus_copy], index, counting)
    assert report.updated == ["breast-cancer-with-metastases"]
    sentence_texts = [t for t in counting.seen if len(t) < 200]
    assert added in counting.seen
    assert len(sentence_texts) <= 3, sentence_texts  # the new sentence (and a passage or two around it)


def _keyed(index: Path) -> dict[tuple[str, int, int], np.ndarray]:
    """Sentence vectors by (source, start, end)."""
    snapshot = current_snapshot(index)
    sentences = SentenceIndex.load(snapshot)
    store = Store(snapshot / STORE_FILE)
    rows = dict(store.all_passages())
    store.close()
    return {(rows[int(r)].source_id, int(s), int(e)): np.asarray(sentences.vectors[i])
            for i, (r, s, e) in enumerate(sentences.spans)}


def test_remove_embeds_nothing_and_keeps_sentence_vectors(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    _run([corpus_copy], index, Encoder("bundled"))
    before = _keyed(index)
    remove(["imt-metastatic-cervical-cancer"], index_dir=index)  # no encoder is given: none could be used
    after = _keyed(index)
    assert 0 < len(after) < len(before)
    assert {k[0] for k in after} == {k[0] for k in before} - {"imt-metastatic-cervical-cancer"}
    for key, vector in after.items():
        assert float(np.dot(before[key], vector)) > 0.9999
