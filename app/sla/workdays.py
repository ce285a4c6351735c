"""Dutch working days: no weekends, no public holidays (from the maintained `holidays` package:
Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag in lustrum years, Hemelvaart,
Pinksteren, Kerst), counted in Amsterdam time."""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays

from app.core.calendar import AMSTERDAM


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time `days` working days later (a Thursday 10:00 plus 2 is Monday 10:00;
    from a Saturday, 1 is Monday)."""
    local = start.astimezone(AMSTERDAM)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, local.time(), AMSTERDAM).astimezone(UTC)


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days after `start`'s day up to and including `end`'s day."""
    a, b = start.astimezone(AMSTERDAM).date(), end.astimezone(AMSTERDAM).date()
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
