"""Which organisation gets a domain's referral: area rule, else default rule, else the gemeente."""

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.classification.schemas import Domain
from app.core.errors import Conflict, InvalidInput, NotFound
from app.organisations.models import Organisation, OrganisationType
from app.routing.models import RoutingRule
from app.routing.schemas import RoutedBy


class RoutingRuleNotFound(NotFound):
    title = "Routing rule not found"
    slug = "routing-rule-not-found"


@dataclass(frozen=True, slots=True)
class RouteDecision:
    domain: Domain
    organisation_id: uuid.UUID
    routed_by: RoutedBy
    organisation_name: str = ""  # for the answer to the caller, read with the rule


@dataclass(frozen=True, slots=True)
class Routing:
    decisions: list[RouteDecision]
    unrouted: list[Domain]


def fallback_organisation(*, session: Session) -> Organisation | None:
    """The gemeente (sociaal wijkteam) catches what no rule covers; else the front office."""
    for org_type in (OrganisationType.gemeente, OrganisationType.frontoffice):
        org = session.exec(
            select(Organisation)
            .where(Organisation.type == org_type, col(Organisation.active).is_(True))
            .order_by(col(Organisation.created_at), col(Organisation.name))
        ).first()
        if org is not None:
            return org
    return None


def route(*, session: Session, domains: list[Domain], pc4: str | None) -> Routing:
    if not domains:
        return Routing(decisions=[], unrouted=[])
    area = (
        or_(col(RoutingRule.pc4).is_(None), RoutingRule.pc4 == pc4)
        if pc4
        else col(RoutingRule.pc4).is_(None)
    )
    rules = session.exec(
        select(RoutingRule, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(RoutingRule.organisation_id))
        .where(
            col(RoutingRule.domain).in_([str(d) for d in domains]),
            area,
            col(Organisation.active).is_(True),
        )
    ).all()
    by_domain: dict[str, RouteDecision] = {}
    for rule, name in rules:
        domain = Domain(rule.domain)
        via = RoutedBy.area if rule.pc4 is not None else RoutedBy.default
        current = by_domain.get(rule.domain)
        if current is None or (via == RoutedBy.area and current.routed_by == RoutedBy.default):
            by_domain[rule.domain] = RouteDecision(domain, rule.organisation_id, via, name)

    decisions: list[RouteDecision] = []
    unrouted: list[Domain] = []
    fallback: Organisation | None = None
    for domain in domains:
        decision = by_domain.get(str(domain))
        if decision is None:
            fallback = fallback or fallback_organisation(session=session)
            if fallback is None:
                unrouted.append(domain)
                continue
            decision = RouteDecision(domain, fallback.id, RoutedBy.fallback, fallback.name)
        decisions.append(decision)
    return Routing(decisions=decisions, unrouted=unrouted)


# --- rule management -------------------------------------------------------------------------


def list_rules(*, session: Session, domain: Domain | None = None) -> list[RoutingRule]:
    stmt = select(RoutingRule).order_by(
        col(RoutingRule.domain), col(RoutingRule.pc4).is_not(None), col(RoutingRule.pc4)
    )
    if domain is not None:
        stmt = stmt.where(RoutingRule.domain == str(domain))
    return list(session.exec(stmt).all())


def get_rule(*, session: Session, rule_id: uuid.UUID) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise RoutingRuleNotFound(f"No routing rule with id {rule_id}.")
    return rule


def _check_target(session: Session, organisation_id: uuid.UUID) -> None:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise InvalidInput(f"No organisation with id {organisation_id}.")
    if not org.active:
        raise InvalidInput(f"Organisation '{org.name}' is deactivated.")
    if org.type == OrganisationType.frontoffice:
        raise InvalidInput("Referrals go to partner organisations, not to the front office.")


def _find(session: Session, domain: Domain, pc4: str | None) -> RoutingRule | None:
    area = col(RoutingRule.pc4).is_(None) if pc4 is None else RoutingRule.pc4 == pc4
    return session.exec(select(RoutingRule).where(RoutingRule.domain == str(domain), area)).first()


def create_rule(
    *, session: Session, domain: Domain, pc4: str | None, organisation_id: uuid.UUID
) -> RoutingRule:
    _check_target(session, organisation_id)
    existing = _find(session, domain, pc4)
    if existing is not None:
        where = f"PC4 {pc4}" if pc4 else "the default"
        raise Conflict(
            f"There is already a rule for {domain} in {where} (id {existing.id}); change that one.",
            existing_rule_id=str(existing.id),
        )
    rule = RoutingRule(domain=str(domain), pc4=pc4, organisation_id=organisation_id)
    session.add(rule)
    try:
        session.flush()
    except IntegrityError as exc:  # another request created the same rule a moment ago
        raise Conflict(f"There is already a rule for {domain} in this area.") from exc
    return rule


def ensure_rule(
    *, session: Session, domain: Domain, pc4: str | None, organisation_id: uuid.UUID
) -> RoutingRule:
    """Idempotent: the rule for (domain, pc4) points at the organisation afterwards."""
    rule = _find(session, domain, pc4)
    if rule is None:
        return create_rule(session=session, domain=domain, pc4=pc4, organisation_id=organisation_id)
    rule.organisation_id = organisation_id
    session.add(rule)
    session.flush()
    return rule


def update_rule(*, session: Session, rule_id: uuid.UUID, organisation_id: uuid.UUID) -> RoutingRule:
    rule = get_rule(session=session, rule_id=rule_id)
    _check_target(session, organisation_id)
    rule.organisation_id = organisation_id
    session.add(rule)
    session.flush()
    return rule


def delete_rule(*, session: Session, rule_id: uuid.UUID) -> None:
    session.delete(get_rule(session=session, rule_id=rule_id))
    session.flush()
