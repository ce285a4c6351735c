import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class UnreferredSignal(SQLModel, table=True):
    """A domain of an intake that no referral carries: the resident gave no consent, nothing was
    recognised, or no organisation could take it. The statistics count these next to referrals,
    because they show where the front office could not refer. No personal data."""

    __tablename__ = "unreferred_signals"
    __table_args__ = (sa.Index("ix_unreferred_signals_created_at", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    intake_id: uuid.UUID = Field(foreign_key="intakes.id", index=True)
    # None when no domain was recognised at all.
    domain: str | None = Field(default=None, sa_type=sa.String(16))
    subcategory: str | None = Field(default=None, sa_type=sa.String(40))
    # no_consent or needs_review: the status these rows show under in the statistics.
    reason: str = Field(sa_type=sa.String(16))
    channel: str = Field(sa_type=sa.String(16))
    area_id: uuid.UUID | None = Field(default=None, foreign_key="areas.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_month: str = Field(sa_type=sa.String(7))
    created_week: str = Field(sa_type=sa.String(8))
