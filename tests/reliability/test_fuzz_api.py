"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis): no input may cause a server error, and
every answer, error or not, must have the documented shape.

The real app runs in-process, reached through schemathesis' ASGI transport (which runs the app's lifespan): the
requests are the same, without a server process to start. Schemathesis' pytest plugin does not run under pytest 9
(it sets a removed ``Node._nodeid``), so each operation's hypothesis strategy is driven directly; that is the same
generation, without the plugin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conftest import build_app

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 20}


@pytest.fixture(scope="module")
def fuzzed_app(seed_index: Path, encoder) -> Iterator[Any]:
    """An app of its own (default settings, the seed index), started and stopped by schemathesis' ASGI client."""
    yield build_app(seed_index, encoder)
    shutdown_lifespans()


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=str)
def test_no_input_makes_a_server_error(fuzzed_app: Any, mode: GenerationMode, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="groundqa.error")
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/query", "/v1/passages/{passage_id}", "/metrics", "/readyz"}
    failures: list[str] = []
    calls = {"count": 0}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES[mode], deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case) -> None:
            response = case.call(timeout=60)
            calls["count"] += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code} "
                                f"{response.text[:300]}")
                return
            if response.status_code == 429:
                return  # rate limited: a valid answer, documented by the limit, not by each route
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                         content_type_conformance])
            except AssertionError as exc:
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:400]}")

        try:
            run()
        except Unsatisfiable:  # negative mode on a route without inputs: nothing to break
            assert mode is GenerationMode.NEGATIVE
    assert calls["count"] > len(operations)
    assert failures == [], "\n".join(failures[:20])
    unhandled = [r.getMessage() for r in caplog.records if r.name == "groundqa.error"]
    assert unhandled == [], f"a request raised an unhandled error: {unhandled[:5]}"
