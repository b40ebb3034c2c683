"""The real pages the flag labels are drawn from, read at run time from ../shared/datasets (never committed).

Each page is read the same way every time (ingest.zones for HTML, the MedQuAD XML, the seed text files), so a
labelled row can point into it by offsets and a hash of its sentence instead of holding the text.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from groundqa.core.errors import LoadError
from groundqa.core.paths import REPO_ROOT, datasets_dir
from groundqa.core.sentences import split_sentences
from groundqa.ingest.decode import decode_bytes, normalise_newlines
from groundqa.ingest.manifest import load_manifest
from groundqa.ingest.zones import Zone, zone_at, zoned_text

ROOT = REPO_ROOT
DATASETS = datasets_dir()
CORPUS = ROOT / "corpus"
EXTRACTOR = "zones-1"  # bump if ingest.zones changes what text a page gives: row offsets point into that text


@dataclass(frozen=True)
class Page:
    """One page: its text, zones and what the dataset says of it."""

    origin: str  # webcred | readability | medquad | seed
    page: str  # path or id inside its dataset
    site: str  # the unit of the tune/test split
    url: str | None
    title: str | None
    text: str
    zones: tuple[Zone, ...] = ()
    topic: str | None = None
    rating: str | None = None  # webcred: reliable / unreliable
    publisher: str | None = None


@dataclass(frozen=True)
class SentenceRow:
    origin: str
    page: str
    site: str
    start: int
    end: int
    zone: str

    @property
    def row_id(self) -> str:
        return f"{self.origin}:{self.page}:{self.start}"


def sentence_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def host_of(url: str) -> str:
    host = (urlparse(url).hostname or url).lower()
    return host[4:] if host.startswith("www.") else host


def webcred_pages(root: Path | None = None) -> Iterator[Page]:
    root = root or DATASETS / "webcred"
    with open(root / "labels.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["cached_page"]:
                continue
            path = root / row["cached_page"]
            if not path.is_file() or path.suffix.lower() not in (".html", ".htm", ".shtml", ".stm", ""):
                continue
            try:
                markup = normalise_newlines(decode_bytes(path.read_bytes(), name=str(path)))
            except LoadError:
                continue
            text, zones, title = zoned_text(markup)
            yield Page("webcred", row["cached_page"], host_of(row["url"]), row["url"], title, text, tuple(zones),
                       topic=row["topic"], rating=row["label"])


def readability_pages(root: Path | None = None) -> Iterator[Page]:
    root = root or DATASETS / "readability"
    for folder in sorted(p for p in root.iterdir() if (p / "source.html").is_file()):
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        if (meta.get("lang") or "en").lower()[:2] != "en":
            continue
        markup = normalise_newlines(decode_bytes((folder / "source.html").read_bytes(), name=str(folder)))
        text, zones, title = zoned_text(markup)
        yield Page("readability", folder.name, folder.name, None, meta.get("title") or title, text, tuple(zones),
                   publisher=meta.get("siteName"))


def medquad_pages(root: Path | None = None) -> Iterator[Page]:
    """One page per answer; the publisher is the NIH site the answer comes from."""
    root = root or DATASETS / "medquad"
    for path in sorted(root.glob("*/*.xml")):
        doc = ET.parse(path).getroot()
        for qa in doc.iter("QAPair"):
            answer = qa.findtext("Answer") or ""
            lines = [" ".join(line.split()) for line in answer.replace("\r", "").split("\n")]
            text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
            if not text:
                continue
            page = f"{path.parent.name}/{path.stem}/{qa.get('pid')}"
            yield Page("medquad", page, f"{path.parent.name}/{path.stem}", doc.get("url"),
                       doc.findtext("Focus"), text, publisher=doc.get("source"))


def seed_pages(corpus: Path | None = None) -> Iterator[Page]:
    corpus = corpus or CORPUS
    manifest = load_manifest(corpus)
    for path in sorted(corpus.glob("*.txt")):
        entry = manifest.entry_for(path.name)
        source_id = entry.source_id if entry else path.stem
        meta = entry.meta if entry else None
        text = normalise_newlines(path.read_text(encoding="utf-8"))
        yield Page("seed", path.name, source_id, meta.url if meta else None, meta.title if meta else None, text,
                   publisher=meta.publisher if meta else None)


def sentences(page: Page, *, min_words: int = 3, max_chars: int = 600) -> list[SentenceRow]:
    """Body sentences worth labelling: headings, one- and two-word lines and very long runs left out."""
    out = []
    for s in split_sentences(page.text):
        text = page.text[s.start:s.end]
        if s.is_heading or len(text.split()) < min_words or len(text) > max_chars or len(text) < 12:
            continue
        if not re.search(r"[A-Za-z]{3}", text):
            continue
        zone = zone_at(list(page.zones), s.start, s.end) if page.zones else "main"
        out.append(SentenceRow(page.origin, page.page, page.site, s.start, s.end, zone))
    return out
