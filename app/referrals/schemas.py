"""What the API says about referrals, and what partners send to change them."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.classification.schemas import Domain
from app.core.schemas import OptionalText, Text
from app.intakes.schemas import ResidentContact
from app.referrals.states import Outcome, ReferralStatus
from app.routing.schemas import RoutedBy


class ReferralIntake(BaseModel):
    """What the receiving partner needs to know of the intake."""

    id: uuid.UUID
    question: str = Field(
        description="The question, or of a question about several domains the part for yours: "
        "sentences about only the other domains are left out."
    )
    question_whole: bool = Field(description="False when sentences were left out.")
    channel: str
    postcode: str | None = Field(description="Only where the resident's consent reaches you.")
    pc4: str | None = Field(description="The four digits of the postcode: the neighbourhood.")
    resident: ResidentContact | None = Field(
        description="Contact details, only where the resident's consent reaches you."
    )
    resident_shared: bool = Field(
        description="False when the resident's consent does not cover your kind of "
        "organisation, or was withdrawn: you see the question and the neighbourhood only."
    )
    bsn: str | None = Field(
        default=None,
        description="The resident's BSN: only for a gemeente, and only with consent for it.",
    )
    created_at: datetime


class ReferralPublic(BaseModel):
    id: uuid.UUID
    intake_id: uuid.UUID
    organisation_id: uuid.UUID
    domain: Domain
    status: ReferralStatus
    routed_by: RoutedBy = Field(
        description="How the organisation was chosen: area rule, default rule, gemeente "
        "fallback (no rule matched), or forwarded by another organisation."
    )
    outcome: Outcome | None
    urgent: bool = Field(description="The intake carried a safety signal.")
    due_at: datetime | None = Field(
        description="Accept (or reject) by then: the SLA in Dutch working days, or hours when "
        "urgent."
    )
    complete_due_at: datetime | None = Field(description="Complete by then (SLA).")
    overdue: bool = Field(description="A deadline for the current stage has passed.")
    forwarded_from_id: uuid.UUID | None
    forwarded_to_id: uuid.UUID | None
    version: int = Field(description="Goes up on every change; the ETag is derived from it.")
    next_statuses: list[ReferralStatus] = Field(
        description="The statuses you may set now (POST .../status)."
    )
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    intake: ReferralIntake


class ReferralPage(BaseModel):
    data: list[ReferralPublic]
    next_cursor: str = Field(
        description="Pass as `cursor` to get what was created or changed after this page."
    )
    has_more: bool = Field(description="True when the page is full: ask again right away.")


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ReferralStatus
    note: OptionalText = Field(default=None, max_length=2000)
    outcome: Outcome | None = Field(
        default=None, description="Required with `completed`, not allowed otherwise."
    )

    @model_validator(mode="after")
    def outcome_with_completed(self) -> "StatusChange":
        if self.status == ReferralStatus.completed and self.outcome is None:
            raise ValueError("status 'completed' needs an outcome code")
        if self.status != ReferralStatus.completed and self.outcome is not None:
            raise ValueError("an outcome is only given with status 'completed'")
        if self.status == ReferralStatus.rejected and not (self.note and self.note.strip()):
            raise ValueError("status 'rejected' needs a note saying why")
        return self


class ForwardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: uuid.UUID
    reason: Text = Field(min_length=1, max_length=2000)


class ReferralEventPublic(BaseModel):
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    actor_organisation_id: uuid.UUID
    actor_organisation_name: str
    note: str | None
    outcome: Outcome | None
    created_at: datetime


class ReferralHistory(BaseModel):
    referral_id: uuid.UUID
    data: list[ReferralEventPublic]
