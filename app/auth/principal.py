"""The Principal: who is calling (an organisation, through an API key or a person's login) and
what they may do. Every service checks a person exactly as it checks a key."""

import uuid
from dataclasses import dataclass

from app.auth.scopes import Scope
from app.core.errors import Forbidden
from app.organisations.models import OrganisationType


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the organisation behind an API key (or a staff login), and what that
    key (or the person's role) may do."""

    organisation_id: uuid.UUID
    organisation_type: OrganisationType
    organisation_name: str
    # None for a person logged in to the staff pages (no API key; `actor` names them).
    key_id: uuid.UUID | None
    scopes: frozenset[Scope]
    # The person acting through the key (X-Actor), for the access log.
    actor: str | None = None

    @property
    def is_frontoffice(self) -> bool:
        return self.organisation_type == OrganisationType.frontoffice

    def require(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise Forbidden(
                f"This API key lacks the scope '{scope}' needed here. "
                f"It has: {', '.join(sorted(self.scopes)) or 'no scopes'}."
            )

    def require_deployment_admin(self) -> None:
        """Changes that affect every organisation are for the front office's admins only."""
        self.require(Scope.admin)
        if not self.is_frontoffice:
            raise Forbidden(
                "Only an admin key of the front office (frontoffice organisation) may do this."
            )

    def can_manage(self, organisation_id: uuid.UUID) -> bool:
        return Scope.admin in self.scopes and (
            self.is_frontoffice or organisation_id == self.organisation_id
        )
