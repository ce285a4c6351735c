"""The intake's own vocabulary (channels, statuses, the resident's contact details) and what
a caller sends to record or correct one. What the API answers about an intake shows its
referrals too, so that lives with the flows that know both (app/flows/schemas.py)."""

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator
from stdnum.exceptions import ValidationError
from stdnum.nl import bsn as stdnum_bsn

from app.classification.schemas import Domain
from app.consent.schemas import ConsentIn
from app.core.schemas import LegalFlag, OptionalText, Text, clean_optional_text
from app.intakes.models import Intake


class Channel(StrEnum):
    balie = "balie"
    telefoon = "telefoon"
    email = "email"
    huisbezoek = "huisbezoek"
    signalering = "signalering"


class IntakeStatus(StrEnum):
    open = "open"
    closed = "closed"
    no_consent = "no_consent"
    needs_review = "needs_review"


# Dutch postcodes: 4 digits not starting with 0, 2 letters; SA, SD and SS are never issued.
_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    match = _POSTCODE.match(value.strip().upper())
    if not match or match.group(2) in {"SA", "SD", "SS"}:
        raise ValueError("not a Dutch postcode; write it as '1234 AB' or '1234AB'")
    return f"{match.group(1)} {match.group(2)}"


def _blank_is_none(value: Any) -> Any:
    # An empty e-mail field is "no e-mail address", not an invalid one.
    return clean_optional_text(value) if isinstance(value, str) else value


class ResidentContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OptionalText = Field(default=None, max_length=200, examples=["mevrouw J. de Vries"])
    phone: OptionalText = Field(default=None, max_length=32, examples=["06-12345678"])
    email: Annotated[EmailStr | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=254, examples=["j.devries@example.nl"]
    )
    address: OptionalText = Field(default=None, max_length=300, examples=["Lindenlaan 12"])


def resident_of(intake: Intake) -> ResidentContact | None:
    """The intake's contact details, or None when none were given."""
    # Built without validation: what was stored is shown as stored (an address accepted before
    # e-mail addresses were checked must not make the intake unreadable).
    resident = ResidentContact.model_construct(
        name=intake.resident_name,
        phone=intake.resident_phone,
        email=intake.resident_email,
        address=intake.resident_address,
    )
    return resident if any(resident.model_dump().values()) else None


class IntakeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(
        min_length=1,
        max_length=5000,
        description="The question in the resident's (or the professional's) words.",
        examples=["Mevrouw slaapt beneden omdat de badkamer boven is; de trap lukt niet meer."],
    )
    channel: Channel = Field(description="How the question reached us.")
    postcode: OptionalText = Field(
        default=None, description="Dutch postcode, '1234 AB' or '1234AB'.", examples=["3828 AB"]
    )
    consent: LegalFlag = Field(
        description="The resident agreed that the question (and contact details) may be shared "
        "with the partners that should act. Without it, nothing leaves the front office."
    )
    consent_details: ConsentIn | None = Field(
        default=None,
        description="How consent was asked and for which kinds of partner (recorded with the "
        "intake). Without it: method `onbekend`, every kind of partner.",
    )
    resident: ResidentContact | None = None
    bsn: OptionalText = Field(
        default=None,
        description="Optional burgerservicenummer (checked with the 11-test). Stored encrypted, "
        "never logged, shown only to a gemeente the resident consented to.",
        examples=["111222333"],
    )
    domains: list[Domain] | None = Field(
        default=None,
        min_length=1,
        description="Staff override: these domains instead of the classifier's.",
    )

    @field_validator("bsn")
    @classmethod
    def bsn_eleven_test(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(stdnum_bsn.validate(value))
        except ValidationError:
            # Plain words, and never the number itself: it must not end up in any log.
            raise ValueError("is not a valid BSN (it fails the 11-test)") from None

    @field_validator("postcode")
    @classmethod
    def postcode_dutch(cls, value: str | None) -> str | None:
        return normalise_postcode(value) if value is not None else None

    @field_validator("domains")
    @classmethod
    def domains_unique(cls, value: list[Domain] | None) -> list[Domain] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each domain at most once")
        return value


class DomainsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domains: list[Domain] = Field(
        min_length=1, description="The domains the intake really concerns (replaces the old)."
    )
    note: OptionalText = Field(default=None, max_length=2000, description="Why, briefly.")

    @field_validator("domains")
    @classmethod
    def domains_unique(cls, value: list[Domain]) -> list[Domain]:
        if len(set(value)) != len(value):
            raise ValueError("each domain at most once")
        return value
