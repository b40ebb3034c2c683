"""Retrieval variants on MEDIQA QA (consumer questions over all of MedQuAD) beside the naive baselines.

    .venv/bin/python bench/retrieval_variants.py --backend onnx-int8 --grid full      # tuning sweep
    .venv/bin/python bench/retrieval_variants.py --backend fp32 --grid report         # the reported table

Everything is measured in one run, on the fixed split of labels/mediqa_split.json (tune / measure):
- naive baselines: bm25s over title + text of whole documents (lucene k1 1.5, b 0.75, English stopwords,
  Snowball), MiniLM over title + text of whole documents (first 256 tokens), RRF (k=60) of their top-100s;
- groundqa variants over its passage index (the same index `groundqa eval mediqa` builds): lexical fields
  and their weights, fusion (weighted RRF, convex), source aggregation, candidate depth, query handling.
Each query is retrieved once (BM25 per field and dense cosine over every passage), then every variant ranks
from those scores through service/ranking.py, the code the engine runs. Documents are listed to 100.
Prints a Markdown table (nDCG@10 / MRR@10 / R@100 per part) and, with --compare, the paired bootstrap of
the named variant against the best naive baseline; appends JSON lines to bench/out/retrieval_variants.jsonl.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import CACHE, emit, header

SCRIPT = "retrieval_variants"
DEPTH_DOCS = 100


def naive_runs(data, queries: dict[str, str], encoder, backend: str) -> dict[str, dict[str, list[str]]]:
    """The three naive baselines over whole documents (title + text), as the dataset's baselines.py builds them."""
    import bm25s
    import faiss
    import Stemmer

    corpus = [json.loads(line) for line in open(data.corpus, encoding="utf-8")]
    ids = [d["_id"] for d in corpus]
    texts = [(d.get("title", "") + " " + d["text"]).strip() for d in corpus]
    qids = list(queries)
    stemmer = Stemmer.Stemmer("english")
    bm = bm25s.BM25()
    bm.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    found, _ = bm.retrieve(bm25s.tokenize([queries[q] for q in qids], stopwords="en", stemmer=stemmer,
                                          show_progress=False, return_ids=False),
                           k=DEPTH_DOCS, show_progress=False, n_threads=1)
    runs = {"naive bm25 (whole docs, title+text)": {q: [ids[j] for j in found[i]] for i, q in enumerate(qids)}}
    if encoder is None:
        return runs
    from groundqa.core.settings import Settings
    from groundqa.eval.run import ShardedEncoder

    began = time.perf_counter()  # whole documents are embedded once, in resumable shards (eval/run.py)
    emb = ShardedEncoder(encoder, Settings().model_cache / "embedding-shards").encode(texts)
    print(f"# whole documents embedded (or read back) in {time.perf_counter() - began:.0f}s", flush=True)
    index = faiss.IndexFlatIP(emb.shape[1])
    index.add(emb)
    _, top = index.search(encoder.encode([queries[q] for q in qids]), DEPTH_DOCS)
    runs["naive dense MiniLM (whole docs)"] = {q: [ids[j] for j in top[i] if j >= 0] for i, q in enumerate(qids)}
    fused = {}
    for q in qids:
        score: dict[str, float] = {}
        best: dict[str, int] = {}
        for run in (runs["naive bm25 (whole docs, title+text)"], runs["naive dense MiniLM (whole docs)"]):
            for r, d in enumerate(run[q][:DEPTH_DOCS], 1):
                score[d] = score.get(d, 0.0) + 1.0 / (60 + r)
                best[d] = min(best.get(d, r), r)
        fused[q] = sorted(score, key=lambda d: (-score[d], best[d], d))[:DEPTH_DOCS]
    runs["naive RRF k=60 of the two"] = fused
    return runs


def chunked(corpus: Path) -> tuple[list, dict[str, str | None]]:
    """(row, passage) pairs and titles of a BEIR corpus chunked as ingest chunks it (no embedding)."""
    from groundqa.core.settings import Settings
    from groundqa.ingest.chunk import ChunkSettings, chunk_document
    from groundqa.ingest.jsonl import load_jsonl

    settings = Settings()
    chunking = ChunkSettings(max_chars=settings.chunk_max_chars, overlap_chars=settings.chunk_overlap_chars)
    documents, _ = load_jsonl(corpus, source_id="corpus")
    passages: dict[str, list] = {d.source_id: chunk_document(d, chunking) for d in documents}
    rows = [p for sid in sorted(passages) for p in passages[sid]]  # ingest's row order
    return list(enumerate(rows)), {d.source_id: d.title for d in documents}


class Scores:
    """Per query: BM25 of every passage row per field, and the dense cosine of every row."""

    def __init__(self, engine, queries: dict[str, str], *, question: Callable[[str], str] = lambda q: q,
                 corpus: Path | None = None) -> None:
        from groundqa.index.lexical import Lexical

        self.qids = list(queries)
        if engine is None:  # lexical only: the corpus chunked here, no index needed
            rows, titles = chunked(corpus)
        else:
            rows = list(engine.store.all_passages())
            titles = {s.source_id: s.title for s in engine.store.sources()}
        self.source_of = [p.source_id for _, p in rows]
        lexical = engine.lexical if engine is not None else Lexical({}, 0)
        if "title" not in lexical.fields:  # a snapshot from before fields: build them here, as ingest now does
            lexical = Lexical.build([p.text for _, p in rows], titles=[titles[p.source_id] for _, p in rows],
                                    headings=[p.heading for _, p in rows])
        self.lexical = lexical
        size = len(rows)
        self.fields: dict[str, dict[str, np.ndarray]] = {}
        for q in self.qids:
            found = lexical.field_scores(question(queries[q]))
            self.fields[q] = {name: found.get(name, np.zeros(size, dtype=np.float32)) for name in lexical.fields}
        self.dense: dict[str, np.ndarray] = {}
        self.vector: dict[str, np.ndarray] = {}
        self.sentences = None if engine is None else engine.sentences  # None: an index without sentence vectors
        if engine is not None:
            vectors = np.load(engine.snapshot / "embeddings.npy", allow_pickle=False)
            qv = engine.encoder.encode([question(queries[q]) for q in self.qids])
            self.vector = {q: qv[i] for i, q in enumerate(self.qids)}
            self.dense = {q: vectors @ qv[i] for i, q in enumerate(self.qids)}

    def lists(self, q: str, *, depth: int, weights: dict[str, float], modes: tuple[str, ...],
              sentence: bool = False) -> dict:
        """The retrievers' ranked (row, score) lists, as Engine.rankings builds them; ``sentence``: the third
        hybrid list, the candidates of both re-scored by their best sentence's cosine."""
        from groundqa.index.lexical import top_rows

        out = {}
        if "bm25" in modes:
            f = self.fields[q]
            total = sum(f[name] * weights.get(name, 1.0) for name in f if weights.get(name, 1.0))
            out["bm25"] = top_rows(total, depth)
        if "dense" in modes:
            scores = self.dense[q]
            top = np.argpartition(-scores, depth - 1)[:depth]
            top = top[np.argsort(-scores[top], kind="stable")]
            out["dense"] = [(int(i), float(scores[i])) for i in top]
        if sentence and self.sentences is not None and "bm25" in modes and "dense" in modes:
            rows = list(dict.fromkeys(r for items in out.values() for r, _ in items))
            scored = self.sentences.scores(rows, self.vector[q])
            out["sentence"] = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return out


def groundqa_run(scores: Scores, *, modes: tuple[str, ...], depth: int, fields: dict[str, float], rank) -> dict:
    from groundqa.engine.ranking import grouped

    run = {}
    sentence = rank.weights.get("sentence", 0.0) > 0  # as the engine: only a weighted sentence list is built
    for q in scores.qids:
        lists = scores.lists(q, depth=depth, weights=fields, modes=modes, sentence=sentence)
        source_of = {r: scores.source_of[r] for items in lists.values() for r, _ in items}
        listed = grouped(lists, source_of, rank, k=DEPTH_DOCS)
        run[q] = list(dict.fromkeys(source_of[r] for r, _, _ in listed))
    return run


def evaluate(run: dict[str, list[str]], qrels: dict, qids: list[str]) -> dict[str, dict[str, float]]:
    from groundqa.eval.mediqa import RELEVANT
    from groundqa.eval.metrics import ranking_metrics

    scored = {q: {d: float(DEPTH_DOCS - i) for i, d in enumerate(run.get(q, []))} for q in qids}
    _, per_query = ranking_metrics({q: qrels[q] for q in qids}, scored, k=10, relevant_from=RELEVANT)
    return per_query


def variants(grid: str):
    """(name, modes, depth, field weights, RankSettings kwargs) to try; 'report' is the final short list."""
    base = {"fusion": "rrf", "rrf_k": 60, "aggregate": "max", "level": "passage", "per_source": 1}
    yield "groundqa before: bm25 (text only)", ("bm25",), 100, {"title": 0, "heading": 0}, base
    yield "groundqa before: dense", ("dense",), 100, {}, base
    yield "groundqa before: hybrid RRF k=60", ("bm25", "dense"), 100, {"title": 0, "heading": 0}, base
    from dataclasses import asdict

    from groundqa.core.settings import Settings
    from groundqa.engine.ranking import from_settings

    default = asdict(from_settings(Settings()))
    depth, fields = default.pop("candidates"), {"title": default.pop("title_weight"),
                                                 "heading": default.pop("heading_weight")}
    default["per_source"] = 1  # a document ranking, as `groundqa eval` asks for one
    for modes, label in ((("bm25", "dense"), "hybrid"), (("bm25",), "bm25"), (("dense",), "dense")):
        yield f"groundqa default settings: {label}", modes, depth, fields, default
    if grid == "report":
        return
    for wt, wh in itertools.product((0.5, 1, 2, 3, 5), (0, 1)):
        fields = {"title": wt, "heading": wh}
        for agg in ("max", "sum2"):
            yield f"bm25 title {wt} heading {wh}, {agg}", ("bm25",), 200, fields, {**base, "aggregate": agg,
                                                                                   "level": "source"}
    for agg, depth in itertools.product(("max", "sum2", "sum3"), (100, 200, 400)):
        yield f"dense {agg} depth {depth}", ("dense",), depth, {}, {**base, "aggregate": agg, "level": "source"}
    for wt, depth, level, agg, k, wd in itertools.product((1, 2, 3), (100, 200), ("passage", "source"),
                                                          ("max", "sum2"), (10, 30, 60), (1.0, 1.5, 2.0)):
        yield (f"hybrid rrf k={k} w_dense={wd} title {wt} depth {depth} {level} {agg}", ("bm25", "dense"), depth,
               {"title": wt, "heading": 0}, {**base, "rrf_k": k, "weights": {"dense": wd}, "level": level,
                                              "aggregate": agg})
    for k, wd, ws in itertools.product((10, 30, 60), (1.0, 2.0), (0.25, 0.5, 1.0)):
        yield (f"hybrid rrf k={k} w_dense={wd} w_sentence={ws} title 2 depth 100 passage max", ("bm25", "dense"),
               100, {"title": 2, "heading": 0}, {**base, "rrf_k": k, "weights": {"dense": wd, "sentence": ws}})
    for wt, depth, level, agg, wd in itertools.product((1, 2, 3), (100, 200), ("passage", "source"), ("max", "sum2"),
                                                       (0.5, 0.6, 0.7, 0.8)):
        yield (f"hybrid convex dense {wd} title {wt} depth {depth} {level} {agg}", ("bm25", "dense"), depth,
               {"title": wt, "heading": 0}, {**base, "fusion": "convex", "weights": {"dense": wd, "bm25": 1 - wd},
                                              "level": level, "aggregate": agg})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="onnx-int8", help="encoder backend of the passage index and baselines")
    parser.add_argument("--grid", choices=("report", "full"), default="report")
    parser.add_argument("--compare", default=None, help="variant name to bootstrap against the best naive baseline")
    parser.add_argument("--lexical-only", action="store_true",
                        help="BM25 variants and the naive BM25 only: chunk the corpus here, no embeddings needed")
    args = parser.parse_args()

    from groundqa.core.settings import Settings
    from groundqa.engine.query import Engine
    from groundqa.engine.ranking import RankSettings
    from groundqa.eval.mediqa import DEFAULT_MEDIQA, SPLIT_FILE, load_mediqa

    info = header("retrieval variants on MEDIQA QA")
    data = load_mediqa(DEFAULT_MEDIQA, part="all")
    split = json.loads(SPLIT_FILE.read_text())
    parts = {"measure": [q for q in split["measure"] if q in data.queries],
             "tune": [q for q in split["tune"] if q in data.queries], "all": list(data.queries)}
    index_dir = None if args.lexical_only else mediqa_index(data, backend=args.backend)
    engine = None if index_dir is None else Engine.load(index_dir, cache_size=0)
    began = time.perf_counter()
    scores = Scores(engine, data.queries, corpus=data.corpus)
    print(f"# retrieved {len(scores.qids)} questions over {len(scores.source_of)} passages in "
          f"{time.perf_counter() - began:.0f}s", flush=True)
    runs = naive_runs(data, data.queries, None if engine is None else engine.encoder, args.backend)
    per_query = {name: evaluate(run, data.qrels, parts["all"]) for name, run in runs.items()}
    for name, modes, depth, fields, rank in variants(args.grid):
        if engine is None and modes != ("bm25",):
            continue
        run = groundqa_run(scores, modes=modes, depth=depth, fields=fields, rank=RankSettings(**rank))
        per_query[name] = evaluate(run, data.qrels, parts["all"])
    rows = []
    for name, pq in per_query.items():
        row = {"variant": name}
        for part, qids in parts.items():
            for m in ("nDCG@10", "RR@10", "R@100"):
                row[f"{part} {m}"] = float(np.mean([pq[q][m] for q in qids]))
        rows.append(row)
        emit(SCRIPT, {**row, "backend": args.backend, "grid": args.grid, "index": str(index_dir),
                      "machine": info["cpu"], "settings": Settings().embed_context})
    print("\n| variant | measure nDCG@10 | measure MRR@10 | tune nDCG@10 | tune MRR@10 | all nDCG@10 | all R@100 |")
    print("|---|---|---|---|---|---|---|")
    for row in sorted(rows, key=lambda r: -r["tune nDCG@10"]):
        print(f"| {row['variant']} | {row['measure nDCG@10']:.3f} | {row['measure RR@10']:.3f} | "
              f"{row['tune nDCG@10']:.3f} | {row['tune RR@10']:.3f} | {row['all nDCG@10']:.3f} | "
              f"{row['all R@100']:.3f} |")
    if args.compare:
        bootstrap(per_query, args.compare, parts)
    if engine is not None:
        engine.close()


def bootstrap(per_query: dict, name: str, parts: dict[str, list[str]]) -> None:
    from groundqa.eval.stats import paired_difference

    naive = [n for n in per_query if n.startswith("naive")]
    for part in ("measure", "tune", "all"):
        qids = parts[part]
        best = max(naive, key=lambda n: np.mean([per_query[n][q]["nDCG@10"] for q in qids]))
        a = [per_query[name][q]["nDCG@10"] for q in qids]
        b = [per_query[best][q]["nDCG@10"] for q in qids]
        result = paired_difference(a, b, samples=10_000, seed=0)
        result["queries"] = result.pop("n")  # the key earlier lines of the .jsonl carry
        ratio = np.mean(a) / np.mean(b)
        emit(SCRIPT, {"figure": "paired bootstrap nDCG@10", "part": part, "variant": name, "baseline": best,
                      "variant_mean": float(np.mean(a)), "baseline_mean": float(np.mean(b)), "ratio": float(ratio),
                      **result})


def mediqa_index(data, *, backend: str) -> Path:
    """The passage index of the dataset's corpus, the one `groundqa eval mediqa` uses (cached by content)."""
    from groundqa.core.settings import Settings
    from groundqa.eval.run import beir_index

    return beir_index(data, Settings(encoder_backend=backend), cache=CACHE)


if __name__ == "__main__":
    main()
