import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class SubscriptionState(StrEnum):
    active = "active"
    failing = "failing"  # deliveries went dead: replay them once the receiver works
    disabled = "disabled"  # the receiver answered 410 Gone, or its owner switched it off


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"  # every attempt failed: replay it


class WebhookSubscription(SQLModel, table=True):
    """Where an organisation wants its events pushed, and how that is going."""

    __tablename__ = "webhook_subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    url: str = Field(sa_type=sa.String(2000))
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # empty: all
    enabled: bool = Field(default=True)
    # Secrets sign deliveries, so they are kept (not hashed); shown to the organisation once.
    secret: str = Field(sa_type=sa.String(100))
    previous_secret: str | None = Field(default=None, sa_type=sa.String(100))
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(default=SubscriptionState.active, sa_type=sa.String(16))
    state_reason: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one subscription, with every attempt counted."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_id"),
        sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index(
            "ix_webhook_deliveries_subscription_id_referral_id_id",
            "subscription_id",
            "referral_id",
            "id",
        ),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id")
    event_id: int = Field(sa_type=BigId, foreign_key="outbox_events.id")
    referral_id: uuid.UUID | None = Field(default=None)  # events of one referral go in order
    status: str = Field(default=DeliveryStatus.pending, sa_type=sa.String(16))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
