"""The ``groundqa`` command. Heavy imports live inside commands so ``--help`` is instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from groundqa.ingest.errors import GroundqaError
from groundqa.service.settings import Settings

EXIT_FAILED_FILES = 1
EXIT_NO_INDEX = 3


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--index", "index", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Index folder [env GROUNDQA_INDEX; default ./.groundqa].")(func)


def model_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--model", default=None,
                        help="sentence-transformers model name or path [env GROUNDQA_MODEL; default bundled].")(func)


def make_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _fail(exc: GroundqaError) -> None:
    from groundqa.ingest.errors import IndexMismatchError, IndexMissingError

    click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
    sys.exit(EXIT_NO_INDEX if isinstance(exc, IndexMissingError | IndexMismatchError) else 1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="groundqa")
def main() -> None:
    """Source-grounded question answering over health texts, with exact citations."""


def run_ingest(settings: Settings, paths: list[Path], *, rebuild: bool, progress: bool, engine: str = "local") -> Any:
    from groundqa.credibility.flags import annotate
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings
    from groundqa.service.perf import ann_settings, ingest_encoder

    chunking = ChunkSettings(max_chars=settings.chunk_max_chars, overlap_chars=settings.chunk_overlap_chars)
    return ingest(paths, index_dir=settings.index, chunking=chunking, embed_context=settings.embed_context,
                  encoder=ingest_encoder(settings, engine=engine), rebuild=rebuild,
                  progress=progress, ann=ann_settings(settings), annotate=annotate,
                  max_file_bytes=int(settings.max_file_mb * 1_000_000), sentences=settings.sentence_index)


def _default_paths(settings: Settings) -> list[Path]:
    from groundqa.index.snapshot import current_snapshot, read_manifest

    snapshot = current_snapshot(settings.index)
    roots = read_manifest(snapshot).get("roots") if snapshot else None
    return [Path(r) for r in roots] if roots else [settings.corpus]


@main.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@model_option
@click.option("--chunk-chars", type=int, default=None, help="Largest passage in characters [default 800].")
@click.option("--overlap-chars", type=int, default=None, help="Overlap between passages in characters [default 120].")
@click.option("--rebuild", is_flag=True, help="Ignore the existing index and embed everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bars [default: when stderr is a terminal].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where embedding runs: this process, or Ray Data batches on a Ray cluster (GROUNDQA_RAY_ADDRESS; "
              "unset starts a local one). Needs the 'ray' extra.")
@click.option("--encoder-backend", type=click.Choice(["fp32", "bf16", "onnx-int8"]), default=None,
              help="Encoder backend [env GROUNDQA_ENCODER_BACKEND; default: the index's own, fp32 for a new one].")
def ingest_cmd(paths: tuple[Path, ...], index: Path | None, model: str | None, chunk_chars: int | None,
               overlap_chars: int | None, rebuild: bool, as_json: bool, progress: bool | None, engine: str,
               encoder_backend: str | None) -> None:
    """Ingest files or folders (.txt .md .html .pdf .jsonl) into the index.

    The index mirrors the given paths: changed files are re-indexed, unchanged ones cost nothing,
    files no longer present are removed. Without PATHS, the previously ingested folders (or ./corpus).
    Exit code 1 when any file failed; the rest is still ingested.
    """
    settings = make_settings(index=index, model=model, chunk_max_chars=chunk_chars, chunk_overlap_chars=overlap_chars,
                             encoder_backend=encoder_backend)
    targets = list(paths) or _default_paths(settings)
    try:
        report = run_ingest(settings, targets, rebuild=rebuild,
                            progress=sys.stderr.isatty() if progress is None else progress, engine=engine)
    except (GroundqaError, ValueError) as exc:
        _fail(exc if isinstance(exc, GroundqaError) else GroundqaError(str(exc)))
        return
    if as_json:
        click.echo(json.dumps(report.__dict__ | {"ok": report.ok}, indent=2))
    else:
        for warning in report.warnings:
            click.echo(click.style("warning: ", fg="yellow", bold=True) + warning, err=True)
        for error in report.errors:
            click.echo(click.style("error: ", fg="red", bold=True) + error, err=True)
        state = "index updated" if report.changed else "index unchanged"
        click.echo(f"{state} ({settings.index}): {report.files_seen} files seen, {report.files_loaded} loaded, "
                   f"{report.files_unchanged} unchanged, {report.files_failed} failed; {report.sources} sources, "
                   f"{report.passages} passages ({report.passages_embedded} embedded), "
                   f"{report.sources_removed} sources removed")
    if not report.ok:
        sys.exit(EXIT_FAILED_FILES)


def load_engine(settings: Settings) -> Any:
    from groundqa.service.engine import Engine
    from groundqa.service.perf import engine_options
    from groundqa.service.ranking import from_settings as rank_settings

    return Engine.load(settings.index, model=settings.model, batch_size=settings.batch_size,
                       rank=rank_settings(settings), abstain_below=settings.abstain_below,
                       **engine_options(settings))


@main.command("query")
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 1000), default=5, show_default=True, help="Passages to return.")
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
@click.option("--json", "as_json", is_flag=True, help="Print the HTTP API's JSON response shape.")
@index_option
@model_option
def query_cmd(question: str, k: int, mode: str | None, source_ids: tuple[str, ...], exclude_flags: tuple[str, ...],
              downrank_flagged: bool, min_credibility: float | None, per_source: int | None, as_json: bool,
              index: Path | None, model: str | None) -> None:
    """Answer QUESTION with cited passages."""
    from groundqa.service.engine import Filters
    from groundqa.service.render import render_query
    from groundqa.service.schemas import query_out

    settings = make_settings(index=index, model=model, mode=mode)
    if not question.strip():
        raise click.BadParameter("the question is empty", param_hint="QUESTION")
    try:
        engine = load_engine(settings)
        answer = engine.answer(question, k=k, mode=settings.mode, filters=Filters(
            source_ids=source_ids, exclude_flags=exclude_flags, downrank_flagged=downrank_flagged,
            min_source_credibility=min_credibility), per_source=per_source)
    except GroundqaError as exc:
        _fail(exc)
        return
    result = query_out(question, settings.mode, k, answer, engine.source)
    click.echo(result.model_dump_json(indent=2) if as_json else render_query(result))


@main.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_option
def sources_cmd(as_json: bool, index: Path | None) -> None:
    """List the ingested sources and their metadata."""
    from groundqa.index.snapshot import require_snapshot
    from groundqa.index.store import STORE_FILE, Store
    from groundqa.service.schemas import SourceListOut, source_meta

    settings = make_settings(index=index)
    try:
        store = Store(require_snapshot(settings.index) / STORE_FILE)
    except GroundqaError as exc:
        _fail(exc)
        return
    listing = SourceListOut(sources=[source_meta(s) for s in store.sources()])
    if as_json:
        click.echo(listing.model_dump_json(indent=2))
        return
    for s in listing.sources:
        click.echo(f"{click.style(s.source_id, fg='cyan', bold=True)}  {s.title or ''}")
        click.echo(click.style(f"    {s.publisher or 'publisher unknown'} ({s.publisher_type}); {s.length} chars"
                               + (f"; {s.url}" if s.url else ""), dim=True))


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
            report = run_ingest(settings, [settings.corpus], rebuild=False, progress=sys.stderr.isatty())
        except GroundqaError as exc:
            _fail(exc)
            return
        for error in report.errors:
            click.echo(click.style("error: ", fg="red", bold=True) + error, err=True)
        if current_snapshot(settings.index) is None:
            _fail(GroundqaError(f"could not build an index from {settings.corpus}"))
    try:
        check_index(settings)  # a missing or mismatched index fails here; the model loads after the port opens
        app = create_app(settings, load_in_background=True)
    except GroundqaError as exc:
        _fail(exc)
        return
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config(settings.log_format),
                access_log=False)


from groundqa.eval.cli import eval_cmd  # noqa: E402  (registered last: eval.cli builds on the options above)

main.add_command(eval_cmd)

from groundqa.eval.flags import flags_eval_cmd  # noqa: E402

main.add_command(flags_eval_cmd)

from groundqa.service.audit.command import audit_cmd  # noqa: E402

main.add_command(audit_cmd)
