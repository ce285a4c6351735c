"""triage and review: who chose an intake's domains, urgent signals acknowledged, the review
queue's marks, and intakes closed by hand with a reason

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = [
    ("domains_confirmed_by", sa.String(length=200)),
    ("domains_confirmed_at", app.core.types.UTCDateTime()),
    ("urgent_acknowledged_by", sa.String(length=200)),
    ("urgent_acknowledged_at", app.core.types.UTCDateTime()),
    ("urgent_acknowledgement", sa.Text()),
    ("reviewed_by", sa.String(length=200)),
    ("reviewed_at", app.core.types.UTCDateTime()),
    ("review_note", sa.Text()),
    ("closed_reason", sa.Text()),
]


def upgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        for name, type_ in _COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
