"""statistics facts: referrals carry what the statistics group by; unreferred intakes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types
from app.stats import facts

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unreferred_signals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=True),
        sa.Column("subcategory", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_month", sa.String(length=7), nullable=False),
        sa.Column("created_week", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_unreferred_signals_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_unreferred_signals_intake_id_intakes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unreferred_signals")),
    )
    with op.batch_alter_table("unreferred_signals", schema=None) as batch_op:
        batch_op.create_index("ix_unreferred_signals_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unreferred_signals_intake_id"), ["intake_id"], unique=False
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subcategory", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("area_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("created_month", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("created_week", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", app.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_referrals_created_at", ["created_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_area_id_areas"), "areas", ["area_id"], ["id"]
        )

    _backfill()


def _backfill() -> None:
    """Fill the new columns for referrals and intakes made before this revision."""
    conn = op.get_bind()
    dt = app.core.types.UTCDateTime()
    intakes = sa.table(
        "intakes",
        sa.column("id", sa.Uuid()),
        sa.column("channel", sa.String()),
        sa.column("area_id", sa.Uuid()),
        sa.column("consent", sa.Boolean()),
        sa.column("domains", sa.JSON()),
        sa.column("classification", sa.JSON()),
        sa.column("created_at", dt),
    )
    referrals = sa.table(
        "referrals",
        sa.column("id", sa.Uuid()),
        sa.column("intake_id", sa.Uuid()),
        sa.column("domain", sa.String()),
        sa.column("created_at", dt),
        sa.column("subcategory", sa.String()),
        sa.column("channel", sa.String()),
        sa.column("area_id", sa.Uuid()),
        sa.column("created_month", sa.String()),
        sa.column("created_week", sa.String()),
        sa.column("accepted_at", dt),
    )
    events = sa.table(
        "referral_events",
        sa.column("referral_id", sa.Uuid()),
        sa.column("to_status", sa.String()),
        sa.column("created_at", dt),
    )
    signals = sa.table(
        "unreferred_signals",
        sa.column("id", sa.Uuid()),
        sa.column("intake_id", sa.Uuid()),
        sa.column("domain", sa.String()),
        sa.column("subcategory", sa.String()),
        sa.column("reason", sa.String()),
        sa.column("channel", sa.String()),
        sa.column("area_id", sa.Uuid()),
        sa.column("created_at", dt),
        sa.column("created_month", sa.String()),
        sa.column("created_week", sa.String()),
    )
    accepted = dict(
        conn.execute(
            sa.select(events.c.referral_id, sa.func.min(events.c.created_at))
            .where(events.c.to_status == "accepted")
            .group_by(events.c.referral_id)
        ).all()
    )
    rows = conn.execute(
        sa.select(
            referrals.c.id,
            referrals.c.domain,
            referrals.c.created_at,
            intakes.c.channel,
            intakes.c.area_id,
            intakes.c.classification,
        ).join(intakes, intakes.c.id == referrals.c.intake_id)
    ).all()
    updates = [
        {
            "rid": r.id,
            "subcategory": facts.top_subcategory(r.classification or {}, r.domain),
            "channel": r.channel,
            "area_id": r.area_id,
            "created_month": facts.month_of(r.created_at),
            "created_week": facts.week_of(r.created_at),
            "accepted_at": accepted.get(r.id),
        }
        for r in rows
    ]
    if updates:
        conn.execute(
            referrals.update()
            .where(referrals.c.id == sa.bindparam("rid"))
            .values(
                subcategory=sa.bindparam("subcategory"),
                channel=sa.bindparam("channel"),
                area_id=sa.bindparam("area_id"),
                created_month=sa.bindparam("created_month"),
                created_week=sa.bindparam("created_week"),
                accepted_at=sa.bindparam("accepted_at"),
            ),
            updates,
        )
    # Intakes with no referral at all: no consent, or nothing recognised.
    referred = sa.select(referrals.c.intake_id).distinct()
    unreferred = conn.execute(sa.select(intakes).where(intakes.c.id.not_in(referred))).all()
    new_rows = []
    for i in unreferred:
        reason = facts.NO_CONSENT if not i.consent else facts.NEEDS_REVIEW
        for domain in list(i.domains or []) or [None]:
            new_rows.append(
                {
                    "id": uuid.uuid4(),
                    "intake_id": i.id,
                    "domain": domain,
                    "subcategory": facts.top_subcategory(i.classification or {}, domain)
                    if domain
                    else None,
                    "reason": reason,
                    "channel": i.channel,
                    "area_id": i.area_id,
                    "created_at": i.created_at,
                    "created_month": facts.month_of(i.created_at),
                    "created_week": facts.week_of(i.created_at),
                }
            )
    if new_rows:
        conn.execute(signals.insert(), new_rows)


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_referrals_area_id_areas"), type_="foreignkey")
        batch_op.drop_index("ix_referrals_created_at")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("created_week")
        batch_op.drop_column("created_month")
        batch_op.drop_column("area_id")
        batch_op.drop_column("channel")
        batch_op.drop_column("subcategory")

    with op.batch_alter_table("unreferred_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unreferred_signals_intake_id"))
        batch_op.drop_index("ix_unreferred_signals_created_at")

    op.drop_table("unreferred_signals")
