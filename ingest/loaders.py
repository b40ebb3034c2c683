"""Pick the loader for a file by its suffix; every loader returns documents plus per-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from groundqa.core.records import Document
from groundqa.ingest.docx import load_docx
from groundqa.ingest.html import load_html
from groundqa.ingest.jsonl import load_jsonl
from groundqa.ingest.pdf import load_pdf
from groundqa.ingest.text import load_text

Loader = Callable[..., list[Document]]

_SINGLE: dict[str, Loader] = {
    ".txt": load_text,
    ".text": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
SUFFIXES = frozenset(_SINGLE) | {".jsonl"}


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def load_file(path: Path, *, source_id: str, data: bytes) -> tuple[list[Document], list[str]]:
    """Load one file; raises LoadError when nothing in it is usable."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return load_jsonl(path, source_id=source_id, data=data)
    return _SINGLE[suffix](path, source_id=source_id, data=data), []
