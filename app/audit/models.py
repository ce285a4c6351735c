import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(SQLModel, table=True):
    """One access to personal data, in the spirit of NEN 7513: who (organisation, key, person),
    when, what (action, intakes and objects), why (purpose). Append-only; each entry's hash
    covers the previous one's, so a changed, removed or inserted entry breaks the chain."""

    __tablename__ = "audit_log"

    id: int | None = Field(
        default=None,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    organisation_id: uuid.UUID | None = Field(default=None, index=True)
    api_key_id: uuid.UUID | None = Field(default=None)
    actor: str | None = Field(default=None, sa_type=sa.String(200))
    action: str = Field(sa_type=sa.String(16))
    purpose: str = Field(sa_type=sa.String(100))
    object_type: str = Field(sa_type=sa.String(16))
    object_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # The residents concerned, by their intake: what a privacy officer searches by.
    intake_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    prev_hash: str = Field(sa_type=sa.String(64))
    hash: str = Field(sa_type=sa.String(64), unique=True)

    def content(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "organisation_id": str(self.organisation_id) if self.organisation_id else None,
            "api_key_id": str(self.api_key_id) if self.api_key_id else None,
            "actor": self.actor,
            "action": self.action,
            "purpose": self.purpose,
            "object_type": self.object_type,
            "object_ids": list(self.object_ids),
            "intake_ids": list(self.intake_ids),
            "prev_hash": self.prev_hash,
        }


class AuditHead(SQLModel, table=True):
    """The end of the chain: the last entry's id and hash. One row, locked while appending,
    so entries join the chain one at a time."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    last_id: int = Field(default=0, sa_type=sa.BigInteger)
    hash: str = Field(default=GENESIS, sa_type=sa.String(64))
