"""Passage credibility flags: a learned classifier marks advertising and unsupported claims sentence by sentence.

Each sentence is judged with its context (credibility.flag_features: the page's publisher and selling signals,
the zone it sits in, its neighbours) by the classifier shipped in models/flags (its card says how it was
trained and measured). A kind is flagged when its probability reaches the threshold chosen on the ``tune``
sites. Cues (credibility.cues) explain a flag; they never raise one on their own. Each passage gets one flag
per kind with the flagged sentences as evidence, in source coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from groundqa.core.records import Document, Flag, Passage, SourceMeta, Span
from groundqa.core.sentences import Sentence, split_sentences
from groundqa.credibility.cues import COMMERCIAL, KINDS, UNVERIFIED, attributed, cues_in
from groundqa.credibility.flag_features import PageSignals, SentenceInput, page_signals
from groundqa.credibility.flag_model import Embed, FlagModel, flag_model
from groundqa.ingest.overrides import apply_overrides, parse_overrides

_REASONS = {
    "call to action": "asks the reader to contact the provider",
    "ordering": "invites the reader to order or buy",
    "prices and fees": "advertises prices, discounts or fees",
    "sales promise": "makes a sales promise (guarantee, trial, urgency)",
    "booking request": "asks the reader to book an appointment",
    "lead form": "collects the reader's details or offers a free quote",
    "advertising": "is an advertisement or sponsored content",
    "self-promotion": "the provider promotes its own products, staff or services",
    "promotional superlative": "praises the provider or its product in superlatives",
    "proprietary product": "promotes a proprietary product or method",
    "testimonial": "is a customer testimonial",
    "business contact details": "gives the business's contact details or opening hours",
    "outcome figure": "states an outcome figure (survival, success, weight, returns) with no source named",
    "outcome promise": "promises a benefit with no source named",
    "safety claim": "claims safety or freedom from side effects with no source named",
    "superiority claim": "claims superiority with no source named",
}
_FALLBACK = {COMMERCIAL: "reads as promotion of the provider or its offer",
             UNVERIFIED: "claims a benefit, result or safety with no source named"}


@dataclass
class SentenceFlags:
    """One sentence's probabilities per kind, the kinds flagged, and the cues that explain them."""

    start: int
    end: int
    probabilities: dict[str, float] = field(default_factory=dict)
    flagged: tuple[str, ...] = ()
    cues: dict[str, list[str]] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)

    def kinds(self) -> list[str]:
        return list(self.flagged)


def document_sentences(doc_text: str, zones: Sequence[tuple[int, int, str]] = (),
                       sentences: Sequence[Sentence] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, zone) of every body sentence (headings are not judged); ``sentences``: the document's
    sentences when ingest has split it already."""
    from groundqa.ingest.zones import Zone, zone_at

    zone_list = [Zone(*z) for z in zones]
    split = split_sentences(doc_text) if sentences is None else sentences
    return [(s.start, s.end, zone_at(zone_list, s.start, s.end) if zone_list else "main")
            for s in split if not s.is_heading]


def judge_document(text: str, meta: SourceMeta | None = None, *, zones: Sequence[tuple[int, int, str]] = (),
                   model: FlagModel | None = None, sentences: Sequence[Sentence] | None = None,
                   embed: Embed | None = None) -> list[SentenceFlags]:
    """Every sentence of ``text`` with its flag probabilities; ``kinds()`` lists what is flagged. ``sentences``
    and ``embed`` (their vectors by text) come from ingest, which splits and embeds each sentence once."""
    meta = meta or SourceMeta()
    spans = document_sentences(text, zones, sentences)
    if not spans:
        return []
    texts = [text[s:e] for s, e, _ in spans]
    page = page_signals(texts, url=meta.url, publisher_type=meta.publisher_type)
    items = [SentenceInput(t, z, texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "")
             for i, (t, (_, _, z)) in enumerate(zip(texts, spans, strict=True))]
    return judge_sentences(items, [page] * len(items), [(s, e) for s, e, _ in spans], model=model, embed=embed)


def judge_sentences(items: Sequence[SentenceInput], pages: Sequence[PageSignals], spans: Sequence[tuple[int, int]],
                    *, model: FlagModel | None = None, embed: Embed | None = None) -> list[SentenceFlags]:
    model = model or flag_model()
    probabilities = model.probabilities(items, pages, embed=embed)
    out = []
    for item, (start, end), row in zip(items, spans, probabilities, strict=True):
        judged = SentenceFlags(start, end, {k: round(float(p), 3) for k, p in zip(KINDS, row, strict=True)})
        judged.flagged = tuple(k for k, p in judged.probabilities.items() if p >= model.thresholds[k])
        for cue in cues_in(item.text):
            if cue.kind == UNVERIFIED and attributed(item.text):
                continue
            judged.cues.setdefault(cue.kind, []).append(cue.name)
            judged.categories.setdefault(cue.kind, []).append(cue.category)
        out.append(judged)
    return out


def _flag(kind: str, hits: list[SentenceFlags]) -> Flag:
    categories = list(dict.fromkeys(c for h in hits for c in h.categories.get(kind, [])))
    cues = list(dict.fromkeys(c for h in hits for c in h.cues.get(kind, [])))
    reason = _REASONS.get(categories[0], _FALLBACK[kind]) if categories else _FALLBACK[kind]
    if len(categories) > 1:
        reason += f" (also: {', '.join(categories[1:3])})"
    return Flag(kind=kind, reason=reason[0].upper() + reason[1:], cues=tuple(cues),
                confidence=round(max(h.probabilities[kind] for h in hits), 2),
                evidence=tuple(Span(h.start, h.end) for h in hits))


def flag_passages(passages: list[Passage], judged: list[SentenceFlags]) -> list[Passage]:
    """Each passage gets one flag per kind found in the sentences it contains, evidence = those sentences."""
    flagged = [j for j in judged if j.flagged]
    out = []
    for p in passages:
        inside = [j for j in flagged if j.start >= p.start and j.end <= p.end]
        flags = [_flag(kind, hits) for kind in KINDS if (hits := [j for j in inside if kind in j.flagged])]
        out.append(replace(p, flags=tuple(flags)))
    return out


def annotate(doc: Document, meta: SourceMeta, passages: list[Passage], overrides: list[dict[str, Any]], *,
             sentences: Sequence[Sentence] | None = None,
             embed: Embed | None = None) -> tuple[dict[str, Any], list[Passage]]:
    """The ingest hook (index.build.Annotator): source profile plus flagged passages, curator overrides last.
    ``sentences`` and ``embed``: the document's sentences and their vectors, as ingest made them."""
    from groundqa.credibility.profile import source_profile

    rules = parse_overrides(overrides, where=f"source {doc.source_id!r}")
    judged = judge_document(doc.text, meta, zones=doc.zones, sentences=sentences, embed=embed)
    flagged = apply_overrides(flag_passages(passages, judged), rules, doc.text)
    return source_profile(doc, meta, judged, flagged, rules), flagged


def _version() -> str:
    return flag_model().version


class _Annotate:
    """``annotate`` with a ``version`` read from the shipped model: a new model re-annotates unchanged files."""

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], list[Passage]]:
        return annotate(*args, **kwargs)

    @property
    def version(self) -> str:
        return _version()

    @staticmethod
    def reads_vectors_of(model_name: str) -> bool:
        """Whether the flag model can read sentence vectors made by ``model_name`` (see FlagModel)."""
        model = flag_model()
        return model.needs_embeddings and model.reads_vectors_of(model_name)


annotator = _Annotate()
