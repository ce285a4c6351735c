import uuid

from fastapi import APIRouter, Response, status

from app.api.deps import DeploymentAdminDep, PrincipalDep, SessionDep
from app.areas import service
from app.areas.models import Area
from app.areas.schemas import AreaIn, AreaList, AreaPublic
from app.core.openapi import created, problems

router = APIRouter(prefix="/areas", tags=["areas"])


AdminDep = DeploymentAdminDep


def _public(area: Area, pc4: list[str]) -> AreaPublic:
    return AreaPublic(id=area.id, name=area.name, pc4=pc4, created_at=area.created_at)


@router.get("", summary="List areas (wijken)")
def list_areas(session: SessionDep, _: PrincipalDep) -> AreaList:
    """Every area with its PC4 postcodes. Any API key may read them."""
    return AreaList(data=[_public(a, p) for a, p in service.list_areas(session=session)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an area",
    responses={**created(), **problems(409)},
)
def create_area(body: AreaIn, session: SessionDep, _: AdminDep, response: Response) -> AreaPublic:
    """A PC4 belongs to one area at most (409 otherwise). Front-office admins only. New intakes
    from these postcodes are counted in the area."""
    area, pc4 = service.save(session=session, name=body.name, pc4=body.pc4)
    response.headers["Location"] = f"/api/v1/areas/{area.id}"
    return _public(area, pc4)


@router.get("/{area_id}", summary="Get an area")
def get_area(area_id: uuid.UUID, session: SessionDep, _: PrincipalDep) -> AreaPublic:
    """One area with its postcodes."""
    return _public(*service.get(session=session, area_id=area_id))


@router.put("/{area_id}", summary="Rename or redraw an area", responses=problems(409))
def update_area(area_id: uuid.UUID, body: AreaIn, session: SessionDep, _: AdminDep) -> AreaPublic:
    """Replaces the name and postcodes. Intakes keep the area they were recorded in."""
    return _public(*service.save(session=session, name=body.name, pc4=body.pc4, area_id=area_id))


@router.delete("/{area_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an area")
def delete_area(area_id: uuid.UUID, session: SessionDep, _: AdminDep) -> Response:
    """Front-office admins only."""
    service.delete_area(session=session, area_id=area_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
