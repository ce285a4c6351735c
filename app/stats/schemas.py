import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from app.classification.schemas import Domain
from app.stats.service import Dimension


class StatsFilters(BaseModel):
    from_: date | None = Field(default=None, alias="from", serialization_alias="from")
    to: date | None = None
    domain: list[Domain] = Field(default_factory=list)
    area: uuid.UUID | None = None
    organisation: uuid.UUID | None = None


class StatsCell(BaseModel):
    group: dict[str, str | None] = Field(
        description="The cell's value for each `group_by` dimension (ids for organisation and "
        "area, `YYYY-MM` for month, `YYYY-Www` for week); null where it does not apply (the "
        "organisation of an intake that was not referred).",
        examples=[{"domain": "wonen", "month": "2026-03"}],
    )
    labels: dict[str, str] = Field(
        description="Names for the organisation and area ids in `group`.",
        examples=[{"organisation": "Woonstichting De Linie"}],
    )
    suppressed: bool = Field(
        description="True when the cell holds fewer than `min_cell_size` referrals: then every "
        "measure is null."
    )
    suppressed_measures: list[str] = Field(
        description="Measures left out of a published cell because they rest on fewer than "
        "`min_cell_size` referrals."
    )
    count: int | None = Field(
        description="Referrals, plus intake domains that were not referred (no consent, "
        "needs review), rounded to a multiple of `rounding_base`."
    )
    share_accepted: float | None = Field(
        description="Of the referrals, the share a partner accepted (at any time), 0..1."
    )
    share_rejected: float | None = Field(description="Of the referrals, the share rejected, 0..1.")
    median_hours_to_accept: float | None = Field(
        description="From referral to acceptance, in calendar hours."
    )
    p90_hours_to_accept: float | None
    median_hours_to_complete: float | None = Field(
        description="From referral to completion, in calendar hours (completed referrals)."
    )
    p90_hours_to_complete: float | None
    overdue: int | None = Field(
        description="Open referrals past their deadline now, rounded like `count`."
    )


class StatsTable(BaseModel):
    group_by: list[Dimension]
    filters: StatsFilters
    min_cell_size: int = Field(description="k: cells and measures below this are suppressed.")
    rounding_base: int = Field(description="Every published count is a multiple of this.")
    generated_at: datetime
    as_of: datetime | None = Field(
        description="The figures hold every change up to this moment (at most "
        "`WIJKWINKEL_STATS_MAX_AGE_SECONDS` before `generated_at`)."
    )
    data: list[StatsCell]
