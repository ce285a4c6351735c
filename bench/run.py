"""`make bench`: run P1–P5 against PostgreSQL and write docs/performance.md.

Run: .venv/bin/python -m bench.run [--quick] [--runs 3] [--output docs/performance.md]

Each figure comes from its own module (bench/intake.py, feed.py, stats.py, classifier.py,
webhooks.py), started as a separate process with `--json` and a time limit, so one that hangs
cannot hold up the rest; a step that fails or runs out of time is reported as such in the
document, and the command exits non-zero. Everything runs on loopback. `--quick` uses small
sizes (a smoke test of the harness in a few minutes, not figures to publish).

The analysis (what the profiles show, what was tried, capacity) is written by people in
docs/performance-notes.md and copied in below the figures.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import ROOT

PG_URL = "postgresql+psycopg://postgres@127.0.0.1"
STEPS = ("p1", "p2", "p3", "p4", "p5")


def step(module: str, args: list[str], timeout: float, database: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if database:
        env["WIJKWINKEL_BENCH_DATABASE_URL"] = f"{PG_URL}/{database}"
    command = [sys.executable, "-m", f"bench.{module}", *args, "--json"]
    print(f"--- {' '.join(command[1:])}", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    seconds = round(time.perf_counter() - start, 1)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: {' / '.join(tail)}", "seconds": seconds}
    # The JSON document is the last thing printed (migrations may print before it).
    out = done.stdout[done.stdout.index("{") :]
    result: dict[str, Any] = json.loads(out)
    result["seconds"] = seconds
    return result


def repeated(
    n: int,
    module: str,
    args: list[str],
    timeout: float,
    database: str | None,
    summary: Callable[[list[dict[str, Any]]], dict[str, Any]],
) -> dict[str, Any]:
    """`n` runs of one step and their summary, or the first run's error."""
    runs = [step(module, args, timeout, database) for _ in range(n)]
    failed = [r for r in runs if "error" in r]
    return failed[0] if failed else {"runs": runs, **summary(runs)}


def median_of(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value[key]
        values.append(float(value))
    return round(statistics.median(values), 3)


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    try:
        postgres = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        postgres = "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        # The interpreter's build moves P4 by a fifth or more: say what is known of it. Only the
        # configure flags are (a distribution may optimise without listing the flag there).
        "python_build": (
            "configured with --enable-optimizations"
            if "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or "")
            else "configure flags do not list --enable-optimizations"
        ),
        "postgresql": postgres,
        "commit": commit,
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def ok(value: float, target: float, *, below: bool) -> str:
    met = value <= target if below else value >= target
    if met:
        return "met"
    if below and value >= 2 * target:
        return f"**missed**: {value / target:.1f} × the target"
    short = (value / target - 1) if below else (1 - value / target)
    return f"**missed** by {abs(short):.0%}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def fmt(n: float, unit: str = "") -> str:
    return f"{n:,.1f}{unit}" if n < 100 else f"{n:,.0f}{unit}"


def earlier(result: dict[str, Any]) -> list[str]:
    """A note for figures kept from an earlier run (`--only`)."""
    return [f"*Kept from the run of {result['from']}.*", ""] if result.get("from") else []


def render(results: dict[str, Any], info: dict[str, str], quick: bool, runs: int) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit the figures by hand. The",
        "analysis below them comes from `docs/performance-notes.md`.",
        "",
        f"Measured {results['date']} on: {info['cpu']}, {info['cores']} cores, {info['memory']},"
        f" Python {info['python']} ({info.get('python_build', 'build unknown')}),"
        f" PostgreSQL {info['postgresql']}, commit {info['commit']};"
        f" load average before {info['load_before']}, after {results['load_after']}.",
        "The server, PostgreSQL and the load generator share these cores, so every figure is",
        "given next to a baseline measured in the same run (a ratio), and P1, P2 and P4 are",
        f"medians of {plural(runs, 'run')}.",
    ]
    if quick:
        lines += ["", "**Quick run (`--quick`): small sizes, not the published figures.**"]

    p1 = results["p1"]
    lines += ["", "## P1 — intake write path", "", *earlier(p1)]
    if "error" in p1:
        lines += [f"Failed: {p1['error']}"]
    else:
        lines += [
            f"Command: `python -m bench.intake --seconds {p1['seconds_each']:g} --clients 32"
            f" --workers {p1['server_processes']}` ({plural(runs, 'run')}). Method: a fresh"
            " database with the demo organisations; `wijkwinkel serve` as a separate process;"
            " an httpx asyncio load generator (another process) keeps 32 requests in flight"
            " for the whole measurement, after a 2-second warm-up; first against"
            " `GET /api/v1/health`, then `POST /api/v1/intakes` as the thuiszorg (auth,"
            " classify, route, referrals, feed position, outbox event and webhook fan-out,"
            " access log).",
            "",
            "| figure | median | per run | target |",
            "|---|---|---|---|",
            f"| health requests/s | {fmt(p1['health_per_second'])} | "
            f"{', '.join(fmt(r['health']['per_second']) for r in p1['runs'])} | — |",
            f"| intakes/s | {fmt(p1['intake_per_second'])} | "
            f"{', '.join(fmt(r['intake']['per_second']) for r in p1['runs'])} | — |",
            f"| **ratio intakes/s : health/s** | **{p1['ratio']:.2f}** | "
            f"{', '.join(format(r['ratio'], '.2f') for r in p1['runs'])} | ≥ 0.30: "
            f"{ok(p1['ratio'], 0.30, below=False)} |",
            f"| intake p50 | {fmt(p1['intake_p50_ms'], ' ms')} | "
            f"{', '.join(fmt(r['intake']['p50_ms']) for r in p1['runs'])} | — |",
            f"| **intake p99** | **{fmt(p1['intake_p99_ms'], ' ms')}** | "
            f"{', '.join(fmt(r['intake']['p99_ms']) for r in p1['runs'])} | < 100 ms: "
            f"{ok(p1['intake_p99_ms'], 100, below=True)} |",
            f"| health p50 / p99 | {fmt(p1['health_p50_ms'], ' ms')} /"
            f" {fmt(p1['health_p99_ms'], ' ms')} | | — |",
            f"| errors | {p1['errors']} | | 0 |",
        ]

    p2 = results["p2"]
    lines += ["", "## P2 — partner feed page", "", *earlier(p2)]
    if "error" in p2:
        lines += [f"Failed: {p2['error']}"]
    else:
        small, large = p2["small"], p2["large"]
        lines += [
            f"Command: `python -m bench.feed --small {p2['sizes'][0]} --large {p2['sizes'][1]}"
            f" --runs {runs}`. Method: for each size a fresh database, the demo organisations,"
            " then the referrals seeded inside PostgreSQL over five organisations (the"
            f" corporatie holds {small['corporatie_referrals']:,} of {small['referrals']:,} and"
            f" {large['corporatie_referrals']:,} of {large['referrals']:,}), `VACUUM ANALYZE`;"
            " `wijkwinkel serve`; the corporatie asks for pages of 100, each kind 60 times after"
            f" a warm-up; that {plural(runs, 'time')} with a fresh server, median of the runs."
            " Ratio: p50 at the large size over p50 at the small size.",
            "",
            "| page of 100 | p50, small | p50, large | ratio | target |",
            "|---|---|---|---|---|",
        ]
        for kind in p2["ratios"]:
            lines.append(
                f"| {kind} | {fmt(p2['small_p50'][kind], ' ms')} |"
                f" {fmt(p2['large_p50'][kind], ' ms')} | {p2['ratios'][kind]:.2f} |"
                f" ≤ 1.5: {ok(p2['ratios'][kind], 1.5, below=True)} |"
            )
        lines.append(f"| `GET /health` (baseline) | | | {p2['health_ratio']:.2f} | — |")

    p3 = results["p3"]
    lines += ["", "## P3 — statistics for the gemeente", "", *earlier(p3)]
    if "error" in p3:
        lines += [f"Failed: {p3['error']}"]
    else:
        rows = p3["rows"]
        lines += [
            f"Command: `python -m bench.stats --referrals {p3['referrals_asked']}`. Method:"
            f" {rows['referrals']:,} referrals and {rows['intakes']:,} intakes seeded inside"
            f" PostgreSQL in {p3['seed_seconds']} s, the statistics cube built in"
            f" {p3['cube_build_seconds']} s; each query 40 times after a warm-up, as the"
            " gemeente. Baseline: `GET /health` p50"
            f" {p3['health_p50_ms']} ms.",
            "",
            "| query | p50 | p90 | ratio to health | target |",
            "|---|---|---|---|---|",
        ]
        for q in p3["queries"]:
            target = (
                "p50 ≤ 150 ms: " + ok(q["p50_ms"], 150, below=True)
                if "main chart" in q["query"]
                else "—"
            )
            lines.append(
                f"| {q['query']} | {q['p50_ms']} ms | {q['p90_ms']} ms |"
                f" {q['ratio_to_health']} | {target} |"
            )
        lines.append(
            f"| CSV, domain × month, one year | {p3['csv_domain_month_p50_ms']} ms | | | — |"
        )
        lines.append(
            f"| rebuilding one month / one week of the cube | {p3['rebuild_month_ms']} /"
            f" {p3['rebuild_week_ms']} ms | | | — |"
        )

    p4 = results["p4"]
    lines += ["", "## P4 — classifier", "", *earlier(p4)]
    if "error" in p4:
        lines += [f"Failed: {p4['error']}"]
    else:
        lines += [
            f"Command: `python -m bench.classifier --seconds {p4['seconds_each']:g}`"
            f" ({plural(runs, 'run')}), one process pinned to one core. Baseline in the same"
            " run: folding and tokenising the same texts.",
            "",
            "| figure | median | per run | target |",
            "|---|---|---|---|",
            f"| latency per question, p99 | {p4['p99_ms']:.2f} ms |"
            f" {', '.join(format(r['latency_ms']['p99'], '.2f') for r in p4['runs'])} | ≤ 2 ms:"
            f" {ok(p4['p99_ms'], 2.0, below=True)} |",
            f"| latency per question, p50 | {p4['p50_ms']:.2f} ms | | — |",
            # Retired as a target (issue 20): people and routing, not the classifier, set the
            # pace; shown for comparison with earlier runs.
            f"| classifications/s, one core | {fmt(p4['per_second'])} |"
            f" {', '.join(fmt(r['classifications_per_s']) for r in p4['runs'])} | — |",
            f"| ratio to the baseline | {p4['ratio']:.3f} | | — |",
            f"| model ready after start | {p4['ready_seconds']:.2f} s | | < 1 s:"
            f" {ok(p4['ready_seconds'], 1.0, below=True)} |",
        ]

    p5 = results["p5"]
    lines += ["", "## P5 — webhook delivery", "", *earlier(p5)]
    if "error" in p5:
        lines += [f"Failed: {p5['error']}"]
    else:
        lines += [
            f"Command: `python -m bench.webhooks --events {p5['events_asked']}`. Method: a backlog"
            " of intakes, each with a delivery to a local receiver that answers 204, drained by"
            " two `wijkwinkel worker --once` processes; baseline: the same receiver taking plain"
            " POSTs from one client at the same concurrency. Then intake latency with a live"
            " and with a dead receiver.",
            "",
            "| figure | value | target |",
            "|---|---|---|",
        ]
        live, dead = p5["intake_live_receiver"], p5["intake_dead_receiver"]
        lines += [
            f"| deliveries/s, {p5['events']:,} backlog, {p5['workers']} workers |"
            f" {fmt(p5['deliveries_per_s'])} | ≥ 300:"
            f" {ok(p5['deliveries_per_s'], 300, below=False)} |",
            "| plain HTTP to the same receiver (baseline) |"
            f" {fmt(p5['baseline_plain_http_per_s'])}/s | — |",
            f"| ratio to the baseline | {p5['ratio_to_baseline']:.2f} | — |",
            f"| intake p50 / p99, live receiver | {live['p50_ms']} / {live['p99_ms']} ms | — |",
            f"| intake p50 / p99, dead receiver | {dead['p50_ms']} / {dead['p99_ms']} ms |"
            " no slower |",
        ]

    notes = ROOT / "docs" / "performance-notes.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes: test the harness")
    parser.add_argument("--runs", type=int, default=3, help="runs of P1, P2 and P4")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--only", default=",".join(STEPS), help="e.g. p3,p5; the rest is kept")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: write the document again from docs/bench-results.json "
        "(after editing docs/performance-notes.md)",
    )
    args = parser.parse_args()
    if args.render_only:
        out = Path(args.output)
        saved = json.loads(out.with_name("bench-results.json").read_text())
        runs = len(saved["p1"].get("runs", [])) or args.runs
        out.write_text(render(saved, saved["machine"], saved.get("quick", False), runs))
        print(f"wrote {out}")
        return
    info = machine()
    only = set(args.only.split(","))
    quick = args.quick
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
    }
    failed = False

    def record(name: str, value: dict[str, Any]) -> None:
        nonlocal failed
        if "error" in value:
            failed = True
            print(f"{name}: {value['error']}", flush=True)
        results[name] = value

    if "p1" in only:
        seconds = 5 if quick else 12
        record(
            "p1",
            repeated(
                args.runs,
                "intake",
                ["--seconds", str(seconds)],
                240,
                "wijkwinkel_bench_intake",
                lambda runs: {
                    "seconds_each": seconds,
                    "server_processes": runs[0]["server_processes"],
                    "health_per_second": median_of(runs, "health", "per_second"),
                    "health_p50_ms": median_of(runs, "health", "p50_ms"),
                    "health_p99_ms": median_of(runs, "health", "p99_ms"),
                    "intake_per_second": median_of(runs, "intake", "per_second"),
                    "intake_p50_ms": median_of(runs, "intake", "p50_ms"),
                    "intake_p99_ms": median_of(runs, "intake", "p99_ms"),
                    "ratio": median_of(runs, "ratio"),
                    "errors": sum(r["intake"]["errors"] + r["health"]["errors"] for r in runs),
                },
            ),
        )
    if "p2" in only:
        small, large = (10_000, 100_000) if quick else (10_000, 1_000_000)
        sizes = ["--small", str(small), "--large", str(large), "--runs", str(args.runs)]
        p2 = step("feed", sizes, 1500, "wijkwinkel_bench_feed")
        if "error" not in p2:
            kinds = list(p2["ratios"])
            p2.update(
                small_p50={k: p2["small"][k]["p50_ms"] for k in kinds},
                large_p50={k: p2["large"][k]["p50_ms"] for k in kinds},
                sizes=(small, large),
            )
        record("p2", p2)
    if "p3" in only:
        n = 100_000 if quick else 1_000_000
        p3 = step("stats", ["--referrals", str(n)], 1200, "wijkwinkel_bench_stats")
        p3["referrals_asked"] = n
        record("p3", p3)
    if "p4" in only:
        seconds = 3 if quick else 6
        record(
            "p4",
            repeated(
                args.runs,
                "classifier",
                ["--seconds", str(seconds)],
                120,
                None,
                lambda runs: {
                    "seconds_each": seconds,
                    "p99_ms": statistics.median(r["latency_ms"]["p99"] for r in runs),
                    "p50_ms": statistics.median(r["latency_ms"]["p50"] for r in runs),
                    "per_second": median_of(runs, "classifications_per_s"),
                    "ratio": median_of(runs, "ratio_to_baseline"),
                    "ready_seconds": median_of(runs, "ready_seconds"),
                },
            ),
        )
    if "p5" in only:
        events = 2_000 if quick else 10_000
        p5 = step("webhooks", ["--events", str(events)], 900, "wijkwinkel_bench")
        p5["events_asked"] = events
        record("p5", p5)

    results["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    out = Path(args.output)
    previous = out.with_name("bench-results.json")
    if only != set(STEPS) and previous.exists():
        # A partial run: the other figures stay as the last full run measured them.
        earlier = json.loads(previous.read_text())
        for name in set(STEPS) - only:
            if name in earlier:
                # A figure already kept from an older run keeps that run's date.
                results[name] = {"from": earlier.get("date"), **earlier[name]}
    for name in STEPS:
        results.setdefault(name, {"error": "not run (--only)"})
    out.write_text(render(results, info, quick, args.runs))
    out.with_name("bench-results.json").write_text(
        json.dumps({"machine": info, **results}, indent=2) + "\n"
    )
    print(f"wrote {out}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
