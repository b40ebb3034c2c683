"""HTML: visible text only. Scripts, styles, navigation and page chrome are dropped before extraction."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from groundqa.ingest.decode import decode_bytes, normalise_newlines
from groundqa.ingest.errors import LoadError
from groundqa.ingest.records import Document

_INVISIBLE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "svg",
              "iframe", "head", "button", "select", "form")
_BLOCKS = ("p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
           "br", "tr", "table", "blockquote", "pre", "dd", "dt", "figcaption", "hr", "title")


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Return (visible text, title); block elements become line breaks, inline ones do not."""
    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title") or soup.find("h1")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for tag in soup.find_all(attrs={"hidden": True}):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = soup.get_text()
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, title or None


def load_html(path: Path, *, source_id: str, data: bytes | None = None) -> list[Document]:
    raw = path.read_bytes() if data is None else data
    markup = normalise_newlines(decode_bytes(raw, name=str(path)))
    text, title = html_to_text(markup)
    if not text:
        raise LoadError(f"{path}: has no visible text once scripts, styles and navigation are removed")
    return [Document(source_id=source_id, text=text, title=title or path.stem, path=str(path))]
