"""``groundqa eval``: run a benchmark against the engine (or a running service) and write the report
(``eval run``, the default), or compare two runs (``eval compare``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from click_default_group import DefaultGroup

from groundqa.cli.common import make_settings, progress_option, show_progress
from groundqa.eval.datasets import DEFAULT_MEDQUAD, SEED_SET
from groundqa.eval.mediqa import DEFAULT_MEDIQA

EXIT_BAD_DATASET = 2


def machine() -> str:
    import os
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, Python " \
           f"{platform.python_version()}"


def _modes(value: str) -> list[str]:
    from groundqa.eval.run import MODES

    modes = list(dict.fromkeys(m.strip() for m in value.split(",") if m.strip()))
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise click.BadParameter(f"{', '.join(bad) or 'nothing'} given; use a comma-separated subset of "
                                 f"{','.join(MODES)}", param_hint="--mode")
    return modes


@click.group("eval", cls=DefaultGroup, default="run")
def eval_cmd() -> None:
    """Benchmark retrieval on a dataset (`eval run`, the default: `groundqa eval seed --out DIR`), or compare
    two runs (`groundqa eval compare RUN_A RUN_B`)."""


@eval_cmd.command("run")
@click.argument("dataset")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for run files, metrics.json, report.md and plots.")
@click.option("--mode", "mode", default="bm25,dense,hybrid", show_default=True,
              help="Retrieval modes to compare, comma-separated.")
@click.option("-k", "--k", "k", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Cut-off for Recall@k, P@k and evidence hit@k.")
@click.option("--depth", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Passages asked for per question (documents are ranked by their best passage).")
@click.option("--url", default=None, help="Evaluate a running service at this base URL instead of in-process.")
@click.option("--index", "index", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index for question sets [env GROUNDQA_INDEX; default ./.groundqa].")
@click.option("--model", default=None, help="Embedding model [env GROUNDQA_MODEL; default bundled].")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), default=None,
              help="Question sets: index this corpus (cached under --cache) instead of using --index.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/.cache"),
              show_default=True, help="Where dataset indexes and built MedQuAD sets are kept between runs.")
@click.option("--sample", type=click.IntRange(1), default=None,
              help="DATASET=medquad: keep about this many answers (whole pages, seeded); default all.")
@click.option("--seed", type=int, default=0, show_default=True, help="DATASET=medquad: sampling seed.")
@click.option("--medquad-src", type=click.Path(path_type=Path), default=DEFAULT_MEDQUAD, show_default=True,
              help="DATASET=medquad: the MedQuAD XML folder.")
@click.option("--mediqa-src", type=click.Path(path_type=Path), default=DEFAULT_MEDIQA, show_default=True,
              help="DATASET=mediqa: the mediqa_qa BEIR folder (qrels/dev.tsv).")
@click.option("--part", type=click.Choice(["all", "measure", "tune"]), default="all", show_default=True,
              help="DATASET=mediqa: which part of the fixed split (labels/mediqa_split.json) to run; 'all' also "
              "reports each part.")
@click.option("--chunk-chars", type=int, default=None, help="Passage size for indexes built here.")
@click.option("--overlap-chars", type=int, default=None, help="Passage overlap for indexes built here.")
@click.option("--embed-context", type=click.Choice(["none", "title", "heading", "title+heading"]), default=None,
              help="What leads each passage into the encoder, for indexes built here.")
@click.option("--rrf-k", type=int, default=None, help="Reciprocal-rank-fusion constant (in-process).")
@click.option("--candidates", type=int, default=None, help="Candidates per retriever before fusion (in-process).")
@click.option("--abstain-below", type=float, default=None, help="Abstention threshold on cosine (in-process).")
@progress_option
def run_cmd(dataset: str, out: Path, mode: str, k: int, depth: int, url: str | None, index: Path | None,
            model: str | None, corpus: Path | None, cache: Path, sample: int | None, seed: int,
            medquad_src: Path, mediqa_src: Path, part: str, chunk_chars: int | None, overlap_chars: int | None,
            embed_context: str | None, rrf_k: int | None, candidates: int | None, abstain_below: float | None,
            progress: bool | None) -> None:
    """Benchmark retrieval on DATASET and write a report to --out.

    DATASET is a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv; indexed on its own under
    --cache), a question-set .jsonl with quoted evidence over the current index, `seed` for the bundled
    seed question set, `mediqa` for the retrieval development benchmark (consumer questions over all of
    MedQuAD, graded; --part of its fixed tune/measure split), or `medquad` (built from --medquad-src,
    optionally --sample'd).
    """
    from groundqa.core.errors import GroundqaError, IndexMismatchError, IndexMissingError
    from groundqa.eval.datasets import DatasetError

    modes = _modes(mode)
    settings = make_settings(index=index, model=model, chunk_max_chars=chunk_chars, embed_context=embed_context,
                             chunk_overlap_chars=overlap_chars, rrf_k=rrf_k, candidates=candidates,
                             abstain_below=abstain_below)
    try:
        document = run_eval(dataset, out=out, modes=modes, k=k, depth=depth, url=url, settings=settings,
                            corpus=corpus, cache=cache, sample=sample, seed=seed, medquad_src=medquad_src,
                            mediqa_src=mediqa_src, part=part, progress=show_progress(progress))
    except (DatasetError, ValueError) as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
        sys.exit(EXIT_BAD_DATASET)
    except GroundqaError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
        sys.exit(3 if isinstance(exc, IndexMissingError | IndexMismatchError) else 1)
    from groundqa.eval.report import comparison, metrics_table

    click.echo(f"{document['dataset']}: {document['queries']} questions, {document['backend_kind']}")
    click.echo(metrics_table(document))
    for m, values in document["modes"].items():
        for name, part_means in values.get("parts", {}).items():
            click.echo(f"{m} [{name}, {part_means['queries']} questions]: nDCG@10 {part_means['nDCG@10']:.4f}  "
                       f"MRR@10 {part_means['RR@10']:.4f}")
    sentence = comparison(document)
    if sentence:
        click.echo(sentence)
    for m, values in document["modes"].items():
        a = values["abstention"]
        if a["unanswerable"]:
            click.echo(f"abstention [{m}]: {_pct(a['accuracy_unanswerable'])} of {a['unanswerable']} unanswerable "
                       f"abstained, {_pct(a['accuracy_answerable'])} of {a['answerable']} answerable answered")
    click.echo(f"report: {out / 'report.md'}")


@eval_cmd.command("compare")
@click.argument("run_a", type=click.Path(file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(file_okay=False, path_type=Path))
@click.option("--mode", "modes", multiple=True, type=click.Choice(["bm25", "dense", "hybrid"]),
              help="Only these modes (repeatable) [default: every mode both runs have].")
@click.option("--metric", default=None, help="Measure for the list of most-changed queries [default nDCG@10].")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True, help="Most-changed queries listed.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap and randomisation.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare_cmd(run_a: Path, run_b: Path, modes: tuple[str, ...], metric: str | None, top: int, seed: int,
                as_json: bool) -> None:
    """Per-measure differences B - A between two `groundqa eval --out` folders, with a paired bootstrap 95%
    interval and a paired randomisation test, and the queries that changed most. Exit code 2 when the folders
    are not runs or share nothing."""
    import json

    from groundqa.eval.compare import RunError, compare_runs, render_comparison

    try:
        result = compare_runs(run_a, run_b, modes=list(modes) or None, metric=metric, top=top, seed=seed)
    except RunError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
        sys.exit(EXIT_BAD_DATASET)
    click.echo(json.dumps(result, indent=2) if as_json else render_comparison(result))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def run_eval(dataset: str, *, out: Path, modes: list[str], k: int, depth: int, url: str | None, settings: Any,
             corpus: Path | None = None, cache: Path = Path("bench/.cache"), sample: int | None = None,
             seed: int = 0, medquad_src: Path = DEFAULT_MEDQUAD, mediqa_src: Path = DEFAULT_MEDIQA,
             part: str = "all", progress: bool = True,
             encoder: Any = None) -> dict[str, Any]:
    """Load the dataset, pick the backend, evaluate every mode and write the outputs."""
    import datetime

    from groundqa.eval.backends import EngineBackend, HttpBackend
    from groundqa.eval.datasets import DatasetError, is_beir_folder, load_beir, load_evidence_set
    from groundqa.eval.run import beir_index, corpus_index, evaluate_beir, evaluate_evidence, write_outputs

    if dataset == "medquad":
        from groundqa.eval.medquad import build_medquad_beir

        name = "medquad" if sample is None else f"medquad-s{sample}-seed{seed}"
        path = build_medquad_beir(medquad_src, cache / name, sample=sample, seed=seed)
    elif dataset == "mediqa":
        path = mediqa_src
    else:
        path = SEED_SET if dataset == "seed" else Path(dataset)
    beir = is_beir_folder(path)
    if not beir and not (path.is_file() and path.suffix == ".jsonl"):
        raise DatasetError(f"{dataset}: not a BEIR folder (with corpus.jsonl) nor a question-set .jsonl file; "
                           "give one of those, `seed` or `medquad`")
    if dataset == "mediqa":
        from groundqa.eval.mediqa import load_mediqa

        data = load_mediqa(path, part=part)
    else:
        data = load_beir(path) if beir else load_evidence_set(path)
    if url:
        backend = HttpBackend(url, max_k=settings.max_k)
    elif beir:
        backend = EngineBackend.load(beir_index(data, settings, cache=cache, encoder=encoder, progress=progress),
                                     settings, encoder)
    elif corpus is not None:
        backend = EngineBackend.load(corpus_index(corpus, settings, cache=cache, encoder=encoder,
                                                  progress=progress), settings, encoder)
    else:
        backend = EngineBackend.load(settings.index, settings, encoder)
    try:
        if beir:
            results = evaluate_beir(data, backend, modes=modes, k=k, depth=depth, progress=progress)
        else:
            results = evaluate_evidence(data, backend, modes=modes, k=k, depth=depth, progress=progress)
    finally:
        backend.close()
    meta = {
        "dataset": data.name, "dataset_path": str(path), "kind": "BEIR" if beir else "quoted-evidence",
        "queries": len(data.queries) if beir else len(data.questions), "backend": backend.label,
        "backend_kind": "HTTP" if url else "in-process", "k": k, "depth": min(depth, settings.max_k),
        "settings": {f: getattr(settings, f) for f in (
            "model", "chunk_max_chars", "chunk_overlap_chars", "embed_context", "encoder_backend", "candidates",
            "title_weight", "heading_weight", "fusion", "rrf_k", "dense_weight", "bm25_weight", "fusion_level",
            "source_aggregate", "per_source", "sentence_weight", "abstain_below")},
        "machine": machine(), "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "citation": data.info.get("citation") if beir else None,
    }
    return write_outputs(out, results, meta=meta)


from groundqa.cli.eval_claims import claims_cmd  # noqa: E402

eval_cmd.add_command(claims_cmd)
from groundqa.cli.eval_contradictions import conflicts_cmd, contradictions_cmd  # noqa: E402

eval_cmd.add_command(contradictions_cmd)
eval_cmd.add_command(conflicts_cmd)
