import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.classification.schemas import Domain
from app.core.errors import WijkwinkelError
from app.core.openapi import problems
from app.stats import service
from app.stats.export import table_csv
from app.stats.schemas import StatsCell, StatsFilters, StatsTable
from app.stats.service import EARLIEST, LATEST, Dimension

router = APIRouter(prefix="/stats", tags=["stats"])

ReaderDep = Annotated[Principal, Depends(require(Scope.stats_read))]
CSV_MEDIA_TYPE = "text/csv"


class NotAcceptable(WijkwinkelError):
    status = 406
    title = "Not acceptable"
    slug = "not-acceptable"


def _wants_csv(accept: str | None, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "csv"
    if not accept:
        return False
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if CSV_MEDIA_TYPE in types and "application/json" not in types:
        return True
    if not any(t in {"application/json", "application/*", "*/*", CSV_MEDIA_TYPE} for t in types):
        raise NotAcceptable("This table is available as application/json or text/csv.")
    return False


def _public(table: service.Table) -> StatsTable:
    f = table.filters
    return StatsTable(
        group_by=table.group_by,
        filters=StatsFilters.model_validate(
            {
                "from": f.from_,
                "to": f.to,
                "domain": list(f.domains),
                "area": f.area_id,
                "organisation": f.organisation_id,
            }
        ),
        min_cell_size=table.min_cell_size,
        rounding_base=table.rounding_base,
        generated_at=table.generated_at,
        as_of=table.as_of,
        data=[
            StatsCell(
                group=c.group,
                labels=c.labels,
                suppressed=c.suppressed,
                suppressed_measures=c.suppressed_measures,
                **c.measures,
            )
            for c in table.cells
        ],
    )


@router.get(
    "/referrals",
    summary="Referral statistics",
    response_model=StatsTable,
    responses={
        200: {
            "content": {
                CSV_MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": "domain,month,suppressed,count,share_accepted,...\r\n"
                    "wonen,2026-03,false,25,0.8,...\r\n",
                }
            }
        },
        **problems(406),
    },
)
def referral_stats(
    session: SessionDep,
    _: ReaderDep,
    response: Response,
    group_by: Annotated[
        list[str],
        Query(
            description="Dimensions, comma-separated or repeated: "
            + ", ".join(d.value for d in Dimension)
            + ". None gives one cell for everything.",
            examples=["domain,month"],
        ),
    ] = [],  # noqa: B006  (FastAPI copies query defaults)
    from_: Annotated[
        date | None,
        Query(
            alias="from",
            ge=EARLIEST,
            le=LATEST,
            description="First day (Dutch time), inclusive.",
        ),
    ] = None,
    to: Annotated[
        date | None,
        Query(ge=EARLIEST, le=LATEST, description="Last day (Dutch time), inclusive."),
    ] = None,
    domain: Annotated[
        list[Domain], Query(description="Only these domains (repeat for more).")
    ] = [],  # noqa: B006
    area: Annotated[uuid.UUID | None, Query(description="Only this area (wijk).")] = None,
    organisation: Annotated[
        uuid.UUID | None,
        Query(description="Only referrals to this organisation (unreferred intakes drop out)."),
    ] = None,
    format_: Annotated[
        str | None,
        Query(
            alias="format",
            pattern="^(json|csv)$",
            description="`csv` for a download link; otherwise send `Accept: text/csv`.",
        ),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | StatsTable:
    """Counts, shares and lead times of referrals, grouped as asked. Intakes that could not be
    referred (no consent, needs review) count too, under their own `status`.

    Aggregates only, never a resident: a cell with fewer than `min_cell_size` (k, default 5)
    referrals is `suppressed` and every published count is rounded to a multiple of
    `rounding_base` (5), so a suppressed cell cannot be worked out from other figures, of this
    query or another. Periods are by the referral's creation, in Dutch time.
    """
    wants_csv = _wants_csv(accept, format_)
    table = service.referral_table(
        session=session,
        group_by=service.parse_group_by(group_by),
        filters=service.Filters(
            from_=from_,
            to=to,
            domains=tuple(str(d) for d in dict.fromkeys(domain)),
            area_id=area,
            organisation_id=organisation,
        ),
    )
    if wants_csv:
        return Response(
            table_csv(table),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="wijkwinkel-referrals.csv"',
                "Vary": "Accept",
            },
        )
    response.headers["Vary"] = "Accept"
    return _public(table)
