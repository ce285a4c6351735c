from pydantic import BaseModel, ConfigDict, Field

from app.classification.domains import Domain
from app.core.schemas import Text

__all__ = ["ClassificationPublic", "ClassifyRequest", "Domain", "DomainScore", "SubcategoryScore"]


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(
        min_length=1,
        max_length=5000,
        examples=["Mijn moeder slaapt beneden omdat ze de trap naar de badkamer niet meer op kan."],
    )


class SubcategoryScore(BaseModel):
    subcategory: str = Field(examples=["woningaanpassing"])
    score: float = Field(ge=0, le=1)
    evidence: list[str]


class DomainScore(BaseModel):
    domain: Domain
    score: float = Field(ge=0, le=1)
    evidence: list[str] = Field(description="Words or phrases in the text that led to this label.")
    subcategories: list[SubcategoryScore] = Field(default_factory=list)


class ClassificationPublic(BaseModel):
    domains: list[DomainScore] = Field(description="Domains at or above the threshold, best first.")
    classifier_version: str
    low_confidence: bool = Field(
        description="True when the text was not recognised well (for instance not Dutch); a "
        "person should read it."
    )
    low_confidence_reason: str | None = None
    urgent: bool = Field(description="A safety signal was found: act today.")
    urgent_reasons: list[str] = Field(
        description="`suicide`, `violence` (domestic violence, elder abuse) or `danger` "
        "(acute self-neglect, fire, falls, wandering at night)."
    )
    urgent_evidence: dict[str, list[str]] = Field(default_factory=dict)
    guidance: list[str] = Field(
        description="What a staff member should do now, in Dutch (113, Veilig Thuis, 112)."
    )
