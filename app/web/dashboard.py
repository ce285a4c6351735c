"""The gemeente's charts, drawn on the server as SVG from the statistics tables: no script,
readable without JavaScript, and each chart has its table next to it."""

import math
from dataclasses import dataclass, field

from app.core.config import get_settings
from app.stats.service import Table

DOMAINS = ("wonen", "welzijn", "zorg")
DOMAIN_NAMES = {"wonen": "Wonen", "welzijn": "Welzijn", "zorg": "Zorg"}


def suppressed() -> str:
    """How a suppressed cell reads: below the configured smallest group."""
    return f"minder dan {get_settings().stats_min_cell_size}"


MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
OUTCOME_NAMES = {
    "geholpen": "Geholpen",
    "doorverwezen": "Doorverwezen",
    "geen_hulp_nodig": "Geen hulp nodig",
    "niet_bereikbaar": "Niet bereikbaar",
    "wachtlijst": "Op de wachtlijst",
}


@dataclass
class Bar:
    label: str
    value: float | None  # None: suppressed (or not enough referrals for this figure)
    text: str
    width: float = 0.0  # percent of the chart's width
    series: str = ""


@dataclass
class Column:
    """One domain's bar in one month of the grouped chart (SVG coordinates)."""

    x: float
    y: float
    height: float
    series: str
    text: str
    suppressed: bool
    width: float


@dataclass
class MonthChart:
    months: list[tuple[float, str]] = field(default_factory=list)  # x centre, label
    columns: list[Column] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # y, value
    rows: list[dict[str, str]] = field(default_factory=list)  # the same figures as a table
    width: int = 640
    height: int = 260


@dataclass
class Charts:
    per_month: MonthChart
    lead_times: list[Bar]
    overdue: list[Bar]
    outcomes: list[Bar]
    areas: list[Bar]
    empty: bool


def _month_label(value: str) -> str:
    year, month = value.split("-")
    return f"{MONTHS[int(month) - 1]} {year[2:]}"


def _count_text(value: float | int | None) -> str:
    return suppressed() if value is None else str(int(value))


def _scale(bars: list[Bar]) -> list[Bar]:
    top = max((b.value or 0 for b in bars), default=0) or 1
    for b in bars:
        b.width = 0.0 if not b.value else max(1.0, 100 * b.value / top)
    return bars


def _per_month(table: Table) -> MonthChart:
    chart = MonthChart()
    cells = {(c.group["month"], c.group["domain"]): c for c in table.cells}
    months = sorted({m for m, _ in cells if m})
    values = [c.measures["count"] or 0 for c in table.cells if not c.suppressed]
    # Four grid lines at round numbers (multiples of 5, as the counts are).
    step = 5 * max(1, math.ceil(max(values, default=0) / 4 / 5))
    top = step * 4
    left, bottom, plot_h = 40.0, 230.0, 200.0
    slot = (chart.width - left - 10) / max(len(months), 1)
    bar_w = min(16.0, (slot - 6) / 3)
    for i in range(5):
        chart.ticks.append((bottom - plot_h * i / 4, int(top * i / 4)))
    for i, month in enumerate(months):
        centre = left + slot * i + slot / 2
        chart.months.append((centre, _month_label(month)))
        row = {"month": _month_label(month)}
        for j, domain in enumerate(DOMAINS):
            cell = cells.get((month, domain))
            x = centre - 1.5 * bar_w + j * bar_w
            if cell is None:
                row[domain] = "0"
                continue
            if cell.suppressed:
                # Drawn as a low outlined bar: something is there, but fewer than k.
                chart.columns.append(
                    Column(x, bottom - 8, 8, domain, suppressed(), True, bar_w - 2)
                )
                row[domain] = suppressed()
                continue
            count = cell.measures["count"] or 0
            height = plot_h * count / top
            chart.columns.append(
                Column(x, bottom - height, height, domain, str(count), False, bar_w - 2)
            )
            row[domain] = str(count)
        chart.rows.append(row)
    return chart


def _hours(value: float | int | None) -> str:
    if value is None:
        return "te weinig gegevens"
    return f"{value:.0f} uur" if value < 48 else f"{value / 24:.1f} dagen".replace(".", ",")


def build(*, by_domain_month: Table, by_domain: Table, by_outcome: Table, by_area: Table) -> Charts:
    domains = {c.group["domain"]: c for c in by_domain.cells if c.group["domain"]}
    lead: list[Bar] = []
    overdue: list[Bar] = []
    for d in DOMAINS:
        cell = domains.get(d)
        if cell is None:
            continue
        m = cell.measures
        for key, what in (
            ("median_hours_to_accept", "tot accepteren"),
            ("median_hours_to_complete", "tot afronden"),
        ):
            value = m[key]
            lead.append(
                Bar(
                    f"{DOMAIN_NAMES[d]}, {what}",
                    None if value is None else float(value),
                    suppressed() if cell.suppressed else _hours(value),
                    series=d,
                )
            )
        count, late = m["count"], m["overdue"]
        share = None if not count or late is None else 100 * late / count
        overdue.append(
            Bar(
                DOMAIN_NAMES[d],
                share,
                suppressed()
                if cell.suppressed or (late is None and count)
                else f"{share or 0:.0f}%",
                series=d,
            )
        )
    outcomes = [
        Bar(
            OUTCOME_NAMES.get(c.group["outcome"] or "", c.group["outcome"] or ""),
            c.measures["count"],
            _count_text(c.measures["count"]),
        )
        for c in by_outcome.cells
        if c.group["outcome"]
    ]
    areas = [
        Bar(
            c.labels.get("area") or "Geen wijk bekend",
            c.measures["count"],
            _count_text(c.measures["count"]),
        )
        for c in sorted(
            by_area.cells, key=lambda c: (c.group["area"] is None, c.labels.get("area", ""))
        )
    ]
    for bars in (lead, outcomes, areas):
        _scale(bars)
    for b in overdue:
        b.width = 0.0 if not b.value else max(1.0, b.value)
    return Charts(
        per_month=_per_month(by_domain_month),
        lead_times=lead,
        overdue=overdue,
        outcomes=outcomes,
        areas=areas,
        empty=not by_domain.cells,
    )
