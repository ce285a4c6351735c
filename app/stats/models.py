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


# Lead-time histogram steps in hours: bucket i holds [LOWER[i], LOWER[i+1]); the last is open.
# One hour apart at first, then growing by about a quarter, up to a year.
LEAD_TIME_LOWER_BOUNDS: tuple[float, ...] = (
    0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 96, 120, 144, 168,
    216, 264, 336, 432, 528, 672, 840, 1008, 1344, 1680, 2016, 2688, 3360, 4368, 6552, 8760,
)  # fmt: skip
ACCEPT_BUCKETS = tuple(f"accept_h{i:02d}" for i in range(len(LEAD_TIME_LOWER_BOUNDS)))
COMPLETE_BUCKETS = tuple(f"complete_h{i:02d}" for i in range(len(LEAD_TIME_LOWER_BOUNDS)))
# The cube's dimensions besides its period.
CUBE_DIMENSIONS = (
    "domain",
    "subcategory",
    "organisation_id",
    "area_id",
    "channel",
    "status",
    "outcome",
)
CUBE_MEASURES = ("n", "accepted", "rejected", "overdue", *ACCEPT_BUCKETS, *COMPLETE_BUCKETS)

# Referrals counted per period (a calendar month, and separately an ISO week) and every other
# dimension, with lead-time histograms: a small fraction of the rows of the referrals table, so
# a year's dashboard reads thousands of rows instead of hundreds of thousands. Rebuilt per period
# from the referrals (app/stats/cube.py); never the source of truth. A plain table: its measure
# columns are generated.
stats_cube = sa.Table(
    "stats_cube",
    SQLModel.metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("grain", sa.String(5), nullable=False),  # month or week
    sa.Column("period", sa.String(8), nullable=False),  # 2026-03 or 2026-W09
    sa.Column("domain", sa.String(16), nullable=False),
    sa.Column("subcategory", sa.String(40)),
    sa.Column("organisation_id", sa.Uuid(), nullable=False),
    sa.Column("area_id", sa.Uuid()),
    sa.Column("channel", sa.String(16)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(32)),
    *(sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in CUBE_MEASURES),
    sa.Index("ix_stats_cube_grain_period", "grain", "period"),
)


class StatsCubeState(SQLModel, table=True):
    """How far the cube is: the last feed position it includes and when it was brought up to
    date (deadlines that passed since then change the overdue counts). One row."""

    __tablename__ = "stats_cube_state"

    id: int = Field(default=1, primary_key=True)
    last_feed_seq: int = Field(default=0, sa_type=sa.BigInteger)
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
