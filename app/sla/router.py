from fastapi import APIRouter

from app.api.deps import DeploymentAdminDep, PrincipalDep, SessionDep
from app.classification.schemas import Domain
from app.sla import service
from app.sla.schemas import SlaPolicyList, SlaPolicyPublic, SlaPolicyUpdate, Urgency

router = APIRouter(prefix="/sla-policies", tags=["sla"])


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
    _: DeploymentAdminDep,
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
