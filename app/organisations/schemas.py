import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.security import Scope
from app.organisations.models import OrganisationType


class OrganisationBase(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Woonstichting De Linie"])
    type: OrganisationType


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(extra="forbid")


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
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

    name: str = Field(min_length=1, max_length=100, examples=["corporatie-koppeling"])
    scopes: list[Scope] = Field(min_length=1, examples=[["referrals:read", "referrals:write"]])
    expires_at: datetime | None = Field(
        default=None, description="Optional moment after which the key stops working."
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


class ApiKeyList(BaseModel):
    data: list[ApiKeyPublic]
