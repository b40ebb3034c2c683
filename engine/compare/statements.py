"""The statements that answer a question: sentences of the top passages of each source, in source coordinates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from groundqa.core.sentences import split_sentences
from groundqa.engine.compare.records import Statement

MIN_CHARS = 25  # shorter lines are labels and fragments, not statements


def _candidates(hits: list[Any], passages_per_source: int) -> list[Statement]:
    seen: dict[str, int] = {}
    spans: set[tuple[str, int, int]] = set()
    out: list[Statement] = []
    for hit in hits:
        p = hit.passage
        if seen.get(p.source_id, 0) >= passages_per_source:
            continue
        seen[p.source_id] = seen.get(p.source_id, 0) + 1
        for s in split_sentences(p.text):
            text = p.text[s.start:s.end]
            key = (p.source_id, p.start + s.start, p.start + s.end)
            if s.is_heading or len(text) < MIN_CHARS or text.rstrip().endswith("?") or key in spans:
                continue  # headings and questions state nothing; overlapping passages repeat sentences
            spans.add(key)
            flags = tuple(f for f in p.flags if not f.evidence or any(e.start < key[2] and e.end > key[1]
                                                                      for e in f.evidence))
            out.append(Statement("", p.source_id, p.passage_id, key[1], key[2], text, flags=flags))
    return out


def gather(question: str, hits: list[Any], encoder: Any, *, passages_per_source: int,
           statements_per_source: int) -> tuple[list[Statement], np.ndarray]:
    """The ``statements_per_source`` sentences of each source's top passages closest to the question, and their
    normalised embeddings (rows in the order of the statements)."""
    candidates = _candidates(hits, passages_per_source)
    if not candidates:
        return [], np.zeros((0, 0), dtype=np.float32)
    vectors = encoder.encode([question] + [c.text for c in candidates])
    q, rows = vectors[0], vectors[1:]
    candidates = [replace(c, relevance=round(float(v @ q), 3)) for c, v in zip(candidates, rows, strict=True)]
    keep: list[int] = []
    for source_id in dict.fromkeys(c.source_id for c in candidates):
        mine = [i for i, c in enumerate(candidates) if c.source_id == source_id]
        keep += sorted(mine, key=lambda i: -candidates[i].relevance)[:statements_per_source]
    keep.sort(key=lambda i: (-candidates[i].relevance, i))
    statements = [replace(candidates[i], id=f"s{n}") for n, i in enumerate(keep, 1)]
    return statements, rows[keep]
