"""areas

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "area_postcodes",
        sa.Column("pc4", sa.String(length=4), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
        ),
        sa.PrimaryKeyConstraint("pc4"),
    )
    with op.batch_alter_table("area_postcodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_postcodes_area_id"), ["area_id"], unique=False)

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_intakes_area_id"), ["area_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_intakes_area_id_areas"), "areas", ["area_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_intakes_area_id_areas"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_intakes_area_id"))
        batch_op.drop_column("area_id")

    with op.batch_alter_table("area_postcodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_postcodes_area_id"))

    op.drop_table("area_postcodes")
    op.drop_table("areas")
