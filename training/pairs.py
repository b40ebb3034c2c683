"""The verifier's training and calibration pairs, assembled from the claims datasets and MedQuAD.

- HealthVer ``train`` pairs (the target genre: web claims against abstract sentences), counted twice;
- COVID-Fact ``train`` pairs (supports / refutes with near-miss counter-claims), plus "neither" pairs made by
  giving a claim the evidence of another article that shares the most words with it;
- SciFact ``train`` pairs, whose ``not_entailment`` is a partial label (refutes or neither);
- synthetic MedQuAD pairs (credibility.training.synthetic).
Only ``train`` groups are used here; ``calib`` groups choose the epoch and calibrate, ``test`` is never read.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from groundqa.eval.claims import ClaimPair, content_words, covidfact, evidence_window, healthver, scifact

_words = content_words  # the name this package's modules use

@dataclass(frozen=True)
class Example:
    claim: str
    evidence: str
    label: str  # supports | refutes | neither | not_supports
    source: str  # dataset or recipe, for the per-source report
    weight: float = 1.0


def _hard_neutrals(pairs: list[ClaimPair], rng: random.Random, share: float) -> list[Example]:
    """Claims given the evidence of another article on the same subject: related, but not about the claim."""
    by_group: dict[str, str] = {}
    for p in pairs:
        by_group.setdefault(p.group, p.evidence)
    groups = sorted(by_group)
    doc_freq = Counter(w for g in groups for w in _words(by_group[g]))
    idf = {w: math.log(len(groups) / c) for w, c in doc_freq.items()}
    evidence_words = {g: _words(by_group[g]) for g in groups}
    chosen = rng.sample(pairs, int(len(pairs) * share))
    out = []
    for p in chosen:
        words = _words(p.claim)
        best = max((g for g in groups if g != p.group),
                   key=lambda g: sum(idf.get(w, 0.0) for w in words & evidence_words[g]))
        out.append(Example(p.claim, by_group[best], "neither", f"{p.dataset}-neutral"))
    return out


def claim_pairs(part: str) -> list[ClaimPair]:
    """All pairs of the three claims datasets in one split part."""
    return [p for reader in (healthver, covidfact, scifact) for p in reader() if p.split == part]


_FLIP = {"supports": "refutes", "refutes": "supports"}


def flipped(p: ClaimPair, rng: random.Random) -> list[Example]:
    """Label-flipping rewrites of a HealthVer train claim (as in FEVER augmentation): the negated claim, and the
    claim asked as a question answered "No", take the opposite label; answered "Yes", the same one."""
    from groundqa_training.synthetic import _negate

    if p.label not in _FLIP:
        return []
    evidence = evidence_window(p.claim, p.evidence)
    out = []
    negated = _negate(p.claim, rng)
    if negated and negated != p.claim:
        out.append(Example(negated, evidence, _FLIP[p.label], "healthver-negated", 1.0))
    statement = p.claim.rstrip(" .?!")
    if not statement.endswith("?") and len(statement.split()) >= 4:
        answer, label = rng.choice((("No", _FLIP[p.label]), ("Yes", p.label)))
        out.append(Example(f"Is it true that {statement[0].lower()}{statement[1:]}? {answer}.", evidence, label,
                           "healthver-question", 1.0))
    return out


RECIPE = ("healthver_dev", "healthver_train", "check_covid", "scifact_full")  # the shipped recipe (bench/README)
ALL_SOURCES = ("healthver_dev", "covidfact", "scifact_rte", "synthetic", "healthver_train", "check_covid",
               "scifact_full")


def training_examples(*, synthetic: int = 1800, seed: int = 13, cache: Path | None = None,
                      augment: bool = False, sources: tuple[str, ...] = RECIPE) -> list[Example]:
    """The training set (``train`` groups only) from the named ``sources``, shuffled with ``seed``; synthetic
    pairs cached at ``cache``."""
    from groundqa_training.evidence_pairs import READERS, rationale_examples

    unknown = [s for s in sources if s not in ALL_SOURCES]
    if unknown:
        raise ValueError(f"unknown pair sources {unknown}; choose from {', '.join(ALL_SOURCES)}")
    rng = random.Random(seed)
    named = {"healthver_dev": "healthver", "covidfact": "covidfact", "scifact_rte": "scifact"}
    wanted = {named[s] for s in sources if s in named}
    train = [p for p in claim_pairs("train") if p.dataset in wanted]
    out: list[Example] = []
    for p in train:
        weight = 2.0 if p.dataset == "healthver" else 1.0
        out.append(Example(p.claim, evidence_window(p.claim, p.evidence), p.label, p.dataset, weight))
        if augment and p.dataset == "healthver":
            out += flipped(p, rng)
    if "covidfact" in sources:
        covid = [p for p in train if p.dataset == "covidfact"]
        out += [Example(e.claim, evidence_window(e.claim, e.evidence), e.label, e.source)
                for e in _hard_neutrals(covid, rng, share=0.4)]
    if synthetic and "synthetic" in sources:
        out += synthetic_examples(synthetic, seed=seed, cache=cache)
    out += rationale_examples(tuple(s for s in sources if s in READERS), seed=seed)
    rng.shuffle(out)
    return out


def synthetic_examples(n: int, *, seed: int, cache: Path | None) -> list[Example]:
    if cache is not None and cache.is_file():
        rows = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
        if len(rows) == n:
            return [Example(**r) for r in rows]
    from groundqa_training.synthetic import medquad_pairs

    made = [Example(s.claim, s.evidence, s.label, f"medquad-{s.how}") for s in medquad_pairs(n, seed=seed)]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text("".join(json.dumps(asdict(e)) + "\n" for e in made), encoding="utf-8")
    return made
