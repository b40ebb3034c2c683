"""HTTP load on `groundqa serve` (uvicorn on 127.0.0.1, started here and stopped at the end).

An async httpx client keeps C requests in flight (C = 1 and 16 by default) and sends a fixed number of
POST /v1/query requests, each a distinct MedQuAD question (so no answer comes from the cache), then a
run of one repeated question (served from the cache). It reports throughput, latency percentiles, the
error count (any non-200 or transport error) and the server's resident memory. The per-client rate limit
is turned off for the run (GROUNDQA_RATE_LIMIT=""): every request comes from 127.0.0.1, and the limit
is a per-client-address guard, not a capacity figure. The raw-library reference for the same questions
(encode + faiss + bm25s, in this process while the server is idle) is printed beside it.

    .venv/bin/python bench/http_load.py --sample 3000 --requests 800
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from common import (
    emit,
    header,
    medquad,
    medquad_index,
    percentiles,
    questions,
    rss_mb,
    serve,
)

SCRIPT = "http_load"


async def load_run(base: str, texts: list[str], clients: int, mode: str, k: int) -> dict:
    """``clients`` workers share one queue of questions; each keeps one request in flight."""
    import httpx

    queue: asyncio.Queue[str] = asyncio.Queue()
    for t in texts:
        queue.put_nowait(t)
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while True:
            try:
                question = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            began = time.perf_counter()
            try:
                r = await client.post("/v1/query", json={"question": question, "k": k, "mode": mode})
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:120]}")
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - began)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - began
    return {"requests": len(texts), "errors": len(errors), "error_examples": errors[:3],
            "throughput_rps": round(len(texts) / wall, 1), "latency": percentiles(latencies)}


def raw_reference(index_dir: Path, texts: list[str]) -> dict:
    """encode + faiss + bm25s for each question, in this process (the server is idle meanwhile)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from groundqa.engine.query import Engine
    from query_latency import raw_reference as ref_for

    engine = Engine.load(index_dir, cache_size=0)
    ref = ref_for(engine, "hybrid")
    for q in texts[:10]:
        ref(q)
    seconds = []
    for q in texts:
        began = time.perf_counter()
        ref(q)
        seconds.append(time.perf_counter() - began)
    engine.close()
    return percentiles(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=None, help="MedQuAD sample size (answers); default: all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="fp32", help="encoder backend of the MedQuAD index to build/use")
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=800, help="requests per concurrency level")
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--env", action="append", default=[], help="extra server setting, NAME=VALUE")
    args = parser.parse_args()

    info = header("HTTP load on groundqa serve (127.0.0.1)")
    dataset = medquad(args.sample, args.seed)
    index_dir = args.index or medquad_index(dataset, backend=args.backend)
    texts = questions(dataset, args.requests * 2, seed=args.seed + 1)
    base_record = {"index": str(index_dir), "mode": args.mode, "k": args.k, "machine": info["cpu"],
                   "server_env": args.env}
    raw = raw_reference(index_dir, texts[:200])
    emit(SCRIPT, {**base_record, "figure": "raw reference (encode + faiss + bm25s, in-process)", "raw": raw})

    env = dict(item.split("=", 1) for item in args.env)
    with serve(index_dir, env=env) as server:
        base = server.base
        for i, clients in enumerate(int(c) for c in args.clients.split(",")):
            batch = texts[i * args.requests % len(texts):][:args.requests]
            asyncio.run(load_run(base, batch[:20], clients, args.mode, args.k))  # warm-up: distinct from timed
            result = asyncio.run(load_run(base, batch[20:], clients, args.mode, args.k))
            emit(SCRIPT, {**base_record, "figure": "distinct questions", "clients": clients, **result,
                          "ratio_p50_to_raw": round(result["latency"]["p50_ms"] / raw["p50_ms"], 2),
                          "server_rss_mb": rss_mb(server.pid)})
        repeated = asyncio.run(load_run(base, [texts[0]] * 400, 16, args.mode, args.k))
        emit(SCRIPT, {**base_record, "figure": "one repeated question (cache)", "clients": 16, **repeated,
                      "server_rss_mb": rss_mb(server.pid)})


if __name__ == "__main__":
    main()
