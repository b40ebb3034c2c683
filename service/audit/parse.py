"""Turn an answer into claims and citations: free text with markers, or structured claims.

Markers in text: ``[p_0123abcd...]`` (a passage id) or ``[source_id:120-240]`` (a character range of a
source), several per bracket separated by ``,`` or ``;``. A sentence that carries markers is a claim; a
double-quoted stretch inside it is the quote its citations are checked against. Brackets of any other
form (``[1]``) are not citations, so the sentence counts as citing nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundqa.ingest.sentences import split_sentences

_BRACKET = re.compile(r"\[([^\[\]\n]{1,400})\]")
_PASSAGE_ID = re.compile(r"^p_[A-Za-z0-9]+$")
_SOURCE_RANGE = re.compile(r"^(?P<source>[^\s:\[\]]+):\s*(?P<start>\d+)\s*[-–—]\s*(?P<end>\d+)$")
_QUOTE = re.compile(r"\"([^\"\n]{8,}?)\"|“([^”\n]{8,}?)”")
_WORD = re.compile(r"[^\W\d_]{2,}")
_BULLET = re.compile(r"^([-*•●▪◦➤»]+|\d+[.)])\s+")


@dataclass(frozen=True)
class CitationRef:
    """One citation as written: a passage id, or a source id with a [start, end) character range."""

    passage_id: str | None = None
    source_id: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class ClaimRef:
    """A claim to check; ``start``/``end`` locate it in the answer text when it came from one."""

    text: str
    citations: tuple[CitationRef, ...]
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Uncited:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ParsedAnswer:
    claims: tuple[ClaimRef, ...]
    uncited: tuple[Uncited, ...]


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    refs: tuple[CitationRef, ...]


def parse_marker(body: str) -> tuple[CitationRef, ...]:
    """The citations inside one bracket, or () when the bracket is not a citation marker."""
    refs: list[CitationRef] = []
    for item in re.split(r"[,;]", body):
        item = item.strip()
        if _PASSAGE_ID.match(item):
            refs.append(CitationRef(passage_id=item, marker=item))
            continue
        match = _SOURCE_RANGE.match(item)
        if match is None:
            return ()
        refs.append(CitationRef(source_id=match["source"], start=int(match["start"]), end=int(match["end"]),
                                marker=item))
    return tuple(refs)


def _markers(text: str) -> list[_Marker]:
    found = []
    for match in _BRACKET.finditer(text):
        refs = parse_marker(match.group(1))
        if refs:
            found.append(_Marker(match.start(), match.end(), refs))
    return found


def _strip_markers(text: str, markers: list[_Marker], offset: int) -> str:
    pieces, cursor = [], offset
    for m in markers:
        pieces.append(text[cursor - offset:m.start - offset])
        cursor = m.end
    pieces.append(text[cursor - offset:])
    flat = _BULLET.sub("", re.sub(r"\s+", " ", "".join(pieces)).strip())
    return re.sub(r"\s+([.,;:!?])", r"\1", flat)


def _quote_in(text: str) -> str | None:
    match = _QUOTE.search(text)
    return (match.group(1) or match.group(2)).strip() if match else None


def _is_statement(text: str) -> bool:
    """Whether an uncited sentence says something (three words or more), not a bare heading or list label."""
    return len(_WORD.findall(text)) >= 3


def parse_answer(answer: str) -> ParsedAnswer:
    """Claims (sentences with markers) and uncited sentences of a free-text answer, with answer offsets."""
    markers = _markers(answer)
    # Mask markers so the sentence splitter sees plain prose; offsets stay the same.
    masked = list(answer)
    for m in markers:
        masked[m.start:m.end] = " " * (m.end - m.start)
    sentences = [(s.start, s.end) for s in split_sentences("".join(masked))]
    groups: list[tuple[int, int, list[_Marker]]] = []
    for start, end in sentences:
        groups.append((start, end, []))
    for m in markers:
        # A marker belongs to the sentence it sits in or, when it sits between sentences, to the one before.
        owner = None
        for i, (start, end, _) in enumerate(groups):
            if start <= m.start < end:
                owner = i
                break
            if end <= m.start:
                owner = i
        if owner is None:
            groups.insert(0, (m.start, m.end, []))
            owner = 0
        start, end, owned = groups[owner]
        groups[owner] = (start, max(end, m.end), [*owned, m])
    claims: list[ClaimRef] = []
    uncited: list[Uncited] = []
    for start, end, owned in groups:
        raw = answer[start:end]
        text = _strip_markers(raw, sorted(owned, key=lambda m: m.start), start)
        if not owned:
            if _is_statement(text):
                uncited.append(Uncited(text=text, start=start, end=end))
            continue
        quote = _quote_in(text)
        refs = tuple(CitationRef(passage_id=r.passage_id, source_id=r.source_id, start=r.start, end=r.end,
                                 quote=quote, marker=r.marker) for m in owned for r in m.refs)
        claims.append(ClaimRef(text=text or raw.strip(), citations=refs, start=start, end=end))
    return ParsedAnswer(claims=tuple(claims), uncited=tuple(uncited))
