"""Bytes to text: BOM-aware, UTF-8 first, a single-byte fallback, binary refused."""

from __future__ import annotations

import codecs

from ingest.errors import LoadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode file bytes, or raise LoadError saying why the file is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(f"{name}: starts with a {encoding} byte-order mark but does not decode as "
                                f"{encoding} ({exc.reason}); re-save it as UTF-8") from exc
    if b"\x00" in data[:8192]:
        raise LoadError(f"{name}: looks binary (NUL bytes in the first 8 KB); convert it to text, "
                        "Markdown, HTML or PDF, or remove it from the corpus")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 is what most non-UTF-8 web text is; latin-1 never fails as the last resort.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def normalise_newlines(text: str) -> str:
    """One newline convention in stored text, so offsets mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
