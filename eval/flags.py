"""Measure the credibility flags: sentence-level P/R/F1 per kind on the labelled dev set, and the share of
MedQuAD answers (trusted NIH text) that would carry any passage flag.

Flags are predicted with the document around each sentence, exactly as ingest does (ingest.credibility),
and a dev row counts as flagged with a kind when any flagged sentence overlaps its span.
"""

from __future__ import annotations

import hashlib
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from groundqa.credibility.cues import KINDS
from groundqa.credibility.flags import annotate, judge_document
from groundqa.ingest.loaders import load_file
from groundqa.ingest.manifest import load_manifest
from groundqa.ingest.records import Document, Passage, SourceMeta, passage_id_for

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "eval" / "flags_dev.jsonl"
CORPUS = ROOT / "corpus"
DEFAULT_MEDQUAD = ROOT.parent / "shared" / "datasets" / "medquad"


class FlagsEvalError(ValueError):
    """The dev set or a dataset it points into is missing or does not match."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        self.support += gold
        self.tp += gold and predicted
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    def scores(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3), "support": self.support,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class DevResult:
    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)  # group -> kind -> counts
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def iter_medquad(src: Path) -> Iterator[tuple[str, str, str]]:
    """(file relative to ``src``, question id, raw answer text) for every answer MedQuAD ships."""
    for path in sorted(src.glob("*/*.xml")):
        for pair in ET.parse(path).getroot().iter("QAPair"):
            question, answer = pair.find("Question"), pair.find("Answer")
            if question is not None and answer is not None and answer.text and answer.text.strip():
                yield path.relative_to(src).as_posix(), question.get("qid") or "", answer.text


def _medquad_answer(src: Path, file: str, qid: str, cache: dict[str, dict[str, str]]) -> str | None:
    if file not in cache:
        path = src / file
        if not path.is_file():
            return None
        cache[file] = {p.find("Question").get("qid"): p.find("Answer").text or ""  # type: ignore[union-attr]
                       for p in ET.parse(path).getroot().iter("QAPair")}
    return cache[file].get(qid)


def _seed_documents(corpus: Path) -> dict[str, tuple[str, SourceMeta]]:
    manifest = load_manifest(corpus)
    out = {}
    for rel, entry in manifest.entries.items():
        path = corpus / rel
        docs, _ = load_file(path, source_id=entry.source_id or rel, data=path.read_bytes())
        out[docs[0].source_id] = (docs[0].text, entry.meta)
    return out


def evaluate_dev(dev_path: Path = DEV_SET, *, corpus: Path = CORPUS, medquad: Path | None = DEFAULT_MEDQUAD,
                 ) -> DevResult:
    """Sentence-level counts per group (all, split, origin) and kind; rows whose text is unavailable are skipped."""
    if not dev_path.is_file():
        raise FlagsEvalError(f"{dev_path}: no such dev set; pass --dev PATH")
    seeds = _seed_documents(corpus)
    judged_cache: dict[str, list] = {}
    medquad_cache: dict[str, dict[str, str]] = {}
    result = DevResult()
    for number, line in enumerate(dev_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        origin = row["origin"]
        if origin == "seed":
            text, meta = seeds[row["source_id"]]
            start, end, key = row["start"], row["end"], f"seed:{row['source_id']}"
            if text[start:end] != row["text"]:
                raise FlagsEvalError(f"{dev_path}:{number}: the seed text at [{start}:{end}] changed; relabel the row")
        elif origin == "medquad":
            text = _medquad_answer(medquad, row["file"], row["qid"], medquad_cache) if medquad else None
            if text is None:
                result.skipped["medquad"] = result.skipped.get("medquad", 0) + 1
                continue
            start, end, key, meta = row["start"], row["end"], f"mq:{row['qid']}", SourceMeta()
            if hashlib.sha1(text[start:end].encode()).hexdigest()[:12] != row["sha1"]:
                raise FlagsEvalError(f"{dev_path}:{number}: MedQuAD text of {row['qid']} differs from the labelled one")
        else:
            text, start, end, key, meta = row["text"], 0, len(row["text"]), row["id"], SourceMeta()
        if key not in judged_cache:
            judged_cache[key] = judge_document(text, meta)
        predicted = {k for j in judged_cache[key] if j.start < end and start < j.end for k in j.kinds()}
        gold = set(row["flags"])
        result.rows += 1
        for group in ("all", f"split={row['split']}", f"origin={origin}"):
            for kind in KINDS:
                result.counts.setdefault(group, {}).setdefault(kind, Counts()).add(kind in gold, kind in predicted)
        if gold != predicted:
            result.errors.append({"id": row["id"], "split": row["split"], "gold": sorted(gold),
                                  "predicted": sorted(predicted), "text": text[start:end][:200]})
    return result


@dataclass
class MedquadResult:
    answers: int = 0
    flagged: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_collection: dict[str, list[int]] = field(default_factory=dict)
    by_half: dict[str, list[int]] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.flagged / self.answers if self.answers else 0.0


def medquad_false_positives(src: Path, *, limit: int | None = None) -> MedquadResult:
    """Run the ingest annotator on every MedQuAD answer as its own source (publisher unknown, no manifest help)
    with the whole answer as one passage; an answer is flagged when that passage carries any flag."""
    result = MedquadResult()
    started = time.perf_counter()
    for file, qid, text in iter_medquad(src):
        if limit is not None and result.answers >= limit:
            break
        doc = Document(source_id=qid, text=text)
        whole = Passage(passage_id=passage_id_for(qid, 0, len(text), text), source_id=qid, start=0, end=len(text),
                        text=text)
        _, (passage,) = annotate(doc, SourceMeta(), [whole], [])
        collection = file.split("/", 1)[0]
        half = "tuning" if int(hashlib.sha1(qid.encode()).hexdigest()[0], 16) % 2 == 0 else "untouched"
        result.answers += 1
        flagged = bool(passage.flags)
        result.flagged += flagged
        for bucket, name in ((result.by_collection, collection), (result.by_half, half)):
            bucket.setdefault(name, [0, 0])
            bucket[name][0] += 1
            bucket[name][1] += flagged
        for flag in passage.flags:
            result.by_kind[flag.kind] += 1
            if len(result.examples) < 400:
                result.examples.append({"qid": qid, "kind": flag.kind, "cues": list(flag.cues),
                                        "evidence": [text[e.start:e.end][:200] for e in flag.evidence[:2]]})
    result.seconds = round(time.perf_counter() - started, 1)
    if result.answers == 0:
        raise FlagsEvalError(f"no MedQuAD answers under {src}; point --medquad at the folder holding 1_CancerGov_QA/")
    return result


def report(dev: DevResult, mq: MedquadResult | None) -> dict[str, Any]:
    out: dict[str, Any] = {"dev_rows": dev.rows, "skipped": dev.skipped,
                           "sentence_level": {g: {k: c.scores() for k, c in kinds.items()}
                                              for g, kinds in sorted(dev.counts.items())}}
    if mq is not None:
        out["medquad"] = {
            "answers": mq.answers, "flagged": mq.flagged, "false_positive_rate": round(mq.rate, 4),
            "by_kind": dict(mq.by_kind), "seconds": mq.seconds,
            "by_collection": {c: {"answers": a, "flagged": f, "rate": round(f / a, 4)}
                              for c, (a, f) in sorted(mq.by_collection.items())},
            "by_half": {h: {"answers": a, "flagged": f, "rate": round(f / a, 4)}
                        for h, (a, f) in sorted(mq.by_half.items())},
        }
    return out


def _print(out: dict[str, Any], dev: DevResult, mq: MedquadResult | None, show: bool) -> None:
    click.echo(f"dev set: {out['dev_rows']} sentences" + (f" (skipped: {out['skipped']})" if out["skipped"] else ""))
    click.echo(f"{'group':<18}{'kind':<12}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for group, kinds in out["sentence_level"].items():
        for kind, s in kinds.items():
            click.echo(f"{group:<18}{kind:<12}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                       f"{s['support']:>9}")
    if mq is not None:
        m = out["medquad"]
        click.echo(f"\nMedQuAD: {m['flagged']} of {m['answers']} answers carry a passage flag = "
                   f"{100 * m['false_positive_rate']:.2f}% (by kind {m['by_kind']}; {m['seconds']} s)")
        for name, s in {**m["by_half"], **m["by_collection"]}.items():
            click.echo(f"  {name:<28}{s['flagged']:>5} / {s['answers']:<6}{100 * s['rate']:6.2f}%")
    if show:
        click.echo("\nsentence disagreements:")
        for e in dev.errors:
            click.echo(f"  [{e['split']}] gold={e['gold']} predicted={e['predicted']}  {e['text']}")
        if mq is not None:
            click.echo("\nflagged MedQuAD answers:")
            for e in mq.examples:
                click.echo(f"  {e['qid']} {e['kind']} {e['cues']}: {' | '.join(e['evidence'])}")


@click.command("flags-eval")
@click.option("--dev", "dev_path", type=click.Path(dir_okay=False, path_type=Path), default=DEV_SET,
              show_default=True, help="Labelled dev set (JSONL; see eval/LABELLING.md).")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=CORPUS, show_default=True,
              help="Folder holding the seed documents the dev set points into.")
@click.option("--medquad", type=click.Path(path_type=Path), default=DEFAULT_MEDQUAD, show_default=True,
              help="MedQuAD XML folder (read at run time).")
@click.option("--no-medquad", is_flag=True, help="Skip the MedQuAD false-positive run (and the MedQuAD dev rows).")
@click.option("--limit", type=int, default=None, help="Only the first N MedQuAD answers in the false-positive run.")
@click.option("--show", is_flag=True, help="List every disagreement and flagged MedQuAD answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def flags_eval_cmd(dev_path: Path, corpus: Path, medquad: Path, no_medquad: bool, limit: int | None, show: bool,
                   as_json: bool) -> None:
    """Precision, recall and F1 of the credibility flags per kind (sentence level), and the share of MedQuAD
    answers that would carry any passage flag."""
    use_medquad = not no_medquad and medquad.is_dir()
    if not no_medquad and not use_medquad:
        click.echo(f"MedQuAD not found at {medquad}; its dev rows and the false-positive run are skipped "
                   "(pass --medquad PATH)", err=True)
    try:
        dev = evaluate_dev(dev_path, corpus=corpus, medquad=medquad if use_medquad else None)
        mq = medquad_false_positives(medquad, limit=limit) if use_medquad else None
    except FlagsEvalError as exc:
        raise click.ClickException(str(exc)) from exc
    out = report(dev, mq)
    if as_json:
        click.echo(json.dumps(out, indent=2))
    else:
        _print(out, dev, mq, show)
