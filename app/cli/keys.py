"""`wijkwinkel key`: create, revoke and rotate API keys."""

import json
import uuid
from datetime import datetime
from typing import Annotated

import typer

from app.auth import api_keys
from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.cli.organisations import find_org
from app.cli.unit_of_work import fail, unit_of_work
from app.core.config import get_settings

key_cli = typer.Typer(help="Manage API keys.", no_args_is_help=True)


def _key_json(key: ApiKey, plain: str, **extra: str | None) -> str:
    """A new key as JSON: the only time it is shown."""
    expires = key.expires_at.isoformat() if key.expires_at else None
    return json.dumps(
        {
            "id": str(key.id),
            "organisation_id": str(key.organisation_id),
            "api_key": plain,
            "expires_at": expires,
            **extra,
        }
    )


@key_cli.command("create")
def key_create(
    organisation: Annotated[str, typer.Argument(help="Organisation id or exact name.")],
    scope: Annotated[
        list[str], typer.Option("--scope", "-s", help="Scope; repeat for more than one.")
    ],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
    expires: Annotated[datetime | None, typer.Option(help="Expiry moment (ISO 8601, UTC).")] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Expire this many days from now.")
    ] = None,
) -> None:
    """Create an API key. The key is printed once and never stored in plain text."""
    from datetime import UTC, timedelta

    from app.core.types import utcnow

    try:
        scopes = [Scope(s) for s in scope]
    except ValueError:
        fail(f"unknown scope in {scope}; choose from {', '.join(s.value for s in Scope)}")
    if expires is not None and expires_in_days is not None:
        fail("give --expires or --expires-in-days, not both")
    if expires_in_days is not None:
        expires = utcnow() + timedelta(days=expires_in_days)
    with unit_of_work() as session:
        org = find_org(session, organisation)
        key, plain = api_keys.create_key(
            session=session,
            organisation_id=org.id,
            name=name,
            scopes=scopes,
            expires_at=expires.replace(tzinfo=expires.tzinfo or UTC) if expires else None,
        )
        out = _key_json(key, plain)
    typer.echo(out)


@key_cli.command("revoke")
def key_revoke(key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key at once."""
    with unit_of_work() as session:
        key = api_keys.revoke_key(session=session, key_id=key_id)
        out = f"revoked {key.id} ({key.prefix}…) at {key.revoked_at}"
    typer.echo(out)


@key_cli.command("rotate")
def key_rotate(
    key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id.")],
    grace_hours: Annotated[
        float | None,
        typer.Option(min=0, help="How long the old key keeps working (default: the setting)."),
    ] = None,
) -> None:
    """Issue a successor key (printed once); the old one keeps working for the grace period."""
    from datetime import timedelta

    hours = get_settings().api_key_rotation_grace_hours if grace_hours is None else grace_hours
    with unit_of_work() as session:
        key, plain, old = api_keys.rotate_key(
            session=session, key_id=key_id, grace=timedelta(hours=hours)
        )
        out = _key_json(
            key,
            plain,
            replaces=str(old.id),
            replaced_key_expires_at=old.expires_at.isoformat() if old.expires_at else None,
        )
    typer.echo(out)
