"""The statistics cube: referrals pre-counted per period and dimension, kept up to date cheaply.

Why: a gemeente's year holds hundreds of thousands of referrals; scanning them for every
dashboard request is too slow. The cube has one row per period (each calendar month, and
separately each ISO week) and combination of dimensions, with the counts and two lead-time
histograms, so the same question reads a few thousand rows.

How it stays right: every referral change takes the next feed position (app/referrals/positions.py),
in commit order. The cube remembers the last position it includes; periods in which a referral
changed since, or in which an open referral passed a deadline (the overdue count changes with
time alone), are rebuilt from the referrals. Rebuilding is always from the source, so the cube
cannot drift. Requests bring it up to date when it is older than
`WIJKWINKEL_STATS_MAX_AGE_SECONDS` (figures are at most that old); the worker does it too.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from app.core.calendar import day_start, next_month
from app.core.types import utcnow
from app.organisations.models import Organisation
from app.referrals.models import Referral
from app.referrals.overdue import overdue_condition
from app.referrals.states import WAITING, WORKING
from app.stats.models import (
    ACCEPT_BUCKETS,
    COMPLETE_BUCKETS,
    CUBE_DIMENSIONS,
    CUBE_MEASURES,
    LEAD_TIME_LOWER_BOUNDS,
    StatsCubeState,
    stats_cube,
)

log = logging.getLogger(__name__)

REFERRALS = Referral.__table__  # type: ignore[attr-defined]
ORGANISATIONS = Organisation.__table__  # type: ignore[attr-defined]


def hours_between(session: Session, end: Any, start: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def _bucket(hours: ColumnElement[Any]) -> ColumnElement[Any]:
    """The histogram step a lead time falls in (null when there is none)."""
    bounds = LEAD_TIME_LOWER_BOUNDS
    whens = [(hours < bounds[i + 1], i) for i in range(len(bounds) - 1)]
    return case(*whens, else_=len(bounds) - 1)


def aggregate(
    session: Session,
    dims: Sequence[tuple[str, ColumnElement[Any]]],
    where: Sequence[ColumnElement[bool]],
    now: datetime,
) -> Select[Any]:
    """The cube's measures over the referrals that match `where`, per combination of `dims`
    (columns of the referrals table, or the organisation's `type`).

    In two steps: first per dimensions and lead-time step, so each referral's step is worked out
    once, then the steps are spread over the histogram columns (a few thousand rows)."""
    r = REFERRALS
    o = ORGANISATIONS
    accept_step = _bucket(hours_between(session, r.c.accepted_at, r.c.created_at))
    complete_step = _bucket(hours_between(session, r.c.closed_at, r.c.created_at))
    keys = [column.label(name) for name, column in dims]
    steps = [
        case((r.c.accepted_at.is_not(None), accept_step)).label("accept_step"),
        case((r.c.status == "completed", complete_step)).label("complete_step"),
    ]
    inner = select(
        *keys,
        *steps,
        func.count().label("n"),
        func.count().filter(r.c.accepted_at.is_not(None)).label("accepted"),
        func.count().filter(r.c.status == "rejected").label("rejected"),
        func.count().filter(overdue_condition(now)).label("overdue"),
    ).where(*where)
    if any(column.table is o for _, column in dims if hasattr(column, "table")):
        inner = inner.select_from(r.join(o, o.c.id == r.c.organisation_id))
    else:
        inner = inner.select_from(r)
    grouped = inner.group_by(*keys, *steps).subquery("per_step")
    g = grouped.c
    outer_keys = [g[name] for name, _ in dims]
    stmt = select(
        *outer_keys,
        func.sum(g.n).label("n"),
        func.sum(g.accepted).label("accepted"),
        func.sum(g.rejected).label("rejected"),
        func.sum(g.overdue).label("overdue"),
        *(
            func.sum(case((g.accept_step == i, g.n), else_=0)).label(name)
            for i, name in enumerate(ACCEPT_BUCKETS)
        ),
        *(
            func.sum(case((g.complete_step == i, g.n), else_=0)).label(name)
            for i, name in enumerate(COMPLETE_BUCKETS)
        ),
    )
    return stmt.group_by(*outer_keys) if outer_keys else stmt


def month_range(month: str) -> tuple[date, date]:
    """First day of `YYYY-MM` and the first day of the next month."""
    year, mon = int(month[:4]), int(month[5:7])
    start = date(year, mon, 1)
    return start, next_month(start)


def period_range(grain: str, period: str) -> tuple[date, date]:
    """First day of a period and the first day after it."""
    if grain == "month":
        return month_range(period)
    monday = date.fromisocalendar(int(period[:4]), int(period[6:8]), 1)
    return monday, monday + timedelta(days=7)


def _rebuild(session: Session, grain: str, period: str, now: datetime) -> None:
    start, end = period_range(grain, period)
    r = REFERRALS
    columns = {
        "period": r.c.created_month if grain == "month" else r.c.created_week,
        "domain": r.c.domain,
        "subcategory": r.c.subcategory,
        "organisation_id": r.c.organisation_id,
        "area_id": r.c.area_id,
        "channel": r.c.channel,
        "status": r.c.status,
        "outcome": r.c.outcome,
    }
    counted = aggregate(
        session,
        [(d, columns[d]) for d in ("period", *CUBE_DIMENSIONS)],
        [r.c.created_at >= day_start(start), r.c.created_at < day_start(end)],
        now,
    ).subquery("counted")
    source = select(
        literal(grain).label("grain"),
        *(counted.c[name] for name in ("period", *CUBE_DIMENSIONS, *CUBE_MEASURES)),
    )
    session.execute(
        delete(stats_cube).where(stats_cube.c.grain == grain, stats_cube.c.period == period)
    )
    session.execute(
        insert(stats_cube).from_select(
            ["grain", "period", *CUBE_DIMENSIONS, *CUBE_MEASURES], source
        )
    )


def _dirty(session: Session, state: StatsCubeState, now: datetime) -> set[tuple[str, str]]:
    """The (grain, period) pairs whose figures changed since the last refresh."""
    r = REFERRALS
    since = state.refreshed_at or datetime(1970, 1, 1, tzinfo=UTC)
    periods = (r.c.created_month, r.c.created_week)
    changed = select(*periods).where(r.c.feed_seq > state.last_feed_seq)
    # Open referrals whose deadline passed since: their period's overdue count changed.
    late = select(*periods).where(
        or_(
            and_(
                r.c.status.in_([str(s) for s in WAITING]),
                r.c.due_at > since,
                r.c.due_at <= now,
            ),
            and_(
                r.c.status.in_([str(s) for s in WORKING]),
                r.c.complete_due_at > since,
                r.c.complete_due_at <= now,
            ),
        )
    )
    out: set[tuple[str, str]] = set()
    for month, week in session.execute(changed.union(late)).all():
        if month is not None:
            out.add(("month", month))
        if week is not None:
            out.add(("week", week))
    return out


def refresh(session: Session, *, max_age: timedelta | None = None) -> int:
    """Bring the cube up to date; returns how many periods (months and weeks) were rebuilt.
    With max_age, a cube
    refreshed more recently than that is left as it is."""
    now = utcnow()
    state = session.get(StatsCubeState, 1)
    if state is None:
        # The migration made the row; recreate it if someone emptied the table. Another
        # process may do the same at this moment: then its row is as good as ours.
        try:
            with session.begin_nested():
                session.add(StatsCubeState(id=1))
        except IntegrityError:
            pass
        state = session.get(StatsCubeState, 1, populate_existing=True)
        assert state is not None
    if (
        max_age is not None
        and state.refreshed_at is not None
        and now - state.refreshed_at < max_age
    ):
        return 0
    # One refresher at a time; the others wait here and then find it done.
    state = session.execute(
        select(StatsCubeState)
        .where(col(StatsCubeState.id) == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    now = utcnow()
    if (
        max_age is not None
        and state.refreshed_at is not None
        and now - state.refreshed_at < max_age
    ):
        return 0
    top = session.execute(select(func.max(REFERRALS.c.feed_seq))).scalar_one_or_none() or 0
    if state.last_feed_seq == 0:
        # A first build, or a reset: start from nothing, so no period is left over.
        session.execute(delete(stats_cube))
    periods = sorted(_dirty(session, state, now))
    for grain, period in periods:
        _rebuild(session, grain, period, now)
    state.last_feed_seq = max(top, state.last_feed_seq)
    state.refreshed_at = now
    session.add(state)
    session.flush()
    if periods:
        log.debug("statistics cube: rebuilt %d period(s)", len(periods))
    return len(periods)


def reset(session: Session) -> None:
    """Forget what the cube holds; the next refresh rebuilds all of it."""
    session.execute(update(StatsCubeState).values(last_feed_seq=0, refreshed_at=None))


def percentiles(histogram: Sequence[int], fractions: Sequence[float]) -> list[float | None]:
    """Percentiles (as PostgreSQL's percentile_cont) of values known only by histogram step:
    the values in a step are taken as spread evenly over it, the last step's at its start."""
    total = sum(histogram)
    if total == 0:
        return [None for _ in fractions]
    bounds = LEAD_TIME_LOWER_BOUNDS

    def value_at(rank: int) -> float:
        seen = 0
        for i, count in enumerate(histogram):
            if rank < seen + count:
                lo = bounds[i]
                if i + 1 == len(bounds):
                    return float(lo)
                hi = bounds[i + 1]
                return lo + (rank - seen + 0.5) / count * (hi - lo)
            seen += count
        return float(bounds[-1])  # not reached

    out: list[float | None] = []
    for fraction in fractions:
        position = fraction * (total - 1)
        low = int(position)
        high = min(low + 1, total - 1)
        a, b = value_at(low), value_at(high)
        out.append(a + (b - a) * (position - low))
    return out


def as_of(session: Session) -> datetime | None:
    state = session.get(StatsCubeState, 1)
    return state.refreshed_at if state else None


def measures_of(row: Mapping[str, Any]) -> dict[str, int]:
    return {m: int(row[m] or 0) for m in CUBE_MEASURES}


__all__ = [
    "aggregate",
    "as_of",
    "hours_between",
    "measures_of",
    "month_range",
    "percentiles",
    "period_range",
    "refresh",
    "reset",
]
