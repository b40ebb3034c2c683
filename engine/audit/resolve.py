"""Look up what a citation points to: does the passage or source exist, is the range inside the text."""

from __future__ import annotations

from dataclasses import dataclass

from groundqa.core.errors import NotFoundError
from groundqa.core.records import Flag, Passage
from groundqa.engine.audit.records import CitationRef
from groundqa.engine.query import Engine
from groundqa.index.store import StoredSource


@dataclass(frozen=True)
class Resolved:
    ref: CitationRef
    status: str  # ok | missing_passage | missing_source | bad_range
    message: str | None = None
    source: StoredSource | None = None
    start: int | None = None
    end: int | None = None
    passages: tuple[Passage, ...] = ()  # the cited passage, or those overlapping a cited range

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def text(self) -> str:
        return self.source.text[self.start:self.end] if self.ok and self.source is not None else ""

    def flags(self) -> list[tuple[Passage, Flag]]:
        """Flags of the cited text: all of a cited passage's, and those of a range's passages that reach into it."""
        out: list[tuple[Passage, Flag]] = []
        seen: set[tuple] = set()
        for p in self.passages:
            for f in p.flags:
                if self.ref.passage_id is None and f.evidence and not any(
                        e.start < (self.end or 0) and e.end > (self.start or 0) for e in f.evidence):
                    continue
                key = (f.kind, f.reason, f.evidence)
                if key not in seen:
                    seen.add(key)
                    out.append((p, f))
        return out


def resolve(engine: Engine, ref: CitationRef, *, max_span: int) -> Resolved:
    if ref.passage_id is not None:
        try:
            passage = engine.passage(ref.passage_id)
        except NotFoundError:
            return Resolved(ref, "missing_passage", f"no passage {ref.passage_id!r} in the index: the citation "
                                                    "is fabricated or comes from another index")
        source = engine.source(passage.source_id)
        return Resolved(ref, "ok", None, source, passage.start, passage.end, (passage,))
    try:
        source = engine.source(ref.source_id or "")
    except NotFoundError:
        return Resolved(ref, "missing_source", f"no source {ref.source_id!r} in the index; list them with "
                                               "GET /v1/sources")
    start, end = ref.start or 0, ref.end or 0
    if not 0 <= start < end <= len(source.text):
        return Resolved(ref, "bad_range", f"range {start}-{end} is not inside source {source.source_id!r} "
                                          f"(0-{len(source.text)}); give start < end within the text", source)
    if end - start > max_span:
        return Resolved(ref, "bad_range", f"range {start}-{end} is {end - start} characters long, the limit is "
                                          f"{max_span}; cite the passage or sentence the claim rests on", source)
    overlapping = tuple(p for p in engine.store.passages_of(source.source_id) if p.start < end and p.end > start)
    return Resolved(ref, "ok", None, source, start, end, overlapping)
