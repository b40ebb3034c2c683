"""``groundqa compare "question"``: POST /v1/compare from the command line, over the local index."""

from __future__ import annotations

from pathlib import Path

import click

from groundqa.cli.common import fail, index_option, load_engine, make_settings, model_option, status
from groundqa.core.errors import GroundqaError
from groundqa.service.compare.schemas import CompareOut

MARK = {"disagree": ("DISAGREE", "red"), "agree": ("agree", "green"), "unrelated": ("related topic", "blue"),
        "alone": ("one source only", "yellow")}


def render(result: CompareOut) -> str:
    """Groups, disagreements first: each position with its sources (grade, publisher type) and statements."""
    by_id = {s.id: s for s in result.statements}
    brief = {s.source_id: s for s in result.sources}
    lines = [click.style(result.question, bold=True)]
    if result.abstained:
        lines.append(click.style("warning: no passage is close to this question; the statements may not answer it",
                                 fg="yellow"))
    if not result.groups:
        lines.append("no statements on a common topic were found")
    for g in result.groups:
        word, colour = MARK[g.relation]
        lines.append("")
        lines.append(click.style(f"{g.id} [{word}]", fg=colour, bold=True) + f" {g.about}: {g.label[:100]}")
        for n, position in enumerate(g.positions, 1):
            if len(g.positions) > 1:
                lines.append(click.style(f"  position {n}", bold=True) + ": " + ", ".join(
                    f"{s.source_id} (grade {s.grade or '-'}, {s.publisher_type})" for s in position.sources))
            for sid in position.statements:
                s = by_id[sid]
                b = brief[s.source_id]
                flags = "".join(click.style(f" [{f.kind}]", fg="magenta") for f in s.flags)
                lines.append(f"    {s.id} {s.text}")
                lines.append(click.style(f"       {s.marker} grade {b.grade or '-'} {b.publisher_type}", dim=True)
                             + flags)
        for spread in g.spread:
            figures = ", ".join(f"{f.text} ({f.source_id}, grade {f.grade or '-'})" for f in spread.figures)
            lines.append(f"  figures ({spread.dimension}): {figures}")
        for p in g.pairs:
            if p.relation == "disagree":
                lines.append(click.style(f"  {p.a} vs {p.b}: disagree {p.disagree:.2f}"
                                         + (f"; figures {'; '.join(p.numbers)}" if p.numbers else ""), dim=True))
    return "\n".join(lines)


@click.command("compare")
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1), default=20, show_default=True, help="Passages retrieved.")
@click.option("--per-source", type=click.IntRange(1, 20), default=4, show_default=True,
              help="Statements kept per source (closest to the question).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of POST /v1/compare.")
@index_option
@model_option
def compare_cmd(question: str, k: int, per_source: int, as_json: bool, index: Path | None,
                model: str | None) -> None:
    """Where the sources disagree on QUESTION: their statements grouped by topic, agree / disagree per group,
    each with its exact span [source_id:start-end], source grade, publisher type and flags."""
    from groundqa.credibility.verifier import verifier
    from groundqa.engine.compare.run import compare
    from groundqa.service.compare.convert import compare_out
    from groundqa.service.schemas import check_query_limits

    settings = make_settings(index=index, model=model)
    try:
        check_query_limits(question, k, max_k=settings.max_k, max_question_chars=settings.max_question_chars)
        engine = load_engine(settings)
        with status("loading the claim verifier"):
            model_ = verifier()
        result = compare_out(compare(engine, question=question, k=k, mode=settings.mode,
                                     statements_per_source=per_source, verifier=model_))
    except GroundqaError as exc:
        fail(exc)
    click.echo(result.model_dump_json(indent=2) if as_json else render(result))
