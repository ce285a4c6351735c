from app.classification.schemas import Domain
from app.organisations import service as organisations
from app.organisations.models import OrganisationType
from app.routing import service as routing
from app.routing.schemas import RoutedBy


def _org(session, name, type_):
    return organisations.create(session=session, name=name, type=type_)


def test_area_rule_beats_default_and_fallback_catches_the_rest(session):
    corp = _org(session, "Corporatie", OrganisationType.corporatie)
    coop = _org(session, "Coöperatie", OrganisationType.zorgcooperatie)
    gemeente = _org(session, "Gemeente", OrganisationType.gemeente)
    routing.create_rule(session=session, domain=Domain.wonen, pc4=None, organisation_id=corp.id)
    routing.create_rule(session=session, domain=Domain.welzijn, pc4="3828", organisation_id=coop.id)

    plan = routing.route(session=session, domains=[Domain.wonen, Domain.welzijn], pc4="3828")
    got = {d.domain: (d.organisation_id, d.routed_by) for d in plan.decisions}
    assert got[Domain.wonen] == (corp.id, RoutedBy.default)
    assert got[Domain.welzijn] == (coop.id, RoutedBy.area)

    elsewhere = routing.route(session=session, domains=[Domain.welzijn], pc4="1011")
    assert elsewhere.decisions[0].organisation_id == gemeente.id
    assert elsewhere.decisions[0].routed_by == RoutedBy.fallback

    no_postcode = routing.route(session=session, domains=[Domain.welzijn], pc4=None)
    assert no_postcode.decisions[0].routed_by == RoutedBy.fallback


def test_inactive_target_falls_through_to_fallback(session):
    corp = _org(session, "Corporatie", OrganisationType.corporatie)
    gemeente = _org(session, "Gemeente", OrganisationType.gemeente)
    routing.create_rule(session=session, domain=Domain.wonen, pc4=None, organisation_id=corp.id)
    organisations.update_organisation(session=session, organisation_id=corp.id, active=False)
    plan = routing.route(session=session, domains=[Domain.wonen], pc4="3811")
    assert plan.decisions[0].organisation_id == gemeente.id


def test_without_gemeente_the_front_office_is_the_fallback_and_else_unrouted(session):
    assert routing.route(session=session, domains=[Domain.zorg], pc4=None).unrouted == [Domain.zorg]
    desk = _org(session, "Desk", OrganisationType.frontoffice)
    plan = routing.route(session=session, domains=[Domain.zorg], pc4=None)
    assert plan.decisions[0].organisation_id == desk.id
    assert plan.unrouted == []
