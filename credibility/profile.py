"""Source credibility profile: who publishes, how commercial the page is, how transparent, and a grade with reasons.

Transparency follows the JAMA benchmarks (Silberg et al., JAMA 1997: authorship, attribution, disclosure,
currency) and the eight HONcode principles (Health On the Net Foundation). Everything is computed from the
manifest and the document text at ingest; the grade is a score in [0, 1] so queries can filter on it.
"""

from __future__ import annotations

import re
from typing import Any

from groundqa.credibility.cues import ATTRIBUTION, COMMERCIAL, UNVERIFIED, phone_numbers
from groundqa.credibility.flags import SentenceFlags, publisher_names
from groundqa.ingest.overrides import Override
from groundqa.ingest.records import Document, Passage, SourceMeta

_COMMERCIAL_TYPES = ("commercial-clinic", "commercial-facilitator", "commercial-pharma", "commercial-other")
_AUTHORITATIVE_TYPES = ("government", "academic", "professional-society")
_BYLINE = re.compile(r"\b(author(s)? of (the|this) article|written by|reviewed by|author:)\s*:?\s*\n*\s*([A-Z][\w.'-]+"
                     r"( [A-Z][\w.'-]+){1,3})|\bto the author (Dr\.|Prof\.)?\s*([A-Z][\w.'-]+( [A-Z][\w.'-]+){1,3})",
                     re.IGNORECASE)
_QUALIFIED = re.compile(r"\b(Dr\.|Prof\.|MD\b|M\.D\.|PhD\b|oncologist|physician|RN\b)")
_DISCLOSURE = re.compile(r"\b(sponsored by|funded by|funding|conflicts? of interest|disclosure|owned by|"
                         r"advertising policy|unrestricted (educational )?grant|supported by)\b", re.IGNORECASE)
_CURRENCY = re.compile(r"\b(last (updated|reviewed|modified)|updated( on)?|published( on)?|reviewed( on)?|date)\b"
                       r"[:\s]{0,3}[^\n]{0,20}\b(19|20)\d{2}\b", re.IGNORECASE)
_COMPLEMENT = re.compile(r"\b(talk|speak|ask|consult)\b[^.\n]{0,30}\b(doctor|physician|care team|healthcare team|"
                         r"health care provider)|\bnot (a )?substitute\b|\bdoes not replace\b", re.IGNORECASE)
_PRIVACY = re.compile(r"\b(privacy|personal data|data protection|gdpr|cookies?)\b", re.IGNORECASE)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.|\bcontact (information|us|details)\b", re.IGNORECASE)
_GOV = re.compile(r"\.gov\b|\bnih\b|\bnational institutes? of\b|\bministry of health\b|\bcdc\b|\bnhs\b", re.IGNORECASE)
_ACADEMIC = re.compile(r"\.edu\b|\.ac\.\w+\b|\buniversity\b", re.IGNORECASE)
_ORGANISATION = re.compile(r"\b(association|foundation|society|network|advocacy|charity|trust)\b", re.IGNORECASE)

_SIGNAL_NAMES = {
    "call to action": "calls to action", "booking request": "booking requests",
    "call-back request": "call-back requests",
    "lead form": "lead forms", "prices and fees": "prices and fees", "free service offer": "free service offers",
    "sales promise": "sales promises", "self-promotion": "'our clinic / our specialists'",
    "promotional superlative": "promotional superlatives", "proprietary therapy": "proprietary therapy names",
    "business contact details": "business contact details",
}


def _criterion(met: bool, evidence: str) -> dict[str, Any]:
    return {"met": met, "evidence": evidence}


def _publisher(meta: SourceMeta, text: str, commercial_sentences: int) -> dict[str, Any]:
    if meta.publisher_type != "unknown":
        return {"type": meta.publisher_type, "basis": "manifest"}
    haystack = " ".join(filter(None, (meta.publisher, meta.url)))
    if commercial_sentences >= 3:
        return {"type": "commercial-other", "basis": f"inferred: {commercial_sentences} promotional sentences"}
    for pattern, kind in ((_GOV, "government"), (_ACADEMIC, "academic"), (_ORGANISATION, "patient-organisation")):
        if haystack and pattern.search(haystack):
            return {"type": kind, "basis": f"inferred from the publisher name or address ({haystack})"}
    return {"type": "unknown", "basis": "no manifest entry and nothing in the text to infer it from"}


def _commercial_signals(text: str, judged: list[SentenceFlags]) -> list[dict[str, Any]]:
    counts: dict[str, list[tuple[int, int]]] = {}
    for j in judged:
        for category in j.categories.get(COMMERCIAL, []):
            counts.setdefault(category, []).append((j.start, j.end))
    for start, end in phone_numbers(text):
        counts.setdefault("phone numbers", []).append((start, end))
    out = []
    for category, spans in counts.items():
        if category == "continues the previous sentence":
            continue
        out.append({"signal": _SIGNAL_NAMES.get(category, category), "count": len(spans),
                    "examples": [{"start": s, "end": e, "text": text[s:e][:160]} for s, e in spans[:3]]})
    return sorted(out, key=lambda s: -s["count"])


def _jama(meta: SourceMeta, text: str) -> dict[str, dict[str, Any]]:
    byline = _BYLINE.search(text)
    authors = list(meta.authors) or ([byline.group(4) or byline.group(7)] if byline else [])
    citations = len(ATTRIBUTION.findall(text))
    disclosure = _DISCLOSURE.search(text)
    dated = meta.date or (m.group(0) if (m := _CURRENCY.search(text)) else None)
    return {
        "authorship": _criterion(bool(authors), f"author(s): {', '.join(authors)}" if authors else "no author named"),
        "attribution": _criterion(citations > 0, f"{citations} reference(s) to studies, guidelines or citations"
                                  if citations else "no study, guideline or reference cited"),
        "disclosure": _criterion(bool(disclosure), f"states {disclosure.group(0)!r}" if disclosure
                                 else "no ownership, sponsorship or funding statement"),
        "currency": _criterion(bool(dated), f"dated {dated}" if dated else "no publication or update date"),
    }


def _honcode(text: str, jama: dict[str, dict[str, Any]], unverified: int, commercial: int) -> dict[str, Any]:
    qualified = jama["authorship"]["met"] and bool(_QUALIFIED.search(text))
    return {
        "authoritative": _criterion(qualified, "author with stated qualifications" if qualified
                                    else "no author with stated medical qualifications"),
        "complementarity": _criterion(bool(_COMPLEMENT.search(text)), "tells readers to involve their doctor"
                                      if _COMPLEMENT.search(text) else "does not point readers to their doctor"),
        "privacy": _criterion(bool(_PRIVACY.search(text)), "mentions privacy or personal data"
                              if _PRIVACY.search(text) else "no privacy statement"),
        "attribution": _criterion(jama["attribution"]["met"] and jama["currency"]["met"],
                                  "sources cited and dated" if jama["attribution"]["met"] and jama["currency"]["met"]
                                  else "sources or dates missing"),
        "justifiability": _criterion(unverified == 0, "no unsupported claims found" if unverified == 0
                                     else f"{unverified} unsupported claim(s)"),
        "transparency": _criterion(bool(_CONTACT.search(text)), "gives contact details or a web address"
                                   if _CONTACT.search(text) else "no contact details"),
        "financial_disclosure": _criterion(jama["disclosure"]["met"], jama["disclosure"]["evidence"]),
        "advertising_policy": _criterion(commercial == 0 or jama["disclosure"]["met"],
                                         "no advertising found" if commercial == 0 else
                                         f"{commercial} promotional sentence(s) mixed with content"
                                         + ("" if jama["disclosure"]["met"] else " and no disclosure")),
    }


def grade_of(score: float) -> str:
    return next(g for g, floor in (("A", 0.8), ("B", 0.65), ("C", 0.5), ("D", 0.35), ("E", 0.0)) if score >= floor)


def source_profile(doc: Document, meta: SourceMeta, judged: list[SentenceFlags], passages: list[Passage],
                   overrides: tuple[Override, ...] = ()) -> dict[str, Any]:
    """The stored profile: publisher type, commercial signals, JAMA and HONcode criteria, grade with reasons."""
    text = doc.text
    commercial = sum(1 for j in judged if COMMERCIAL in j.kinds())
    unverified = sum(1 for j in judged if UNVERIFIED in j.kinds())
    publisher = _publisher(meta, text, commercial)
    signals = _commercial_signals(text, judged)
    jama = _jama(meta, text)
    hon = _honcode(text, jama, unverified, commercial)
    score, reasons = 1.0, []
    if publisher["type"] in _COMMERCIAL_TYPES:
        score -= 0.25
        reasons.append(f"commercial publisher ({publisher['type']}, {publisher['basis']})")
    elif publisher["type"] in _AUTHORITATIVE_TYPES:
        reasons.append(f"authoritative publisher type ({publisher['type']})")
    if commercial:
        score -= min(0.2, 0.04 * commercial)
        reasons.append(f"{commercial} promotional sentence(s): " + ", ".join(s["signal"] for s in signals[:4]))
    if unverified:
        score -= min(0.25, 0.05 * unverified)
        reasons.append(f"{unverified} claim(s) of efficacy, survival, accuracy or safety with no source named")
    for name, criterion in jama.items():
        if not criterion["met"]:
            score -= 0.05
            reasons.append(f"JAMA {name}: {criterion['evidence']}")
    met = sum(1 for c in hon.values() if c["met"])
    score -= 0.02 * (len(hon) - met)
    reasons.append(f"HONcode: {met} of {len(hon)} principles met")
    score = round(max(0.0, min(1.0, score)), 2)
    flagged = sum(1 for p in passages if p.flags)
    return {
        "grade": grade_of(score), "score": score, "reasons": reasons,
        "publisher": publisher, "self_names": publisher_names(meta),
        "commercial_signals": signals, "jama": jama, "honcode": hon,
        "flagged_passages": flagged, "passages": len(passages),
        "overrides": [o.to_json() for o in overrides],
    }
