"""Audit tables: the hash-chained entries and the chain head (one row)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import json_value, key, text, timestamp

audit_entries = sa.Table(
    "audit_entries", metadata,
    key(),
    sa.Column("sequence", sa.BigInteger, nullable=False, unique=True),
    timestamp("occurred_at"),
    text("actor_kind"),
    text("actor_id", nullable=True),
    json_value("actor_roles"),
    text("action"),
    text("entity_type", nullable=True),
    text("entity_id", nullable=True),
    json_value("before", nullable=True),
    json_value("after", nullable=True),
    text("severity"),
    text("ip", nullable=True),
    text("session_id", nullable=True),
    text("request_id", nullable=True),
    text("prev_hash"),
    text("hash"),
    # The list filters: by actor, by action, by entity, by time.
    sa.Index(None, "actor_id", "sequence"),
    sa.Index(None, "action", "sequence"),
    sa.Index(None, "entity_type", "entity_id", "sequence"),
    sa.Index(None, "occurred_at"),
)

# One row (id 1), inserted by the migration: appends lock it, so they serialise.
audit_head = sa.Table(
    "audit_head", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    text("hash"),
    text("entry_id", nullable=True),
)
