import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class RoutingRule(SQLModel, table=True):
    """Sends a domain's referrals, for one PC4 area or by default (pc4 null), to an organisation."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        # One rule per domain and area, and one default (pc4 null) per domain, also under races.
        sa.UniqueConstraint("domain", "pc4", name="uq_routing_rules_domain_pc4"),
        sa.Index(
            "uq_routing_rules_domain_default",
            "domain",
            unique=True,
            sqlite_where=sa.text("pc4 IS NULL"),
            postgresql_where=sa.text("pc4 IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    domain: str = Field(sa_type=sa.String(16))
    pc4: str | None = Field(default=None, sa_type=sa.String(4))
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
