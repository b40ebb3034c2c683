"""PDF via pypdf: pages joined with a form feed, each page's offset kept so passages know their page."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from groundqa.ingest.decode import normalise_newlines
from groundqa.ingest.errors import LoadError
from groundqa.ingest.records import Document
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

logging.getLogger("pypdf").setLevel(logging.ERROR)


def load_pdf(path: Path, *, source_id: str, data: bytes | None = None) -> list[Document]:
    raw = path.read_bytes() if data is None else data
    if not raw:
        raise LoadError(f"{path}: is empty (0 bytes); re-export the PDF or remove it")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(f"{path}: is encrypted with a password; decrypt it (e.g. qpdf --decrypt) and ingest again")
        pages = [normalise_newlines(page.extract_text() or "").replace("\f", "\n") for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except LoadError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise LoadError(f"{path}: is not a readable PDF ({type(exc).__name__}: {exc}); "
                        "check the file is complete or re-export it") from exc
    if not pages or not any(p.strip() for p in pages):
        raise LoadError(f"{path}: has no extractable text (an image-only scan?); run OCR on it first")
    starts: list[int] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 1  # the joining form feed
    text = "\f".join(pages)
    title = str(meta_title).strip() if meta_title else path.stem
    return [Document(source_id=source_id, text=text, title=title or path.stem, path=str(path),
                     page_starts=tuple(starts))]
