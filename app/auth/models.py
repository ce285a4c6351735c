"""The tables of authentication: API keys, staff accounts and their logins."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(sa_type=sa.String(100))
    prefix: str = Field(sa_type=sa.String(16))
    key_hash: str = Field(sa_type=sa.String(64), unique=True)
    scopes: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffUser(SQLModel, table=True):
    """A person who uses the staff pages, on behalf of one organisation."""

    __tablename__ = "staff_users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    # Unique across organisations: the login form asks for a name, not an organisation.
    username: str = Field(sa_type=sa.String(100), unique=True)
    display_name: str | None = Field(default=None, sa_type=sa.String(200))
    role: str = Field(sa_type=sa.String(16))
    # Argon2id (PHC string); None for accounts that log in through an identity provider only.
    password_hash: str | None = Field(default=None, sa_type=sa.String(200))
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffLogin(SQLModel, table=True):
    """A person's login to the staff pages. The cookie holds a random token; only its hash is
    stored, so a copy of the database opens no logins. Deleting the row is logging out,
    everywhere at once. (The table keeps the name it had when logins were called sessions.)"""

    __tablename__ = "staff_sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    user_id: uuid.UUID = Field(foreign_key="staff_users.id", index=True)
    # Per login: every form carries it, every POST is checked against it.
    csrf_token: str = Field(sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
