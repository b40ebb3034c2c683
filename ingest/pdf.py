"""PDF via pypdfium2 (chosen by measurement, bench/README.md "Document reading"): layout-aware page text
joined with form feeds, each page's offset kept so passages know their page; scanned pages go to OCR.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from groundqa.core.errors import LoadError
from groundqa.core.records import Document
from groundqa.ingest.pdf_layout import Glyph, Page, glyph_lines, page_texts
from groundqa.ingest.pdf_meta import pdf_metadata

logging.getLogger("pypdfium2").setLevel(logging.ERROR)
MIN_PAGE_CHARS = 20  # a page with fewer extractable characters and an image on it is treated as scanned


def page_glyphs(page: pdfium.PdfPage) -> list[Glyph]:
    """The page's characters in content-stream order with their loose boxes (pdfium's own spacing dropped)."""
    textpage = page.get_textpage()
    height = page.get_height()
    glyphs: list[Glyph] = []
    raw = textpage.raw
    hint = False
    box = pdfium_c.FS_RECTF()
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        char = chr(code)
        if pdfium_c.FPDFText_IsGenerated(raw, i) or char in "\r\n":
            hint = hint or char.isspace()  # pdfium's own word and line breaks: a hint, not the rule
            continue
        if code in (0, 0xFFFF):
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
        left, bottom, right, top = box.left, box.bottom, box.right, box.top
        if char.isspace():
            glyphs.append(Glyph(" ", left, right, height - top, height - bottom, space=True))
        elif code >= 32 or code == 2:
            glyphs.append(Glyph(char, left, right, height - top, height - bottom, hint=hint))
        hint = False
    textpage.close()
    return glyphs


def pdfium_pages(pdf: pdfium.PdfDocument) -> list[Page]:
    pages: list[Page] = []
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        pages.append(Page(width, height, glyph_lines(page_glyphs(page))))
        page.close()
    return pages


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))


def open_pdf(raw: bytes, path: Path) -> pdfium.PdfDocument:
    if not raw:
        raise LoadError(f"{path}: is empty (0 bytes); re-export the PDF or remove it")
    try:
        return pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise LoadError(f"{path}: is encrypted with a password; decrypt it (e.g. qpdf --decrypt) and ingest "
                            "again") from exc
        raise LoadError(f"{path}: is not a readable PDF ({exc}); check the file is complete or re-export it") from exc


def load_pdf(path: Path, *, source_id: str, data: bytes | None = None, ocr_lang: str = "eng") -> list[Document]:
    raw = path.read_bytes() if data is None else data
    pdf = open_pdf(raw, path)
    try:
        if len(pdf) == 0:
            raise LoadError(f"{path}: has no pages; re-export the PDF or remove it")
        pages = pdfium_pages(pdf)
        scanned = [i for i, page in enumerate(pages)
                   if sum(len(line.text) for line in page.lines) < MIN_PAGE_CHARS and _has_images(pdf[i])]
        if scanned:
            from groundqa.ingest.ocr import ocr_lines

            for index, lines in ocr_lines(pdf, scanned, path=path, lang=ocr_lang).items():
                pages[index].lines = lines
        texts = page_texts(pages)
        metadata: dict[str, Any] = pdf_metadata(pdf, pages)
    except pdfium.PdfiumError as exc:
        raise LoadError(f"{path}: is not a readable PDF ({exc}); check the file is complete or re-export it") from exc
    finally:
        pdf.close()
    if scanned:
        metadata["ocr_pages"] = [i + 1 for i in scanned]
    if not any(re.search(r"\w", t) for t in texts):
        raise LoadError(f"{path}: has no extractable text and no scanned page images to read; "
                        "check that the PDF is not blank")
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1  # the joining form feed
    title = metadata.get("title") or path.stem
    return [Document(source_id=source_id, text="\f".join(texts), title=title, path=str(path),
                     page_starts=tuple(starts), metadata=metadata)]
