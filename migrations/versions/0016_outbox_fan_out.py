"""outbox fan out: the delivery side turns committed events into deliveries

Until now the request that wrote an event also wrote its webhook deliveries. From here the
request writes only the event, and a job fans pending events out; the events that exist were
fanned out when they were written.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fanned_out_at", app.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index(
            "ix_outbox_events_fanned_out_at_id", ["fanned_out_at", "id"], unique=False
        )
    op.execute("UPDATE outbox_events SET fanned_out_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_fanned_out_at_id")
        batch_op.drop_column("fanned_out_at")
