import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api.deps import DeploymentAdminDep, PrincipalDep, SessionDep
from app.core.openapi import created, problems
from app.organisations import service
from app.organisations.schemas import (
    OrganisationCreate,
    OrganisationList,
    OrganisationPublic,
    OrganisationUpdate,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", summary="List organisations")
def list_organisations(
    session: SessionDep,
    _: PrincipalDep,
    active: Annotated[
        bool | None, Query(description="Only active (true) or inactive (false).")
    ] = None,
) -> OrganisationList:
    """Every connected organisation, so a partner can pick where to forward a referral."""
    orgs = service.list_organisations(session=session, active=active)
    return OrganisationList(data=[OrganisationPublic.model_validate(o) for o in orgs])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an organisation",
    responses={**created(), **problems(409)},
)
def create_organisation(
    body: OrganisationCreate, session: SessionDep, _: DeploymentAdminDep, response: Response
) -> OrganisationPublic:
    """Front-office admins only."""
    org = service.create(session=session, name=body.name, type=body.type)
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    return OrganisationPublic.model_validate(org)


@router.get("/{organisation_id}", summary="Get an organisation")
def get_organisation(
    organisation_id: uuid.UUID, session: SessionDep, _: PrincipalDep
) -> OrganisationPublic:
    """One organisation by id."""
    return OrganisationPublic.model_validate(
        service.get(session=session, organisation_id=organisation_id)
    )


@router.patch(
    "/{organisation_id}",
    summary="Rename or (de)activate an organisation",
    responses=problems(409),
)
def update_organisation(
    organisation_id: uuid.UUID,
    body: OrganisationUpdate,
    session: SessionDep,
    _: DeploymentAdminDep,
) -> OrganisationPublic:
    """Front-office admins only. A deactivated organisation's keys stop working at once."""
    org = service.update_organisation(
        session=session, organisation_id=organisation_id, name=body.name, active=body.active
    )
    return OrganisationPublic.model_validate(org)
