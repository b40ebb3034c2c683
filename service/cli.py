"""The ``groundqa`` command. Heavy imports live inside commands so ``--help`` is instant."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

import click
from groundqa.credibility.training.command import train_group
from groundqa.eval.cli import eval_cmd
from groundqa.eval.flags import flags_eval_cmd
from groundqa.ingest.errors import GroundqaError
from groundqa.service.audit.command import audit_cmd
from groundqa.service.commandline import (
    EXIT_FAILED,
    fail,
    index_option,
    load_engine,
    make_settings,
    model_option,
    progress_option,
    show_progress,
    warn,
)
from groundqa.service.compare.command import compare_cmd
from groundqa.service.settings import Settings

QUERY_FORMATS = ("text", "json", "md", "csv", "csl", "ris", "bibtex")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundqa", prog_name="groundqa")
def main() -> None:
    """Source-grounded question answering over health texts, with exact citations."""


def run_ingest(settings: Settings, paths: list[Path], *, rebuild: bool, progress: bool, engine: str = "local",
               prune: bool = False) -> Any:
    from groundqa.credibility.flags import annotator as annotate
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings
    from groundqa.service.perf import ann_settings, ingest_encoder

    chunking = ChunkSettings(max_chars=settings.chunk_max_chars, overlap_chars=settings.chunk_overlap_chars)
    return ingest(paths, index_dir=settings.index, chunking=chunking, embed_context=settings.embed_context,
                  encoder=ingest_encoder(settings, engine=engine), rebuild=rebuild,
                  progress=progress, ann=ann_settings(settings), annotate=annotate,
                  max_file_bytes=int(settings.max_file_mb * 1_000_000), prune=prune,
                  sentences=settings.sentence_index)


def _default_paths(settings: Settings) -> list[Path]:
    from groundqa.index.snapshot import current_snapshot, read_manifest

    snapshot = current_snapshot(settings.index)
    roots = read_manifest(snapshot).get("roots") if snapshot else None
    return [Path(r) for r in roots] if roots else [settings.corpus]


def _names(ids: list[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _print_report(report: Any, settings: Settings, *, as_json: bool) -> None:
    """The run summary: what was added, updated, left unchanged and removed, then the index totals."""
    if as_json:
        click.echo(json.dumps(report.__dict__ | {"ok": report.ok}, indent=2))
        return
    for warning in report.warnings:
        warn(warning)
    for error in report.errors:
        click.echo(click.style("error: ", fg="red", bold=True) + error, err=True)
    if report.files_skipped:
        from groundqa.index.build import supported_types

        click.echo(click.style("skipped: ", fg="yellow", bold=True) + f"{len(report.files_skipped)} file(s) of a type "
                   f"groundqa does not read: {', '.join(report.files_skipped)} (supported: {supported_types()})",
                   err=True)
    if report.stale:
        warn(f"{len(report.stale)} source(s) under the given paths no longer have a file: {_names(report.stale)}; "
             "they stay in the index (run again with --prune to remove them)")
    state = "index updated" if report.changed else "index unchanged"
    kept = f" ({report.sources_kept} other sources kept)" if report.sources_kept else ""
    click.echo(f"{state} ({settings.index}): {report.sources_added} added, {report.sources_updated} updated, "
               f"{report.sources_unchanged} unchanged, {report.sources_removed} removed{kept}; "
               f"{report.files_seen} files seen, {report.files_loaded} loaded, {report.files_unchanged} unchanged, "
               f"{report.files_failed} failed, {len(report.files_skipped)} skipped (unsupported type)"
               + (f", {report.files_hidden} hidden ignored" if report.files_hidden else "")
               + f"; {report.sources} sources, {report.passages} passages "
               f"({report.passages_embedded} embedded)")
    for label, ids in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if ids:
            click.echo(click.style(f"  {label}: {_names(ids)}", dim=True))


@main.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@model_option
@click.option("--prune", is_flag=True, help="Also remove the sources under the given paths whose file is gone.")
@click.option("--chunk-chars", type=int, default=None, help="Largest passage in characters [default 800].")
@click.option("--overlap-chars", type=int, default=None, help="Overlap between passages in characters [default 120].")
@click.option("--rebuild", is_flag=True, help="Embed every passage again (kept sources too), e.g. for a new model.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@progress_option
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where embedding runs: this process, or Ray Data batches on a Ray cluster (GROUNDQA_RAY_ADDRESS; "
              "unset starts a local one). Needs the 'ray' extra.")
@click.option("--encoder-backend", type=click.Choice(["fp32", "bf16", "onnx-int8"]), default=None,
              help="Encoder backend [env GROUNDQA_ENCODER_BACKEND; default: the index's own, fp32 for a new one].")
def ingest_cmd(paths: tuple[Path, ...], index: Path | None, model: str | None, prune: bool, chunk_chars: int | None,
               overlap_chars: int | None, rebuild: bool, as_json: bool, progress: bool | None, engine: str,
               encoder_backend: str | None) -> None:
    """Add or update files and folders (.txt .md .html .pdf .docx .jsonl) in the index.

    New and changed files are (re)indexed, unchanged ones cost nothing, and sources from other paths stay as
    they are: ingest never removes a source unless asked (--prune, or `groundqa remove SOURCE_ID`). Without
    PATHS, every path ingested so far (or ./corpus). Exit code 1 when any file failed; the rest is still ingested.
    """
    settings = make_settings(index=index, model=model, chunk_max_chars=chunk_chars, chunk_overlap_chars=overlap_chars,
                             encoder_backend=encoder_backend)
    targets = list(paths) or _default_paths(settings)
    try:
        report = run_ingest(settings, targets, rebuild=rebuild, progress=show_progress(progress), engine=engine,
                            prune=prune)
    except (GroundqaError, ValueError) as exc:
        fail(exc if isinstance(exc, GroundqaError) else GroundqaError(str(exc)))
    _print_report(report, settings, as_json=as_json)
    if not report.ok:
        sys.exit(EXIT_FAILED)


@main.command("remove")
@click.argument("source_ids", nargs=-1, required=True)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def remove_cmd(source_ids: tuple[str, ...], index: Path | None, as_json: bool) -> None:
    """Remove the named sources (ids from `groundqa sources`) from the index.

    The other sources keep their passages, ids and vectors; nothing is embedded. An id that is not in the index
    stops the command before anything is removed. A running service picks up the change like any ingest.
    """
    from groundqa.index.build import remove
    from groundqa.service.perf import ann_settings

    settings = make_settings(index=index)
    try:
        report = remove(list(source_ids), index_dir=settings.index, ann=ann_settings(settings))
    except GroundqaError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(report.__dict__ | {"ok": report.ok}, indent=2))
        return
    click.echo(f"index updated ({settings.index}): {report.sources_removed} removed ({_names(report.removed)}); "
               f"{report.sources} sources, {report.passages} passages")


@main.command("query")
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
    from groundqa.service.engine import Filters
    from groundqa.service.exceptions import InvalidRequestError
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


@main.command("sources")
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


@main.command("serve")
@click.option("--host", default=None, help="Bind address [env GROUNDQA_HOST; default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env GROUNDQA_PORT; default 8000].")
@index_option
@model_option
def serve_cmd(host: str | None, port: int | None, index: Path | None, model: str | None) -> None:
    """Run the HTTP API (docs at /docs). Ingests the corpus folder first when no index exists."""
    import uvicorn
    from groundqa.index.snapshot import current_snapshot
    from groundqa.service.app import create_app
    from groundqa.service.lifecycle import check_index
    from groundqa.service.observability import log_config

    settings = make_settings(host=host, port=port, index=index, model=model)
    if current_snapshot(settings.index) is None:
        click.echo(f"no index at {settings.index}; ingesting {settings.corpus} first", err=True)
        try:
            report = run_ingest(settings, [settings.corpus], rebuild=False, progress=show_progress(None))
        except GroundqaError as exc:
            fail(exc)
        for error in report.errors:
            click.echo(click.style("error: ", fg="red", bold=True) + error, err=True)
        if current_snapshot(settings.index) is None:
            fail(f"could not build an index from {settings.corpus}")
    try:
        check_index(settings)  # a missing or mismatched index fails here; the model loads after the port opens
        app = create_app(settings, load_in_background=True)
    except GroundqaError as exc:
        fail(exc)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config(settings.log_format),
                access_log=False)


# Commands that live beside what they drive; they share service/commandline.py with this module.
for command in (eval_cmd, flags_eval_cmd, audit_cmd, train_group, compare_cmd):
    main.add_command(command)
