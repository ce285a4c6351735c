"""Staff accounts for the web pages: passwords, lockout, sessions.

How a person proves who they are is kept apart from what a login is: `authenticate_password`
is one way in, and `start_session` is the step every way in ends with. An OIDC login (what
municipalities use) is the next way in: its callback checks the ID token, finds the StaffUser
for the token's claim (create them with no password: `password_hash` stays None, so password
login is closed for them) and calls `start_session`. The pages only ever see the session.
"""

import contextlib
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from app.core.types import utcnow
from app.organisations import service as organisations
from app.organisations.models import Organisation, OrganisationType
from app.organisations.service import Principal
from app.users.models import StaffSession, StaffUser
from app.users.schemas import ROLE_SCOPES, Role

MIN_PASSWORD_LENGTH = 12
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-_@")
# last_seen_at is written at most this often: a page view should not always be a write.
_SEEN_RESOLUTION = timedelta(minutes=1)


class LoginFailed(Unauthenticated):
    title = "Login failed"
    slug = "login-failed"


class AccountLocked(LoginFailed):
    title = "Account locked"
    slug = "account-locked"

    def __init__(self, detail: str, *, until: datetime) -> None:
        super().__init__(detail)
        self.until = until


class UserNotFound(NotFound):
    title = "User not found"
    slug = "user-not-found"


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher() -> PasswordHasher:
    settings = get_settings()
    return _hasher(settings.password_hash_time_cost, settings.password_hash_memory_kib)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against for unknown usernames, so a wrong name takes as long as a wrong password.
    return hasher().hash(secrets.token_urlsafe(16))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    username: str,
    role: Role,
    password: str | None,
    display_name: str | None = None,
) -> StaffUser:
    """A new account. Without a password it can only log in through an identity provider."""
    organisations.get(session=session, organisation_id=organisation_id)
    name = normalise_username(username)
    if not 3 <= len(name) <= 100 or not set(name) <= _USERNAME_CHARS:
        raise InvalidInput(
            "A username has 3 to 100 characters: letters, digits and . - _ @ (no spaces)."
        )
    if password is not None:
        _check_password(password)
    if get_by_username(session=session, username=name) is not None:
        raise Conflict(f"A user named '{name}' already exists.")
    user = StaffUser(
        organisation_id=organisation_id,
        username=name,
        role=role,
        display_name=display_name,
        password_hash=hasher().hash(password) if password is not None else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # created by a concurrent request
        raise Conflict(f"A user named '{name}' already exists.") from exc
    return user


def get_by_username(*, session: Session, username: str) -> StaffUser | None:
    return session.exec(
        select(StaffUser).where(StaffUser.username == normalise_username(username))
    ).first()


def set_password(*, session: Session, user: StaffUser, password: str) -> StaffUser:
    """A new password; also lifts a lockout and ends the user's sessions."""
    _check_password(password)
    user.password_hash = hasher().hash(password)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    session.execute(delete(StaffSession).where(col(StaffSession.user_id) == user.id))
    session.flush()
    return user


def set_active(*, session: Session, user: StaffUser, active: bool) -> StaffUser:
    """Switch a login on or off (someone leaves, or returns). Switching off also ends the
    user's sessions at once, so an open page stops working on its next request; the account,
    its name and what it did stay, for the access log."""
    user.active = active
    session.add(user)
    if not active:
        session.execute(delete(StaffSession).where(col(StaffSession.user_id) == user.id))
    session.flush()
    return user


def authenticate_password(*, session: Session, username: str, password: str) -> StaffUser:
    """The user behind a username and password, or LoginFailed / AccountLocked.

    The failure count is flushed before raising: the caller must let the transaction commit
    (render the page, do not re-raise), or the lockout never counts.
    """
    settings = get_settings()
    now = utcnow()
    user = session.exec(
        select(StaffUser)
        .where(StaffUser.username == normalise_username(username))
        .with_for_update()
    ).first()
    # One answer for every failure, locked accounts included, and the same work before it:
    # neither the text nor the time tells whether a username exists.
    text = _failure_text()
    if user is None or user.password_hash is None:
        with contextlib.suppress(VerificationError):
            hasher().verify(_dummy_hash(), password)
        raise LoginFailed(text)
    try:
        hasher().verify(user.password_hash, password)
        right = True
    except (VerificationError, InvalidHashError):
        right = False
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(text, until=user.locked_until)
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            session.add(user)
            session.flush()
            raise AccountLocked(text, until=user.locked_until)
        session.add(user)
        session.flush()
        raise LoginFailed(text)
    org = session.get(Organisation, user.organisation_id)
    if not user.active or org is None or not org.active:
        raise LoginFailed(text)
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    session.add(user)
    session.flush()
    return user


def _failure_text() -> str:
    settings = get_settings()
    return (
        "De gebruikersnaam of het wachtwoord klopt niet. Na "
        f"{settings.login_max_failures} verkeerde pogingen gaat een account "
        f"{settings.login_lockout_minutes} minuten op slot; de beheerder kan het eerder vrijgeven."
    )


@dataclass(frozen=True, slots=True)
class Login:
    """A live login: the session row, the person and their organisation."""

    session: StaffSession
    user: StaffUser
    organisation: Organisation

    @property
    def principal(self) -> Principal:
        return principal_for(self.user, self.organisation)


def principal_for(user: StaffUser, organisation: Organisation) -> Principal:
    """The same Principal an API key gives, so every service checks a person as it checks a
    key; the username is the actor in the access log."""
    return Principal(
        organisation_id=organisation.id,
        organisation_type=OrganisationType(organisation.type),
        organisation_name=organisation.name,
        key_id=None,
        scopes=ROLE_SCOPES[Role(user.role)],
        actor=user.username,
    )


def start_session(*, session: Session, user: StaffUser) -> tuple[str, StaffSession]:
    """Open a login for a user who has proved who they are; returns the cookie's token."""
    settings = get_settings()
    now = utcnow()
    # Expired logins are of no use to anyone: cleared here rather than by a separate job.
    session.execute(delete(StaffSession).where(col(StaffSession.expires_at) <= now))
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=_hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.web_session_hours),
    )
    session.add(row)
    session.flush()
    return token, row


def resolve_session(*, session: Session, token: str | None) -> Login | None:
    """The login behind a cookie's token, or None when it is unknown, expired or idle too long
    (or the user or organisation was deactivated meanwhile)."""
    if not token:
        return None
    now = utcnow()
    row = session.exec(
        select(StaffSession).where(StaffSession.token_hash == _hash_token(token))
    ).first()
    if row is None:
        return None
    idle = timedelta(minutes=get_settings().web_idle_minutes)
    if row.expires_at <= now or now - row.last_seen_at >= idle:
        session.delete(row)
        session.flush()
        return None
    user = session.get(StaffUser, row.user_id)
    org = session.get(Organisation, user.organisation_id) if user else None
    if user is None or org is None or not user.active or not org.active:
        return None
    if now - row.last_seen_at >= _SEEN_RESOLUTION:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return Login(session=row, user=user, organisation=org)


def end_session(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(
            delete(StaffSession).where(col(StaffSession.token_hash) == _hash_token(token))
        )
        session.flush()


def list_users(*, session: Session, organisation_id: uuid.UUID) -> list[StaffUser]:
    return list(
        session.exec(
            select(StaffUser)
            .where(StaffUser.organisation_id == organisation_id)
            .order_by(col(StaffUser.username))
        ).all()
    )
