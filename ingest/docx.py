"""Word documents (.docx) via python-docx: paragraphs and tables in document order, headings kept.

Headings (the built-in "Title" and "Heading N" styles, or an outline level) become a line of their own
followed by a blank line, which is how the sentence splitter recognises a heading; list paragraphs start
with "- "; table rows read "cell | cell". Title, author and date come from the document's core properties.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from groundqa.core.errors import LoadError
from groundqa.core.records import Document

_HEADING_STYLE = re.compile(r"^(title|subtitle|heading\s*\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list", re.IGNORECASE)


def _is_heading(paragraph: Any) -> bool:
    style = paragraph.style.name if paragraph.style is not None else ""
    if _HEADING_STYLE.match(style or ""):
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") \
        is not None


def _is_list(paragraph: Any) -> bool:
    style = paragraph.style.name if paragraph.style is not None else ""
    ppr = paragraph._p.pPr
    return bool(_LIST_STYLE.search(style or "")) or (ppr is not None and ppr.numPr is not None)


def _blocks(document: Any) -> list[str]:
    from docx.table import Table

    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                        cells.append(text)
                if cells:
                    blocks.append(" | ".join(cells))
            blocks.append("")
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        if _is_heading(item):
            blocks.extend(["", text, ""])
        elif _is_list(item):
            blocks.append("- " + text)
        else:
            blocks.append(text)
    return blocks


def _metadata(document: Any) -> dict[str, Any]:
    props = document.core_properties
    meta: dict[str, Any] = {}
    if props.title and props.title.strip():
        meta["title"] = " ".join(props.title.split())
    if props.author and props.author.strip():
        meta["authors"] = [a.strip() for a in re.split(r";|,(?=\s*\S+\s+\S)", props.author) if a.strip()]
    when = props.created or props.modified
    if when is not None and when.year > 1980:
        meta["date"] = when.date().isoformat()
    if props.language and props.language.strip():
        meta["language"] = props.language.strip()
    return meta


def load_docx(path: Path, *, source_id: str, data: bytes | None = None) -> list[Document]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    raw = path.read_bytes() if data is None else data
    if not raw:
        raise LoadError(f"{path}: is empty (0 bytes); re-save the document or remove it")
    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = _blocks(document)
        meta = _metadata(document)
    except (PackageNotFoundError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError,
            AttributeError, SyntaxError, EOFError, NotImplementedError, OSError) as exc:  # SyntaxError: broken XML
        hint = ("a password-protected or old-format (.doc) Word file? save it as .docx without a password"
                if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else "check the file is complete or re-save it")
        raise LoadError(f"{path}: is not a readable Word .docx document ({type(exc).__name__}); {hint}") from exc
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(blocks)).strip()
    if not re.search(r"\w", text):
        raise LoadError(f"{path}: has no text (an empty document, or only images?); add text or remove it")
    title = meta.get("title") or next((b for b in blocks if b.strip()), path.stem)[:120]
    return [Document(source_id=source_id, text=text, title=title, path=str(path), metadata=meta)]
