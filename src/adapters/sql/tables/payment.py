"""Payment tables: payments and their refunds."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import amount, key, long_text, text, timestamp, version

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
    sa.Column("refunded_amount", sa.BigInteger, nullable=False, server_default="0"),
    long_text("redirect_url", nullable=True),
    version(),
    sa.Index(None, "order_id"),
    sa.Index(None, "gateway", "reference"),
)

refunds = sa.Table(
    "refunds", metadata,
    key(),
    text("payment_id"),
    text("order_id"),
    amount("amount"),
    text("currency"),
    sa.Column("idempotency_key", sa.String, nullable=False, unique=True),
    long_text("reason"),
    text("status"),
    text("reference", nullable=True),
    text("decline_code", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "payment_id"),
)
