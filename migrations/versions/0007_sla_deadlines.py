"""sla deadlines

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_policies",
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("accept_working_days", sa.Integer(), nullable=False),
        sa.Column("complete_working_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("domain", "urgent", name=op.f("pk_sla_policies")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complete_due_at", app.core.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("overdue_announced_at", app.core.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            "ix_referrals_overdue_announced_at_status_due_at",
            ["overdue_announced_at", "status", "due_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_overdue_announced_at_status_due_at")
        batch_op.drop_column("overdue_announced_at")
        batch_op.drop_column("complete_due_at")

    op.drop_table("sla_policies")
