"""What the outbox is told about a referral: every event about one names the partner it is
for, the referral and its intake, written once here."""

from typing import Any

from sqlmodel import Session

from app.outbox import service as outbox
from app.outbox.models import OutboxEvent
from app.outbox.service import EventType
from app.referrals.models import Referral


def announce(
    session: Session, type: EventType, referral: Referral, data: dict[str, Any]
) -> OutboxEvent:
    """An event about `referral`, for the organisation it is with."""
    return outbox.emit(
        session=session,
        type=type,
        organisation_id=referral.organisation_id,
        referral_id=referral.id,
        intake_id=referral.intake_id,
        data=data,
    )


def created(session: Session, referral: Referral) -> None:
    announce(
        session,
        EventType.referral_created,
        referral,
        {
            "status": referral.status,
            "domain": referral.domain,
            "urgent": referral.urgent,
            "due_at": referral.due_at.isoformat() if referral.due_at else None,
            "routed_by": referral.routed_by,
            "forwarded_from_id": str(referral.forwarded_from_id)
            if referral.forwarded_from_id
            else None,
        },
    )


def status_changed(session: Session, referral: Referral, previous: str) -> None:
    announce(
        session,
        EventType.referral_status_changed,
        referral,
        {"previous_status": previous, "status": referral.status, "outcome": referral.outcome},
    )
