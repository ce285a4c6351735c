"""Demo data: one organisation of each type, with a fresh API key for each."""

from typing import Any

from sqlmodel import Session

from app.core.security import Scope
from app.organisations import service as organisations
from app.organisations.models import OrganisationType

PARTNER_SCOPES = [
    Scope.intakes_write,
    Scope.intakes_read,
    Scope.referrals_read,
    Scope.referrals_write,
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


def seed(*, session: Session) -> dict[str, Any]:
    """Create what is missing (idempotent) and issue one fresh key per organisation."""
    result: list[dict[str, Any]] = []
    for name, org_type, scopes in DEMO_ORGANISATIONS:
        org = organisations.get_by_name(session=session, name=name)
        if org is None:
            org = organisations.create(session=session, name=name, type=org_type)
        _, plain = organisations.create_key(
            session=session, organisation_id=org.id, name="demo", scopes=scopes
        )
        result.append(
            {"id": str(org.id), "name": org.name, "type": str(org.type), "api_key": plain}
        )
    return {"organisations": result}
