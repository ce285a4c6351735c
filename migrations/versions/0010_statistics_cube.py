"""statistics cube: referrals counted per month and per week and dimension, with lead-time
histograms

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

The cube starts empty; the first statistics request (or the worker) builds it from the
referrals, since its state row says nothing is included yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_cube",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("subcategory", sa.String(length=40), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("n", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accepted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("overdue", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h00", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h01", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h02", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h03", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h04", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h05", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h06", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h07", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h08", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h09", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h10", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h11", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h12", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h13", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h14", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h15", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h16", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h17", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h18", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h19", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h20", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h21", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h22", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h23", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h24", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h25", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h26", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h27", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h28", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h29", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h30", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h31", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h32", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h33", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h34", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h35", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h36", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h37", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h38", sa.Integer(), server_default="0", nullable=False),
        sa.Column("accept_h39", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h00", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h01", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h02", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h03", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h04", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h05", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h06", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h07", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h08", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h09", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h10", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h11", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h12", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h13", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h14", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h15", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h16", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h17", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h18", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h19", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h20", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h21", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h22", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h23", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h24", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h25", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h26", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h27", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h28", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h29", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h30", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h31", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h32", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h33", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h34", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h35", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h36", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h37", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h38", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complete_h39", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_cube")),
    )
    with op.batch_alter_table("stats_cube", schema=None) as batch_op:
        batch_op.create_index("ix_stats_cube_grain_period", ["grain", "period"], unique=False)

    op.create_table(
        "stats_cube_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_feed_seq", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", app.core.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_cube_state")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_complete_due_at", ["complete_due_at"], unique=False)
        batch_op.create_index("ix_referrals_due_at", ["due_at"], unique=False)
    op.bulk_insert(
        sa.table(
            "stats_cube_state",
            sa.column("id", sa.Integer()),
            sa.column("last_feed_seq", sa.BigInteger()),
        ),
        [{"id": 1, "last_feed_seq": 0}],
    )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_due_at")
        batch_op.drop_index("ix_referrals_complete_due_at")

    op.drop_table("stats_cube_state")
    with op.batch_alter_table("stats_cube", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_cube_grain_period")

    op.drop_table("stats_cube")
