"""``groundqa eval contradictions``: precision/recall/F1 of "disagree" on COVID-Fact statement pairs.

The settings are tuned on the ``--tune`` split's articles and reported on ``--split`` (``test`` by default,
never tuned on), beside two baselines measured in the same run. Scores are cached per split and verifier.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click


def _scored(split: str, cache: Path, encoder: Any, verifier: Any) -> list:
    from groundqa.credibility.verifier import MODEL_DIR
    from groundqa.eval.contradictions import build_pairs, score

    weights = hashlib.sha1((MODEL_DIR / "delta.safetensors").read_bytes()).hexdigest()[:10]
    path = cache / f"contradictions-{split}-{weights}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())  # noqa: S301  (our own cache file)
    pairs = build_pairs(split, encoder)
    click.echo(f"{split}: {len(pairs)} statement pairs; running the verifier both ways ...", err=True)
    scored = score(pairs, encoder, verifier, floor=-1.0)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(scored))
    return scored


@click.command("contradictions")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for metrics.json and cases.jsonl.")
@click.option("--split", type=click.Choice(["test", "calib", "train"]), default="test", show_default=True,
              help="COVID-Fact articles reported on (test: never tuned on).")
@click.option("--tune", "tune_split", type=click.Choice(["calib", "train"]), default="calib", show_default=True,
              help="COVID-Fact articles the thresholds are chosen on.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/.cache"),
              show_default=True, help="Where scored pairs are kept between runs.")
@click.option("--bootstrap", type=click.IntRange(100), default=2000, show_default=True,
              help="Bootstrap resamples (of articles) for the 95% intervals.")
def contradictions_cmd(out: Path, split: str, tune_split: str, cache: Path, bootstrap: int) -> None:
    """Measure contradiction detection between statements on COVID-Fact (true claim vs counter-claim = disagree;
    true claim vs its evidence sentence or a second true claim = agree; vs the nearest claim of another article =
    unrelated). Reports P/R/F1 of "disagree" on --split first, with article-bootstrap 95% intervals, beside the
    raw verifier argmax and a cosine threshold, and the settings chosen on --tune."""
    from groundqa.credibility.relation import Settings
    from groundqa.credibility.verifier import verifier
    from groundqa.eval.contradictions import baselines, bootstrap_f1, predict, prf, tune
    from groundqa.index.embed import Encoder

    if split == tune_split:
        raise click.UsageError("--split and --tune must differ: the reported split is never tuned on")
    began = time.perf_counter()
    encoder, model = Encoder("bundled"), verifier()
    tune_set = _scored(tune_split, cache, encoder, model)
    test = _scored(split, cache, encoder, model)
    chosen, tune_f1 = tune(tune_set)
    shipped = Settings()
    gold = [s.pair.label for s in test]
    predictions = {"compare (tuned on " + tune_split + ")": predict(test, chosen),
                   "compare (shipped settings)": predict(test, shipped)}
    base, fitted = baselines(tune_set, test)
    predictions |= base
    intervals = bootstrap_f1([s.pair.group for s in test], gold, predictions, n=bootstrap)
    counts = {label: gold.count(label) for label in ("disagree", "agree", "unrelated")}
    by_kind: dict[str, dict[str, int]] = {}
    first = next(iter(predictions.values()))
    for s, p in zip(test, first, strict=True):
        by_kind.setdefault(s.pair.kind, {}).setdefault(p, 0)
        by_kind[s.pair.kind][p] += 1
    metrics: dict[str, Any] = {
        "dataset": f"COVID-Fact statement pairs, {split} articles (never tuned on)", "pairs": len(test),
        "articles": len({s.pair.group for s in test}), "gold": counts,
        "systems": {name: prf(gold, p) | {"ci95": intervals[name]} for name, p in predictions.items()},
        "predicted_by_kind": by_kind,
        "tuned_on": {"split": tune_split, "pairs": len(tune_set), "settings": asdict(chosen), "f1": tune_f1,
                     "baseline": fitted},
        "shipped_settings": asdict(shipped), "shipped_equals_tuned": asdict(shipped) == asdict(chosen),
        "seconds": round(time.perf_counter() - began, 1)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    with open(out / "cases.jsonl", "w", encoding="utf-8") as handle:
        for i, s in enumerate(test):
            handle.write(json.dumps({"a": s.pair.a, "b": s.pair.b, "gold": s.pair.label, "kind": s.pair.kind,
                                     "cosine": round(s.cosine, 4), "numbers": s.numbers,
                                     "forward": None if s.forward is None else [round(float(x), 4) for x in s.forward],
                                     "backward": None if s.backward is None else
                                     [round(float(x), 4) for x in s.backward],
                                     **{name: p[i] for name, p in predictions.items()}}) + "\n")
    click.echo(f"{metrics['dataset']}: {len(test)} pairs over {metrics['articles']} articles "
               f"({', '.join(f'{v} {k}' for k, v in counts.items())})")
    for name, m in metrics["systems"].items():
        ci = m["ci95"]
        click.echo(f"  {name:34s} disagree P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
                   f"(95% CI {ci['f1'][0]:.3f}-{ci['f1'][1]:.3f}; F1 minus the first {ci['f1_minus_first'][0]:+.3f}"
                   f" to {ci['f1_minus_first'][1]:+.3f})")
    click.echo(f"tuned on {tune_split} ({len(tune_set)} pairs): {asdict(chosen)} (F1 {tune_f1:.3f}); shipped "
               f"settings {'equal' if metrics['shipped_equals_tuned'] else 'DIFFER from'} these")
    click.echo(f"report: {out / 'metrics.json'}")


@click.command("conflicts")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for metrics.json and per_question.jsonl.")
@click.option("--set", "conflict_set", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Conflict list (JSONL) [default: eval/compare_seed.jsonl, the seed corpus's].")
@click.option("--index", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder [env GROUNDQA_INDEX; default ./.groundqa].")
def conflicts_cmd(out: Path, conflict_set: Path | None, index: Path | None) -> None:
    """Run `groundqa compare` on each question of a listed-conflicts set and score it: precision and recall of
    "disagree" over the listed statement pairs (and the raw verifier argmax baseline on the same pairs),
    and whether each listed figure is shown with its source."""
    from groundqa.credibility.verifier import verifier
    from groundqa.eval.conflicts import SEED_CONFLICTS, judge_question, read_conflicts, summarise
    from groundqa.service.commandline import load_engine, make_settings
    from groundqa.service.compare.run import compare
    from groundqa.service.compare.schemas import CompareIn

    engine = load_engine(make_settings(index=index))
    model = verifier()
    judged, items = [], read_conflicts(conflict_set or SEED_CONFLICTS)
    for item in items:
        result = compare(engine, CompareIn(question=item["question"]), verifier=model)
        judged.append(judge_question(item, result, engine))
    metrics = summarise(judged) | {"set": str(conflict_set or "eval/compare_seed.jsonl"), "questions": len(judged),
                                   "baseline": _argmax_baseline(items, judged, engine, model)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    with open(out / "per_question.jsonl", "w", encoding="utf-8") as handle:
        for q in judged:
            handle.write(json.dumps(q) + "\n")
    d = metrics["disagree"]
    click.echo(f"{metrics['questions']} questions, {metrics['pairs']} listed pairs ({metrics['disagree_listed']} "
               f"disagree), {metrics['surfaced']} surfaced (both statements gathered)")
    click.echo(f"  compare                        disagree P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}"
               f"; agree recall {metrics['agree_recall']:.3f}; figures shown {metrics['figures_shown']}")
    b = metrics["baseline"]
    click.echo(f"  verifier argmax (one reading)  disagree P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f}")
    click.echo(f"report: {out / 'metrics.json'}")


def _argmax_baseline(items: list[dict], judged: list[dict], engine: Any, model: Any) -> dict:
    """The raw verifier on the listed pairs' exact statements (a as claim, b as evidence), no grouping."""
    import numpy as np
    from groundqa.eval.contradictions import prf

    gold, texts = [], []
    for item, q in zip(items, judged, strict=True):
        for pair in item.get("pairs", []):
            texts.append(tuple(_sentence(engine, pair[side]) for side in ("a", "b")))
        gold += [r["gold"] for r in q["pairs"]]
    probabilities = model.probabilities(texts)
    predicted = [("agree", "disagree", "unrelated")[int(np.argmax(p))] for p in probabilities]
    return prf(gold, predicted)


def _sentence(engine: Any, ref: dict[str, str]) -> str:
    """The sentence of the source holding the quote (the product's splitter)."""
    from groundqa.ingest.sentences import split_sentences

    text = engine.source(ref["source_id"]).text
    at = text.find(ref["quote"])
    for s in split_sentences(text):
        if s.start <= at < s.end:
            return text[s.start:max(s.end, at + len(ref["quote"]))]
    return ref["quote"]
