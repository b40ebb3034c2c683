"""Negation with its scope: words a claim and its cited sentence share, negated in one and not the other.

negspacy's NegEx (Chapman et al. 2001) marks every content word inside a negation's scope: from a cue ("not",
"no evidence that", "without") to the end of the clause. Its clinical term set is extended with the scope
ends of ordinary prose (a comma that starts a new clause) and with pseudo-negations ("not only", "not the
only"). A negative prefix counts only on a gradable word whose base the other text uses ("incurable" against
"curable", "unlikely" against "likely"), never on "irradiation", "imaging" or "discharged".
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import Stemmer
from groundqa.credibility.checks.agreement import Agreement

_PSEUDO = ["not only", "not the only", "not just", "not merely", "not necessarily", "no doubt", "not limited to",
           "no longer only", "whether or not", "not to mention"]
_CLAUSE_STARTS = ["the", "it", "they", "this", "these", "those", "we", "patients", "a", "an", "there", "he", "she",
                  "its", "their", "our", "most", "many", "some"]
_EXTRA_TERMINATION = [f", {w}" for w in _CLAUSE_STARTS] + ["; ", "whereas", "while", "instead"]
# Single-word cues start where a pseudo-negation starts ("not" of "not only"), so NegEx can cancel them.
_EXTRA_PRECEDING = ["no evidence that", "no evidence of", "not", "never", "cannot", "without", "no", "none of",
                    "neither", "nor", "fails to", "failed to", "unable to", "lack of", "absence of"]
_PREFIXES = ("non-", "non", "un", "in", "im", "ir", "il", "dis")
_GRADABLE = frozenset(
    "likely safe common usual known certain healthy necessary successful stable effective curable treatable operable "
    "resectable responsive detectable reversible controlled treated related infected vaccinated affected insured "
    "proven approved specific typical able available acceptable adequate appropriate complete consistent favorable "
    "favourable frequent sufficient significant regular normal active sensitive tolerable predictable avoidable "
    "manageable limited conclusive correct accurate important invasive toxic".split())
_GRADABLE_SUFFIX = ("able", "ible", "ive", "ful")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    with _lock:
        import spacy
        from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
        from negspacy.termsets import termset
        from spacy.tokens import Span

        if "content_words" not in spacy.registry.factories.get_all():  # one registration per process

            @spacy.Language.component("content_words")
            def content_words(doc):  # every content word is a target whose negation NegEx decides
                doc.ents = [Span(doc, t.i, t.i + 1, label="WORD") for t in doc
                            if t.is_alpha and not t.is_stop and len(t) > 2]
                return doc

        terms = termset("en_clinical")
        terms.add_patterns({"pseudo_negations": _PSEUDO, "termination": _EXTRA_TERMINATION,
                            "preceding_negations": _EXTRA_PRECEDING})
        terms.remove_patterns({"following_negations": ["not"]})  # "X was not ..." negates what follows, not X
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("content_words")
        nlp.add_pipe("negex", config={"neg_termset": terms.get_patterns(), "ent_types": ["WORD"],
                                      "chunk_prefix": []})
        return nlp


_SUBORDINATE = re.compile(r"(?:^|(?<=[.!?;:]\s))(?:although|though|even though|while|whereas|if|because|since|when|"
                          r"unless|despite|as)\b[^,.;]*,", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """``text`` cut after a leading subordinate clause ("Although X is not curable, treatment helps"): a negation
    inside it does not reach the main clause."""
    pieces, cursor = [], 0
    for m in _SUBORDINATE.finditer(text):
        pieces += [text[cursor:m.start()], text[m.start():m.end()]]
        cursor = m.end()
    pieces.append(text[cursor:])
    return [p for p in pieces if p.strip()]


def polarity(text: str) -> dict[str, tuple[frozenset[bool], str]]:
    """Content-word stem -> (whether each use of it is negated, the word as written)."""
    out: dict[str, tuple[frozenset[bool], str]] = {}
    for doc in _pipeline().pipe(clauses(text)):
        for ent in doc.ents:
            word = ent.text.lower()
            stem = _stemmer().stemWord(word)
            seen = out.get(stem, (frozenset(), word))[0]
            out[stem] = (seen | {bool(ent._.negex)}, word)
    return out


def _gradable(base: str) -> bool:
    return base in _GRADABLE or base.endswith(_GRADABLE_SUFFIX)


Polarity = dict[str, tuple[frozenset[bool], str]]


def _with_prefix_negation(mine: Polarity, theirs: Polarity) -> Polarity:
    """Read "incurable" as a negated "curable" when the other text says "curable"."""
    out = dict(mine)
    for stem, (uses, word) in mine.items():
        if stem in theirs:
            continue
        for prefix in _PREFIXES:
            base = word[len(prefix):].lstrip("-")
            if word.startswith(prefix) and len(base) > 3 and _gradable(base):
                base_stem = _stemmer().stemWord(base)
                if base_stem in theirs:
                    out[base_stem] = (frozenset(not n for n in uses), word)
                    break
    return out


def _said(word: str, uses: frozenset[bool], stem: str) -> str:
    prefixed = _stemmer().stemWord(word) != stem
    return f"{word!r}" + (" under a negation" if True in uses and not prefixed else "")


def check_negation(claim: str, aligned: str) -> Agreement:
    """Words that claim and cited sentence share but only one negates ("not curable" against "curable")."""
    claim_pol, cited_pol = polarity(claim), polarity(aligned)
    claim_pol, cited_pol = _with_prefix_negation(claim_pol, cited_pol), _with_prefix_negation(cited_pol, claim_pol)
    # a conflict: every use in the claim has one polarity and every use in the cited sentence the other
    flipped = sorted(s for s in set(claim_pol) & set(cited_pol) if not claim_pol[s][0] & cited_pol[s][0])
    negated = tuple(word for uses, word in claim_pol.values() if True in uses)
    conflicts = tuple(f"the claim says {_said(claim_pol[s][1], claim_pol[s][0], s)}, the cited text says "
                      f"{_said(cited_pol[s][1], cited_pol[s][0], s)}" for s in flipped)
    return Agreement(negated, (), conflicts[:3])


def warm_up() -> None:
    _pipeline()

