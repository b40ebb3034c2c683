"""What the flag classifier sees of a sentence: its words, its meaning, where it sits and what page it is on.

- the sentence's words and its neighbours' (hashed word and character n-grams: nothing to store but weights);
- its meaning: the bundled MiniLM embedding of the sentence;
- where it sits: the page zone (main text, menus and footers, a form, an advert slot);
- the page: who publishes it (from the manifest or the address: government, academic, non-profit, commercial)
  and how much of it sells, gives contact details or makes claims (shares of its sentences with such cues);
- the cues it and its neighbours match (credibility.cues), attribution, vague attribution and hedges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

import numpy as np
from groundqa.credibility.cues import (
    CATEGORIES,
    HEDGE,
    VAGUE_ATTRIBUTION,
    attributed,
    cues_in,
    phone_numbers,
)

ZONES = ("main", "chrome", "form", "ad")
PUBLISHER_KINDS = ("government", "academic", "nonprofit", "commercial", "unknown")
_SELLING = frozenset(("ordering", "prices and fees", "sales promise", "lead form", "booking request", "advertising"))
_GOV_HOST = re.compile(r"(\.gov(\.\w\w)?$|\.gouv\.|\.gob\.|\.nhs\.uk$|\bnih\.gov$|\bwho\.int$|\.europa\.eu$|"
                       r"\.mil$|\.gc\.ca$|\.govt\.nz$|\.gov\.au$)")
_ACADEMIC_HOST = re.compile(r"(\.edu(\.\w\w)?$|\.ac\.\w\w$|\buniv|\.edu\.)")
_PUBLISHER_TYPES = {"government": "government", "academic": "academic", "professional-society": "nonprofit",
                    "patient-organisation": "nonprofit", "commercial-clinic": "commercial",
                    "commercial-facilitator": "commercial", "commercial-pharma": "commercial",
                    "commercial-other": "commercial"}


@dataclass(frozen=True)
class SentenceInput:
    text: str
    zone: str = "main"
    prev: str = ""
    next: str = ""


@dataclass(frozen=True)
class PageSignals:
    publisher_kind: str = "unknown"
    selling: float = 0.0
    self_promotion: float = 0.0
    contact: float = 0.0
    claims: float = 0.0


def publisher_kind(url: str | None, publisher_type: str | None = None) -> str:
    """Government, academic, non-profit, commercial or unknown: from the manifest's type, else the address."""
    if publisher_type and publisher_type in _PUBLISHER_TYPES:
        return _PUBLISHER_TYPES[publisher_type]
    if url and "://" not in url:
        url = "http://" + url
    host = (urlparse(url).hostname or "") if url else ""
    if not host:
        return "unknown"
    if _GOV_HOST.search(host):
        return "government"
    if _ACADEMIC_HOST.search(host):
        return "academic"
    if host.endswith(".org") or ".org." in host:
        return "nonprofit"
    return "commercial" if host.endswith((".com", ".net", ".biz", ".shop", ".store")) else "unknown"


def page_signals(sentences: Sequence[str], *, url: str | None = None, publisher_type: str | None = None
                 ) -> PageSignals:
    """Page-level context, from all of its sentences."""
    n = max(len(sentences), 1)
    selling = promo = contact = claims = 0
    for s in sentences:
        categories = {c.category for c in cues_in(s)}
        selling += bool(categories & _SELLING)
        promo += bool(categories & {"self-promotion", "promotional superlative", "testimonial", "proprietary product"})
        contact += bool(phone_numbers(s))
        claims += bool(categories & {"outcome figure", "outcome promise", "safety claim", "superiority claim"})
    return PageSignals(publisher_kind(url, publisher_type), selling / n, promo / n, contact / n, claims / n)


def context_text(item: SentenceInput, page: PageSignals, *, width: int = 200) -> str:
    """Where a sentence sits, in words, for a cross-encoder's second segment."""
    return (f"zone {item.zone}; publisher {page.publisher_kind}; page sells {page.selling:.1f}, promotes "
            f"{page.self_promotion:.1f}, claims {page.claims:.1f}; before: {item.prev[:width]}; after: "
            f"{item.next[:width]}")


def handcrafted(item: SentenceInput, page: PageSignals) -> np.ndarray:
    """Cue, zone, publisher and page features as one dense row."""
    own = {c.category for c in cues_in(item.text)}
    around = {c.category for c in cues_in(item.prev)} | {c.category for c in cues_in(item.next)}
    words = len(item.text.split())
    row = [float(c in own) for c in CATEGORIES] + [float(c in around) for c in CATEGORIES]
    row += [float(item.zone == z) for z in ZONES] + [float(page.publisher_kind == k) for k in PUBLISHER_KINDS]
    row += [page.selling, page.self_promotion, page.contact, page.claims]
    row += [float(bool(phone_numbers(item.text))), float(attributed(item.text)),
            float(bool(VAGUE_ATTRIBUTION.search(item.text))), float(bool(HEDGE.search(item.text))),
            min(words, 60) / 60, float(words <= 4), float(item.text.rstrip().endswith("?")),
            float(item.text.rstrip().endswith("!")), float(bool(re.search(r"\d", item.text))),
            float(sum(ch.isupper() for ch in item.text) > 0.5 * max(1, sum(ch.isalpha() for ch in item.text)))]
    return np.array(row, dtype=np.float32)


@lru_cache(maxsize=1)
def _hasher():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(n_features=2 ** 18, ngram_range=(1, 2), alternate_sign=False, norm="l2",
                              lowercase=True, token_pattern=r"(?u)\b\w+\b|[$€£%!?®™]")
    chars = HashingVectorizer(n_features=2 ** 18, analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False,
                              norm="l2", lowercase=True)
    return words, chars


def text_features(items: Sequence[SentenceInput]):  # type: ignore[no-untyped-def]
    """Hashed n-grams of the sentence (words, characters) and of its neighbours (words, down-weighted)."""
    from scipy.sparse import hstack

    words, chars = _hasher()
    own = [i.text for i in items]
    context = [f"{i.prev} {i.next}" for i in items]
    return hstack([words.transform(own), chars.transform(own), 0.5 * words.transform(context)]).tocsr()


def featurise(items: Sequence[SentenceInput], pages: Sequence[PageSignals], embeddings: np.ndarray | None):
    """The full feature matrix: hashed text, handcrafted rows and (when given) sentence embeddings."""
    from scipy.sparse import csr_matrix, hstack

    dense = np.vstack([handcrafted(i, p) for i, p in zip(items, pages, strict=True)]) if items else \
        np.zeros((0, len(handcrafted(SentenceInput(""), PageSignals()))), dtype=np.float32)
    parts = [text_features(items), csr_matrix(dense)]
    if embeddings is not None:
        parts.append(csr_matrix(embeddings))
    return hstack(parts).tocsr()
