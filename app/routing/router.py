import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api.deps import DeploymentAdminDep, SessionDep
from app.classification.schemas import Domain
from app.core.openapi import created, problems
from app.routing import service
from app.routing.schemas import (
    RoutingRuleCreate,
    RoutingRuleList,
    RoutingRulePublic,
    RoutingRuleUpdate,
)

router = APIRouter(prefix="/routing-rules", tags=["routing"])


AdminDep = DeploymentAdminDep


@router.get("", summary="List routing rules")
def list_rules(
    session: SessionDep,
    _: AdminDep,
    domain: Annotated[Domain | None, Query(description="Only this domain.")] = None,
) -> RoutingRuleList:
    """All rules, per domain the default first. Front-office admins only."""
    rules = service.list_rules(session=session, domain=domain)
    return RoutingRuleList(data=[RoutingRulePublic.model_validate(r) for r in rules])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a routing rule",
    responses={**created(), **problems(409)},
)
def create_rule(
    body: RoutingRuleCreate, session: SessionDep, _: AdminDep, response: Response
) -> RoutingRulePublic:
    """One rule per domain and PC4 area (or default); a second one is 409."""
    rule = service.create_rule(
        session=session, domain=body.domain, pc4=body.pc4, organisation_id=body.organisation_id
    )
    response.headers["Location"] = f"/api/v1/routing-rules/{rule.id}"
    return RoutingRulePublic.model_validate(rule)


@router.get("/{rule_id}", summary="Get a routing rule")
def get_rule(rule_id: uuid.UUID, session: SessionDep, _: AdminDep) -> RoutingRulePublic:
    """One rule by id."""
    return RoutingRulePublic.model_validate(service.get_rule(session=session, rule_id=rule_id))


@router.put("/{rule_id}", summary="Point a routing rule at another organisation")
def update_rule(
    rule_id: uuid.UUID, body: RoutingRuleUpdate, session: SessionDep, _: AdminDep
) -> RoutingRulePublic:
    """Only new referrals follow the change; existing ones stay where they are."""
    rule = service.update_rule(
        session=session, rule_id=rule_id, organisation_id=body.organisation_id
    )
    return RoutingRulePublic.model_validate(rule)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a rule")
def delete_rule(rule_id: uuid.UUID, session: SessionDep, _: AdminDep) -> Response:
    """Without a rule, a domain's referrals go to the gemeente fallback."""
    service.delete_rule(session=session, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
