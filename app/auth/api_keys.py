"""API keys: issued to an organisation with scopes, shown once, stored only as a hash; and the
authentication of a request by its key."""

import hashlib
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth.models import ApiKey
from app.auth.principal import Principal
from app.auth.scopes import Scope, format_scopes, parse_scopes
from app.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from app.core.types import utcnow
from app.organisations import service as organisations
from app.organisations.models import Organisation, OrganisationType

log = logging.getLogger(__name__)

KEY_PREFIX = "wwk_"


class ApiKeyNotFound(NotFound):
    title = "API key not found"
    slug = "api-key-not-found"


def generate_api_key() -> str:
    # 32 random bytes: far beyond guessing, so a fast hash is enough to store it safely.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters, so people can tell keys apart in lists without seeing them."""
    return key[: len(KEY_PREFIX) + 6]


def create_key(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    name: str,
    scopes: set[Scope] | list[Scope],
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with the plain key, which is never stored or shown again."""
    organisations.get(session=session, organisation_id=organisation_id)
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
