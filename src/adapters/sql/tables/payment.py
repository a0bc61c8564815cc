"""Payment tables: payments, their ledger of transactions, and their refunds."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    key,
    long_text,
    parent,
    position,
    text,
    timestamp,
    version,
)

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
    sa.Column("captured_amount", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("capture_pending", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("capture_final", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("capture_attempts", sa.Integer, nullable=False, server_default="0"),
    timestamp("capture_retry_at", nullable=True),
    timestamp("authorized_at", nullable=True),
    sa.Column("collection_difference", sa.BigInteger, nullable=False, server_default="0"),
    version(),
    sa.Index(None, "order_id"),
    sa.Index(None, "gateway", "reference"),
    sa.Index(None, "capture_retry_at"),
    sa.Index(None, "gateway", "status", "authorized_at"),
)

# Append-only: rows are only ever inserted (PostgreSQL refuses UPDATE and DELETE by trigger).
payment_transactions = sa.Table(
    "payment_transactions", metadata,
    parent("payment_id", "payments"),
    position(),
    text("kind"),
    text("status"),
    amount("amount"),
    text("reference", nullable=True),
    text("refund_id", nullable=True),
    text("failure_code", nullable=True),
    timestamp("created_at"),
)

# One row per chargeback of the payment (rewritten when one is decided).
payment_disputes = sa.Table(
    "payment_disputes", metadata,
    parent("payment_id", "payments"),
    position(),
    text("id"),
    amount("amount"),
    long_text("reason"),
    text("status"),
    timestamp("opened_at"),
    timestamp("closed_at", nullable=True),
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

# 0023: stored value an order is paid with (ADR 0028), and what refunds gave back of it.
payment_tenders = sa.Table(
    "payment_tenders", metadata,
    key(),
    text("order_id"),
    text("checkout_id"),
    text("kind"),
    text("account_id"),
    amount("units"),
    amount("value"),
    text("currency"),
    text("status"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "order_id"),
)

payment_tender_refunds = sa.Table(
    "payment_tender_refunds", metadata,
    parent("tender_id", "payment_tenders"),
    position(),
    text("source_id"),
    amount("units"),
    amount("value"),
)
