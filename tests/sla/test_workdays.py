from datetime import UTC, datetime

import pytest

from app.core.calendar import AMSTERDAM
from app.sla.workdays import add_working_days, is_working_day, working_days_between


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # An ordinary week: Thursday + 2 = Monday.
        (local(2026, 11, 19, 10), 2, local(2026, 11, 23, 10)),
        # Koningsdag (Monday 27 April 2026): Friday + 1 = Tuesday.
        (local(2026, 4, 24, 10), 1, local(2026, 4, 28, 10)),
        # Pasen 2026: Thursday 2 April + 1 skips Goede Vrijdag, the weekend and Paasmaandag.
        (local(2026, 4, 2, 9), 1, local(2026, 4, 7, 9)),
        # Kerst 2026: Thursday 24 December + 1 skips Friday 25 and the weekend (26 is Saturday).
        (local(2026, 12, 24, 16), 1, local(2026, 12, 28, 16)),
        # Hemelvaart (Thursday 14 May 2026): Wednesday + 1 = Friday.
        (local(2026, 5, 13, 12), 1, local(2026, 5, 15, 12)),
        # From a Saturday: the first working day is Monday.
        (local(2026, 11, 21, 11), 1, local(2026, 11, 23, 11)),
        # Across the change to summer time the local hour stays.
        (local(2026, 3, 27, 10), 1, local(2026, 3, 30, 10)),
    ],
)
def test_add_working_days(start, days, expected):
    got = add_working_days(start.astimezone(UTC), days)
    assert got.tzinfo is not None
    assert got == expected.astimezone(UTC)
    assert got.astimezone(AMSTERDAM).hour == expected.hour


def test_holidays_are_not_working_days():
    assert not is_working_day(local(2026, 4, 27).date())  # Koningsdag
    assert not is_working_day(local(2026, 4, 6).date())  # Paasmaandag
    assert not is_working_day(local(2026, 12, 25).date())  # Eerste Kerstdag
    assert is_working_day(local(2026, 4, 28).date())


def test_working_days_between():
    assert working_days_between(local(2026, 4, 24, 9), local(2026, 4, 28, 17)) == 1
    assert working_days_between(local(2026, 11, 23, 9), local(2026, 11, 23, 17)) == 0
    assert working_days_between(local(2026, 12, 21, 9), local(2027, 1, 4, 9)) == 8
