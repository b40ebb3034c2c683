"""Credibility at query time: which rows carry which flags, source scores, and down-ranking flagged hits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from groundqa.core.errors import InvalidRequestError
from groundqa.credibility.cues import KINDS
from groundqa.index.store import Store, StoredSource

T = TypeVar("T")


def check_flag_kinds(kinds: Sequence[str]) -> None:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise InvalidRequestError(f"unknown flag kind(s) {unknown}; use {', '.join(KINDS)}")


def flagged_rows(store: Store) -> dict[str, set[int]]:
    """Rows per flag kind, read once per snapshot (a single pass over passages that carry any flag)."""
    out: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for row, flags_json in store.flag_rows():
        for flag in json.loads(flags_json):
            out.setdefault(flag["kind"], set()).add(row)
    return out


def source_credibility(source: StoredSource) -> float | None:
    """The profile's score in [0, 1]; None for sources ingested without a profile."""
    score = (source.profile or {}).get("score")
    return float(score) if isinstance(score, int | float) else None


def downrank(fused: list[T], rows_of: Sequence[int], flagged: set[int]) -> list[T]:
    """Unflagged hits first, flagged ones after, each group keeping its order: nothing is dropped."""
    keep = [item for item, row in zip(fused, rows_of, strict=True) if row not in flagged]
    late = [item for item, row in zip(fused, rows_of, strict=True) if row in flagged]
    return keep + late
