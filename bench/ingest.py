"""Ingest throughput: the whole pipeline and embedding alone, beside the raw encoder on the same texts.

A fresh index of a seeded MedQuAD sample is built with `index.build.ingest` (load, chunk, embed, BM25,
SQLite, snapshot); the encoder is wrapped to time its calls, so "embedding alone" is the share of the
same run. The raw reference then embeds the very same passages with the backend's model call directly.

    .venv/bin/python bench/ingest.py --sample 300 --backends fp32,onnx-int8
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import dir_mb, emit, header, medquad

SCRIPT = "ingest"


class TimedEncoder:
    """Passes calls to an Encoder and adds up the seconds spent in them."""

    def __init__(self, encoder) -> None:
        self.inner, self.seconds, self.texts = encoder, 0.0, 0
        self.name, self.backend, self.dim, self.batch_size = encoder.name, encoder.backend, encoder.dim, \
            encoder.batch_size

    def encode(self, texts, *, on_batch=None):
        began = time.perf_counter()
        out = self.inner.encode(texts, on_batch=on_batch)
        self.seconds += time.perf_counter() - began
        self.texts += len(texts)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=300, help="MedQuAD answers (whole pages, seeded)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", default="fp32,onnx-int8")
    parser.add_argument("--raw-backend", default="fp32", help="the reference: this backend's raw encode of the "
                        "same passages (fp32: issue 20's reference, whatever backend ingest uses)")
    args = parser.parse_args()

    from groundqa.core.encoder import Encoder
    from groundqa.index.build import ingest
    from groundqa.index.snapshot import require_snapshot
    from groundqa.index.store import STORE_FILE, Store
    from groundqa.ingest.chunk import ChunkSettings

    header("ingest throughput")
    dataset = medquad(args.sample, args.seed)
    for backend in args.backends.split(","):
        encoder = Encoder("bundled", backend=backend)
        encoder.encode(["warm-up"])
        timed = TimedEncoder(encoder)
        with tempfile.TemporaryDirectory() as tmp:
            began = time.perf_counter()
            report = ingest([dataset.corpus], index_dir=Path(tmp), encoder=lambda t=timed: t,
                            chunking=ChunkSettings(), progress=False)
            total = time.perf_counter() - began
            snapshot = require_snapshot(Path(tmp))
            store = Store(snapshot / STORE_FILE)
            texts = [p.text for _, p in store.all_passages()]
            store.close()
            disk = dir_mb(snapshot)
        reference = encoder if args.raw_backend == backend else Encoder("bundled", backend=args.raw_backend)
        reference.encode(["warm-up"])
        began = time.perf_counter()
        reference._backend.encode(texts, batch_size=reference.batch_size)
        raw = time.perf_counter() - began
        emit(SCRIPT, {"figure": "ingest", "dataset": dataset.name, "backend": backend, "raw_backend": args.raw_backend,
                      "passages": report.passages,
                      "whole_s": round(total, 1), "whole_passages_per_s": round(report.passages / total, 1),
                      "embedding_s": round(timed.seconds, 1),
                      "embedding_passages_per_s": round(timed.texts / timed.seconds, 1),
                      "raw_encode_passages_per_s": round(len(texts) / raw, 1),
                      "ratio_whole_to_raw": round(total / raw, 2),
                      "speed_vs_raw": round(raw / total, 2),  # issue 20's figure: end-to-end speed / raw encoder
                      "texts_encoded": timed.texts, "index_disk_mb": disk})


if __name__ == "__main__":
    main()
