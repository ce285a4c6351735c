"""P4: classifier latency per question (p50, p99) and throughput on one core, and time until
the model is ready.

Run: .venv/bin/python -m bench.classifier [--seconds 5] [--json]

Classifies the labelled questions (all splits, mixed lengths) round-robin in one process pinned
to one CPU, after a first pass that fills the word caches, as a running server's would be. The
ready time is measured in a fresh interpreter: import, build the engine, load the model, one
classification. A baseline in the same run (folding + tokenising the same texts, the least any
classifier must do) gives a ratio that is steadier than the absolute rate on a noisy machine.
"""

import argparse
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "classifier"


def texts() -> list[str]:
    out = []
    for split in ("train", "dev", "train_t1"):
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line)["text"])
    return out


def rate(fn, items: list[str], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for t in items:
            fn(t)
        done += len(items)
    return done / (time.perf_counter() - start)


def latencies_ms(fn, items: list[str], rounds: int) -> dict[str, float]:
    """Each question timed on its own, `rounds` times over: what one request waits for."""
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for t in items:
            start = clock()
            fn(t)
            samples.append(clock() - start)
    samples.sort()

    def at(q: float) -> float:
        return round(samples[min(len(samples) - 1, int(q * len(samples)))] / 1e6, 3)

    return {"p50": at(0.50), "p99": at(0.99), "max": round(samples[-1] / 1e6, 3)}


def ready_seconds() -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from app.classification import service; service.warm_up();"
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True))
        for _ in range(3)
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    from app.classification import folding, service

    items = texts()
    service.warm_up()
    for t in items:  # first pass: word caches filled
        service.classify(t)
    # The baseline is defined here, not by calling the engine: when the engine's own folding
    # got faster (ASCII texts skip the table), the baseline moved with it and the ratio fell.
    token = re.compile(r"[^\W_]+", re.UNICODE)
    table = folding._FOLD_TABLE

    def fold_tokenise(t: str) -> list[str]:
        return token.findall(t.lower().translate(table))

    runs = []
    for _ in range(3):
        cls = rate(service.classify, items, args.seconds / 3)
        base = rate(fold_tokenise, items, args.seconds / 6)
        runs.append((cls, base))
    latency = latencies_ms(service.classify, items, rounds=3)
    classifications = statistics.median(r[0] for r in runs)
    baseline = statistics.median(r[1] for r in runs)
    result = {
        "texts": len(items),
        "mean_chars": round(statistics.mean(len(t) for t in items)),
        "latency_ms": latency,
        "classifications_per_s": round(classifications),
        "baseline_fold_tokenise_per_s": round(baseline),
        "ratio_to_baseline": round(classifications / baseline, 3),
        "ready_seconds": round(ready_seconds(), 3),
        "classifier_version": service.version(),
        # The interpreter matters as much as the code: the Docker image's CPython is built with
        # --enable-optimizations (PGO) and LTO; a pyenv build without them ran 20-50% slower.
        "python": f"{platform.python_version()} ({sys.executable})",
        "python_configure": sysconfig.get_config_var("CONFIG_ARGS") or "",
    }
    show(result, as_json=args.json)


def checkout(ref: str, into: Path, *paths: str) -> Path:
    """``paths`` as they are at commit ``ref``, written under ``into`` (for the A/B tools)."""
    done = subprocess.run(["git", "archive", ref, *paths], cwd=ROOT, capture_output=True)
    if done.returncode != 0:
        sys.exit(f"git archive {ref}: {done.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def show(result: dict[str, Any], *, as_json: bool) -> None:
    """The result as JSON (for bench.run), or one aligned line per figure."""
    if as_json:
        print(json.dumps(result, indent=2))
        return
    width = max(map(len, result))
    for k, v in result.items():
        print(f"{k:{width}} {v}")


if __name__ == "__main__":
    main()
