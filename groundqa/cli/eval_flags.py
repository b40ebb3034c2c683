"""``groundqa eval flags``: the flag classifier on the labelled real-site sentences and MedQuAD's flag rate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from groundqa.eval.flags import (
    DEFAULT_MEDQUAD,
    FlagsEvalError,
    MedquadResult,
    SetResult,
    evaluate_rows,
    medquad_flag_rate,
    report,
)
from groundqa.eval.flagset.data import labelled_rows


def _print(out: dict[str, Any], result: SetResult, mq: MedquadResult | None, show: bool) -> None:
    click.echo(f"flag model {out['model']}: {out['rows']} labelled sentences of real pages "
               "(split by site; test = never tuned on)")
    click.echo(f"{'group':<34}{'kind':<12}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for group, kinds in out["sentence_level"].items():
        for kind, s in kinds.items():
            click.echo(f"{group:<34}{kind:<12}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                       f"{s['support']:>9}")
    click.echo(f"\ngovernment and public-health pages: {out['public_body_commercial_flags']} commercial flag(s) on "
               f"{out['public_body_rows']} labelled sentences")
    if mq is not None:
        m = out["medquad"]
        click.echo(f"MedQuAD: {m['flagged']} of {m['answers']} answers carry a flag = {100 * m['rate']:.2f}% "
                   f"(by kind {m['by_kind']}; {m['seconds']} s)")
    if show:
        click.echo("\nsentence disagreements:")
        for e in result.errors:
            click.echo(f"  [{e['split']}] gold={e['gold']} predicted={e['predicted']} {e['probabilities']}  "
                       f"{e['text']}")
        if mq is not None:
            click.echo("\nflagged MedQuAD answers:")
            for e in mq.examples:
                click.echo(f"  {e['qid']} {e['kind']} {e['cues']}: {' | '.join(e['evidence'])}")


@click.command("flags-eval")
@click.option("--medquad", type=click.Path(path_type=Path), default=DEFAULT_MEDQUAD, show_default=True,
              help="MedQuAD XML folder (read at run time).")
@click.option("--no-medquad", is_flag=True, help="Skip the MedQuAD flag-rate run.")
@click.option("--limit", type=int, default=2000, show_default=True,
              help="MedQuAD answers in the flag-rate run (0: all of them, which takes a while).")
@click.option("--show", is_flag=True, help="List every disagreement and flagged MedQuAD answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def flags_eval_cmd(medquad: Path, no_medquad: bool, limit: int, show: bool, as_json: bool) -> None:
    """Precision, recall and F1 of the credibility flags per kind on the labelled sentences (never-tuned sites
    first), commercial flags on public bodies' pages, and the share of MedQuAD answers carrying a flag."""
    use_medquad = not no_medquad and medquad.is_dir()
    if not no_medquad and not use_medquad:
        click.echo(f"MedQuAD not found at {medquad}; the flag-rate run is skipped (pass --medquad PATH)", err=True)
    try:
        rows = labelled_rows()
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(f"{exc} (the label set reads its pages from ../shared/datasets)") from exc
    result = evaluate_rows(rows)
    try:
        mq = medquad_flag_rate(medquad, limit=limit or None) if use_medquad else None
    except FlagsEvalError as exc:
        raise click.ClickException(str(exc)) from exc
    out = report(result, mq)
    if as_json:
        click.echo(json.dumps(out, indent=2))
    else:
        _print(out, result, mq, show)
