"""Audit reports as files a reviewer keeps or shares: Markdown, CSV (a row per claim and citation) and HTML.

Each takes a list of items (an id, and a report or the error that stopped it), so a single answer and a
batch are written by the same code; a single answer is one item without an id.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from functools import cache
from pathlib import Path

from groundqa.service.audit.schemas import AuditBatchOut, AuditItemOut, AuditOut, BatchSummaryOut, CitationOut

AUDIT_FORMATS: dict[str, str] = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
CSV_FIELDS = ("answer_id", "answer_verdict", "claim", "claim_text", "verdict", "score", "reasons", "marker",
              "citation_status", "source_id", "start", "end", "title", "url", "citation_verdict", "citation_score",
              "cited_sentence", "quote_status", "flags")
TEMPLATE = Path(__file__).with_name("report.html")


def _flat(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _where(c: CitationOut) -> str:
    return c.marker or c.passage_id or f"{c.source_id}:{c.start}-{c.end}"


def _markdown_report(report: AuditOut, lines: list[str], level: str) -> None:
    s = report.summary
    counts = ", ".join(f"{n} {v}" for v, n in s.by_verdict.items() if n) or "no claims"
    lines += [f"**{s.verdict.upper()}**: {s.claims} claims ({counts}); {s.citations} citations, "
              f"{s.citations_missing} missing; {s.quotes_checked} quotes, {s.quotes_mismatched} mismatched; "
              f"{s.uncited_sentences} uncited sentences.", ""]
    lines += [f"- {n}" for n in s.notes] + ([""] if s.notes else [])
    lines += [f"- ⚠ {w.message}" for w in report.warnings] + ([""] if report.warnings else [])
    for c in report.claims:
        lines += [f"{level} {c.index + 1}. {c.verdict} ({c.score:.2f})", "", f"> {_flat(c.claim)}", ""]
        lines += [f"- {r}" for r in c.reasons]
        for x in c.citations:
            if x.status != "ok":
                lines.append(f"- `[{_where(x)}]` {x.status}: {x.message}")
                continue
            title = f"[{x.title or x.source_id}]({x.source.url})" if x.source and x.source.url else \
                (x.title or x.source_id)
            lines.append(f"- `[{_where(x)}]` {title} [{x.start}–{x.end}]: {x.verdict} ({x.score or 0:.2f})")
            if x.aligned:
                lines.append(f"  - cited sentence: “{_flat(x.aligned.text)}”")
            if x.quote:
                diff = "; ".join(f"~~{d.quote}~~ → {d.source}" for d in x.quote.diff[:6])
                lines.append(f"  - quote {x.quote.status} ({x.quote.similarity:.0f}% similar)"
                             + (f": {diff}" if diff else ""))
            lines += [f"  - *{f.kind}*: {f.reason}" for f in x.flags]
        if c.best_passage:
            b = c.best_passage
            lines.append(f"- better support: `[{b.passage.passage_id}]` {b.passage.title or b.passage.source_id} "
                         f"({b.verdict}, {b.score:.2f})")
        lines.append("")
    if report.uncited:
        lines += ["Sentences that cite nothing:", ""] + [f"- {_flat(u.text)}" for u in report.uncited] + [""]


def to_markdown(items: list[AuditItemOut], batch: BatchSummaryOut | None = None) -> str:
    lines = ["# Audit", ""]
    if batch is not None:
        counts = ", ".join(f"{n} {v}" for v, n in batch.by_verdict.items() if n)
        lines += [f"**{batch.verdict.upper()}**: {batch.answers} answers ({counts}).", ""]
    for item in items:
        if item.id is not None and batch is not None:
            lines += [f"## Answer {item.id}", ""]
        if item.error is not None:
            lines += [f"**ERROR**: {item.error.message}", ""]
            continue
        _markdown_report(item.report, lines, "###" if batch is not None else "##")
    return "\n".join(lines).rstrip() + "\n"


def to_csv(items: list[AuditItemOut]) -> str:
    """A row per claim and citation (a claim citing nothing has one row); a failed answer, one row with its error."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        base = {"answer_id": item.id or ""}
        if item.error is not None:
            writer.writerow(base | {"answer_verdict": "error", "reasons": item.error.message})
            continue
        base["answer_verdict"] = item.report.summary.verdict
        for c in item.report.claims:
            claim = base | {"claim": c.index + 1, "claim_text": c.claim, "verdict": c.verdict,
                            "score": f"{c.score:.3f}", "reasons": " | ".join(c.reasons)}
            for x in c.citations or [None]:
                row = dict(claim)
                if x is not None:
                    row |= {"marker": f"[{_where(x)}]", "citation_status": x.status, "source_id": x.source_id or "",
                            "start": "" if x.start is None else x.start, "end": "" if x.end is None else x.end,
                            "title": x.title or "", "url": (x.source.url if x.source else None) or "",
                            "citation_verdict": x.verdict or "",
                            "citation_score": "" if x.score is None else f"{x.score:.3f}",
                            "cited_sentence": x.aligned.text if x.aligned else "",
                            "quote_status": x.quote.status if x.quote else "",
                            "flags": ";".join(f.kind for f in x.flags)}
                writer.writerow(row)
    return out.getvalue()


@cache
def _template():  # noqa: ANN202  (a jinja2 Template; jinja2 is imported only when HTML is asked for)
    import jinja2

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.from_string(TEMPLATE.read_text(encoding="utf-8"))


def _safe_urls(items: list[AuditItemOut]) -> list[AuditItemOut]:
    """Only http(s) links reach the page: a manifest URL such as javascript:… must not become a live link."""
    safe = []
    for item in items:
        copy = item.model_copy(deep=True)
        for c in copy.report.claims if copy.report else []:
            for x in c.citations:
                if x.source and x.source.url and not re.match(r"^https?://", x.source.url, re.IGNORECASE):
                    x.source.url = None
        safe.append(copy)
    return safe


def to_html(items: list[AuditItemOut], batch: BatchSummaryOut | None = None) -> str:
    """One self-contained page (inline CSS, no script, nothing fetched), every text escaped."""
    title = "Audit" if batch is None else f"Audit of {batch.answers} answers"
    generated = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _template().render(title=title, items=_safe_urls(items), batch=batch, generated=generated)


def render_audit_as(result: AuditOut | AuditBatchOut, fmt: str) -> str:
    """A single report or a batch in one of AUDIT_FORMATS."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if isinstance(result, AuditBatchOut):
        items, batch = result.results, result.summary
    else:
        items, batch = [AuditItemOut(id="1", report=result)], None
    if fmt == "md":
        return to_markdown(items, batch)
    if fmt == "csv":
        return to_csv(items)
    return to_html(items, batch)
