"""Logins to the staff pages: opened after a person proved who they are (a password, or
later an identity provider), resolved from the cookie on every page, ended on logout.

`start` is the step every way in ends with: an OIDC callback checks the ID token, finds the
StaffUser for the token's claim and calls it. The pages only ever see the login.
"""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth.models import StaffLogin, StaffUser
from app.auth.principal import Principal
from app.auth.scopes import ROLE_SCOPES, Role
from app.core.config import get_settings
from app.core.errors import Forbidden
from app.core.ratelimit import TokenBucketLimiter
from app.core.types import utcnow
from app.organisations.models import Organisation, OrganisationType

# last_seen_at is written at most this often: a page view should not always be a write.
_SEEN_RESOLUTION = timedelta(minutes=1)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Login:
    """A live login: its row, the person and their organisation."""

    record: StaffLogin
    user: StaffUser
    organisation: Organisation

    @property
    def principal(self) -> Principal:
        return principal_for(self.user, self.organisation)

    @property
    def csrf_token(self) -> str:
        """The token every form of this login carries (see `check_csrf`)."""
        return self.record.csrf_token


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


def start(*, session: Session, user: StaffUser) -> tuple[str, StaffLogin]:
    """Open a login for a user who has proved who they are; returns the cookie's token."""
    settings = get_settings()
    now = utcnow()
    # Expired logins are of no use to anyone: cleared here rather than by a separate job.
    session.execute(delete(StaffLogin).where(col(StaffLogin.expires_at) <= now))
    token = secrets.token_urlsafe(32)
    row = StaffLogin(
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


def resolve(*, session: Session, token: str | None) -> Login | None:
    """The login behind a cookie's token, or None when it is unknown, expired or idle too long
    (or the user or organisation was deactivated meanwhile)."""
    if not token:
        return None
    now = utcnow()
    row = session.exec(
        select(StaffLogin).where(StaffLogin.token_hash == _hash_token(token))
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
    return Login(record=row, user=user, organisation=org)


def end(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffLogin).where(col(StaffLogin.token_hash) == _hash_token(token)))
        session.flush()


class CsrfFailed(Forbidden):
    title = "CSRF token missing or wrong"
    slug = "csrf-failed"


def check_csrf(expected: str | None, given: str | None) -> None:
    """A form (or a page's fetch) carries the token of the login it was made for; a page of
    another site cannot know it."""
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfFailed("The form's CSRF token is missing or does not match your login.")


# Failed logins per client address, on top of the lockout per account: the lockout stops
# guessing one password, this stops trying one password on many accounts. Per process, like
# the API's limiter of failed keys (and with the same setting).
_failures: TokenBucketLimiter | None = None
_failures_lock = threading.Lock()


def _failure_limiter() -> TokenBucketLimiter | None:
    global _failures
    per_minute = get_settings().auth_failures_per_minute
    if not per_minute:
        return None
    with _failures_lock:
        if _failures is None:
            _failures = TokenBucketLimiter(per_minute=per_minute, burst=per_minute)
        return _failures


def too_many_failures(address: str) -> bool:
    limiter = _failure_limiter()
    if limiter is None:
        return False
    with _failures_lock:
        return not limiter.peek(address).allowed


def count_failure(address: str) -> None:
    limiter = _failure_limiter()
    if limiter is not None:
        with _failures_lock:
            limiter.take(address)
