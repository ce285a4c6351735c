"""How often people agree with the classifier: per domain and per month, how often a person who
chose an intake's domains (before sending, or by correcting them later) kept a domain the
classifier proposed, removed one, or added one it had not proposed."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from app.classification.domains import Domain
from app.core.calendar import day_start, month_of, next_month
from app.intakes.models import DomainCorrection, Intake


@dataclass(frozen=True, slots=True)
class Cell:
    month: str
    domain: Domain
    kept: int
    removed: int
    added: int

    @property
    def agreement(self) -> float | None:
        """The share of decisions about this domain that kept the classifier's proposal."""
        total = self.kept + self.removed + self.added
        return round(self.kept / total, 3) if total else None


@dataclass(frozen=True, slots=True)
class Agreement:
    cells: list[Cell]
    intakes: int  # intakes whose domains a person chose, in the period


def year_before(end: date) -> date:
    """The first day of the month eleven months before `end`'s: twelve months with end's."""
    months = end.year * 12 + end.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1)


def agreement(*, session: Session, start: date, end: date) -> Agreement:
    """Months from `start`'s to `end`'s (inclusive), Dutch time. The classifier's proposal is
    what it answered when the intake was recorded; a person's choice is the intake's domains
    now (after any correction)."""
    corrected = exists().where(col(DomainCorrection.intake_id) == col(Intake.id))
    rows: list[Any] = list(
        session.execute(
            select(Intake.created_at, Intake.classification, Intake.domains).where(
                col(Intake.created_at) >= day_start(start.replace(day=1)),
                col(Intake.created_at) < day_start(next_month(end)),
                or_(col(Intake.domains_confirmed_at).is_not(None), corrected),
            )
        ).all()
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for created_at, classification, chosen in rows:
        month = month_of(created_at)
        proposed = {d["domain"] for d in (classification or {}).get("domains", [])}
        for domain in proposed | set(chosen or []):
            kind = (
                "kept"
                if domain in proposed and domain in chosen
                else ("removed" if domain in proposed else "added")
            )
            counts[(month, domain, kind)] += 1
    months = sorted({m for m, _, _ in counts})
    cells = [
        Cell(
            month=m,
            domain=d,
            kept=counts[(m, d, "kept")],
            removed=counts[(m, d, "removed")],
            added=counts[(m, d, "added")],
        )
        for m in months
        for d in Domain
    ]
    return Agreement(cells=cells, intakes=len(rows))
