"""Synthetic claim/evidence pairs from MedQuAD answers (the FactCC recipe, Kryscinski et al. 2020).

A sentence, lightly rewritten, is supported by the passage it comes from; the same sentence with a flipped
negation, a changed number or unit, or a word swapped for its antonym is refuted by it; another sentence about
the same topic from another answer is neither. The perturbations are generic English and medical wording,
never phrases of any particular document.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from groundqa.core.sentences import split_sentences
from groundqa.eval.flagset.pages import medquad_pages

_ANTONYMS = [
    ("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"), ("higher", "lower"),
    ("more", "less"), ("most", "least"), ("common", "rare"), ("commonly", "rarely"), ("benign", "malignant"),
    ("effective", "ineffective"), ("safe", "unsafe"), ("acute", "chronic"), ("early", "late"),
    ("rapidly", "slowly"), ("rapid", "slow"), ("before", "after"), ("improve", "worsen"),
    ("improves", "worsens"), ("improved", "worsened"), ("reduce", "raise"), ("reduces", "raises"),
    ("reduced", "raised"), ("lower", "raise"), ("always", "never"), ("often", "rarely"), ("men", "women"),
    ("children", "adults"), ("adults", "children"), ("inherited", "acquired"), ("dominant", "recessive"),
    ("mild", "severe"), ("large", "small"), ("larger", "smaller"), ("many", "few"), ("above", "below"),
    ("high", "low"), ("prevent", "cause"), ("prevents", "causes"), ("curable", "incurable"), ("rise", "fall"),
    ("younger", "older"), ("strong", "weak"), ("stronger", "weaker"), ("positive", "negative"),
    ("excess", "deficiency"), ("overactive", "underactive"), ("contagious", "not contagious"),
    ("treatable", "untreatable"), ("successful", "unsuccessful"), ("likely", "unlikely"), ("able", "unable"),
    ("protects", "harms"), ("beneficial", "harmful"), ("helps", "hinders"), ("fewer", "more"),
]
_SWAP = {a: b for a, b in _ANTONYMS} | {b: a for a, b in _ANTONYMS if " " not in b}
_SWAP_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SWAP), key=len, reverse=True)) + r")\b")
_AUX = re.compile(r"\b(is|are|was|were|can|may|will|should|could)\b(?! not\b)")
_NEGATED = re.compile(r"\b(is|are|was|were|can|may|will|does|do|did|should|could|has|have) not\b|\bcannot\b|"
                      r"\b(isn't|aren't|doesn't|don't|can't|won't)\b")
_UNNEGATE = {"cannot": "can", "isn't": "is", "aren't": "are", "doesn't": "does", "don't": "do", "can't": "can",
             "won't": "will"}
_NUMBER = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)(?![\w.-]*\d)(\s*(?:%|percent|years?|months?|weeks?|days?|hours?|"
                     r"mg|kg|times|people|patients|cases)?)")
_UNITS = {"years": "months", "months": "years", "weeks": "days", "days": "weeks", "hours": "days", "mg": "g",
          "year": "month", "month": "year", "week": "day", "day": "week"}
_PAREN = re.compile(r"\s*\([^()]{1,80}\)")


@dataclass(frozen=True)
class Synthetic:
    claim: str
    evidence: str
    label: str
    how: str


def _negate(s: str, rng: random.Random) -> str | None:
    if m := _NEGATED.search(s):
        word = m.group(0)
        plain = _UNNEGATE.get(word.lower(), word.split()[0])
        return s[:m.start()] + plain + s[m.end():]
    hits = list(_AUX.finditer(s))
    if not hits:
        return None
    m = rng.choice(hits)
    return s[:m.end()] + " not" + s[m.end():]


def _renumber(s: str, rng: random.Random) -> str | None:
    hits = list(_NUMBER.finditer(s))
    if not hits:
        return None
    m = rng.choice(hits)
    value, unit = m.group(1), m.group(2)
    unit_word = unit.strip()
    if unit_word in _UNITS and rng.random() < 0.4:
        return s[:m.start(2)] + unit.replace(unit_word, _UNITS[unit_word]) + s[m.end(2):]
    number = float(value)
    choices = [number * f for f in (2, 3, 0.5, 10)] + [number + d for d in (1, 2, 5, 10, -1)]
    new = rng.choice([c for c in choices if c > 0 and c != number] or [number + 1])
    text = str(int(new)) if "." not in value else f"{new:.1f}"
    return s[:m.start(1)] + text + s[m.end(1):]


def _antonym(s: str, rng: random.Random) -> str | None:
    hits = list(_SWAP_RE.finditer(s))
    if not hits:
        return None
    m = rng.choice(hits)
    return s[:m.start()] + _SWAP[m.group(1)] + s[m.end():]


def _rewrite(s: str, rng: random.Random) -> str:
    """A light, meaning-keeping rewrite: drop parentheticals, or keep only the main clause before a comma."""
    out = _PAREN.sub("", s)
    if rng.random() < 0.4 and "," in out:
        head = out.split(",")[0].strip()
        if len(head.split()) >= 6:
            out = head + "."
    return out.strip()


def medquad_pairs(n: int, *, seed: int = 13) -> list[Synthetic]:
    """About ``n`` pairs: a third supports, a third refutes (negation, number/unit, antonym), a third neither."""
    rng = random.Random(seed)
    by_focus: dict[str, list[list[str]]] = {}
    for page in medquad_pages():
        sents = [page.text[s.start:s.end].lstrip("- ") for s in split_sentences(page.text) if not s.is_heading]
        sents = [s for s in sents if 8 <= len(s.split()) <= 45 and not s.rstrip().endswith("?")]
        if len(sents) >= 2:
            by_focus.setdefault(page.site, []).append(sents)
    focuses = sorted(by_focus)
    rng.shuffle(focuses)
    out: list[Synthetic] = []
    per = n // 3
    counts = {"supports": 0, "refutes": 0, "neither": 0}
    for focus in focuses:
        if min(counts.values()) >= per:
            break
        answers = by_focus[focus]
        answer = rng.choice(answers)
        i = rng.randrange(len(answer))
        sentence = answer[i]
        lo = max(0, i - rng.randint(0, 1))
        evidence = " ".join(answer[lo:i + 1 + rng.randint(0, 1)])
        kind = min(counts, key=lambda k: counts[k])
        if kind == "supports":
            out.append(Synthetic(_rewrite(sentence, rng), evidence, "supports", "rewrite"))
        elif kind == "refutes":
            options = {"number": _renumber, "antonym": _antonym, "negation": _negate}
            tried = [(how, f(sentence, rng)) for how, f in options.items()]
            tried = [(how, c) for how, c in tried if c and c != sentence]
            if not tried:
                continue
            how, changed = tried[0] if rng.random() < 0.5 else rng.choice(tried)
            out.append(Synthetic(changed, evidence, "refutes", how))
        else:
            others = [a for a in answers if a is not answer] or [rng.choice(by_focus[rng.choice(focuses)])]
            other = rng.choice(rng.choice(others))
            if other in evidence:
                continue
            out.append(Synthetic(other, evidence, "neither", "same topic"))
        counts[kind] += 1
    return out
