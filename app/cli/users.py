"""`wijkwinkel user`: staff logins for the web pages."""

import json
import secrets
from typing import Annotated

import typer

from app.cli.organisations import find_org
from app.cli.unit_of_work import fail, unit_of_work

user_cli = typer.Typer(help="Manage staff logins for the web pages.", no_args_is_help=True)


@user_cli.command("create")
def user_create(
    organisation: Annotated[str, typer.Argument(help="Organisation id or exact name.")],
    username: Annotated[str, typer.Argument(help="Login name, unique (letters, digits, .-_@).")],
    role: Annotated[
        str,
        typer.Option(
            help="staff (intakes and referrals), analyst (statistics only) or admin (staff, "
            "plus the organisation's administration)."
        ),
    ] = "staff",
    display_name: Annotated[str | None, typer.Option(help="Name shown on the pages.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="WIJKWINKEL_NEW_PASSWORD",
            help="The password (at least 12 characters); left out: a random one is printed "
            "once. Prefer the environment variable to the command line.",
        ),
    ] = None,
) -> None:
    """Create a staff login for the web pages and print it as JSON."""
    from app.auth import staff as service
    from app.auth.scopes import Role

    try:
        user_role = Role(role)
    except ValueError:
        fail(f"unknown role '{role}'; choose from {', '.join(r.value for r in Role)}")
    plain = password or secrets.token_urlsafe(12)
    with unit_of_work() as session:
        org = find_org(session, organisation)
        user = service.create_user(
            session=session,
            organisation_id=org.id,
            username=username,
            role=user_role,
            password=plain,
            display_name=display_name,
        )
        out = {
            "id": str(user.id),
            "organisation_id": str(user.organisation_id),
            "username": user.username,
            "role": user.role,
        }
    if password is None:
        out["password"] = plain
    typer.echo(json.dumps(out))


@user_cli.command("set-password")
def user_set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="WIJKWINKEL_NEW_PASSWORD",
            help="The new password; left out: a random one is printed once.",
        ),
    ] = None,
) -> None:
    """Set a new password; this also lifts a lockout and ends the user's logins."""
    from app.auth import staff as service

    plain = password or secrets.token_urlsafe(12)
    with unit_of_work() as session:
        user = service.get_by_username(session=session, username=username)
        if user is None:
            fail(f"no user '{username}'")
        service.set_password(session=session, user=user, password=plain)
        name = user.username
    typer.echo(json.dumps({"username": name, "password": plain if password is None else None}))


def _set_active(username: str, active: bool) -> None:
    from app.auth import staff as service

    with unit_of_work() as session:
        user = service.get_by_username(session=session, username=username)
        if user is None:
            fail(f"no user '{username}'")
        service.set_active(session=session, user=user, active=active)
        out = {"username": user.username, "active": user.active}
    typer.echo(json.dumps(out))


@user_cli.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Switch a login off (someone leaves): it cannot log in, and its open sessions end now."""
    _set_active(username, False)


@user_cli.command("activate")
def user_activate(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Switch a login back on."""
    _set_active(username, True)
