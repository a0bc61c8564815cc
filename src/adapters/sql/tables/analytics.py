"""Analytics tables: minimised facts (one per event read; the event id and the business key
unique, which is the dedupe), dead letters, rollup values per bucket, the rollup watermarks and
reconciliation alerts. Nothing here names or addresses a person."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    integer,
    json_value,
    key,
    long_text,
    text,
    timestamp,
)

analytics_events = sa.Table(
    "analytics_events", metadata,
    key("event_id"),
    text("event_type"),
    timestamp("occurred_at"),
    timestamp("recorded_at"),
    sa.Column("dedupe_key", sa.String, nullable=False, unique=True),
    text("subject_id"),
    text("order_id", nullable=True),
    text("customer_key", nullable=True),
    text("session_key", nullable=True),
    text("status", nullable=True),
    amount("amount", nullable=True),
    text("currency", nullable=True),
    text("carrier", nullable=True),
    text("reason", nullable=True),
    text("product_id", nullable=True),
    integer("quantity", nullable=True),
    text("client_ip", nullable=True),
    text("user_agent_hash", nullable=True),
    # Reports read by period and type, or every fact of some orders; rollups look for late
    # arrivals by when they were recorded.
    sa.Index(None, "occurred_at", "event_type"),
    sa.Index(None, "order_id"),
    sa.Index(None, "recorded_at"),
)

analytics_dead_letters = sa.Table(
    "analytics_dead_letters", metadata,
    key(),
    text("event_id"),
    text("event_type"),
    integer("version"),
    timestamp("occurred_at"),
    text("aggregate_id"),
    json_value("payload"),
    long_text("error"),
    timestamp("failed_at"),
    sa.Index(None, "failed_at"),
)

analytics_rollups = sa.Table(
    "analytics_rollups", metadata,
    sa.Column("grain", sa.String, primary_key=True),
    sa.Column("bucket", timestamp("bucket").type, primary_key=True),
    sa.Column("metric", sa.String, primary_key=True),
    sa.Column("dimension", sa.String, primary_key=True),
    amount("value"),
)

analytics_watermarks = sa.Table(
    "analytics_watermarks", metadata,
    key("grain"),
    timestamp("built_until"),
    timestamp("ran_at"),
)

analytics_alerts = sa.Table(
    "analytics_alerts", metadata,
    sa.Column("day", timestamp("day").type, primary_key=True),
    sa.Column("event_type", sa.String, primary_key=True),
    amount("count"),
    amount("window_total"),
    timestamp("raised_at"),
)
