from typing import Annotated

from fastapi import APIRouter, Depends

from app.api.deps import PrincipalDep, SessionDep, require
from app.classification.schemas import Domain
from app.core.security import Scope
from app.organisations.service import Principal
from app.sla import service
from app.sla.schemas import SlaPolicyList, SlaPolicyPublic, SlaPolicyUpdate, Urgency

router = APIRouter(prefix="/sla-policies", tags=["sla"])


def _deployment_admin(
    principal: Annotated[Principal, Depends(require(Scope.admin))],
) -> Principal:
    principal.require_deployment_admin()
    return principal


@router.get("", summary="Deadlines per domain and urgency")
def list_policies(session: SessionDep, _: PrincipalDep) -> SlaPolicyList:
    """In Dutch working days (no weekends or public holidays). Urgent referrals must also be
    accepted within WIJKWINKEL_URGENT_RESPONSE_HOURS. Any API key may read them."""
    return SlaPolicyList(
        data=[
            SlaPolicyPublic(
                domain=domain,
                urgency=Urgency.urgent if urgent else Urgency.normal,
                accept_working_days=accept,
                complete_working_days=complete,
                default=default,
            )
            for domain, urgent, accept, complete, default in service.list_policies(session=session)
        ]
    )


@router.put("/{domain}/{urgency}", summary="Set the deadlines for a domain and urgency")
def set_policy(
    domain: Domain,
    urgency: Urgency,
    body: SlaPolicyUpdate,
    session: SessionDep,
    _: Annotated[Principal, Depends(_deployment_admin)],
) -> SlaPolicyPublic:
    """Applies to referrals created from now on. Front-office admins only."""
    row = service.set_policy(
        session=session,
        domain=domain,
        urgent=urgency == Urgency.urgent,
        accept_days=body.accept_working_days,
        complete_days=body.complete_working_days,
    )
    return SlaPolicyPublic(
        domain=domain,
        urgency=urgency,
        accept_working_days=row.accept_working_days,
        complete_working_days=row.complete_working_days,
        default=False,
    )
