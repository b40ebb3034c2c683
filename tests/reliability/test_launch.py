"""groundqa.service.launch: the one launcher of a live `groundqa serve` (bench/ uses it for load and soak runs)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest
from groundqa.service.launch import running_server


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.is_file() and "zombie" not in status.read_text()


def test_the_server_is_handed_over_ready_and_stopped_after(seed_index: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(seed_index, log=log, env={"GROUNDQA_RATE_LIMIT": ""}) as server:
        assert server.readiness[-1] == 200 and server.base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.base}/healthz", timeout=10) as response:
            assert response.status == 200
        assert _alive(server.pid)
    assert not _alive(server.pid)
    assert log.stat().st_size > 0  # the server's output went to the file


def test_a_server_that_exits_on_start_raises_with_its_log(seed_index: Path) -> None:
    with pytest.raises(RuntimeError, match="exited with") as caught:
        with running_server(seed_index, env={"GROUNDQA_RELOAD_INTERVAL": "not a number"}, timeout=60):
            pass
    assert "reload_interval" in str(caught.value).lower()
