"""Webhook subscriptions: create, change, rotate their secret, ping, list and replay their
deliveries. Events become deliveries in fan_out.py; delivery.py sends them."""

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.types import utcnow
from app.outbox import service as outbox
from app.outbox.models import OutboxEvent
from app.outbox.service import ControlEvent, EventType
from app.webhooks import signing
from app.webhooks.models import (
    DeliveryStatus,
    SubscriptionState,
    WebhookDelivery,
    WebhookSubscription,
)


class SubscriptionNotFound(NotFound):
    title = "Webhook subscription not found"
    slug = "webhook-subscription-not-found"


class DeliveryNotFound(NotFound):
    title = "Delivery not found"
    slug = "delivery-not-found"


def _check(url: str) -> None:
    try:
        signing.check_target(url, allow_private=get_settings().webhook_allow_private_targets)
    except signing.TargetNotAllowed as exc:
        raise InvalidInput(f"Webhook URL not allowed: {exc}.") from exc


def create(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    url: str,
    event_types: list[EventType],
    enabled: bool = True,
) -> WebhookSubscription:
    _check(url)
    sub = WebhookSubscription(
        organisation_id=organisation_id,
        url=url,
        event_types=sorted(str(t) for t in event_types),
        enabled=enabled,
        secret=signing.new_secret(),
    )
    session.add(sub)
    session.flush()
    return sub


def list_for(*, session: Session, organisation_id: uuid.UUID) -> list[WebhookSubscription]:
    stmt = (
        select(WebhookSubscription)
        .where(WebhookSubscription.organisation_id == organisation_id)
        .order_by(col(WebhookSubscription.created_at))
    )
    return list(session.exec(stmt).all())


def get(
    *, session: Session, subscription_id: uuid.UUID, organisation_id: uuid.UUID
) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.organisation_id != organisation_id:
        raise SubscriptionNotFound(f"No webhook subscription with id {subscription_id}.")
    return sub


def update(
    *,
    session: Session,
    subscription_id: uuid.UUID,
    organisation_id: uuid.UUID,
    url: str | None = None,
    event_types: list[EventType] | None = None,
    enabled: bool | None = None,
) -> WebhookSubscription:
    sub = get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    if url is not None:
        _check(url)
        sub.url = url
    if event_types is not None:
        sub.event_types = sorted(str(t) for t in event_types)
    if enabled is not None:
        sub.enabled = enabled
        if enabled and sub.state == SubscriptionState.disabled:
            sub.state, sub.state_reason = SubscriptionState.active, None
    sub.updated_at = utcnow()
    session.add(sub)
    session.flush()
    return sub


def delete(*, session: Session, subscription_id: uuid.UUID, organisation_id: uuid.UUID) -> None:
    sub = get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    for delivery in session.exec(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    ):
        session.delete(delivery)
    session.flush()
    session.delete(sub)
    session.flush()


def rotate_secret(
    *, session: Session, subscription_id: uuid.UUID, organisation_id: uuid.UUID
) -> WebhookSubscription:
    """A new secret; the old one keeps signing alongside it for the grace period, so a receiver
    can switch without missing a delivery."""
    sub = get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    grace = timedelta(hours=get_settings().webhook_secret_grace_hours)
    sub.previous_secret, sub.previous_secret_expires_at = sub.secret, utcnow() + grace
    sub.secret = signing.new_secret()
    sub.updated_at = utcnow()
    session.add(sub)
    session.flush()
    return sub


def ping(
    *, session: Session, subscription_id: uuid.UUID, organisation_id: uuid.UUID
) -> WebhookDelivery:
    sub = get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    event = outbox.emit(
        session=session,
        type=ControlEvent.webhook_ping,
        organisation_id=organisation_id,
        data={"subscription_id": str(sub.id), "message": "ping"},
    )
    session.flush()
    assert event.id is not None
    delivery = WebhookDelivery(subscription_id=sub.id, event_id=event.id)
    session.add(delivery)
    session.flush()
    return delivery


def deliveries(
    *,
    session: Session,
    subscription_id: uuid.UUID,
    organisation_id: uuid.UUID,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[tuple[WebhookDelivery, OutboxEvent]]:
    get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    stmt = (
        select(WebhookDelivery, OutboxEvent)
        .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    if before_id:
        stmt = stmt.where(col(WebhookDelivery.id) < before_id)
    return [(d, e) for d, e in session.exec(stmt).all()]


def replay(
    *,
    session: Session,
    subscription_id: uuid.UUID,
    organisation_id: uuid.UUID,
    delivery_id: int,
) -> WebhookDelivery:
    sub = get(session=session, subscription_id=subscription_id, organisation_id=organisation_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != sub.id:
        raise DeliveryNotFound(f"No delivery {delivery_id} for this subscription.")
    if delivery.status != DeliveryStatus.dead:
        raise Conflict(f"Only dead deliveries can be replayed; this one is {delivery.status}.")
    delivery.status, delivery.attempts = DeliveryStatus.pending, 0
    delivery.next_attempt_at, delivery.locked_until = utcnow(), None
    session.add(delivery)
    session.flush()
    return delivery
