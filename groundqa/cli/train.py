"""``groundqa train``: the training package's commands when it is installed, else a clear message.

Training is not part of the runtime wheel. It lives in the repository's ``training/`` folder, installed by
``pip install -e training/`` (``scripts/install --test`` does it), and rebuilds the shipped models.
"""

from __future__ import annotations

import click

try:
    from groundqa_training.commands import train_group as train_cmd
except ImportError as missing:  # a wheel install: no training code
    _reason = str(missing)

    @click.command("train", context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def train_cmd(args: tuple[str, ...]) -> None:
        """Retrain a shipped model (needs the repository's training package)."""
        raise click.ClickException(
            "groundqa train needs the training package, which ships with the repository, not with the installed "
            f"groundqa ({_reason}); from a checkout run `pip install -e training/` (scripts/install --test does)")
