"""Deadlines for referrals: the policy per domain and urgency (in Dutch working days), and
the deadlines it gives a referral that starts now. Which referrals passed theirs is the
referrals' own question (app/referrals/overdue.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.classification.schemas import Domain
from app.core.config import get_settings
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
