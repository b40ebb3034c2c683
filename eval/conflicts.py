"""The seed conflict list (labels/compare_seed.jsonl, committed before compare was written) against compare's output.

Each listed pair names two statements by source and quote; compare's statement holding each quote is found by
span. A pair is *surfaced* when both statements were gathered; its predicted relation is the one compare gives
the pair (``unrelated`` when it relates them in no group). Precision and recall of "disagree" are over the
listed pairs (a listed pair that was not surfaced counts as predicted ``unrelated``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from groundqa.core.paths import labels_dir
from groundqa.eval.contradictions import prf

SEED_CONFLICTS = labels_dir() / "compare_seed.jsonl"


def read_conflicts(path: Path = SEED_CONFLICTS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def holder(result: Any, engine: Any, ref: dict[str, str]) -> str | None:
    """The id of the statement of ``result`` whose span holds the quoted text, or None."""
    text = engine.source(ref["source_id"]).text
    at = text.find(ref["quote"])
    if at < 0:
        raise ValueError(f"quote not in {ref['source_id']}: {ref['quote'][:60]!r}")
    for s in result.statements:
        if s.source_id == ref["source_id"] and s.start <= at and at + len(ref["quote"]) <= s.end:
            return s.id
    return None


def judge_question(item: dict[str, Any], result: Any, engine: Any) -> dict[str, Any]:
    relation = {frozenset((p.a, p.b)): p.relation for g in result.groups for p in g.pairs}
    group_of = {s: g for g in result.groups for s in g.statements}
    rows = []
    for pair in item.get("pairs", []):
        a, b = holder(result, engine, pair["a"]), holder(result, engine, pair["b"])
        predicted = relation.get(frozenset((a, b)), "unrelated") if a and b else "unrelated"
        same = bool(a and b and group_of.get(a) is not None and group_of.get(a) is group_of.get(b))
        rows.append({"gold": pair["relation"], "predicted": predicted, "surfaced": bool(a and b), "a": a, "b": b,
                     "same_group": same, "why": pair["why"]})
    figures = []
    for fig in item.get("figures", []):
        sid = holder(result, engine, fig)
        shown = [f for g in result.groups for sp in g.spread for f in sp.figures if f.statement == sid]
        figures.append({"quote": fig["quote"], "statement": sid, "shown": bool(shown),
                        "grade": shown[0].grade if shown else None})
    return {"id": item["id"], "question": item["question"], "pairs": rows, "figures": figures}


def summarise(judged: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [r for q in judged for r in q["pairs"]]
    gold, predicted = [r["gold"] for r in rows], [r["predicted"] for r in rows]
    figures = [f for q in judged for f in q["figures"]]
    return {"pairs": len(rows), "disagree_listed": gold.count("disagree"),
            "surfaced": sum(r["surfaced"] for r in rows), "disagree": prf(gold, predicted),
            "agree_recall": round(sum(g == p == "agree" for g, p in zip(gold, predicted, strict=True))
                                  / max(1, gold.count("agree")), 4),
            "figures_shown": f"{sum(f['shown'] for f in figures)}/{len(figures)}"}
