"""Shipping method and rate quote tables."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    flag,
    integer,
    json_value,
    key,
    long_text,
    text,
    timestamp,
    version,
)

shipping_methods = sa.Table(
    "shipping_methods", metadata,
    key(),
    text("code"),
    text("name"),
    text("method_type"),
    text("currency"),
    amount("rate_amount", nullable=True),
    amount("min_order_amount", nullable=True),
    text("band_basis", nullable=True),
    json_value("bands"),
    text("carrier", nullable=True),
    text("service", nullable=True),
    integer("markup_percent"),
    amount("fallback_amount", nullable=True),
    long_text("description"),
    integer("display_order"),
    integer("estimated_days_min", nullable=True),
    integer("estimated_days_max", nullable=True),
    json_value("countries"),
    json_value("provinces"),
    integer("max_weight_g", nullable=True),
    flag("enabled"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.UniqueConstraint("code"),
)

shipping_quotes = sa.Table(
    "shipping_quotes", metadata,
    key(),
    text("cart_id"),
    text("content_key"),
    json_value("destination"),
    text("method_code"),
    text("method_name"),
    amount("amount_amount"),
    text("currency"),
    text("source"),
    timestamp("issued_at"),
    timestamp("expires_at"),
    text("carrier", nullable=True),
    text("service", nullable=True),
    integer("estimated_days_min", nullable=True),
    integer("estimated_days_max", nullable=True),
    flag("selected"),
    version(),
    sa.Index(None, "cart_id"),
)
