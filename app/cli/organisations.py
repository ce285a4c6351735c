"""`wijkwinkel org`: organisations; and `find_org`, how other commands name one."""

import json
import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from sqlmodel import Session, select

from app.cli.unit_of_work import fail, unit_of_work

if TYPE_CHECKING:
    from app.organisations.models import Organisation

org_cli = typer.Typer(help="Manage organisations.", no_args_is_help=True)


@org_cli.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="Display name, unique.")],
    type: Annotated[str, typer.Option("--type", help="Organisation type.")],
) -> None:
    """Create an organisation and print it as JSON."""
    from app.organisations import service
    from app.organisations.models import OrganisationType

    try:
        org_type = OrganisationType(type)
    except ValueError:
        fail(f"unknown type '{type}'; choose from {', '.join(t.value for t in OrganisationType)}")
    with unit_of_work() as session:
        org = service.create(session=session, name=name, type=org_type)
        out = {"id": str(org.id), "name": org.name, "type": str(org.type)}
    typer.echo(json.dumps(out))


def find_org(session: Session, ref: str) -> "Organisation":
    """The organisation with this id or this exact name; the command fails if there is none."""
    from app.organisations.models import Organisation

    try:
        org = session.get(Organisation, uuid.UUID(ref))
    except ValueError:
        org = session.exec(select(Organisation).where(Organisation.name == ref)).first()
    if org is None:
        fail(f"no organisation '{ref}'")
    return org
