"""The one file lock (groundqa.core.locks) as the index's writer lock and as the encoder export's lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from groundqa.core.errors import GroundqaError
from groundqa.core.locks import file_lock
from groundqa.index.snapshot import build_lock


def test_a_second_writer_fails_fast_and_the_lock_is_freed_after(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with build_lock(index):  # flock is per open file: a second open, even in this process, is another holder
        with pytest.raises(GroundqaError, match="another ingest"):
            with build_lock(index):
                pass
    with build_lock(index):  # released when the block ends
        pass
    with pytest.raises(RuntimeError):
        with build_lock(index):
            raise RuntimeError("the ingest failed")
    with build_lock(index):  # and when it ends in an error
        pass


def test_a_waiting_lock_waits_for_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "onnx" / ".lock"  # folders created as needed
    order: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with file_lock(path):
            held.set()
            time.sleep(0.3)
            order.append("holder done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    with pytest.raises(BlockingIOError):
        with file_lock(path, wait=False):
            pass
    with file_lock(path):
        order.append("waiter in")
    thread.join()
    assert order == ["holder done", "waiter in"]
