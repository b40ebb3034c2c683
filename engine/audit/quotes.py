"""Check a quoted stretch against its source: exact, equal up to typography, or the closest span and the diff.

Offsets returned are in source coordinates, so the page and the reviewer can open the span in context.
The closest span comes from a word-level alignment: every stretch of the source as long as the quote is
scored by rapidfuzz's word-list Levenshtein similarity (in C), then the best one's ends are moved word by word
while that improves; the work grows with the source's length times the quote's, never with its square.
The difference is a word-level difflib comparison of the quote with that span.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

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


def _source_words(text: str, lo: int, hi: int) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text, lo, hi)]
    return [w.translate(_FOLD).lower().strip(_PUNCT) for w in (text[a:b] for a, b in spans)], spans


def align(quote: str, text: str, lo: int, hi: int) -> tuple[float, int, int] | None:
    """The stretch of ``text[lo:hi]`` most similar to ``quote`` word by word: (similarity 0-100, start, end)."""
    quote_words = _words(quote)
    words, spans = _source_words(text, lo, hi)
    if not quote_words or not words:
        return None
    n = len(quote_words)
    score = Levenshtein.normalized_similarity
    best_i = max(range(max(1, len(words) - n + 1)), key=lambda i: score(quote_words, words[i:i + n]))
    i, j = best_i, min(len(words), best_i + n)
    current = score(quote_words, words[i:j])
    improved = True
    while improved:  # move either end by a word while the similarity grows (inserted or dropped words)
        improved = False
        for a, b in ((i - 1, j), (i + 1, j), (i, j + 1), (i, j - 1)):
            if 0 <= a < b <= len(words) and (value := score(quote_words, words[a:b])) > current + 1e-9:
                i, j, current, improved = a, b, value, True
                break
    start, end = spans[i][0], spans[j - 1][1]
    while start < end and text[start] in _PUNCT and not quote.startswith(text[start]):
        start += 1
    while end > start and text[end - 1] in _PUNCT and not quote.endswith(text[end - 1]):
        end -= 1
    return 100.0 * current, start, end


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
    # Align in the cited span first, then over the whole source; the cited span wins ties, so a quote
    # repeated elsewhere is matched where it was cited.
    best: tuple[float, int, int] | None = None
    for lo, hi in ((max(0, span_start - len(quote)), min(len(source_text), span_end + len(quote))),
                   (0, len(source_text))):
        found_here = align(quote, source_text, lo, hi)
        if found_here is not None and (best is None or found_here[0] > best[0] + 1e-9):
            best = found_here
        if best is not None and best[0] >= 100.0:
            break
    if best is None:
        return QuoteCheck("not_found", 0.0)
    score, start, end = best
    span_text = source_text[start:end]
    status = "altered" if score >= ALTERED_MIN else "not_found"
    return QuoteCheck(status, round(score, 1), start, end, span_text, inside(start, end),
                      word_diff(quote, span_text))
