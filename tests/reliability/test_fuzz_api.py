"""Fuzz the live HTTP API from its own OpenAPI schema (schemathesis): no input may cause a server error, and
every answer, error or not, must have the documented shape.

Schemathesis' pytest plugin does not run under pytest 9 (it sets a removed ``Node._nodeid``), so each
operation's hypothesis strategy is driven directly; that is the same generation, without the plugin.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.reliability.conftest import LiveServer

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 20}


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=str)
def test_no_input_makes_a_server_error(live: LiveServer, mode: GenerationMode) -> None:
    server = live.base
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json", wait_for_schema=30)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/query", "/v1/passages/{passage_id}", "/metrics", "/readyz"}
    failures: list[str] = []
    calls = {"count": 0}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES[mode], deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case) -> None:
            response = case.call(base_url=server, timeout=60)
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
    assert "Traceback" not in live.log.read_text(errors="replace"), "a request raised an unhandled error"
