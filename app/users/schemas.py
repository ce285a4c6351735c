from enum import StrEnum

from app.core.security import Scope


class Role(StrEnum):
    """What a staff member may do, as the same scopes an API key carries."""

    staff = "staff"  # desk and partner staff: intakes and referrals
    analyst = "analyst"  # policy staff of a gemeente: statistics only, no personal data
    admin = "admin"  # staff, plus the organisation's own administration


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.staff: frozenset(
        {Scope.intakes_write, Scope.intakes_read, Scope.referrals_read, Scope.referrals_write}
    ),
    Role.analyst: frozenset({Scope.stats_read}),
    Role.admin: frozenset(
        {
            Scope.intakes_write,
            Scope.intakes_read,
            Scope.referrals_read,
            Scope.referrals_write,
            Scope.admin,
        }
    ),
}
