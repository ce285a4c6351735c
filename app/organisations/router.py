import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.api.deps import DeploymentAdminDep, PrincipalDep, SessionDep, require
from app.core.config import get_settings
from app.core.errors import Forbidden
from app.core.openapi import created, problems
from app.core.security import Scope, parse_scopes
from app.organisations import service
from app.organisations.models import ApiKey
from app.organisations.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyPublic,
    ApiKeyRotated,
    OrganisationCreate,
    OrganisationList,
    OrganisationPublic,
    OrganisationUpdate,
)
from app.organisations.service import Principal

router = APIRouter(prefix="/organisations", tags=["organisations"])

AdminDep = Annotated[Principal, Depends(require(Scope.admin))]


def _key_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(
        {**key.model_dump(), "scopes": sorted(parse_scopes(key.scopes))}
    )


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


def _check_manage(principal: Principal, organisation_id: uuid.UUID) -> None:
    if not principal.can_manage(organisation_id):
        raise Forbidden("You can manage the API keys of your own organisation only.")


@router.get("/{organisation_id}/api-keys", summary="List an organisation's API keys")
def list_api_keys(
    organisation_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> ApiKeyList:
    """Keys of the caller's own organisation (front-office admins: any). Keys are never shown."""
    _check_manage(principal, organisation_id)
    service.get(session=session, organisation_id=organisation_id)
    keys = service.list_keys(session=session, organisation_id=organisation_id)
    return ApiKeyList(data=[_key_public(k) for k in keys])


@router.post(
    "/{organisation_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key (shown once)",
    responses=created(),
)
def create_api_key(
    organisation_id: uuid.UUID,
    body: ApiKeyCreate,
    session: SessionDep,
    principal: AdminDep,
    response: Response,
) -> ApiKeyCreated:
    """The response holds the key itself, once. Only its SHA-256 hash is stored."""
    _check_manage(principal, organisation_id)
    key, plain = service.create_key(
        session=session,
        organisation_id=organisation_id,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/api-keys/{key.id}"
    return ApiKeyCreated(**_key_public(key).model_dump(), key=plain)


@router.post(
    "/{organisation_id}/api-keys/{key_id}/revoke",
    summary="Revoke an API key",
)
def revoke_api_key(
    organisation_id: uuid.UUID, key_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> ApiKeyPublic:
    """Revoking is immediate and cannot be undone; revoking twice changes nothing."""
    _check_manage(principal, organisation_id)
    key = service.revoke_key(session=session, key_id=key_id, organisation_id=organisation_id)
    return _key_public(key)


@router.post(
    "/{organisation_id}/api-keys/{key_id}/rotate",
    status_code=status.HTTP_201_CREATED,
    summary="Rotate an API key: a successor (shown once); the old key works a while longer",
    responses={**created(), **problems(409)},
)
def rotate_api_key(
    organisation_id: uuid.UUID,
    key_id: uuid.UUID,
    session: SessionDep,
    principal: AdminDep,
    response: Response,
) -> ApiKeyRotated:
    """Issues a new key with the same name and scopes (and, if the old key expires, the same
    lifetime counted from now). The response holds the new key itself, once. The old key keeps
    working for the grace period (24 hours unless configured otherwise) and then expires; revoke
    it to end it sooner. A revoked or expired key cannot be rotated (409)."""
    _check_manage(principal, organisation_id)
    grace = timedelta(hours=get_settings().api_key_rotation_grace_hours)
    key, plain, old = service.rotate_key(
        session=session, key_id=key_id, organisation_id=organisation_id, grace=grace
    )
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/api-keys/{key.id}"
    return ApiKeyRotated(**_key_public(key).model_dump(), key=plain, replaces=_key_public(old))
