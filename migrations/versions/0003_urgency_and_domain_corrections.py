"""urgency and domain corrections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows get urgent = false and no reasons (server defaults).

    op.create_table(
        "domain_corrections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("previous_domains", sa.JSON(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("classifier_domains", sa.JSON(), nullable=False),
        sa.Column("classifier_version", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_domain_corrections_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_domain_corrections_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_corrections")),
    )
    with op.batch_alter_table("domain_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_domain_corrections_intake_id"), ["intake_id"], unique=False
        )

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("urgent_reasons", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("due_at", app.core.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("due_at")
        batch_op.drop_column("urgent")

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_column("urgent_reasons")
        batch_op.drop_column("urgent")

    with op.batch_alter_table("domain_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_corrections_intake_id"))

    op.drop_table("domain_corrections")
