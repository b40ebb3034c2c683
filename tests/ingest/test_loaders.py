"""Every loader on real bytes: what it keeps, and the clear error for each way a file can be unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from groundqa.core.errors import LoadError
from groundqa.ingest.loaders import load_file

from tests.pdfs import encrypt_pdf, make_pdf


def load(name: str, data: bytes):
    return load_file(Path(name), source_id=Path(name).stem, data=data)


def test_text_keeps_the_words_and_normalises_newlines() -> None:
    (doc,), errors = load("a.txt", b"Title line\r\n\r\nBody text here.\r\n")
    assert errors == [] and doc.text == "Title line\n\nBody text here.\n" and doc.title == "Title line"


def test_markdown_title_from_heading() -> None:
    (doc,), _ = load("a.md", b"Intro words\n\n# Metastatic disease\n\nText.")
    assert doc.title == "Metastatic disease" and "# Metastatic disease" in doc.text


@pytest.mark.parametrize(("data", "expected"), [
    ("Caf\u00e9 na\u00efve".encode("latin-1"), "Caf\u00e9 na\u00efve"),
    ("\ufeffBOM text \u00e9".encode(), "BOM text \u00e9"),
    ("UTF-16 text \u00e9".encode("utf-16"), "UTF-16 text \u00e9"),
])
def test_text_encodings(data: bytes, expected: str) -> None:
    (doc,), _ = load("a.txt", data)
    assert doc.text == expected


def test_html_keeps_visible_text_only() -> None:
    html = b"""<html><head><title>Bone metastases</title><style>p{color:red}</style>
    <script>var secret = "do not index";</script></head><body>
    <nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
    <h1>Bone metastases</h1><p>Bone is a <b>common</b> site of spread.</p>
    <ul><li>Pain</li><li>Fractures</li></ul><footer>Copyright clinic</footer>
    <div hidden>hidden text</div></body></html>"""
    (doc,), _ = load("page.html", html)
    assert doc.title == "Bone metastases"
    assert "Bone is a common site of spread." in doc.text
    assert "Pain\n" in doc.text and "Fractures" in doc.text
    for junk in ("secret", "color:red", "Home", "About us", "Copyright", "hidden text"):
        assert junk not in doc.text


def test_pdf_pages_are_joined_with_form_feeds_and_kept() -> None:
    (doc,), _ = load("r.pdf", make_pdf(["Page one text about bones.", "Page two text about liver."]))
    assert doc.text.split("\f") == ["Page one text about bones.", "Page two text about liver."]
    assert doc.page_at(doc.text.index("liver")) == 2 and doc.page_at(0) == 1


def test_jsonl_beir_corpus_and_bad_lines() -> None:
    lines = [
        json.dumps({"_id": "d1", "title": "Asthma", "text": "Asthma narrows the airways."}),
        "{not json",
        json.dumps({"_id": "d2", "text": ""}),
        json.dumps(["a", "list"]),
        json.dumps({"title": "no id", "text": "x"}),
        json.dumps({"_id": "d1", "text": "duplicate"}),
        json.dumps({"id": 7, "text": "Plain id field works too."}),
    ]
    docs, errors = load("c.jsonl", "\n".join(lines).encode())
    assert [(d.source_id, d.title) for d in docs] == [("d1", "Asthma"), ("7", None)]
    assert len(errors) == 5
    assert "c.jsonl:2: not valid JSON" in errors[0]
    assert "no text" in errors[1] and "JSON object" in errors[2] and "no _id" in errors[3] and "duplicate" in errors[4]


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"  \n\n\t", "empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("script-only.html", b"<html><script>alert(1)</script></html>", "no visible text"),
    ("empty.pdf", b"", "empty"),
    ("truncated.pdf", make_pdf(["Some text on a page."])[:150], "not a readable PDF"),
    ("garbage.pdf", b"this is not a pdf at all", "not a readable PDF"),
    ("scan.pdf", make_pdf(["", ""]), "no extractable text"),
    ("locked.pdf", encrypt_pdf(make_pdf(["Secret text."])), "encrypted"),
    ("empty.jsonl", b"\n\n", "empty"),
])
def test_unusable_files_get_a_clear_error(name: str, data: bytes, needle: str) -> None:
    with pytest.raises(LoadError) as info:
        load(name, data)
    assert name in str(info.value) and needle in str(info.value)
