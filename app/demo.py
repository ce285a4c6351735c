"""Demo data: one organisation of each type, with a fresh API key and a staff login for each."""

import secrets
from typing import Any

from sqlmodel import Session

from app.areas import service as areas
from app.auth import api_keys
from app.auth import staff as users
from app.auth.scopes import Role, Scope
from app.classification.schemas import Domain
from app.organisations import service as organisations
from app.organisations.models import OrganisationType
from app.routing import service as routing

# Partners' admin covers their own organisation only: their keys and webhook subscriptions.
PARTNER_SCOPES = [
    Scope.intakes_write,
    Scope.intakes_read,
    Scope.referrals_read,
    Scope.referrals_write,
    Scope.admin,
]

DEMO_ORGANISATIONS: list[tuple[str, OrganisationType, list[Scope]]] = [
    ("Wijkwinkel De Schakel", OrganisationType.frontoffice, list(Scope)),
    ("Woonstichting De Linie", OrganisationType.corporatie, PARTNER_SCOPES),
    ("Thuiszorg Zuidwest", OrganisationType.thuiszorg, PARTNER_SCOPES),
    (
        "Gemeente Voorbeeld - Sociaal wijkteam",
        OrganisationType.gemeente,
        [*PARTNER_SCOPES, Scope.stats_read],
    ),
    ("Welzijn Voorbeeld", OrganisationType.welzijn, PARTNER_SCOPES),
    ("Zorgcoöperatie Hoogland", OrganisationType.zorgcooperatie, PARTNER_SCOPES),
]


# Routing: per domain a default organisation; in Hoogland (PC4 3828) the zorgcoöperatie takes
# welzijn. Anything without a rule goes to the gemeente.
DEMO_ROUTING: list[tuple[Domain, str | None, OrganisationType]] = [
    (Domain.wonen, None, OrganisationType.corporatie),
    (Domain.zorg, None, OrganisationType.thuiszorg),
    (Domain.welzijn, None, OrganisationType.welzijn),
    (Domain.welzijn, "3828", OrganisationType.zorgcooperatie),
]


# The gemeente's demo login sees the dashboard only: statistics, never a resident.
DEMO_ROLES: dict[OrganisationType, Role] = {OrganisationType.gemeente: Role.analyst}


def demo_username(org_type: OrganisationType) -> str:
    return f"demo-{org_type.value}"


DEMO_AREAS: list[tuple[str, list[str]]] = [
    ("Centrum", ["3811", "3812"]),
    ("Noord", ["3813", "3814"]),
    ("Hoogland", ["3828"]),
]


def seed(*, session: Session) -> dict[str, Any]:
    """Create what is missing (idempotent) and issue one fresh key and one fresh staff password
    per organisation."""
    result: list[dict[str, Any]] = []
    by_type = {}
    for name, org_type, scopes in DEMO_ORGANISATIONS:
        org = organisations.get_by_name(session=session, name=name)
        if org is None:
            org = organisations.create(session=session, name=name, type=org_type)
        by_type[org_type] = org
        _, plain = api_keys.create_key(
            session=session, organisation_id=org.id, name="demo", scopes=scopes
        )
        username, password = demo_username(org_type), secrets.token_urlsafe(12)
        user = users.get_by_username(session=session, username=username)
        if user is None:
            users.create_user(
                session=session,
                organisation_id=org.id,
                username=username,
                role=DEMO_ROLES.get(org_type, Role.staff),
                password=password,
            )
        else:
            users.set_password(session=session, user=user, password=password)
        result.append(
            {
                "id": str(org.id),
                "name": org.name,
                "type": str(org.type),
                "api_key": plain,
                "username": username,
                "password": password,
            }
        )
    for domain, pc4, org_type in DEMO_ROUTING:
        routing.ensure_rule(
            session=session, domain=domain, pc4=pc4, organisation_id=by_type[org_type].id
        )
    existing = {area.name for area, _ in areas.list_areas(session=session)}
    for name, codes in DEMO_AREAS:
        if name not in existing:
            areas.save(session=session, name=name, pc4=codes)
    return {"organisations": result}
