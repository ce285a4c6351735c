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


class UrgentAcknowledgement(BaseModel):
    by: str = Field(description="Who acknowledged the signal at the front office.")
    at: datetime
    note: str = Field(description="What was done.")


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
    domains_source: str = Field(
        description="`classifier` (sent as the classifier proposed, unseen) or `staff` (a person "
        "chose them: see `domains_confirmed_by`)."
    )
    domains_confirmed_by: str | None = Field(
        description="Who chose the domains before anything was sent: the person at the desk, or "
        "the X-Actor (else the organisation) of the API call that named them."
    )
    domains_confirmed_at: datetime | None
    classifier_version: str
    low_confidence: bool
    urgent: bool = Field(description="A safety signal was found: act today.")
    urgent_reasons: list[str] = Field(description="`suicide`, `violence` or `danger`.")
    guidance: list[str] = Field(description="What to do now, in Dutch (113, Veilig Thuis, 112).")
    urgent_acknowledgement: UrgentAcknowledgement | None = Field(
        description="The front office saw the signal and said what it did."
    )
    referrals: list[IntakeReferral]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_reason: str | None = Field(
        description="Why the front office closed it by hand; null when it closed because every "
        "referral was final."
    )
