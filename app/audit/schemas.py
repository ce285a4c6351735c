import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AuditEntryPublic(BaseModel):
    id: int = Field(description="Position in the chain, from 1 without gaps.")
    at: datetime
    organisation_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    actor: str | None = Field(description="The X-Actor the caller sent, if any.")
    action: str = Field(examples=["read"])
    purpose: str = Field(examples=["handling a referral"])
    object_type: str = Field(examples=["referral"])
    object_ids: list[str]
    intake_ids: list[str] = Field(description="The residents concerned, by their intake.")
    prev_hash: str
    hash: str = Field(description="SHA-256 over this entry's fields and the previous hash.")


class AuditPage(BaseModel):
    data: list[AuditEntryPublic]
    next_after: int = Field(description="Pass as `after` for the next page.")
    has_more: bool
