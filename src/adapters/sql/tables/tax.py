"""Tax tables: tax rules."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import audit, flag, integer, json_value, key, text, timestamp

tax_rules = sa.Table(
    "tax_rules", metadata,
    key(),
    text("name"),
    text("country_code"),
    text("region", nullable=True),
    text("postcode", nullable=True),
    text("tax_type"),
    text("rate"),  # a Decimal percentage as text: exact on every backend
    json_value("tax_classes"),
    json_value("categories"),
    text("customer_group_id", nullable=True),
    flag("is_compound"),
    flag("is_inclusive"),
    flag("applies_to_shipping"),
    integer("priority"),
    timestamp("effective_from", nullable=True),
    timestamp("effective_to", nullable=True),
    flag("is_active"),
    *audit(),
    sa.Index(None, "country_code"),
)
