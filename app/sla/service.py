"""Deadlines for referrals, and announcing the ones that passed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.classification.schemas import Domain
from app.core.config import get_settings
from app.core.types import utcnow
from app.referrals.models import Referral
from app.referrals.states import ReferralStatus
from app.sla.models import SlaPolicy
from app.sla.workdays import add_working_days

# Used until an admin sets a policy (working days). Urgent referrals must also be accepted
# within WIJKWINKEL_URGENT_RESPONSE_HOURS, whichever comes first.
DEFAULTS: dict[tuple[Domain, bool], tuple[int, int]] = {
    (Domain.wonen, False): (5, 40),
    (Domain.welzijn, False): (3, 20),
    (Domain.zorg, False): (2, 15),
    (Domain.wonen, True): (1, 10),
    (Domain.welzijn, True): (1, 5),
    (Domain.zorg, True): (1, 5),
}

WAITING = (ReferralStatus.requested, ReferralStatus.received)
WORKING = (ReferralStatus.accepted, ReferralStatus.in_progress, ReferralStatus.on_hold)


@dataclass(frozen=True, slots=True)
class Deadlines:
    accept_by: datetime
    complete_by: datetime


def policy(*, session: Session, domain: Domain, urgent: bool) -> tuple[int, int]:
    row = session.get(SlaPolicy, (str(domain), urgent))
    if row is not None:
        return row.accept_working_days, row.complete_working_days
    return DEFAULTS[(domain, urgent)]


def deadlines(*, session: Session, domain: Domain, urgent: bool, start: datetime) -> Deadlines:
    accept_days, complete_days = policy(session=session, domain=domain, urgent=urgent)
    accept_by = add_working_days(start, accept_days)
    if urgent:
        accept_by = min(accept_by, start + timedelta(hours=get_settings().urgent_response_hours))
    return Deadlines(accept_by=accept_by, complete_by=add_working_days(start, complete_days))


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


def list_policies(*, session: Session) -> list[tuple[Domain, bool, int, int, bool]]:
    """Every (domain, urgency) with its days and whether it is the default."""
    rows = {(r.domain, r.urgent): r for r in session.exec(select(SlaPolicy))}
    out = []
    for (domain, urgent), (accept, complete) in DEFAULTS.items():
        row = rows.get((str(domain), urgent))
        if row is not None:
            out.append((domain, urgent, row.accept_working_days, row.complete_working_days, False))
        else:
            out.append((domain, urgent, accept, complete, True))
    return out


def set_policy(
    *, session: Session, domain: Domain, urgent: bool, accept_days: int, complete_days: int
) -> SlaPolicy:
    row = session.get(SlaPolicy, (str(domain), urgent)) or SlaPolicy(
        domain=str(domain), urgent=urgent, accept_working_days=0, complete_working_days=0
    )
    row.accept_working_days, row.complete_working_days = accept_days, complete_days
    session.add(row)
    session.flush()
    return row


def announce_overdue(*, session: Session, limit: int = 500) -> int:
    """Emit `referral.overdue` once for each referral that passed a deadline."""
    from app.outbox import service as outbox
    from app.outbox.service import EventType

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
        outbox.emit(
            session=session,
            type=EventType.referral_overdue,
            organisation_id=referral.organisation_id,
            referral_id=referral.id,
            intake_id=referral.intake_id,
            data={
                "status": referral.status,
                "late_to": late,
                "deadline": deadline.isoformat() if deadline else None,
            },
        )
    session.flush()
    return len(found)
