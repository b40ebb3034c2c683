"""The Markdown report with its PNG plots (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

RANKING_ORDER = ("nDCG@10", "AP@10", "RR@10")
LABELS = {"nDCG@10": "nDCG@10", "AP@10": "MAP@10", "RR@10": "MRR@10"}


def measure_names(document: dict[str, Any]) -> list[str]:
    """Ranking measure keys in display order: nDCG@10, AP@10, RR@10, then R@k, P@k, evidence hits."""
    first = next(iter(document["modes"].values()))
    keys = [m for m in RANKING_ORDER if m in first]
    keys += sorted(m for m in first if m.startswith(("R@", "P@")))
    keys += sorted((m for m in first if m.startswith("evidence_hit@")), key=lambda m: int(m.split("@")[1]))
    keys += [m for m in ("best_sentence_hit",) if first.get(m) is not None]
    return keys


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def comparison(document: dict[str, Any], measure: str = "nDCG@10") -> str | None:
    """One sentence comparing hybrid with the better single mode on ``measure``."""
    modes = document["modes"]
    if "hybrid" not in modes or not {"bm25", "dense"} & set(modes):
        return None
    singles = {m: modes[m][measure] for m in ("bm25", "dense") if m in modes}
    best = max(singles, key=lambda m: singles[m])
    hybrid = modes["hybrid"][measure]
    change = (hybrid - singles[best]) / singles[best] * 100 if singles[best] else float("nan")
    return (f"Hybrid {measure} {hybrid:.4f} vs the better single mode ({best}) {singles[best]:.4f}: "
            f"{change:+.1f}% relative.")


def write_plots(out: Path, document: dict[str, Any], latencies: dict[str, list[float]]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    modes = list(document["modes"])
    measures = measure_names(document)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(measures) + 2), 3.8), dpi=120)
    width = 0.8 / max(1, len(modes))
    x = np.arange(len(measures))
    for i, mode in enumerate(modes):
        values = [document["modes"][mode].get(m) or 0.0 for m in measures]
        bars = ax.bar(x + (i - (len(modes) - 1) / 2) * width, values, width, label=mode)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(x, [LABELS.get(m, m) for m in measures])
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("score")
    ax.set_title(f"{document['dataset']}: retrieval quality per mode")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "metrics.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.5, 3.6), dpi=120)
    data = [np.asarray(latencies[m]) * 1000.0 for m in modes]
    ax.boxplot(data, orientation="horizontal", showfliers=True, flierprops={"markersize": 2})
    ax.set_yticks(range(1, len(modes) + 1), modes)
    ax.set_xscale("log")
    ax.set_xlabel("per-query latency (ms, log scale)")
    for i, mode in enumerate(modes, start=1):
        p = document["modes"][mode]["latency"]
        ax.annotate(f"p50 {p['p50_ms']:.1f}  p95 {p['p95_ms']:.1f}  p99 {p['p99_ms']:.1f}", (0.99, i + 0.3),
                    xycoords=("axes fraction", "data"), ha="right", fontsize=7)
    ax.set_title(f"{document['dataset']}: latency distribution ({document['backend_kind']})")
    fig.tight_layout()
    fig.savefig(out / "latency.png")
    plt.close(fig)
    return ["metrics.png", "latency.png"]


def metrics_table(document: dict[str, Any]) -> str:
    measures = measure_names(document)
    head = ["mode", *[LABELS.get(m, m) for m in measures], "p50 ms", "p95 ms", "p99 ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    best = {m: max(v[m] for v in document["modes"].values()) for m in measures}
    for mode, values in document["modes"].items():
        cells = [f"**{_fmt(values[m])}**" if values[m] == best[m] and len(document["modes"]) > 1 else _fmt(values[m])
                 for m in measures]
        lat = values["latency"]
        lines.append("| " + " | ".join([mode, *cells, _fmt(lat["p50_ms"], 1), _fmt(lat["p95_ms"], 1),
                                        _fmt(lat["p99_ms"], 1)]) + " |")
    return "\n".join(lines)


def abstention_table(document: dict[str, Any]) -> str:
    lines = ["| mode | unanswerable | abstained on them | answerable | answered (did not abstain) | accuracy |",
             "|---|---|---|---|---|---|"]
    for mode, values in document["modes"].items():
        a = values["abstention"]
        lines.append(f"| {mode} | {a['unanswerable']} | {_fmt(a['accuracy_unanswerable'])} | {a['answerable']} | "
                     f"{_fmt(a['accuracy_answerable'])} | {_fmt(a['accuracy'])} |")
    return "\n".join(lines)


def write_report(out: Path, document: dict[str, Any], latencies: dict[str, list[float]]) -> Path:
    plots = write_plots(out, document, latencies)
    s = document["settings"]
    parts = [
        f"# groundqa retrieval report: {document['dataset']}", "",
        f"- dataset: `{document['dataset_path']}` ({document['queries']} questions; {document['kind']})",
        f"- system: {document['backend']} ({document['backend_kind']}); model {s['model']}; chunks "
        f"{s['chunk_max_chars']}/{s['chunk_overlap_chars']} chars; embed_context {s['embed_context']}; "
        f"RRF k={s['rrf_k']}, {s['candidates']} candidates; abstain below cosine {s['abstain_below']}; ranking "
        + ", ".join(f"{k} {s[k]}" for k in ("title_weight", "dense_weight", "bm25_weight", "sentence_weight",
                                            "fusion", "fusion_level", "source_aggregate", "per_source") if k in s),
        f"- depth: top {document['depth']} passages per question; k = {document['k']}",
        f"- machine: {document['machine']}", f"- date: {document['date']}", "",
        "## Retrieval quality", "", metrics_table(document), "",
    ]
    sentence = comparison(document)
    if sentence:
        parts += [sentence, ""]
    if document["kind"] == "quoted-evidence":
        parts += ["Ranking measures are over passages: a passage is relevant when it overlaps a quoted gold span. "
                  "`evidence_hit@n`: some passage in the top n overlaps gold evidence. `best_sentence_hit`: the best "
                  "sentence of the first passage holding evidence overlaps the evidence.", ""]
    else:
        parts += ["Documents are the dataset's own ids, one passage each (per_source 1), ranked by the engine's "
                  "source ranking (service/ranking.py).", ""]
    for mode, values in document["modes"].items():
        for name, means in values.get("parts", {}).items():
            parts.append(f"- {mode}, part `{name}` ({means['queries']} questions): nDCG@10 {means['nDCG@10']:.4f}, "
                         f"MRR@10 {means['RR@10']:.4f}")
    if any(values.get("parts") for values in document["modes"].values()):
        parts.append("")
    parts += ["![metrics per mode](metrics.png)", "", "## Abstention", "", abstention_table(document), ""]
    flags = {m: v.get("flags") for m, v in document["modes"].items() if v.get("flags")}
    if flags:
        parts += ["## Credibility flags", "", "| mode | precision | recall | tp | fp | fn |",
                  "|---|---|---|---|---|---|"]
        parts += [f"| {m} | {_fmt(f['precision'])} | {_fmt(f['recall'])} | {f['tp']} | {f['fp']} | {f['fn']} |"
                  for m, f in flags.items()]
        parts.append("")
    parts += ["## Latency", "", "![latency distribution](latency.png)", ""]
    if document.get("citation"):
        parts += ["## Dataset", "", document["citation"], ""]
    parts += ["## Files", "", "`metrics.json`, " + ", ".join(f"`run.{m}.trec`" for m in document["modes"])
              + ", `per_query.<mode>.jsonl`, " + ", ".join(f"`{p}`" for p in plots), ""]
    path = out / "report.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
