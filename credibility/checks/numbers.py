"""Quantities with their units: a claim's figure must be found, in some unit, in the text it cites.

quantulum3 finds quantities and their units (number words, ranges, "percent"), pint converts between units
of one dimension (24 months == 2 years, 1,000 mg == 1 g). Identifiers that contain digits (COVID-19, H1N1,
BRCA1, IL-6) are names, not numbers (credibility.checks.names). A bare count takes the noun after it as its
unit ("29 patients"), so it is never compared with "29 months"; a year ("2019") is compared only with years.
Bounds and hedges widen a figure into an interval: "more than 50%" is [50, inf), "about 30%" is 30 +- 10%.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from groundqa.credibility.checks.agreement import Agreement
from groundqa.credibility.checks.names import identifier_spans

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_STAGE = re.compile(r"\bstage\s+(IV|V|I{1,3})(?=[A-C]?\b)", re.IGNORECASE)
_HAS_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                         r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|dozen)\b",
                         re.IGNORECASE)
_LOWER = re.compile(r"\b(more than|over|above|at least|greater than|exceeding|upwards of|>=?)\s*$", re.IGNORECASE)
_UPPER = re.compile(r"\b(less than|under|below|up to|at most|fewer than|no more than|<=?)\s*$", re.IGNORECASE)
_ABOUT = re.compile(r"\b(about|around|approximately|nearly|almost|roughly|some|circa|an average of|on average|"
                    r"~)\s*$", re.IGNORECASE)
_NOUN = re.compile(r"\s*([A-Za-z][a-z-]+)")
_NOT_COUNT_NOUNS = frozenset("of and or to in on at by for with from the a an percent per than is are was were has "
                             "have had out".split())
_lock = threading.Lock()


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    dimension: str  # a pint dimensionality, "percent", "count:<noun>", "number", "year" or "stage"
    text: str
    base: float  # the value in base units, for display and sorting

    def overlaps(self, other: Quantity) -> bool:
        return self.dimension == other.dimension and self.low <= other.high and other.low <= self.high


@lru_cache(maxsize=1)
def _parser() -> Any:
    with _lock:
        import quantulum3.classifier as classifier
        from quantulum3 import parser

        classifier.USE_CLF = False  # its pickled scikit-learn model predates our scikit-learn; rules suffice here
        return parser


@lru_cache(maxsize=1)
def _units() -> Any:
    import pint

    return pint.UnitRegistry()


def _in_base(value: float, unit_name: str) -> tuple[float, str] | None:
    """(value in base units, dimensionality) via pint, or None when pint does not know the unit."""
    try:
        quantity = _units().Quantity(value, unit_name.replace(" ", "_"))
        base = quantity.to_base_units()
    except Exception:  # pint raises many kinds of errors for names it cannot read
        return None
    return float(base.magnitude), str(base.dimensionality)


def _widen(text: str, start: int, low: float, high: float) -> tuple[float, float]:
    before = text[max(0, start - 25):start]
    if _LOWER.search(before):
        return low, math.inf
    if _UPPER.search(before):
        return -math.inf, high
    if _ABOUT.search(before):
        return low * 0.9, high * 1.1
    return low, high


def quantities(text: str) -> list[Quantity]:
    """Every quantity of ``text`` with its unit dimension, as an interval."""
    names = identifier_spans(text)
    out: list[Quantity] = []
    for q in _parser().parse(text):
        start, end = q.span
        start = max(start, 0)
        surface = text[start:end] if end > start else q.surface
        if not _HAS_NUMBER.search(surface) or any(s < end and start < e for s, e in names):
            continue  # "a day", or the 19 of COVID-19
        spread = q.uncertainty or 0.0
        low, high = _widen(text, start, q.value - spread, q.value + spread)
        unit = q.unit.name
        if unit == "percentage":
            dimension, factor = "percent", 1.0
        elif unit == "dimensionless":
            noun = _NOUN.match(text, end)
            word = noun.group(1).lower() if noun else ""
            if 1800 <= q.value <= 2100 and float(q.value).is_integer() and not spread:
                dimension = "year"
            elif word and word not in _NOT_COUNT_NOUNS:
                dimension = "count:" + (word[:-1] if word.endswith("s") and len(word) > 3 else word)
            else:
                dimension = "number"
            factor = 1.0
        else:
            converted = _in_base(1.0, unit)
            if converted is None:
                dimension, factor = f"unit:{unit}", 1.0
            else:
                factor, dimension = converted
        out.append(Quantity(low * factor if low != -math.inf else low, high * factor if high != math.inf else high,
                            dimension, surface.strip(), q.value * factor))
    for m in _STAGE.finditer(text):
        value = float(_ROMAN[m.group(1).lower()])
        out.append(Quantity(value, value, "stage", m.group(0), value))
    return out


def check_numbers(claim: str, cited: str, aligned: str) -> Agreement:
    """Each figure of the claim must overlap a figure of the same dimension in the cited text; where the aligned
    sentence gives only other figures of that dimension, they conflict."""
    claim_q = quantities(claim)
    cited_q = quantities(cited)
    aligned_q = quantities(aligned) if aligned != cited else cited_q
    missing, conflicts = [], []
    for q in claim_q:
        if any(q.overlaps(c) for c in cited_q):
            continue
        rivals = [a for a in aligned_q if a.dimension == q.dimension]
        if rivals:
            conflicts.append(f"the claim says {q.text!r}, the cited text says {rivals[0].text!r}")
        else:
            missing.append(q.text)
    return Agreement(tuple(dict.fromkeys(q.text for q in claim_q)), tuple(dict.fromkeys(missing)),
                     tuple(dict.fromkeys(conflicts)))


def warm_up() -> None:
    """Load quantulum3's unit tables and pint's registry ahead of the first audit."""
    quantities("about 2 years or 24 months")
