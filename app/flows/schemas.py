"""What the API answers about an intake: the intake with its consent and its referrals. It
shows both, so it lives with the flows that know both."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.classification.schemas import Domain, DomainScore
from app.consent.schemas import ConsentPublic
from app.intakes.schemas import Channel, IntakeStatus, ResidentContact
from app.referrals.states import ReferralStatus
from app.routing.schemas import RoutedBy


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
