"""JSON Lines: one document per line; the BEIR corpus format {_id, title, text} is accepted."""

from __future__ import annotations

import json
from pathlib import Path

from groundqa.core.errors import LoadError
from groundqa.core.records import Document
from groundqa.ingest.decode import decode_bytes, normalise_newlines


def load_jsonl(path: Path, *, source_id: str, data: bytes | None = None) -> tuple[list[Document], list[str]]:
    """Return the documents of every good line and one error message per bad line."""
    raw = path.read_bytes() if data is None else data
    text = normalise_newlines(decode_bytes(raw, name=str(path)))
    documents: list[Document] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
            continue
        if not isinstance(record, dict):
            errors.append(f"{path}:{number}: expected a JSON object with _id and text, got {type(record).__name__}")
            continue
        doc_id = record.get("_id", record.get("id"))
        body = record.get("text")
        if doc_id is None or str(doc_id).strip() == "":
            errors.append(f"{path}:{number}: has no _id (or id); every line needs a unique document id")
            continue
        if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
            errors.append(f"{path}:{number}: _id must be a string or a whole number, got {type(doc_id).__name__}")
            continue
        if not isinstance(body, str) or not body.strip():
            errors.append(f"{path}:{number}: document {doc_id!r} has no text; give it a non-empty \"text\" string")
            continue
        doc_id = str(doc_id)
        if doc_id in seen:
            errors.append(f"{path}:{number}: duplicate _id {doc_id!r}; ids must be unique, the first one was kept")
            continue
        seen.add(doc_id)
        title = record.get("title")
        documents.append(Document(source_id=doc_id, text=normalise_newlines(body),
                                  title=str(title) if title else None, path=str(path)))
    if not documents and not errors:
        raise LoadError(f"{path}: is empty (no JSON lines); add documents or remove the file")
    return documents, errors
