"""Cart tables: the cart, its lines and its coupon codes."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    integer,
    key,
    parent,
    position,
    text,
    timestamp,
    version,
)

carts = sa.Table(
    "carts", metadata,
    key(),
    text("customer_id", nullable=True),
    text("currency"),
    text("status"),
    text("order_id", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    # 0013: the SHA-256 of the guest's access token (ADR 0017).
    text("access_token_hash", nullable=True),
    # 0020: a customer's active cart, found when a guest cart merges in on sign-in.
    sa.Index(None, "customer_id", "status"),
)

cart_lines = sa.Table(
    "cart_lines", metadata,
    parent("cart_id", "carts"),
    position(),
    text("line_id"),
    text("sku"),
    text("product_id"),
    text("name"),
    integer("quantity"),
    amount("unit_price_amount"),
    text("currency"),
    text("warehouse_id", nullable=True),
    timestamp("added_at"),
)


# 0003: the coupon codes entered on the cart.
cart_coupons = sa.Table(
    "cart_coupons", metadata,
    parent("cart_id", "carts"),
    position(),
    text("code"),
)
