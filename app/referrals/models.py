import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Referral(SQLModel, table=True):
    """A request to one partner organisation to act on one domain of an intake."""

    __tablename__ = "referrals"
    __table_args__ = (
        # The partner feed: own referrals after a cursor, optionally of one status.
        sa.Index("ix_referrals_organisation_id_feed_seq", "organisation_id", "feed_seq"),
        sa.Index(
            "ix_referrals_organisation_id_status_feed_seq", "organisation_id", "status", "feed_seq"
        ),
        # Referrals whose deadline passed and that were not announced yet.
        sa.Index(
            "ix_referrals_overdue_announced_at_status_due_at",
            "overdue_announced_at",
            "status",
            "due_at",
        ),
        # The statistics filter on the period first (app/stats).
        sa.Index("ix_referrals_created_at", "created_at"),
        # Deadlines that passed since the statistics cube was last brought up to date.
        sa.Index("ix_referrals_due_at", "due_at"),
        sa.Index("ix_referrals_complete_due_at", "complete_due_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    intake_id: uuid.UUID = Field(foreign_key="intakes.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id")
    domain: str = Field(sa_type=sa.String(16))
    status: str = Field(sa_type=sa.String(16))
    routed_by: str = Field(sa_type=sa.String(16))
    outcome: str | None = Field(default=None, sa_type=sa.String(32))
    urgent: bool = Field(default=False)
    # Deadlines (app/sla): accepted (or rejected) by due_at, completed by complete_due_at.
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    complete_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    forwarded_from_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id")
    forwarded_to_id: uuid.UUID | None = Field(default=None, foreign_key="referrals.id")
    version: int = Field(default=1)
    # Position in the change feed: set anew on every change, in commit order (see feed.py).
    # Null only inside the transaction that creates the row, until it is stamped.
    feed_seq: int | None = Field(default=None, sa_type=sa.BigInteger, unique=True)
    # For the statistics (app/stats/facts.py): copied from the intake when the referral is made
    # and never changed after, so dashboard queries read this table without a join.
    subcategory: str | None = Field(default=None, sa_type=sa.String(40))
    channel: str | None = Field(default=None, sa_type=sa.String(16))
    area_id: uuid.UUID | None = Field(default=None, foreign_key="areas.id")
    created_month: str | None = Field(default=None, sa_type=sa.String(7))
    created_week: str | None = Field(default=None, sa_type=sa.String(8))
    # When the partner first accepted it: the start of the lead time to accept.
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReferralEvent(SQLModel, table=True):
    """One step in a referral's history: who moved it where, when and why."""

    __tablename__ = "referral_events"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    referral_id: uuid.UUID = Field(foreign_key="referrals.id", index=True)
    from_status: str | None = Field(default=None, sa_type=sa.String(16))
    to_status: str = Field(sa_type=sa.String(16))
    actor_organisation_id: uuid.UUID = Field(foreign_key="organisations.id")
    note: str | None = Field(default=None, sa_type=sa.Text)
    outcome: str | None = Field(default=None, sa_type=sa.String(32))
    feed_seq: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedCounter(SQLModel, table=True):
    """The last feed position handed out. One row per feed."""

    __tablename__ = "feed_counters"

    name: str = Field(sa_type=sa.String(32), primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)
