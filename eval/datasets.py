"""Benchmark question sets: BEIR folders (corpus, queries, graded qrels) and quoted-evidence JSONL sets.

Quoted evidence names a source and an exact quote rather than passage ids, so the gold stays valid
whatever the chunking: spans are found in the stored source text at evaluation time.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from groundqa.core.errors import GroundqaError
from groundqa.core.paths import datasets_dir, labels_dir

SEED_SET = labels_dir() / "seed_questions.jsonl"
DEFAULT_MEDQUAD = datasets_dir() / "medquad"


class DatasetError(GroundqaError):
    """A benchmark dataset is missing, malformed or does not match the corpus."""


@dataclass(frozen=True)
class BeirDataset:
    name: str
    root: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    info: dict = field(default_factory=dict)

    @property
    def corpus(self) -> Path:
        return self.root / "corpus.jsonl"

    def corpus_digest(self) -> str:
        digest = hashlib.sha256()
        with open(self.corpus, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Evidence:
    source_id: str
    quote: str


@dataclass(frozen=True)
class GoldFlag:
    source_id: str
    quote: str
    kind: str


@dataclass(frozen=True)
class EvidenceQuestion:
    qid: str
    question: str
    evidence: tuple[Evidence, ...]
    answerable: bool = True
    style: str | None = None
    flags: tuple[GoldFlag, ...] | None = None  # None: no flag gold given for this question


@dataclass(frozen=True)
class EvidenceSet:
    name: str
    path: Path
    questions: list[EvidenceQuestion]


def is_beir_folder(path: Path) -> bool:
    return path.is_dir() and (path / "corpus.jsonl").is_file()


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg}); fix the line") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
        rows.append((number, row))
    return rows


def load_beir(root: Path, *, split: str = "test", min_relevance: int = 1) -> BeirDataset:
    """A BEIR folder; only queries with a document judged at least ``min_relevance`` are kept."""
    qrels_path = root / "qrels" / f"{split}.tsv"
    for needed in (root / "corpus.jsonl", root / "queries.jsonl", qrels_path):
        if not needed.is_file():
            raise DatasetError(f"{root} is not a BEIR dataset: {needed.relative_to(root)} is missing "
                               "(expected corpus.jsonl, queries.jsonl and qrels/<split>.tsv)")
    queries = {}
    for number, row in _read_jsonl(root / "queries.jsonl"):
        if "_id" not in row or not str(row.get("text", "")).strip():
            raise DatasetError(f"{root / 'queries.jsonl'}:{number}: a query needs \"_id\" and non-empty \"text\"")
        queries[str(row["_id"])] = str(row["text"])
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8", newline="") as handle:
        for number, parts in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not parts or (number == 1 and parts[0] in ("query-id", "query_id", "qid")):
                continue
            if len(parts) != 3:
                raise DatasetError(f"{qrels_path}:{number}: expected query-id<TAB>corpus-id<TAB>score")
            try:
                score = int(parts[2])
            except ValueError as exc:
                raise DatasetError(f"{qrels_path}:{number}: score {parts[2]!r} is not an integer") from exc
            qrels.setdefault(parts[0], {})[parts[1]] = score
    missing = [q for q in qrels if q not in queries]
    if missing:
        raise DatasetError(f"{qrels_path}: {len(missing)} judged queries are not in queries.jsonl "
                           f"(first: {missing[0]!r})")
    judged = {q: t for q, t in queries.items() if any(v >= min_relevance for v in qrels.get(q, {}).values())}
    if not judged:
        raise DatasetError(f"{qrels_path}: no query has a relevant document; nothing to evaluate")
    info_path = root / "dataset.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    return BeirDataset(name=info.get("name") or root.name, root=root, queries=judged,
                       qrels={q: qrels[q] for q in judged}, info=info)


def load_evidence_set(path: Path) -> EvidenceSet:
    """A JSONL question set: {id, question, evidence: [{source_id, quote}], answerable?, style?, flags?}."""
    if not path.is_file():
        raise DatasetError(f"{path} does not exist; give a BEIR folder or a question-set .jsonl file")
    questions: list[EvidenceQuestion] = []
    seen: set[str] = set()
    for number, row in _read_jsonl(path):
        where = f"{path}:{number}"
        qid, question = str(row.get("id", "")).strip(), str(row.get("question", "")).strip()
        if not qid or not question:
            raise DatasetError(f"{where}: each line needs a non-empty \"id\" and \"question\"")
        if qid in seen:
            raise DatasetError(f"{where}: duplicate id {qid!r}; ids must be unique")
        seen.add(qid)
        answerable = bool(row.get("answerable", True))
        evidence = tuple(Evidence(**_pair(e, where, ("source_id", "quote"))) for e in row.get("evidence", []))
        if answerable and not evidence:
            raise DatasetError(f"{where}: answerable question {qid!r} has no evidence; add "
                               "{{\"source_id\", \"quote\"}} pairs or set \"answerable\": false")
        if not answerable and evidence:
            raise DatasetError(f"{where}: question {qid!r} is marked unanswerable but lists evidence")
        flags = None
        if "flags" in row:
            flags = tuple(GoldFlag(**_pair(f, where, ("source_id", "quote", "kind"))) for f in row["flags"])
        questions.append(EvidenceQuestion(qid=qid, question=question, evidence=evidence, answerable=answerable,
                                          style=row.get("style"), flags=flags))
    if not questions:
        raise DatasetError(f"{path} holds no questions")
    return EvidenceSet(name=path.stem, path=path, questions=questions)


def _pair(value: object, where: str, keys: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(k), str) or not value[k] for k in keys):
        raise DatasetError(f"{where}: expected an object with non-empty {', '.join(keys)}, got {value!r}")
    return {k: value[k] for k in keys}


def quote_spans(items: tuple[Evidence | GoldFlag, ...], source_text: Callable[[str], str | None],
                *, where: str) -> list[tuple[str, int, int]]:
    """(source_id, start, end) of every quote in its source; a quote that is not found is an error."""
    spans = []
    for item in items:
        text = source_text(item.source_id)
        if text is None:
            raise DatasetError(f"{where}: source {item.source_id!r} is not in the index; ingest it or fix the id")
        start = text.find(item.quote)
        if start < 0:
            raise DatasetError(f"{where}: quote {item.quote[:60]!r} is not an exact substring of "
                               f"{item.source_id!r}; copy it verbatim from the source")
        spans.append((item.source_id, start, start + len(item.quote)))
    return spans
