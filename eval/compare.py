"""``groundqa eval compare RUN_A RUN_B``: did B beat A, by how much, is it more than chance, and on which queries.

Both runs are ``groundqa eval --out`` folders. Per mode both hold, every per-query measure they share is
compared on the queries they share: means, the difference B - A with a paired bootstrap 95% interval (the
one bootstrap, ``groundqa.eval.stats``), and the p-value of a paired randomisation (sign-flip) test
(scipy.stats). The queries whose primary
measure changed most are listed with their question text.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from groundqa.eval.stats import paired_difference

NOT_MEASURES = {"qid", "question", "style", "answerable", "abstained", "support", "seconds", "ranked"}
RESAMPLES = 10_000


class RunError(ValueError):
    """A folder is not an eval run, or two runs share nothing to compare."""


@dataclass(frozen=True)
class Delta:
    measure: str
    queries: int
    mean_a: float
    mean_b: float
    delta: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class Change:
    qid: str
    question: str | None
    a: float
    b: float
    delta: float


def load_run(folder: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """mode -> qid -> per-query row, from the per_query.<mode>.jsonl files of an eval output folder."""
    files = sorted(folder.glob("per_query.*.jsonl")) if folder.is_dir() else []
    if not files:
        raise RunError(f"{folder}: no per_query.<mode>.jsonl files; give a folder written by "
                       "`groundqa eval DATASET --out FOLDER`")
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    for path in files:
        mode = path.name.split(".")[1]
        rows = {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RunError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
                rows[str(row["qid"])] = row
        runs[mode] = rows
    return runs


def _measures(rows_a: dict[str, dict], rows_b: dict[str, dict]) -> list[str]:
    keys: dict[str, None] = {}
    for rows in (rows_a, rows_b):
        for row in rows.values():
            for key, value in row.items():
                if key not in NOT_MEASURES and isinstance(value, int | float) and not isinstance(value, bool):
                    keys[key] = None
    return list(keys)


def paired_delta(measure: str, a: np.ndarray, b: np.ndarray, *, seed: int = 0) -> Delta:
    """Mean difference B - A with a paired bootstrap 95% interval and a paired randomisation test."""
    from scipy import stats

    diff = b - a
    mean = float(diff.mean()) if len(diff) else 0.0
    if len(diff) < 2 or np.allclose(diff, diff[0]):
        # no spread: every resample gives the same difference; the tests are undefined, the answer is plain
        p = 1.0 if math.isclose(mean, 0.0, abs_tol=1e-12) else 0.0 if len(diff) >= 2 else 1.0
        return Delta(measure, len(diff), float(a.mean()) if len(a) else 0.0, float(b.mean()) if len(b) else 0.0,
                     mean, mean, mean, p)
    rng = np.random.default_rng(seed)
    boot = paired_difference(b, a, samples=RESAMPLES, seed=rng, confidence=0.95)
    test = stats.permutation_test((a, b), lambda x, y, axis=-1: np.mean(y - x, axis=axis),
                                  permutation_type="samples", n_resamples=RESAMPLES, alternative="two-sided",
                                  random_state=rng)
    return Delta(measure, len(diff), float(a.mean()), float(b.mean()), mean, float(boot["low"]), float(boot["high"]),
                 float(test.pvalue))


def compare_runs(folder_a: Path, folder_b: Path, *, modes: list[str] | None = None, metric: str | None = None,
                 top: int = 10, seed: int = 0) -> dict[str, Any]:
    """Per shared mode: a Delta per measure and the ``top`` queries whose ``metric`` changed most."""
    run_a, run_b = load_run(folder_a), load_run(folder_b)
    shared = [m for m in run_a if m in run_b and (not modes or m in modes)]
    if not shared:
        raise RunError(f"the runs share no mode{' among ' + ', '.join(modes) if modes else ''}: {folder_a} has "
                       f"{', '.join(run_a)}, {folder_b} has {', '.join(run_b)}")
    out: dict[str, Any] = {"a": str(folder_a), "b": str(folder_b), "resamples": RESAMPLES, "seed": seed, "modes": {}}
    for mode in shared:
        rows_a, rows_b = run_a[mode], run_b[mode]
        qids = [q for q in rows_a if q in rows_b]
        if not qids:
            raise RunError(f"mode {mode}: the runs share no query id; compare runs of the same dataset")
        deltas = []
        for measure in _measures(rows_a, rows_b):
            both = [q for q in qids if isinstance(rows_a[q].get(measure), int | float)
                    and isinstance(rows_b[q].get(measure), int | float)]
            if both:
                a = np.array([float(rows_a[q][measure]) for q in both])
                b = np.array([float(rows_b[q][measure]) for q in both])
                deltas.append(paired_delta(measure, a, b, seed=seed))
        names = [d.measure for d in deltas]
        primary = metric if metric in names else "nDCG@10" if "nDCG@10" in names else names[0] if names else None
        if metric is not None and metric not in names:
            raise RunError(f"no per-query measure {metric!r} in mode {mode}; the runs have {', '.join(names)}")
        changes = []
        if primary is not None:
            for q in qids:
                va, vb = rows_a[q].get(primary), rows_b[q].get(primary)
                if isinstance(va, int | float) and isinstance(vb, int | float) and va != vb:
                    changes.append(Change(q, rows_b[q].get("question") or rows_a[q].get("question"), float(va),
                                          float(vb), float(vb) - float(va)))
            changes.sort(key=lambda c: (-abs(c.delta), c.qid))
        out["modes"][mode] = {"queries": len(qids), "only_a": len(rows_a) - len(qids),
                              "only_b": len(rows_b) - len(qids), "metric": primary,
                              "deltas": [asdict(d) for d in deltas], "changed": len(changes),
                              "top_changes": [asdict(c) for c in changes[:top]]}
    return out


def render_comparison(result: dict[str, Any]) -> str:
    lines = [f"A = {result['a']}", f"B = {result['b']}",
             f"paired bootstrap 95% CI and randomisation test, {result['resamples']} resamples, seed {result['seed']}"]
    for mode, m in result["modes"].items():
        lines += ["", f"[{mode}] {m['queries']} shared queries"
                  + (f" ({m['only_a']} only in A, {m['only_b']} only in B)" if m["only_a"] or m["only_b"] else "")]
        lines.append(f"  {'measure':<18}{'A':>8}{'B':>8}{'B-A':>9}  {'95% CI':<19}{'p':>7}")
        for d in m["deltas"]:
            mark = " *" if d["p_value"] < 0.05 else ""
            lines.append(f"  {d['measure']:<18}{d['mean_a']:>8.4f}{d['mean_b']:>8.4f}{d['delta']:>+9.4f}  "
                         f"[{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]{d['p_value']:>7.3f}{mark}")
        if m["metric"]:
            lines.append(f"  {m['changed']} queries changed {m['metric']}; the largest changes:")
            for c in m["top_changes"]:
                question = (c["question"] or "")[:90]
                lines.append(f"    {c['qid']:<14}{c['a']:.3f} -> {c['b']:.3f} ({c['delta']:+.3f})  {question}")
    lines += ["", "* p < 0.05"]
    return "\n".join(lines)
