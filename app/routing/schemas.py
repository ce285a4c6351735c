import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.classification.schemas import Domain


class RoutedBy(StrEnum):
    area = "area"
    default = "default"
    fallback = "fallback"
    forwarded = "forwarded"


PC4_PATTERN = r"^[1-9][0-9]{3}$"


class RoutingRuleBase(BaseModel):
    domain: Domain
    pc4: str | None = Field(
        default=None,
        pattern=PC4_PATTERN,
        description="Four-digit postcode area; null makes this the domain's default rule.",
        examples=["3828"],
    )
    organisation_id: uuid.UUID


class RoutingRuleCreate(RoutingRuleBase):
    model_config = ConfigDict(extra="forbid")


class RoutingRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: uuid.UUID


class RoutingRulePublic(RoutingRuleBase):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime


class RoutingRuleList(BaseModel):
    data: list[RoutingRulePublic]
