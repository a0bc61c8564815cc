"""Pricing tables: price rows, the per-product event sequence and price rules.

A price rule's condition and action are tagged JSON written by `adapters.sql.terms`: a column per
variant would be mostly empty and change with every new kind.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    audit,
    flag,
    integer,
    json_value,
    key,
    text,
    timestamp,
)

prices = sa.Table(
    "prices", metadata,
    key(),
    text("product_id"),
    text("sku", nullable=True),
    text("warehouse_id", nullable=True),
    text("currency"),
    amount("base_price_amount"),
    amount("sale_price_amount", nullable=True),
    timestamp("sale_starts_at", nullable=True),
    timestamp("sale_ends_at", nullable=True),
    amount("cost_price_amount", nullable=True),
    timestamp("effective_from"),
    timestamp("effective_to", nullable=True),
    flag("is_active"),
    *audit(),
    sa.Index(None, "product_id", "is_active"),
)

price_sequences = sa.Table(
    "price_sequences", metadata,
    key("product_id"),
    sa.Column("last_sequence", sa.BigInteger, nullable=False),
)

price_rules = sa.Table(
    "price_rules", metadata,
    key(),
    text("name"),
    text("rule_type"),
    json_value("condition"),
    json_value("action"),
    integer("priority"),
    timestamp("starts_at", nullable=True),
    timestamp("ends_at", nullable=True),
    flag("stop_further_rules"),
    flag("is_active"),
    *audit(),
)
