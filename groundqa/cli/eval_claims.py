"""``groundqa eval claims``: measure the audit's verdicts on labelled claim/evidence pairs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_BAD_DATASET = 2


@click.command("claims")
@click.argument("source")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for metrics.json, report.md, cases.jsonl and reliability.png.")
@click.option("--split", type=click.Choice(["test", "calib", "train", "all"]), default="test", show_default=True,
              help="Built-in datasets: which part (test = never tuned on).")
@click.option("--label-map", default=None,
              help="Your labels to ours, e.g. 'SUPPORTED=supports,REFUTED=refutes,NEI=neither'.")
@click.option("--claim-field", default="claim", show_default=True, help="Column or key of the claim.")
@click.option("--evidence-field", default="evidence", show_default=True, help="Column or key of the evidence.")
@click.option("--label-field", default="label", show_default=True, help="Column or key of the label.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N pairs.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/.cache"),
              show_default=True, help="Where evidence indexes are kept between runs.")
@click.option("--bootstrap", type=click.IntRange(100), default=2000, show_default=True,
              help="Bootstrap resamples for the 95% intervals.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def claims_cmd(source: str, out: Path, split: str, label_map: str | None, claim_field: str, evidence_field: str,
               label_field: str, limit: int | None, cache: Path, bootstrap: int, progress: bool | None) -> None:
    """Audit every claim of SOURCE against its evidence and score the verdicts.

    SOURCE is `healthver`, `covidfact` or `scifact` (read from ../shared/datasets/claims; --split picks the
    part, `test` by default), or a JSONL or CSV file of your own with claim, evidence and label (name the
    columns with --*-field and map your label names with --label-map). Every distinct evidence text is
    indexed as a source, each claim is audited through the same code as POST /v1/audit, and the report gives
    the confusion matrix, per-class precision/recall/F1, macro-F1 with a bootstrap 95% interval, the cosine
    baseline measured in the same run, and calibration (ECE, reliability plot).
    """
    from groundqa.cli.common import load_engine, make_settings
    from groundqa.eval.claimrun import evidence_index, run_claims
    from groundqa.eval.claims import BUILTIN, ClaimsDataError, parse_label_map, read_claims_file

    show = sys.stderr.isatty() if progress is None else progress
    try:
        if source in BUILTIN:
            pairs = [p for p in BUILTIN[source]() if split == "all" or p.split == split]
            dataset: str | None = source
        else:
            pairs = read_claims_file(Path(source), label_map=parse_label_map(label_map), claim_field=claim_field,
                                     evidence_field=evidence_field, label_field=label_field)
            dataset = None
    except ClaimsDataError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
        sys.exit(EXIT_BAD_DATASET)
    if limit:
        pairs = pairs[:limit]
    if not pairs:
        click.echo(click.style("error: ", fg="red", bold=True) + f"{source}: no pairs to audit", err=True)
        sys.exit(EXIT_BAD_DATASET)
    click.echo(f"loading the model and indexing {len({p.evidence for p in pairs})} evidence texts ...", err=True)
    settings = make_settings()
    index = evidence_index(pairs, cache, settings=settings, progress=show)
    engine = load_engine(settings.model_copy(update={"index": index}))
    metrics = run_claims(pairs, dataset=dataset, engine=engine, encoder=engine.encoder, out=out, progress=show,
                         bootstrap=bootstrap)
    v, b = metrics["verifier"], metrics["cosine_baseline"]
    click.echo(f"{metrics['dataset']}: {metrics['cases']} claims; labels {', '.join(metrics['labels'])}")
    click.echo(f"  verifier (audit)  macro-F1 {v['macro_f1']:.3f}  95% CI {v['ci95'][0]:.3f}-{v['ci95'][1]:.3f}  "
               + "  ".join(f"{k} F1 {x['f1']:.3f}" for k, x in v["per_class"].items()))
    click.echo(f"  cosine threshold  macro-F1 {b['macro_f1']:.3f}  95% CI {b['ci95'][0]:.3f}-{b['ci95'][1]:.3f}")
    click.echo(f"  difference        95% CI {v['difference_ci95'][0]:+.3f} to {v['difference_ci95'][1]:+.3f}")
    click.echo(f"  calibration       ECE {metrics['calibration']['ece']:.3f}")
    click.echo(f"report: {out / 'report.md'}")
