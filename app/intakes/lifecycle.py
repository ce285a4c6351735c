"""An intake's own life cycle: referred and open while a partner still has work, closed when
every referral is final; left alone while it waits for consent or for the desk."""

from sqlmodel import Session

from app.core.types import utcnow
from app.intakes.models import Intake
from app.intakes.schemas import IntakeStatus
from app.outbox import service as outbox
from app.outbox.service import EventType

STATUS_REASONS = {
    IntakeStatus.open: "Referred; at least one partner still has to finish.",
    IntakeStatus.closed: "Every referral has reached a final status.",
    IntakeStatus.no_consent: (
        "No consent to share: recorded and classified, but no referral left the front office."
    ),
    IntakeStatus.needs_review: (
        "Not referred yet: no domain was recognised or no organisation could take it. "
        "The front office has to look at it."
    ),
}


def settle(*, session: Session, intake: Intake, referrals: int, all_final: bool) -> None:
    """Bring the intake's status in line with its referrals (how many, and whether every one
    is final). The caller holds the intake's lock, so two referrals closing at once cannot both
    see the other still open."""
    status = IntakeStatus(intake.status)
    if not referrals or status not in {IntakeStatus.open, IntakeStatus.closed}:
        return
    now = utcnow()
    if all_final and status != IntakeStatus.closed:
        intake.status, intake.closed_at = IntakeStatus.closed, now
        outbox.emit(
            session=session,
            type=EventType.intake_closed,
            organisation_id=intake.organisation_id,
            intake_id=intake.id,
            data={"status": IntakeStatus.closed, "closed_at": now.isoformat()},
        )
    elif not all_final and status != IntakeStatus.open:
        intake.status, intake.closed_at = IntakeStatus.open, None
    intake.updated_at = now
    session.add(intake)
