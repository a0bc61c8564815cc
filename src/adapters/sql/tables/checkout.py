"""Checkout tables: the saga, its priced lines and the reservations it holds."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    counter,
    integer,
    key,
    long_text,
    parent,
    position,
    text,
    timestamp,
    version,
)

checkouts = sa.Table(
    "checkouts", metadata,
    key(),
    sa.Column("idempotency_key", sa.String, nullable=False, unique=True),
    text("request_hash"),
    text("cart_id"),
    text("customer_id", nullable=True),
    text("email", nullable=True),
    text("payment_method"),
    text("currency"),
    amount("total_amount"),
    text("step"),
    text("status"),
    text("order_id", nullable=True),
    text("payment_id", nullable=True),
    text("failure_code", nullable=True),
    long_text("failure_message", nullable=True),
    timestamp("lease_until"),
    timestamp("created_at"),
    timestamp("updated_at"),
    text("client_ip", nullable=True),
    text("payment_token", nullable=True),
    version(),
    sa.Index(None, "status", "lease_until"),
    # 0023: what stored value (gift cards, store credit, points) pays of the total.
    counter("stored_value"),
)

checkout_lines = sa.Table(
    "checkout_lines", metadata,
    parent("checkout_id", "checkouts"),
    position(),
    text("sku"),
    text("product_id"),
    text("name"),
    integer("quantity"),
    amount("unit_price_amount"),
    text("currency"),
    text("warehouse_id", nullable=True),
)

checkout_reservations = sa.Table(
    "checkout_reservations", metadata,
    parent("checkout_id", "checkouts"),
    position(),
    text("reservation_id"),
)
