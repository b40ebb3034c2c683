"""``compare``: retrieve, gather statements, relate every pair (one batched verifier call), group, summarise."""

from __future__ import annotations

import itertools
from dataclasses import asdict
from typing import Any

from groundqa.credibility.relation import Settings, relate
from groundqa.engine.query import Engine
from groundqa.index.store import flag_to_json
from groundqa.service.compare.consensus import positions, spread
from groundqa.service.compare.grouping import Topics, components, edge_kind, topics
from groundqa.service.compare.schemas import (
    CompareIn,
    CompareOut,
    GroupOut,
    PairOut,
    SourceBriefOut,
    StatementOut,
)
from groundqa.service.compare.statements import Statement, gather
from groundqa.service.schemas import FlagOut, citation_marker

ORDER = {"disagree": 0, "agree": 1, "unrelated": 2, "alone": 3}


def source_brief(engine: Engine, source_id: str) -> SourceBriefOut:
    s = engine.source(source_id)
    profile = s.profile or {}
    return SourceBriefOut(source_id=source_id, title=s.title, publisher=s.meta.publisher,
                          publisher_type=s.meta.publisher_type, grade=profile.get("grade"), score=profile.get("score"))


def compare(engine: Engine, request: CompareIn, *, verifier: Any, settings: Settings | None = None) -> CompareOut:
    settings = settings or Settings()
    answer = engine.answer(request.question.strip(), k=request.k, mode=request.mode)
    statements, vectors = gather(request.question, answer.hits, engine.encoder,
                                 passages_per_source=request.passages_per_source,
                                 statements_per_source=request.statements_per_source)
    briefs: dict[str, SourceBriefOut] = {}

    def brief(source_id: str) -> SourceBriefOut:
        if source_id not in briefs:
            briefs[source_id] = source_brief(engine, source_id)
        return briefs[source_id]

    index_pairs = list(itertools.combinations(range(len(statements)), 2))
    cosines = [float(vectors[i] @ vectors[j]) for i, j in index_pairs]
    relations = relate([(statements[i].text, statements[j].text) for i, j in index_pairs], cosines,
                       verifier=verifier, settings=settings)
    tops = [topics(s.text) for s in statements]
    edges, kinds, pair_out = [], {}, {}
    for (i, j), rel in zip(index_pairs, relations, strict=True):
        kind = edge_kind(tops[i], tops[j], rel, settings.related_cosine)
        if kind is None:
            continue
        edges.append((i, j))
        kinds[(i, j)] = kind
        if rel.relation in ("agree", "disagree"):
            a, b = statements[i], statements[j]
            pair_out[(i, j)] = PairOut(a=a.sid, b=b.sid, relation=rel.relation, disagree=rel.disagree,
                                       agree=rel.agree, cosine=rel.cosine, within_source=a.source_id == b.source_id,
                                       numbers=list(rel.numbers), reasons=list(rel.reasons))
    groups = [_group(members, statements, tops, kinds, pair_out, brief) for members in
              components(len(statements), edges)]
    groups = [g for g in groups if g is not None]
    groups.sort(key=lambda g: (ORDER[g.relation], int(g.statements[0][1:])))
    for n, g in enumerate(groups, 1):
        g.id = f"g{n}"
    return CompareOut(question=request.question, abstained=answer.abstained, support=answer.support,
                      sources=[brief(s) for s in dict.fromkeys(st.source_id for st in statements)],
                      statements=[_statement_out(s, t) for s, t in zip(statements, tops, strict=True)],
                      groups=groups, settings=asdict(settings))


def _statement_out(s: Statement, t: Topics) -> StatementOut:
    return StatementOut(id=s.sid, marker=citation_marker(s.source_id, s.start, s.end), source_id=s.source_id,
                        passage_id=s.passage_id, start=s.start, end=s.end, text=s.text, relevance=s.relevance,
                        figures=[q.text for q in t.figures], flags=[FlagOut(**flag_to_json(f)) for f in s.flags])


def _group(members: list[int], statements: list[Statement], tops: list[Topics], kinds: dict, pair_out: dict,
           brief: Any) -> GroupOut | None:
    """A group of two or more statements, or a lone statement that gives a figure (a figure only one source
    gives is worth seeing with that source's grade); None for a lone statement without one."""
    ids = [statements[i].sid for i in members]
    mine = [kinds[k] for k in kinds if k[0] in members]
    pairs = [p for k, p in pair_out.items() if k[0] in members]
    quantities = frozenset().union(*(tops[i].quantities for i in members))
    if len(members) == 1 and not quantities:
        return None
    if any(p.relation == "disagree" for p in pairs):
        relation = "disagree"
    elif pairs:
        relation = "agree"
    else:
        relation = "unrelated" if len(members) > 1 else "alone"
    about = "proposition" if "proposition" in mine else "quantity" if "quantity" in mine or quantities and \
        len(members) == 1 else "treatment"
    source_of = {statements[i].sid: statements[i].source_id for i in members}
    text_of = {statements[i].sid: statements[i].text for i in members}
    figures = [(statements[i].sid, statements[i].source_id, q) for i in members for q in tops[i].figures]
    return GroupOut(id="", about=about, relation=relation, label=statements[members[0]].text, statements=ids,
                    sources=list(dict.fromkeys(source_of.values())), pairs=pairs,
                    positions=positions(ids, pairs, source_of, text_of, brief),
                    spread=spread(figures, brief, quantities))
