"""Analytics: minimised facts (one per event read, the event id and the business key unique),
dead letters of events analytics could not read, rollup values per hour and day, the rollup
watermarks, and reconciliation alerts.

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "analytics_events",
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=True),
        sa.Column("customer_key", sa.String(), nullable=True),
        sa.Column("session_key", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(), nullable=True),
        sa.Column("carrier", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("product_id", sa.String(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("client_ip", sa.String(), nullable=True),
        sa.Column("user_agent_hash", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_analytics_events"),
        sa.UniqueConstraint("dedupe_key", name="uq_analytics_events_dedupe_key"),
    )
    op.create_index("ix_analytics_events_occurred_at_event_type", "analytics_events",
                    ["occurred_at", "event_type"])
    op.create_index("ix_analytics_events_order_id", "analytics_events", ["order_id"])
    op.create_index("ix_analytics_events_recorded_at", "analytics_events", ["recorded_at"])
    op.create_table(
        "analytics_dead_letters",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        sa.Column("aggregate_id", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_dead_letters"),
    )
    op.create_index("ix_analytics_dead_letters_failed_at", "analytics_dead_letters",
                    ["failed_at"])
    op.create_table(
        "analytics_rollups",
        sa.Column("grain", sa.String(), nullable=False),
        sa.Column("bucket", TIME, nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("dimension", sa.String(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("grain", "bucket", "metric", "dimension",
                                name="pk_analytics_rollups"),
    )
    op.create_table(
        "analytics_watermarks",
        sa.Column("grain", sa.String(), nullable=False),
        sa.Column("built_until", TIME, nullable=False),
        sa.Column("ran_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("grain", name="pk_analytics_watermarks"),
    )
    op.create_table(
        "analytics_alerts",
        sa.Column("day", TIME, nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("window_total", sa.BigInteger(), nullable=False),
        sa.Column("raised_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("day", "event_type", name="pk_analytics_alerts"),
    )


def downgrade() -> None:
    op.drop_table("analytics_alerts")
    op.drop_table("analytics_watermarks")
    op.drop_table("analytics_rollups")
    op.drop_index("ix_analytics_dead_letters_failed_at", table_name="analytics_dead_letters")
    op.drop_table("analytics_dead_letters")
    op.drop_index("ix_analytics_events_recorded_at", table_name="analytics_events")
    op.drop_index("ix_analytics_events_order_id", table_name="analytics_events")
    op.drop_index("ix_analytics_events_occurred_at_event_type", table_name="analytics_events")
    op.drop_table("analytics_events")
