"""``groundqa query`` and ``groundqa sources``: read the index."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from groundqa.cli.common import (
    fail,
    index_option,
    load_engine,
    make_settings,
    model_option,
)
from groundqa.core.errors import GroundqaError

QUERY_FORMATS = ("text", "json", "md", "csv", "csl", "ris", "bibtex")


@click.command("query")
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1), default=5, show_default=True,
              help="Passages to return, at most GROUNDQA_MAX_K (100), as for POST /v1/query.")
@click.option("--mode", type=click.Choice(["bm25", "dense", "hybrid"]), default=None,
              help="Retrieval mode [default hybrid].")
@click.option("--source", "source_ids", multiple=True, help="Only this source (repeatable).")
@click.option("--exclude-flag", "exclude_flags", multiple=True, type=click.Choice(["commercial", "unverified"]),
              help="Drop passages with this credibility flag (repeatable).")
@click.option("--downrank-flagged", is_flag=True, help="Rank --exclude-flag passages last instead of dropping them.")
@click.option("--min-credibility", type=click.FloatRange(0, 1), default=None,
              help="Only sources whose credibility score (0-1) is at least this.")
@click.option("--per-source", type=click.IntRange(0), default=None,
              help="At most N passages of one source (1: k sources, one passage each; 0: no limit) "
              "[env GROUNDQA_PER_SOURCE].")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="text", show_default=True,
              help="text for reading; json (the HTTP API's shape), md or csv to keep; csl (CSL-JSON), ris or bibtex "
                   "for a citation manager.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@index_option
@model_option
def query_cmd(question: str, k: int, mode: str | None, source_ids: tuple[str, ...], exclude_flags: tuple[str, ...],
              downrank_flagged: bool, min_credibility: float | None, per_source: int | None, fmt: str, as_json: bool,
              index: Path | None, model: str | None) -> None:
    """Answer QUESTION with cited passages.

    Each passage is shown with its id and its citation marker [source_id:start-end]; paste either into an answer
    and `groundqa audit` checks it.
    """
    from groundqa.core.errors import InvalidRequestError
    from groundqa.engine.query import Filters
    from groundqa.service.export import render_query_as
    from groundqa.service.render import render_query
    from groundqa.service.schemas import check_query_limits, query_out

    settings = make_settings(index=index, model=model, mode=mode)
    if not question.strip():
        raise click.BadParameter("the question is empty", param_hint="QUESTION")
    try:
        check_query_limits(question, k, max_k=settings.max_k, max_question_chars=settings.max_question_chars)
    except InvalidRequestError as exc:
        raise click.BadParameter(str(exc), param_hint="QUESTION" if "question" in str(exc) else "-k") from exc
    try:
        engine = load_engine(settings)
        answer = engine.answer(question, k=k, mode=settings.mode, filters=Filters(
            source_ids=source_ids, exclude_flags=exclude_flags, downrank_flagged=downrank_flagged,
            min_source_credibility=min_credibility), per_source=per_source)
    except GroundqaError as exc:
        fail(exc)
    result = query_out(question, settings.mode, k, answer, engine.source)
    fmt = "json" if as_json else fmt
    if fmt == "text":
        click.echo(render_query(result))
    else:
        click.echo(render_query_as(result, fmt, today=datetime.date.today().isoformat()), nl=False)


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_option
def sources_cmd(as_json: bool, index: Path | None) -> None:
    """List the ingested sources: id, title, publisher, credibility grade and score."""
    from groundqa.index.snapshot import require_snapshot
    from groundqa.index.store import STORE_FILE, Store
    from groundqa.service.render import render_sources
    from groundqa.service.schemas import source_meta

    settings = make_settings(index=index)
    try:
        store = Store(require_snapshot(settings.index) / STORE_FILE)
    except GroundqaError as exc:
        fail(exc)
    sources = [source_meta(s) for s in store.sources()]
    if as_json:
        from groundqa.service.schemas import SourceListOut

        click.echo(SourceListOut(sources=sources, total=len(sources), offset=0, limit=len(sources))
                   .model_dump_json(indent=2))
        return
    click.echo(render_sources(sources))
