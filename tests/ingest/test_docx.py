"""Word documents: text in document order with headings, lists and tables; core properties as metadata;
clear errors for what cannot be read. The .docx files are written here with python-docx."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from groundqa.core.errors import LoadError
from groundqa.core.sentences import split_sentences
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.loaders import load_file

BODY = "Radiotherapy relieves bone pain in most patients within four weeks of the first treatment."


def guide() -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.title, props.author = "Bone metastases: a patient guide", "Jane Smith; John Doe"
    props.created = dt.datetime(2022, 5, 17, 10, 0)
    document.add_heading("Bone metastases: a patient guide", 0)
    document.add_paragraph("Bone is a common site of spread for breast and prostate cancer. " * 3)
    document.add_heading("Treatment", 1)
    document.add_paragraph(BODY)
    document.add_paragraph("Pain relief", style="List Bullet")
    document.add_paragraph("Fewer fractures", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    cells = {(0, 0): "Drug", (0, 1): "Use", (1, 0): "Zoledronic acid", (1, 1): "Prevents fractures"}
    for (r, c), text in cells.items():
        table.cell(r, c).text = text
    document.add_heading("Side effects", 2)
    document.add_paragraph("Tiredness is the most common side effect and usually passes within a few weeks.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def doc():
    (loaded,), errors = load_file(Path("guide.docx"), source_id="guide", data=guide())
    assert errors == []
    return loaded


def test_docx_headings_are_kept(doc) -> None:
    sentence = next(s for s in split_sentences(doc.text) if doc.text[s.start:s.end] == BODY)
    assert sentence.heading == "Treatment"
    passages = chunk_document(doc, ChunkSettings(max_chars=200, overlap_chars=0))
    assert {"Treatment", "Side effects"} <= {p.heading for p in passages}
    assert all(doc.text[p.start:p.end] == p.text for p in passages)


def test_docx_lists_tables_and_order(doc) -> None:
    assert "- Pain relief\n- Fewer fractures" in doc.text
    assert "Zoledronic acid | Prevents fractures" in doc.text
    assert doc.text.index("Treatment") < doc.text.index(BODY) < doc.text.index("Drug | Use") < doc.text.index(
        "Side effects")


def test_docx_core_properties_are_metadata(doc) -> None:
    assert doc.title == "Bone metastases: a patient guide"
    assert doc.metadata["authors"] == ["Jane Smith", "John Doe"] and doc.metadata["date"] == "2022-05-17"


@pytest.mark.parametrize(("data", "needle"), [
    (b"", "empty"),
    (b"PK\x03\x04 not really a zip", "not a readable Word .docx document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old-format (.doc)"),
])
def test_unreadable_docx_gets_a_clear_error(data: bytes, needle: str) -> None:
    with pytest.raises(LoadError) as info:
        load_file(Path("bad.docx"), source_id="bad", data=data)
    assert "bad.docx" in str(info.value) and needle in str(info.value)


def test_docx_without_text_is_refused() -> None:
    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(LoadError, match="has no text"):
        load_file(Path("blank.docx"), source_id="blank", data=out.getvalue())


def test_docx_with_broken_xml_is_a_load_error() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types><broken")
        package.writestr("word/document.xml", "<w:document")
    with pytest.raises(LoadError, match="broken.docx: is not a readable Word .docx document"):
        load_file(Path("broken.docx"), source_id="broken", data=out.getvalue())
