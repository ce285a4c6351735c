import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class OrganisationType(StrEnum):
    frontoffice = "frontoffice"
    corporatie = "corporatie"
    thuiszorg = "thuiszorg"
    gemeente = "gemeente"
    welzijn = "welzijn"
    zorgcooperatie = "zorgcooperatie"


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    type: OrganisationType = Field(sa_type=sa.String(32))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
