"""P1: intake throughput and latency at 32 concurrent clients, with the same server's
GET /api/v1/health rate in the same run as the baseline. `make bench` runs it three times.

Run: .venv/bin/python -m bench.intake [--seconds 15] [--clients 32] [--workers 2] [--json]

Needs PostgreSQL (WIJKWINKEL_BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1/
wijkwinkel_bench_intake, recreated). `wijkwinkel serve` runs as a separate process on loopback;
the load comes from an httpx asyncio client in this process; both stop by themselves.

Each phase: a short warm-up, then `--clients` tasks send requests back to back for `--seconds`.
Reported: requests per second, p50 and p99 latency. The intake is the full write path: auth,
classification, routing, referrals, feed position, outbox event, access log. Ratio = intakes/s
divided by health/s (target >= 0.30, with intake p99 < 100 ms).
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from bench.database import ROOT, reset_database, serving

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/wijkwinkel_bench_intake"
PORT = 8125
QUESTIONS = [
    "Mevrouw slaapt beneden omdat de badkamer boven is; de trap lukt niet meer.",
    "Ik heb een lekkage in de keuken en de verhuurder reageert niet.",
    "Mijn moeder vergeet haar medicijnen en eet slecht sinds vader overleden is.",
    "Ik kom rond van een uitkering maar de schulden lopen op, wie kan helpen met de post?",
    "Meneer zit de hele dag alleen thuis en zou graag eens iemand spreken.",
]


def env(url: str, workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "WIJKWINKEL_DATABASE_URL": url,
        "WIJKWINKEL_LOG_LEVEL": "warning",
        "WIJKWINKEL_WORKERS": str(workers),
        # The load is ours, not an attack.
        "WIJKWINKEL_RATE_LIMIT_PER_MINUTE": "0",
        "WIJKWINKEL_AUTH_FAILURES_PER_MINUTE": "0",
    }


def demo_keys(url: str, workers: int) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--json"],
        env=env(url, workers),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {o["type"]: o["api_key"] for o in json.loads(out)["organisations"]}


async def load(
    base: str, path: str, seconds: float, clients: int, body: Any, headers: dict[str, str]
) -> dict[str, float]:
    times: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one(i: int) -> None:
            nonlocal errors
            start = time.perf_counter()
            if body is None:
                r = await client.get(path, headers=headers)
            else:
                payload = {**body, "question": QUESTIONS[i % len(QUESTIONS)]}
                r = await client.post(path, json=payload, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            if r.status_code >= 400:
                errors += 1

        async def worker(w: int, until: float) -> None:
            i = w
            while time.perf_counter() < until:
                await one(i)
                i += clients

        warm = time.perf_counter() + 2
        await asyncio.gather(*(worker(w, warm) for w in range(clients)))
        times.clear()
        errors = 0
        begin = time.perf_counter()
        await asyncio.gather(*(worker(w, begin + seconds) for w in range(clients)))
        elapsed = time.perf_counter() - begin
    times.sort()
    return {
        "requests": len(times),
        "per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[max(0, int(len(times) * 0.99) - 1)], 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("WIJKWINKEL_BENCH_DATABASE_URL", DEFAULT_URL)
    reset_database(url, env(url, args.workers))
    keys = demo_keys(url, args.workers)
    with serving(env(url, args.workers), PORT) as base:
        headers = {"Authorization": f"Bearer {keys['thuiszorg']}"}
        body = {"channel": "signalering", "postcode": "3811 AB", "consent": True}
        health = asyncio.run(load(base, "/health", args.seconds, args.clients, None, {}))
        intake = asyncio.run(load(base, "/intakes", args.seconds, args.clients, body, headers))
    result = {
        "clients": args.clients,
        "server_processes": args.workers,
        "health": health,
        "intake": intake,
        "ratio": round(intake["per_second"] / health["per_second"], 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"health: {health}")
    print(f"intake: {intake}")
    print(f"ratio intakes/s to health/s: {result['ratio']} (target >= 0.30, p99 < 100 ms)")


if __name__ == "__main__":
    main()
