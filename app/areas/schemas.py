import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.schemas import Text

PC4 = r"^[1-9][0-9]{3}$"


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=100, examples=["Hoogland"])
    pc4: list[str] = Field(min_length=1, max_length=500, examples=[["3828"]])

    @field_validator("pc4")
    @classmethod
    def valid_pc4(cls, value: list[str]) -> list[str]:
        import re

        bad = [p for p in value if not re.fullmatch(PC4, p)]
        if bad:
            raise ValueError(f"not four-digit postcode areas: {', '.join(bad[:5])}")
        if len(set(value)) != len(value):
            raise ValueError("each PC4 at most once")
        return sorted(value)


class AreaPublic(BaseModel):
    id: uuid.UUID
    name: str
    pc4: list[str]
    created_at: datetime


class AreaList(BaseModel):
    data: list[AreaPublic]
