"""Notification tables: each message with its delivery log (one row per attempt), and each
recipient's preferences. The correlation id is unique: a business event delivered again cannot
create a message twice."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    flag,
    integer,
    json_value,
    key,
    long_text,
    parent,
    position,
    text,
    timestamp,
    version,
)

notifications = sa.Table(
    "notifications", metadata,
    key(),
    sa.Column("correlation_id", sa.String, nullable=False, unique=True),
    text("recipient_id"),
    text("channel"),
    text("category"),
    text("template_id"),
    text("locale"),
    json_value("data"),  # the template's variables, as rendered
    text("address", nullable=True),
    text("subject"),
    long_text("text"),
    long_text("html"),
    text("status"),
    timestamp("scheduled_at"),
    timestamp("expires_at", nullable=True),
    text("source_event_id", nullable=True),
    text("source_event_type", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    integer("attempt_count"),
    integer("max_attempts"),
    timestamp("next_retry_at", nullable=True),
    text("provider", nullable=True),
    text("provider_message_id", nullable=True),
    text("error", nullable=True),
    timestamp("sent_at", nullable=True),
    timestamp("delivered_at", nullable=True),
    # Secret variables (a one-time link), Fernet-sealed until sent, then "" (migration 0020).
    long_text("sealed_data", nullable=True),
    version(),
    # The sender looks for what is due; callbacks by the provider's id; the admin by recipient.
    sa.Index(None, "status", "scheduled_at"),
    sa.Index(None, "provider", "provider_message_id"),
    sa.Index(None, "recipient_id", "created_at"),
)

notification_attempts = sa.Table(
    "notification_attempts", metadata,
    parent("notification_id", "notifications"),
    position(),
    integer("number"),
    text("provider"),
    text("status"),
    flag("permanent"),
    text("error_code", nullable=True),
    long_text("response"),
    text("provider_message_id", nullable=True),
    timestamp("started_at"),
    timestamp("finished_at"),
)

notification_preferences = sa.Table(
    "notification_preferences", metadata,
    key(),
    flag("unsubscribed"),
    flag("email"),
    flag("sms"),
    flag("push"),
    flag("transactional"),
    flag("email_marketing"),
    flag("sms_marketing"),
    flag("push_marketing"),
    text("quiet_start"),
    text("quiet_end"),
    text("timezone"),
    integer("max_per_day"),
    text("locale"),
    version(),
)
