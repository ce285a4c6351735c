import re
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator
from stdnum.exceptions import ValidationError
from stdnum.nl import bsn as stdnum_bsn

from app.classification.schemas import Domain, DomainScore
from app.consent.schemas import ConsentIn, ConsentPublic
from app.core.schemas import LegalFlag, OptionalText, Text
from app.referrals.schemas import ResidentContact
from app.referrals.states import ReferralStatus
from app.routing.schemas import RoutedBy


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


class IntakeReferral(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    domain: Domain
    status: ReferralStatus
    routed_by: RoutedBy
    urgent: bool
    due_at: datetime | None


class IntakePublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID = Field(description="The organisation that recorded the intake.")
    status: IntakeStatus
    status_reason: str = Field(description="The status in plain words.")
    question: str
    channel: Channel
    postcode: str | None
    area_id: uuid.UUID | None = Field(description="The area (wijk) of the postcode, if any.")
    has_bsn: bool = Field(description="A BSN was recorded (it is never shown here).")
    consent: bool = Field(description="Consent in force: given and not withdrawn.")
    consent_details: ConsentPublic
    resident: ResidentContact | None
    domains: list[DomainScore]
    domains_source: str = Field(description="`classifier` or `staff` (override).")
    classifier_version: str
    low_confidence: bool
    urgent: bool = Field(description="A safety signal was found: act today.")
    urgent_reasons: list[str] = Field(description="`suicide`, `violence` or `danger`.")
    guidance: list[str] = Field(description="What to do now, in Dutch (113, Veilig Thuis, 112).")
    referrals: list[IntakeReferral]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
