from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Domain(StrEnum):
    wonen = "wonen"
    welzijn = "welzijn"
    zorg = "zorg"


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=5000,
        examples=["Mijn moeder slaapt beneden omdat ze de trap naar de badkamer niet meer op kan."],
    )

    @field_validator("text")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        return value


class DomainScore(BaseModel):
    domain: Domain
    score: float = Field(ge=0, le=1)
    evidence: list[str] = Field(description="Words or phrases in the text that led to this label.")


class ClassificationPublic(BaseModel):
    domains: list[DomainScore] = Field(description="Domains at or above the threshold, best first.")
    classifier_version: str
    low_confidence: bool = Field(
        description="True when nothing in the text was recognised well; a person should look."
    )
