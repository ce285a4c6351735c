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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, null, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.areas.models import Area
from app.core.config import get_settings
from app.core.errors import InvalidInput
from app.core.types import utcnow
from app.organisations.models import Organisation
from app.referrals.models import Referral
from app.referrals.states import ReferralStatus
from app.sla import service as sla
from app.stats import facts
from app.stats.models import UnreferredSignal


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


def _hours(session: Session, end: Any, start: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def _percentile(session: Session, value: Any, fraction: float) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.percentile(value, fraction)  # registered in app/core/database.py
    return func.percentile_cont(fraction).within_group(value)


def _period(column: Any, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.from_ is not None:
        where.append(column >= facts.day_start(filters.from_))
    if filters.to is not None:  # inclusive: up to the start of the next day
        where.append(column < facts.day_start(filters.to + timedelta(days=1)))
    return where


def _facts(session: Session, group_by: Sequence[Dimension], filters: Filters) -> Any:
    """One row per referral, plus one per unreferred intake domain, with uniform columns."""
    r = Referral.__table__  # type: ignore[attr-defined]
    o = Organisation.__table__  # type: ignore[attr-defined]
    u = UnreferredSignal.__table__  # type: ignore[attr-defined]
    now = utcnow()
    need_type = Dimension.organisation_type in group_by

    referred = select(
        r.c.domain.label("domain"),
        r.c.subcategory.label("subcategory"),
        r.c.organisation_id.label("organisation"),
        (o.c.type if need_type else null()).label("organisation_type"),
        r.c.area_id.label("area"),
        r.c.status.label("status"),
        r.c.outcome.label("outcome"),
        r.c.channel.label("channel"),
        r.c.created_week.label("week"),
        r.c.created_month.label("month"),
        literal(1).label("referred"),
        case((r.c.accepted_at.is_not(None), 1), else_=0).label("accepted"),
        case((r.c.status == str(ReferralStatus.rejected), 1), else_=0).label("rejected"),
        case((sla.overdue_condition(now), 1), else_=0).label("overdue"),
        _hours(session, r.c.accepted_at, r.c.created_at).label("accept_hours"),
        case(
            (
                r.c.status == str(ReferralStatus.completed),
                _hours(session, r.c.closed_at, r.c.created_at),
            ),
        ).label("complete_hours"),
    )
    if need_type:
        referred = referred.join(o, o.c.id == r.c.organisation_id)
    referred = referred.where(*_period(r.c.created_at, filters))
    if filters.domains:
        referred = referred.where(r.c.domain.in_(filters.domains))
    if filters.area_id is not None:
        referred = referred.where(r.c.area_id == filters.area_id)
    if filters.organisation_id is not None:
        referred = referred.where(r.c.organisation_id == filters.organisation_id)

    parts = [referred]
    # Unreferred intakes belong to no organisation: a filter on one leaves them out.
    if filters.organisation_id is None:
        no_number = cast(null(), Float)
        unreferred = select(
            u.c.domain,
            u.c.subcategory,
            cast(null(), r.c.organisation_id.type).label("organisation"),
            cast(null(), o.c.type.type).label("organisation_type"),
            u.c.area_id.label("area"),
            u.c.reason.label("status"),
            cast(null(), r.c.outcome.type).label("outcome"),
            u.c.channel,
            u.c.created_week.label("week"),
            u.c.created_month.label("month"),
            literal(0).label("referred"),
            literal(0).label("accepted"),
            literal(0).label("rejected"),
            literal(0).label("overdue"),
            no_number.label("accept_hours"),
            no_number.label("complete_hours"),
        ).where(*_period(u.c.created_at, filters))
        if filters.domains:
            unreferred = unreferred.where(u.c.domain.in_(filters.domains))
        if filters.area_id is not None:
            unreferred = unreferred.where(u.c.area_id == filters.area_id)
        parts.append(unreferred)
    return union_all(*parts).subquery("facts")


def referral_table(*, session: Session, group_by: Sequence[Dimension], filters: Filters) -> Table:
    """The table for these groups and filters, with small cells suppressed and counts rounded."""
    if filters.from_ and filters.to and filters.from_ > filters.to:
        raise InvalidStatsQuery("'from' lies after 'to'.", parameter="from")
    settings = get_settings()
    k, base = settings.stats_min_cell_size, settings.stats_rounding_base
    f = _facts(session, group_by, filters)
    dims = [f.c[d.value] for d in group_by]
    stmt = select(
        *dims,
        func.count().label("n"),
        func.sum(f.c.referred).label("referred"),
        func.sum(f.c.accepted).label("accepted"),
        func.sum(f.c.rejected).label("rejected"),
        func.sum(f.c.overdue).label("overdue"),
        func.count(f.c.accept_hours).label("n_accept"),
        _percentile(session, f.c.accept_hours, 0.5).label("median_accept"),
        _percentile(session, f.c.accept_hours, 0.9).label("p90_accept"),
        func.count(f.c.complete_hours).label("n_complete"),
        _percentile(session, f.c.complete_hours, 0.5).label("median_complete"),
        _percentile(session, f.c.complete_hours, 0.9).label("p90_complete"),
    )
    if dims:
        stmt = stmt.group_by(*dims).order_by(*dims)
    rows = session.execute(stmt).all()
    labels = _labels(session, rows, group_by)
    cells = [
        _protect(
            row._mapping,
            group_by,
            k=k,
            base=base,
            labels=labels,
        )
        for row in rows
        if row.n  # an empty table without groups still yields one row of zeros
    ]
    return Table(
        group_by=list(group_by),
        filters=filters,
        min_cell_size=k,
        rounding_base=base,
        generated_at=utcnow(),
        cells=cells,
    )


def _labels(
    session: Session, rows: Sequence[Any], group_by: Sequence[Dimension]
) -> dict[str, dict[str, str]]:
    """Names for the organisation and area ids in the result (public, not personal data)."""
    out: dict[str, dict[str, str]] = {}
    tables = (
        (Dimension.organisation, Organisation.__table__),  # type: ignore[attr-defined]
        (Dimension.area, Area.__table__),  # type: ignore[attr-defined]
    )
    for dim, table in tables:
        if dim in group_by:
            ids = {row._mapping[dim.value] for row in rows} - {None}
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
    row: Any, group_by: Sequence[Dimension], *, k: int, base: int, labels: dict[str, dict[str, str]]
) -> Cell:
    group: dict[str, str | None] = {}
    names: dict[str, str] = {}
    for dim in group_by:
        value = row[dim.value]
        group[dim.value] = None if value is None else str(value)
        if value is not None and str(value) in labels.get(dim.value, {}):
            names[dim.value] = labels[dim.value][str(value)]
    n = int(row["n"])
    if n < k:
        return Cell(group=group, labels=names, suppressed=True, measures=dict.fromkeys(MEASURES))
    hidden: list[str] = []
    referred, accepted = int(row["referred"] or 0), int(row["accepted"] or 0)
    rejected, overdue = int(row["rejected"] or 0), int(row["overdue"] or 0)

    def share(part: int, name: str) -> float | None:
        if referred == 0:
            return None
        if referred < k or 0 < part < k or round_to(referred, base) == 0:
            hidden.append(name)
            return None
        # From the rounded counts, as statistics offices do: a share of exact counts would give
        # the exact count back (5 of 7 is 0.71, which no other count near 7 gives).
        return round(round_to(part, base) / round_to(referred, base), 2)

    def hours(count: int, value: Any, name: str) -> float | None:
        if count == 0 or value is None:
            return None
        if count < k:
            hidden.append(name)
            return None
        return round(float(value), 1)

    def small_count(value: int, name: str) -> int | None:
        if 0 < value < k:
            hidden.append(name)
            return None
        return round_to(value, base)

    n_accept, n_complete = int(row["n_accept"] or 0), int(row["n_complete"] or 0)
    measures: dict[str, float | int | None] = {
        "count": round_to(n, base),
        "share_accepted": share(accepted, "share_accepted"),
        "share_rejected": share(rejected, "share_rejected"),
        "median_hours_to_accept": hours(n_accept, row["median_accept"], "median_hours_to_accept"),
        "p90_hours_to_accept": hours(n_accept, row["p90_accept"], "p90_hours_to_accept"),
        "median_hours_to_complete": hours(
            n_complete, row["median_complete"], "median_hours_to_complete"
        ),
        "p90_hours_to_complete": hours(n_complete, row["p90_complete"], "p90_hours_to_complete"),
        "overdue": small_count(overdue, "overdue"),
    }
    return Cell(
        group=group, labels=names, suppressed=False, measures=measures, suppressed_measures=hidden
    )
