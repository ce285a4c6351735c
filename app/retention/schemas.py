import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import OptionalText


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: OptionalText = Field(
        default=None,
        max_length=500,
        description="Kept out of the log on purpose: do not put personal data here.",
        examples=["verzoek van de bewoner (AVG art. 17), dossier 2026-114"],
    )


class Erasure(BaseModel):
    intake_id: uuid.UUID
    anonymised_at: datetime = Field(description="When the personal data was removed.")
