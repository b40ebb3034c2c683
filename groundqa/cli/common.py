"""What the ``groundqa`` commands share: options, settings, error exits, a status line, progress bars.

Every command module (``service/cli.py``, ``eval/cli.py``, ``service/audit/command.py``) imports this one and
this one imports none of them, so the command group can register them all without an import cycle.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from groundqa.core.errors import GroundqaError, IndexMismatchError, IndexMissingError
from groundqa.core.settings import Settings

EXIT_FAILED = 1  # files failed to ingest, an audit did not pass
EXIT_USAGE = 2  # click's own code for bad arguments and unreadable input
EXIT_NO_INDEX = 3


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--index", "index", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Index folder [env GROUNDQA_INDEX; default ./.groundqa].")(func)


def model_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--model", default=None,
                        help="sentence-transformers model name or path [env GROUNDQA_MODEL; default bundled].")(func)


def progress_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--progress/--no-progress", default=None,
                        help="Progress bars on stderr [default: only when stderr is a terminal].")(func)


def make_settings(**overrides: Any) -> Settings:
    """The one settings object, with the command-line values that were given overriding env and defaults."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def fail(exc: GroundqaError | str) -> NoReturn:
    """Print the error and exit: 3 when there is no usable index, else 1."""
    click.echo(click.style("error: ", fg="red", bold=True) + str(exc), err=True)
    sys.exit(EXIT_NO_INDEX if isinstance(exc, IndexMissingError | IndexMismatchError) else EXIT_FAILED)


def warn(message: str) -> None:
    click.echo(click.style("warning: ", fg="yellow", bold=True) + message, err=True)


def on_terminal() -> bool:
    return sys.stderr.isatty()


def show_progress(flag: bool | None) -> bool:
    """Progress bars only on a terminal unless asked: in a log file their carriage returns are noise."""
    return on_terminal() if flag is None else flag


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    """A sign of life on stderr while something slow runs (loading the model takes seconds).

    On a terminal the line is erased when the step is done; in a log it stays, with the time it took.
    """
    began = time.perf_counter()
    if on_terminal():
        click.echo(click.style(f"{message}…", dim=True), err=True, nl=False)
        try:
            yield
        finally:
            click.echo("\r\033[K", err=True, nl=False)
        return
    click.echo(f"{message}…", err=True)
    yield
    click.echo(f"{message}: done in {time.perf_counter() - began:.1f} s", err=True)


def load_engine(settings: Settings) -> Any:
    """The query engine over ``settings.index``, with a status line while the model and index load."""
    from groundqa.engine.perf import engine_options
    from groundqa.engine.query import Engine
    from groundqa.engine.ranking import from_settings as rank_settings

    with status(f"loading the model and the index at {settings.index}"):
        return Engine.load(settings.index, model=settings.model, batch_size=settings.batch_size,
                           rank=rank_settings(settings), abstain_below=settings.abstain_below,
                           **engine_options(settings))


def run_ingest(settings: Settings, paths: list[Path], *, rebuild: bool, progress: bool, engine: str = "local",
               prune: bool = False) -> Any:
    from groundqa.credibility.flags import annotator as annotate
    from groundqa.engine.perf import ann_settings, ingest_encoder
    from groundqa.index.build import ingest
    from groundqa.ingest.chunk import ChunkSettings

    chunking = ChunkSettings(max_chars=settings.chunk_max_chars, overlap_chars=settings.chunk_overlap_chars)
    return ingest(paths, index_dir=settings.index, chunking=chunking, embed_context=settings.embed_context,
                  encoder=ingest_encoder(settings, engine=engine), rebuild=rebuild,
                  progress=progress, ann=ann_settings(settings), annotate=annotate,
                  max_file_bytes=int(settings.max_file_mb * 1_000_000), prune=prune,
                  sentences=settings.sentence_index)
