import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Intake(SQLModel, table=True):
    """One question brought to the front office, with what the classifier made of it."""

    __tablename__ = "intakes"
    # Closed intakes due for anonymising (app/retention).
    __table_args__ = (sa.Index("ix_intakes_anonymised_at_closed_at", "anonymised_at", "closed_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    question: str = Field(sa_type=sa.Text)
    channel: str = Field(sa_type=sa.String(16))
    postcode: str | None = Field(default=None, sa_type=sa.String(7))
    pc4: str | None = Field(default=None, sa_type=sa.String(4), index=True)
    # The area (wijk) the postcode belonged to when the intake was recorded.
    area_id: uuid.UUID | None = Field(default=None, foreign_key="areas.id", index=True)
    consent: bool
    # The consent in force (history: app/consent): kinds of partner that may see the contact
    # details, and when the resident took it back.
    consent_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    consent_withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Personal data: kept apart from the question so it can be shared, shown and erased on its own.
    resident_name: str | None = Field(default=None, sa_type=sa.String(200))
    resident_phone: str | None = Field(default=None, sa_type=sa.String(32))
    resident_email: str | None = Field(default=None, sa_type=sa.String(254))
    resident_address: str | None = Field(default=None, sa_type=sa.String(300))
    # Encrypted (app/core/crypto.py); shown only to a gemeente the resident consented to.
    bsn_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    domains: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    domains_source: str = Field(sa_type=sa.String(16))
    classification: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    classifier_version: str = Field(sa_type=sa.String(32))
    urgent: bool = Field(default=False)
    urgent_reasons: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # Who chose the domains before anything was sent (the person at the desk, or the X-Actor of
    # an API call that named them), and when; None when the classifier's answer went unseen.
    domains_confirmed_by: str | None = Field(default=None, sa_type=sa.String(200))
    domains_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The front office saw the safety signal and did something about it (app/review).
    urgent_acknowledged_by: str | None = Field(default=None, sa_type=sa.String(200))
    urgent_acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    urgent_acknowledgement: str | None = Field(default=None, sa_type=sa.Text)
    # The front office last looked at it in the review queue (app/review), and what it noted.
    reviewed_by: str | None = Field(default=None, sa_type=sa.String(200))
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_note: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(sa_type=sa.String(16), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the front office closed it by hand (information given, no answer after calling back);
    # None when it closed because every referral was final.
    closed_reason: str | None = Field(default=None, sa_type=sa.Text)
    # Personal data removed (retention period over, or the resident asked): app/retention.
    anonymised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DomainCorrection(SQLModel, table=True):
    """A staff member replaced an intake's domains; kept with the classifier's own answer, so
    corrections can become training data."""

    __tablename__ = "domain_corrections"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    intake_id: uuid.UUID = Field(foreign_key="intakes.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id")
    previous_domains: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    domains: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    classifier_domains: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    classifier_version: str = Field(sa_type=sa.String(32))
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
