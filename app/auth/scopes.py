"""What a caller may do: the scopes an API key carries, and the roles that give a person the
same scopes."""

from enum import StrEnum


class Scope(StrEnum):
    intakes_write = "intakes:write"
    intakes_read = "intakes:read"
    referrals_read = "referrals:read"
    referrals_write = "referrals:write"
    stats_read = "stats:read"
    admin = "admin"


def parse_scopes(raw: str) -> frozenset[Scope]:
    return frozenset(Scope(s) for s in raw.split() if s in Scope._value2member_map_)


def format_scopes(scopes: set[Scope] | frozenset[Scope] | list[Scope]) -> str:
    return " ".join(sorted(str(s) for s in set(scopes)))


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
