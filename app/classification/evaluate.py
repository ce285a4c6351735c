"""Measure the classifier on labelled JSONL: {"text", "domains", optional "urgent"} per line."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.classification.schemas import Domain


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    examples: int = 0
    domains: dict[str, Counts] = field(default_factory=lambda: {str(d): Counts() for d in Domain})
    urgent: Counts = field(default_factory=Counts)
    urgent_labelled: int = 0
    exact_match: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.domains.values()) / len(self.domains)

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "domains": {
                d: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.tp + c.fn,
                }
                for d, c in self.domains.items()
            },
            "macro_f1": round(self.macro_f1, 4),
            "exact_match": round(self.exact_match / self.examples, 4) if self.examples else 0.0,
            "urgent": {
                "recall": round(self.urgent.recall, 4),
                "precision": round(self.urgent.precision, 4),
                "support": self.urgent_labelled,
            },
        }


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "text" not in row or "domains" not in row:
            raise ValueError(f'{path}:{number}: needs "text" and "domains"')
        unknown = set(row["domains"]) - {str(d) for d in Domain}
        if unknown:
            raise ValueError(f"{path}:{number}: unknown domains {sorted(unknown)}")
        rows.append(row)
    return rows


Predict = Callable[[str], tuple[set[str], bool]]


def evaluate(rows: Iterable[dict[str, Any]], predict: Predict) -> Report:
    report = Report()
    for row in rows:
        report.examples += 1
        gold = set(row["domains"])
        got, urgent = predict(row["text"])
        for domain, counts in report.domains.items():
            counts.tp += domain in gold and domain in got
            counts.fp += domain not in gold and domain in got
            counts.fn += domain in gold and domain not in got
        report.exact_match += gold == got
        if "urgent" in row:
            labelled = bool(row["urgent"])
            report.urgent_labelled += labelled
            report.urgent.tp += labelled and urgent
            report.urgent.fp += (not labelled) and urgent
            report.urgent.fn += labelled and not urgent
        if gold != got or ("urgent" in row and bool(row["urgent"]) != urgent):
            report.errors.append(
                {
                    "id": row.get("id"),
                    "text": row["text"],
                    "gold": sorted(gold),
                    "got": sorted(got),
                    "urgent": row.get("urgent"),
                    "got_urgent": urgent,
                }
            )
    return report


def format_report(report: Report, title: str) -> str:
    d = report.as_dict()
    lines = [f"{title}: {d['examples']} examples", "", f"{'domain':<10} precision recall  f1     n"]
    for name, m in d["domains"].items():
        p, r, f = m["precision"], m["recall"], m["f1"]
        lines.append(f"{name:<10} {p:>9.3f} {r:>6.3f} {f:>6.3f} {m['support']:>4}")
    lines += [
        "",
        f"macro-F1        {d['macro_f1']:.3f}",
        f"exact match     {d['exact_match']:.3f}",
        f"urgent recall   {d['urgent']['recall']:.3f}  (precision {d['urgent']['precision']:.3f},"
        f" n={d['urgent']['support']})",
    ]
    return "\n".join(lines)
