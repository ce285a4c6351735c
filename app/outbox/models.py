import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """Something a partner should be told about, written in the same transaction as the change.

    Delivery (webhooks) reads from here after the commit, so an event exists exactly when its
    change does, and a slow or dead receiver never holds up the request that caused it.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.Index("ix_outbox_events_organisation_id_id", "organisation_id", "id"),
        # The fan-out job's question: which events are still waiting, oldest first.
        sa.Index("ix_outbox_events_fanned_out_at_id", "fanned_out_at", "id"),
    )

    # Insertion order: events about one referral are delivered in this order.
    id: int | None = Field(
        default=None, sa_type=sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True)  # webhook-id
    type: str = Field(sa_type=sa.String(40))
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id")  # who is told
    referral_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id", index=True)
    intake_id: uuid.UUID | None = Field(default=None, foreign_key="intakes.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the delivery side turned the event into webhook deliveries; None while it waits.
    fanned_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
