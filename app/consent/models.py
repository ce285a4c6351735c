import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class ConsentRecord(SQLModel, table=True):
    """One step in a resident's consent to share: given, refused or withdrawn; by whom, how,
    for which kinds of organisation. Append-only: the history is the record. The intake holds
    the consent in force (intakes.consent, consent_types, consent_withdrawn_at)."""

    __tablename__ = "consent_records"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    intake_id: uuid.UUID = Field(foreign_key="intakes.id", index=True)
    action: str = Field(sa_type=sa.String(16))  # given, refused, withdrawn
    method: str = Field(sa_type=sa.String(16))  # verbaal, schriftelijk, digitaal, onbekend
    organisation_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # The words put to the resident, as the desk or the app showed them.
    wording: str | None = Field(default=None, sa_type=sa.Text)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id")
    actor: str | None = Field(default=None, sa_type=sa.String(200))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
