"""Typed records passed between stages: ingest produces them, index stores them, service returns them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

COMMERCIAL = "commercial"
UNVERIFIED = "unverified"
KINDS = (COMMERCIAL, UNVERIFIED)  # the credibility flag kinds a passage can carry


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Flag:
    """A credibility flag on a passage; evidence spans are in source-text coordinates."""

    kind: str
    reason: str
    cues: tuple[str, ...] = ()
    confidence: float = 1.0
    evidence: tuple[Span, ...] = ()
    override: bool = False


@dataclass(frozen=True)
class SourceMeta:
    """What a corpus manifest (or the document itself) says about a source."""

    title: str | None = None
    publisher: str | None = None
    publisher_type: str = "unknown"
    url: str | None = None
    language: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    original_file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A loaded document: the stored text every offset points into.

    PDF pages are joined with a form feed; ``page_starts`` holds the offset of each page.
    ``metadata`` is what the file says of itself (keys when found: title, authors, date as yyyy-mm-dd,
    site_name, url, language, description; ocr_pages for scanned PDF pages read by OCR); the ingest uses it
    where the manifest says nothing. ``boilerplate`` holds (zone, text) blocks of a web page that are not in
    ``text`` (zone "chrome", "form" or "ad"): the selling and contact blocks the credibility profile reads.
    """

    source_id: str
    text: str
    title: str | None = None
    path: str | None = None
    page_starts: tuple[int, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    boilerplate: tuple[tuple[str, str], ...] = ()
    # (start, end, zone) stretches of ``text`` when a loader knows them (main, chrome, form, ad: ingest.zones)
    zones: tuple[tuple[int, int, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page number containing ``offset``, or None for unpaged documents."""
        if not self.page_starts:
            return None
        page = 0
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i
            else:
                break
        return page + 1


@dataclass(frozen=True)
class Passage:
    passage_id: str
    source_id: str
    start: int
    end: int
    text: str
    page: int | None = None
    heading: str | None = None
    flags: tuple[Flag, ...] = ()


def passage_id_for(source_id: str, start: int, end: int, text: str) -> str:
    """Stable id: a content hash of source id, span and text, so ids survive re-ingest."""
    digest = hashlib.sha256(f"{source_id}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()
    return f"p_{digest[:16]}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
