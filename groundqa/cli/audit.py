"""``groundqa audit FILE``: the audit of POST /v1/audit from the command line, over the local index."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from groundqa.cli.common import (
    EXIT_FAILED,
    fail,
    index_option,
    load_engine,
    make_settings,
    model_option,
    progress_option,
    show_progress,
    warn,
)


def read_request(raw: str, *, as_json: bool | None, suggest: bool) -> Any:
    """An AuditRequest from file contents: JSON claims (a list, or an object with answer/claims) or answer text.

    JSON is validated by the request model of POST /v1/audit, so a file is refused for the same reasons."""
    from pydantic import ValidationError

    from groundqa.engine.audit.records import AuditRequest
    from groundqa.service.audit.convert import audit_request
    from groundqa.service.audit.schemas import AuditIn

    text = raw.strip()
    if as_json is None:
        as_json = text.startswith(("[", "{"))
    if not as_json:
        return AuditRequest(answer=raw, suggest=suggest)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"the file is not valid JSON ({exc}); give claims as JSON or the answer as plain "
                                 "text", param_hint="FILE") from exc
    payload = {"claims": data} if isinstance(data, list) else data
    if not isinstance(payload, dict):
        raise click.BadParameter("JSON input must be a list of claims or an object with 'answer' or 'claims'",
                                 param_hint="FILE")
    try:
        return audit_request(AuditIn(**{"suggest": suggest, **payload}))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
        raise click.BadParameter(problems, param_hint="FILE") from exc


def read_batch(raw: str, *, suggest: bool) -> list[Any]:
    """The answers of a JSON-lines file: one object per line with an id and 'answer' or 'claims'.

    A line that cannot be read becomes an item carrying the problem, so the rest of the batch still runs.
    """
    from pydantic import ValidationError

    from groundqa.engine.audit.records import BatchItem
    from groundqa.service.audit.convert import item_from
    from groundqa.service.audit.schemas import AuditItemIn

    items: list[BatchItem] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append(BatchItem(id=where, problem=f"{where} is not valid JSON ({exc.msg} at column {exc.colno}); "
                                   "give one JSON object per line with an id and 'answer' or 'claims'"))
            continue
        if not isinstance(data, dict):
            items.append(BatchItem(id=where, problem=f"{where} is not a JSON object; give {{\"id\": ..., "
                                   "\"answer\": ...}"))
            continue
        if isinstance(data.get("id"), int) and not isinstance(data.get("id"), bool):
            data["id"] = str(data["id"])
        data.setdefault("id", where)
        try:
            item = item_from(number, AuditItemIn(**data), suggest=suggest)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
            items.append(BatchItem(id=str(data.get("id")), problem=f"{where}: {problems}"))
            continue
        if item.id in seen:
            items.append(BatchItem(id=item.id, problem=f"{where}: the id {item.id!r} is used by an earlier line; "
                                   "give every answer its own id"))
            continue
        seen.add(item.id)
        items.append(item)
    if not items:
        raise click.BadParameter("the file holds no answers; give one JSON object per line with an id and 'answer' "
                                 "or 'claims'", param_hint="FILE")
    return items


def _not_passed(verdict: str, fail_on: str) -> bool:
    return verdict in ("fail", "error") or (fail_on == "review" and verdict == "review")


@click.command("audit")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "csv", "html"]), default=None,
              help="Report format: text to read here (one line per answer for a batch); json (as POST /v1/audit; "
                   "one line per answer for a batch); md, csv (a row per claim and citation) or html to keep. "
                   "[default: text, json lines for a batch]")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--input", "input_kind", type=click.Choice(["auto", "text", "json", "jsonl"]), default="auto",
              show_default=True,
              help="How FILE is read: answer text with [p_...] / [source_id:start-end] markers, JSON claims (a list of "
                   "{claim, citations}), or a batch: JSON lines, one {id, answer | claims} per line. auto: .jsonl "
                   "files are batches, else the first character decides.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(["review", "fail"]), default="review", show_default=True,
              help="Exit 1 when an answer's verdict is this or worse.")
@click.option("--no-suggest", is_flag=True, help="Do not look for better-supporting passages.")
@progress_option
@index_option
@model_option
def audit_cmd(file: Path, fmt: str | None, as_json: bool, input_kind: str, out: Path | None, fail_on: str,
              no_suggest: bool, progress: bool | None, index: Path | None, model: str | None) -> None:
    """Audit the cited answer in FILE ('-' reads standard input), or a batch of answers in a .jsonl FILE.

    Each claim gets a verdict (supported, partly supported, unclear, not supported, contradicted) with the
    reasons: missing passages, quotes that differ from the source, numbers, drug and treatment names or
    negations that disagree, and the flags of what it cites. Brackets that look like citations but are not in
    a form groundqa reads are listed as warnings with the fix. Exit code 0 when every answer passes, 1 when one
    does not (review or fail; --fail-on fail lets review pass), 2 for unreadable input, 3 when there is no index.
    """
    from groundqa.core.errors import GroundqaError, InvalidRequestError
    from groundqa.engine.audit.batch import warm_up_in_background

    try:
        raw = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {file} ({exc}); give a UTF-8 text, JSON or JSON-lines file",
                                 param_hint="FILE") from exc
    batch = input_kind == "jsonl" or (input_kind == "auto" and file.suffix.lower() == ".jsonl")
    fmt = "json" if as_json else fmt or ("json" if batch else "text")
    if batch:
        items = read_batch(raw, suggest=not no_suggest)
    else:
        request = read_request(raw, as_json=None if input_kind == "auto" else input_kind == "json",
                               suggest=not no_suggest)
    settings = make_settings(index=index, model=model)
    # Unpack the drug-name dictionary while the model and index load, not after.
    warm_up_in_background()
    try:
        engine = load_engine(settings)
        if batch:
            verdict = _run_batch(engine, items, settings, fmt=fmt, out=out, progress=show_progress(progress))
        else:
            verdict = _run_one(engine, request, settings, fmt=fmt, out=out)
    except InvalidRequestError as exc:
        raise click.BadParameter(str(exc), param_hint="FILE") from exc
    except GroundqaError as exc:
        fail(exc)
    if _not_passed(verdict, fail_on):
        sys.exit(EXIT_FAILED)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, encoding="utf-8")


def _run_one(engine: Any, request: Any, settings: Any, *, fmt: str, out: Path | None) -> str:
    from groundqa.engine.audit.batch import audit_one
    from groundqa.service.audit.convert import audit_out
    from groundqa.service.audit.export import render_audit_as
    from groundqa.service.audit.render import render_audit

    result = audit_out(audit_one(engine, request, settings))
    for w in result.warnings:
        warn(w.message)
    _emit(render_audit(result) if fmt == "text" else render_audit_as(result, fmt), out)
    return result.summary.verdict


def _run_batch(engine: Any, items: list[Any], settings: Any, *, fmt: str, out: Path | None, progress: bool) -> str:
    """Audit answer after answer; JSON lines are written as each finishes, other formats at the end."""
    from tqdm import tqdm

    from groundqa.engine.audit.batch import item_verdict, run_batch
    from groundqa.service.audit.convert import batch_out, batch_summary_out, item_out
    from groundqa.service.audit.export import render_audit_as
    from groundqa.service.audit.render import render_batch_line, render_batch_summary

    sink = open(out, "w", encoding="utf-8") if out is not None and fmt in ("json", "text") else None  # noqa: SIM115
    bar = tqdm(total=len(items), desc="audit", unit="answer", disable=not progress, file=sys.stderr)

    def written(result: Any) -> None:
        bar.update()
        bar.set_postfix_str(f"{result.id}: {item_verdict(result)}", refresh=False)
        if fmt not in ("json", "text"):
            return
        line = item_out(result).model_dump_json() if fmt == "json" else render_batch_line(item_out(result))
        if sink is not None:
            sink.write(line + "\n")
            sink.flush()
        else:
            bar.clear()
            click.echo(line)

    try:
        results, summary = run_batch(engine, items, settings, on_result=written)
    finally:
        bar.close()
        if sink is not None:
            sink.close()
    if fmt not in ("json", "text"):
        _emit(render_audit_as(batch_out(results, summary), fmt), out)
    click.echo(render_batch_summary(batch_summary_out(summary)), err=True)
    return summary.verdict
