"""Property tests of the loaders end to end: arbitrary bytes never crash them (a LoadError at worst), and for
arbitrary text every passage cut from what they load is the exact slice ``document.text[start:end]``."""

from __future__ import annotations

import html
import json
from pathlib import Path

from groundqa.core.errors import LoadError
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.decode import decode_bytes, normalise_newlines
from groundqa.ingest.loaders import SUFFIXES, load_file
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.pdfs import encrypt_pdf, make_pdf

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL_CHUNKS = ChunkSettings(max_chars=80, overlap_chars=20)

# Text with what breaks offset bookkeeping: newlines of every kind, form feeds, combining marks, characters
# whose case mapping changes length, astral characters, headings and list bullets.
TOKENS = [*"ab cd.?!\n\r\f\t#-*\u2022:", "\u0130", "\u00df", "e\u0301", "\ufb01", "\U0001F9B4", "\u00a0", "\u2028",
          "Word", "  ", "\r\n", "Dr. ", "e.g. ", "# Heading\n\n"]
prose = st.lists(st.sampled_from(TOKENS), max_size=200).map("".join) | st.text(max_size=300)
SAMPLE_PDF = make_pdf(["Bone metastases cause pain.", "", "Radiotherapy relieves it (often)."])


def slices_hold(doc_text: str, source_id: str, settings_: ChunkSettings = SMALL_CHUNKS) -> None:
    from groundqa.core.records import Document

    passages = chunk_document(Document(source_id=source_id, text=doc_text), settings_)
    for p in passages:
        assert 0 <= p.start < p.end <= len(doc_text)
        assert doc_text[p.start:p.end] == p.text
    assert [p.start for p in passages] == sorted(p.start for p in passages)


def load_or_reject(name: str, data: bytes):
    """Either documents (plus per-line errors) or a LoadError with a message naming the file."""
    try:
        return load_file(Path(name), source_id=Path(name).stem, data=data)
    except LoadError as exc:
        assert name in str(exc)
        return None


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(sorted(SUFFIXES)))
@example(data=b"\xff\xfe\x00", suffix=".txt")  # a BOM and half a code unit
@example(data=b"\xef\xbb\xbf\x00\x00", suffix=".html")
@example(data=b'{"_id": 1e999, "text": "x"}', suffix=".jsonl")
def test_arbitrary_bytes_never_crash_a_loader(data: bytes, suffix: str) -> None:
    loaded = load_or_reject(f"fuzz{suffix}", data)
    if loaded is not None:
        documents, _ = loaded
        for doc in documents:
            slices_hold(doc.text, doc.source_id)


@FUZZ
@given(cut=st.integers(0, len(SAMPLE_PDF)), flips=st.lists(st.tuples(st.integers(0, len(SAMPLE_PDF) - 1),
                                                                      st.integers(0, 255)), max_size=8))
def test_damaged_pdfs_are_load_errors(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(SAMPLE_PDF)
    for at, value in flips:
        data[at] = value
    loaded = load_or_reject("damaged.pdf", bytes(data[:cut]) if cut else bytes(data))
    if loaded is not None:
        (doc,), _ = loaded
        assert doc.page_starts and doc.page_starts[0] == 0
        slices_hold(doc.text, doc.source_id)


def test_encrypted_pdf_is_refused_with_what_to_do() -> None:
    assert load_or_reject("locked.pdf", encrypt_pdf(SAMPLE_PDF)) is None


@FUZZ
@given(text=prose, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_text_files_store_what_was_written_and_slices_hold(text: str, encoding: str) -> None:
    loaded = load_or_reject("doc.txt", text.encode(encoding, errors="surrogatepass"))
    if loaded is None:
        return
    (doc,), _ = loaded
    assert doc.text == normalise_newlines(text)
    slices_hold(doc.text, "doc")


@FUZZ
@given(paragraphs=st.lists(prose, min_size=1, max_size=5), title=prose)
def test_html_slices_hold_and_scripts_never_leak(paragraphs: list[str], title: str) -> None:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    markup = (f"<html><head><title>{html.escape(title)}</title><script>SECRET_SCRIPT()</script></head>"
              f"<body>{body}<script>LEAK()</script></body></html>")
    loaded = load_or_reject("page.html", markup.encode())
    if loaded is None:
        return
    (doc,), _ = loaded
    assert "SECRET_SCRIPT" not in doc.text and "LEAK" not in doc.text
    slices_hold(doc.text, "page")


@FUZZ
@given(records=st.lists(st.one_of(
    st.fixed_dictionaries({"_id": st.text(max_size=8) | st.integers(), "text": prose}),
    st.dictionaries(st.text(max_size=5), st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    max_size=3),
    st.text(max_size=30)), max_size=6))
def test_jsonl_good_lines_load_and_bad_lines_are_reported(records: list) -> None:
    lines = [json.dumps(r) if not isinstance(r, str) else r for r in records]
    loaded = load_or_reject("corpus.jsonl", "\n".join(lines).encode())
    if loaded is None:
        return
    documents, errors = loaded
    assert len({d.source_id for d in documents}) == len(documents)
    assert all(e.startswith("corpus.jsonl:") for e in errors)
    for doc in documents:
        slices_hold(doc.text, doc.source_id)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_decoding_returns_text_or_says_why_not(data: bytes) -> None:
    try:
        text = decode_bytes(data, name="f.txt")
    except LoadError as exc:
        assert "f.txt" in str(exc) and ("binary" in str(exc) or "byte-order mark" in str(exc))
        return
    assert isinstance(text, str)
