"""Write events to the outbox. Thin payloads: ids, type, status, times and API links, never
personal data; a receiver fetches details through the API, where access is checked."""

import uuid
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from app.core.config import API_PREFIX
from app.core.types import utcnow
from app.outbox.models import OutboxEvent


class EventType(StrEnum):
    referral_created = "referral.created"
    referral_status_changed = "referral.status_changed"
    referral_forwarded = "referral.forwarded"
    referral_overdue = "referral.overdue"
    intake_closed = "intake.closed"
    referral_consent_withdrawn = "referral.consent_withdrawn"


def emit(
    *,
    session: Session,
    type: EventType,
    organisation_id: uuid.UUID,
    referral_id: uuid.UUID | None = None,
    intake_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    fan_out: bool = True,
) -> OutboxEvent:
    links: dict[str, str] = {}
    if referral_id is not None:
        links["referral"] = f"{API_PREFIX}/referrals/{referral_id}"
        links["history"] = f"{API_PREFIX}/referrals/{referral_id}/history"
    if intake_id is not None:
        links["intake"] = f"{API_PREFIX}/intakes/{intake_id}"
    now = utcnow()
    event = OutboxEvent(
        type=type,
        organisation_id=organisation_id,
        referral_id=referral_id,
        intake_id=intake_id,
        created_at=now,
    )
    event.payload = {
        "type": str(type),
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {
            **({"referral_id": str(referral_id)} if referral_id else {}),
            **({"intake_id": str(intake_id)} if intake_id else {}),
            **(data or {}),
            "links": links,
        },
    }
    session.add(event)
    if fan_out:
        from app.webhooks.service import fan_out as queue_deliveries

        queue_deliveries(session=session, event=event)
    return event


def for_organisation(
    *, session: Session, organisation_id: uuid.UUID, after_id: int = 0, limit: int = 100
) -> list[OutboxEvent]:
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.organisation_id == organisation_id, col(OutboxEvent.id) > after_id)
        .order_by(col(OutboxEvent.id))
        .limit(limit)
    )
    return list(session.exec(stmt).all())
