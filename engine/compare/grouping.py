"""Group statements that speak of the same thing: the same yes/no proposition (the verifier relates them), the
same quantity (figures of one unit dimension) or the same treatment, on one topic (cosine at least the
relation's ``related_cosine``, chosen on COVID-Fact calib). Groups are the connected parts of that graph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from groundqa.credibility.checks.names import names
from groundqa.credibility.checks.numbers import Quantity, quantities
from groundqa.credibility.relation import Relation

GENERIC_DIMENSIONS = ("number", "year", "stage")  # shared by too many statements to mean the same quantity


@dataclass(frozen=True)
class Topics:
    figures: tuple[Quantity, ...]
    quantities: frozenset[str]  # unit dimensions of the figures, generic ones left out
    treatments: frozenset[str]  # drugs and treatments named


def _staged(text: str, q: Quantity) -> Quantity:
    """"stage 4" is a stage, not a count of the noun after it (the number check reads only Roman stages)."""
    if q.dimension != "stage" and re.search(r"\bstage\s+" + re.escape(q.text) + r"\b", text, re.IGNORECASE):
        return replace(q, dimension="stage", text=f"stage {q.text}")
    return q


def topics(text: str) -> Topics:
    figures = tuple(_staged(text, q) for q in quantities(text))
    return Topics(figures, frozenset(q.dimension for q in figures if q.dimension not in GENERIC_DIMENSIONS),
                  frozenset(n.name for n in names(text) if n.kind in ("drug", "treatment")))


def edge_kind(a: Topics, b: Topics, relation: Relation, related_cosine: float) -> str | None:
    """Why two statements belong together, or None."""
    if relation.relation in ("agree", "disagree"):
        return "proposition"
    if relation.cosine < related_cosine:
        return None
    if a.quantities & b.quantities:
        return "quantity"
    if a.treatments & b.treatments:
        return "treatment"
    return None


def components(n: int, edges: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected parts of an undirected graph on ``n`` nodes (union-find), each sorted, in order of first node."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
