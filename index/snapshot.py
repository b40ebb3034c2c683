"""Immutable index snapshots under ``<index>/snapshots/`` and a ``CURRENT`` pointer swapped with os.replace.

A build writes into ``snapshots/.tmp-*``; only a finished, fsynced snapshot is renamed into place
and pointed at, so a crash at any moment leaves the previous snapshot live and loadable.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from groundqa.core.errors import GroundqaError, IndexMismatchError, IndexMissingError
from groundqa.core.locks import file_lock

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "CURRENT"
SNAPSHOTS_DIR = "snapshots"
KEEP_SNAPSHOTS = 2


def current_snapshot(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT_FILE
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = index_dir / SNAPSHOTS_DIR / name
    return path if name and (path / MANIFEST_FILE).is_file() else None


def require_snapshot(index_dir: Path) -> Path:
    path = current_snapshot(index_dir)
    if path is None:
        raise IndexMissingError(f"no index at {index_dir}; build one with `groundqa ingest PATH --index {index_dir}`")
    return path


def read_manifest(snapshot: Path) -> dict[str, Any]:
    return json.loads((snapshot / MANIFEST_FILE).read_text(encoding="utf-8"))


def manifest_backend(manifest: dict[str, Any]) -> str:
    """The encoder backend an index was embedded with; indexes from before backends existed are fp32."""
    return str(manifest.get("encoder_backend", "fp32"))


def check_compatible(manifest: dict[str, Any], *, model: str, index_dir: Path, backend: str | None = None) -> None:
    """Refuse an index built with another model, encoder backend or format, saying how to rebuild."""
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index at {index_dir} has format version {version}, this groundqa reads {FORMAT_VERSION}; "
            f"rebuild it with `groundqa ingest --rebuild --index {index_dir}`")
    built_with = manifest.get("model")
    if built_with != model:
        raise IndexMismatchError(
            f"the index at {index_dir} was built with model {built_with!r} but the configured model is {model!r}; "
            f"set --model/GROUNDQA_MODEL to {built_with!r}, or rebuild with "
            f"`groundqa ingest --rebuild --index {index_dir}` to re-embed with {model!r}")
    if backend is not None and backend != manifest_backend(manifest):
        raise IndexMismatchError(
            f"the index at {index_dir} was embedded with encoder backend {manifest_backend(manifest)!r} but the "
            f"configured backend is {backend!r}; unset GROUNDQA_ENCODER_BACKEND to use the index's own, or rebuild "
            f"with `GROUNDQA_ENCODER_BACKEND={backend} groundqa ingest --rebuild --index {index_dir}`")


def _fsync_tree(path: Path) -> None:
    for item in sorted(path.rglob("*")):
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time per index folder; a second ingest fails fast instead of racing."""
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(file_lock(index_dir / ".lock", wait=False))
        except BlockingIOError as exc:
            raise GroundqaError(f"another ingest is writing {index_dir}; wait for it to finish") from exc
        yield


def new_build_dir(index_dir: Path) -> Path:
    root = index_dir / SNAPSHOTS_DIR
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".tmp-*"):  # left by a build that crashed
        shutil.rmtree(stale, ignore_errors=True)
    path = root / f".tmp-{uuid.uuid4().hex[:12]}"
    path.mkdir()
    return path


def commit_build(index_dir: Path, build_dir: Path, manifest: dict[str, Any]) -> Path:
    """Seal a finished build and make it the live snapshot."""
    manifest = {**manifest, "format_version": FORMAT_VERSION, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                       time.gmtime())}
    (build_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _fsync_tree(build_dir)
    name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    final = index_dir / SNAPSHOTS_DIR / name
    os.rename(build_dir, final)
    pointer_tmp = index_dir / f".{CURRENT_FILE}.tmp"
    with open(pointer_tmp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / CURRENT_FILE)
    _prune(index_dir, keep=final)
    return final


def _prune(index_dir: Path, *, keep: Path) -> None:
    """Drop old snapshots but the newest few, so a reader still on the previous one can finish."""
    snapshots = sorted((p for p in (index_dir / SNAPSHOTS_DIR).iterdir()
                        if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    for old in snapshots[:-KEEP_SNAPSHOTS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
