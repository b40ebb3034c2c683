"""An evaluation run: every question through every mode, run files and metrics written to one folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundqa.eval.backends import Backend, QueryResult
from groundqa.eval.datasets import BeirDataset, DatasetError, EvidenceSet, quote_spans
from groundqa.eval.metrics import (
    abstention_metrics,
    doc_run,
    evidence_hit,
    flag_counts,
    latency_percentiles,
    overlaps,
    precision_recall,
    ranking_metrics,
)
from tqdm import tqdm

MODES = ("bm25", "dense", "hybrid")


@dataclass
class ModeResult:
    mode: str
    metrics: dict[str, Any]
    latencies: list[float]
    run: dict[str, dict[str, float]]
    per_query: list[dict[str, Any]] = field(default_factory=list)


class ShardedEncoder:
    """An encoder whose work is kept on disk in shards of ``shard`` texts, keyed by their content.

    Embedding a benchmark corpus takes hours on a loaded machine; a build that is stopped part way
    resumes from its last finished shard instead of starting over (ingest passes texts in a fixed order).
    """

    def __init__(self, encoder: Any, folder: Path, *, shard: int = 2048) -> None:
        self.inner, self.folder, self.shard = encoder, folder, shard
        self.name, self.backend, self.dim = encoder.name, encoder.backend, encoder.dim
        self.batch_size = encoder.batch_size
        folder.mkdir(parents=True, exist_ok=True)

    def encode(self, texts: Sequence[str], *, on_batch: Any = None) -> Any:
        import numpy as np

        parts = []
        for i in range(0, len(texts), self.shard):
            chunk = list(texts[i:i + self.shard])
            key = hashlib.sha256("\x00".join(chunk).encode()).hexdigest()[:24]
            path = self.folder / f"{self.name.replace('/', '_')}-{self.backend}-{key}.npy"
            if path.is_file():
                vectors = np.load(path, allow_pickle=False)
                if on_batch:
                    on_batch(len(chunk))
            else:
                vectors = self.inner.encode(chunk, on_batch=on_batch)
                np.save(path.with_suffix(".tmp.npy"), vectors, allow_pickle=False)
                path.with_suffix(".tmp.npy").replace(path)
            parts.append(vectors)
        return np.vstack(parts) if parts else self.inner.encode([])


def index_code_digest() -> str:
    """A digest of the code that turns files into an index (loaders, chunking, build, lexical and sentence
    indexes): a cached evaluation index is rebuilt when that code changes, never reused stale. Vectors come
    back from the embedding shards (keyed by their texts) as long as the code change leaves the texts alone."""
    from groundqa import core, index, ingest

    digest = hashlib.sha256()
    folders = [Path(ingest.__file__).parent]
    files = sorted(f for d in folders for f in d.glob("*.py"))
    files += [Path(index.__file__).parent / n for n in ("build.py", "embedding.py", "lexical.py", "sentences.py")]
    files += [Path(core.__file__).parent / n for n in ("records.py", "sentences.py", "tokenizer.py")]
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:12]


def cached_index(paths: list[Path], settings: Any, *, name: str, content_key: str, cache: Path,
                 encoder: Any = None, progress: bool = True) -> Path:
    """An index of ``paths`` under ``cache``, keyed by their content and the index settings.

    A second run with the same content and settings reuses it without embedding anything.
    """
    from groundqa.core.encoder import Encoder, resolve_model
    from groundqa.index.build import ingest
    from groundqa.index.snapshot import current_snapshot
    from groundqa.ingest.chunk import ChunkSettings

    key_fields = {"content": content_key, "model": resolve_model(settings.model)[0],
                  "chunk_max_chars": settings.chunk_max_chars, "chunk_overlap_chars": settings.chunk_overlap_chars,
                  "embed_context": settings.embed_context,
                  "sentence_index": bool(getattr(settings, "sentence_index", True)), "code": index_code_digest()}
    key = hashlib.sha256(json.dumps(key_fields, sort_keys=True).encode()).hexdigest()[:12]
    backend = getattr(settings, "encoder_backend", None) or "fp32"
    if backend != "fp32":
        name = f"{name}-{backend}"
    index_dir = cache / f"index-{name}-{key}"
    if current_snapshot(index_dir) is not None:
        return index_dir

    def make() -> ShardedEncoder:
        if encoder is None:
            inner = Encoder(settings.model, batch_size=settings.batch_size, backend=backend,
                            cache_dir=getattr(settings, "model_cache", None))
        else:
            inner = encoder if hasattr(encoder, "encode") else encoder()
        # beside the model cache, not in the work tree: shards outlive a fresh checkout on the same machine
        shards = Path(getattr(settings, "model_cache", cache)) / "embedding-shards"
        return ShardedEncoder(inner, shards)

    report = ingest(paths, index_dir=index_dir, encoder=make,
                    chunking=ChunkSettings(max_chars=settings.chunk_max_chars,
                                           overlap_chars=settings.chunk_overlap_chars),
                    embed_context=settings.embed_context, progress=progress,
                    sentences=getattr(settings, "sentence_index", True))
    if current_snapshot(index_dir) is None:
        raise DatasetError(f"could not index {', '.join(map(str, paths))}: " + "; ".join(report.errors[:3]))
    (index_dir / "key.json").write_text(json.dumps(key_fields, indent=2) + "\n", encoding="utf-8")
    return index_dir


def beir_index(dataset: BeirDataset, settings: Any, *, cache: Path, encoder: Any = None,
               progress: bool = True) -> Path:
    """The dataset's own index (its corpus.jsonl only), cached under ``cache``; every part of a split
    dataset shares it (named after the dataset's folder)."""
    return cached_index([dataset.corpus], settings, name=dataset.root.name, content_key=dataset.corpus_digest(),
                        cache=cache, encoder=encoder, progress=progress)


def corpus_index(corpus: Path, settings: Any, *, cache: Path, encoder: Any = None, progress: bool = True) -> Path:
    """A cached index of a corpus folder under the given settings (for tuning on question sets)."""
    digest = hashlib.sha256()
    for f in sorted(p for p in corpus.rglob("*") if p.is_file()):
        digest.update(f.relative_to(corpus).as_posix().encode() + b"\0" + f.read_bytes())
    return cached_index([corpus], settings, name=corpus.resolve().name, content_key=digest.hexdigest()[:16],
                        cache=cache, encoder=encoder, progress=progress)


def _ranked(scores: dict[str, float]) -> list[list[Any]]:
    """[id, score] best first: what this query retrieved, for reading a run query by query."""
    return [[doc, round(score, 6)] for doc, score in sorted(scores.items(), key=lambda item: -item[1])]


def _ask(backend: Backend, question: str, *, depth: int, mode: str, per_source: int | None = None) -> QueryResult:
    return backend.query(question, k=min(depth, backend.max_k), mode=mode, per_source=per_source)


def evaluate_beir(dataset: BeirDataset, backend: Backend, *, modes: Sequence[str], k: int, depth: int,
                  progress: bool = True) -> list[ModeResult]:
    """Rank the dataset's own document ids and score them: the engine lists ``depth`` documents, one passage
    each (per_source 1), ranked by its source aggregation (service/ranking.py)."""
    known = backend.source_ids()
    judged_docs = {d for docs in dataset.qrels.values() for d in docs}
    if not judged_docs & known:
        raise DatasetError(f"none of the judged documents of {dataset.name} is in the index of {backend.label}; "
                           "serve an index built from this dataset's corpus.jsonl")
    results = []
    bar = tqdm(total=len(dataset.queries) * len(modes), desc="eval", unit="q", disable=not progress)
    for mode in modes:
        run: dict[str, dict[str, float]] = {}
        latencies, abstained, rows = [], [], []
        for qid, text in dataset.queries.items():
            result = _ask(backend, text, depth=depth, mode=mode, per_source=1)
            run[qid] = doc_run([(p.source_id, p.score) for p in result.passages])
            latencies.append(result.seconds)
            abstained.append(result.abstained)
            rows.append({"qid": qid, "question": text, "abstained": result.abstained, "support": result.support,
                         "seconds": result.seconds, "ranked": _ranked(run[qid])})
            bar.update()
        means, per_query = ranking_metrics(dataset.qrels, run, k=k,
                                           relevant_from=int(dataset.info.get("relevant_from", 1)))
        for row in rows:
            row.update(per_query[row["qid"]])
        metrics = {**means, "queries": len(dataset.queries), "latency": latency_percentiles(latencies),
                   "abstention": abstention_metrics([True] * len(abstained), abstained)}
        parts = {name: qids for name, qids in dataset.info.get("parts", {}).items() if qids}
        if parts:  # a split benchmark: the never-tuned part first (eval/mediqa.py)
            metrics["parts"] = {name: {m: float(sum(per_query[q][m] for q in qids) / len(qids)) for m in means}
                                | {"queries": len(qids)} for name, qids in parts.items()}
        results.append(ModeResult(mode, metrics, latencies, run, rows))
    bar.close()
    return results


def evaluate_evidence(qset: EvidenceSet, backend: Backend, *, modes: Sequence[str], k: int, depth: int,
                      progress: bool = True) -> list[ModeResult]:
    """Passage-level scoring by span overlap with the quoted evidence; documents (sources) for the run file."""
    gold: dict[str, list[tuple[str, int, int]]] = {}
    gold_flags: dict[str, list[tuple[tuple[str, int, int], str]]] = {}
    qrels: dict[str, dict[str, int]] = {}
    passages_of: dict[str, list] = {}
    for q in qset.questions:
        where = f"{qset.path} question {q.qid}"
        gold[q.qid] = quote_spans(q.evidence, backend.source_text, where=where)
        if q.flags is not None:
            spans = quote_spans(q.flags, backend.source_text, where=where)
            gold_flags[q.qid] = [(span, f.kind) for span, f in zip(spans, q.flags, strict=True)]
        if q.answerable:
            relevant = {}
            for span in gold[q.qid]:
                if span[0] not in passages_of:
                    passages_of[span[0]] = backend.source_passages(span[0])
                for p in passages_of[span[0]]:
                    if overlaps((p.source_id, p.start, p.end), span):
                        relevant[p.passage_id] = 1
            qrels[q.qid] = relevant
    results = []
    bar = tqdm(total=len(qset.questions) * len(modes), desc="eval", unit="q", disable=not progress)
    for mode in modes:
        passage_run: dict[str, dict[str, float]] = {}
        doc_runs: dict[str, dict[str, float]] = {}
        latencies, abstained, rows, flag_tally = [], [], [], [0, 0, 0]
        hits: dict[int, list[bool]] = {cut: [] for cut in sorted({1, 5, k})}
        sentence_hits: list[bool] = []
        for q in qset.questions:
            result = _ask(backend, q.question, depth=depth, mode=mode)
            spans = [(p.source_id, p.start, p.end) for p in result.passages]
            passage_run[q.qid] = doc_run([(p.passage_id, p.score) for p in result.passages])
            doc_runs[q.qid] = doc_run([(p.source_id, p.score) for p in result.passages])
            latencies.append(result.seconds)
            abstained.append(result.abstained)
            row: dict[str, Any] = {"qid": q.qid, "question": q.question, "answerable": q.answerable, "style": q.style,
                                   "abstained": result.abstained, "support": result.support, "seconds": result.seconds,
                                   "ranked": _ranked(passage_run[q.qid])}
            if q.answerable:
                for cut in hits:
                    hit = evidence_hit(spans, gold[q.qid], k=cut)
                    hits[cut].append(hit)
                    row[f"evidence_hit@{cut}"] = hit
                # the best sentence of the first passage holding evidence: is it the evidence?
                first = next((p for p, span in zip(result.passages, spans, strict=True)
                              if any(overlaps(span, g) for g in gold[q.qid])), None)
                if first is not None and first.best_sentence is not None:
                    sentence = (first.source_id, *first.best_sentence)
                    row["best_sentence_hit"] = any(overlaps(sentence, g) for g in gold[q.qid])
                    sentence_hits.append(row["best_sentence_hit"])
            if q.qid in gold_flags:  # passages of the sources the gold names are judged; those are labelled in full
                labelled = {f.source_id for f in q.flags or ()}
                judged = [(s, set(p.flags)) for s, p in zip(spans[:k], result.passages, strict=False)
                          if p.source_id in labelled]
                counts = flag_counts(judged, gold_flags[q.qid])
                flag_tally = [a + b for a, b in zip(flag_tally, counts, strict=True)]
            rows.append(row)
            bar.update()
        means, per_query = ranking_metrics(qrels, {q: passage_run[q] for q in qrels}, k=k)
        for row in rows:
            row.update(per_query.get(row["qid"], {}))
        metrics = {**means, "queries": len(qset.questions), "answerable": len(qrels),
                   **{f"evidence_hit@{cut}": sum(v) / len(v) if v else None for cut, v in hits.items()},
                   "best_sentence_hit": sum(sentence_hits) / len(sentence_hits) if sentence_hits else None,
                   "flags": precision_recall(*flag_tally) if gold_flags else None,
                   "latency": latency_percentiles(latencies),
                   "abstention": abstention_metrics([q.answerable for q in qset.questions], abstained)}
        results.append(ModeResult(mode, metrics, latencies, doc_runs, rows))
    bar.close()
    return results


def write_run_file(path: Path, run: dict[str, dict[str, float]], *, tag: str) -> None:
    """TREC run format: ``qid Q0 docid rank score tag``, best first."""
    with open(path, "w", encoding="utf-8") as handle:
        for qid, docs in run.items():
            ordered = sorted(docs.items(), key=lambda item: -item[1])
            for rank, (doc_id, score) in enumerate(ordered, start=1):
                handle.write(f"{qid} Q0 {doc_id} {rank} {score:.6f} {tag}\n")


def write_outputs(out: Path, results: list[ModeResult], *, meta: dict[str, Any]) -> dict[str, Any]:
    """Run files per mode, metrics.json, per-query rows, report.md with plots; returns the metrics document."""
    from groundqa.eval.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    for r in results:
        write_run_file(out / f"run.{r.mode}.trec", r.run, tag=f"groundqa-{r.mode}")
        with open(out / f"per_query.{r.mode}.jsonl", "w", encoding="utf-8") as handle:
            for row in r.per_query:
                handle.write(json.dumps(row) + "\n")
    document = {**meta, "modes": {r.mode: r.metrics for r in results}}
    (out / "metrics.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    write_report(out, document, {r.mode: r.latencies for r in results})
    return document
