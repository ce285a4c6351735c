import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.core.schemas import Text
from app.core.security import Scope
from app.organisations.models import OrganisationType


class OrganisationBase(BaseModel):
    name: Text = Field(min_length=1, max_length=200, examples=["Woonstichting De Linie"])
    type: OrganisationType


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(extra="forbid")


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None


class OrganisationPublic(OrganisationBase):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    active: bool
    created_at: datetime


class OrganisationList(BaseModel):
    data: list[OrganisationPublic]


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


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself. Shown only in this response; store it safely.")


class ApiKeyRotated(ApiKeyCreated):
    replaces: ApiKeyPublic = Field(
        description="The rotated key: it keeps working until its `expires_at` (the grace "
        "period), so clients can switch over without an outage."
    )


class ApiKeyList(BaseModel):
    data: list[ApiKeyPublic]
