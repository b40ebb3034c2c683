"""Sentence-aware chunking into passages that are exact spans of the stored text.

A passage never splits a sentence (unless the sentence alone is longer than the budget),
never crosses a PDF page break, and starts afresh at a section heading. Sentences repeated
within a document (page chrome such as opening hours) are indexed once; in a PDF, whose running headers
and footers the loader removes, only within a page: a guideline's summary restating a recommendation on
another page is content, and a citation of that page must find it there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundqa.core.records import Document, Passage, passage_id_for
from groundqa.core.sentences import Sentence, split_sentences

_MIN_DUPLICATE_CHARS = 8


@dataclass(frozen=True)
class ChunkSettings:
    max_chars: int = 800
    overlap_chars: int = 120

    def __post_init__(self) -> None:
        if self.max_chars < 50:
            raise ValueError(f"max_chars must be at least 50, got {self.max_chars}")
        if not 0 <= self.overlap_chars < self.max_chars // 2:
            raise ValueError(f"overlap_chars must be in [0, max_chars/2), got {self.overlap_chars} "
                             f"for max_chars={self.max_chars}")


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _split_long(text: str, sentence: Sentence, max_chars: int) -> list[Sentence]:
    """Cut a sentence longer than the budget at whitespace, keeping exact offsets."""
    pieces: list[Sentence] = []
    start = sentence.start
    while start < sentence.end:
        end = min(start + max_chars, sentence.end)
        if end < sentence.end:
            space = text.rfind(" ", start + max_chars // 2, end)
            end = space if space > start else end
        piece_start, piece_end = start, end
        while piece_end > piece_start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > piece_start:
            pieces.append(Sentence(piece_start, piece_end, sentence.heading, sentence.is_heading))
        start = end
        while start < sentence.end and text[start].isspace():
            start += 1
    return pieces


def _runs(doc: Document, sentences: list[Sentence], max_chars: int) -> list[list[Sentence]]:
    """Group sentences into runs that chunks may not cross: duplicates and page breaks end a run."""
    seen: set[str] = set()
    runs: list[list[Sentence]] = [[]]
    for sentence in sentences:
        key = _normalised(doc.text[sentence.start:sentence.end])
        if doc.page_starts:
            key = f"{doc.page_at(sentence.start)}\x00{key}"
        duplicate = len(key.rpartition("\x00")[2]) >= _MIN_DUPLICATE_CHARS and key in seen
        seen.add(key)
        if duplicate:
            runs.append([])
            continue
        current = runs[-1]
        if current and "\f" in doc.text[current[-1].end:sentence.start]:
            runs.append(current := [])
        pieces = _split_long(doc.text, sentence, max_chars) if sentence.end - sentence.start > max_chars else [sentence]
        current.extend(pieces)
    return [run for run in runs if run]


def _pack(run: list[Sentence], settings: ChunkSettings) -> list[tuple[int, int]]:
    """Greedy packing of a run into (first, last) sentence index windows with sentence overlap."""
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(run):
        last = first
        while last + 1 < len(run):
            nxt = run[last + 1]
            if nxt.end - run[first].start > settings.max_chars:
                break
            if nxt.is_heading and run[last].end - run[first].start >= settings.max_chars // 4:
                break
            last += 1
        windows.append((first, last))
        if last + 1 >= len(run):
            break
        nxt_first = last + 1
        while (nxt_first - 1 > first and not run[nxt_first].is_heading
               and run[last].end - run[nxt_first - 1].start <= settings.overlap_chars):
            nxt_first -= 1
        first = nxt_first
    return windows


def chunk_document(doc: Document, settings: ChunkSettings | None = None, *,
                   sentences: list[Sentence] | None = None) -> list[Passage]:
    """Split a document into passages with ``doc.text[p.start:p.end] == p.text``; ``sentences``: the document's
    split when the caller has made it already (ingest splits each document once)."""
    settings = settings or ChunkSettings()
    passages: list[Passage] = []
    split = split_sentences(doc.text) if sentences is None else sentences
    for run in _runs(doc, split, settings.max_chars):
        for first, last in _pack(run, settings):
            start, end = run[first].start, run[last].end
            text = doc.text[start:end]
            if not re.search(r"\w", text):
                continue
            passages.append(Passage(
                passage_id=passage_id_for(doc.source_id, start, end, text),
                source_id=doc.source_id, start=start, end=end, text=text,
                page=doc.page_at(start), heading=run[first].heading,
            ))
    return passages
