"""The three PDF libraries compared for ingest/pdf.py, each fed through the same layout step where it can be.

- pypdfium2: glyphs with loose boxes in content-stream order (the loader's own code, ingest/pdf.py).
- pdfplumber: its ``page.chars`` (pdfminer), also in stream order, into the same glyph-to-text step.
- pypdf ``extraction_mode="layout"``: a fixed-width text grid; rows are cut into segments at wide gaps and
  re-ordered into columns by a gutter search, then go through the same cleanup (sizes are unknown to it).
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from groundqa.core.records import Document
from groundqa.ingest.pdf_layout import Glyph, Line, Page, glyph_lines, page_texts

logging.getLogger("pdfminer").setLevel(logging.ERROR)
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _document(path: Path, texts: list[str]) -> Document:
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    return Document(source_id=path.stem, text="\f".join(texts), title=path.stem, path=str(path),
                    page_starts=tuple(starts))


def load_pdfium(path: Path) -> Document:
    from groundqa.ingest.pdf import load_pdf

    return load_pdf(path, source_id=path.stem)[0]


def load_pdfplumber(path: Path) -> Document:
    import pdfplumber

    pages: list[Page] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            glyphs = [Glyph(" " if c["text"].isspace() else c["text"], float(c["x0"]), float(c["x1"]),
                            float(c["top"]), float(c["bottom"]), space=c["text"].isspace())
                      for c in page.chars if c.get("upright", True)]
            pages.append(Page(float(page.width), float(page.height), glyph_lines(glyphs)))
    return _document(path, page_texts(pages))


_SEGMENT = re.compile(r"\S+(?: {1,2}\S+)*")


def _grid_lines(grid: str) -> list[Line]:
    """Segments of a layout-mode text grid, ordered column by column between full-width rows."""
    rows = [row for row in grid.split("\n")]
    width = max((len(r) for r in rows), default=1)
    segments = [(y, m.start(), m.end(), m.group()) for y, row in enumerate(rows) for m in _SEGMENT.finditer(row)]
    gutter = None
    for c in range(int(width * 0.35), int(width * 0.65)):
        crossing = sum(1 for _, x0, x1, _ in segments if x0 < c < x1)
        left = sum(1 for _, _, x1, _ in segments if x1 <= c)
        right = sum(1 for _, x0, _, _ in segments if x0 >= c)
        if left > 5 and right > 5 and crossing < 0.1 * len(segments):
            if gutter is None or crossing < gutter[1]:
                gutter = (c, crossing)
    out: list[Line] = []
    left_buf: list[Line] = []
    right_buf: list[Line] = []
    for y, x0, x1, text in segments:
        line = Line(text, float(x0), float(x1), float(y), float(y + 1), 1.0)
        if gutter is None:
            out.append(line)
        elif x1 <= gutter[0]:
            left_buf.append(line)
        elif x0 >= gutter[0]:
            right_buf.append(line)
        else:
            out.extend(left_buf + right_buf + [line])
            left_buf, right_buf = [], []
    return out + left_buf + right_buf


def load_pypdf_layout(path: Path) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    pages = []
    for page in reader.pages:
        grid = page.extract_text(extraction_mode="layout") or ""
        rows = grid.split("\n")
        pages.append(Page(float(max((len(r) for r in rows), default=1)), float(len(rows) or 1), _grid_lines(grid)))
    return _document(path, page_texts(pages))


def load_pypdf_plain(path: Path) -> Document:
    """The loader before this change: pypdf's default extraction, pages joined as they came."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    texts = [(p.extract_text() or "").replace("\r\n", "\n").replace("\f", "\n") for p in reader.pages]
    return _document(path, texts)


BACKENDS = {"pypdfium2": load_pdfium, "pdfplumber": load_pdfplumber, "pypdf-layout": load_pypdf_layout,
            "pypdf-plain (before)": load_pypdf_plain}
