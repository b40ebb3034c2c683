"""Where the repository's labelled sets and the shared development datasets are: defined once.

The labelled sets (``labels/``) and ``../shared/datasets`` belong to a checkout of the repository, not to the
installed package: a wheel carries neither. ``GROUNDQA_LABELS`` and ``GROUNDQA_DATASETS`` point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from groundqa.core.errors import GroundqaError

# core/paths.py -> the repository root in a checkout (editable install); site-packages/groundqa in a wheel
REPO_ROOT = Path(__file__).resolve().parents[1]


def labels_dir() -> Path:
    """The folder of the repository's labelled sets (``labels/``), or ``$GROUNDQA_LABELS``."""
    return Path(os.environ.get("GROUNDQA_LABELS") or REPO_ROOT / "labels")


def datasets_dir() -> Path:
    """The shared development datasets (``../shared/datasets`` beside the checkout), or ``$GROUNDQA_DATASETS``."""
    return Path(os.environ.get("GROUNDQA_DATASETS") or REPO_ROOT.parent / "shared" / "datasets")


class MissingDataError(GroundqaError):
    """A labelled set or shared dataset that only a checkout of the repository holds is not there."""


def label_file(name: str) -> Path:
    """A labelled set by its path under ``labels/``; a clear error when this install has none."""
    path = labels_dir() / name
    if not path.exists():
        raise MissingDataError(f"{path} not found: the labelled sets ship with the repository (labels/), not with "
                               "the installed package; run from a checkout, set GROUNDQA_LABELS to a copy, or pass "
                               "your own file")
    return path


def dataset(name: str) -> Path:
    """A folder or file under the shared datasets root (it need not exist: readers say what is missing)."""
    return datasets_dir() / name
