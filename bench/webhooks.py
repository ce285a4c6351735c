"""P5: webhook delivery throughput from a backlog, and intake latency with a dead receiver.

Run: .venv/bin/python -m bench.webhooks [--events 10000] [--workers 2] [--json]

Needs PostgreSQL (WIJKWINKEL_BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1/
wijkwinkel_bench, recreated). Everything runs on loopback and stops by itself.

1. Backlog: N intakes are created through the service layer (each makes a referral, an outbox
   event and a delivery for the corporatie's subscription), then `wijkwinkel worker --once`
   processes drain it against a local receiver that answers 204. Deliveries per second =
   N / drain time. Baseline in the same run: the same receiver, the same number of requests
   from one plain HTTP client with the same concurrency, no database: the ratio shows what the
   queue costs on top of HTTP.
2. Intake latency: `wijkwinkel serve` plus a worker; 300 sequential POST /api/v1/intakes with the
   subscription pointing at a live receiver, then at a dead one (a port that accepts and never
   answers). p50/p99 of both.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.database import reset_database, stop

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/wijkwinkel_bench"


class Quick(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    request_queue_size = 1024  # socketserver's default backlog of 5 drops bursts
    daemon_threads = True


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    server = Server(("127.0.0.1", 0), Quick)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def start_black_hole() -> tuple[socket.socket, str]:
    """Accepts connections and never answers: the worst kind of dead receiver."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "WIJKWINKEL_DATABASE_URL": url,
        "WIJKWINKEL_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "WIJKWINKEL_LOG_LEVEL": "warning",
        "WIJKWINKEL_RATE_LIMIT_PER_MINUTE": "0",  # the load is ours, not an attack
        **extra,
    }


def seed(url: str, receiver_url: str, events: int) -> dict[str, str]:
    """Demo organisations, a subscription for the corporatie, and `events` intakes."""
    os.environ.update(env(url))
    from sqlmodel import Session

    from app import models

    models.install()
    from app import demo
    from app.auth import api_keys
    from app.classification.schemas import Domain
    from app.core.database import get_engine
    from app.flows import intake as flow
    from app.intakes.schemas import Channel, IntakeCreate
    from app.webhooks import service as webhooks

    with Session(get_engine(), expire_on_commit=False) as s:
        result = demo.seed(session=s)
        s.commit()
        keys = {o["type"]: o["api_key"] for o in result["organisations"]}
        ids = {o["type"]: o["id"] for o in result["organisations"]}
        from datetime import timedelta

        thuiszorg = api_keys.authenticate(
            session=s, token=keys["thuiszorg"], last_used_resolution=timedelta(days=1)
        )
        sub = webhooks.create(
            session=s,
            organisation_id=__import__("uuid").UUID(ids["corporatie"]),
            url=receiver_url,
            event_types=[],
        )
        s.commit()
        for i in range(events):
            flow.record(
                session=s,
                principal=thuiszorg,
                request=IntakeCreate(
                    question=f"Lekkage in de badkamer ({i})",
                    channel=Channel.telefoon,
                    consent=True,
                    domains=[Domain.wonen],
                ),
            )
            if i % 500 == 499:
                s.commit()
        s.commit()
    return {**keys, "subscription": str(sub.id)}


def drain(url: str, workers: int) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--once"],
            env=env(url, WIJKWINKEL_WORKER_BATCH_SIZE="200", WIJKWINKEL_WORKER_CONCURRENCY="32"),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for p in procs:
        p.wait(timeout=900)
    return time.perf_counter() - start


def baseline(receiver_url: str, requests: int, concurrency: int) -> float:
    body = json.dumps({"type": "referral.created", "data": {"x": 1}}).encode()
    with httpx.Client(timeout=15) as client, ThreadPoolExecutor(concurrency) as pool:
        start = time.perf_counter()
        list(pool.map(lambda _: client.post(receiver_url, content=body), range(requests)))
        return requests / (time.perf_counter() - start)


def intake_latency(url: str, keys: dict[str, str], target: str, n: int) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE webhook_subscriptions SET url = :u"), {"u": target})
    engine.dispose()
    port = 8123
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env(url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env(url, WIJKWINKEL_WEBHOOK_TIMEOUT_SECONDS="15"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(100):
                try:
                    if c.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            headers = {"Authorization": f"Bearer {keys['thuiszorg']}"}
            body = {
                "question": "Lekkage",
                "channel": "telefoon",
                "consent": True,
                "domains": ["wonen"],
            }
            for _ in range(20):  # warm up
                c.post("/intakes", json=body, headers=headers)
            times = []
            for _ in range(n):
                t = time.perf_counter()
                r = c.post("/intakes", json=body, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 201, r.text
        times.sort()
        return {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        }
    finally:
        for p in (worker, server):
            stop(p)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-requests", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("WIJKWINKEL_BENCH_DATABASE_URL", DEFAULT_URL)

    receiver, receiver_url = start_receiver()
    reset_database(url, env(url))
    t = time.perf_counter()
    keys = seed(url, receiver_url, args.events)
    seeded = time.perf_counter() - t
    drained = drain(url, args.workers)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        delivered = conn.execute(
            text("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")
        ).scalar()
    engine.dispose()
    base = baseline(receiver_url, min(args.events, 5000), 32 * args.workers)

    hole, hole_url = start_black_hole()
    live = intake_latency(url, keys, receiver_url, args.latency_requests)
    dead = intake_latency(url, keys, hole_url, args.latency_requests)
    hole.close()
    receiver.shutdown()

    result = {
        "events": args.events,
        "seed_seconds": round(seeded, 1),
        "workers": args.workers,
        "drain_seconds": round(drained, 2),
        "delivered": delivered,
        "deliveries_per_s": round(args.events / drained),
        "baseline_plain_http_per_s": round(base),
        "ratio_to_baseline": round(args.events / drained / base, 3),
        "intake_live_receiver": live,
        "intake_dead_receiver": dead,
    }
    print(
        json.dumps(result, indent=2)
        if args.json
        else "\n".join(f"{k:28} {v}" for k, v in result.items())
    )


if __name__ == "__main__":
    main()
