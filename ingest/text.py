"""Plain text and Markdown: stored as written (newlines normalised), so offsets point at the file's own words."""

from __future__ import annotations

import re
from pathlib import Path

from groundqa.core.errors import LoadError
from groundqa.core.records import Document
from groundqa.ingest.decode import decode_bytes, normalise_newlines

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def load_text(path: Path, *, source_id: str, data: bytes | None = None) -> list[Document]:
    raw = path.read_bytes() if data is None else data
    text = normalise_newlines(decode_bytes(raw, name=str(path)))
    if not re.search(r"\w", text):
        raise LoadError(f"{path}: is empty (no words after decoding); add content or remove the file")
    return [Document(source_id=source_id, text=text, title=_guess_title(text, path), path=str(path))]


def _guess_title(text: str, path: Path) -> str:
    if path.suffix.lower() in {".md", ".markdown"}:
        match = _MD_HEADING.search(text)
        if match:
            return match.group(1)
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:120]
    return path.stem
