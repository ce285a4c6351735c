"""P4 A/B: the classifier as it is against an earlier commit, in one process, interleaved.

Run: .venv/bin/python -m bench.compare_classifier --against REF [--rounds 21] [--json]

On a shared machine the absolute rate moves by a third between minutes, so two separate runs
cannot show a 10% change. This loads the earlier commit's `app/classification` (taken with
`git archive`, renamed to a package of its own) beside the current one, classifies the same
texts with each in turn, round after round, and reports the median time per question of each
and their ratio. It also says whether the two give the same answers (`as_dict()` equal), which
a change meant only for speed must keep.
"""

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.classifier import checkout, show, texts

PACKAGE = "wijkwinkel_classification_before"


def load_before(ref: str, into: Path) -> Any:
    """The classification package at ``ref``, importable as PACKAGE; its service module."""
    checkout(ref, into, "app/classification")
    package = into / PACKAGE
    (into / "app" / "classification").rename(package)
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("app.classification", PACKAGE), encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{PACKAGE}.service")


def _without_evidence(answer: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in answer.items() if k != "urgent_evidence"}
    out["domains"] = [
        {
            **{k: v for k, v in d.items() if k not in ("evidence", "subcategories")},
            "subcategories": [
                {k: v for k, v in sub.items() if k != "evidence"} for sub in d["subcategories"]
            ],
        }
        for d in answer["domains"]
    ]
    return out


def per_question(classify: Callable[[str], Any], items: list[str]) -> float:
    start = time.perf_counter()
    for t in items:
        classify(t)
    return (time.perf_counter() - start) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", required=True, help="git commit or tag to compare with")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from app.classification import service as now

    items = texts()
    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(args.against, Path(tmp))
        for s in (before, now):
            s.warm_up()
            for t in items:  # word caches filled, as in bench.classifier
                s.classify(t)
        same = same_labels = 0
        for t in items:
            old_answer, new_answer = before.classify(t).as_dict(), now.classify(t).as_dict()
            same += old_answer == new_answer
            same_labels += _without_evidence(old_answer) == _without_evidence(new_answer)
        old_us: list[float] = []
        new_us: list[float] = []
        for round_ in range(args.rounds):
            # Each goes first in every other round, so going first or second evens out.
            if round_ % 2:
                new_us.append(per_question(now.classify, items))
                old_us.append(per_question(before.classify, items))
            else:
                old_us.append(per_question(before.classify, items))
                new_us.append(per_question(now.classify, items))
    result = {
        "against": args.against,
        "texts": len(items),
        "rounds": args.rounds,
        "before_us_per_question": round(statistics.median(old_us), 1),
        "now_us_per_question": round(statistics.median(new_us), 1),
        "speedup": round(statistics.median(old_us) / statistics.median(new_us), 3),
        "speedup_per_round": {
            "min": round(min(o / n for o, n in zip(old_us, new_us, strict=True)), 3),
            "max": round(max(o / n for o, n in zip(old_us, new_us, strict=True)), 3),
        },
        "same_answers": f"{same} of {len(items)}",
        # Labels, scores, subcategories and urgency: what the answer decides. The evidence
        # words of code before 0183a22 depended on the process's hash seed, so the full count
        # above moves between runs of that code.
        "same_answers_apart_from_evidence": f"{same_labels} of {len(items)}",
    }
    show(result, as_json=args.json)


if __name__ == "__main__":
    main()
