"""Write events to the outbox, and hand the pending ones to whoever turns them into deliveries.

Thin payloads: ids, type, status, times and API links, never personal data; a receiver fetches
details through the API, where access is checked. The request only writes the event row, in its
own transaction; the delivery side (app/webhooks) reads pending events afterwards, so nothing
here knows who receives them.
"""

import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from app.core.config import API_PREFIX
from app.core.types import utcnow
from app.outbox.models import OutboxEvent


# The events a subscription can ask for. (No docstring: it would become the enum's description
# in the OpenAPI document.)
class EventType(StrEnum):
    referral_created = "referral.created"
    referral_status_changed = "referral.status_changed"
    referral_forwarded = "referral.forwarded"
    referral_overdue = "referral.overdue"
    intake_closed = "intake.closed"
    referral_consent_withdrawn = "referral.consent_withdrawn"


class ControlEvent(StrEnum):
    """Events addressed to one subscription by whoever writes them, never fanned out."""

    webhook_ping = "webhook.ping"


def emit(
    *,
    session: Session,
    type: EventType | ControlEvent,
    organisation_id: uuid.UUID,
    referral_id: uuid.UUID | None = None,
    intake_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
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
        # A control event has its one delivery written beside it: nothing left to fan out.
        fanned_out_at=now if isinstance(type, ControlEvent) else None,
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
    return event


def take_pending(*, session: Session, limit: int) -> list[OutboxEvent]:
    """The oldest committed events not yet fanned out, locked until the caller commits.

    FOR UPDATE, not SKIP LOCKED: a second worker waits for the first and then finds those events
    done, so deliveries are always written in event order (one referral's events arrive in the
    order they happened)."""
    stmt = (
        select(OutboxEvent)
        .where(col(OutboxEvent.fanned_out_at).is_(None))
        .order_by(col(OutboxEvent.id))
        .limit(limit)
        .with_for_update()
    )
    return list(session.exec(stmt).all())


def mark_fanned_out(*, session: Session, events: Sequence[OutboxEvent]) -> None:
    now = utcnow()
    for event in events:
        event.fanned_out_at = now
        session.add(event)
