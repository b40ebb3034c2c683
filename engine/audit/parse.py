"""Turn an answer into claims and citations: free text with markers, or structured claims.

Markers in text: ``[p_0123abcd...]`` (a passage id) or ``[source_id:120-240]`` (a character range of a
source), several per bracket separated by ``,`` or ``;``: exactly what ``groundqa query``, the reviewer
page and the exports write. A sentence that carries markers is a claim; a double-quoted stretch inside it
is the quote its citations are checked against. Brackets of any other form (``[1]``) are not citations, so
the sentence counts as citing nothing; those that look like a citation attempt get a warning with the fix
(``marker_warnings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundqa.core.sentences import split_sentences
from groundqa.engine.audit.records import CitationRef, ClaimRef, MarkerWarning, Uncited

_BRACKET = re.compile(r"\[([^\[\]\n]{1,400})\]")
# One citation inside a bracket, then a separator or the end. A source id may hold spaces or colons (file
# names do); the range after its last colon is what makes it a citation.
_ITEM = re.compile(r"\s*(?:(?P<passage>p_[A-Za-z0-9]+)|(?P<source>[^\[\]\n]+?)\s*:\s*(?P<start>\d+)\s*[-–—]\s*"
                   r"(?P<end>\d+))\s*(?:[,;]|$)")
_LOOKS_CITED = re.compile(r"\d|:|^\s*p_", re.IGNORECASE)
_QUOTE = re.compile(r"\"([^\"\n]{8,}?)\"|“([^”\n]{8,}?)”")
_WORD = re.compile(r"[^\W\d_]{2,}")
_BULLET = re.compile(r"^([-*•●▪◦➤»]+|\d+[.)])\s+")


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
    """The citations inside one bracket, or () when the bracket is not (wholly) citation markers."""
    refs: list[CitationRef] = []
    pos = 0
    while pos < len(body):
        match = _ITEM.match(body, pos)
        if match is None or match.end() == pos:
            return ()
        pos = match.end()
        written = re.sub(r"[,;]$", "", match.group(0).strip()).strip()
        if match["passage"]:
            refs.append(CitationRef(passage_id=match["passage"], marker=written))
        else:
            refs.append(CitationRef(source_id=match["source"].strip(), start=int(match["start"]),
                                    end=int(match["end"]), marker=written))
    return tuple(refs)


def _fix_for(body: str) -> str:
    flat = body.strip()
    if re.fullmatch(r"\d+\s*[:\-–—]\s*\d+", flat):
        return (f"it names no source: write [source_id:{re.sub(r'[^0-9]+', '-', flat)}] with the source id "
                "that `groundqa query` prints beside the passage")
    if re.fullmatch(r"[\d,;\s\-–—]+", flat):
        return "numbered references are not read: cite [source_id:start-end] or [p_…] as `groundqa query` prints them"
    if flat.lower().startswith("p_"):
        return "a passage id is p_ followed by letters and digits only (as in query results), one per item"
    return ("write [source_id:start-end] (a character range, e.g. [breast-cancer-with-metastases:893-1016]) or "
            "[p_…] (a passage id), several separated by commas")


def marker_warnings(answer: str) -> list[MarkerWarning]:
    """Brackets that hold digits, a colon or a p_ id but do not parse as citations: the sentence they sit in
    is treated as citing nothing, which the writer most likely did not mean."""
    out = []
    for match in _BRACKET.finditer(answer):
        body = match.group(1)
        if not parse_marker(body) and _LOOKS_CITED.search(body):
            message = f"{match.group(0)} is not a citation groundqa can check; {_fix_for(body)}"
            out.append(MarkerWarning(marker=match.group(0), start=match.start(), end=match.end(), message=message))
    return out


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
