"""API keys of an organisation: list, create (shown once), revoke, rotate. Under
/organisations/{organisation_id}/api-keys, in the organisations part of the document."""

import uuid
from datetime import timedelta

from fastapi import APIRouter, Response, status

from app.api.deps import AdminDep, SessionDep
from app.auth import api_keys
from app.auth.principal import Principal
from app.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyPublic,
    ApiKeyRotated,
)
from app.core.config import get_settings
from app.core.errors import Forbidden
from app.core.openapi import created, problems
from app.organisations import service as organisations

router = APIRouter(prefix="/organisations", tags=["organisations"])


def _check_manage(principal: Principal, organisation_id: uuid.UUID) -> None:
    if not principal.can_manage(organisation_id):
        raise Forbidden("You can manage the API keys of your own organisation only.")


@router.get("/{organisation_id}/api-keys", summary="List an organisation's API keys")
def list_api_keys(
    organisation_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> ApiKeyList:
    """Keys of the caller's own organisation (front-office admins: any). Keys are never shown."""
    _check_manage(principal, organisation_id)
    organisations.get(session=session, organisation_id=organisation_id)
    keys = api_keys.list_keys(session=session, organisation_id=organisation_id)
    return ApiKeyList(data=[ApiKeyPublic.from_model(k) for k in keys])


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
    key, plain = api_keys.create_key(
        session=session,
        organisation_id=organisation_id,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/api-keys/{key.id}"
    return ApiKeyCreated(**ApiKeyPublic.from_model(key).model_dump(), key=plain)


@router.post(
    "/{organisation_id}/api-keys/{key_id}/revoke",
    summary="Revoke an API key",
)
def revoke_api_key(
    organisation_id: uuid.UUID, key_id: uuid.UUID, session: SessionDep, principal: AdminDep
) -> ApiKeyPublic:
    """Revoking is immediate and cannot be undone; revoking twice changes nothing."""
    _check_manage(principal, organisation_id)
    key = api_keys.revoke_key(session=session, key_id=key_id, organisation_id=organisation_id)
    return ApiKeyPublic.from_model(key)


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
    key, plain, old = api_keys.rotate_key(
        session=session, key_id=key_id, organisation_id=organisation_id, grace=grace
    )
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/api-keys/{key.id}"
    return ApiKeyRotated(
        **ApiKeyPublic.from_model(key).model_dump(),
        key=plain,
        replaces=ApiKeyPublic.from_model(old),
    )
