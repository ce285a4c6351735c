from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.classification.schemas import Domain


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"


class SlaPolicyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept_working_days: int = Field(ge=0, le=250, description="Accept (or reject) within.")
    complete_working_days: int = Field(ge=1, le=500, description="Complete within.")


class SlaPolicyPublic(SlaPolicyUpdate):
    domain: Domain
    urgency: Urgency
    default: bool = Field(description="True while no admin has set this one.")


class SlaPolicyList(BaseModel):
    data: list[SlaPolicyPublic]
