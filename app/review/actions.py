"""What the front office does with an item of the review queue: acknowledge an urgent signal
(saying what was done), note that it was dealt with, or close the intake with a reason.
Correcting the domains is the intake's own action (PUT /intakes/{id}/domains)."""

import uuid

from sqlmodel import Session, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.core.errors import Conflict, Forbidden
from app.flows.intake import IntakeView, view_of
from app.intakes import service as intakes
from app.intakes.models import Intake
from app.intakes.schemas import IntakeStatus
from app.referrals.models import Referral
from app.referrals.states import FINAL, ReferralStatus


class OpenReferrals(Conflict):
    title = "Referrals still open"
    slug = "referrals-still-open"


def require_front_office(principal: Principal) -> None:
    if not principal.is_frontoffice:
        raise Forbidden("Only the front office reviews intakes.")


def _locked(session: Session, principal: Principal, intake_id: uuid.UUID) -> Intake:
    require_front_office(principal)
    return intakes.get_visible(session, intake_id, principal, lock=True)


def _done(session: Session, principal: Principal, intake: Intake) -> IntakeView:
    intakes.log(session, principal, intake, audit.Action.update, audit.Purpose.review)
    session.flush()
    return view_of(session, intake)


def acknowledge_urgent(
    *, session: Session, principal: Principal, intake_id: uuid.UUID, note: str
) -> IntakeView:
    intake = _locked(session, principal, intake_id)
    if not intake.urgent:
        raise Conflict("This intake carries no urgent signal; note a review instead.")
    intakes.acknowledge_urgent(session=session, principal=principal, intake=intake, note=note)
    return _done(session, principal, intake)


def mark_reviewed(
    *, session: Session, principal: Principal, intake_id: uuid.UUID, note: str
) -> IntakeView:
    intake = _locked(session, principal, intake_id)
    intakes.mark_reviewed(session=session, principal=principal, intake=intake, note=note)
    return _done(session, principal, intake)


def close(*, session: Session, principal: Principal, intake_id: uuid.UUID, note: str) -> IntakeView:
    """Close an intake with a reason (`note`); one a partner still works on is closed by its
    referrals (finish or cancel them first)."""
    intake = _locked(session, principal, intake_id)
    if intake.status == IntakeStatus.closed:
        raise Conflict("This intake is closed already.")
    statuses = session.exec(select(Referral.status).where(Referral.intake_id == intake.id)).all()
    still_open = [s for s in statuses if ReferralStatus(s) not in FINAL]
    if still_open:
        raise OpenReferrals(
            f"{len(still_open)} referral(s) of this intake are still open: cancel them, or let "
            "the partner finish; the intake then closes by itself."
        )
    intakes.close_by_hand(session=session, principal=principal, intake=intake, reason=note)
    return _done(session, principal, intake)
