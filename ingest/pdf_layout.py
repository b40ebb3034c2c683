"""From positioned glyphs to readable page text: lines, reading order, chrome removed, sentences kept whole.

Library-neutral on purpose: any PDF library that yields glyphs with boxes in content-stream order feeds it
(pypdfium2 in the loader; pdfplumber in the comparison under bench/). Content-stream order is the reading
order of a tagged or well-produced PDF, including its columns; what it gets wrong is handled here: running
headers and footers, margin line numbers, footnotes that interrupt a column, end-of-line hyphens, ligatures,
letter-spaced banners, and lines that break inside a sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
             "\ufb06": "st"}
HYPHEN_MARKS = ("\ufffe", "\u00ad", "\u0002")  # soft hyphens as PDF libraries report a hyphenated line end
_DASHES = ("-", "\u2010", "\u2011", *HYPHEN_MARKS)
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[.!?]\s*\d{1,3}$")
_ABBREVIATION = re.compile(r"(\bet al|\be\.g|\bi\.e|\bcf|\betc|\bFigs?|\bvs|\bDr|\bapprox|\bNo|\bref|\bEq|\bvol|\bpp"
                           r"|\b[A-Z])\.$")
_BULLET = re.compile(r"^\s*([•▪◦●■□›»\u2022\u2023\u25e6\u2043\u2219*–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?[-–—\s]*(\d{1,4}|[ivxlc]{1,6})(\s*(/|of)\s*\d{1,4})?[-–—\s]*$",
                          re.IGNORECASE)
_LETTER_SPACED = re.compile(r"(?<![\w])(?:[A-Za-z] ){3,}[A-Za-z](?![\w])")


@dataclass(frozen=True)
class Glyph:
    """One character with its loose box in page coordinates, y growing downwards (top < bottom)."""

    char: str
    x0: float
    x1: float
    top: float
    bottom: float
    space: bool = False  # a real space character in the content stream
    hint: bool = False  # the PDF library put a word or line break before this glyph


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line]


def _same_line(last: Glyph, g: Glyph, size: float) -> bool:
    overlap = min(last.bottom, g.bottom) - max(last.top, g.top)
    height = min(last.bottom - last.top, g.bottom - g.top) or 1.0
    # ligature parts share one box, so a glyph may start where the previous one started
    return overlap > 0.4 * height and g.x0 >= last.x0 - 0.5 * size and g.x0 - last.x1 < 3 * size


def _line_text(glyphs: list[Glyph], size: float) -> str:
    """Spaces from the gaps: a gap wider than the local letter spacing is a word break (letter-spaced
    banners such as "R E V I E W" have wide but even gaps, so they stay one word)."""
    gaps = [b.x0 - a.x1 for a, b in zip(glyphs, glyphs[1:], strict=False)]
    out = [glyphs[0].char]
    for i, gap in enumerate(gaps):
        nxt = glyphs[i + 1]
        near = sorted(gaps[max(0, i - 4):i + 5])
        local = near[len(near) // 2] if near else 0.0
        spaced = local > 0.08 * size  # letter-spaced run: the library's own breaks there are unreliable
        threshold = max(0.14 * size, 1.7 * max(local, 0.0))
        if nxt.space or glyphs[i].space:
            out.append(nxt.char)
            continue
        out.append((" " if gap > threshold or (nxt.hint and not spaced and gap > -0.2 * size) else "") + nxt.char)
    text = "".join(out)
    return " ".join(text.split())


def glyph_lines(glyphs: list[Glyph]) -> list[Line]:
    """Group stream-ordered glyphs into lines; superscripts stay on their line."""
    lines: list[Line] = []
    current: list[Glyph] = []
    last: Glyph | None = None  # the last visible glyph of the current line

    def flush() -> None:
        visible = [g for g in current if not g.space]
        if visible:
            size = median(g.bottom - g.top for g in visible)
            text = _line_text(current, size)
            if text.strip():
                lines.append(Line(text, min(g.x0 for g in visible), max(g.x1 for g in visible),
                                  min(g.top for g in visible), max(g.bottom for g in visible), size))
        current.clear()

    for g in glyphs:
        if g.space:
            if current:
                current.append(g)
            continue
        if last is not None and current and not _same_line(last, g, max(last.bottom - last.top, 1.0)):
            flush()
        current.append(g)
        last = g
    flush()
    return lines


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _chrome(pages: list[Page]) -> set[tuple[int, int]]:
    """(page, line) indices of running headers/footers, page numbers and margin line numbers."""
    drop: set[tuple[int, int]] = set()
    margin_keys: Counter[str] = Counter()
    for page in pages:
        keys = {_key(ln.text) for ln in page.lines if _in_margin(ln, page)}
        margin_keys.update(keys)
    repeat = max(2, round(0.3 * len(pages)))
    for p, page in enumerate(pages):
        body = [ln for ln in page.lines if len(ln.text) > 20]
        left = min((ln.x0 for ln in body), default=0.0)
        right = max((ln.x1 for ln in body), default=page.width)
        for i, ln in enumerate(page.lines):
            if _in_margin(ln, page) and (_PAGE_NUMBER.match(ln.text)
                                          or (len(pages) > 2 and margin_keys[_key(ln.text)] >= repeat)):
                drop.add((p, i))
            elif re.fullmatch(r"\d{1,4}", ln.text) and (ln.x1 <= left + 1 or ln.x0 >= right - 1):
                drop.add((p, i))  # line numbers in the margin
    return drop


def _in_margin(line: Line, page: Page) -> bool:
    return line.bottom < 0.1 * page.height or line.top > 0.9 * page.height


def body_size(pages: list[Page]) -> float:
    """The commonest line height over the document, weighted by characters: the running text's size."""
    weights: Counter[float] = Counter()
    for page in pages:
        for ln in page.lines:
            weights[round(ln.size, 0)] += len(ln.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _reorder_asides(lines: list[Line], page: Page, size: float) -> list[Line]:
    """Footnotes and small print in the lower half that interrupt a column go to the end of the page."""
    out: list[Line] = []
    asides: list[Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].size < 0.86 * size:
            j += 1
        run = lines[i:j]
        if run and run[0].top > 0.5 * page.height and j < len(lines):
            asides.extend(run)
            i = j
            continue
        out.extend(run or lines[i:i + 1])
        i = max(j, i + 1)
    return out + asides


def _ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text)) and not _ABBREVIATION.search(text)


def _join(prev: str, nxt: str, hyphen_forms: Counter[str]) -> str:
    """Join two lines of one paragraph, repairing an end-of-line hyphen."""
    if prev.endswith(_DASHES) and nxt[:1].isalpha():
        stem = re.search(r"([\w]+)[-\u2010\u2011\ufffe\u00ad\u0002]$", prev)
        tail = re.match(r"[\w]+", nxt)
        if stem and tail:
            left, right = stem.group(1), tail.group(0)
            # a compound written with its hyphen elsewhere in the document keeps it; so do prefixes such as
            # "n-hexane" and parts that are names or numbers; anything else was split only to fit the line
            keep = (hyphen_forms[f"{left}-{right}".lower()] > hyphen_forms[f"{left}{right}".lower()]
                    or len(left) == 1 or right[:1].isupper() or any(ch.isdigit() for ch in left))
            if keep:
                return prev[:-1] + "-" + nxt
            return prev[:-1] + nxt
    return prev + " " + nxt


def _break(prev: Line, nxt: Line, width: float, size: float) -> str:
    """'' to join, '\n' for a new paragraph, '\n\n' around a heading."""
    heading = lambda ln: ln.size > 1.15 * size and len(ln.text) < 150  # noqa: E731
    if heading(prev) != heading(nxt) or (heading(prev) and abs(prev.size - nxt.size) > 0.5):
        return "\n\n"
    if prev.text.endswith(_DASHES):
        return ""
    gap = nxt.top - prev.bottom  # a blank line's worth of space between lines of one column ends a paragraph
    if gap > 0.9 * max(prev.size, nxt.size) and nxt.x0 < prev.x1:
        return "\n\n" if len(prev.text) < 80 and not _ends_sentence(prev.text) and prev.text[:1].isupper() else "\n"
    if _BULLET.match(nxt.text):
        return "\n"
    if _ends_sentence(prev.text):
        return "" if nxt.text[:1].islower() else "\n"
    if prev.text.endswith(":") and not nxt.text[:1].islower():
        return "\n"
    short = prev.width < 0.6 * width
    if short and not nxt.text[:1].islower():
        return "\n\n" if len(prev.text) < 80 and prev.text[:1].isupper() and "," not in prev.text else "\n"
    return ""


def page_texts(pages: list[Page]) -> list[str]:
    """Readable text per page (no form feeds inside), in reading order."""
    drop = _chrome(pages)
    size = body_size(pages)
    cleaned_pages: list[list[Line]] = []
    for p, page in enumerate(pages):
        kept = [ln for i, ln in enumerate(page.lines) if (p, i) not in drop]
        cleaned_pages.append(_reorder_asides(kept, page, size))
    hyphen_forms: Counter[str] = Counter()
    for lines in cleaned_pages:
        for ln in lines:
            for word in re.findall(r"\w+(?:-\w+)+|\w+", _clean(ln.text)):
                hyphen_forms[word.lower()] += 1
                if "-" in word:
                    parts = word.lower().split("-")
                    for a, b in zip(parts, parts[1:], strict=False):
                        hyphen_forms[f"{a}-{b}"] += 1
    texts: list[str] = []
    for lines in cleaned_pages:
        widths = [ln.width for ln in lines if len(ln.text) > 30]
        width = median(widths) if widths else max((ln.width for ln in lines), default=1.0)
        out = ""
        prev: Line | None = None
        for ln in lines:
            text = _clean(ln.text)
            if prev is None:
                out = text
            else:
                sep = _break(prev, ln, width, size)
                out = _join(out, text, hyphen_forms) if sep == "" else out + sep + text
            prev = ln
        texts.append(_finish(out))
    return texts


def _clean(text: str) -> str:
    for lig, plain in LIGATURES.items():
        text = text.replace(lig, plain)
    text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return text


def _finish(text: str) -> str:
    """Hyphen marks left inside a line are ordinary hyphens; no form feed may hide inside a page."""
    return text.replace("\ufffe", "-").replace("\u0002", "-").replace("\u00ad", "").replace("\f", " ")
