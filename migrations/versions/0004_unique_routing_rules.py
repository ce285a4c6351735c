"""unique routing rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Fails if duplicate rules exist already; remove them first (GET /api/v1/routing-rules).
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rules_domain_pc4"))
        batch_op.create_index(
            "uq_routing_rules_domain_default",
            ["domain"],
            unique=True,
            sqlite_where=sa.text("pc4 IS NULL"),
            postgresql_where=sa.text("pc4 IS NULL"),
        )
        batch_op.create_unique_constraint("uq_routing_rules_domain_pc4", ["domain", "pc4"])


def downgrade() -> None:
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_constraint("uq_routing_rules_domain_pc4", type_="unique")
        batch_op.drop_index(
            "uq_routing_rules_domain_default",
            sqlite_where=sa.text("pc4 IS NULL"),
            postgresql_where=sa.text("pc4 IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_routing_rules_domain_pc4"), ["domain", "pc4"], unique=False
        )
