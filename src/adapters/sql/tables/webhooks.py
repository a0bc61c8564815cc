"""Webhook tables: subscriptions (the signing secret sealed, never in clear) and deliveries
with their log (one row per attempt). A delivery's `dedupe_key` is unique: an event delivered
again to the subscriber cannot enqueue it twice for one subscription."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
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

webhook_subscriptions = sa.Table(
    "webhook_subscriptions", metadata,
    key(),
    long_text("url"),
    json_value("event_types"),
    long_text("description"),
    long_text("secret_sealed"),
    long_text("previous_secret_sealed", nullable=True),
    timestamp("previous_secret_until", nullable=True),
    text("status"),
    text("disabled_reason", nullable=True),
    integer("consecutive_failures"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    key(),
    text("subscription_id"),
    text("event_id"),
    text("event_type"),
    timestamp("occurred_at"),
    long_text("body"),
    sa.Column("dedupe_key", sa.String, nullable=False, unique=True),
    text("replay_of", nullable=True),
    text("status"),
    integer("attempt_count"),
    integer("max_attempts"),
    timestamp("next_attempt_at"),
    integer("last_status_code", nullable=True),
    long_text("last_error", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    # The sender looks for what is due; the log is read by subscription, replays by event time.
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "subscription_id", "created_at"),
    sa.Index(None, "subscription_id", "occurred_at"),
)

webhook_attempts = sa.Table(
    "webhook_attempts", metadata,
    parent("delivery_id", "webhook_deliveries"),
    position(),
    integer("number"),
    timestamp("started_at"),
    timestamp("finished_at"),
    integer("status_code", nullable=True),
    integer("duration_ms"),
    long_text("error", nullable=True),
    long_text("response"),
)
