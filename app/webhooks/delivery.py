"""Webhook delivery: sends queued deliveries per the Standard Webhooks spec.

A delivery is claimed with a lease (``locked_until``) in a short transaction, sent with no
transaction open, and its result recorded in another. A worker killed mid-batch loses nothing:
its leases run out and the deliveries are sent again (at-least-once; ``webhook-id`` stays the
same, so receivers can drop duplicates). Several workers can run at once on PostgreSQL
(``FOR UPDATE SKIP LOCKED``); on SQLite, run one.
"""

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.database import get_engine
from app.core.types import utcnow
from app.outbox.models import OutboxEvent
from app.webhooks import signing
from app.webhooks.models import (
    DeliveryStatus,
    SubscriptionState,
    WebhookDelivery,
    WebhookSubscription,
)

# Retry after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h; then dead.
SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
MAX_RETRY_AFTER = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    url: str
    secrets: tuple[str, ...]
    msg_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Result:
    delivery_id: int
    status_code: int | None
    error: str | None
    retry_after: timedelta | None = None


def claim(*, session: Session, batch: int) -> list[Job]:
    """Lease up to `batch` due deliveries, oldest first, never overtaking an earlier pending
    delivery of the same referral to the same subscription."""
    now = utcnow()
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(
        col(earlier.subscription_id) == col(WebhookDelivery.subscription_id),
        col(earlier.referral_id) == col(WebhookDelivery.referral_id),
        col(earlier.status) == DeliveryStatus.pending,
        col(earlier.id) < col(WebhookDelivery.id),
    )
    stmt = (
        select(WebhookDelivery)
        .join(
            WebhookSubscription,
            col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id),
        )
        .where(
            WebhookDelivery.status == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) <= now,
            or_(
                col(WebhookDelivery.locked_until).is_(None), col(WebhookDelivery.locked_until) < now
            ),
            col(WebhookSubscription.enabled).is_(True),
            or_(col(WebhookDelivery.referral_id).is_(None), ~blocked),
        )
        .order_by(col(WebhookDelivery.id))
        .limit(batch)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    deliveries = list(session.exec(stmt).all())
    if not deliveries:
        return []
    subs = {
        s.id: s
        for s in session.exec(
            select(WebhookSubscription).where(
                col(WebhookSubscription.id).in_({d.subscription_id for d in deliveries})
            )
        )
    }
    events = {
        e.id: e
        for e in session.exec(
            select(OutboxEvent).where(col(OutboxEvent.id).in_({d.event_id for d in deliveries}))
        )
    }
    jobs = []
    for d in deliveries:
        d.locked_until = now + timedelta(seconds=get_settings().worker_lease_seconds)
        session.add(d)
        sub, event = subs[d.subscription_id], events[d.event_id]
        keys = [sub.secret]
        expiry = sub.previous_secret_expires_at
        if sub.previous_secret and expiry and expiry > now:
            keys.append(sub.previous_secret)
        body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
        assert d.id is not None
        jobs.append(Job(d.id, sub.url, tuple(keys), f"msg_{event.event_id.hex}", body))
    return jobs


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        delay = timedelta(seconds=max(0, int(value)))
    except ValueError:
        try:
            delay = parsedate_to_datetime(value) - utcnow()
        except (TypeError, ValueError):
            return None
    return min(max(delay, timedelta(0)), MAX_RETRY_AFTER)


def send(job: Job, client: httpx.Client) -> Result:
    settings = get_settings()
    try:
        signing.check_target(job.url, allow_private=settings.webhook_allow_private_targets)
    except signing.TargetNotAllowed as exc:
        return Result(job.delivery_id, None, f"target not allowed: {exc}")
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": job.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signing.signature(secret, job.msg_id, timestamp, job.body) for secret in job.secrets
        ),
        "user-agent": "wijkwinkel-webhooks/1",
    }
    try:
        response = client.post(job.url, content=job.body, headers=headers, follow_redirects=False)
    except httpx.HTTPError as exc:
        return Result(job.delivery_id, None, f"{type(exc).__name__}: {exc}"[:500])
    retry_after = _retry_after(response) if response.status_code in {429, 502, 503, 504} else None
    return Result(job.delivery_id, response.status_code, None, retry_after)


def record(*, session: Session, result: Result) -> None:
    delivery = session.get(WebhookDelivery, result.delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.pending:
        return
    sub = session.get(WebhookSubscription, delivery.subscription_id)
    assert sub is not None
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    delivery.locked_until = None
    code = result.status_code
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
        if sub.state == SubscriptionState.failing:
            sub.state, sub.state_reason = SubscriptionState.active, None
    elif code == 410:
        # Gone: the receiver asks us to stop.
        delivery.status = DeliveryStatus.dead
        sub.enabled, sub.state = False, SubscriptionState.disabled
        sub.state_reason = f"the receiver answered 410 Gone at {now.isoformat()}"
    elif delivery.attempts > len(SCHEDULE) or (result.error or "").startswith("target not"):
        delivery.status = DeliveryStatus.dead
        sub.state = SubscriptionState.failing
        sub.state_reason = (
            f"delivery {delivery.id} failed {delivery.attempts} times "
            f"(last: {code or result.error}); replay it once the receiver works"
        )
    else:
        delay = SCHEDULE[delivery.attempts - 1] * random.uniform(0.9, 1.1)  # noqa: S311
        if result.retry_after is not None:
            delay = result.retry_after
        delivery.next_attempt_at = now + delay
    sub.updated_at = now
    session.add(delivery)
    session.add(sub)


def deliver_once(*, batch: int | None = None, client: httpx.Client | None = None) -> int:
    """Claim, send and record one batch. Returns how many deliveries were attempted."""
    settings = get_settings()
    with Session(get_engine()) as session:
        jobs = claim(session=session, batch=batch or settings.worker_batch_size)
        session.commit()
    if not jobs:
        return 0
    own = client is None
    client = client or httpx.Client(timeout=settings.webhook_timeout_seconds)
    try:
        with ThreadPoolExecutor(max_workers=min(settings.worker_concurrency, len(jobs))) as pool:
            results = list(pool.map(lambda job: send(job, client), jobs))
    finally:
        if own:
            client.close()
    with Session(get_engine()) as session:
        for result in results:
            record(session=session, result=result)
        session.commit()
    return len(jobs)
