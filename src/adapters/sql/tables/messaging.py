"""Messaging tables: the outbox and the inbox."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import integer, json_value, key, long_text, text, timestamp

OUTBOX_STATUSES = ("pending", "published", "failed")

outbox = sa.Table(
    "outbox", metadata,
    key(),
    # Commit order for the relay. PostgreSQL numbers rows itself; SQLite cannot autoincrement a
    # column outside the primary key, so the adapter numbers them under its write lock.
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    text("type"),
    integer("version"),
    text("aggregate_id"),
    timestamp("occurred_at"),
    text("correlation_id", nullable=True),
    text("causation_id", nullable=True),
    json_value("payload"),
    text("status"),
    integer("attempts"),
    long_text("last_error", nullable=True),
    timestamp("due_at", nullable=True),
    timestamp("created_at"),
    timestamp("published_at", nullable=True),
    sa.CheckConstraint("status IN ('pending', 'published', 'failed')", name="status"),
    sa.Index(None, "status", "seq"),
)

inbox = sa.Table(
    "inbox", metadata,
    sa.Column("consumer", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    timestamp("processed_at"),
)
