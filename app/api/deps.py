"""Dependencies shared by all routers: the request's session and the caller's identity."""

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.core.config import get_settings
from app.core.database import get_session
from app.core.security import Scope
from app.organisations import service as organisations
from app.organisations.service import Principal

# scope="function": the session's commit runs before the response goes out.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer wwk_...`")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    resolution = timedelta(seconds=get_settings().key_last_used_resolution_seconds)
    return organisations.authenticate(
        session=session,
        token=credentials.credentials if credentials else None,
        last_used_resolution=resolution,
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Principal]:
    """A dependency that authenticates and checks one scope (403 when it is missing)."""

    def dependency(principal: PrincipalDep) -> Principal:
        principal.require(scope)
        return principal

    dependency.__name__ = f"require_{scope.value.replace(':', '_')}"
    return dependency
