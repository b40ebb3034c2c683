"""OCR for scanned PDF pages (the optional ``groundqa[ocr]`` extra: pytesseract over Debian's tesseract-ocr).

A page is rendered with pdfium at 300 dpi and read by Tesseract word by word with boxes; the words become
lines in PDF points, so the same layout step as for text PDFs joins them into sentences and repairs
hyphens. Passages from these pages say they came from OCR (``PassageOut.ocr``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from groundqa.core.errors import LoadError
from groundqa.ingest.pdf_layout import Line

DPI = 300
INSTALL = ("install the OCR extra and Tesseract: pip install 'groundqa[ocr]' and apt-get install tesseract-ocr "
           "(./scripts/install --test installs both)")


def _tesseract(path: Path, pages: list[int]) -> Any:
    listed = ", ".join(str(p + 1) for p in pages[:10]) + (" ..." if len(pages) > 10 else "")
    try:
        import pytesseract
    except ImportError as exc:
        raise LoadError(f"{path}: page(s) {listed} are scanned images with no text layer; reading them needs OCR: "
                        f"{INSTALL}") from exc
    try:
        pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise LoadError(f"{path}: page(s) {listed} are scanned images with no text layer and the tesseract program "
                        f"is not installed; {INSTALL}") from exc
    return pytesseract


def ocr_lines(pdf: Any, pages: list[int], *, path: Path, lang: str = "eng") -> dict[int, list[Line]]:
    """Lines (in PDF points, top-down) of each scanned page, read by Tesseract."""
    tesseract = _tesseract(path, pages)
    scale = 72 / DPI
    out: dict[int, list[Line]] = {}
    for index in pages:
        page = pdf[index]
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        page.close()
        try:
            data = tesseract.image_to_data(image, lang=lang, output_type=tesseract.Output.DICT)
        except tesseract.TesseractError as exc:
            raise LoadError(f"{path}: OCR of page {index + 1} failed ({exc}); check the tesseract-ocr "
                            f"installation and its '{lang}' language data") from exc
        words: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                words.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        lines: list[Line] = []
        for ids in words.values():
            x0 = min(data["left"][i] for i in ids)
            x1 = max(data["left"][i] + data["width"][i] for i in ids)
            top = min(data["top"][i] for i in ids)
            bottom = max(data["top"][i] + data["height"][i] for i in ids)
            heights = sorted(data["height"][i] for i in ids)
            text = " ".join(data["text"][i].strip() for i in ids)
            lines.append(Line(text, x0 * scale, x1 * scale, top * scale, bottom * scale,
                              heights[len(heights) // 2] * scale * 1.35))  # word height to line size
        out[index] = lines
    return out
