import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class SlaPolicy(SQLModel, table=True):
    """How fast a partner must pick up and finish a referral, per domain and urgency."""

    __tablename__ = "sla_policies"

    domain: str = Field(sa_type=sa.String(16), primary_key=True)
    urgent: bool = Field(primary_key=True)
    accept_working_days: int
    complete_working_days: int
