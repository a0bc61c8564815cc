"""Returns tables: one row per return, its items, status history, refund breakdown and exchange
as JSON values (read and written whole with the return)."""

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
    version,
)

returns = sa.Table(
    "returns", metadata,
    key(),
    sa.Column("number", sa.String, nullable=False, unique=True),
    text("order_id"),
    text("customer_id", nullable=True),
    text("return_type"),
    text("reason"),
    long_text("description"),
    text("status"),
    text("currency"),
    json_value("items"),  # [{id, order_item_id, sku, quantity, unit_price, warehouse_id, ...}]
    json_value("refund"),  # {items, tax, shipping, promotion, ..., total} in minor units
    integer("risk_score"),
    json_value("history"),  # [{from_status, to_status, changed_by, reason, changed_at}]
    timestamp("created_at"),
    timestamp("updated_at"),
    # The order's id while the return is open, NULL after: unique, so an order has at most one
    # open return (a partial unique index both databases enforce alike).
    sa.Column("open_order_id", sa.String, nullable=True, unique=True),
    timestamp("status_changed_at", nullable=True),
    text("payment_id", nullable=True),
    text("refund_method"),
    text("return_method"),
    text("approved_by", nullable=True),
    timestamp("approved_at", nullable=True),
    text("received_by", nullable=True),
    timestamp("received_at", nullable=True),
    text("inspected_by", nullable=True),
    timestamp("inspected_at", nullable=True),
    timestamp("completed_at", nullable=True),
    timestamp("cancelled_at", nullable=True),
    long_text("close_reason", nullable=True),
    text("label_carrier", nullable=True),
    text("tracking_number", nullable=True),
    long_text("label_url", nullable=True),
    amount("label_fee_amount", nullable=True),
    long_text("label_error", nullable=True),
    json_value("exchange", nullable=True),
    text("refund_state"),
    text("refund_id", nullable=True),
    integer("refund_attempts"),
    long_text("refund_error", nullable=True),
    timestamp("retry_at", nullable=True),
    long_text("restock_error", nullable=True),
    integer("restock_attempts"),
    version(),
    sa.Index(None, "order_id"),
    sa.Index(None, "customer_id", "created_at"),
    sa.Index(None, "status", "status_changed_at"),
)
