import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import Text
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
