"""Staff passwords: Argon2id hashes, the check at login, and the lockout after repeated
failures. How a person proves who they are; the login that follows is app/auth/logins.py."""

import contextlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.auth.models import StaffUser
from app.core.config import get_settings
from app.core.errors import InvalidInput, Unauthenticated
from app.core.types import utcnow
from app.organisations.models import Organisation

MIN_PASSWORD_LENGTH = 12


class LoginFailed(Unauthenticated):
    title = "Login failed"
    slug = "login-failed"


class AccountLocked(LoginFailed):
    title = "Account locked"
    slug = "account-locked"

    def __init__(self, detail: str, *, until: datetime) -> None:
        super().__init__(detail)
        self.until = until


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


def check_password(password: str) -> None:
    """A new password is long enough (length is what makes a password strong)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def normalise_username(username: str) -> str:
    return username.strip().lower()


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
