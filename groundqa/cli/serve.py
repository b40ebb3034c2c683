"""``groundqa serve``: the HTTP API and the reviewer page."""

from __future__ import annotations

from pathlib import Path

import click

from groundqa.cli.common import (
    fail,
    index_option,
    make_settings,
    model_option,
    run_ingest,
    show_progress,
)
from groundqa.core.errors import GroundqaError


@click.command("serve")
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
