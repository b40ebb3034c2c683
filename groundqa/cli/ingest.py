"""``groundqa ingest`` and ``groundqa remove``: build and change the index."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from groundqa.cli.common import (
    EXIT_FAILED,
    fail,
    index_option,
    make_settings,
    model_option,
    progress_option,
    run_ingest,
    show_progress,
    warn,
)
from groundqa.core.errors import GroundqaError
from groundqa.core.settings import Settings


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


@click.command("ingest")
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


@click.command("remove")
@click.argument("source_ids", nargs=-1, required=True)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def remove_cmd(source_ids: tuple[str, ...], index: Path | None, as_json: bool) -> None:
    """Remove the named sources (ids from `groundqa sources`) from the index.

    The other sources keep their passages, ids and vectors; nothing is embedded. An id that is not in the index
    stops the command before anything is removed. A running service picks up the change like any ingest.
    """
    from groundqa.engine.perf import ann_settings
    from groundqa.index.build import remove

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
