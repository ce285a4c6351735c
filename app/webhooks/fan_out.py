"""Turn committed outbox events into webhook deliveries: one per enabled subscription of the
event's organisation that wants its type. A job (app/jobs) runs this before every delivery
round, so an event reaches the delivery queue within a poll of its commit."""

import uuid

from sqlmodel import Session, col, select

from app.outbox import service as outbox
from app.webhooks.models import WebhookDelivery, WebhookSubscription

BATCH = 500


def fan_out_pending(*, session: Session, limit: int = BATCH) -> int:
    """Fan out up to `limit` pending events, oldest first; returns how many were taken. The
    caller commits (events and deliveries together)."""
    events = outbox.take_pending(session=session, limit=limit)
    if not events:
        return 0
    subscriptions: dict[uuid.UUID, list[WebhookSubscription]] = {}
    for sub in session.exec(
        select(WebhookSubscription).where(
            col(WebhookSubscription.organisation_id).in_({e.organisation_id for e in events}),
            col(WebhookSubscription.enabled).is_(True),
        )
    ):
        subscriptions.setdefault(sub.organisation_id, []).append(sub)
    for event in events:
        assert event.id is not None
        for sub in subscriptions.get(event.organisation_id, ()):
            if not sub.event_types or event.type in sub.event_types:
                session.add(
                    WebhookDelivery(
                        subscription_id=sub.id, event_id=event.id, referral_id=event.referral_id
                    )
                )
    outbox.mark_fanned_out(session=session, events=events)
    session.flush()
    return len(events)
