"""The gemeente's dashboard page and its CSV download (the charts are built in dashboard.py)."""

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from app.api.deps import SessionDep
from app.auth.scopes import Scope
from app.core.calendar import AMSTERDAM
from app.core.config import get_settings
from app.stats import service as stats
from app.stats.export import table_csv
from app.stats.service import EARLIEST, LATEST
from app.web import dashboard
from app.web.deps import LoginDep
from app.web.pages import render

router = APIRouter(include_in_schema=False)


def _stats_period(
    login: LoginDep,
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
) -> tuple[date, date]:
    """The dashboard's period from `van` and `tot`, clamped to what the statistics hold, for a
    login that may read them."""
    # The scope is checked here, once for both pages. FastAPI calls a dependency only when its
    # parameters are valid, so a malformed period is still a 422 and never reaches this check.
    login.principal.require(Scope.stats_read)
    today = datetime.now(AMSTERDAM).date()  # the gemeente's today, not the server's
    try:
        end = date.fromisoformat(tot) if tot else today
    except ValueError:
        end = today
    try:
        start = date.fromisoformat(van) if van else None
    except ValueError:
        start = None
    end = min(max(end, EARLIEST), LATEST)
    if start is None or start > end or start < EARLIEST:
        start = (end.replace(day=1) - timedelta(days=334)).replace(day=1)
    return start, end


StatsPeriodDep = Annotated[tuple[date, date], Depends(_stats_period)]


@router.get("/dashboard")
def dashboard_page(
    session: SessionDep,
    login: LoginDep,
    period: StatsPeriodDep,
) -> HTMLResponse:
    start, end = period
    filters = stats.Filters(from_=start, to=end)

    def table(*dims: stats.Dimension) -> stats.Table:
        return stats.referral_table(session=session, group_by=list(dims), filters=filters)

    dim = stats.Dimension
    charts = dashboard.build(
        by_domain_month=table(dim.domain, dim.month),
        by_domain=table(dim.domain),
        by_outcome=table(dim.outcome),
        by_area=table(dim.area),
    )
    csv_link = "/dashboard/verwijzingen.csv?" + urlencode(
        {"van": start.isoformat(), "tot": end.isoformat()}
    )
    return render(
        "dashboard.html",
        login=login,
        charts=charts,
        start=start,
        end=end,
        csv_link=csv_link,
        min_cell=get_settings().stats_min_cell_size,
        rounding=get_settings().stats_rounding_base,
    )


@router.get("/dashboard/verwijzingen.csv")
def dashboard_csv(session: SessionDep, period: StatsPeriodDep) -> Response:
    start, end = period
    table = stats.referral_table(
        session=session,
        group_by=[stats.Dimension.domain, stats.Dimension.month],
        filters=stats.Filters(from_=start, to=end),
    )
    return Response(
        table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="wijkwinkel-verwijzingen.csv"',
            "Cache-Control": "no-store",
        },
    )
