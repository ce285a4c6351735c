"""P4 A/B by instruction count: the classifier as it is against an earlier commit, under callgrind.

Run: .venv/bin/python -m bench.count_instructions --against REF [--json]

On a shared machine even an interleaved timing (bench.compare_classifier) moves by several
percent between runs, so a change of a few percent cannot be told from the noise. Valgrind's
callgrind counts the instructions the interpreter executes instead: the same for the same code
and input, whatever else the machine is doing. Each side classifies the bench's questions under
callgrind twice, after the same warm-up (engine built, word caches filled), once with one pass
over the questions and once with five; the difference divided by four passes is the count per
question, free of start-up. Repeated counts of the same code agree within about 2% (garbage
collection and caches do not run identically), so read differences below that as none.

The earlier commit's classifier must import nothing under ``app`` outside
``app/classification``.

Instructions are not time (a cache miss costs more than an add), but for the same interpreter
running nearly the same work they move together; the timing A/B gives the time.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.classifier import ROOT, checkout, show, texts

# One process: warm up, fill the caches, then classify every question ``passes`` times.
RUNNER = """
import sys
sys.path.insert(0, sys.argv[1])
from bench.classifier import texts
from app.classification import service
assert service.__file__.startswith(sys.argv[1]), service.__file__
items = texts()
service.warm_up()
for t in items:
    service.classify(t)
for _ in range(int(sys.argv[2])):
    for t in items:
        service.classify(t)
"""
LOW, HIGH = 1, 5


def count(root: Path, passes: int) -> int:
    """Instructions callgrind counts for one run of RUNNER over ``root``'s classifier."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            RUNNER,
            str(root),
            str(passes),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            # The same string hashes, so dicts and sets are laid out the same in every run.
            "PYTHONHASHSEED": "0",
            "PYTHONPATH": str(ROOT),
            # No .pyc written: otherwise the first run of a side compiles what the second one
            # then reuses, and the difference between them is no longer the questions alone.
            "PYTHONDONTWRITEBYTECODE": "1",
        },
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"the run under callgrind failed ({root}):\n{done.stderr[-3000:]}")
    return int(found.group(1))


def per_question(roots: list[Path], questions: int) -> list[float]:
    """Each root's count per question; the runs go two at a time (one per core here)."""
    jobs = [(root, passes) for root in roots for passes in (LOW, HIGH)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda job: count(*job), jobs))
    pairs = zip(counts[::2], counts[1::2], strict=True)
    return [(high - low) / (HIGH - LOW) / questions for low, high in pairs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", required=True, help="an earlier commit, e.g. HEAD~3")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed (Debian: apt-get install valgrind)")

    questions = len(texts())
    with tempfile.TemporaryDirectory() as tmp:
        old = checkout(args.against, Path(tmp), "app/__init__.py", "app/classification")
        before, now = per_question([old, ROOT], questions)
    show(
        {
            "against": args.against,
            "texts": questions,
            "before_instructions_per_question": round(before),
            "now_instructions_per_question": round(now),
            "ratio_now_to_before": round(now / before, 3),
        },
        as_json=args.json,
    )


if __name__ == "__main__":
    main()
