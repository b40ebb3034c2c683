"""``compare``: retrieve, gather statements, relate every pair (one batched verifier call), group, summarise."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from groundqa.credibility.relation import Settings, relate
from groundqa.engine.compare.consensus import positions, spread
from groundqa.engine.compare.grouping import Topics, components, edge_kind, topics
from groundqa.engine.compare.records import Comparison, Group, Pair, SourceBrief, Statement
from groundqa.engine.compare.statements import gather
from groundqa.engine.query import Engine

ORDER = {"disagree": 0, "agree": 1, "unrelated": 2, "alone": 3}


def source_brief(engine: Engine, source_id: str) -> SourceBrief:
    s = engine.source(source_id)
    profile = s.profile or {}
    return SourceBrief(source_id=source_id, title=s.title, publisher=s.meta.publisher,
                       publisher_type=s.meta.publisher_type, grade=profile.get("grade"), score=profile.get("score"))


def compare(engine: Engine, *, question: str, k: int = 20, mode: str = "hybrid", passages_per_source: int = 2,
            statements_per_source: int = 4, verifier: Any, settings: Settings | None = None) -> Comparison:
    """Where the sources disagree on ``question``: the ``statements_per_source`` sentences of each source's top
    ``passages_per_source`` passages (of ``k`` retrieved), grouped, with the relation of each group."""
    settings = settings or Settings()
    answer = engine.answer(question.strip(), k=k, mode=mode)
    statements, vectors = gather(question, answer.hits, engine.encoder, passages_per_source=passages_per_source,
                                 statements_per_source=statements_per_source)
    briefs: dict[str, SourceBrief] = {}

    def brief(source_id: str) -> SourceBrief:
        if source_id not in briefs:
            briefs[source_id] = source_brief(engine, source_id)
        return briefs[source_id]

    index_pairs = list(itertools.combinations(range(len(statements)), 2))
    cosines = [float(vectors[i] @ vectors[j]) for i, j in index_pairs]
    relations = relate([(statements[i].text, statements[j].text) for i, j in index_pairs], cosines,
                       verifier=verifier, settings=settings)
    tops = [topics(s.text) for s in statements]
    edges, kinds, related = [], {}, {}
    for (i, j), rel in zip(index_pairs, relations, strict=True):
        kind = edge_kind(tops[i], tops[j], rel, settings.related_cosine)
        if kind is None:
            continue
        edges.append((i, j))
        kinds[(i, j)] = kind
        if rel.relation in ("agree", "disagree"):
            a, b = statements[i], statements[j]
            related[(i, j)] = Pair(a=a.id, b=b.id, relation=rel.relation, disagree=rel.disagree, agree=rel.agree,
                                   cosine=rel.cosine, within_source=a.source_id == b.source_id,
                                   numbers=tuple(rel.numbers), reasons=tuple(rel.reasons))
    groups = [_group(members, statements, tops, kinds, related, brief) for members in
              components(len(statements), edges)]
    ordered = sorted((g for g in groups if g is not None), key=lambda g: (ORDER[g.relation], int(g.statements[0][1:])))
    return Comparison(question=question, abstained=answer.abstained, support=answer.support,
                      sources=tuple(brief(s) for s in dict.fromkeys(st.source_id for st in statements)),
                      statements=tuple(_with_figures(s, t) for s, t in zip(statements, tops, strict=True)),
                      groups=tuple(replace(g, id=f"g{n}") for n, g in enumerate(ordered, 1)), settings=settings)


def _with_figures(s: Statement, t: Topics) -> Statement:
    return replace(s, figures=tuple(q.text for q in t.figures))


def _group(members: list[int], statements: list[Statement], tops: list[Topics], kinds: dict,
           related: dict[tuple[int, int], Pair], brief: Callable[[str], SourceBrief]) -> Group | None:
    """A group of two or more statements, or a lone statement that gives a figure (a figure only one source
    gives is worth seeing with that source's grade); None for a lone statement without one."""
    ids = [statements[i].id for i in members]
    mine = [kinds[k] for k in kinds if k[0] in members]
    pairs = [p for k, p in related.items() if k[0] in members]
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
    source_of = {statements[i].id: statements[i].source_id for i in members}
    text_of = {statements[i].id: statements[i].text for i in members}
    figures = [(statements[i].id, statements[i].source_id, q) for i in members for q in tops[i].figures]
    return Group(id="", about=about, relation=relation, label=statements[members[0]].text, statements=tuple(ids),
                 sources=tuple(dict.fromkeys(source_of.values())), pairs=tuple(pairs),
                 positions=tuple(positions(ids, pairs, source_of, text_of, brief)),
                 spread=tuple(spread(figures, brief, quantities)))
