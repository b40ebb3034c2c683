"""Who says what in a group: positions (sides of its disagreements), ordered by credibility, and the spread of
its figures with their sources."""

from __future__ import annotations

from collections.abc import Callable

from groundqa.credibility.checks.numbers import Quantity
from groundqa.engine.compare.records import Figure, Pair, Position, SourceBrief, Spread


def sides(members: list[str], pairs: list[Pair], rank: Callable[[str], tuple]) -> list[list[str]]:
    """Two-colour the group: agreeing statements share a side, disagreeing ones take opposite sides, starting from
    the best-ranked statement; statements reached by no decided pair join the first side."""
    order = sorted(members, key=rank)
    side: dict[str, int] = {}
    for start in order:
        if start in side:
            continue
        side[start] = 0
        queue = [start]
        while queue:
            s = queue.pop(0)
            for p in pairs:
                if s not in (p.a, p.b):
                    continue
                other = p.b if p.a == s else p.a
                if other not in side:
                    side[other] = side[s] ^ (p.relation == "disagree")
                    queue.append(other)
    out = [[s for s in order if side[s] == k] for k in (0, 1)]
    return [o for o in out if o]


def positions(members: list[str], pairs: list[Pair], source_of: dict[str, str], text_of: dict[str, str],
              brief: Callable[[str], SourceBrief]) -> list[Position]:
    def rank(sid: str) -> tuple:
        b = brief(source_of[sid])
        return (-(b.score if b.score is not None else -1.0), sid)

    out = []
    for side in sides(members, pairs, rank):
        sources = list(dict.fromkeys(source_of[s] for s in side))
        out.append(Position(statements=tuple(side), sources=tuple(brief(s) for s in sources), says=text_of[side[0]]))
    return out


def spread(figures: list[tuple[str, str, Quantity]], brief: Callable[[str], SourceBrief],
           dimensions: frozenset[str]) -> list[Spread]:
    """Per dimension of the group's quantities, every figure with its source, smallest first."""
    out = []
    for dimension in sorted(dimensions):
        rows = sorted(((sid, src, q) for sid, src, q in figures if q.dimension == dimension),
                      key=lambda r: r[2].base)
        if not rows:
            continue
        items = tuple(Figure(statement=sid, source_id=src, grade=brief(src).grade, text=q.text, dimension=dimension,
                             value=round(q.base, 4)) for sid, src, q in rows)
        out.append(Spread(dimension=dimension, low=items[0].text, high=items[-1].text, figures=items,
                          sources=len({i.source_id for i in items})))
    return out
