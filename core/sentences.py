"""Sentence spans with exact offsets, and the heading each sentence sits under.

Lines are hard boundaries (web text puts list items and headings on lines of their own);
pysbd splits within a line. Spans are found back in the text, never re-derived from cleaned strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

_LINE = re.compile(r"[^\n\f]*[^\s][^\n\f]*")
_TERMINAL = (".", "!", ";", ",", ":", "…", ")", "\"", "”")  # a short "What is it?" line is a heading
_BULLET = re.compile(r"^\s*([-*•▪◦]+|\d+[.)])\s")  # » ➤ ● lead headings on web pages
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    heading: str | None
    is_heading: bool = False


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    line = text[start:end]
    if len(line) < 40 or not any(ch in line for ch in ".!?"):
        return [_strip_span(text, start, end)]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for segment in _segmenter().segment(line):
        piece = segment.strip()
        if not piece:
            continue
        found = line.find(piece, cursor)
        if found < 0:  # pysbd altered the text: keep the rest of the line as one sentence
            spans.append(_strip_span(text, start + cursor, end))
            return [s for s in spans if s[0] < s[1]]
        spans.append((start + found, start + found + len(piece)))
        cursor = found + len(piece)
    return [s for s in spans if s[0] < s[1]]


def _looks_like_heading(line: str, next_blank: bool) -> bool:
    stripped = line.strip()
    if _MD_HEADING.match(line):
        return True
    if not stripped or len(stripped) > 80 or _BULLET.match(line) or " | " in stripped:  # a table row
        return False
    first_letter = next((ch for ch in stripped if ch.isalnum()), "")
    return next_blank and not stripped.endswith(_TERMINAL) and (first_letter.isupper() or first_letter.isdigit())


def _heading_text(line: str) -> str:
    return _MD_HEADING.sub("", line).strip(" #»➤●*\t")


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text`` as a span with ``text[start:end]`` stripped of outer whitespace."""
    sentences: list[Sentence] = []
    heading: str | None = None
    lines = list(_LINE.finditer(text))
    for i, match in enumerate(lines):
        line = match.group()
        if not line.strip():
            continue
        following = text[match.end():lines[i + 1].start()] if i + 1 < len(lines) else "\n\n"
        next_blank = following.count("\n") + following.count("\f") >= 2 or i + 1 == len(lines)
        if _looks_like_heading(line, next_blank):
            start, end = _strip_span(text, match.start(), match.end())
            heading = _heading_text(line) or heading
            sentences.append(Sentence(start, end, heading, is_heading=True))
            continue
        for start, end in _split_line(text, match.start(), match.end()):
            sentences.append(Sentence(start, end, heading))
    return sentences
