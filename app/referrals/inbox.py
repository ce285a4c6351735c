"""The staff pages' inbox: the caller's own referrals, most urgent work first."""

from sqlmodel import Session, col

from app.audit import service as audit
from app.auth.principal import Principal
from app.intakes.models import Intake
from app.referrals.feed import MAX_PAGE, filtered, own_referrals
from app.referrals.models import Referral
from app.referrals.reading import log
from app.referrals.states import FINAL, ReferralStatus


def inbox(
    *,
    session: Session,
    principal: Principal,
    status: ReferralStatus | None = None,
    open_only: bool = False,
    overdue: bool | None = None,
    limit: int = MAX_PAGE,
) -> list[tuple[Referral, Intake]]:
    """Open ones by deadline, then the rest, newest first. Logged as a read, as a feed page
    is."""
    stmt = (
        own_referrals(principal)
        .order_by(
            col(Referral.closed_at).is_not(None),
            col(Referral.due_at),
            col(Referral.created_at).desc(),
        )
        .limit(limit)
    )
    stmt = filtered(stmt, status=status, overdue=overdue)
    if open_only:
        stmt = stmt.where(col(Referral.status).not_in([str(s) for s in FINAL]))
    rows = [(r, i) for r, i in session.exec(stmt).all()]
    log(session, principal, audit.Action.read, audit.Purpose.referral, [r for r, _ in rows])
    return rows
