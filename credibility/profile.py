"""Source credibility profile: who publishes, how commercial and how transparent a source is, and a score.

The criteria a reviewer reads follow the JAMA benchmarks (Silberg et al., JAMA 1997: authorship, attribution,
disclosure, currency) and the eight HONcode principles (Health On the Net Foundation). They are read from the
document's own metadata (HTML meta tags, bylines, JSON-LD, PDF metadata: ingest loaders), the manifest, the
page's selling and contact blocks, and the flag classifier's sentence probabilities. The ``score`` is a
probability that the source is reliable, from a logistic regression over those page features trained on the
webcred ratings (models/profile, its card gives the split and the AUC); the grade bands it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from groundqa.core.records import COMMERCIAL, UNVERIFIED, Document, Passage, SourceMeta
from groundqa.credibility.cues import attributed, cues_in, phone_numbers
from groundqa.credibility.flag_features import PUBLISHER_KINDS, page_signals, publisher_kind
from groundqa.ingest.overrides import Override

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "profile"
_QUALIFIED = re.compile(r"\b(Dr\.|Prof\.|MD\b|M\.D\.|PhD\b|Ph\.D\.|RN\b|MPH\b|oncologist|physician|professor)")
_DISCLOSURE = re.compile(r"\b(sponsored by|funded by|funding|conflicts? of interest|disclosure|owned by|"
                         r"advertising policy|unrestricted (educational )?grant|affiliate (links?|commission)|"
                         r"we (may )?(earn|receive) (a )?commission)\b", re.IGNORECASE)
_COMPLEMENT = re.compile(r"\b(talk|speak|ask|consult|check with)\b[^.\n]{0,30}\b(doctor|physician|care team|"
                         r"health ?care (provider|professional|team)|pharmacist|gp)\b|\bnot (a )?substitute\b|"
                         r"\bdoes not (replace|provide medical advice)\b", re.IGNORECASE)
_PRIVACY = re.compile(r"\b(privacy|personal data|data protection|gdpr|cookies?)\b", re.IGNORECASE)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\bcontact (information|us|details)\b|\babout us\b", re.IGNORECASE)
_AD_LABEL = re.compile(r"^\s*(advertisement|sponsored|ad)\b|\bsponsored (links?|content)\b", re.IGNORECASE | re.M)
_REFERENCES = re.compile(r"^\s*(references|bibliography|sources|citations|further reading)\s*:?\s*$",
                         re.IGNORECASE | re.M)
_COMMERCIAL_TYPES = ("commercial-clinic", "commercial-facilitator", "commercial-pharma", "commercial-other")


@dataclass(frozen=True)
class PageEvidence:
    """What the profile is computed from, gathered once per document."""

    sentences: list[str]
    commercial: list[float]  # flag probabilities per sentence
    unverified: list[float]
    flagged_commercial: int
    flagged_unverified: int
    boilerplate: str  # menus, forms and adverts kept out of the indexed text
    metadata: dict[str, Any]


def _criterion(met: bool, evidence: str) -> dict[str, Any]:
    return {"met": met, "evidence": evidence}


def _authors(meta: SourceMeta, metadata: dict[str, Any]) -> list[str]:
    return list(meta.authors) or [str(a) for a in metadata.get("authors") or [] if str(a).strip()]


def jama(meta: SourceMeta, text: str, ev: PageEvidence) -> dict[str, dict[str, Any]]:
    authors = _authors(meta, ev.metadata)
    cited = sum(1 for s in ev.sentences if attributed(s)) + (1 if _REFERENCES.search(text) else 0)
    disclosure = _DISCLOSURE.search(text) or _DISCLOSURE.search(ev.boilerplate)
    dated = meta.date or ev.metadata.get("date")
    return {
        "authorship": _criterion(bool(authors), f"author(s): {', '.join(authors)}" if authors else "no author named"),
        "attribution": _criterion(cited > 0, f"{cited} reference(s) to studies, guidelines or a reference list"
                                  if cited else "no study, guideline or reference cited"),
        "disclosure": _criterion(bool(disclosure), f"states {disclosure.group(0)!r}" if disclosure
                                 else "no ownership, sponsorship or funding statement"),
        "currency": _criterion(bool(dated), f"dated {dated}" if dated else "no publication or update date"),
    }


def honcode(text: str, ev: PageEvidence, j: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    everything = text + "\n" + ev.boilerplate
    qualified = j["authorship"]["met"] and bool(_QUALIFIED.search(" ".join(_authors(SourceMeta(), ev.metadata))
                                                                  + " " + text[:3000]))
    complement = _COMPLEMENT.search(everything)
    privacy = _PRIVACY.search(everything)
    contact = _CONTACT.search(everything) or phone_numbers(everything)
    ads = ev.flagged_commercial
    labelled_ads = bool(_AD_LABEL.search(everything))
    return {
        "authoritative": _criterion(qualified, "author with stated qualifications" if qualified
                                    else "no author with stated medical qualifications"),
        "complementarity": _criterion(bool(complement), "tells readers to involve their doctor" if complement
                                      else "does not point readers to their doctor"),
        "privacy": _criterion(bool(privacy), "mentions privacy or personal data" if privacy
                              else "no privacy statement"),
        "attribution": _criterion(j["attribution"]["met"] and j["currency"]["met"], "sources cited and dated"
                                  if j["attribution"]["met"] and j["currency"]["met"] else "sources or dates missing"),
        "justifiability": _criterion(ev.flagged_unverified == 0, "no unsupported claims found"
                                     if ev.flagged_unverified == 0 else
                                     f"{ev.flagged_unverified} unsupported claim(s)"),
        "transparency": _criterion(bool(contact), "gives contact details" if contact else "no contact details"),
        "financial_disclosure": _criterion(j["disclosure"]["met"], j["disclosure"]["evidence"]),
        "advertising_policy": _criterion(ads == 0 or (labelled_ads and j["disclosure"]["met"]),
                                         "no advertising found" if ads == 0 else
                                         f"{ads} promotional sentence(s)"
                                         + (", labelled as advertising" if labelled_ads else ", not labelled")),
    }


FEATURES = (*[f"publisher:{k}" for k in PUBLISHER_KINDS], "commercial share", "unverified share",
            "commercial mean", "unverified mean", "selling", "self-promotion", "contact", "claims",
            "boilerplate share", "jama authorship", "jama attribution", "jama disclosure", "jama currency",
            "hon complementarity", "hon privacy", "hon transparency", "log sentences")


def features(kind: str, ev: PageEvidence, j: dict[str, Any], hon: dict[str, Any], signals) -> np.ndarray:
    n = max(len(ev.sentences), 1)
    body = sum(len(s) for s in ev.sentences)
    row = [float(kind == k) for k in PUBLISHER_KINDS]
    row += [ev.flagged_commercial / n, ev.flagged_unverified / n,
            float(np.mean(ev.commercial)) if ev.commercial else 0.0,
            float(np.mean(ev.unverified)) if ev.unverified else 0.0,
            signals.selling, signals.self_promotion, signals.contact, signals.claims,
            len(ev.boilerplate) / max(len(ev.boilerplate) + body, 1)]
    row += [float(j[k]["met"]) for k in ("authorship", "attribution", "disclosure", "currency")]
    row += [float(hon[k]["met"]) for k in ("complementarity", "privacy", "transparency")]
    row += [math.log1p(n) / 6]
    return np.array(row, dtype=np.float64)


class ProfileModel:
    """The score model: weights over FEATURES and the intercept (models/profile/score.json)."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        data = json.loads((model_dir / "score.json").read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{model_dir}/score.json was trained on other features; retrain with "
                             "`groundqa train profile`")
        self.weights = np.array(data["weights"], dtype=np.float64)
        self.mean = np.array(data["mean"], dtype=np.float64)
        self.scale = np.array(data["scale"], dtype=np.float64)
        self.intercept = float(data["intercept"])

    def score(self, row: np.ndarray) -> tuple[float, list[tuple[str, float]]]:
        z = (row - self.mean) / self.scale
        contributions = z * self.weights
        p = 1.0 / (1.0 + math.exp(-(float(contributions.sum()) + self.intercept)))
        ranked = sorted(zip(FEATURES, contributions, strict=True), key=lambda x: x[1])
        return p, ranked


@lru_cache(maxsize=2)
def profile_model(model_dir: Path = MODEL_DIR) -> ProfileModel | None:
    return ProfileModel(model_dir) if (model_dir / "score.json").is_file() else None


def grade_of(score: float) -> str:
    return next(g for g, floor in (("A", 0.8), ("B", 0.65), ("C", 0.5), ("D", 0.35), ("E", 0.0)) if score >= floor)


def _publisher(meta: SourceMeta, metadata: dict[str, Any], commercial: int) -> dict[str, Any]:
    if meta.publisher_type != "unknown":
        return {"type": meta.publisher_type, "basis": "manifest"}
    url = meta.url or metadata.get("url")
    kind = publisher_kind(url)
    if kind in ("government", "academic"):
        return {"type": kind, "basis": f"inferred from the address ({url})"}
    if commercial >= 3:
        return {"type": "commercial-other", "basis": f"inferred: {commercial} promotional sentences"}
    if kind == "nonprofit":
        return {"type": "nonprofit", "basis": f"inferred from the address ({url})"}
    return {"type": "unknown", "basis": "no manifest entry and nothing in the address or text to infer it from"}


def _signals(ev: PageEvidence, text: str) -> list[dict[str, Any]]:
    counts: dict[str, list[str]] = {}
    for s, p in zip(ev.sentences, ev.commercial, strict=True):
        for cue in cues_in(s):
            if cue.kind == COMMERCIAL and p >= 0.5:
                counts.setdefault(cue.category, []).append(s)
    for line in ev.boilerplate.splitlines():
        for cue in cues_in(line):
            if cue.kind == COMMERCIAL:
                counts.setdefault(f"{cue.category} (menus, forms, adverts)", []).append(line)
    return sorted(({"signal": k, "count": len(v), "examples": [{"text": t[:160]} for t in v[:3]]}
                   for k, v in counts.items()), key=lambda s: -s["count"])


_PLAIN = {"commercial share": "share of sentences flagged commercial", "unverified share":
          "share of sentences flagged as unverified claims", "selling": "selling and ordering language",
          "self-promotion": "self-promotion", "claims": "benefit and outcome claims", "contact": "contact details",
          "boilerplate share": "share of menus, forms and adverts", "commercial mean": "promotional tone",
          "unverified mean": "claim-making tone"}


def evidence_of(doc: Document, judged: list, passages: list[Passage]) -> PageEvidence:
    """Sentences and flag probabilities from the flagger's output; boilerplate and metadata from the loader."""
    sentences = [doc.text[j.start:j.end] for j in judged]
    boilerplate = "\n".join(t for _, t in getattr(doc, "boilerplate", ()) or ())
    return PageEvidence(sentences, [j.probabilities.get(COMMERCIAL, 0.0) for j in judged],
                        [j.probabilities.get(UNVERIFIED, 0.0) for j in judged],
                        sum(1 for j in judged if COMMERCIAL in j.flagged),
                        sum(1 for j in judged if UNVERIFIED in j.flagged), boilerplate,
                        dict(getattr(doc, "metadata", {}) or {}))


def page_features(doc: Document, meta: SourceMeta, ev: PageEvidence) -> tuple[np.ndarray, dict, dict, str]:
    j = jama(meta, doc.text, ev)
    hon = honcode(doc.text, ev, j)
    url = meta.url or ev.metadata.get("url")
    kind = publisher_kind(url, meta.publisher_type)
    signals = page_signals(ev.sentences + ev.boilerplate.splitlines(), url=url, publisher_type=meta.publisher_type)
    return features(kind, ev, j, hon, signals), j, hon, kind


def source_profile(doc: Document, meta: SourceMeta, judged: list, passages: list[Passage],
                   overrides: tuple[Override, ...] = ()) -> dict[str, Any]:
    """The stored profile: publisher type, commercial signals, JAMA and HONcode criteria, score, grade, reasons."""
    ev = evidence_of(doc, judged, passages)
    row, j, hon, _ = page_features(doc, meta, ev)
    publisher = _publisher(meta, ev.metadata, ev.flagged_commercial)
    model = profile_model()
    reasons: list[str] = []
    if model is None:
        score = 1.0 - 0.5 * min(1.0, (ev.flagged_commercial + ev.flagged_unverified) / max(len(ev.sentences), 1) * 5)
        reasons.append("no trained score model found (models/profile); score from the flagged share only")
        ranked: list[tuple[str, float]] = []
    else:
        score, ranked = model.score(row)
    for name, contribution in ranked[:3]:
        if contribution < -0.05:
            reasons.append(f"lowers the score: {_PLAIN.get(name, name)}")
    if publisher["type"] in _COMMERCIAL_TYPES:
        reasons.append(f"commercial publisher ({publisher['type']}, {publisher['basis']})")
    if ev.flagged_commercial:
        reasons.append(f"{ev.flagged_commercial} promotional sentence(s)")
    if ev.flagged_unverified:
        reasons.append(f"{ev.flagged_unverified} claim(s) of efficacy, survival, accuracy or safety with no source "
                       "named")
    for name, criterion in j.items():
        if not criterion["met"]:
            reasons.append(f"JAMA {name}: {criterion['evidence']}")
    met = sum(1 for c in hon.values() if c["met"])
    reasons.append(f"HONcode: {met} of {len(hon)} principles met")
    for name, contribution in reversed(ranked[-2:]):
        if contribution > 0.05:
            reasons.append(f"raises the score: {_PLAIN.get(name, name)}")
    score = round(float(score), 3)
    return {
        "grade": grade_of(score), "score": score,
        "score_meaning": "probability that the source is reliable (trained on webcred ratings; models/profile)",
        "reasons": reasons, "publisher": publisher,
        "commercial_signals": _signals(ev, doc.text), "jama": j, "honcode": hon,
        "flagged_passages": sum(1 for p in passages if p.flags), "passages": len(passages),
        "overrides": [o.to_json() for o in overrides],
    }
