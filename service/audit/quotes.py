"""Check a quoted stretch against its source: exact, equal up to typography, or the closest span and the diff.

Offsets returned are in source coordinates, so the page and the reviewer can open the span in context.
The closest span comes from rapidfuzz's partial-ratio alignment (a substring search by edit similarity);
the difference is a word-level difflib comparison of the quote with that span.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

ALTERED_MIN = 50.0  # word-level similarity (0-100) from which the closest span counts as the quote, altered
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                       "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ", "…": "."})
_TOKEN = re.compile(r"\S+")
_PUNCT = ".,;:!?()[]\"'*"


@dataclass(frozen=True)
class DiffOp:
    """One difference: ``quote`` is what the answer says, ``source`` what the source says there."""

    op: str  # replace | delete | insert
    quote: str
    source: str


@dataclass(frozen=True)
class QuoteCheck:
    status: str  # exact | normalised | altered | not_found
    similarity: float
    start: int | None = None
    end: int | None = None
    text: str | None = None
    in_span: bool = False
    diff: tuple[DiffOp, ...] = ()


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with typography folded and whitespace runs collapsed, and each char's source index."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text.translate(_FOLD).lower()):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        where.append(i)
    return "".join(out), where


def _words(text: str) -> list[str]:
    return [w.strip(_PUNCT) for w in _fold(text)[0].split()]


def similarity(quote: str, span: str) -> float:
    """Word-level Levenshtein similarity (0-100): a changed word costs the same as a dropped or added one."""
    return 100.0 * Levenshtein.normalized_similarity(_words(quote), _words(span))


def _refine(quote: str, text: str, start: int, end: int) -> tuple[float, int, int]:
    """Snap an alignment to whole words, trying nearby word boundaries for the best word-level similarity.

    partial_ratio aligns a window as long as the quote; an answer that inserted or dropped words matches a
    longer or shorter stretch of the source, which this finds. Returns (similarity, start, end).
    """
    quote_words = _words(quote)
    slack = min(30, max(3, len(quote_words) // 2))
    margin = len(quote)
    words = [(m.start(), m.end()) for m in _TOKEN.finditer(text, max(0, start - margin), min(len(text), end + margin))]
    if not words:
        return 0.0, start, end
    first = min(range(len(words)), key=lambda i: abs(words[i][0] - start))
    last = min(range(len(words)), key=lambda i: abs(words[i][1] - end))
    folded_quote = _fold(quote)[0]
    best = (-1.0, 0.0, words[first][0], words[max(first, last)][1])
    for i in range(max(0, first - slack), min(len(words), first + slack + 1)):
        for j in range(max(i, last - slack), min(len(words), last + slack + 1)):
            piece = text[words[i][0]:words[j][1]]
            words_score = 100.0 * Levenshtein.normalized_similarity(quote_words, _words(piece))
            score = words_score + 0.01 * fuzz.ratio(folded_quote, _fold(piece)[0])
            if score > best[0]:
                best = (score, words_score, words[i][0], words[j][1])
    _, words_score, lo, hi = best
    while lo < hi and text[lo] in _PUNCT and not quote.startswith(text[lo]):
        lo += 1
    while hi > lo and text[hi - 1] in _PUNCT and not quote.endswith(text[hi - 1]):
        hi -= 1
    return words_score, lo, hi


def word_diff(quote: str, source: str) -> tuple[DiffOp, ...]:
    a, b = _TOKEN.findall(quote), _TOKEN.findall(source)
    norm = [w.translate(_FOLD).lower().strip(_PUNCT) for w in a], [w.translate(_FOLD).lower().strip(_PUNCT) for w in b]
    ops = difflib.SequenceMatcher(a=norm[0], b=norm[1], autojunk=False).get_opcodes()
    return tuple(DiffOp(op=tag, quote=" ".join(a[i1:i2]), source=" ".join(b[j1:j2]))
                 for tag, i1, i2, j1, j2 in ops if tag != "equal")


def check_quote(quote: str, source_text: str, span_start: int, span_end: int) -> QuoteCheck:
    """Where ``quote`` sits in ``source_text``, judged against the cited span [span_start, span_end)."""
    quote = quote.strip()

    def inside(start: int, end: int) -> bool:
        return start >= span_start and end <= span_end

    exact = source_text.find(quote, span_start, span_end)
    if exact < 0:
        exact = source_text.find(quote)
    if exact >= 0:
        end = exact + len(quote)
        return QuoteCheck("exact", 100.0, exact, end, quote, inside(exact, end))
    folded_quote, _ = _fold(quote)
    folded, where = _fold(source_text)
    if not folded_quote or not folded:
        return QuoteCheck("not_found", 0.0)
    found = folded.find(folded_quote)
    if found >= 0:
        start, end = where[found], where[found + len(folded_quote) - 1] + 1
        return QuoteCheck("normalised", 100.0, start, end, source_text[start:end], inside(start, end))
    # Align near the cited span and over the whole source; the local match wins ties, so a quote
    # repeated elsewhere is matched where it was cited.
    best: tuple[float, int, int] | None = None
    for lo, hi in ((max(0, span_start - len(quote)), min(len(source_text), span_end + len(quote))),
                   (0, len(source_text))):
        window, window_where = _fold(source_text[lo:hi])
        if not window:
            continue
        align = fuzz.partial_ratio_alignment(folded_quote, window)
        if align is None:
            continue
        start = lo + window_where[align.dest_start]
        end = lo + window_where[max(align.dest_start, align.dest_end - 1)] + 1
        refined = _refine(quote, source_text, start, end)
        if best is None or refined[0] > best[0] + 1e-9:
            best = refined
    if best is None:
        return QuoteCheck("not_found", 0.0)
    score, start, end = best
    span_text = source_text[start:end]
    status = "altered" if score >= ALTERED_MIN else "not_found"
    return QuoteCheck(status, round(score, 1), start, end, span_text, inside(start, end),
                      word_diff(quote, span_text))
