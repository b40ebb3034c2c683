"""Around ``audit(...)``: one answer with its marker warnings, or a batch of answers with ids.

The CLI (``groundqa audit``, a file or a .jsonl batch) and POST /v1/audit both come through here, so a
report is the same wherever it is asked for.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from groundqa.core.errors import GroundqaError, InvalidRequestError
from groundqa.core.settings import Settings
from groundqa.engine.audit.auditor import audit
from groundqa.engine.audit.parse import marker_warnings
from groundqa.engine.audit.records import AuditReport, AuditRequest, BatchItem, BatchSummary, ItemError, ItemResult
from groundqa.engine.query import Engine

VERDICT_ORDER = ("pass", "review", "fail", "error")
LOG = logging.getLogger("groundqa.audit")


def warm_up_in_background() -> None:
    """Load the verifier and the checks' dictionaries (seconds each) while the embedding model and index load.

    This is a prefetch, not the work: if it fails, the reason is logged once and the first audit loads them
    itself (and fails there, with its own error, if they really cannot load).
    """
    from groundqa.credibility.judge import warm_up

    def run() -> None:
        try:
            warm_up()
        except Exception as exc:  # noqa: BLE001  (logged, and the audit itself loads them again)
            LOG.warning("could not preload the audit checks (%s: %s); the first audit loads them",
                        type(exc).__name__, exc)

    thread = threading.Thread(target=run, name="audit-warm-up", daemon=True)
    thread.start()
    # A daemon thread still inside torch's loading when the interpreter finalises aborts the process (exit 134,
    # "terminate called without an active exception"): an exit waits for the prefetch to finish instead.
    atexit.register(thread.join, 120)


def audit_one(engine: Engine, request: AuditRequest, settings: Settings) -> AuditReport:
    """The audit of one answer, with a warning for every bracket that looks like a citation but is not one."""
    report = audit(engine, request, max_chars=settings.audit_max_chars, max_span=settings.audit_max_span_chars,
                   max_claims=settings.audit_max_claims)
    if request.answer is not None:
        report = replace(report, warnings=tuple(marker_warnings(request.answer)))
    return report


def audit_items(engine: Engine, items: Iterable[BatchItem], settings: Settings) -> Iterator[ItemResult]:
    """Audit each item in turn; an answer that cannot be audited gets an error result, the rest go on."""
    for item in items:
        if item.request is None:
            yield ItemResult(id=item.id, error=ItemError(status=422, code="invalid_request",
                                                         message=item.problem or "unreadable answer"))
            continue
        try:
            yield ItemResult(id=item.id, report=audit_one(engine, item.request, settings))
        except InvalidRequestError as exc:
            yield ItemResult(id=item.id, error=ItemError(status=422, code="invalid_request", message=str(exc)))
        except GroundqaError as exc:
            yield ItemResult(id=item.id, error=ItemError(status=500, code="internal_error", message=str(exc)))


def item_verdict(item: ItemResult) -> str:
    return item.report.summary.verdict if item.report is not None else "error"


def summarise_batch(results: list[ItemResult], *, elapsed_ms: float) -> BatchSummary:
    counts = Counter(item_verdict(r) for r in results)
    worst = "fail" if counts["fail"] or counts["error"] else "review" if counts["review"] else "pass"
    return BatchSummary(verdict=worst, passed=worst == "pass", answers=len(results),
                        by_verdict={v: counts.get(v, 0) for v in VERDICT_ORDER},
                        claims=sum(r.report.summary.claims for r in results if r.report is not None),
                        elapsed_ms=round(elapsed_ms, 1))


def run_batch(engine: Engine, items: list[BatchItem], settings: Settings,
              on_result: Callable[[ItemResult], None] | None = None) -> tuple[list[ItemResult], BatchSummary]:
    began = time.perf_counter()
    results = []
    for result in audit_items(engine, items, settings):
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results, summarise_batch(results, elapsed_ms=(time.perf_counter() - began) * 1000)
