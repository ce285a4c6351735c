import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Area(SQLModel, table=True):
    """A neighbourhood (wijk) the gemeente reports on: a set of PC4 postcode areas."""

    __tablename__ = "areas"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(sa_type=sa.String(100), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AreaPostcode(SQLModel, table=True):
    """A PC4 belongs to at most one area."""

    __tablename__ = "area_postcodes"

    pc4: str = Field(sa_type=sa.String(4), primary_key=True)
    area_id: uuid.UUID = Field(foreign_key="areas.id", index=True)
