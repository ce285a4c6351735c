"""The Dutch calendar: Amsterdam time, and the months and ISO weeks that deadlines and
statistics count in."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def month_of(moment: datetime) -> str:
    """The calendar month in Dutch time: `2026-03`."""
    local = moment.astimezone(AMSTERDAM)
    return f"{local.year:04d}-{local.month:02d}"


def week_of(moment: datetime) -> str:
    """The ISO week in Dutch time: `2026-W09` (weeks start on Monday; week 1 holds 4 January)."""
    year, week, _ = moment.astimezone(AMSTERDAM).isocalendar()
    return f"{year:04d}-W{week:02d}"


def day_start(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar day, in UTC."""
    return datetime.combine(day, time.min, AMSTERDAM).astimezone(UTC)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
