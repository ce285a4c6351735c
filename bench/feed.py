"""P2: a partner's feed page (100 referrals) with 10,000 and with 1,000,000 referrals in the table.

Run: .venv/bin/python -m bench.feed [--small 10000] [--large 1000000] [--requests 60] [--runs 3]
     [--json]

Needs PostgreSQL (WIJKWINKEL_BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1/
wijkwinkel_bench_feed, recreated for each size). Everything runs on loopback and stops by itself.

For each size: the demo organisations, then that many referrals spread over five organisations
(the corporatie holds a fifth), seeded inside PostgreSQL as for P3, `VACUUM ANALYZE`; then
`wijkwinkel serve` on a loopback port and an httpx client that, as the corporatie, asks for
pages of 100: the first page of the feed (cursor at the start), a page from the middle, the
newest page, and a page filtered by status. Each `--requests` times after a warm-up; p50 and p90;
that `--runs` times, each with a fresh server, and the median of the runs.
Baseline in the same run: GET /api/v1/health. The figure: p50 at the large size divided by p50 at
the small size, per page kind (target <= 1.5).
"""

import argparse
import json
import os
import statistics
import time
from typing import Any

import httpx

from bench.database import reset_database, serving
from bench.stats import REFERRAL_SQL, SEED_SQL, p, timed

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/wijkwinkel_bench_feed"
PORT = 8127


def env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "WIJKWINKEL_DATABASE_URL": url,
        "WIJKWINKEL_LOG_LEVEL": "warning",
        "WIJKWINKEL_RATE_LIMIT_PER_MINUTE": "0",
    }


def cursor_at(position: int) -> str:
    # The feed's cursor is the last position seen, base64url-encoded (app/referrals/feed.py).
    from app.referrals.feed import encode_cursor

    return encode_cursor(position)


def seed(url: str, referrals: int) -> dict[str, Any]:
    """Demo organisations and areas, then `referrals` referrals (one per intake)."""
    os.environ.update(env(url))
    from sqlalchemy import text
    from sqlmodel import Session

    from app import models

    models.install()
    from app import demo
    from app.areas import service as areas
    from app.core.database import dispose_engine, get_engine

    n = int(referrals / 0.95) + 1  # as in P3: 5% of the intakes get no referral
    with Session(get_engine(), expire_on_commit=False) as s:
        result = demo.seed(session=s)
        s.commit()
        ids = {o["type"]: o["id"] for o in result["organisations"]}
        area_ids = [str(a.id) for a, _ in areas.list_areas(session=s)]
        s.execute(
            text(SEED_SQL),
            {
                "n": n,
                "thuiszorg": ids["thuiszorg"],
                "a1": area_ids[0],
                "a2": area_ids[1],
                "a3": area_ids[2],
            },
        )
        s.execute(text(REFERRAL_SQL), {"n": n, **ids})
        s.execute(text("UPDATE feed_counters SET value = (SELECT max(feed_seq) FROM referrals)"))
        s.commit()
        first, last, mine = s.execute(
            text(
                "SELECT min(feed_seq), max(feed_seq), count(*) FROM referrals"
                " WHERE organisation_id = :o"
            ),
            {"o": ids["corporatie"]},
        ).one()
        total = s.execute(text("SELECT count(*) FROM referrals")).scalar_one()
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    dispose_engine()  # the next size drops this database
    return {
        "keys": {o["type"]: o["api_key"] for o in result["organisations"]},
        "first": first,
        "last": last,
        "mine": mine,
        "total": total,
    }


def measure(url: str, seeded: dict[str, Any], n: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {seeded['keys']['corporatie']}"}
    middle = (seeded["first"] + seeded["last"]) // 2
    pages = {
        "first page": {"limit": "100"},
        "page from the middle": {"limit": "100", "cursor": cursor_at(middle)},
        # The corporatie holds about 3 of every 20 positions: this leaves some 150 to read.
        "newest page": {"limit": "100", "cursor": cursor_at(seeded["last"] - 1000)},
        "status=requested, from the start": {"limit": "100", "status": "requested"},
    }
    with serving(env(url), PORT) as base, httpx.Client(base_url=base, timeout=60) as c:
        health = timed(c, "/health", {}, {}, n)
        out: dict[str, Any] = {"health_p50_ms": p(health, 0.5)}
        for name, params in pages.items():
            page = c.get("/referrals", params=params, headers=headers).json()
            assert len(page["data"]) == 100, (name, len(page["data"]))
            times = timed(c, "/referrals", params, headers, n)
            out[name] = {"p50_ms": p(times, 0.5), "p90_ms": p(times, 0.9)}
    return out


def run_size(url: str, referrals: int, n: int, runs: int) -> dict[str, Any]:
    """Seed once, then measure `runs` times (a fresh server each time); medians of the runs."""
    reset_database(url, env(url))
    start = time.perf_counter()
    seeded = seed(url, referrals)
    seed_seconds = round(time.perf_counter() - start, 1)
    measured = [measure(url, seeded, n) for _ in range(runs)]
    result: dict[str, Any] = {
        "health_p50_ms": statistics.median(m["health_p50_ms"] for m in measured)
    }
    for kind in (k for k, v in measured[0].items() if isinstance(v, dict)):
        result[kind] = {
            q: statistics.median(m[kind][q] for m in measured) for q in ("p50_ms", "p90_ms")
        }
        result[kind]["p50_ms_per_run"] = [m[kind]["p50_ms"] for m in measured]
    result["referrals"] = seeded["total"]
    result["corporatie_referrals"] = seeded["mine"]
    result["seed_seconds"] = seed_seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3, help="measurements per size")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("WIJKWINKEL_BENCH_DATABASE_URL", DEFAULT_URL)
    small = run_size(url, args.small, args.requests, args.runs)
    large = run_size(url, args.large, args.requests, args.runs)
    kinds = [k for k in small if isinstance(small[k], dict)]
    ratios = {k: round(large[k]["p50_ms"] / small[k]["p50_ms"], 2) for k in kinds}
    result = {
        "small": small,
        "large": large,
        "ratios": ratios,
        "worst_ratio": max(ratios.values()),
        "health_ratio": round(large["health_p50_ms"] / small["health_p50_ms"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for k in kinds:
        print(
            f"{k}: {small[k]['p50_ms']} ms at {small['referrals']:,} referrals, "
            f"{large[k]['p50_ms']} ms at {large['referrals']:,}: ratio {ratios[k]}"
        )
    print(f"worst ratio {result['worst_ratio']} (target <= 1.5)")


if __name__ == "__main__":
    main()
