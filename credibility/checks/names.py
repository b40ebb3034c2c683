"""Names a claim and its cited text must share: drugs, treatments and identifiers with digits.

Drugs come from the drug-named-entity-recognition dictionary (DrugBank, MeSH, MedlinePlus; brands resolve to
the generic). Treatments come from a small lexicon of treatment nouns; words with other senses ("surgical
mask", "radiation exposure", "the operation of a clinic") are not treatments. Identifiers are tokens mixing
letters and digits (COVID-19, SARS-CoV-2, H1N1, BRCA1, IL-6) and "type 1"/"type 2": a claim naming BRCA1
where the cited sentence names BRCA2 (same family, other member) is a conflict, never a number mismatch.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from groundqa.credibility.checks.agreement import Agreement

_TREATMENTS: dict[str, tuple[str, ...]] = {
    "chemotherapy": ("chemotherapy", "chemotherapies", "chemo", "chemotherapeutic"),
    "radiotherapy": ("radiotherapy", "radiation therapy", "radiation treatment", "radiation oncology", "irradiation",
                     "radiosurgery", "external beam radiation"),
    "brachytherapy": ("brachytherapy",),
    "immunotherapy": ("immunotherapy", "immunotherapies", "immune checkpoint inhibitors",
                      "checkpoint inhibitors", "checkpoint inhibitor"),
    "targeted therapy": ("targeted therapy", "targeted therapies"),
    "hormone therapy": ("hormone therapy", "hormonal therapy", "hormonotherapy", "endocrine therapy"),
    "surgery": ("surgery", "surgeries", "resection", "surgical removal", "surgical resection", "surgical treatment"),
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
# A token with letters and digits, hyphen-joined parts allowed: COVID-19, SARS-CoV-2, H1N1, BRCA1, IL-6, CD4.
_IDENTIFIER = re.compile(r"(?<![\w-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
                         r"(?![\w-])")
# ... but not a quantity written as one token: 10mg, 24h, 3-day, 1st, 2x, 5-year, 12-month.
_QUANTITY_TOKEN = re.compile(r"^\d+(\.\d+)?(-?(st|nd|rd|th|mg|g|kg|mcg|ml|l|h|hr|hrs|s|x|yr|yrs|min|mm|cm|m|km|iu|"
                             r"day|days|week|weeks|month|months|year|years|hour|hours|fold|minute|minutes|"
                             r"point|percent|times|dose|doses))?$", re.IGNORECASE)
_TYPE = re.compile(r"\btype\s+(1|2|I{1,2})\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_drug_lock = threading.Lock()


@dataclass(frozen=True)
class Name:
    name: str
    kind: str  # drug | treatment | identifier
    family: str = ""  # identifiers: the letters before the first digit (BRCA of BRCA1)


def identifier_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of identifiers that contain digits, so the number check can skip them."""
    spans = [(m.start(), m.end()) for m in _IDENTIFIER.finditer(text) if not _QUANTITY_TOKEN.match(m.group(0))]
    return spans + [(m.start(), m.end()) for m in _TYPE.finditer(text)]


def _family(token: str) -> str:
    return re.split(r"\d", token.lower(), maxsplit=1)[0].strip("-")


def identifiers(text: str) -> list[Name]:
    found = [Name(m.group(0).lower(), "identifier", _family(m.group(0))) for m in _IDENTIFIER.finditer(text)
             if not _QUANTITY_TOKEN.match(m.group(0))]
    found += [Name(f"type {'1' if m.group(1).lower() in ('1', 'i') else '2'}", "identifier", "type")
              for m in _TYPE.finditer(text)]
    return found


@lru_cache(maxsize=1)
def _find_drugs() -> Any:
    # The dictionary takes a few seconds to unpack; load it once, on first use or from warm_up().
    with _drug_lock:
        from drug_named_entity_recognition import find_drugs

        return find_drugs


def warm_up() -> None:
    """Load the drug dictionary ahead of the first audit."""
    _find_drugs()


def names(text: str) -> list[Name]:
    """Drugs (generic names; brands resolved), treatments and identifiers named in ``text``."""
    found = [Name(_TREATMENT_OF[m.group(1).lower()], "treatment") for m in _TREATMENT.finditer(text)]
    tokens = _TOKEN.findall(text)
    for data, _, _ in _find_drugs()(tokens, is_ignore_case=True):
        # Individual drugs carry a DrugBank or MedlinePlus id; MeSH classes ("Narcotics") would be too loose.
        if data.get("drugbank_id") or data.get("medline_plus_id"):
            found.append(Name(str(data.get("name", "")).lower(), "drug"))
    found += identifiers(text)
    return list(dict.fromkeys(found))


def _rivals(name: Name, aligned: list[Name], claim_names: list[Name]) -> list[str]:
    if name.kind == "identifier":
        return [a.name for a in aligned if a.kind == "identifier" and a.family == name.family and a not in claim_names]
    return [a.name for a in aligned if a.kind == name.kind and a not in claim_names]


def check_names(claim: str, cited: str, aligned: str) -> Agreement:
    """Every drug, treatment or identifier the claim names must be in the cited text; another one of the same
    kind (an identifier of the same family) where the claim aligns conflicts."""
    claim_names = names(claim)
    cited_names = set(names(cited))
    aligned_names = names(aligned) if aligned != cited else list(cited_names)
    missing, conflicts = [], []
    for n in claim_names:
        if n in cited_names:
            continue
        rivals = _rivals(n, aligned_names, claim_names)
        if rivals:
            conflicts.append(f"the claim names {n.name}, the cited text names {', '.join(sorted(rivals))} there")
        else:
            missing.append(n.name)
    return Agreement(tuple(n.name for n in claim_names), tuple(missing), tuple(conflicts))
