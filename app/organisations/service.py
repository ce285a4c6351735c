"""Organisations: the register of partners and the front office."""

import logging
import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.organisations.models import Organisation, OrganisationType

log = logging.getLogger(__name__)


class OrganisationNotFound(NotFound):
    title = "Organisation not found"
    slug = "organisation-not-found"


def list_organisations(*, session: Session, active: bool | None = None) -> list[Organisation]:
    stmt = select(Organisation).order_by(col(Organisation.name))
    if active is not None:
        stmt = stmt.where(Organisation.active == active)
    return list(session.exec(stmt).all())


def get(*, session: Session, organisation_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise OrganisationNotFound(f"No organisation with id {organisation_id}.")
    return org


def get_by_name(*, session: Session, name: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.name == name)).first()


def create(*, session: Session, name: str, type: OrganisationType) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput("An organisation needs a name.")
    if get_by_name(session=session, name=name) is not None:
        raise Conflict(f"An organisation named '{name}' already exists.")
    org = Organisation(name=name, type=type)
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:  # created by a concurrent request
        raise Conflict(f"An organisation named '{name}' already exists.") from exc
    return org


def update_organisation(
    *,
    session: Session,
    organisation_id: uuid.UUID,
    name: str | None = None,
    active: bool | None = None,
) -> Organisation:
    org = get(session=session, organisation_id=organisation_id)
    if name is not None and name.strip() != org.name:
        if get_by_name(session=session, name=name.strip()) is not None:
            raise Conflict(f"An organisation named '{name.strip()}' already exists.")
        org.name = name.strip()
    if active is not None:
        org.active = active
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"An organisation named '{org.name}' already exists.") from exc
    return org
