"""What an ingest run embeds: each passage and each sentence once, with the previous snapshot's vectors reused.

A document is split into sentences once (``core.sentences``); chunking, the flagger and the sentence index all
read that one split. Every distinct sentence text that needs a vector is encoded in one batch by the ingest
encoder (``SentenceVectors``): the flagger reads those vectors and the sentence index stores them. Sentences of
sources the run keeps, and of re-read sources whose text is unchanged, come back from the previous snapshot
without any encoding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

import numpy as np
from groundqa.core.encoder import Encoder
from groundqa.core.records import Passage
from groundqa.core.sentences import Sentence, split_sentences
from groundqa.index.sentences import SentenceIndex, embed_sentences, text_key
from tqdm import tqdm

Span = tuple[int, int]


def embedding_text(passage: Passage, title: str | None, *, context: str) -> str:
    """What the encoder sees: the passage, optionally led by its document title and section heading."""
    if context == "none":
        return passage.text
    lead = [t for t in ((title if "title" in context else None),
                        (passage.heading if "heading" in context else None)) if t]
    return "\n".join([*dict.fromkeys(lead), passage.text])


class OldSnapshot:
    """What ingest reads of the previous snapshot, each part at most once and only when it is needed."""

    def __init__(self, *, rows: Callable[[], dict[int, Passage]], titles: dict[str, str | None], model: str | None,
                 backend: str | None, sentences: Callable[[], SentenceIndex | None]) -> None:
        self._rows, self._sentences = rows, sentences
        self.titles, self.model, self.backend = titles, model, backend

    @cached_property
    def rows(self) -> dict[int, Passage]:
        """Passage row -> passage."""
        return self._rows()

    @cached_property
    def sentences(self) -> SentenceIndex | None:
        return self._sentences()

    def row_of(self) -> dict[str, int]:
        return {p.passage_id: row for row, p in self.rows.items()}


class SentenceVectors:
    """Sentence texts -> vectors: each distinct text encoded once per run, in one batch, by the ingest encoder;
    the previous snapshot's sentence vectors reused by text when it was built by the same model and backend."""

    def __init__(self, model: Callable[[], Encoder], *, reuse: Callable[[], dict[str, np.ndarray]],
                 progress: bool) -> None:
        self._model = model
        self._reuse_loader = reuse
        self._reuse: dict[str, np.ndarray] | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._progress = progress

    def ensure(self, texts: Iterable[str]) -> None:
        """Make sure every text has a vector; those not seen before are encoded together (index.sentences'
        embed_sentences: each distinct text once, the reusable ones not at all)."""
        new = list(dict.fromkeys(t for t in texts if text_key(t) not in self._vectors))
        if not new:
            return
        if self._reuse is None:
            self._reuse = self._reuse_loader()
        dim = len(next(iter(self._reuse.values()))) if self._reuse else self._model().dim
        vectors, _ = embed_sentences(new, self._encode, dim, self._reuse)
        self._vectors.update(zip(map(text_key, new), vectors, strict=True))

    def _encode(self, batch: list[str]) -> np.ndarray:
        bar = tqdm(total=len(batch), desc="embed sentences", unit="sentence",
                   disable=not self._progress or len(batch) < 64)
        try:
            return self._model().encode(batch, on_batch=bar.update)
        finally:
            bar.close()

    def get(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts already ensured (one row each, in order); unseen texts are encoded first."""
        self.ensure(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[text_key(t)] for t in texts]).astype(np.float32, copy=False)


def passage_sentences(passage: Passage, sentences: Sequence[Sentence]) -> list[Span]:
    """The document's sentences that fall in a passage, clipped to it (source coordinates), in order."""
    out = []
    for s in sentences:
        if s.end <= passage.start or s.start >= passage.end:
            continue
        start, end = max(s.start, passage.start), min(s.end, passage.end)
        if passage.text[start - passage.start:end - passage.start].strip():
            out.append((start, end))
    return out


def split_passage(passage: Passage) -> list[Span]:
    """A passage's own sentences, for a source whose document split is not at hand (an old snapshot's)."""
    return [(passage.start + s.start, passage.start + s.end) for s in split_sentences(passage.text)]


def _text(passage: Passage, span: Span) -> str:
    return passage.text[span[0] - passage.start:span[1] - passage.start]


def reusable_sentences(old: OldSnapshot | None, model: str | None, backend: str | None) -> dict[str, np.ndarray]:
    """The previous snapshot's sentence vectors by text, when the same model and backend made them."""
    if old is None or old.sentences is None or old.model != model or old.backend != backend:
        return {}
    spans = old.sentences.spans
    return old.sentences.reusable(lambda i: _text(old.rows[int(spans[i][0])], (int(spans[i][1]), int(spans[i][2]))))


def sentence_index(ordered: Sequence[Passage], fresh: dict[str, list[Span]], vectors: SentenceVectors | None,
                   old: OldSnapshot | None, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spans, offsets and vectors of every passage's sentences (index.sentences' layout).

    ``fresh``: the sentence spans of the passages this run (re)read, by passage id (from the one document split).
    A kept passage takes its spans and vectors from the previous snapshot's sentence index; one the previous
    snapshot has no sentences for is split on its own (and embedded).
    """
    old_row = old.row_of() if old is not None and old.sentences is not None else {}
    spans: list[tuple[int, int, int]] = []
    offsets = [0]
    rows_vectors: list[np.ndarray | None] = []
    texts: list[str] = []
    for row, p in enumerate(ordered):
        if p.passage_id in fresh:
            own = fresh[p.passage_id]
        elif p.passage_id in old_row:
            index = old.sentences  # type: ignore[union-attr]
            r = old_row[p.passage_id]
            first, last = int(index.offsets[r]), int(index.offsets[r + 1])
            for i in range(first, last):
                _, start, end = (int(v) for v in index.spans[i])
                spans.append((row, start, end))
                rows_vectors.append(np.asarray(index.vectors[i]))
                texts.append("")
            offsets.append(len(spans))
            continue
        else:
            own = split_passage(p)
        for start, end in own:
            spans.append((row, start, end))
            rows_vectors.append(None)
            texts.append(_text(p, (start, end)))
        offsets.append(len(spans))
    out = np.zeros((len(spans), dim), dtype=np.float32)
    todo = [i for i, v in enumerate(rows_vectors) if v is None]
    if todo:
        if vectors is None:
            raise RuntimeError("sentences need embedding but no encoder was given")
        out[todo] = vectors.get([texts[i] for i in todo])
    for i, v in enumerate(rows_vectors):
        if v is not None:
            out[i] = v
    return (np.asarray(spans, dtype=np.int64).reshape(-1, 3), np.asarray(offsets, dtype=np.int64), out)


def passage_embeddings(ordered: list[Passage], titles: dict[str, str | None], old: OldSnapshot | None,
                       old_vectors: np.ndarray | None, model: Callable[[], Encoder], given: Encoder | None,
                       embed_context: str, old_context: str | None, progress: bool, *, reuse: bool = True
                       ) -> tuple[np.ndarray, str, str, int]:
    """Passage vectors (the previous snapshot's reused by embedding text); returns them with the model's
    name and backend and how many were encoded. ``model`` makes the encoder only when something needs it;
    ``given``: an encoder already made, whose identity is checked against the old vectors' even then."""
    texts = [embedding_text(p, titles.get(p.source_id), context=embed_context) for p in ordered]
    reused: dict[str, np.ndarray] = {}
    if reuse and old is not None and old_vectors is not None and old_context == embed_context:
        for row, p in old.rows.items():
            text = embedding_text(p, old.titles.get(p.source_id), context=embed_context)
            reused[hashlib.sha256(text.encode()).hexdigest()] = old_vectors[row]
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    todo = [i for i, key in enumerate(keys) if key not in reused]
    encoder = given or (model() if todo or not reused else None)
    if encoder is not None and old is not None and (old.model != encoder.name or old.backend != encoder.backend):
        reused, todo = {}, list(range(len(texts)))
    name = encoder.name if encoder is not None else old.model  # type: ignore[union-attr]
    backend = encoder.backend if encoder is not None else old.backend  # type: ignore[union-attr]
    dim = encoder.dim if encoder is not None else int(old_vectors.shape[1])  # type: ignore[union-attr]
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if todo:
        bar = tqdm(total=len(todo), desc="embed", unit="passage", disable=not progress or len(todo) < 64)
        out[todo] = encoder.encode([texts[i] for i in todo], on_batch=bar.update)  # type: ignore[union-attr]
        bar.close()
    for i, key in enumerate(keys):
        if key in reused:
            out[i] = reused[key]
    return out, name, backend, len(todo)  # type: ignore[return-value]
