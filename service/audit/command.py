"""``groundqa audit FILE``: the audit of POST /v1/audit from the command line, over the local index."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import click

EXIT_NOT_PASSED = 1


def read_request(raw: str, *, as_json: bool | None, suggest: bool) -> Any:
    """An AuditIn from file contents: JSON claims (a list, or an object with answer/claims) or answer text."""
    from groundqa.service.audit.schemas import AuditIn
    from pydantic import ValidationError

    text = raw.strip()
    if as_json is None:
        as_json = text.startswith(("[", "{"))
    if not as_json:
        return AuditIn(answer=raw, suggest=suggest)
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
        return AuditIn(**{"suggest": suggest, **payload})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
        raise click.BadParameter(problems, param_hint="FILE") from exc


@click.command("audit")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of POST /v1/audit.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "json"]), default="auto", show_default=True,
              help="How FILE is read: answer text with [p_...] / [source_id:start-end] markers, or JSON claims "
                   "(a list of {claim, citations}); auto looks at the first character.")
@click.option("--no-suggest", is_flag=True, help="Do not look for better-supporting passages.")
@click.option("--index", "index", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder [env GROUNDQA_INDEX; default ./.groundqa].")
@click.option("--model", default=None, help="Embedding model [env GROUNDQA_MODEL; default bundled].")
def audit_cmd(file: Path, as_json: bool, fmt: str, no_suggest: bool, index: Path | None, model: str | None) -> None:
    """Audit the cited answer in FILE ('-' reads standard input).

    Each claim gets a verdict (supported, partly supported, unclear, not supported, contradicted) with the
    reasons: missing passages, quotes that differ from the source, numbers, drug and treatment names or
    negations that disagree, and the flags of what it cites. Exit code 0 when the audit passes, 1 when it
    does not (review or fail), 2 for unreadable input, 3 when there is no index.
    """
    from groundqa.credibility.checks import warm_up
    from groundqa.ingest.errors import GroundqaError, InvalidRequestError
    from groundqa.service.audit.auditor import audit
    from groundqa.service.audit.render import render_audit
    from groundqa.service.cli import _fail, load_engine, make_settings

    try:
        raw = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {file} ({exc}); give a UTF-8 text or JSON file",
                                 param_hint="FILE") from exc
    request = read_request(raw, as_json=None if fmt == "auto" else fmt == "json", suggest=not no_suggest)
    settings = make_settings(index=index, model=model)
    # Unpack the drug-name dictionary while the model and index load, not after.
    threading.Thread(target=warm_up, name="audit-warm-up", daemon=True).start()
    try:
        engine = load_engine(settings)
        result = audit(engine, request, max_chars=settings.audit_max_chars, max_span=settings.audit_max_span_chars,
                       max_claims=settings.audit_max_claims)
    except InvalidRequestError as exc:
        raise click.BadParameter(str(exc), param_hint="FILE") from exc
    except GroundqaError as exc:
        _fail(exc)
        return
    click.echo(result.model_dump_json(indent=2) if as_json else render_audit(result))
    if not result.summary.passed:
        sys.exit(EXIT_NOT_PASSED)
