"""What a check found between a claim and the text it cites."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    """What the claim states, which of it the cited text lacks, and what the cited text says instead."""

    claim: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
