"""The edge around ``audit(...)``: one answer with its marker warnings, or a batch of answers with ids.

The CLI (``groundqa audit``, a file or a .jsonl batch) and POST /v1/audit both come through here, so a
report is the same wherever it is asked for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from groundqa.core.errors import GroundqaError, InvalidRequestError
from groundqa.core.settings import Settings
from groundqa.engine.query import Engine
from groundqa.service.audit.auditor import audit
from groundqa.service.audit.parse import marker_warnings
from groundqa.service.audit.schemas import (
    AuditIn,
    AuditItemIn,
    AuditItemOut,
    AuditOut,
    BatchSummaryOut,
    MarkerWarningOut,
)
from groundqa.service.schemas import ErrorBody

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

    threading.Thread(target=run, name="audit-warm-up", daemon=True).start()


def audit_one(engine: Engine, request: AuditIn, settings: Settings) -> AuditOut:
    """The audit of one answer, with a warning for every bracket that looks like a citation but is not one."""
    report = audit(engine, request, max_chars=settings.audit_max_chars, max_span=settings.audit_max_span_chars,
                   max_claims=settings.audit_max_claims)
    if request.answer is not None:
        report.warnings = [MarkerWarningOut(marker=w.marker, start=w.start, end=w.end, message=w.message)
                           for w in marker_warnings(request.answer)]
    return report


@dataclass(frozen=True)
class BatchItem:
    """One answer of a batch: its id, and the request or the reason it could not be read."""

    id: str
    request: AuditIn | None = None
    problem: str | None = None


def item_from(position: int, item: AuditItemIn, *, suggest: bool = True) -> BatchItem:
    request = AuditIn(answer=item.answer, claims=item.claims, suggest=item.suggest and suggest)
    return BatchItem(id=item.id or str(position), request=request)


def audit_items(engine: Engine, items: Iterable[BatchItem], settings: Settings) -> Iterator[AuditItemOut]:
    """Audit each item in turn; an answer that cannot be audited gets an error result, the rest go on."""
    for item in items:
        if item.request is None:
            yield AuditItemOut(id=item.id, error=ErrorBody(status=422, code="invalid_request",
                                                          message=item.problem or "unreadable answer"))
            continue
        try:
            yield AuditItemOut(id=item.id, report=audit_one(engine, item.request, settings))
        except InvalidRequestError as exc:
            yield AuditItemOut(id=item.id, error=ErrorBody(status=422, code="invalid_request", message=str(exc)))
        except GroundqaError as exc:
            yield AuditItemOut(id=item.id, error=ErrorBody(status=500, code="internal_error", message=str(exc)))


def item_verdict(item: AuditItemOut) -> str:
    return item.report.summary.verdict if item.report is not None else "error"


def summarise_batch(results: list[AuditItemOut], *, elapsed_ms: float) -> BatchSummaryOut:
    counts = Counter(item_verdict(r) for r in results)
    worst = "fail" if counts["fail"] or counts["error"] else "review" if counts["review"] else "pass"
    return BatchSummaryOut(verdict=worst, passed=worst == "pass", answers=len(results),
                           by_verdict={v: counts.get(v, 0) for v in VERDICT_ORDER},
                           claims=sum(r.report.summary.claims for r in results if r.report is not None),
                           elapsed_ms=round(elapsed_ms, 1))


def run_batch(engine: Engine, items: list[BatchItem], settings: Settings,
              on_result: Callable[[AuditItemOut], None] | None = None) -> tuple[list[AuditItemOut], BatchSummaryOut]:
    began = time.perf_counter()
    results = []
    for result in audit_items(engine, items, settings):
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results, summarise_batch(results, elapsed_ms=(time.perf_counter() - began) * 1000)
