"""The engine's comparison records as the JSON models of ``POST /v1/compare`` and ``groundqa compare --json``."""

from __future__ import annotations

from dataclasses import asdict

from groundqa.engine.compare.records import Comparison, Group, Pair, Position, SourceBrief, Spread, Statement
from groundqa.index.store import flag_to_json
from groundqa.service.compare.schemas import (
    CompareOut,
    FigureOut,
    GroupOut,
    PairOut,
    PositionOut,
    SourceBriefOut,
    SpreadOut,
    StatementOut,
)
from groundqa.service.schemas import FlagOut, citation_marker


def brief_out(b: SourceBrief) -> SourceBriefOut:
    return SourceBriefOut(source_id=b.source_id, title=b.title, publisher=b.publisher, publisher_type=b.publisher_type,
                          grade=b.grade, score=b.score)


def statement_out(s: Statement) -> StatementOut:
    return StatementOut(id=s.id, marker=citation_marker(s.source_id, s.start, s.end), source_id=s.source_id,
                        passage_id=s.passage_id, start=s.start, end=s.end, text=s.text, relevance=s.relevance,
                        figures=list(s.figures), flags=[FlagOut(**flag_to_json(f)) for f in s.flags])


def pair_out(p: Pair) -> PairOut:
    return PairOut(a=p.a, b=p.b, relation=p.relation, disagree=p.disagree, agree=p.agree, cosine=p.cosine,
                   within_source=p.within_source, numbers=list(p.numbers), reasons=list(p.reasons))


def position_out(p: Position) -> PositionOut:
    return PositionOut(statements=list(p.statements), sources=[brief_out(b) for b in p.sources], says=p.says)


def spread_out(s: Spread) -> SpreadOut:
    return SpreadOut(dimension=s.dimension, low=s.low, high=s.high, sources=s.sources,
                     figures=[FigureOut(statement=f.statement, source_id=f.source_id, grade=f.grade, text=f.text,
                                        dimension=f.dimension, value=f.value) for f in s.figures])


def group_out(g: Group) -> GroupOut:
    return GroupOut(id=g.id, about=g.about, relation=g.relation, label=g.label, statements=list(g.statements),
                    sources=list(g.sources), pairs=[pair_out(p) for p in g.pairs],
                    positions=[position_out(p) for p in g.positions], spread=[spread_out(s) for s in g.spread])


def compare_out(c: Comparison) -> CompareOut:
    return CompareOut(question=c.question, abstained=c.abstained, support=c.support,
                      sources=[brief_out(b) for b in c.sources], statements=[statement_out(s) for s in c.statements],
                      groups=[group_out(g) for g in c.groups], settings=asdict(c.settings))
