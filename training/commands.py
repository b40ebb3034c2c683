"""``groundqa train verifier|flags|profile``: rebuild the shipped models from ../shared/datasets."""

from __future__ import annotations

from pathlib import Path

import click
from groundqa_training.pairs import ALL_SOURCES
from groundqa_training.verifier import TrainConfig

ROOT = Path(__file__).resolve().parents[1]  # training/commands.py -> the repository


@click.group("train")
def train_group() -> None:
    """Retrain a shipped model (models/<name>) from the datasets; each one's MODEL_CARD.md gives the figures."""


@train_group.command("verifier")
@click.option("--run", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "verifier" / "release", show_default=True,
              help="Working folder for the fine-tuning run (checkpoints, calibration logits).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "verifier",
              show_default=True, help="Where the shipped files go.")
@click.option("--epochs", type=int, default=TrainConfig.epochs, show_default=True)
@click.option("--stage2-epochs", type=int, default=TrainConfig.stage2_epochs, show_default=True)
@click.option("--lr", type=float, default=TrainConfig.lr, show_default=True)
@click.option("--seed", type=int, default=TrainConfig.seed, show_default=True)
@click.option("--max-length", type=int, default=TrainConfig.max_length, show_default=True)
@click.option("--synthetic", type=int, default=TrainConfig.synthetic, show_default=True,
              help="Synthetic MedQuAD pairs (used only when 'synthetic' is among --sources).")
@click.option("--sources", default=TrainConfig.sources, show_default=True,
              help=f"Comma-separated pair sources, of: {', '.join(ALL_SOURCES)}.")
@click.option("--train-only", is_flag=True, help="Fine-tune into --run and stop (no calibration, no export).")
def verifier_cmd(run: Path, out: Path, train_only: bool, **options) -> None:
    """Fine-tune the claim verifier (tens of minutes on 2 cores), calibrate it on HealthVer calib, export it."""
    from groundqa_training.release import release_verifier
    from groundqa_training.verifier import train

    config = TrainConfig(**options)
    if train_only:
        train(run, config)
    else:
        release_verifier(run, out, config)


@train_group.command("aggregate")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "verifier",
              show_default=True, help="The verifier's folder: aggregate.json is written beside its model.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "bench" / ".cache",
              show_default=True, help="Where the index of HealthVer dev passages is built (once).")
def aggregate_cmd(out: Path, cache: Path) -> None:
    """Fit how the verifier's window judgements combine into the claim's, on HealthVer calib passages."""
    from groundqa_training.aggregate import fit

    fit(out, cache)


@train_group.command("flag-encoder")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--epochs", type=int, default=4, show_default=True)
@click.option("--lr", type=float, default=5e-5, show_default=True)
@click.option("--trainable-layers", type=int, default=6, show_default=True)
def flag_encoder_cmd(out: Path, epochs: int, lr: float, trainable_layers: int) -> None:
    """Fine-tune the sentence-in-context flag cross-encoder (an experiment beside the shipped classifier)."""
    from groundqa_training.flag_encoder import train

    train(out, epochs=epochs, lr=lr, trainable_layers=trainable_layers)


@train_group.command("flags")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "flags",
              show_default=True)
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "flags", show_default=True)
@click.option("--variant", "variants", multiple=True, show_default=True,
              default=("text+cues+embedding",), help="Feature sets to cross-validate (repeat the option); "
              "all four: cues, text, text+cues, text+cues+embedding.")
@click.option("--c", "c_grid", type=float, multiple=True, default=(1.0, 3.0, 10.0), show_default=True,
              help="Inverse regularisation strengths to cross-validate.")
@click.option("--weak-negatives", type=int, default=2000, show_default=True,
              help="MedQuAD sentences added to the tune part as negatives (0: none).")
def flags_cmd(out: Path, cache: Path, variants: tuple[str, ...], c_grid: tuple[float, ...],
              weak_negatives: int) -> None:
    """Fit the sentence flag classifier on the tune sites of eval/flagset and score the test sites."""
    from groundqa_training.flags import train

    train(out, cache, variants=variants, c_grid=c_grid, weak_negatives=weak_negatives)


@train_group.command("profile")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models" / "profile",
              show_default=True)
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=ROOT / "bench" / ".cache" / "profile", show_default=True)
@click.option("--all-topics", is_flag=True,
              help="Read every webcred page, not only Health (about 10x longer: every sentence is flagged).")
def profile_cmd(out: Path, cache: Path, all_topics: bool) -> None:
    """Fit the source score on the webcred tune sites (through the product's loader and flagger)."""
    from groundqa_training.profile import train

    train(out, cache, topics=None if all_topics else ("Health",))
