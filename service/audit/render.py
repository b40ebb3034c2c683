"""Terminal report of an audit: one block per claim, worst news first in each, the summary last."""

from __future__ import annotations

import re

import click
from groundqa.service.audit.schemas import AuditItemOut, AuditOut, BatchSummaryOut, CitationOut, ClaimOut

VERDICT_COLOURS = {"supported": "green", "partly supported": "yellow", "unclear": "white",
                   "not supported": "red", "contradicted": "red", "pass": "green", "review": "yellow", "fail": "red"}


def _flat(text: str, width: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[:width - 1] + "…"


def _verdict(verdict: str) -> str:
    return click.style(verdict.upper(), fg=VERDICT_COLOURS.get(verdict, "white"), bold=True)


def _citation(c: CitationOut) -> list[str]:
    where = c.marker or c.passage_id or f"{c.source_id}:{c.start}-{c.end}"
    if c.status != "ok":
        return [f"    {click.style(where, fg='red')}  {c.status}: {c.message}"]
    lines = [f"    {click.style(where, fg='cyan')}  {c.title or c.source_id} [{c.start}:{c.end}]  "
             f"{c.verdict} ({c.score:.2f})"]
    if c.aligned:
        lines.append(click.style(f"      cited sentence: {_flat(c.aligned.text)}", dim=True))
    if c.quote:
        q = c.quote
        lines.append(f"      quote {q.status} ({q.similarity:.0f}% similar"
                     + ("" if q.in_span else f", found at {q.start}-{q.end}, outside the cited span") + ")")
        for d in q.diff[:6]:
            lines.append("        " + click.style(f"- {d.quote}", fg="red") + "  " + click.style(f"+ {d.source}",
                                                                                             fg="green"))
    for f in c.flags:
        lines.append(click.style(f"      ↳ {f.kind}: {f.reason}", fg="magenta" if f.kind == "commercial" else "yellow"))
    return lines


def _claim(c: ClaimOut) -> list[str]:
    lines = [f"{c.index + 1:>2}. {_verdict(c.verdict)} {click.style(f'{c.score:.2f}', dim=True)}  {_flat(c.claim)}"]
    lines += [click.style(f"    · {r}", dim=True) for r in c.reasons]
    for x in c.citations:
        lines += _citation(x)
    if c.best_passage:
        b = c.best_passage
        text = _flat(b.aligned.text if b.aligned else b.passage.text)
        lines.append(click.style(f"    better support: {b.passage.passage_id} ({b.verdict}, {b.score:.2f}) "
                                 f"{b.passage.title or b.passage.source_id}: {text}", fg="green"))
    return lines


def render_audit(result: AuditOut) -> str:
    lines: list[str] = []
    for claim in result.claims:
        lines += _claim(claim) + [""]
    if result.uncited:
        lines.append(click.style("Sentences that cite nothing:", bold=True))
        lines += [f"  - {_flat(u.text)}" for u in result.uncited] + [""]
    s = result.summary
    counts = ", ".join(f"{n} {v}" for v, n in s.by_verdict.items() if n) or "no claims"
    lines.append(f"{_verdict(s.verdict)}  {s.claims} claims ({counts}); {s.citations} citations, "
                 f"{s.citations_missing} missing; {s.quotes_checked} quotes, {s.quotes_mismatched} mismatched; "
                 f"{s.uncited_sentences} uncited sentences; {s.elapsed_ms:.0f} ms")
    lines += [click.style(f"  {n}", dim=True) for n in s.notes]
    return "\n".join(lines)


def render_batch_line(item: AuditItemOut) -> str:
    """One line per answer of a batch: id, verdict and counts, or the error."""
    if item.error is not None:
        return f"{item.id}\t{_verdict('fail')} error: {item.error.message}"
    s = item.report.summary
    counts = ", ".join(f"{n} {v}" for v, n in s.by_verdict.items() if n) or "no claims"
    warned = f"; {len(item.report.warnings)} unreadable markers" if item.report.warnings else ""
    return f"{item.id}\t{_verdict(s.verdict)} {s.claims} claims ({counts}); {s.uncited_sentences} uncited{warned}"


def render_batch_summary(summary: BatchSummaryOut) -> str:
    counts = ", ".join(f"{n} {v}" for v, n in summary.by_verdict.items())
    return (f"{_verdict(summary.verdict)}  {summary.answers} answers ({counts}); {summary.claims} claims; "
            f"{summary.elapsed_ms / 1000:.1f} s")
