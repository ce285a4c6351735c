"""Past a deadline: which referrals are overdue, and announcing each once
(`referral.overdue`, a job in app/jobs)."""

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.core.types import utcnow
from app.outbox.service import EventType
from app.referrals import events
from app.referrals.models import Referral
from app.referrals.states import WAITING, WORKING


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL: not picked up in time, or not finished in time."""
    return or_(
        and_(col(Referral.status).in_([str(s) for s in WAITING]), col(Referral.due_at) < now),
        and_(
            col(Referral.status).in_([str(s) for s in WORKING]),
            col(Referral.complete_due_at) < now,
        ),
    )


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if referral.status in WAITING:
        return referral.due_at is not None and referral.due_at < now
    if referral.status in WORKING:
        return referral.complete_due_at is not None and referral.complete_due_at < now
    return False


def announce_overdue(*, session: Session, limit: int = 500) -> int:
    """Emit `referral.overdue` once for each referral that passed a deadline."""
    now = utcnow()
    stmt = (
        select(Referral)
        .where(overdue_condition(now), col(Referral.overdue_announced_at).is_(None))
        .order_by(col(Referral.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = list(session.exec(stmt).all())
    for referral in found:
        referral.overdue_announced_at = now
        session.add(referral)
        late = "accept" if referral.status in WAITING else "complete"
        deadline = referral.due_at if late == "accept" else referral.complete_due_at
        events.announce(
            session,
            EventType.referral_overdue,
            referral,
            {
                "status": referral.status,
                "late_to": late,
                "deadline": deadline.isoformat() if deadline else None,
            },
        )
    session.flush()
    return len(found)
