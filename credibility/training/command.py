"""``groundqa train verifier|flags|profile``: rebuild the shipped models from ../shared/datasets."""

from __future__ import annotations

from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]


@click.group("train")
def train_group() -> None:
    """Retrain a shipped model (models/<name>) from the datasets; each one's MODEL_CARD.md gives the figures."""


@train_group.command("verifier")
@click.option("--run", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "verifier" / "release", show_default=True,
              help="Working folder for the fine-tuning run (checkpoints, calibration logits).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "verifier",
              show_default=True, help="Where the shipped files go.")
@click.option("--epochs", type=int, default=4, show_default=True)
@click.option("--stage2-epochs", type=int, default=2, show_default=True)
@click.option("--lr", type=float, default=4e-5, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
def verifier_cmd(run: Path, out: Path, epochs: int, stage2_epochs: int, lr: float, seed: int) -> None:
    """Fine-tune the claim verifier (tens of minutes on 2 cores), calibrate it on HealthVer calib, export it."""
    from groundqa.credibility.training.release import release_verifier
    from groundqa.credibility.training.verifier import TrainConfig

    release_verifier(run, out, TrainConfig(epochs=epochs, stage2_epochs=stage2_epochs, lr=lr, seed=seed))


@train_group.command("flags")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "flags",
              show_default=True)
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "flags", show_default=True)
def flags_cmd(out: Path, cache: Path) -> None:
    """Fit the sentence flag classifier on the tune sites of eval/flagset and score the test sites."""
    from groundqa.credibility.training.flags import train

    train(out, cache)


@train_group.command("profile")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "profile",
              show_default=True)
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "profile", show_default=True)
def profile_cmd(out: Path, cache: Path) -> None:
    """Fit the source score on the webcred tune sites (through the product's loader and flagger)."""
    from groundqa.credibility.training.profile import train

    train(out, cache)
