"""The live service of the reliability tests: admin routes on, no rate limit, its log in a file to read back
(the structured log is itself under test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, running_server

API_KEY = "test-key-0123456789"


@pytest.fixture(scope="session")
def live(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service over the seed index with admin routes on (API_KEY) and no rate limit (fuzzing is fast)."""
    log = tmp_path_factory.mktemp("live") / "server.log"
    with running_server(seed_index, log=log, env={"GROUNDQA_API_KEY": API_KEY, "GROUNDQA_RATE_LIMIT": ""}) as server:
        yield server
