"""Shared helpers of the bench/ scripts: the machine and its load, MedQuAD data and indexes, percentiles.

Every figure a script prints carries ``os.getloadavg()`` taken when it was measured: the machine has
two cores shared with other work, so a figure is only comparable with ones taken at a similar load.
Indexes are cached under bench/.cache/ (gitignored); the fp32 MedQuAD index is the same one
``groundqa eval medquad`` builds (eval/run.py cached_index), so it is embedded once for both.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/x.py` from anywhere
    sys.path.insert(0, str(ROOT))

from groundqa.core.paths import datasets_dir  # noqa: E402  (after the sys.path line)
from groundqa.service.launch import LiveServer, running_server  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
OUT = ROOT / "bench" / "out"
MEDQUAD_SRC = datasets_dir() / "medquad"


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """CPU, cores, the instruction sets that matter for int8/bf16, library versions."""
    import faiss
    import onnxruntime
    import torch

    cpu, flags = platform.machine(), set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
        elif line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE")
                                                                  * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "isa": sorted(f for f in flags if f in {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8"}),
            "python": platform.python_version(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "faiss": faiss.__version__, "onnxruntime": onnxruntime.__version__, "loadavg": load()}


def header(title: str) -> dict[str, Any]:
    info = machine()
    print(f"# {title}")
    print(f"# machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {' '.join(info['isa'])}; "
          f"torch {info['torch']} ({info['torch_threads']} threads), faiss {info['faiss']}, "
          f"onnxruntime {info['onnxruntime']}; load {info['loadavg']}")
    return info


def emit(script: str, record: dict[str, Any]) -> None:
    """Print one figure as a JSON line (with the load now) and append it to bench/out/<script>.jsonl."""
    record = {**record, "loadavg": load(), "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    line = json.dumps(record)
    print(line, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{script}.jsonl", "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def percentiles(seconds: Sequence[float], digits: int = 2) -> dict[str, float | None]:
    """p50/p95/p99 and mean in milliseconds (groundqa.eval.metrics.latency_percentiles), rounded, and the count."""
    from groundqa.eval.metrics import latency_percentiles

    return {k: None if v is None else round(v, digits) for k, v in latency_percentiles(seconds).items()} | {
        "n": len(seconds)}


def dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def rss_mb(pid: int | None = None) -> float:
    import psutil

    return round(psutil.Process(pid or os.getpid()).memory_info().rss / 2**20, 1)


def medquad(sample: int | None = None, seed: int = 0):
    """The MedQuAD BEIR dataset (whole, or a seeded sample of whole pages), built once under bench/.cache."""
    from groundqa.eval.datasets import load_beir
    from groundqa.eval.medquad import build_medquad_beir

    name = "medquad" if sample is None else f"medquad-s{sample}-seed{seed}"
    return load_beir(build_medquad_beir(MEDQUAD_SRC, CACHE / name, sample=sample, seed=seed))


def medquad_index(dataset, *, backend: str = "fp32", progress: bool = True) -> Path:
    """The dataset's index with the default chunking, the one `groundqa eval` builds for that backend."""
    from groundqa.core.settings import Settings
    from groundqa.eval.run import cached_index

    return cached_index([dataset.corpus], Settings(encoder_backend=backend), name=dataset.name,
                        content_key=dataset.corpus_digest(), cache=CACHE, progress=progress)


def questions(dataset, n: int, *, seed: int = 0) -> list[str]:
    """``n`` distinct questions of the dataset in a seeded order (so no two timed queries hit the cache)."""
    texts = sorted(set(dataset.queries.values()))
    rng = np.random.default_rng(seed)
    rng.shuffle(texts)
    return texts[:n]


def serve(index_dir: Path, *, env: dict[str, str] | None = None, log: Path | None = None
          ) -> AbstractContextManager[LiveServer]:
    """`groundqa serve` on 127.0.0.1 for a measurement (groundqa.service.launch, the one launcher), rate limit
    and snapshot polling off; ready (/readyz 200) inside the block, stopped after it."""
    return running_server(index_dir, env={"GROUNDQA_RATE_LIMIT": "", "GROUNDQA_RELOAD_INTERVAL": "0", **(env or {})},
                          log=log, cwd=ROOT, timeout=300)
