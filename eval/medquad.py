"""MedQuAD XML -> a BEIR dataset where each question must find its own answer.

MedQuAD (Ben Abacha & Demner-Fushman, "A Question-Entailment Approach to Question Answering",
BMC Bioinformatics 20:511, 2019; CC BY 4.0) holds question/answer pairs from NIH sites. The corpus
holds the answers only (never their questions): the document title is the page's focus (e.g. the
disease name), and a leading question sentence some answers repeat ("What are the signs and symptoms
of X? ...", mostly GARD) is cut off so the question text does not leak into the corpus. Identical
answers become one document; identical questions (after case and space folding) become one query
with every answer to them relevant. The three MedlinePlus subsets whose answers were removed for
copyright carry no answer and are skipped.

The sample option keeps whole source pages (all question types about one focus stay together, so a
question must pick the right answer among its siblings), drawn in a seeded order until the corpus
holds ``sample`` answers.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1
CITATION = ("Asma Ben Abacha and Dina Demner-Fushman. A Question-Entailment Approach to Question Answering. "
            "BMC Bioinformatics 20, 511 (2019). https://doi.org/10.1186/s12859-019-3119-4 (MedQuAD, CC BY 4.0)")
_LEADING_QUESTION = re.compile(
    r"\s*(?:what|how|who|whom|which|when|where|why|is|are|can|could|do|does|should|will)\b[^?\n]{0,300}\?\s+",
    re.IGNORECASE)


class MedquadError(ValueError):
    """The MedQuAD folder is missing or unusable."""


@dataclass(frozen=True)
class QAPair:
    qid: str
    question: str
    answer: str
    focus: str
    qtype: str
    source: str
    page: str


def clean_answer(text: str) -> str:
    """Fold the XML's indentation: one space inside lines, one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def strip_leading_question(answer: str) -> str:
    """Drop a question sentence the answer opens with, so the corpus does not contain the question."""
    match = _LEADING_QUESTION.match(answer)
    if match and len(answer) - match.end() >= 40:
        return answer[match.end():]
    return answer


def _fold(text: str) -> str:
    return " ".join(text.lower().replace(" ?", "?").split())


def read_pairs(src: Path) -> dict[str, list[QAPair]]:
    """QA pairs with an answer, grouped by source page (XML file), in a stable order."""
    files = sorted(src.glob("*/*.xml"))
    if not files:
        raise MedquadError(f"no MedQuAD XML files under {src}; point to the folder holding 1_CancerGov_QA/ etc.")
    pages: dict[str, list[QAPair]] = {}
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise MedquadError(f"{path}: not well-formed XML ({exc}); re-extract the MedQuAD archive") from exc
        page = f"{path.parent.name}/{path.stem}"
        focus = " ".join((root.findtext("Focus") or "").split())
        pairs = []
        for qa in root.iter("QAPair"):
            question = qa.find("Question")
            answer = clean_answer(qa.findtext("Answer") or "")
            if question is None or not answer or not (question.text or "").strip():
                continue
            qid = question.get("qid") or f"{path.stem}-{qa.get('pid')}"
            pairs.append(QAPair(qid=f"{root.get('source') or path.parent.name}_{qid}",
                                question=" ".join(question.text.split()), answer=answer, focus=focus,
                                qtype=question.get("qtype") or "", source=root.get("source") or "", page=page))
        if pairs:
            pages[page] = pairs
    return pages


def sample_pages(pages: dict[str, list[QAPair]], *, sample: int | None, seed: int) -> list[QAPair]:
    """Whole pages in a seeded order until ``sample`` answers are reached (all of them when None)."""
    if sample is None:
        return [p for name in sorted(pages) for p in pages[name]]
    if sample < 1:
        raise MedquadError(f"sample must be a positive number of answers, got {sample}")
    order = sorted(pages)
    random.Random(seed).shuffle(order)
    chosen: list[QAPair] = []
    for name in order:
        if len(chosen) >= sample:
            break
        chosen.extend(pages[name])
    return chosen


def build_medquad_beir(src: Path, out: Path, *, sample: int | None = None, seed: int = 0) -> Path:
    """Write corpus.jsonl, queries.jsonl, qrels/test.tsv and dataset.json under ``out``; return ``out``.

    Idempotent: a folder already built from the same source, sample and seed is left as it is.
    """
    params = {"format": FORMAT, "source": str(src.resolve()), "sample": sample, "seed": seed}
    info_path = out / "dataset.json"
    if info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        if info.get("params") == params:
            return out
    if not src.is_dir():
        raise MedquadError(f"{src} is not a folder; MedQuAD is expected at ../shared/datasets/medquad")
    pairs = sample_pages(read_pairs(src), sample=sample, seed=seed)

    docs: dict[str, dict] = {}
    doc_of_answer: dict[str, str] = {}
    queries: dict[str, dict] = {}
    query_of_question: dict[str, str] = {}
    qrels: dict[str, set[str]] = {}
    stripped = 0
    for pair in pairs:
        text = strip_leading_question(pair.answer)
        stripped += text != pair.answer
        key = " ".join(text.split())
        doc_id = doc_of_answer.get(key)
        if doc_id is None:
            doc_id = doc_of_answer[key] = pair.qid
            docs[doc_id] = {"_id": doc_id, "title": pair.focus, "text": text,
                            "metadata": {"source": pair.source, "page": pair.page, "qtype": pair.qtype}}
        folded = _fold(pair.question)
        query_id = query_of_question.get(folded)
        if query_id is None:
            query_id = query_of_question[folded] = pair.qid
            queries[query_id] = {"_id": query_id, "text": pair.question,
                                 "metadata": {"qtype": pair.qtype, "focus": pair.focus}}
        qrels.setdefault(query_id, set()).add(doc_id)

    (out / "qrels").mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "corpus.jsonl", docs.values())
    _write_jsonl(out / "queries.jsonl", queries.values())
    with open(out / "qrels" / "test.tsv", "w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, doc_ids in qrels.items():
            for doc_id in sorted(doc_ids):
                handle.write(f"{query_id}\t{doc_id}\t1\n")
    digest = hashlib.sha256((out / "corpus.jsonl").read_bytes()).hexdigest()[:16]
    info_path.write_text(json.dumps({
        "name": "medquad" if sample is None else f"medquad-s{sample}-seed{seed}", "params": params,
        "pairs": len(pairs), "documents": len(docs), "queries": len(queries),
        "qrels": sum(len(v) for v in qrels.values()), "leading_questions_stripped": stripped,
        "corpus_sha256": digest, "citation": CITATION}, indent=2) + "\n", encoding="utf-8")
    return out


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # python -m eval.medquad SRC OUT [--sample N] [--seed S]
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Build a BEIR dataset from the MedQuAD XML folder.")
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sample", type=int, default=None, help="answers to keep (whole pages, seeded)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        built = build_medquad_beir(args.src, args.out, sample=args.sample, seed=args.seed)
    except MedquadError as exc:
        sys.exit(f"error: {exc}")
    sys.stdout.write((built / "dataset.json").read_text(encoding="utf-8"))
