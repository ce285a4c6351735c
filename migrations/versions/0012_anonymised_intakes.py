"""anonymised intakes: when an intake's personal data was removed (retention, erasure)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", app.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index(
            "ix_intakes_anonymised_at_closed_at", ["anonymised_at", "closed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_intakes_anonymised_at_closed_at")
        batch_op.drop_column("anonymised_at")
