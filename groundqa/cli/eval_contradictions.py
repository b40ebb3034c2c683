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

DATASETS = ("covidfact", "healthver")


def _scored(dataset: str, split: str, cache: Path, encoder: Any, verifier: Any) -> list:
    from groundqa.credibility.verifier import MODEL_DIR
    from groundqa.eval.contradictions import build_pairs, healthver_pairs, score, with_checks

    weights = hashlib.sha1((MODEL_DIR / "delta.safetensors").read_bytes()
                           + (MODEL_DIR / "calibration.json").read_bytes()).hexdigest()[:10]  # a new calibration too
    name = "contradictions" if dataset == "covidfact" else f"contradictions-{dataset}"
    path = cache / f"{name}-{split}-{weights}.pkl"
    if path.is_file():
        return with_checks(pickle.loads(path.read_bytes()))  # noqa: S301  (our own cache file)
    pairs = build_pairs(split, encoder) if dataset == "covidfact" else healthver_pairs(split)
    click.echo(f"{dataset} {split}: {len(pairs)} statement pairs; running the verifier both ways ...", err=True)
    scored = score(pairs, encoder, verifier, floor=-1.0)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(scored))
    return scored


def _report(dataset: str, split: str, test: list, predictions: dict[str, list[str]], bootstrap: int) -> dict:
    from groundqa.eval.contradictions import bootstrap_f1, prf, separability

    gold = [s.pair.label for s in test]
    intervals = bootstrap_f1([s.pair.group for s in test], gold, predictions, n=bootstrap)
    by_kind: dict[str, dict[str, int]] = {}
    first = next(iter(predictions.values()))
    for s, p in zip(test, first, strict=True):
        by_kind.setdefault(s.pair.kind, {}).setdefault(p, 0)
        by_kind[s.pair.kind][p] += 1
    return {"dataset": f"{dataset} statement pairs, {split} groups (never tuned on)", "pairs": len(test),
            "groups": len({s.pair.group for s in test}),
            "gold": {label: gold.count(label) for label in ("disagree", "agree", "unrelated")},
            "systems": {name: prf(gold, p) | {"ci95": intervals[name]} for name, p in predictions.items()},
            "predicted_by_kind": by_kind, "auc": separability(test)}


def _echo(report: dict) -> None:
    click.echo(f"{report['dataset']}: {report['pairs']} pairs over {report['groups']} groups "
               f"({', '.join(f'{v} {k}' for k, v in report['gold'].items())})")
    for name, m in report["systems"].items():
        ci = m["ci95"]
        click.echo(f"  {name:36s} disagree P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
                   f"(95% CI {ci['f1'][0]:.3f}-{ci['f1'][1]:.3f}; minus the first {ci['f1_minus_first'][0]:+.3f} "
                   f"to {ci['f1_minus_first'][1]:+.3f})")


@click.command("contradictions")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for metrics.json and cases.jsonl.")
@click.option("--split", type=click.Choice(["test", "calib", "train"]), default="test", show_default=True,
              help="Groups reported on (test: never tuned on).")
@click.option("--tune", "tune_split", type=click.Choice(["calib", "train"]), default="calib", show_default=True,
              help="COVID-Fact articles the thresholds are chosen on.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/.cache"),
              show_default=True, help="Where scored pairs are kept between runs.")
@click.option("--bootstrap", type=click.IntRange(100), default=2000, show_default=True,
              help="Bootstrap resamples (of groups) for the 95% intervals.")
def contradictions_cmd(out: Path, split: str, tune_split: str, cache: Path, bootstrap: int) -> None:
    """Measure contradiction detection between statements. COVID-Fact (the issue's measure): a true claim against
    its counter-claim = disagree, against its evidence sentence or a second true claim = agree, against the
    nearest claim of another article = unrelated. HealthVer (a transfer check, never tuned on): claim vs
    evidence, Refutes = disagree, Supports = agree, Neutral = unrelated. Thresholds are chosen on COVID-Fact's
    --tune articles; P/R/F1 of "disagree" on --split (COVID-Fact first) with group-bootstrap 95% intervals,
    beside the raw verifier argmax, a cosine threshold and the verifier without the similarity gate."""
    from groundqa.core.encoder import Encoder
    from groundqa.credibility.relation import Settings
    from groundqa.credibility.verifier import verifier
    from groundqa.eval.contradictions import baselines, predict, separability, tune, verifier_only

    if split == tune_split:
        raise click.UsageError("--split and --tune must differ: the reported split is never tuned on")
    began = time.perf_counter()
    encoder, model = Encoder("bundled"), verifier()
    tune_set = _scored("covidfact", tune_split, cache, encoder, model)
    tests = {d: _scored(d, split, cache, encoder, model) for d in DATASETS}
    chosen, tune_f1 = tune(tune_set)
    shipped = Settings()
    reports, fitted = {}, {}
    for dataset, test in tests.items():
        predictions = {"compare (shipped settings)": predict(test, shipped),
                       f"compare (tuned on {tune_split} now)": predict(test, chosen),
                       "compare without the similarity gate": predict(test, verifier_only(shipped))}
        base, fitted = baselines(tune_set, test)
        reports[dataset] = _report(dataset, split, test, predictions | base, bootstrap)
    metrics: dict[str, Any] = {
        "reports": reports,
        "tuned_on": {"dataset": "covidfact", "split": tune_split, "pairs": len(tune_set), "settings": asdict(chosen),
                     "f1": tune_f1, "baseline": fitted, "auc": separability(tune_set)},
        "shipped_settings": asdict(shipped), "shipped_equals_tuned": asdict(shipped) == asdict(chosen),
        "seconds": round(time.perf_counter() - began, 1)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    with open(out / "cases.jsonl", "w", encoding="utf-8") as handle:
        for dataset, test in tests.items():
            for s, p in zip(test, predict(test, shipped), strict=True):
                handle.write(json.dumps({"dataset": dataset, "a": s.pair.a, "b": s.pair.b, "gold": s.pair.label,
                                         "kind": s.pair.kind, "predicted": p, "cosine": round(s.cosine, 4),
                                         "numbers": s.numbers, "negations": s.negations,
                                         "forward": _round(s.forward), "backward": _round(s.backward)}) + "\n")
    for report in reports.values():
        _echo(report)
        click.echo("  ROC AUC of each signal alone: " + ", ".join(f"{k} {v:.3f}" for k, v in report["auc"].items()))
    click.echo(f"tuned on COVID-Fact {tune_split} ({len(tune_set)} pairs): {asdict(chosen)} (F1 {tune_f1:.3f}); "
               "shipped settings "
               f"{'equal' if metrics['shipped_equals_tuned'] else 'DIFFER from'} these; cosine baseline threshold "
               f"{fitted['cosine_threshold']}")
    click.echo(f"report: {out / 'metrics.json'}")


def _round(p: Any) -> list[float] | None:
    return None if p is None else [round(float(x), 4) for x in p]


@click.command("conflicts")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for metrics.json and per_question.jsonl.")
@click.option("--set", "conflict_set", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Conflict list (JSONL) [default: labels/compare_seed.jsonl, the seed corpus's].")
@click.option("--index", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder [env GROUNDQA_INDEX; default ./.groundqa].")
def conflicts_cmd(out: Path, conflict_set: Path | None, index: Path | None) -> None:
    """Run `groundqa compare` on each question of a listed-conflicts set and score it: precision and recall of
    "disagree" over the listed statement pairs (and the raw verifier argmax baseline on the same pairs),
    and whether each listed figure is shown with its source."""
    from groundqa.cli.common import load_engine, make_settings
    from groundqa.credibility.verifier import verifier
    from groundqa.engine.compare.run import compare
    from groundqa.eval.conflicts import SEED_CONFLICTS, judge_question, read_conflicts, summarise

    engine = load_engine(make_settings(index=index))
    model = verifier()
    judged, items = [], read_conflicts(conflict_set or SEED_CONFLICTS)
    for item in items:
        result = compare(engine, question=item["question"], verifier=model)
        judged.append(judge_question(item, result, engine))
    metrics = summarise(judged) | {"set": str(conflict_set or "labels/compare_seed.jsonl"), "questions": len(judged),
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
    from groundqa.core.sentences import split_sentences

    text = engine.source(ref["source_id"]).text
    at = text.find(ref["quote"])
    for s in split_sentences(text):
        if s.start <= at < s.end:
            return text[s.start:max(s.end, at + len(ref["quote"]))]
    return ref["quote"]
