"""How faithfully documents are read: PDF gold sentences found whole on their page, and web-page main content
and metadata against Mozilla Readability's expected output. Used by bench/documents.py and the tests.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from groundqa.core.paths import labels_dir
from groundqa.core.records import Document
from groundqa.eval.stats import prf_from_counts
from groundqa.ingest.chunk import ChunkSettings, chunk_document

PDF_SENTENCES = labels_dir() / "pdf_sentences.jsonl"


def normalise(text: str) -> str:
    """Compare text as a reader would: compatibility forms, typographic quotes and dashes, and spacing aside."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"}))
    return " ".join(text.split())


@dataclass(frozen=True)
class SentenceResult:
    file: str
    page: int
    sentence: str
    found: bool
    pages_found: tuple[int, ...] = ()  # pages of the passages holding it whole
    in_text: bool = False  # whole somewhere in the extracted text, even if no passage holds it


@dataclass
class PdfCheck:
    results: list[SentenceResult] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(r.found for r in self.results)

    def misses(self) -> list[SentenceResult]:
        return [r for r in self.results if not r.found]


def gold_sentences(path: Path = PDF_SENTENCES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_pdf_sentences(pdf_dir: Path, load: Callable[[Path], Document], *,
                        chunking: ChunkSettings | None = None, gold: list[dict] | None = None) -> PdfCheck:
    """Each gold sentence must sit whole inside one passage whose page is the sentence's page."""
    gold = gold if gold is not None else gold_sentences()
    check = PdfCheck()
    by_file: dict[str, list[dict]] = {}
    for row in gold:
        by_file.setdefault(row["file"], []).append(row)
    for name, rows in by_file.items():
        doc = load(pdf_dir / name)
        passages = [(p.page, normalise(p.text)) for p in chunk_document(doc, chunking or ChunkSettings())]
        whole = normalise(doc.text)
        for row in rows:
            target = normalise(row["sentence"])
            pages = tuple(sorted({page for page, text in passages if target in text}))
            check.results.append(SentenceResult(name, row["page"], row["sentence"], row["page"] in pages, pages,
                                                target in whole))
    return check


_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(unicodedata.normalize("NFKC", text)))


def token_prf(predicted: str, expected: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1 (the measure used for boilerplate removal, e.g. CleanEval)."""
    pred, gold = tokens(predicted), tokens(expected)
    overlap = sum((pred & gold).values())
    return prf_from_counts(overlap, sum(pred.values()) - overlap, sum(gold.values()) - overlap)


def _plain(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).lower().replace("_", " ")
    value = re.sub(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])", " ", value)  # "Nolan22 Dec" is "Nolan 22 Dec"
    value = re.sub(r"^\s*(by|von|par|door|di|por)\s+", "", value)
    return " ".join(re.findall(r"\w+", value))


_SEPARATOR = re.compile(r"\s+[|\-–—·:»/_]+\s+|\s*[\[\]]\s*")


def same_title(found: str | None, expected: str | None) -> bool:
    """The same title up to case and punctuation, or up to a site-name segment one of them adds
    ("Mozilla" and "Mozilla - Wikipedia"): Readability's expected titles keep or drop it page by page."""
    if not found or not expected:
        return False
    a, b = _plain(found), _plain(expected)
    if a == b:
        return True
    short, long_ = (found, expected) if len(a) < len(b) else (expected, found)
    segments = [s for s in _SEPARATOR.split(long_) if s.strip()]
    for cut in range(1, len(segments)):
        head, tail = " ".join(segments[:cut]), " ".join(segments[cut:])
        if _plain(head) == _plain(short) and len(_plain(tail).split()) <= 6:
            return True
        if _plain(tail) == _plain(short) and len(_plain(head).split()) <= 6:
            return True
    return False


def same_text(found: str | None, expected: str | None) -> bool:
    """Metadata agreement up to case, punctuation and a leading 'By'."""
    return bool(found) and bool(expected) and _plain(found or "") == _plain(expected or "")


def same_byline(found: Iterable[str], expected: str | None) -> bool:
    """Readability's expected bylines are the raw byline text ("By Kelli Miller ... May 2, 2017"), so the
    authors found are right when their names appear in it in order, or it appears in theirs."""
    names = " ".join(_plain(a) for a in found if a)
    want = _plain(expected or "")
    if not names or not want:
        return False
    return f" {names} " in f" {want} " or f" {want} " in f" {names} "


@dataclass(frozen=True)
class PageScore:
    name: str
    precision: float
    recall: float
    f1: float
    title: bool | None  # None when the page has no expected value
    byline: bool | None
    date: bool | None


def readability_pages(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "source.html").is_file() and (p / "expected.html").is_file())


def expected_text(folder: Path) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup((folder / "expected.html").read_text(encoding="utf-8"), "lxml").get_text(" ")


def score_page(folder: Path, doc: Document) -> PageScore:
    meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    p, r, f = token_prf(doc.text, expected_text(folder))
    title = same_title(doc.metadata.get("title"), meta.get("title")) if meta.get("title") else None
    byline = same_byline(doc.metadata.get("authors") or [], meta.get("byline")) if meta.get("byline") else None
    want_date = (meta.get("publishedTime") or "")[:10]
    date = (doc.metadata.get("date") == want_date) if want_date else None
    return PageScore(folder.name, p, r, f, title, byline, date)


def summary(scores: list[PageScore]) -> dict[str, float | int]:
    def share(values: list[bool | None]) -> tuple[float, int]:
        known = [v for v in values if v is not None]
        return (sum(known) / len(known) if known else 0.0), len(known)

    title, n_title = share([s.title for s in scores])
    byline, n_byline = share([s.byline for s in scores])
    date, n_date = share([s.date for s in scores])
    return {"pages": len(scores),
            "precision_median": statistics.median(s.precision for s in scores),
            "recall_median": statistics.median(s.recall for s in scores),
            "f1_median": statistics.median(s.f1 for s in scores),
            "f1_mean": statistics.fmean(s.f1 for s in scores),
            "title_accuracy": title, "title_pages": n_title,
            "byline_accuracy": byline, "byline_pages": n_byline,
            "date_accuracy": date, "date_pages": n_date}
