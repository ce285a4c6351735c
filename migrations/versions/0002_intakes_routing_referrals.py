"""intakes routing referrals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_counters")),
    )
    # The referral feed's counter starts at 0 (app/referrals/feed.py also creates it if missing).
    op.execute("INSERT INTO feed_counters (name, value) VALUES ('referrals', 0)")
    op.create_table(
        "intakes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("postcode", sa.String(length=7), nullable=True),
        sa.Column("pc4", sa.String(length=4), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("resident_name", sa.String(length=200), nullable=True),
        sa.Column("resident_phone", sa.String(length=32), nullable=True),
        sa.Column("resident_email", sa.String(length=254), nullable=True),
        sa.Column("resident_address", sa.String(length=300), nullable=True),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("domains_source", sa.String(length=16), nullable=False),
        sa.Column("classification", sa.JSON(), nullable=False),
        sa.Column("classifier_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", app.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_intakes_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intakes_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intakes_pc4"), ["pc4"], unique=False)
        batch_op.create_index(batch_op.f("ix_intakes_status"), ["status"], unique=False)

    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("pc4", sa.String(length=4), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_routing_rules_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index("ix_routing_rules_domain_pc4", ["domain", "pc4"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_routing_rules_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("routed_by", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("forwarded_from_id", sa.Uuid(), nullable=True),
        sa.Column("forwarded_to_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("feed_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", app.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["forwarded_from_id"],
            ["referrals.id"],
            name=op.f("fk_referrals_forwarded_from_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["forwarded_to_id"],
            ["referrals.id"],
            name=op.f("fk_referrals_forwarded_to_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_referrals_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referrals_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("feed_seq", name=op.f("uq_referrals_feed_seq")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_intake_id"), ["intake_id"], unique=False)
        batch_op.create_index(
            "ix_referrals_organisation_id_feed_seq", ["organisation_id", "feed_seq"], unique=False
        )
        batch_op.create_index(
            "ix_referrals_organisation_id_status_feed_seq",
            ["organisation_id", "status", "feed_seq"],
            unique=False,
        )

    op.create_table(
        "referral_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("feed_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referral_events_actor_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_events_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_events_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_events_referral_id"))

    op.drop_table("referral_events")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_organisation_id_status_feed_seq")
        batch_op.drop_index("ix_referrals_organisation_id_feed_seq")
        batch_op.drop_index(batch_op.f("ix_referrals_intake_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rules_organisation_id"))
        batch_op.drop_index("ix_routing_rules_domain_pc4")

    op.drop_table("routing_rules")
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intakes_status"))
        batch_op.drop_index(batch_op.f("ix_intakes_pc4"))
        batch_op.drop_index(batch_op.f("ix_intakes_organisation_id"))

    op.drop_table("intakes")
    op.drop_table("feed_counters")
