"""Checks that a claim and the text it cites agree on numbers, drug and treatment names, and negation.

Embedding similarity cannot tell "19 months" from "29 months", cisplatin from docetaxel, or "curable" from
"not curable"; these checks can. Drug names come from the drug-named-entity-recognition dictionary
(DrugBank, MeSH, MedlinePlus; brand names resolve to the generic), treatments from a small lexicon below.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import Stemmer

# -- numbers ------------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?"
                     r"(\s*%|\s*per\s?cent\b)?(?:\s+([A-Za-z]+))?")
_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                                                       "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_WORD_ALT = "|".join(w for w in _WORD_NUMBERS if w != "one")
_WORD_NUMBER = re.compile(rf"\b({_WORD_ALT})\b(?!\s+of\b)(?:\s*(?:to|or|-)\s*({_WORD_ALT}))?(?:\s+([A-Za-z]+))?",
                          re.IGNORECASE)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_STAGE = re.compile(r"\bstage\s+(IV|V|I{1,3})(?=[A-C]?\b)", re.IGNORECASE)
_UNITLESS = {"and", "but", "not", "or", "with", "after", "before", "while"}


@dataclass(frozen=True)
class Number:
    value: float
    text: str
    unit: str | None = None


def _unit(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower()
    if word in _FUNCTION_WORDS or word in _UNITLESS:
        return None
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _shown(match: re.Match[str], unit_group: int, unit: str | None) -> str:
    """The number as written, with its unit word when it has one."""
    head = match.group(0)[:match.start(unit_group) - match.start()] if match.group(unit_group) else match.group(0)
    word = match.group(unit_group)
    return f"{head.strip()} {word}" if word and _unit(word) is not None else head.strip()


def numbers(text: str) -> list[Number]:
    """Numbers in ``text`` with the word that follows them (their unit, when there is one)."""
    found: list[Number] = []
    for m in _NUMBER.finditer(text):
        unit = "%" if m.group(3) else _unit(m.group(4))
        for raw in (m.group(1), m.group(2)):
            if raw:
                found.append(Number(float(raw.replace(",", "")), _shown(m, 4, unit), unit))
    for m in _WORD_NUMBER.finditer(text):
        unit = _unit(m.group(3))
        for raw in (m.group(1), m.group(2)):
            if raw:
                found.append(Number(float(_WORD_NUMBERS[raw.lower()]), _shown(m, 3, unit), unit))
    for m in _STAGE.finditer(text):
        found.append(Number(float(_ROMAN[m.group(1).lower()]), m.group(0), "stage"))
    return found


@dataclass(frozen=True)
class Agreement:
    """What the claim states, which of it the cited text lacks, and what the cited text says instead."""

    claim: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


def check_numbers(claim: str, cited: str, aligned: str) -> Agreement:
    """Every number of the claim must occur in the cited text; a different number where it aligns conflicts."""
    claim_numbers = numbers(claim)
    cited_values = {n.value for n in numbers(cited)}
    aligned_numbers = numbers(aligned)
    missing, conflicts = [], []
    for n in claim_numbers:
        if n.value in cited_values:
            continue
        rivals = [a for a in aligned_numbers if a.unit == n.unit and n.unit] or \
                 ([a for a in aligned_numbers if not a.unit] if not n.unit else [])
        if rivals:
            conflicts.append(f"the claim says {n.text!r}, the cited text says {rivals[0].text!r}")
        else:
            missing.append(n.text)
    return Agreement(tuple(dict.fromkeys(n.text for n in claim_numbers)), tuple(dict.fromkeys(missing)),
                     tuple(dict.fromkeys(conflicts)))


# -- drug and treatment names -------------------------------------------------------------------------------
_TREATMENTS: dict[str, tuple[str, ...]] = {
    "chemotherapy": ("chemotherapy", "chemotherapies", "chemo", "chemotherapeutic"),
    "radiotherapy": ("radiotherapy", "radiation therapy", "radiation", "irradiation", "radiosurgery"),
    "brachytherapy": ("brachytherapy",),
    "immunotherapy": ("immunotherapy", "immunotherapies", "immune checkpoint inhibitors",
                      "checkpoint inhibitors", "checkpoint inhibitor"),
    "targeted therapy": ("targeted therapy", "targeted therapies"),
    "hormone therapy": ("hormone therapy", "hormonal therapy", "hormonotherapy", "endocrine therapy"),
    "surgery": ("surgery", "surgical", "operation", "resection"),
    "mastectomy": ("mastectomy",),
    "palliative care": ("palliative care", "supportive care"),
    "stem cell transplant": ("stem cell transplant", "bone marrow transplant"),
    "anti-angiogenic therapy": ("anti-angiogenic", "antiangiogenic"),
    "gene therapy": ("gene therapy", "gene therapies"),
    "ablation": ("ablation", "radiofrequency ablation"),
    "embolisation": ("embolisation", "embolization", "chemoembolization"),
}
_TREATMENT = re.compile(r"\b(" + "|".join(sorted((re.escape(v) for vs in _TREATMENTS.values() for v in vs),
                                                key=len, reverse=True)) + r")\b", re.IGNORECASE)
_TREATMENT_OF = {v: k for k, vs in _TREATMENTS.items() for v in vs}
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_drug_lock = threading.Lock()


@lru_cache(maxsize=1)
def _find_drugs() -> Any:
    # The dictionary takes a few seconds to unpack; load it once, on first use or from warm_up().
    with _drug_lock:
        from drug_named_entity_recognition import find_drugs

        return find_drugs


def warm_up() -> None:
    """Load the drug dictionary ahead of the first audit."""
    _find_drugs()


@dataclass(frozen=True)
class Name:
    name: str
    kind: str  # drug | treatment


def names(text: str) -> list[Name]:
    """Drugs (generic names; brands resolved) and treatments named in ``text``."""
    found = [Name(_TREATMENT_OF[m.group(1).lower()], "treatment") for m in _TREATMENT.finditer(text)]
    tokens = _TOKEN.findall(text)
    for data, _, _ in _find_drugs()(tokens, is_ignore_case=True):
        # Individual drugs carry a DrugBank or MedlinePlus id; MeSH classes ("Narcotics") would be too loose.
        if data.get("drugbank_id") or data.get("medline_plus_id"):
            found.append(Name(str(data.get("name", "")).lower(), "drug"))
    return list(dict.fromkeys(found))


def check_names(claim: str, cited: str, aligned: str) -> Agreement:
    """Every drug or treatment the claim names must be in the cited text; another one where it aligns conflicts."""
    claim_names = names(claim)
    cited_names = set(names(cited))
    aligned_names = names(aligned)
    missing, conflicts = [], []
    for n in claim_names:
        if n in cited_names:
            continue
        rivals = [a.name for a in aligned_names if a.kind == n.kind and a not in claim_names]
        if rivals:
            conflicts.append(f"the claim names {n.name}, the cited text names {', '.join(rivals)} there")
        else:
            missing.append(n.name)
    return Agreement(tuple(n.name for n in claim_names), tuple(missing), tuple(conflicts))


# -- negation -----------------------------------------------------------------------------------------------
_NEGATORS = {"not", "no", "never", "none", "nor", "neither", "without", "cannot", "nothing", "nobody",
             "hardly", "rarely", "seldom", "lack", "lacks"}
_LIMITERS = {"only", "just", "merely", "solely"}  # "not only X" negates "only", not X
_CLAUSE_BREAKS = {"but", "although", "though", "however", "while", "whereas", "yet"}
_FUNCTION_WORDS = {"a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "of", "to", "in", "on",
                   "at", "by", "for", "and", "or", "it", "its", "this", "that", "these", "those", "with", "as",
                   "from", "can", "may", "might", "will", "would", "should", "could", "do", "does", "did", "has",
                   "have", "had", "which", "who", "their", "they", "them", "there", "than", "so", "such"}
_NEG_PREFIXES = ("non-", "non", "un", "in", "im", "ir", "il", "dis")
_WORDS = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?|[.,;:!?()]")
_SCOPE = 3


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _polarity(text: str) -> dict[str, tuple[bool, str]]:
    """Content-word stem -> (whether a negation cue governs it, the word as written).

    A cue governs the next three words of its clause; "not only X" governs "only" alone.
    """
    out: dict[str, tuple[bool, str]] = {}
    cue_at = -100
    limiter_only = False
    tokens = [t.lower() for t in _WORDS.findall(text)]
    for i, tok in enumerate(tokens):
        if not tok[0].isalpha() or tok in _CLAUSE_BREAKS:
            cue_at = -100
            continue
        if tok in _NEGATORS or tok.endswith(("n't", "n’t")):
            cue_at, limiter_only = i, i + 1 < len(tokens) and tokens[i + 1] in _LIMITERS
            continue
        if tok in _FUNCTION_WORDS:
            continue
        negated = i - cue_at <= _SCOPE and (not limiter_only or i == cue_at + 1)
        stem = _stemmer().stemWord(tok)
        before = out.get(stem)
        out[stem] = (negated or (before is not None and before[0]), tok)
    return out


def _with_prefix_negation(mine: dict[str, tuple[bool, str]], theirs: Iterable[str]) -> dict[str, tuple[bool, str]]:
    """Read "incurable" as a negated "curable" when the other text has "curable"."""
    theirs = set(theirs)
    out = dict(mine)
    for stem, (negated, word) in mine.items():
        if stem in theirs:
            continue
        for prefix in _NEG_PREFIXES:
            base = word[len(prefix):]
            if word.startswith(prefix) and len(base) > 3 and _stemmer().stemWord(base) in theirs:
                out[_stemmer().stemWord(base)] = (not negated, word)
                break
    return out


def _said(stem: str, negated: bool, word: str) -> str:
    prefixed = _stemmer().stemWord(word) != stem
    return f"{word!r}" + (" under a negation" if negated and not prefixed else "")


def check_negation(claim: str, aligned: str) -> Agreement:
    """Words that claim and cited sentence share but one negates ("not curable" against "curable")."""
    claim_pol, cited_pol = _polarity(claim), _polarity(aligned)
    claim_pol = _with_prefix_negation(claim_pol, cited_pol)
    cited_pol = _with_prefix_negation(cited_pol, claim_pol)
    flipped = sorted(s for s in set(claim_pol) & set(cited_pol) if claim_pol[s][0] != cited_pol[s][0])
    negated = tuple(word for neg, word in claim_pol.values() if neg)
    conflicts = tuple(f"the claim says {_said(s, *claim_pol[s])}, the cited text says {_said(s, *cited_pol[s])}"
                      for s in flipped)
    return Agreement(negated, (), conflicts)
