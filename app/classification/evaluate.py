"""Measure the classifier on labelled JSONL: {"text", "domains", optional "urgent"} per line."""

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.classification.domains import Domain


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
    not_urgent_labelled: int = 0
    no_domain: int = 0  # questions the classifier gave no domain at all
    exact_match: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.domains.values()) / len(self.domains)

    @property
    def false_urgent_rate(self) -> float:
        """The share of questions labelled not urgent that were flagged urgent: a flag that
        fires too often teaches the desk to ignore it."""
        return self.urgent.fp / self.not_urgent_labelled if self.not_urgent_labelled else 0.0

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
                "recall_95": [round(x, 4) for x in wilson(self.urgent.tp, self.urgent_labelled)],
                "found": self.urgent.tp,
                "precision": round(self.urgent.precision, 4),
                "support": self.urgent_labelled,
                "false_alarm_rate": round(self.false_urgent_rate, 4),
                "false_alarms": self.urgent.fp,
                "not_urgent": self.not_urgent_labelled,
            },
            "no_domain": self.no_domain,
            "no_domain_rate": round(self.no_domain / self.examples, 4) if self.examples else 0.0,
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


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: with ~100 urgent questions one miss moves
    recall by 0.01, so the figure alone overstates what is known."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


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
        report.no_domain += not got
        if "urgent" in row:
            labelled = bool(row["urgent"])
            report.urgent_labelled += labelled
            report.not_urgent_labelled += not labelled
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
    u = d["urgent"]
    lines = [f"{title}: {d['examples']} examples", "", f"{'domain':<10} precision recall  f1     n"]
    for name, m in d["domains"].items():
        p, r, f = m["precision"], m["recall"], m["f1"]
        lines.append(f"{name:<10} {p:>9.3f} {r:>6.3f} {f:>6.3f} {m['support']:>4}")
    lines += [
        "",
        f"macro-F1        {d['macro_f1']:.3f}",
        f"exact match     {d['exact_match']:.3f}",
        f"urgent recall   {u['recall']:.3f}  ({u['found']} of {u['support']}, 95% interval"
        f" {u['recall_95'][0]:.3f}-{u['recall_95'][1]:.3f}; precision {u['precision']:.3f})",
        f"false urgent    {u['false_alarm_rate']:.3f}  ({u['false_alarms']} of {u['not_urgent']}"
        " questions labelled not urgent)",
        f"no domain       {d['no_domain_rate']:.3f}  ({d['no_domain']} of {d['examples']})",
    ]
    return "\n".join(lines)
