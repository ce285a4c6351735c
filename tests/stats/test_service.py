import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from app.core.database import get_engine
from app.stats import cube, service
from app.stats.models import CUBE_MEASURES, LEAD_TIME_LOWER_BOUNDS
from app.stats.service import Dimension, Filters
from tests.referrals.helpers import set_status
from tests.stats.helpers import intakes, move_in_time


def exact_percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def histogram(values: list[float]) -> list[int]:
    counts = [0] * len(LEAD_TIME_LOWER_BOUNDS)
    for v in values:
        i = max(i for i, lo in enumerate(LEAD_TIME_LOWER_BOUNDS) if v >= lo)
        counts[i] += 1
    return counts


def test_percentiles_from_a_histogram_match_percentile_cont_at_mid_steps():
    values = [1.5, 2.5, 3.5, 4.5, 11]
    assert cube.percentiles(histogram(values), (0.5, 0.9)) == [3.5, pytest.approx(8.4)]
    assert cube.percentiles([0] * len(LEAD_TIME_LOWER_BOUNDS), (0.5,)) == [None]


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_are_within_one_step(seed):
    rng = random.Random(seed)
    values = [rng.lognormvariate(3.5, 1.2) for _ in range(rng.randint(5, 2000))]
    for fraction in (0.5, 0.9):
        true = exact_percentile(values, fraction)
        (approx,) = cube.percentiles(histogram(values), (fraction,))
        assert approx is not None
        # The widest step below a year is a third of its lower bound, or one hour.
        assert abs(approx - true) <= max(1.0, true / 3), (fraction, true, approx)


def test_round_to():
    assert [service.round_to(n, 5) for n in (5, 6, 7, 8, 12, 13)] == [5, 5, 5, 10, 10, 15]
    assert service.round_to(3, 1) == 3


@pytest.mark.parametrize(
    ("start", "end", "cube_from", "cube_to", "raw"),
    [
        (None, None, None, None, []),
        (date(2026, 1, 1), date(2026, 12, 31), "2026-01", "2027-01", []),
        (
            date(2026, 1, 15),
            date(2026, 3, 10),
            "2026-02",
            "2026-03",
            [(date(2026, 1, 15), date(2026, 2, 1)), (date(2026, 3, 1), date(2026, 3, 11))],
        ),
    ],
)
def test_whole_months_come_from_the_cube(start, end, cube_from, cube_to, raw):
    plan = service._plan([Dimension.domain], Filters(from_=start, to=end))
    assert plan.grain == "month"
    assert (plan.cube_from, plan.cube_to, plan.raw) == (cube_from, cube_to, raw)


def test_whole_weeks_come_from_the_cube_when_grouped_by_week():
    # Wednesday 14 January to Wednesday 4 March 2026.
    plan = service._plan([Dimension.week], Filters(from_=date(2026, 1, 14), to=date(2026, 3, 4)))
    assert (plan.grain, plan.cube_from, plan.cube_to) == ("week", "2026-W04", "2026-W10")
    assert plan.raw == [
        (date(2026, 1, 14), date(2026, 1, 19)),
        (date(2026, 3, 2), date(2026, 3, 5)),
    ]


def test_within_one_month_weeks_are_used_and_within_a_week_the_referrals():
    within_month = service._plan(
        [Dimension.domain], Filters(from_=date(2026, 3, 2), to=date(2026, 3, 15))
    )
    assert (within_month.grain, within_month.cube_from, within_month.cube_to) == (
        "week",
        "2026-W10",
        "2026-W12",
    )
    within_week = service._plan(
        [Dimension.domain], Filters(from_=date(2026, 3, 3), to=date(2026, 3, 5))
    )
    assert within_week.grain is None
    assert within_week.raw == [(date(2026, 3, 3), date(2026, 3, 6))]
    both = service._plan([Dimension.week, Dimension.month], Filters())
    assert both.grain is None


def _sums(rows, group_by):
    out = {}
    for row in rows:
        key = service._key(row, group_by)
        got = cube.measures_of(row._mapping)
        into = out.setdefault(key, dict.fromkeys(CUBE_MEASURES, 0))
        for name in CUBE_MEASURES:
            into[name] += got[name]
    return out


def test_the_cube_adds_up_to_the_referrals_and_follows_every_change(client, world, session):
    """The cube is a cache: after any change it must say exactly what the referrals say."""
    jan = intakes(client, world.thuiszorg, 4, domains=["wonen", "zorg"])
    feb = intakes(client, world.thuiszorg, 3, domains=["welzijn"], where="hoogland")
    move_in_time(session, [i["id"] for i in jan], datetime(2026, 1, 20, 10, tzinfo=UTC))
    move_in_time(session, [i["id"] for i in feb], datetime(2026, 2, 3, 10, tzinfo=UTC))
    everything = Filters()

    def compare() -> None:
        for period in (Dimension.month, Dimension.week):
            group_by = [period, Dimension.domain, Dimension.organisation, Dimension.status]
            plan = service._plan(group_by, everything)
            assert plan.grain == period.value
            with Session(get_engine()) as s:
                cube.refresh(s)
                s.commit()
                from_cube = _sums(service._from_cube(s, group_by, everything, plan), group_by)
                raw = _sums(service._from_referrals(s, group_by, everything, None, None), group_by)
            assert from_cube == raw

    compare()
    wonen = jan[0]["referrals"][0]["id"]
    for step in ("received", "accepted", "in_progress"):
        assert set_status(client, world.corporatie, wonen, step).status_code == 200
    compare()
    assert (
        set_status(client, world.corporatie, wonen, "completed", outcome="geholpen").status_code
        == 200
    )
    r = client.post(
        f"/api/v1/referrals/{feb[0]['referrals'][0]['id']}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "Wmo"},
        headers=world.zorgcooperatie.headers,
    )
    assert r.status_code == 201, r.text
    compare()


def test_refresh_rebuilds_only_what_changed(client, world, session):
    made = intakes(client, world.thuiszorg, 2, domains=["wonen"])
    with Session(get_engine()) as s:
        assert cube.refresh(s) == 2  # the current month and week, built for the first time
        s.commit()
        assert cube.refresh(s) == 0  # nothing changed since
        s.commit()
    set_status(client, world.corporatie, made[0]["referrals"][0]["id"], "received")
    with Session(get_engine()) as s:
        assert cube.refresh(s) == 2
        s.commit()
        # A young cube is left alone when figures may be a minute old.
        set_status(client, world.corporatie, made[1]["referrals"][0]["id"], "received")
        assert cube.refresh(s, max_age=timedelta(minutes=1)) == 0
        s.commit()


def test_a_passed_deadline_makes_its_month_stale(client, world, session):
    from sqlalchemy import update

    from app.referrals.models import Referral

    made = intakes(client, world.thuiszorg, 1, domains=["wonen"])
    with Session(get_engine()) as s:
        cube.refresh(s)
        s.commit()
    soon = datetime.now(UTC) + timedelta(seconds=1)
    session.execute(update(Referral).values(due_at=soon))
    session.commit()
    import time

    time.sleep(1.2)
    with Session(get_engine()) as s:
        assert cube.refresh(s) == 2
        s.commit()
        rows = service._from_cube(
            s, [Dimension.domain], Filters(), service._plan([Dimension.domain], Filters())
        )
    assert cube.measures_of(rows[0]._mapping)["overdue"] == 1
    assert made
