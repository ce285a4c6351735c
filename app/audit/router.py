import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import SessionDep, require
from app.audit import service
from app.audit.schemas import AuditEntryPublic, AuditPage
from app.auth.principal import Principal
from app.auth.scopes import Scope

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="The access log of personal data")
def list_entries(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.admin))],
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Entries after this id (`next_after`).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE, description="Page size.")] = 100,
    intake_id: Annotated[
        uuid.UUID | None, Query(description="Only entries about this resident's intake.")
    ] = None,
) -> AuditPage:
    """Every read or change of personal data: organisation, key, acting person (`X-Actor`),
    time, intake, action and purpose, oldest first. The front office's admin sees all of it,
    another organisation's admin what its own keys did. Scope `admin`. The log is append-only
    and chained by hash; `wijkwinkel audit verify` checks it."""
    entries = service.page(
        session=session, principal=principal, after=after, limit=limit, intake_id=intake_id
    )
    return AuditPage(
        data=[AuditEntryPublic.model_validate(e, from_attributes=True) for e in entries],
        next_after=entries[-1].id if entries and entries[-1].id else after,
        has_more=len(entries) == limit,
    )
