"""Soak test of `groundqa serve` over HTTP on 127.0.0.1: errors, server memory and latency over time.

Starts the service on an index (the bundled corpus by default, built under bench/.cache/ on first use),
then keeps C requests in flight with a mixed workload until --duration seconds or --requests requests,
whichever comes first, and stops the server:

  45% POST /v1/query   (seed questions, half of them varied so the answer cache cannot serve them;
                        modes bm25/dense/hybrid, k 1-10)
  25% GET  /v1/passages/{id}?context=N   (ids from earlier answers)
  10% GET  /v1/sources/{id}/passages, 10% GET /v1/sources/{id}, 5% GET /v1/sources
   5% invalid queries (k=0), which must be answered 422: error paths must not leak either

Every window of --window seconds reports throughput, latency percentiles, unexpected answers and the
server's RSS, open files, threads and CPU time per request (psutil): on a shared machine latency follows
the load of other work, CPU per request much less, so it tells a slower server from a busier machine.
The verdict compares the second window (after warm-up) with the last. The per-client rate limit is off
for the run: all traffic comes from 127.0.0.1.

    .venv/bin/python bench/soak.py --duration 600 --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import psutil
from common import CACHE, OUT, ROOT, percentiles, serve

VARIATIONS = ("please", "in adults", "briefly", "and why", "for patients", "in 2024", "exactly", "overall")


def seed_index() -> Path:
    index = CACHE / "soak-index"
    if not (index / "CURRENT").is_file():
        subprocess.run([sys.executable, "-m", "groundqa", "ingest", str(ROOT / "corpus"), "--index", str(index)],
                       cwd=ROOT, check=False, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return index


class Workload:
    """Draws the next request; remembers passage and source ids from answers for the look-ups."""

    def __init__(self, questions: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.questions = questions
        self.passages: list[str] = []
        self.sources: list[str] = []

    def next(self) -> tuple[str, str, str, dict | None, int]:
        """(kind, method, path, json body, expected status)."""
        roll = self.rng.random()
        if roll < 0.45 or not self.passages:
            question = self.rng.choice(self.questions)
            if self.rng.random() < 0.5:
                question = f"{question} {self.rng.choice(VARIATIONS)} {self.rng.randrange(10_000)}"
            body = {"question": question, "k": self.rng.randint(1, 10),
                    "mode": self.rng.choice(["bm25", "dense", "hybrid"])}
            return "query", "POST", "/v1/query", body, 200
        if roll < 0.70:
            return "passage", "GET", f"/v1/passages/{self.rng.choice(self.passages)}?context=" \
                                     f"{self.rng.choice([0, 50, 500])}", None, 200
        if roll < 0.80:
            return "source_passages", "GET", f"/v1/sources/{self.rng.choice(self.sources)}/passages", None, 200
        if roll < 0.90:
            return "source", "GET", f"/v1/sources/{self.rng.choice(self.sources)}", None, 200
        if roll < 0.95:
            return "sources", "GET", "/v1/sources", None, 200
        return "invalid", "POST", "/v1/query", {"question": "bone pain", "k": 0}, 422

    def learn(self, answer: dict) -> None:
        for p in answer.get("passages", []):
            if len(self.passages) < 500:
                self.passages.append(p["passage_id"])
            if p["source_id"] not in self.sources:
                self.sources.append(p["source_id"])


async def soak(base: str, pid: int, args: argparse.Namespace, questions: list[str]) -> list[dict]:
    workload = Workload(questions, args.seed)
    server = psutil.Process(pid)
    started = time.monotonic()
    stop_at = started + args.duration
    window: dict = {"latency": [], "errors": [], "kinds": {}, "cpu": sum(server.cpu_times()[:2])}
    windows: list[dict] = []
    sent = 0

    def close_window(now: float) -> None:
        nonlocal window
        lat = window["latency"]
        spread = percentiles(lat, digits=1)
        mem = server.memory_info()
        cpu = sum(server.cpu_times()[:2])
        cpu_ms = (cpu - window["cpu"]) * 1000 / max(1, len(lat))
        record = {"window": len(windows) + 1, "t_end_s": round(now - started, 1), "requests": len(lat),
                  "rps": round(len(lat) / args.window, 1), "errors": len(window["errors"]),
                  "p50_ms": spread["p50_ms"], "p95_ms": spread["p95_ms"], "p99_ms": spread["p99_ms"],
                  "server_cpu_ms_per_request": round(cpu_ms, 2),
                  "rss_mb": round(mem.rss / 2**20, 1), "open_files": len(server.open_files()),
                  "threads": server.num_threads(), "loadavg": [round(x, 2) for x in os.getloadavg()],
                  "kinds": dict(sorted(window["kinds"].items())), "first_errors": window["errors"][:3]}
        windows.append(record)
        print(json.dumps(record), flush=True)
        window = {"latency": [], "errors": [], "kinds": {}, "cpu": cpu}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.monotonic() < stop_at and sent < args.requests:
            sent += 1
            kind, method, path, body, expected = workload.next()
            t0 = time.perf_counter()
            try:
                r = await client.request(method, path, json=body)
                elapsed = time.perf_counter() - t0
                if r.status_code != expected:
                    window["errors"].append(f"{kind} {path}: {r.status_code} {r.text[:120]}")
                elif kind == "query":
                    workload.learn(r.json())
            except httpx.HTTPError as exc:
                elapsed = time.perf_counter() - t0
                window["errors"].append(f"{kind} {path}: {type(exc).__name__}")
            window["latency"].append(elapsed)
            window["kinds"][kind] = window["kinds"].get(kind, 0) + 1

    async def windows_clock() -> None:
        next_close = started + args.window
        while time.monotonic() < stop_at and sent < args.requests:
            await asyncio.sleep(max(0.0, min(next_close, stop_at) - time.monotonic()))
            if time.monotonic() >= next_close:
                close_window(time.monotonic())
                next_close += args.window

    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(windows_clock(), *(worker(client) for _ in range(args.concurrency)))
    if window["latency"]:
        close_window(time.monotonic())
    return windows


def verdict(windows: list[dict], window_s: float) -> dict:
    """Full windows only (the tail window is partial); 'settled' is the second, after warm-up. The RSS slope is
    a least-squares fit over the second half of the run, in MB per 1,000 requests."""
    full = [w for w in windows if w["t_end_s"] >= w["window"] * window_s - 1] or windows
    settled = full[1] if len(full) > 2 else full[0]
    last = full[-1]
    half = full[len(full) // 2:]
    done = np.cumsum([w["requests"] for w in full])[len(full) // 2:]
    slope = float(np.polyfit(done, [w["rss_mb"] for w in half], 1)[0]) * 1000 if len(half) >= 2 else None
    p95 = [w["p95_ms"] for w in full if w["p95_ms"] is not None]
    return {"requests": sum(w["requests"] for w in windows), "errors": sum(w["errors"] for w in windows),
            "rss_first_mb": full[0]["rss_mb"], "rss_settled_mb": settled["rss_mb"], "rss_last_mb": last["rss_mb"],
            "rss_growth_after_warmup_mb": round(last["rss_mb"] - settled["rss_mb"], 1),
            "rss_slope_second_half_mb_per_1k_requests": round(slope, 3) if slope is not None else None,
            "p95_settled_ms": settled["p95_ms"], "p95_last_ms": last["p95_ms"], "p95_range_ms": [min(p95), max(p95)],
            "p50_range_ms": [min(w["p50_ms"] for w in full), max(w["p50_ms"] for w in full)],
            "server_cpu_ms_per_request": [settled["server_cpu_ms_per_request"], last["server_cpu_ms_per_request"]],
            "open_files": [full[0]["open_files"], last["open_files"]], "threads": [full[0]["threads"],
                                                                                   last["threads"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=None, help="Index to serve [bundled corpus, cached].")
    parser.add_argument("--duration", type=float, default=300, help="Stop after this many seconds [300].")
    parser.add_argument("--requests", type=int, default=50_000, help="Stop after this many requests [50000].")
    parser.add_argument("--window", type=float, default=30, help="Seconds per reporting window [30].")
    parser.add_argument("--concurrency", type=int, default=4, help="Requests in flight [4].")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    index = args.index or seed_index()
    questions = [json.loads(line)["question"] for line in (ROOT / "labels" / "seed_questions.jsonl").read_text()
                 .splitlines() if line.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "soak-server.log"
    print(f"# soak: {os.cpu_count()} cores, load {[round(x, 2) for x in os.getloadavg()]}, index {index}, "
          f"{args.concurrency} in flight, {args.duration:g} s or {args.requests} requests, windows of "
          f"{args.window:g} s; server log {log}", flush=True)
    with serve(index, log=log) as server:
        windows = asyncio.run(soak(server.base, server.pid, args, questions))
    summary = verdict(windows, args.window)
    print(json.dumps({"summary": summary}), flush=True)
    with open(OUT / "soak.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "args": {
            k: str(v) for k, v in vars(args).items()}, "windows": windows, "summary": summary}) + "\n")
    if summary["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
