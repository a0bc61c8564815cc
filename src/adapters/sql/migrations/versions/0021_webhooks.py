"""Outbound webhooks: subscriptions (secret sealed), deliveries (dedupe key unique) and their
attempt log.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        _text("id"), _long("url"), _long("event_types"), _long("description"),
        _long("secret_sealed"), _long("previous_secret_sealed", nullable=True),
        _time("previous_secret_until", nullable=True), _text("status"),
        _text("disabled_reason", nullable=True), _int("consecutive_failures"),
        _time("created_at"), _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
    )
    op.create_table(
        "webhook_deliveries",
        _text("id"), _text("subscription_id"), _text("event_id"), _text("event_type"),
        _time("occurred_at"), _long("body"), _text("dedupe_key"),
        _text("replay_of", nullable=True), _text("status"), _int("attempt_count"),
        _int("max_attempts"), _time("next_attempt_at"),
        _int("last_status_code", nullable=True), _long("last_error", nullable=True),
        _time("created_at"), _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("dedupe_key", name="uq_webhook_deliveries_dedupe_key"),
    )
    op.create_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_subscription_id_created_at", "webhook_deliveries",
                    ["subscription_id", "created_at"])
    op.create_index("ix_webhook_deliveries_subscription_id_occurred_at", "webhook_deliveries",
                    ["subscription_id", "occurred_at"])
    op.create_table(
        "webhook_attempts",
        _text("delivery_id"), _int("position"), _int("number"), _time("started_at"),
        _time("finished_at"), _int("status_code", nullable=True), _int("duration_ms"),
        _long("error", nullable=True), _long("response"),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"], ondelete="CASCADE",
                                name="fk_webhook_attempts_delivery_id_webhook_deliveries"),
        sa.PrimaryKeyConstraint("delivery_id", "position", name="pk_webhook_attempts"),
    )


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    for index in ("subscription_id_occurred_at", "subscription_id_created_at",
                  "status_next_attempt_at"):
        op.drop_index(f"ix_webhook_deliveries_{index}", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
