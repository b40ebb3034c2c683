"""Bytes to text: BOM-aware, UTF-8 first, a single-byte fallback, binary refused."""

from __future__ import annotations

import codecs
import unicodedata

from groundqa.core.errors import LoadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_TEXT_CONTROLS = "\t\n\r\f\v"


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
        text = _bomless_utf16(data)
        if text is None:
            raise LoadError(f"{name}: looks binary (NUL bytes in the first 8 KB); convert it to text, "
                            "Markdown, HTML or PDF, or remove it from the corpus")
        return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 is what most non-UTF-8 web text is; latin-1 never fails as the last resort.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    sample = text[:8192]
    if sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS) > len(sample) / 10:
        raise LoadError(f"{name}: looks binary (more than 10% control characters); convert it to text, "
                        "Markdown, HTML or PDF, or remove it from the corpus")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: in Latin-script text every other byte is NUL."""
    head = data[:8192]
    even, odd = head[0::2], head[1::2]
    for encoding, zeros, letters in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if len(data) % 2 == 0 and zeros.count(0) > 0.4 * len(zeros) and letters.count(0) < 0.05 * len(letters):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def normalise_newlines(text: str) -> str:
    """One newline convention in stored text, so offsets mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
