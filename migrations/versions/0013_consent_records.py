"""consent records: consent as a history of steps; the intake holds the consent in force

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23

Existing intakes keep their yes/no: a yes covers every kind of partner (as before), recorded
as given or refused with method `onbekend` by the organisation that recorded the intake.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("organisation_types", sa.JSON(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("at", app.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["intakes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_records_intake_id"), ["intake_id"], unique=False
        )

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_types", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("consent_withdrawn_at", app.core.types.UTCDateTime(), nullable=True)
        )
    _backfill()
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.alter_column("consent_types", server_default=None)


PARTNERS = ["corporatie", "gemeente", "thuiszorg", "welzijn", "zorgcooperatie"]


def _backfill() -> None:
    conn = op.get_bind()
    intakes = sa.table(
        "intakes",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("consent", sa.Boolean()),
        sa.column("consent_types", sa.JSON()),
        sa.column("created_at", app.core.types.UTCDateTime()),
    )
    records = sa.table(
        "consent_records",
        sa.column("id", sa.Uuid()),
        sa.column("intake_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("method", sa.String()),
        sa.column("organisation_types", sa.JSON()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("at", app.core.types.UTCDateTime()),
    )
    conn.execute(intakes.update().where(intakes.c.consent.is_(True)).values(consent_types=PARTNERS))
    rows = conn.execute(
        sa.select(intakes.c.id, intakes.c.organisation_id, intakes.c.consent, intakes.c.created_at)
    ).all()
    if rows:
        conn.execute(
            records.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "intake_id": r.id,
                    "action": "given" if r.consent else "refused",
                    "method": "onbekend",
                    "organisation_types": PARTNERS if r.consent else [],
                    "organisation_id": r.organisation_id,
                    "at": r.created_at,
                }
                for r in rows
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_column("consent_withdrawn_at")
        batch_op.drop_column("consent_types")

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_records_intake_id"))

    op.drop_table("consent_records")
