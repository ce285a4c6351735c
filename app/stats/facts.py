"""What the statistics need to know about a referral or an unreferred intake, written when the
intake or referral is made, so the dashboard queries read one table without joins."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, col, delete

from app.intakes.models import Intake
from app.sla.workdays import AMSTERDAM
from app.stats.models import UnreferredSignal

NO_CONSENT = "no_consent"
NEEDS_REVIEW = "needs_review"


def month_of(moment: datetime) -> str:
    """The calendar month in Dutch time: `2026-03`."""
    local = moment.astimezone(AMSTERDAM)
    return f"{local.year:04d}-{local.month:02d}"


def week_of(moment: datetime) -> str:
    """The ISO week in Dutch time: `2026-W09` (weeks start on Monday; week 1 holds 4 January)."""
    year, week, _ = moment.astimezone(AMSTERDAM).isocalendar()
    return f"{year:04d}-W{week:02d}"


def day_start(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar day, in UTC."""
    return datetime.combine(day, time.min, AMSTERDAM).astimezone(UTC)


def top_subcategory(classification: dict[str, Any], domain: str) -> str | None:
    """The best-scoring subcategory the classifier gave for a domain, if any."""
    for found in classification.get("domains", []):
        if found.get("domain") == domain:
            subs = found.get("subcategories") or []
            if subs:
                best = max(subs, key=lambda s: s.get("score", 0))
                return str(best["subcategory"])
    return None


def record_unreferred(*, session: Session, intake: Intake, unrouted: Iterable[str] = ()) -> None:
    """Bring the intake's unreferred rows in line with its state: one per domain that no
    referral carries (or one without a domain when none was recognised)."""
    session.exec(delete(UnreferredSignal).where(col(UnreferredSignal.intake_id) == intake.id))
    if not intake.consent:
        rows: list[tuple[str | None, str]] = [(d, NO_CONSENT) for d in intake.domains] or [
            (None, NO_CONSENT)
        ]
    elif not intake.domains:
        rows = [(None, NEEDS_REVIEW)]
    else:
        rows = [(d, NEEDS_REVIEW) for d in dict.fromkeys(unrouted)]
    for domain, reason in rows:
        session.add(
            UnreferredSignal(
                intake_id=intake.id,
                domain=domain,
                subcategory=top_subcategory(intake.classification, domain) if domain else None,
                reason=reason,
                channel=intake.channel,
                area_id=intake.area_id,
                created_at=intake.created_at,
                created_month=month_of(intake.created_at),
                created_week=week_of(intake.created_at),
            )
        )
