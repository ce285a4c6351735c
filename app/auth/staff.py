"""Staff accounts for the web pages: who may log in for which organisation, with which role.

An account without a password logs in through an identity provider only. Changing a password
or switching an account off ends its logins at once.
"""

import uuid

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import StaffLogin, StaffUser
from app.auth.passwords import check_password, hasher, normalise_username
from app.auth.scopes import Role
from app.core.errors import Conflict, InvalidInput
from app.organisations import service as organisations

_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-_@")


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
        check_password(password)
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
    check_password(password)
    user.password_hash = hasher().hash(password)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    session.execute(delete(StaffLogin).where(col(StaffLogin.user_id) == user.id))
    session.flush()
    return user


def set_active(*, session: Session, user: StaffUser, active: bool) -> StaffUser:
    """Switch a login on or off (someone leaves, or returns). Switching off also ends the
    user's sessions at once, so an open page stops working on its next request; the account,
    its name and what it did stay, for the access log."""
    user.active = active
    session.add(user)
    if not active:
        session.execute(delete(StaffLogin).where(col(StaffLogin.user_id) == user.id))
    session.flush()
    return user
