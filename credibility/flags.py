"""Passage credibility flags: find advertising and unsupported claims sentence by sentence, then lift to passages.

Sentences are judged with their document in view (who the publisher is, which therapy names it coined,
what the previous sentence said), and each passage gets one flag per kind with the exact sentences as
evidence, in source coordinates. A factual sentence on a commercial page gets nothing: the commercial nature
of the whole source lives in its profile (credibility/profile.py), not in passage flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from groundqa.credibility.cues import (
    ANAPHOR,
    ATTRIBUTION,
    COMMERCIAL,
    COMMERCIAL_CUES,
    CONTINUATION,
    FALSE_ATTRIBUTION,
    HEDGE,
    PHONE_WEIGHT,
    SELF_NAME_WEIGHT,
    UNVERIFIED,
    UNVERIFIED_CUES,
    may_flag,
    phone_numbers,
)
from groundqa.ingest.overrides import apply_overrides, parse_overrides
from groundqa.ingest.records import Document, Flag, Passage, SourceMeta, Span
from groundqa.ingest.sentences import split_sentences

THRESHOLD = 1.0
RULES_VERSION = "credibility-1"  # bump when cues change: ingest then re-annotates files it would skip
_REASONS = {
    "call to action": "asks the reader to contact or click through to the provider",
    "booking request": "asks the reader to book an appointment",
    "call-back request": "asks for the reader's number to call them back",
    "lead form": "collects the reader's contact details",
    "prices and fees": "advertises prices, fees or quotes",
    "free service offer": "advertises a free service to win customers",
    "sales promise": "makes a sales promise",
    "self-promotion": "the provider promotes its own staff or services",
    "promotional superlative": "praises the provider in promotional superlatives",
    "proprietary therapy": "promotes the provider's own proprietary therapy",
    "business contact details": "gives the business's contact details or opening hours",
    "outcome figure": "states an outcome figure (survival, success, accuracy) with no study or source named",
    "outcome promise": "promises a treatment outcome with no study or source named",
    "safety claim": "claims safety or freedom from side effects with no study or source named",
    "superiority claim": "claims superiority with no study or source named",
    "continues the previous sentence": "continues a flagged claim from the previous sentence",
}
_NAME_STOP = frozenset("llc ltd inc gmbh co company clinic clinics hospital hospitals medical centre center group "
                       "international treatment the of and for health care".split())
_GENERIC_MODIFIERS = frozenset("standard special new modern conventional drug radiation targeted hormone complex "
                               "anticancer antitumor antitumour systemic local palliative supportive the a our "
                               "their its this these".split())
_PRODUCT_HEAD = re.compile(r"\b([A-Za-z][\w-]{4,})\s+(therapy|therapies|treatment|protocol|method|programs?|"
                           r"programmes?|technique|drugs)\b", re.IGNORECASE)


@dataclass
class SentenceFlags:
    """What one sentence was found to carry: kinds with their cues and categories."""

    start: int
    end: int
    scores: dict[str, float] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, cue: str, category: str, weight: float) -> None:
        self.scores[kind] = self.scores.get(kind, 0.0) + weight
        if cue not in self.cues.setdefault(kind, []):
            self.cues[kind].append(cue)
        if category not in self.categories.setdefault(kind, []):
            self.categories[kind].append(category)

    def kinds(self) -> list[str]:
        return [k for k, s in self.scores.items() if s >= THRESHOLD]


@dataclass(frozen=True)
class Context:
    """What the document tells about itself that single sentences cannot: its own names and coined products."""

    self_names: tuple[re.Pattern[str], ...] = ()
    products: tuple[re.Pattern[str], ...] = ()


def publisher_names(meta: SourceMeta) -> list[str]:
    """Distinctive words and acronyms of the publisher's name (``IMT``, ``OncoCare``), used as self-references."""
    names: list[str] = []
    for part in re.findall(r"[A-Za-z][\w-]+", meta.publisher or ""):
        if part.lower() not in _NAME_STOP and (len(part) >= 4 or part.isupper()) and len(part) >= 3:
            names.append(part)
    return names


def _context(text: str, meta: SourceMeta) -> Context:
    self_names = [re.compile(rf"\b{re.escape(n)}\w*\b") for n in publisher_names(meta)]
    products: list[re.Pattern[str]] = []
    proprietary = next(c for c in COMMERCIAL_CUES if c.category == "proprietary therapy").pattern
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if not proprietary.search(sentence):
            continue
        for match in _PRODUCT_HEAD.finditer(sentence):
            word = match.group(1).lower()
            if word not in _GENERIC_MODIFIERS:
                # match spelling variants of a coined name by its first six letters (cytokinogenetic, cytokinegenetic)
                products.append(re.compile(rf"\b{re.escape(word[:6])}\w*\s+(therap|drug|program|protocol|treat)",
                                           re.IGNORECASE))
    return Context(tuple(self_names), tuple(products))


def _unhedged(sentence: str, match: re.Match[str]) -> bool:
    return HEDGE.search(sentence[:match.start()]) is None


def judge_sentence(sentence: str, start: int, context: Context) -> SentenceFlags:
    """Cues found in one sentence, weighed per kind; attribution cancels the unverified kind."""
    found = SentenceFlags(start=start, end=start + len(sentence))
    for cue in COMMERCIAL_CUES:
        if cue.pattern.search(sentence):
            found.add(COMMERCIAL, cue.name, cue.category, cue.weight)
    if phone_numbers(sentence):
        found.add(COMMERCIAL, "phone number", "business contact details", PHONE_WEIGHT)
    if any(p.search(sentence) for p in context.self_names):
        found.add(COMMERCIAL, "publisher names itself", "self-promotion", SELF_NAME_WEIGHT)
    if any(p.search(sentence) for p in context.products):
        found.add(COMMERCIAL, "proprietary therapy name", "proprietary therapy", 1.0)
    attributed = ATTRIBUTION.search(sentence) and not FALSE_ATTRIBUTION.search(sentence)
    if not attributed:
        for cue in UNVERIFIED_CUES:
            match = cue.pattern.search(sentence)
            if match and (cue.category == "outcome figure" or _unhedged(sentence, match)):
                found.add(UNVERIFIED, cue.name, cue.category, cue.weight)
    if UNVERIFIED in found.kinds() and "publisher names itself" in found.cues.get(COMMERCIAL, []):
        found.add(COMMERCIAL, "provider advertises its own results", "self-promotion", SELF_NAME_WEIGHT)
    return found


def judge_document(text: str, meta: SourceMeta | None = None) -> list[SentenceFlags]:
    """Every sentence of ``text`` that carries at least one flag kind, in document order."""
    context = _context(text, meta or SourceMeta())
    if not may_flag(text) and not any(p.search(text) for p in context.self_names):
        return []
    judged: list[SentenceFlags] = []
    previous: SentenceFlags | None = None
    for s in split_sentences(text):
        sentence = text[s.start:s.end]
        current = judge_sentence(sentence, s.start, context)
        if previous is not None:
            _carry(sentence, previous, current)
        if current.kinds():
            judged.append(current)
        previous = current
    return judged


def _carry(sentence: str, previous: SentenceFlags, current: SentenceFlags) -> None:
    """A clause split off the previous sentence inherits its flags; a sentence about "it" / "these programs"
    right after a promoted product is about that product."""
    bare = re.sub(r"^[\s•●▪◦*-]+", "", sentence)
    if CONTINUATION.match(bare):
        for kind in previous.kinds():
            current.add(kind, "continues the previous sentence", "continues the previous sentence", THRESHOLD)
    elif (ANAPHOR.match(bare) and COMMERCIAL in previous.kinds()
          and "proprietary therapy" in previous.categories.get(COMMERCIAL, [])):
        current.add(COMMERCIAL, "claim about the provider's product", "proprietary therapy", THRESHOLD)


def _flag(kind: str, hits: list[SentenceFlags]) -> Flag:
    categories = list(dict.fromkeys(c for h in hits for c in h.categories[kind]
                                    if h.scores.get(kind, 0) >= THRESHOLD))
    cues = list(dict.fromkeys(c for h in hits for c in h.cues[kind]))
    top = max(h.scores[kind] for h in hits)
    reason = _REASONS.get(categories[0], categories[0]) if categories else kind
    if len(categories) > 1:
        reason += f" (also: {', '.join(categories[1:3])})"
    return Flag(kind=kind, reason=reason[0].upper() + reason[1:], cues=tuple(cues),
                confidence=round(min(0.95, 0.55 + 0.2 * top), 2),
                evidence=tuple(Span(h.start, h.end) for h in hits))


def flag_passages(passages: list[Passage], judged: list[SentenceFlags]) -> list[Passage]:
    """Each passage gets one flag per kind found in the sentences it contains, evidence = those sentences."""
    out = []
    for p in passages:
        inside = [j for j in judged if j.start >= p.start and j.end <= p.end]
        flags = [_flag(kind, hits) for kind in (COMMERCIAL, UNVERIFIED)
                 if (hits := [j for j in inside if kind in j.kinds()])]
        out.append(replace(p, flags=tuple(flags)))
    return out


def annotate(doc: Document, meta: SourceMeta, passages: list[Passage],
             overrides: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Passage]]:
    """The ingest hook (index.build.Annotator): source profile plus flagged passages, curator overrides last."""
    from groundqa.credibility.profile import source_profile

    rules = parse_overrides(overrides, where=f"source {doc.source_id!r}")
    judged = judge_document(doc.text, meta)
    flagged = apply_overrides(flag_passages(passages, judged), rules, doc.text)
    return source_profile(doc, meta, judged, flagged, rules), flagged


annotate.version = RULES_VERSION  # type: ignore[attr-defined]  # read by index.build to notice new rules
