"""Referral statistics for the gemeente: aggregated in SQL, then protected against disclosure.

Disclosure control, in this order, on every cell:
1. Primary suppression: a cell whose true count is below k (`WIJKWINKEL_STATS_MIN_CELL_SIZE`)
   is published as suppressed, with no figures at all.
2. Rounding: every published count (the cell's count, its overdue count) is rounded to a
   multiple of `WIJKWINKEL_STATS_ROUNDING_BASE`. Differences between published figures, from
   this query or any other with other filters or groups, are then multiples of the base too,
   and can never give back a suppressed count of 1 to k-1.
3. Measures within a cell that rest on fewer than k referrals (a share of 2 rejections, a
   median over 3 acceptances) are suppressed on their own; the rest of the cell stays. Shares
   are computed from the rounded counts, so they tell nothing the counts do not.
"""

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.areas.models import Area
from app.core.calendar import day_start, month_of, next_month, week_of
from app.core.config import get_settings
from app.core.errors import InvalidInput
from app.core.types import utcnow
from app.organisations.models import Organisation
from app.stats import cube
from app.stats.models import (
    ACCEPT_BUCKETS,
    COMPLETE_BUCKETS,
    CUBE_MEASURES,
    UnreferredSignal,
    stats_cube,
)

# Periods this service can have data for; beyond them dates only overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


class Dimension(StrEnum):
    domain = "domain"
    subcategory = "subcategory"
    organisation = "organisation"
    organisation_type = "organisation_type"
    area = "area"
    status = "status"
    outcome = "outcome"
    channel = "channel"
    week = "week"
    month = "month"


MEASURES = (
    "count",
    "share_accepted",
    "share_rejected",
    "median_hours_to_accept",
    "p90_hours_to_accept",
    "median_hours_to_complete",
    "p90_hours_to_complete",
    "overdue",
)


class InvalidStatsQuery(InvalidInput):
    title = "Invalid statistics query"
    slug = "invalid-stats-query"


@dataclass(frozen=True, slots=True)
class Filters:
    from_: date | None = None
    to: date | None = None
    domains: tuple[str, ...] = ()
    area_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None


@dataclass(slots=True)
class Cell:
    group: dict[str, str | None]
    labels: dict[str, str]
    suppressed: bool
    measures: dict[str, float | int | None]
    suppressed_measures: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Table:
    group_by: list[Dimension]
    filters: Filters
    min_cell_size: int
    rounding_base: int
    generated_at: datetime
    as_of: datetime | None
    cells: list[Cell]


def parse_group_by(raw: Sequence[str]) -> list[Dimension]:
    """`domain,month` or repeated parameters; order kept, duplicates dropped."""
    names = [n.strip() for part in raw for n in part.split(",") if n.strip()]
    valid = ", ".join(d.value for d in Dimension)
    out: list[Dimension] = []
    for name in names:
        try:
            dim = Dimension(name)
        except ValueError:
            raise InvalidStatsQuery(
                f"Cannot group by '{name}'. Choose from: {valid}.", parameter="group_by"
            ) from None
        if dim not in out:
            out.append(dim)
    return out


def _period(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """start inclusive, end exclusive (days, Dutch time)."""
    where: list[ColumnElement[bool]] = []
    if start is not None:
        where.append(column >= day_start(start))
    if end is not None:
        where.append(column < day_start(end))
    return where


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which periods the cube answers, and which day ranges are counted from the referrals."""

    grain: str | None  # month or week; None: nothing from the cube
    cube_from: str | None  # first period, inclusive
    cube_to: str | None  # last period, exclusive
    raw: list[tuple[date | None, date | None]]  # [start, end) day ranges


def _plan(group_by: Sequence[Dimension], filters: Filters) -> _Plan:
    start = filters.from_
    end = filters.to + timedelta(days=1) if filters.to else None
    everything_raw = _Plan(grain=None, cube_from=None, cube_to=None, raw=[(start, end)])
    if Dimension.week in group_by and Dimension.month in group_by:
        return everything_raw  # weeks cross months: only the referrals know both
    by_week = _plan_for("week", start, end)
    if Dimension.week in group_by:
        return by_week or everything_raw
    # Months are fewer rows; weeks when the period holds no whole month.
    by_month = _plan_for("month", start, end)
    if by_month is None and Dimension.month not in group_by:
        by_month = by_week
    return by_month or everything_raw


def _plan_for(grain: str, start: date | None, end: date | None) -> _Plan | None:
    def period_start(day: date) -> date:
        return day.replace(day=1) if grain == "month" else day - timedelta(days=day.weekday())

    def name(day: date) -> str:
        moment = day_start(day)
        return month_of(moment) if grain == "month" else week_of(moment)

    first_full = None
    if start is not None:
        first_full = start if period_start(start) == start else _next(grain, start)
    last_full_end = None if end is None else period_start(end)
    if first_full is not None and last_full_end is not None and first_full >= last_full_end:
        return None
    raw: list[tuple[date | None, date | None]] = []
    if start is not None and first_full is not None and start < first_full:
        raw.append((start, first_full))
    if end is not None and last_full_end is not None and last_full_end < end:
        raw.append((last_full_end, end))
    return _Plan(
        grain=grain,
        cube_from=name(first_full) if first_full else None,
        cube_to=name(last_full_end) if last_full_end else None,
        raw=raw,
    )


def _next(grain: str, day: date) -> date:
    if grain == "week":
        return day + timedelta(days=7 - day.weekday())
    return next_month(day)


class _Source(Enum):
    cube = 0
    referrals = 1
    unreferred = 2


# The column that answers each dimension, per source: the cube, the referrals, and the intake
# domains no referral carries (None: that source has no such thing, so its rows say null).
_COLUMN_NAMES: dict[Dimension, tuple[str | None, str | None, str | None]] = {
    Dimension.domain: ("domain", "domain", "domain"),
    Dimension.subcategory: ("subcategory", "subcategory", "subcategory"),
    Dimension.organisation: ("organisation_id", "organisation_id", None),
    Dimension.area: ("area_id", "area_id", "area_id"),
    Dimension.status: ("status", "status", "reason"),
    Dimension.outcome: ("outcome", "outcome", None),
    Dimension.channel: ("channel", "channel", "channel"),
    Dimension.month: ("period", "created_month", "created_month"),
    Dimension.week: ("period", "created_week", "created_week"),
}


def _columns(source: _Source, table: Any) -> dict[Dimension, Any]:
    """Each dimension's column in `table` (None where the source has none). The organisation's
    type comes from the organisations table, joined by the caller when it is asked for."""
    out = {
        d: None if names[source.value] is None else table.c[names[source.value]]
        for d, names in _COLUMN_NAMES.items()
    }
    out[Dimension.organisation_type] = (
        None if source is _Source.unreferred else cube.ORGANISATIONS.c.type
    )
    return out


def _filtered(columns: dict[Dimension, Any], filters: Filters) -> list[ColumnElement[bool]]:
    """The filters' conditions on a source (an organisation filter on a source without
    organisations is the caller's to handle)."""
    where: list[ColumnElement[bool]] = []
    if filters.domains:
        where.append(columns[Dimension.domain].in_(filters.domains))
    if filters.area_id is not None:
        where.append(columns[Dimension.area] == filters.area_id)
    if filters.organisation_id is not None and columns[Dimension.organisation] is not None:
        where.append(columns[Dimension.organisation] == filters.organisation_id)
    return where


def _from_cube(
    session: Session, group_by: Sequence[Dimension], filters: Filters, plan: _Plan
) -> list[Any]:
    c = stats_cube
    columns = _columns(_Source.cube, c)
    dims = [columns[d].label(d.value) for d in group_by]
    source = (
        c.join(cube.ORGANISATIONS, cube.ORGANISATIONS.c.id == c.c.organisation_id)
        if Dimension.organisation_type in group_by
        else c
    )
    stmt = select(*dims, *(func.sum(c.c[m]).label(m) for m in CUBE_MEASURES)).select_from(source)
    stmt = stmt.where(c.c.grain == plan.grain, *_filtered(columns, filters))
    if plan.cube_from is not None:
        stmt = stmt.where(c.c.period >= plan.cube_from)
    if plan.cube_to is not None:
        stmt = stmt.where(c.c.period < plan.cube_to)
    if dims:
        stmt = stmt.group_by(*dims)
    return list(session.execute(stmt).all())


def _from_referrals(
    session: Session,
    group_by: Sequence[Dimension],
    filters: Filters,
    start: date | None,
    end: date | None,
) -> list[Any]:
    r = cube.REFERRALS
    columns = _columns(_Source.referrals, r)
    where = _period(r.c.created_at, start, end) + _filtered(columns, filters)
    stmt = cube.aggregate(session, [(d.value, columns[d]) for d in group_by], where, utcnow())
    return list(session.execute(stmt).all())


def _unreferred(session: Session, group_by: Sequence[Dimension], filters: Filters) -> list[Any]:
    """Intake domains that were not referred belong to no organisation: a filter on one leaves
    them out."""
    if filters.organisation_id is not None:
        return []
    u = UnreferredSignal.__table__  # type: ignore[attr-defined]
    columns = _columns(_Source.unreferred, u)
    dims = [(null() if columns[d] is None else columns[d]).label(d.value) for d in group_by]
    # PostgreSQL refuses GROUP BY NULL; a constant needs no grouping anyway.
    varying = [columns[d].label(d.value) for d in group_by if columns[d] is not None]
    end = filters.to + timedelta(days=1) if filters.to else None
    stmt = (
        select(*dims, func.count().label("n"))
        .select_from(u)
        .where(*_period(u.c.created_at, filters.from_, end), *_filtered(columns, filters))
    )
    if varying:
        stmt = stmt.group_by(*varying)
    return list(session.execute(stmt).all())


def _key(row: Any, group_by: Sequence[Dimension]) -> tuple[str | None, ...]:
    return tuple(
        None if row._mapping[d.value] is None else str(row._mapping[d.value]) for d in group_by
    )


def referral_table(*, session: Session, group_by: Sequence[Dimension], filters: Filters) -> Table:
    """The table for these groups and filters, with small cells suppressed and counts rounded.

    Whole months (or weeks, when grouped by week) come from the cube, the partial ones at the
    ends of the period from the referrals themselves, unreferred intakes from their own table;
    the parts are added up per cell. Every part is aggregated in SQL."""
    if filters.from_ and filters.to and filters.from_ > filters.to:
        raise InvalidStatsQuery("'from' lies after 'to'.", parameter="from")
    settings = get_settings()
    k, base = settings.stats_min_cell_size, settings.stats_rounding_base
    cube.refresh(session, max_age=timedelta(seconds=settings.stats_max_age_seconds))
    plan = _plan(group_by, filters)
    rows: list[Any] = []
    if plan.grain is not None:
        rows += _from_cube(session, group_by, filters, plan)
    for start, end in plan.raw:
        rows += _from_referrals(session, group_by, filters, start, end)
    totals: dict[tuple[str | None, ...], dict[str, int]] = {}
    for row in rows:
        into = totals.setdefault(
            _key(row, group_by), dict.fromkeys((*CUBE_MEASURES, "referred"), 0)
        )
        got = cube.measures_of(row._mapping)
        for name, value in got.items():
            into[name] += value
        into["referred"] += got["n"]
    for row in _unreferred(session, group_by, filters):
        into = totals.setdefault(
            _key(row, group_by), dict.fromkeys((*CUBE_MEASURES, "referred"), 0)
        )
        into["n"] += int(row._mapping["n"])
    labels = _labels(session, totals, group_by)
    ordered = sorted(totals.items(), key=lambda kv: [(v is None, v or "") for v in kv[0]])
    cells = [
        _protect(
            dict(zip((d.value for d in group_by), key, strict=True)),
            sums,
            k=k,
            base=base,
            labels=labels,
        )
        for key, sums in ordered
        if sums["n"]
    ]
    return Table(
        group_by=list(group_by),
        filters=filters,
        min_cell_size=k,
        rounding_base=base,
        generated_at=utcnow(),
        as_of=cube.as_of(session),
        cells=cells,
    )


def _labels(
    session: Session, totals: Mapping[tuple[str | None, ...], Any], group_by: Sequence[Dimension]
) -> dict[str, dict[str, str]]:
    """Names for the organisation and area ids in the result (public, not personal data)."""
    out: dict[str, dict[str, str]] = {}
    tables = (
        (Dimension.organisation, Organisation.__table__),  # type: ignore[attr-defined]
        (Dimension.area, Area.__table__),  # type: ignore[attr-defined]
    )
    for dim, table in tables:
        if dim in group_by:
            at = list(group_by).index(dim)
            ids = {uuid.UUID(key[at]) for key in totals if key[at] is not None}
            if ids:
                found = session.execute(
                    select(table.c.id, table.c.name).where(table.c.id.in_(ids))
                ).all()
                out[dim.value] = {str(i): name for i, name in found}
    return out


def round_to(value: int, base: int) -> int:
    """Round half up to a multiple of base."""
    return int(base * math.floor(value / base + 0.5))


def _protect(
    group: dict[str, str | None],
    sums: Mapping[str, int],
    *,
    k: int,
    base: int,
    labels: dict[str, dict[str, str]],
) -> Cell:
    names = {
        dim: labels[dim][value]
        for dim, value in group.items()
        if value is not None and value in labels.get(dim, {})
    }
    n = sums["n"]
    if n < k:
        return Cell(group=group, labels=names, suppressed=True, measures=dict.fromkeys(MEASURES))
    hidden: list[str] = []
    referred, accepted, rejected = sums["referred"], sums["accepted"], sums["rejected"]

    def share(part: int, name: str) -> float | None:
        if referred == 0:
            return None
        if referred < k or 0 < part < k or round_to(referred, base) == 0:
            hidden.append(name)
            return None
        # From the rounded counts, as statistics offices do: a share of exact counts would give
        # the exact count back (5 of 7 is 0.71, which no other count near 7 gives).
        return round(round_to(part, base) / round_to(referred, base), 2)

    def lead_times(buckets: Sequence[str], prefix: str) -> tuple[float | None, float | None]:
        histogram = [sums[b] for b in buckets]
        count = sum(histogram)
        if count == 0:
            return None, None
        if count < k:
            hidden.extend([f"median_hours_to_{prefix}", f"p90_hours_to_{prefix}"])
            return None, None
        median, p90 = cube.percentiles(histogram, (0.5, 0.9))
        return (
            None if median is None else round(median, 1),
            None if p90 is None else round(p90, 1),
        )

    overdue: int | None = sums["overdue"]
    if overdue is not None and 0 < overdue < k:
        hidden.append("overdue")
        overdue = None
    elif overdue is not None:
        overdue = round_to(overdue, base)
    median_accept, p90_accept = lead_times(ACCEPT_BUCKETS, "accept")
    median_complete, p90_complete = lead_times(COMPLETE_BUCKETS, "complete")
    measures: dict[str, float | int | None] = {
        "count": round_to(n, base),
        "share_accepted": share(accepted, "share_accepted"),
        "share_rejected": share(rejected, "share_rejected"),
        "median_hours_to_accept": median_accept,
        "p90_hours_to_accept": p90_accept,
        "median_hours_to_complete": median_complete,
        "p90_hours_to_complete": p90_complete,
        "overdue": overdue,
    }
    return Cell(
        group=group, labels=names, suppressed=False, measures=measures, suppressed_measures=hidden
    )
