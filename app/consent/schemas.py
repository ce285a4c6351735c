import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.schemas import OptionalText
from app.organisations.models import OrganisationType

PARTNER_TYPES: list[OrganisationType] = [
    t for t in OrganisationType if t != OrganisationType.frontoffice
]


class ConsentMethod(StrEnum):
    verbaal = "verbaal"
    schriftelijk = "schriftelijk"
    digitaal = "digitaal"
    onbekend = "onbekend"


class ConsentIn(BaseModel):
    """How the resident consented, and to sharing with which kinds of organisation."""

    model_config = ConfigDict(extra="forbid")

    method: ConsentMethod = Field(description="How the resident said yes.")
    organisation_types: list[OrganisationType] = Field(
        default_factory=lambda: list(PARTNER_TYPES),
        min_length=1,
        description="Kinds of partner that may see the contact details; the others get the "
        "question and the wijk only. Default: every kind.",
    )
    wording: OptionalText = Field(
        default=None, max_length=2000, description="The exact words put to the resident."
    )

    @field_validator("organisation_types")
    @classmethod
    def partners_only(cls, value: list[OrganisationType]) -> list[OrganisationType]:
        if OrganisationType.frontoffice in value:
            raise ValueError("the front office always sees what it recorded; name partners only")
        return sorted(set(value))


class ConsentWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: ConsentMethod = Field(description="How the resident withdrew it.")


class ConsentStep(BaseModel):
    action: str = Field(examples=["given"])
    method: ConsentMethod
    organisation_types: list[OrganisationType]
    wording: str | None
    organisation_id: uuid.UUID = Field(description="Who recorded this step.")
    actor: str | None = Field(description="The X-Actor of the request that recorded it.")
    at: datetime


class ConsentPublic(BaseModel):
    given: bool = Field(description="Consent in force: given and not withdrawn.")
    organisation_types: list[OrganisationType] = Field(
        description="Kinds of partner that may see the contact details."
    )
    withdrawn_at: datetime | None
    history: list[ConsentStep]
