"""Notification: messages (correlation id unique), their delivery log, recipients' preferences.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "notifications",
        _text("id"), _text("correlation_id"), _text("recipient_id"), _text("channel"),
        _text("category"), _text("template_id"), _text("locale"), _long("data"),
        _text("address", nullable=True), _text("subject"), _long("text"), _long("html"),
        _text("status"), _time("scheduled_at"), _time("expires_at", nullable=True),
        _text("source_event_id", nullable=True), _text("source_event_type", nullable=True),
        _time("created_at"), _time("updated_at"), _int("attempt_count"), _int("max_attempts"),
        _time("next_retry_at", nullable=True), _text("provider", nullable=True),
        _text("provider_message_id", nullable=True), _text("error", nullable=True),
        _time("sent_at", nullable=True), _time("delivered_at", nullable=True),
        _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("correlation_id", name="uq_notifications_correlation_id"),
    )
    op.create_index("ix_notifications_status_scheduled_at", "notifications",
                    ["status", "scheduled_at"])
    op.create_index("ix_notifications_provider_provider_message_id", "notifications",
                    ["provider", "provider_message_id"])
    op.create_index("ix_notifications_recipient_id_created_at", "notifications",
                    ["recipient_id", "created_at"])
    op.create_table(
        "notification_attempts",
        _text("notification_id"), _int("position"), _int("number"), _text("provider"),
        _text("status"), _flag("permanent"), _text("error_code", nullable=True),
        _long("response"), _text("provider_message_id", nullable=True),
        _time("started_at"), _time("finished_at"),
        sa.ForeignKeyConstraint(["notification_id"], ["notifications.id"], ondelete="CASCADE",
                                name="fk_notification_attempts_notification_id_notifications"),
        sa.PrimaryKeyConstraint("notification_id", "position",
                                name="pk_notification_attempts"),
    )
    op.create_table(
        "notification_preferences",
        _text("id"), _flag("unsubscribed"), _flag("email"), _flag("sms"), _flag("push"),
        _flag("transactional"), _flag("email_marketing"), _flag("sms_marketing"),
        _flag("push_marketing"), _text("quiet_start"), _text("quiet_end"), _text("timezone"),
        _int("max_per_day"), _text("locale"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_notification_preferences"),
    )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_table("notification_attempts")
    for index in ("recipient_id_created_at", "provider_provider_message_id",
                  "status_scheduled_at"):
        op.drop_index(f"ix_notifications_{index}", table_name="notifications")
    op.drop_table("notifications")
