"""Catalog tables: products with their variants and category links, and categories."""

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

products = sa.Table(
    "products", metadata,
    key(),
    sa.Column("slug", sa.String, nullable=False, unique=True),
    text("name"),
    long_text("description"),
    text("status"),
    json_value("attributes"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "created_at", "id"),
)

product_variants = sa.Table(
    "product_variants", metadata,
    parent("product_id", "products"),
    position(),
    sa.Column("sku", sa.String, nullable=False, unique=True),
    text("name"),
    amount("price_amount"),
    text("currency"),
    json_value("attributes"),
    integer("weight_grams"),
)

product_categories = sa.Table(
    "product_categories", metadata,
    parent("product_id", "products"),
    position(),
    text("category_id"),
    sa.Index(None, "category_id"),
)

categories = sa.Table(
    "categories", metadata,
    key(),
    sa.Column("slug", sa.String, nullable=False, unique=True),
    text("name"),
    text("parent_id", nullable=True),
    timestamp("created_at"),
    version(),
)
