"""The API's view of API keys."""

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.auth.models import ApiKey
from app.auth.scopes import Scope, parse_scopes
from app.core.schemas import Text


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100, examples=["corporatie-koppeling"])
    scopes: list[Scope] = Field(min_length=1, examples=[["referrals:read", "referrals:write"]])
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="Optional moment after which the key stops working, with a time zone "
        "(2030-01-01T00:00:00Z).",
    )


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    prefix: str = Field(description="First characters of the key, to tell keys apart.")
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, key: ApiKey) -> "ApiKeyPublic":
        return cls.model_validate({**key.model_dump(), "scopes": sorted(parse_scopes(key.scopes))})


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself. Shown only in this response; store it safely.")


class ApiKeyRotated(ApiKeyCreated):
    replaces: ApiKeyPublic = Field(
        description="The rotated key: it keeps working until its `expires_at` (the grace "
        "period), so clients can switch over without an outage."
    )


class ApiKeyList(BaseModel):
    data: list[ApiKeyPublic]
