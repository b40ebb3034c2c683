"""Chunking: exact offsets for any text, sentence integrity, page breaks, headings, boilerplate once."""

from __future__ import annotations

from groundqa.core.records import Document
from groundqa.core.sentences import split_sentences
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from hypothesis import given, settings
from hypothesis import strategies as st

_ALPHABET = st.sampled_from(list("abc xyz.!?;,\n\n\f\t  •-–“”é漢") + ["Dr. ", "e.g. ", "3.5 ", "\n\n", "# H\n"])
texts = st.lists(_ALPHABET, max_size=400).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=texts, max_chars=st.integers(50, 400), overlap=st.integers(0, 24))
def test_every_passage_is_an_exact_slice(text: str, max_chars: int, overlap: int) -> None:
    doc = Document(source_id="d", text=text)
    for p in chunk_document(doc, ChunkSettings(max_chars=max_chars, overlap_chars=overlap)):
        assert doc.text[p.start:p.end] == p.text
        assert 0 <= p.start < p.end <= len(text)
        assert p.end - p.start <= max_chars
        assert p.text == p.text.strip()


@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_sentences_are_ordered_disjoint_stripped_slices(text: str) -> None:
    last_end = 0
    for s in split_sentences(text):
        assert last_end <= s.start < s.end <= len(text)
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece
        last_end = s.end


def test_no_sentence_is_split_and_overlap_is_whole_sentences() -> None:
    sentences = [f"Sentence number {i} talks about metastatic disease and its treatment options." for i in range(30)]
    text = " ".join(sentences)
    passages = chunk_document(Document(source_id="d", text=text), ChunkSettings(max_chars=300, overlap_chars=100))
    assert len(passages) > 5
    for p in passages:
        assert p.text.startswith("Sentence number") and p.text.endswith("options.")
    # consecutive passages overlap by at least one sentence, and together cover every sentence
    assert all(b.start < a.end for a, b in zip(passages, passages[1:], strict=False))
    covered = "".join(p.text for p in passages)
    assert all(s in covered for s in sentences)


def test_passages_never_cross_a_page_and_know_their_page() -> None:
    pages = ["Page one is about bone metastases. " * 3, "Page two is about liver metastases. " * 3]
    text = "\f".join(pages)
    doc = Document(source_id="d", text=text, page_starts=(0, len(pages[0]) + 1))
    passages = chunk_document(doc, ChunkSettings(max_chars=2000, overlap_chars=0))
    assert [p.page for p in passages] == [1, 2]
    assert all("\f" not in p.text for p in passages)


def test_repeated_boilerplate_is_indexed_once() -> None:
    chrome = "Mon - Sat from 09:00 to 20:00\nSun - closed\n\n"
    text = chrome + chrome + "Metastases are secondary tumours formed by cells that travel in blood or lymph."
    passages = chunk_document(Document(source_id="d", text=text))
    joined = "\n".join(p.text for p in passages)
    assert joined.count("Mon - Sat from 09:00 to 20:00") == 1
    assert joined.count("Sun - closed") == 1
    assert "secondary tumours" in joined


def test_headings_start_passages_and_are_recorded() -> None:
    body = "Chemotherapy slows the growth of the tumour and relieves symptoms in many patients. " * 4
    text = f"Treatment\n\n{body}\n\nSide effects\n\nFatigue and nausea are common. {body}"
    passages = chunk_document(Document(source_id="d", text=text), ChunkSettings(max_chars=1500, overlap_chars=0))
    assert passages[0].heading == "Treatment"
    side = [p for p in passages if p.text.startswith("Side effects")]
    assert side and side[0].heading == "Side effects"


def test_overlong_sentence_is_cut_at_whitespace() -> None:
    text = " ".join(["word"] * 400)
    passages = chunk_document(Document(source_id="d", text=text), ChunkSettings(max_chars=200, overlap_chars=0))
    assert len(passages) >= 8
    assert all(p.text.split() == ["word"] * len(p.text.split()) for p in passages)


def test_bad_chunk_settings_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="max_chars"):
        ChunkSettings(max_chars=10)
    with pytest.raises(ValueError, match="overlap_chars"):
        ChunkSettings(max_chars=100, overlap_chars=80)
