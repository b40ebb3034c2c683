"""The ``groundqa`` command: the one module that registers every command.

Each command lives in a module of this package named for what it does; they share ``groundqa.cli.common``,
which imports none of them. Heavy imports live inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import click

from groundqa.cli.audit import audit_cmd
from groundqa.cli.compare import compare_cmd
from groundqa.cli.eval import eval_cmd
from groundqa.cli.eval_flags import flags_eval_cmd
from groundqa.cli.ingest import ingest_cmd, remove_cmd
from groundqa.cli.query import query_cmd, sources_cmd
from groundqa.cli.serve import serve_cmd
from groundqa.cli.train import train_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundqa", prog_name="groundqa")
def main() -> None:
    """Source-grounded question answering over health texts, with exact citations."""


for command in (ingest_cmd, remove_cmd, query_cmd, sources_cmd, serve_cmd, audit_cmd, compare_cmd, eval_cmd,
                flags_eval_cmd, train_cmd):
    main.add_command(command)
