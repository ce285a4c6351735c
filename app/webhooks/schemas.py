import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import Text
from app.outbox.service import EventType


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Text = Field(max_length=2000, examples=["https://corporatie.example.nl/hooks/wijkwinkel"])
    event_types: list[EventType] = Field(
        default_factory=list, description="Only these events; empty for all."
    )
    enabled: bool = True


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Text | None = Field(default=None, max_length=2000)
    event_types: list[EventType] | None = None
    enabled: bool | None = None


class SubscriptionPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    url: str
    event_types: list[EventType]
    enabled: bool
    state: str = Field(description="`active`, `failing` (deliveries went dead) or `disabled`.")
    state_reason: str | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until when the old secret also signs."
    )
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecret(SubscriptionPublic):
    secret: str = Field(description="The signing secret (whsec_...). Shown only this once.")


class SubscriptionList(BaseModel):
    data: list[SubscriptionPublic]


class DeliveryPublic(BaseModel):
    id: int
    event_id: uuid.UUID = Field(description="Also the webhook-id header (as msg_<hex>).")
    event_type: str
    referral_id: uuid.UUID | None
    status: str = Field(description="`pending`, `delivered` or `dead` (replay it).")
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]


class DeliveryList(BaseModel):
    data: list[DeliveryPublic]
    has_more: bool = Field(
        default=False, description="True when older deliveries match: ask with `before`."
    )
    next_before: int | None = Field(
        default=None,
        description="Pass as `before` for the next (older) page; null on the last page.",
    )
