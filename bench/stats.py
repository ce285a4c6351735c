"""P3: the gemeente dashboard over 1,000,000 referrals on PostgreSQL.

Run: .venv/bin/python -m bench.stats [--referrals 1000000] [--requests 40] [--json]

Needs PostgreSQL (WIJKWINKEL_BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1/
wijkwinkel_bench_stats, recreated). Everything runs on loopback and stops by itself.

1. Seed: the demo organisations and areas, then N intakes with one referral each, spread over
   two years, written by INSERT ... SELECT from generate_series inside PostgreSQL (a minute or
   two for a million), plus 5% unreferred intakes (no consent). Then VACUUM ANALYZE.
2. Measure: `wijkwinkel serve` on a loopback port; each query is asked a few times to warm up,
   then `--requests` times in a row; p50 and p90 of the wall time seen by an httpx client.
   Baseline in the same run: GET /api/v1/health (authentication-free, no database), whose p50
   is the floor of any request; the ratio query/health shows what the aggregation costs.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.database import reset_database, serving

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/wijkwinkel_bench_stats"
PORT = 8124

QUERIES: list[tuple[str, dict[str, str]]] = [
    (
        "domain × month, one year (the dashboard's main chart)",
        {"group_by": "domain,month", "from": "2025-11-01", "to": "2026-10-31"},
    ),
    (
        "area × status, one year",
        {"group_by": "area,status", "from": "2025-11-01", "to": "2026-10-31"},
    ),
    (
        "organisation_type × outcome, one quarter",
        {"group_by": "organisation_type,outcome", "from": "2026-07-01", "to": "2026-09-30"},
    ),
    ("subcategory, all time", {"group_by": "subcategory"}),
    (
        "domain × week, one area, one year",
        {"group_by": "domain,week", "from": "2025-11-01", "to": "2026-10-31", "area": "AREA"},
    ),
]


def env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "WIJKWINKEL_DATABASE_URL": url,
        "WIJKWINKEL_LOG_LEVEL": "warning",
        "WIJKWINKEL_RATE_LIMIT_PER_MINUTE": "0",  # the load is ours, not an attack
    }


# One referral per intake; columns drawn from the series number with hashes, so the data is
# the same on every run. Statuses roughly as a working deployment would have them.
SEED_SQL = """
INSERT INTO intakes (id, organisation_id, question, channel, postcode, pc4, area_id, consent,
    consent_types, domains, domains_source, classification, classifier_version, urgent,
    urgent_reasons, status, created_at, updated_at)
SELECT md5('i' || g)::uuid, :thuiszorg, 'benchmark', (ARRAY['balie','telefoon','email',
    'huisbezoek','signalering'])[1 + g % 5], NULL, NULL,
    (ARRAY[:a1, :a2, :a3, NULL]::uuid[])[1 + (g / 7) % 4], true,
    '["corporatie", "gemeente", "thuiszorg", "welzijn", "zorgcooperatie"]', '[]', 'classifier',
    '{}', 'bench', false, '[]', 'open',
    TIMESTAMPTZ '2024-11-24 00:00+00' + (g::float8 / :n) * INTERVAL '730 days',
    TIMESTAMPTZ '2024-11-24 00:00+00' + (g::float8 / :n) * INTERVAL '730 days'
FROM generate_series(1, :n) AS g
"""

REFERRAL_SQL = """
INSERT INTO referrals (id, intake_id, organisation_id, domain, status, routed_by, outcome,
    urgent, due_at, complete_due_at, version, feed_seq, subcategory, channel, area_id,
    created_month, created_week, accepted_at, created_at, updated_at, closed_at)
SELECT md5('r' || g)::uuid, i.id, o.id, o.domain, s.status, 'area',
    CASE WHEN s.status = 'completed'
         THEN (ARRAY['geholpen','doorverwezen','geen_hulp_nodig','niet_bereikbaar',
                     'wachtlijst'])[1 + (g / 3) % 5] END,
    g % 50 = 0, i.created_at + INTERVAL '3 days', i.created_at + INTERVAL '30 days', 1, g,
    (ARRAY['a','b','c','d','e'])[1 + (g / 11) % 5] || '_' || o.domain,
    i.channel, i.area_id,
    to_char(i.created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM'),
    to_char(i.created_at AT TIME ZONE 'Europe/Amsterdam', 'IYYY-"W"IW'),
    CASE WHEN s.status IN ('accepted','in_progress','on_hold','completed')
         THEN i.created_at + ((g::bigint * 7919) % 200) * INTERVAL '1 hour' END,
    i.created_at, i.created_at,
    CASE WHEN s.status IN ('completed','rejected','cancelled')
         THEN i.created_at + ((g::bigint * 104729) % 1500 + 200) * INTERVAL '1 hour' END
FROM generate_series(1, :n) AS g
JOIN intakes i ON i.id = md5('i' || g)::uuid
JOIN (VALUES (0, CAST(:corporatie AS uuid), 'wonen'), (1, CAST(:thuiszorg AS uuid), 'zorg'),
             (2, CAST(:welzijn AS uuid), 'welzijn'), (3, CAST(:gemeente AS uuid), 'welzijn'),
             (4, CAST(:zorgcooperatie AS uuid), 'zorg'))
     AS o(k, id, domain) ON o.k = g % 5
JOIN (VALUES (0, 'completed'), (1, 'completed'), (2, 'completed'), (3, 'in_progress'),
             (4, 'accepted'), (5, 'rejected'), (6, 'requested'), (7, 'received'),
             (8, 'on_hold'), (9, 'cancelled'))
     AS s(k, status) ON s.k = (g / 5) % 10
WHERE g % 20 <> 0
"""

UNREFERRED_SQL = """
INSERT INTO unreferred_signals (id, intake_id, domain, subcategory, reason, channel, area_id,
    created_at, created_month, created_week)
SELECT md5('u' || i.id::text)::uuid, i.id, 'wonen', NULL, 'no_consent', i.channel, i.area_id,
    i.created_at, to_char(i.created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM'),
    to_char(i.created_at AT TIME ZONE 'Europe/Amsterdam', 'IYYY-"W"IW')
FROM intakes i WHERE NOT EXISTS (SELECT 1 FROM referrals r WHERE r.intake_id = i.id)
"""


def seed(url: str, n: int) -> dict[str, Any]:
    """Demo organisations and areas, n intakes, 95% with a referral, the rest unreferred."""
    os.environ.update(env(url))
    from sqlalchemy import text
    from sqlmodel import Session

    from app import models

    models.install()
    from app import demo
    from app.areas import service as areas
    from app.core.database import get_engine

    # The referrals are 95% of the intakes: make enough intakes for n referrals.
    intakes = int(n / 0.95) + 1
    with Session(get_engine(), expire_on_commit=False) as s:
        result = demo.seed(session=s)
        s.commit()
        ids = {o["type"]: o["id"] for o in result["organisations"]}
        area_ids = [str(a.id) for a, _ in areas.list_areas(session=s)]
        start = time.perf_counter()
        s.execute(
            text(SEED_SQL),
            {
                "n": intakes,
                "thuiszorg": ids["thuiszorg"],
                "a1": area_ids[0],
                "a2": area_ids[1],
                "a3": area_ids[2],
            },
        )
        s.execute(text(REFERRAL_SQL), {"n": intakes, **ids})
        s.execute(text(UNREFERRED_SQL))
        s.execute(text("UPDATE feed_counters SET value = (SELECT max(feed_seq) FROM referrals)"))
        s.commit()
        counts = {
            t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("intakes", "referrals", "unreferred_signals")
        }
    seed_seconds = time.perf_counter() - start
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    cube_seconds = build_cube()
    return {
        "seconds": round(seed_seconds, 1),
        "cube_seconds": cube_seconds,
        "counts": counts,
        "keys": {o["type"]: o["api_key"] for o in result["organisations"]},
        "area": area_ids[0],
    }


def build_cube() -> float:
    """The first build of the statistics cube, as the worker would do it after an upgrade."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.core.database import get_engine
    from app.stats import cube

    start = time.perf_counter()
    with Session(get_engine()) as s:
        cube.reset(s)
        cube.refresh(s)
        s.commit()
    seconds = round(time.perf_counter() - start, 1)
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE stats_cube"))
    return seconds


def rebuild_one_period() -> dict[str, float]:
    """What a request pays when it finds the cube stale after a change: one month and one week
    rebuilt (the busiest ones: October 2026, week 41)."""
    from sqlmodel import Session

    from app.core.database import get_engine
    from app.core.types import utcnow
    from app.stats import cube

    out = {}
    with Session(get_engine()) as s:
        for grain, period in (("month", "2026-10"), ("week", "2026-W41")):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                cube._rebuild(s, grain, period, utcnow())
                times.append((time.perf_counter() - start) * 1000)
            out[f"rebuild_{grain}_ms"] = round(statistics.median(times), 1)
        s.commit()
    return out


def timed(
    client: httpx.Client, path: str, params: dict[str, str], headers: dict[str, str], n: int
) -> list[float]:
    for _ in range(3):  # warm up: plans, caches
        assert client.get(path, params=params, headers=headers).status_code == 200
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path, params=params, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return sorted(times)


def p(times: list[float], q: float) -> float:
    return round(times[min(len(times) - 1, int(q * len(times)))], 1)


def measure(url: str, seeded: dict[str, Any], n: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {seeded['keys']['gemeente']}"}
    with serving(env(url), PORT) as base, httpx.Client(base_url=base, timeout=60) as c:
        health = timed(c, "/health", {}, {}, n)
        out = []
        for name, params in QUERIES:
            params = {k: (seeded["area"] if v == "AREA" else v) for k, v in params.items()}
            times = timed(c, "/stats/referrals", params, headers, n)
            out.append(
                {
                    "query": name,
                    "params": params,
                    "p50_ms": p(times, 0.5),
                    "p90_ms": p(times, 0.9),
                    "ratio_to_health": round(
                        statistics.median(times) / statistics.median(health), 1
                    ),
                }
            )
        csv_params = {**QUERIES[0][1], "format": "csv"}
        csv_times = timed(c, "/stats/referrals", csv_params, headers, n)
    return {
        "health_p50_ms": p(health, 0.5),
        "queries": out,
        "csv_domain_month_p50_ms": p(csv_times, 0.5),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="skip seeding: use the database as is")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("WIJKWINKEL_BENCH_DATABASE_URL", DEFAULT_URL)
    if args.reuse:
        os.environ.update(env(url))
        from sqlalchemy import text
        from sqlmodel import Session

        from app.areas import service as areas
        from app.core.database import get_engine
        from app.organisations import service as organisations
        from app.organisations.models import OrganisationType

        with Session(get_engine()) as s:
            gemeente = next(
                o
                for o in organisations.list_organisations(session=s)
                if o.type == OrganisationType.gemeente
            )
            from app.auth import api_keys
            from app.auth.scopes import Scope

            _, key = api_keys.create_key(
                session=s, organisation_id=gemeente.id, name="bench", scopes=[Scope.stats_read]
            )
            area = str(areas.list_areas(session=s)[0][0].id)
            counts = {
                t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("intakes", "referrals", "unreferred_signals")
            }
            s.commit()
        seeded: dict[str, Any] = {
            "keys": {"gemeente": key},
            "area": area,
            "counts": counts,
            "seconds": None,
            "cube_seconds": build_cube(),
        }
    else:
        reset_database(url, env(url))
        seeded = seed(url, args.referrals)
    result = {
        "seed_seconds": seeded["seconds"],
        "cube_build_seconds": seeded["cube_seconds"],
        "rows": seeded["counts"],
        **measure(url, seeded, args.requests),
        **rebuild_one_period(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"seeded {seeded['counts']} in {seeded['seconds']} s")
    print(f"statistics cube built in {seeded['cube_seconds']} s")
    print(f"GET /health p50 {result['health_p50_ms']} ms (baseline)")
    for q in result["queries"]:
        ratio = q["ratio_to_health"]
        print(f"{q['query']}: p50 {q['p50_ms']} ms, p90 {q['p90_ms']} ms, {ratio}× health")
    print(f"CSV domain × month: p50 {result['csv_domain_month_p50_ms']} ms")
    month, week = result["rebuild_month_ms"], result["rebuild_week_ms"]
    print(f"rebuilding one month / one week: {month} / {week} ms")


if __name__ == "__main__":
    main()
