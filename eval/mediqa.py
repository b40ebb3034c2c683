"""MEDIQA-2019 QA over all of MedQuAD (``../shared/datasets/mediqa_qa``): the retrieval development benchmark.

Consumer health questions (MEDIQA 2019 Task 3) with graded answers (qrels score 0-3, relevant from 2),
pooled into every MedQuAD answer. Tuning on it and reporting on it are kept apart by a fixed split of the
questions into a ``tune`` part and a ``measure`` part (``labels/mediqa_split.json``), made before any tuning
and never changed afterwards: retrieval settings are chosen on ``tune`` and reported first on ``measure``.

The split keeps related questions together, so that no measured question has a twin among the tuned ones:
questions with the same words, the five Alexa questions about one focus ("What is / causes / symptoms /
treatments / how to diagnose X"), and questions sharing an answer judged relevant (score >= 2) to both
are one group, and whole groups are assigned, half the questions of each MEDIQA split to each part.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from groundqa.core.paths import datasets_dir, labels_dir
from groundqa.eval.datasets import BeirDataset, DatasetError, load_beir

DEFAULT_MEDIQA = datasets_dir() / "mediqa_qa"
SPLIT_FILE = labels_dir() / "mediqa_split.json"
PARTS = ("tune", "measure", "all")
RELEVANT = 2  # qrels score from which an answer counts as relevant (MRR, recall); nDCG uses the graded score
SPLIT_SEED = 12
CITATION = ("Asma Ben Abacha, Chaitanya Shivade, Dina Demner-Fushman. Overview of the MEDIQA 2019 Shared Task on "
            "Textual Inference, Question Entailment and Question Answering. BioNLP 2019. Distractors: MedQuAD "
            "(Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019; CC BY 4.0).")
_ALEXA_FOCUS = re.compile(r"^(what is|what causes|what are the symptoms of|what are the treatments (?:of|for)|"
                          r"how to diagnose)\s+(.+)$", re.IGNORECASE)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def alexa_focus(question: str) -> str | None:
    """The focus of an Alexa template question ("What causes Flu?" -> "flu"), else None."""
    match = _ALEXA_FOCUS.match(question.strip().rstrip("?").strip())
    return match.group(2).strip().lower() if match else None


def question_groups(queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> list[list[str]]:
    """Connected groups of related questions (same words, same Alexa focus, a shared relevant answer)."""
    parent = {q: q for q in queries}

    def find(q: str) -> str:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    keys: dict[str, list[str]] = defaultdict(list)
    for qid, text in queries.items():
        keys["words:" + _words(text)].append(qid)
        focus = alexa_focus(text) if qid.startswith("alexa_") else None
        if focus:
            keys["focus:" + focus].append(qid)
    for qid, docs in qrels.items():
        for doc, score in docs.items():
            if score >= RELEVANT and qid in parent:
                keys["doc:" + doc].append(qid)
    for members in keys.values():
        for qid in members[1:]:
            parent[find(qid)] = find(members[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for qid in queries:
        groups[find(qid)].append(qid)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def make_split(root: Path = DEFAULT_MEDIQA, *, seed: int = SPLIT_SEED) -> dict:
    """Assign whole question groups to tune/measure, half of each MEDIQA split's questions to each part.

    Groups are visited in an order fixed by a hash of their first question id and the seed (no RNG whose
    sequence could change between Python versions); each goes to the part that has fewer questions of the
    group's dominant MEDIQA split so far.
    """
    data = _load(root, judged_only=False)
    split_of = {qid: qid.split("_", 1)[0] for qid in data.queries}
    groups = question_groups(data.queries, data.qrels)
    order = sorted(groups, key=lambda g: hashlib.sha256(f"{seed}:{g[0]}".encode()).hexdigest())
    parts: dict[str, list[str]] = {"tune": [], "measure": []}
    filled: dict[tuple[str, str], int] = defaultdict(int)
    for group in order:
        splits = [split_of[q] for q in group]
        dominant = max(set(splits), key=lambda s: (splits.count(s), s))
        part = min(("tune", "measure"), key=lambda p: (filled[(p, dominant)], p == "tune"))
        parts[part].extend(group)
        filled[(part, dominant)] += len(group)
    counts = {p: {s: sum(split_of[q] == s for q in qs) for s in ("alexa", "validation", "test")}
              for p, qs in parts.items()}
    return {"dataset": "mediqa_qa", "corpus_sha256": BeirDataset("mediqa_qa", root, {}, {}).corpus_digest(),
            "seed": seed, "groups": len(groups), "rule": "groups: same words, same Alexa focus, a shared answer "
            f"scored >= {RELEVANT} for both; whole groups assigned, balanced per MEDIQA split",
            "counts": counts, "tune": sorted(parts["tune"]), "measure": sorted(parts["measure"])}


def _load(root: Path, *, judged_only: bool = True) -> BeirDataset:
    if not (root / "qrels" / "dev.tsv").is_file():
        raise DatasetError(f"{root} does not hold the mediqa_qa dataset (qrels/dev.tsv); it is expected at "
                           f"{DEFAULT_MEDIQA}; pass --mediqa-src")
    data = load_beir(root, split="dev", min_relevance=RELEVANT if judged_only else 1)
    return data


def load_mediqa(root: Path = DEFAULT_MEDIQA, *, part: str = "all", split_file: Path = SPLIT_FILE) -> BeirDataset:
    """The benchmark's questions with a relevant answer (score >= 2), restricted to one part of the split."""
    if part not in PARTS:
        raise DatasetError(f"part {part!r} is not one of {', '.join(PARTS)}")
    data = _load(root)
    split = json.loads(split_file.read_text(encoding="utf-8"))
    if part == "all":
        keep = set(data.queries)
    else:
        keep = set(split[part]) & set(data.queries)
    unknown = set(data.queries) - set(split["tune"]) - set(split["measure"])
    if unknown:
        raise DatasetError(f"{len(unknown)} questions of {root} are in neither part of {split_file} (first: "
                           f"{sorted(unknown)[0]!r}); the dataset changed since the split was made")
    name = "mediqa_qa" if part == "all" else f"mediqa_qa-{part}"
    return BeirDataset(name=name, root=root, queries={q: t for q, t in data.queries.items() if q in keep},
                       qrels={q: d for q, d in data.qrels.items() if q in keep},
                       info={**data.info, "citation": CITATION, "part": part, "relevant_from": RELEVANT,
                             "parts": {p: [q for q in split[p] if q in keep] for p in ("measure", "tune")}})


if __name__ == "__main__":  # python -m groundqa.eval.mediqa [--check]: write (or check) labels/mediqa_split.json
    import sys

    split = make_split()
    text = json.dumps(split, indent=1) + "\n"
    if "--check" in sys.argv:
        same = SPLIT_FILE.is_file() and SPLIT_FILE.read_text(encoding="utf-8") == text
        sys.stdout.write("split file matches\n" if same else "split file differs from a fresh split\n")
        sys.exit(0 if same else 1)
    SPLIT_FILE.write_text(text, encoding="utf-8")
    sys.stdout.write(json.dumps(split["counts"]) + "\n")
