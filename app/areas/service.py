"""Areas (wijken): named sets of PC4 postcodes, for the gemeente's statistics."""

import uuid
from collections import defaultdict

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.areas.models import Area, AreaPostcode
from app.core.errors import Conflict, NotFound


class AreaNotFound(NotFound):
    title = "Area not found"
    slug = "area-not-found"


def _taken(session: Session, pc4: list[str], area_id: uuid.UUID | None) -> None:
    rows = session.exec(
        select(AreaPostcode.pc4, AreaPostcode.area_id, Area.name)
        .join(Area, col(Area.id) == col(AreaPostcode.area_id))
        .where(col(AreaPostcode.pc4).in_(pc4))
    ).all()
    clashes = [f"{p} ({name})" for p, owner, name in rows if owner != area_id]
    if clashes:
        raise Conflict(f"These PC4s belong to another area already: {', '.join(clashes)}.")


def list_areas(*, session: Session) -> list[tuple[Area, list[str]]]:
    areas = list(session.exec(select(Area).order_by(col(Area.name))).all())
    codes: dict[uuid.UUID, list[str]] = defaultdict(list)
    for row in session.exec(select(AreaPostcode).order_by(col(AreaPostcode.pc4))):
        codes[row.area_id].append(row.pc4)
    return [(a, codes[a.id]) for a in areas]


def get(*, session: Session, area_id: uuid.UUID) -> tuple[Area, list[str]]:
    area = session.get(Area, area_id)
    if area is None:
        raise AreaNotFound(f"No area with id {area_id}.")
    codes = session.exec(
        select(AreaPostcode.pc4)
        .where(AreaPostcode.area_id == area_id)
        .order_by(col(AreaPostcode.pc4))
    ).all()
    return area, list(codes)


def save(
    *, session: Session, name: str, pc4: list[str], area_id: uuid.UUID | None = None
) -> tuple[Area, list[str]]:
    """Create (no id) or replace an area's name and postcodes."""
    _taken(session, pc4, area_id)
    if area_id is None:
        area = Area(name=name)
    else:
        area, _ = get(session=session, area_id=area_id)
        area.name = name
        session.exec(delete(AreaPostcode).where(col(AreaPostcode.area_id) == area_id))
    session.add(area)
    try:
        session.flush()
        session.add_all([AreaPostcode(pc4=p, area_id=area.id) for p in pc4])
        session.flush()
    except IntegrityError as exc:  # a concurrent request took the name or a PC4
        raise Conflict(f"An area named '{name}' or one of its PC4s exists already.") from exc
    return area, sorted(pc4)


def delete_area(*, session: Session, area_id: uuid.UUID) -> None:
    area, _ = get(session=session, area_id=area_id)
    try:
        with session.begin_nested():
            session.exec(delete(AreaPostcode).where(col(AreaPostcode.area_id) == area_id))
            session.delete(area)
            session.flush()
    except IntegrityError as exc:
        # Intakes (and their referrals) point at it, and statistics count them per area:
        # deleting it would rewrite history. The foreign keys say so; no need to look.
        raise Conflict(
            f"Intakes were recorded in '{area.name}'; rename or redraw it instead."
        ) from exc


def area_for(*, session: Session, pc4: str | None) -> uuid.UUID | None:
    if not pc4:
        return None
    row = session.get(AreaPostcode, pc4)
    return row.area_id if row else None
