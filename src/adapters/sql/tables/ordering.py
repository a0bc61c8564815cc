"""Ordering tables: the order, its lines and their warehouse parts, and its status history."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
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

orders = sa.Table(
    "orders", metadata,
    key(),
    text("number"),
    sa.Column("checkout_id", sa.String, nullable=False, unique=True),
    text("cart_id"),
    text("customer_id", nullable=True),
    text("email", nullable=True),
    text("status"),
    text("currency"),
    amount("subtotal_amount"),
    amount("discount_amount"),
    amount("shipping_amount"),
    amount("tax_amount"),
    amount("total_amount"),
    text("payment_method"),
    text("payment_id", nullable=True),
    long_text("cancel_reason", nullable=True),
    json_value("ship_to", nullable=True),
    text("shipping_method", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "number"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "status"),
    sa.Index(None, "created_at", "id"),
)

order_lines = sa.Table(
    "order_lines", metadata,
    parent("order_id", "orders"),
    position(),
    text("line_id"),
    text("sku"),
    text("product_id"),
    text("name"),
    integer("quantity"),
    amount("unit_price_amount"),
    amount("line_total_amount"),
    text("currency"),
    text("warehouse_id"),
    text("reservation_id"),
)

order_line_allocations = sa.Table(
    "order_line_allocations", metadata,
    parent("order_id", "orders"),
    position(),
    text("line_id"),
    text("warehouse_id"),
    text("reservation_id"),
    integer("quantity"),
)

order_status_history = sa.Table(
    "order_status_history", metadata,
    parent("order_id", "orders"),
    position(),
    text("from_status", nullable=True),
    text("to_status"),
    long_text("reason"),
    text("changed_by"),
    timestamp("changed_at"),
)
