"""`wijkwinkel demo`: demo organisations, routing data, keys and staff logins, on a new
database or again on demand. Registered on `wijkwinkel` itself by app/cli/__init__.py."""

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, select

from app.auth import api_keys
from app.cli.unit_of_work import unit_of_work
from app.core.config import get_settings


def _keys_work(session: Session, path: Path) -> bool:
    """Whether the first key in a demo keys file authenticates against this database."""
    from datetime import timedelta

    from app.core.errors import Unauthenticated

    try:
        key = json.loads(path.read_text(encoding="utf-8"))["organisations"][0]["api_key"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    try:
        api_keys.authenticate(session=session, token=key, last_used_resolution=timedelta(days=1))
    except Unauthenticated:
        return False
    return True


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    output: Annotated[
        Path | None, typer.Option(help="Also write the JSON to this file (mode 600).")
    ] = None,
    if_new: Annotated[
        bool,
        typer.Option("--if-new", help="Only when the database has no organisations yet."),
    ] = False,
) -> None:
    """Create demo organisations (one of each type) and routing data; print fresh keys."""
    from app import demo as demo_data
    from app.organisations.models import Organisation

    with unit_of_work() as session:
        if if_new and session.exec(select(Organisation)).first() is not None:
            where = output or get_settings().demo_keys_file
            if _keys_work(session, where):
                # Nothing to keep: only the key's last-used stamp from the check was written.
                session.rollback()
                typer.echo(
                    f"Database already has organisations; demo skipped. "
                    f"Demo keys from the first run are in {where}.",
                    err=True,
                )
                return
            # The keys file belongs to another database (or is gone): issue fresh keys.
            typer.echo(f"The keys in {where} do not work with this database; new ones:", err=True)
        result = demo_data.seed(session=session)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
        output.chmod(0o600)
    if as_json:
        typer.echo(text)
    else:
        for org in result["organisations"]:
            typer.echo(f"{org['type']:<15} {org['name']:<40} {org['api_key']}")
        port = get_settings().port
        typer.echo(f"\nStaff pages (http://localhost:{port}/login): username and password")
        for org in result["organisations"]:
            typer.echo(f"{org['type']:<15} {org['username']:<25} {org['password']}")
    if output:
        typer.echo(f"Demo keys written to {output}", err=True)
