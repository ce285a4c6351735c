import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.openapi import created, problems
from app.outbox.models import OutboxEvent
from app.webhooks import service
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import (
    DeliveryList,
    DeliveryPublic,
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionPublic,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)

router = APIRouter(prefix="/webhook-subscriptions", tags=["webhooks"])

AdminDep = Annotated[Principal, Depends(require(Scope.admin))]


def _public(sub: WebhookSubscription) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(sub, from_attributes=True)


def _delivery(d: WebhookDelivery, e: OutboxEvent) -> DeliveryPublic:
    assert d.id is not None
    return DeliveryPublic(
        id=d.id,
        event_id=e.event_id,
        event_type=e.type,
        referral_id=d.referral_id,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_attempt_at=d.last_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
        created_at=d.created_at,
        payload=e.payload,
    )


@router.get("", summary="List your webhook subscriptions")
def list_subscriptions(session: SessionDep, principal: AdminDep) -> SubscriptionList:
    """Your organisation's subscriptions, with their delivery state. Scope `admin`."""
    subs = service.list_for(session=session, organisation_id=principal.organisation_id)
    return SubscriptionList(data=[_public(s) for s in subs])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe to events",
    responses=created(),
)
def create_subscription(
    body: SubscriptionCreate, session: SessionDep, principal: AdminDep, response: Response
) -> SubscriptionWithSecret:
    """Events about your own referrals (and intakes) are pushed to the URL, signed per the
    Standard Webhooks spec with the secret in this response, which is shown only once. URLs on
    private, loopback or link-local addresses are refused. Scope `admin`."""
    sub = service.create(
        session=session,
        organisation_id=principal.organisation_id,
        url=body.url,
        event_types=body.event_types,
        enabled=body.enabled,
    )
    response.headers["Location"] = f"/api/v1/webhook-subscriptions/{sub.id}"
    return SubscriptionWithSecret(**_public(sub).model_dump(), secret=sub.secret)


@router.get("/{subscription_id}", summary="Get a webhook subscription")
def get_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> SubscriptionPublic:
    """One of your subscriptions (another organisation's is 404). Scope `admin`."""
    sub = service.get(
        session=session, subscription_id=subscription_id, organisation_id=principal.organisation_id
    )
    return _public(sub)


@router.patch("/{subscription_id}", summary="Change a webhook subscription")
def update_subscription(
    subscription_id: uuid.UUID, body: SubscriptionUpdate, session: SessionDep, principal: AdminDep
) -> SubscriptionPublic:
    """Change the URL or event types, or disable and enable it. Scope `admin`."""
    sub = service.update(
        session=session,
        subscription_id=subscription_id,
        organisation_id=principal.organisation_id,
        url=body.url,
        event_types=body.event_types,
        enabled=body.enabled,
    )
    return _public(sub)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unsubscribe")
def delete_subscription(
    subscription_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> Response:
    """Removes the subscription and its delivery log. Scope `admin`."""
    service.delete(
        session=session, subscription_id=subscription_id, organisation_id=principal.organisation_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{subscription_id}/rotate-secret", summary="Rotate the signing secret")
def rotate_secret(
    subscription_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> SubscriptionWithSecret:
    """A new secret, shown once. The old one keeps signing alongside it (a second signature in
    the header) until `previous_secret_expires_at`. Scope `admin`."""
    sub = service.rotate_secret(
        session=session, subscription_id=subscription_id, organisation_id=principal.organisation_id
    )
    return SubscriptionWithSecret(**_public(sub).model_dump(), secret=sub.secret)


@router.post(
    "/{subscription_id}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a test event",
)
def ping(subscription_id: uuid.UUID, session: SessionDep, principal: AdminDep) -> DeliveryPublic:
    """Queues a `webhook.ping` event for this subscription; follow it in the deliveries."""
    delivery = service.ping(
        session=session, subscription_id=subscription_id, organisation_id=principal.organisation_id
    )
    event = session.get(OutboxEvent, delivery.event_id)
    assert event is not None
    return _delivery(delivery, event)


@router.get("/{subscription_id}/deliveries", summary="Delivery attempts")
def list_deliveries(
    subscription_id: uuid.UUID,
    session: SessionDep,
    principal: AdminDep,
    status_: Annotated[
        str | None,
        Query(alias="status", pattern="^(pending|delivered|dead)$", description="Only these."),
    ] = None,
    before: Annotated[int | None, Query(ge=1, description="Older than this delivery id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """Newest first: status, attempts, last response code or error, next attempt. Page with
    `before` = the previous page's `next_before`."""
    rows = service.deliveries(
        session=session,
        subscription_id=subscription_id,
        organisation_id=principal.organisation_id,
        status=status_,
        before_id=before,
        limit=limit + 1,  # one more than asked: is there another page?
    )
    page = rows[:limit]
    more = len(rows) > limit
    return DeliveryList(
        data=[_delivery(d, e) for d, e in page],
        has_more=more,
        next_before=page[-1][0].id if more else None,
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Replay a dead delivery",
    responses=problems(409),
)
def replay(
    subscription_id: uuid.UUID, delivery_id: int, session: SessionDep, principal: AdminDep
) -> DeliveryPublic:
    """Queues a dead delivery again, from its first attempt. Scope `admin`."""
    delivery = service.replay(
        session=session,
        subscription_id=subscription_id,
        organisation_id=principal.organisation_id,
        delivery_id=delivery_id,
    )
    event = session.get(OutboxEvent, delivery.event_id)
    assert event is not None
    return _delivery(delivery, event)
