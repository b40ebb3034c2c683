"""The HTML extractors compared for ingest/html.py; each turns a saved page into a Document (text + metadata)."""

from __future__ import annotations

from pathlib import Path

from groundqa.core.records import Document
from groundqa.ingest.decode import decode_bytes, normalise_newlines
from groundqa.ingest.html import extract, html_to_text, load_html, readable_text, trafilatura_text


def _markup(path: Path) -> str:
    return normalise_newlines(decode_bytes(path.read_bytes(), name=str(path)))


def groundqa(path: Path) -> Document:
    """The shipped loader."""
    return load_html(path, source_id=path.parent.name)[0]


def before(path: Path) -> Document:
    """The loader before this change: every visible line outside nav/header/footer/aside/form; <title>."""
    text, title = html_to_text(_markup(path))
    return Document(source_id=path.parent.name, text=text, metadata={"title": title} if title else {})


def _extractor(name: str):
    def load(path: Path) -> Document:
        text, meta = extract(_markup(path), extractor=name)
        return Document(source_id=path.parent.name, text=text, metadata=meta)
    load.__doc__ = f"main text by {name}, metadata as shipped"
    return load


def readability_alone(path: Path) -> Document:
    """readability-lxml by itself: its text and its <title>; it finds no byline or date."""
    from readability import Document as Readable

    markup = _markup(path)
    return Document(source_id=path.parent.name, text=readable_text(markup),
                    metadata={"title": Readable(markup).title()})


def trafilatura_alone(path: Path) -> Document:
    """trafilatura by itself (balanced): its text and its own metadata."""
    text, found = trafilatura_text(_markup(path))
    meta = {}
    if found is not None:
        meta = {k: v for k, v in (("title", found.title), ("date", found.date)) if v}
        if found.author:
            meta["authors"] = [a.strip() for a in found.author.split(";")]
    return Document(source_id=path.parent.name, text=text, metadata=meta)


BACKENDS = {
    "groundqa": groundqa,
    "readability-lxml text": _extractor("readability"),
    "trafilatura-recall text": _extractor("trafilatura-recall"),
    "trafilatura-balanced text": _extractor("trafilatura-balanced"),
    "trafilatura-precision text": _extractor("trafilatura-precision"),
    "readability-lxml alone": readability_alone,
    "trafilatura alone": trafilatura_alone,
    "before (visible text)": before,
}
