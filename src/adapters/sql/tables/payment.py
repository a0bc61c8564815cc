"""Payment tables."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import amount, key, text, timestamp, version

payments = sa.Table(
    "payments", metadata,
    key(),
    text("order_id"),
    amount("amount"),
    text("currency"),
    text("method"),
    text("gateway"),
    text("idempotency_key"),
    text("status"),
    text("reference", nullable=True),
    text("failure_code", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "order_id"),
)
