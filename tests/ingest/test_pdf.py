"""PDF reading: layout (columns, running headers and footers, margin numbers, hyphens, letter-spacing) on PDFs
made here, the gold sentences of the shared PDFs found whole on their page, metadata, exact offsets, and OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from groundqa.core.errors import LoadError
from groundqa.eval.documents import check_pdf_sentences, gold_sentences, normalise
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.loaders import load_file
from groundqa.ingest.pdf import load_pdf
from groundqa.ingest.pdf_layout import Line, Page, page_texts

from tests.conftest import SHARED
from tests.pdfs import make_layout_pdf, scanned_pdf

PDFS = SHARED / "datasets" / "pdfs"
needs_pdfs = pytest.mark.skipif(not PDFS.is_dir(), reason=f"the shared PDFs are not at {PDFS} (../shared/datasets)")


def journal_page(k: int) -> list[tuple[float, float, float, str]]:
    """A two-column page: running header and footer, margin line numbers, a hyphenated line end, and a
    sentence that runs from the foot of the left column to the top of the right one."""
    left = ["Bone metastases are common in advanced breast", "cancer and cause pain that radiotherapy can re-",
            f"lieve within weeks. Page {k} bisphosphonates lower the risk of"]
    right = ["fracture in the first year after diagnosis. A closing", f"sentence ends page {k} of the article."]
    runs = [(72, 40, 9, "Journal of Layout Tests 12 (2024) 100-130")]
    if k == 1:
        runs.append((72, 70, 12, "R E V I E W"))
    for i, text in enumerate(left):
        runs += [(30, 100 + 14 * i, 8, str(3 * (k - 1) + i + 1)), (80, 100 + 14 * i, 10, text)]
    runs += [(330, 100 + 14 * i, 10, text) for i, text in enumerate(right)]
    runs.append((280, 760, 9, f"Page {k} of 3"))
    return runs


@pytest.fixture(scope="module")
def journal():
    (doc,), _ = load_file(Path("journal.pdf"), source_id="journal",
                          data=make_layout_pdf([journal_page(k) for k in (1, 2, 3)]))
    return doc


def test_columns_are_read_in_order_and_sentences_join_across_lines(journal) -> None:
    page_two = journal.text.split("\f")[1]
    assert ("Bone metastases are common in advanced breast cancer and cause pain that radiotherapy can relieve "
            "within weeks.") in page_two
    assert "Page 2 bisphosphonates lower the risk of fracture in the first year after diagnosis." in page_two


def test_running_headers_footers_and_margin_numbers_are_removed(journal) -> None:
    assert "Journal of Layout Tests" not in journal.text and "of 3" not in journal.text
    for page in journal.text.split("\f"):
        assert not any(line.strip().isdigit() for line in page.split("\n")), page


def test_letter_spaced_banner_is_one_word(journal) -> None:
    assert journal.text.startswith("REVIEW")


def test_pages_and_offsets_are_exact(journal) -> None:
    passages = chunk_document(journal, ChunkSettings(max_chars=120, overlap_chars=20))
    assert passages
    for p in passages:
        assert journal.text[p.start:p.end] == p.text and "\f" not in p.text
        assert p.page == journal.text[:p.start].count("\f") + 1
    assert {p.page for p in passages} == {1, 2, 3}


def lines(*texts: str, size: float = 10.0, x0: float = 72.0) -> list[Line]:
    return [Line(t, x0, x0 + 5.0 * len(t), 100.0 + 14 * i, 112.0 + 14 * i, size) for i, t in enumerate(texts)]


@pytest.mark.parametrize(("given", "expected"), [
    (("the first dose of bisphos-", "phonates was given."), "the first dose of bisphosphonates was given."),
    (("a well-known side-", "effect of the drug."), "a well-known side-effect of the drug."),  # the document's own form
    (("extracted with n-", "hexane and dried."), "extracted with n-hexane and dried."),  # a prefix keeps its hyphen
    (("Signiﬁcant ﬂuid loss was seen.",), "Significant fluid loss was seen."),  # ligatures
    (("Study population", "The cohort was followed for ten years."),
     "Study population\n\nThe cohort was followed for ten years."),  # a short unpunctuated line is a heading
    (("as reported by Smith et al.", "(2011), the rate fell."), "as reported by Smith et al. (2011), the rate fell."),
])
def test_lines_join_into_sentences(given: tuple[str, ...], expected: str) -> None:
    body = lines(*given)
    if "side-effect" in expected:
        body += lines("The side-effect was mild in most patients treated here.", x0=72.0)[:1]
        body[-1].top = body[-1].bottom = 200.0
    text = page_texts([Page(612, 792, body)])[0]
    assert text.startswith(expected), text


def test_footnote_interrupting_a_column_moves_to_the_page_end() -> None:
    column = lines("Identifying factors that delay the onset of dementia and approaches")
    note = [Line("Correspondence should be addressed to the first author.", 72, 300, 700, 708, 7.0)]
    rest = [Line("that promote independent living are of great interest.", 330, 560, 100, 112, 10.0)]
    text = page_texts([Page(612, 792, column + note + rest)])[0]
    assert ("Identifying factors that delay the onset of dementia and approaches that promote independent living "
            "are of great interest.") in text
    assert text.endswith("Correspondence should be addressed to the first author.")


@needs_pdfs
def test_gold_sentences_come_back_whole_in_one_passage_on_their_page() -> None:
    check = check_pdf_sentences(PDFS, lambda path: load_pdf(path, source_id=path.stem)[0])
    assert len(check.results) == len(gold_sentences()) >= 40
    misses = [f"{m.file} p{m.page} (found on {m.pages_found}): {m.sentence}" for m in check.misses()]
    assert not misses, "\n".join(misses)


@needs_pdfs
def test_real_pdf_offsets_pages_and_metadata() -> None:
    (doc,) = load_pdf(PDFS / "cermine_test1.pdf", source_id="t1")
    assert doc.metadata["title"] == ("Complications related to deep venous thrombosis prophylaxis in trauma: "
                                     "a systematic review of the literature")
    assert doc.metadata["authors"][:2] == ["Indraneel Datta", "Chad G Ball"]
    assert doc.metadata["date"] == "2010-02-15"
    assert "Datta et al. Journal of Trauma" not in doc.text  # the running header
    pages = doc.text.split("\f")
    assert len(pages) == len(doc.page_starts) == 4
    for p in chunk_document(doc):
        assert doc.text[p.start:p.end] == p.text
        assert p.page == doc.page_at(p.start) and normalise(p.text) in normalise(pages[p.page - 1])


@needs_pdfs
def test_junk_info_dictionary_titles_give_way_to_the_first_page() -> None:
    (doc,) = load_pdf(PDFS / "cermine_test3.pdf", source_id="t3")  # info title: "Microsoft Word - 02. 206.doc"
    assert doc.metadata["title"].startswith("Phytochemical and Biological investigations of Phoenix paludosa")


def tesseract_ready() -> bool:
    try:
        import pytesseract
    except ImportError:
        return False
    return shutil.which(pytesseract.pytesseract.tesseract_cmd) is not None


needs_ocr = pytest.mark.skipif(not tesseract_ready(), reason="OCR extra not installed: pip install 'groundqa[ocr]' "
                               "and apt-get install tesseract-ocr (./scripts/install --test does both)")
SCAN = ["Scanned guideline on bone metastases", "", "Radiotherapy relieves bone pain in most patients",
        "within four weeks of the first treatment. Bisphos-", "phonates reduce the risk of fractures."]


@needs_ocr
def test_scanned_pdf_is_read_by_ocr_and_says_so() -> None:
    (doc,), _ = load_file(Path("scan.pdf"), source_id="scan", data=scanned_pdf(SCAN))
    assert doc.metadata["ocr_pages"] == [1]
    assert ("Radiotherapy relieves bone pain in most patients within four weeks of the first treatment."
            in doc.text)
    assert "Bisphosphonates reduce the risk of fractures." in doc.text
    passages = chunk_document(doc)
    assert passages and all(doc.text[p.start:p.end] == p.text and p.page == 1 for p in passages)


def test_scanned_pdf_without_tesseract_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    pytesseract = pytest.importorskip("pytesseract", reason="without pytesseract the ImportError path is taken")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(LoadError) as info:
        load_file(Path("scan.pdf"), source_id="scan", data=scanned_pdf(SCAN))
    message = str(info.value)
    assert "scan.pdf" in message and "page(s) 1" in message
    assert "pip install 'groundqa[ocr]'" in message and "apt-get install tesseract-ocr" in message
