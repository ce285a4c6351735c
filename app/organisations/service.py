"""Organisations and their API keys."""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from app.core.security import (
    Scope,
    display_prefix,
    format_scopes,
    generate_api_key,
    hash_api_key,
    parse_scopes,
)
from app.core.types import utcnow
from app.organisations.models import ApiKey, Organisation, OrganisationType

log = logging.getLogger(__name__)


class OrganisationNotFound(NotFound):
    title = "Organisation not found"
    slug = "organisation-not-found"


class ApiKeyNotFound(NotFound):
    title = "API key not found"
    slug = "api-key-not-found"


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


# --- organisations ---------------------------------------------------------------------------


def list_organisations(*, session: Session, active: bool | None = None) -> list[Organisation]:
    stmt = select(Organisation).order_by(col(Organisation.name))
    if active is not None:
        stmt = stmt.where(Organisation.active == active)
    return list(session.exec(stmt).all())


def get(*, session: Session, organisation_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise OrganisationNotFound(f"No organisation with id {organisation_id}.")
    return org


def get_by_name(*, session: Session, name: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.name == name)).first()


def create(*, session: Session, name: str, type: OrganisationType) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput("An organisation needs a name.")
    if get_by_name(session=session, name=name) is not None:
        raise Conflict(f"An organisation named '{name}' already exists.")
    org = Organisation(name=name, type=type)
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:  # created by a concurrent request
        raise Conflict(f"An organisation named '{name}' already exists.") from exc
    return org


def update_organisation(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    name: str | None = None,
    active: bool | None = None,
) -> Organisation:
    org = get(session=session, organisation_id=organisation_id)
    if name is not None and name.strip() != org.name:
        if get_by_name(session=session, name=name.strip()) is not None:
            raise Conflict(f"An organisation named '{name.strip()}' already exists.")
        org.name = name.strip()
    if active is not None:
        org.active = active
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"An organisation named '{org.name}' already exists.") from exc
    return org


# --- API keys --------------------------------------------------------------------------------


def create_key(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    name: str,
    scopes: set[Scope] | list[Scope],
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with the plain key, which is never stored or shown again."""
    get(session=session, organisation_id=organisation_id)
    if not scopes:
        raise InvalidInput("An API key needs at least one scope.")
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidInput("expires_at needs a time zone, for example 2030-01-01T00:00:00Z.")
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInput("expires_at lies in the past.")
    plain = generate_api_key()
    key = ApiKey(
        organisation_id=organisation_id,
        name=name,
        prefix=display_prefix(plain),
        key_hash=hash_api_key(plain),
        scopes=format_scopes(list(scopes)),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, plain


def list_keys(*, session: Session, organisation_id: uuid.UUID) -> list[ApiKey]:
    stmt = (
        select(ApiKey)
        .where(ApiKey.organisation_id == organisation_id)
        .order_by(col(ApiKey.created_at))
    )
    return list(session.exec(stmt).all())


def get_key(
    *, session: Session, key_id: uuid.UUID, organisation_id: uuid.UUID | None = None
) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or (organisation_id is not None and key.organisation_id != organisation_id):
        raise ApiKeyNotFound(f"No API key with id {key_id}.")
    return key


def revoke_key(
    *, session: Session, key_id: uuid.UUID, organisation_id: uuid.UUID | None = None
) -> ApiKey:
    key = get_key(session=session, key_id=key_id, organisation_id=organisation_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
    return key


def rotate_key(
    *,
    session: Session,
    key_id: uuid.UUID,
    organisation_id: uuid.UUID | None = None,
    grace: timedelta,
) -> tuple[ApiKey, str, ApiKey]:
    """Issue a successor with the same name and scopes; the old key works ``grace`` longer.

    The successor gets the old key's lifetime again (from now) when the old key had one, so a
    policy of 90-day keys survives rotation. Returns the new key, its plain text and the old key.
    """
    old = get_key(session=session, key_id=key_id, organisation_id=organisation_id)
    now = utcnow()
    if old.revoked_at is not None:
        raise Conflict("This API key is revoked; create a new key instead of rotating it.")
    if old.expires_at is not None and old.expires_at <= now:
        raise Conflict("This API key has expired; create a new key instead of rotating it.")
    expires_at = None
    if old.expires_at is not None:
        expires_at = now + max(old.expires_at - old.created_at, grace, timedelta(minutes=1))
    new, plain = create_key(
        session=session,
        organisation_id=old.organisation_id,
        name=old.name,
        scopes=list(parse_scopes(old.scopes)),
        expires_at=expires_at,
    )
    until = now + grace
    if old.expires_at is None or old.expires_at > until:
        old.expires_at = until
        session.add(old)
        session.flush()
    # Ids and moments only: never the key or its hash.
    log.info(
        "API key %s of organisation %s rotated to %s; the old key works until %s",
        old.id,
        old.organisation_id,
        new.id,
        _moment(old.expires_at),
    )
    return new, plain, old


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def authenticate(
    *, session: Session, token: str | None, last_used_resolution: timedelta
) -> Principal:
    if not token:
        raise Unauthenticated(
            "This endpoint needs an API key: send 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    row = session.exec(
        select(ApiKey, Organisation)
        .join(Organisation, col(Organisation.id) == col(ApiKey.organisation_id))
        .where(ApiKey.key_hash == hash_api_key(token))
    ).first()
    invalid_token = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if row is None:
        raise Unauthenticated("The API key is not valid: it is unknown.", headers=invalid_token)
    key, org = row
    now = utcnow()
    # Only the key's holder can see why it stopped working, so saying so gives nothing away.
    if key.revoked_at is not None:
        raise Unauthenticated(
            f"This API key was revoked at {_moment(key.revoked_at)}; "
            "ask your organisation's admin for a new one.",
            headers=invalid_token,
        )
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated(
            f"This API key expired at {_moment(key.expires_at)}; "
            "ask your organisation's admin for a new one.",
            headers={
                "WWW-Authenticate": 'Bearer error="invalid_token", '
                'error_description="The API key expired"'
            },
        )
    if not org.active:
        raise Unauthenticated(
            f"The organisation '{org.name}' is deactivated; its keys do not work.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if key.last_used_at is None or now - key.last_used_at >= last_used_resolution:
        # A plain UPDATE, skipped for most requests. SKIP LOCKED: when a concurrent request with
        # the same key is stamping it already, this one goes on instead of queueing behind it.
        free = (
            select(ApiKey.id)
            .where(ApiKey.id == key.id)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        session.execute(update(ApiKey).where(col(ApiKey.id) == free).values(last_used_at=now))
    return Principal(
        organisation_id=org.id,
        organisation_type=OrganisationType(org.type),
        organisation_name=org.name,
        key_id=key.id,
        scopes=parse_scopes(key.scopes),
    )
