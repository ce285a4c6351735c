"""What the API answers about the review queue and the agreement figures, and what the front
office sends with its actions."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.classification.schemas import Domain
from app.core.schemas import Text
from app.intakes.schemas import Channel, IntakeStatus
from app.review.queue import Reason


class ReviewReason(BaseModel):
    reason: Reason
    text: str = Field(description="Why the intake is here, in Dutch, for the desk.")


class ReviewItem(BaseModel):
    intake_id: uuid.UUID
    organisation_id: uuid.UUID = Field(description="The organisation that recorded the intake.")
    organisation_name: str
    status: IntakeStatus
    channel: Channel
    question: str = Field(description="The first 300 characters of the question.")
    domains: list[Domain]
    urgent: bool
    urgent_reasons: list[str]
    reasons: list[ReviewReason] = Field(description="Every reason it is in the queue now.")
    created_at: datetime
    reviewed_at: datetime | None = Field(description="When the front office last looked.")


class ReviewQueue(BaseModel):
    data: list[ReviewItem] = Field(description="Urgent first, then the oldest first.")
    truncated: bool = Field(description="True when there are more than this page shows.")


class ReviewNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(
        min_length=1,
        max_length=2000,
        description="What was done or decided, briefly (kept with the intake; personal data is "
        "erased with it).",
        examples=["Bewoner gebeld: is naar de huisarts verwezen."],
    )


class ClosureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(
        min_length=1,
        max_length=2000,
        description="Why the intake is closed without (more) referrals.",
        examples=["Informatie gegeven aan de balie; geen verwijzing nodig."],
    )


class AgreementCell(BaseModel):
    month: str = Field(examples=["2026-12"])
    domain: Domain
    kept: int = Field(description="The classifier proposed it and a person kept it.")
    removed: int = Field(description="The classifier proposed it and a person took it away.")
    added: int = Field(description="A person added it; the classifier had not proposed it.")
    agreement: float | None = Field(description="kept / (kept + removed + added); null if none.")


class AgreementTable(BaseModel):
    data: list[AgreementCell]
    intakes: int = Field(description="Intakes whose domains a person chose, in the period.")
