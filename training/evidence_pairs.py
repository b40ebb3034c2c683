"""Verifier training pairs from abstracts with marked rationale sentences: HealthVer train, Check-COVID, SciFact.

The audit feeds the verifier a claim against one or two cited sentences, so the pairs are built the same way:
- the claim against its rationale sentences (the label the annotators gave), and against the rationale with a
  neighbouring sentence (a short window, as a citation usually is);
- *neither* from an abstract listed for the claim with no evidence in it (the closest sentences by shared words);
- *neither* from the sentences of an evidence abstract that are not its rationale: the hard negatives, on the
  same topic and often sharing the claim's words.
HealthVer train claims that restate a claim of ``healthver_dev.csv`` are dropped, so nothing measured there is
trained on. SciFact dev and Check-COVID dev are never read here.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from groundqa.eval.claims import CLAIMS
from groundqa_training.pairs import Example, _words

SOURCES = ("healthver_train", "check_covid", "scifact_full")
MAX_WORDS = 90  # the evidence_window budget: a window longer than this is cut to its rationale
_LABEL = {"SUPPORT": "supports", "CONTRADICT": "refutes", "REFUTE": "refutes", "NOTENOUGHINFO": "neither"}


@dataclass(frozen=True)
class Abstract:
    title: str
    sentences: tuple[str, ...]


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _corpus(path: Path, key: str) -> dict[str, Abstract]:
    return {str(r[key]): Abstract(r.get("title", ""), tuple(s.strip() for s in r["abstract"])) for r in _jsonl(path)}


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def _join(sentences: tuple[str, ...], indexes: list[int]) -> str:
    return " ".join(sentences[i] for i in sorted(set(indexes)) if 0 <= i < len(sentences))


def _within(text: str) -> bool:
    return len(text.split()) <= MAX_WORDS


def _closest_windows(claim: str, sentences: tuple[str, ...], banned: set[int], rng: random.Random,
                     width: int = 2) -> list[int]:
    """The ``width`` adjacent sentences (none of them ``banned``) sharing most words with the claim."""
    words = _words(claim)
    best, best_score = [], -1.0
    for i in range(len(sentences)):
        span = [j for j in range(i, min(i + width, len(sentences))) if j not in banned]
        if not span or span[0] != i:
            continue
        score = sum(len(words & _words(sentences[j])) for j in span) + rng.random() * 0.1
        if score > best_score and _within(_join(sentences, span)):
            best, best_score = span, score
    return best


def _neither(claim: str, abstract: Abstract, banned: set[int], rng: random.Random, source: str, *,
             width: int = 2) -> list[Example]:
    """A *neither* pair: the claim against the closest sentences of the abstract outside ``banned`` (none left:
    no pair)."""
    window = _closest_windows(claim, abstract.sentences, banned, rng, width=width)
    return [Example(claim, _join(abstract.sentences, window), "neither", source)] if window else []


def _evidence_examples(claim: str, abstract: Abstract, rationale: list[int], label: str, source: str,
                       rng: random.Random) -> list[Example]:
    """The rationale alone, and the rationale with the next (or previous) sentence as a short window."""
    out = []
    text = _join(abstract.sentences, rationale)
    if _within(text):
        out.append(Example(claim, text, label, source))
    neighbour = max(rationale) + 1 if max(rationale) + 1 < len(abstract.sentences) else min(rationale) - 1
    if neighbour >= 0 and rng.random() < 0.5:
        window = _join(abstract.sentences, [*rationale, neighbour])
        if _within(window):
            out.append(Example(claim, window, label, f"{source}-window"))
    return out


def _dev_claims() -> set[str]:
    path = CLAIMS / "healthver_dev.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {_fold(r["claim"]) for r in csv.DictReader(handle)}


def healthver_train(rng: random.Random, *, hard_negatives: bool = True) -> list[Example]:
    folder = CLAIMS / "healthver_train"
    corpus = _corpus(folder / "corpus.jsonl", "doc_id")
    held = _dev_claims()
    out: list[Example] = []
    for r in _jsonl(folder / "claims_train.jsonl"):
        claim = r["claim"].strip()
        if _fold(claim) in held:
            continue
        for doc in map(str, r["doc_ids"]):
            abstract = corpus.get(doc)
            if abstract is None:
                continue
            sets = r["evidence"].get(doc, [])
            used: set[int] = set()
            for evidence in sets:
                used.update(evidence["sentences"])
                out += _evidence_examples(claim, abstract, evidence["sentences"], _LABEL[evidence["label"]],
                                          "healthver_train", rng)
            if not sets:
                out += _neither(claim, abstract, set(), rng, "healthver_train-nei")
            elif hard_negatives:
                out += _neither(claim, abstract, used, rng, "healthver_train-hardneg", width=rng.choice((1, 2)))
    return out


def check_covid(rng: random.Random) -> list[Example]:
    folder = CLAIMS / "check_covid"
    corpus = _corpus(folder / "corpus.jsonl", "cord_id")
    out: list[Example] = []
    for r in _jsonl(folder / "train.jsonl"):
        abstract = corpus.get(str(r["cord_id"]))
        rationale = [e["sent_index"] for e in r.get("evidence_set") or []]
        if abstract is None or not rationale:
            continue
        out += _evidence_examples(r["claim"].strip(), abstract, rationale, _LABEL[r["label"]], "check_covid", rng)
    return out


def scifact_full(rng: random.Random) -> list[Example]:
    folder = CLAIMS / "scifact"
    corpus = _corpus(folder / "corpus.jsonl", "doc_id")
    out: list[Example] = []
    for r in _jsonl(folder / "claims_train.jsonl"):
        claim = r["claim"].strip()
        for doc, sets in r["evidence"].items():
            abstract = corpus.get(str(doc))
            for evidence in sets if abstract else []:
                out += _evidence_examples(claim, abstract, evidence["sentences"], _LABEL[evidence["label"]],
                                          "scifact_full", rng)
        for doc in map(str, r.get("cited_doc_ids", [])):
            if doc in r["evidence"] or doc not in corpus:
                continue
            out += _neither(claim, corpus[doc], set(), rng, "scifact_full-nei")
    return out


READERS = {"healthver_train": healthver_train, "check_covid": check_covid, "scifact_full": scifact_full}


def rationale_examples(sources: tuple[str, ...], *, seed: int) -> list[Example]:
    """Pairs from the named sources (``SOURCES``), each source with its own seeded generator."""
    unknown = [s for s in sources if s not in READERS]
    if unknown:
        raise ValueError(f"unknown pair sources {unknown}; choose from {', '.join(READERS)}")
    return [e for s in sources for e in READERS[s](random.Random(f"{seed}:{s}"))]
