"""Promotion tables: campaigns, promotions, coupons and the usage ledger with its per-customer
counters.

The polymorphic parts of a promotion (its benefit, scope and condition tree) are tagged JSON
written by `adapters.sql.terms`. Usage counters and budget spent are columns beside the rows they
count, moved only by the usage ledger's conditional UPDATEs; aggregate saves never write them.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    audit,
    counter,
    flag,
    integer,
    json_value,
    key,
    long_text,
    text,
    timestamp,
)

campaigns = sa.Table(
    "campaigns", metadata,
    key(),
    text("name"),
    text("campaign_type"),
    long_text("description"),
    timestamp("starts_at"),
    timestamp("ends_at", nullable=True),
    amount("budget_limit_amount", nullable=True),
    text("budget_currency", nullable=True),
    counter("budget_used_amount"),
    integer("priority"),
    json_value("target_segments"),
    text("created_by", nullable=True),
    flag("is_active"),
    *audit(),
)

promotions = sa.Table(
    "promotions", metadata,
    key(),
    text("campaign_id", nullable=True),
    text("name"),
    long_text("description"),
    text("rule_kind"),
    text("discount_type"),
    json_value("benefit"),
    json_value("scope"),
    json_value("conditions", nullable=True),
    amount("minimum_order_amount", nullable=True),
    amount("maximum_discount_amount", nullable=True),
    text("limits_currency", nullable=True),
    json_value("customer_segments"),
    integer("usage_limit_per_customer", nullable=True),
    integer("total_usage_limit", nullable=True),
    counter("current_usage_count"),
    flag("is_stackable"),
    flag("requires_coupon"),
    flag("stop_rules_processing"),
    integer("priority"),
    timestamp("starts_at", nullable=True),
    timestamp("ends_at", nullable=True),
    flag("is_active"),
    *audit(),
    sa.Index(None, "is_active"),
    sa.Index(None, "campaign_id"),
)

promotion_customer_usage = sa.Table(
    "promotion_customer_usage", metadata,
    key("promotion_id"),
    key("customer_id"),
    sa.Column("uses", sa.Integer, nullable=False),
)

coupons = sa.Table(
    "coupons", metadata,
    key(),
    text("promotion_id"),
    sa.Column("code", sa.String, nullable=False, unique=True),
    text("coupon_type"),
    integer("usage_limit", nullable=True),
    integer("usage_limit_per_customer", nullable=True),
    counter("usage_count"),
    text("customer_id", nullable=True),
    json_value("customer_segments"),
    amount("minimum_order_amount", nullable=True),
    text("minimum_order_currency", nullable=True),
    flag("first_order_only"),
    timestamp("starts_at", nullable=True),
    timestamp("expires_at", nullable=True),
    text("batch_id", nullable=True),
    flag("is_active"),
    *audit(),
    sa.Index(None, "promotion_id"),
)

coupon_customer_usage = sa.Table(
    "coupon_customer_usage", metadata,
    key("coupon_id"),
    key("customer_id"),
    sa.Column("uses", sa.Integer, nullable=False),
)

promotion_usages = sa.Table(
    "promotion_usages", metadata,
    key(),
    text("promotion_id"),
    text("order_id"),
    text("coupon_id", nullable=True),
    text("campaign_id", nullable=True),
    text("customer_id", nullable=True),
    text("status"),
    text("currency"),
    amount("discount_amount"),
    amount("original_amount"),
    amount("final_amount"),
    timestamp("used_at"),
    timestamp("updated_at", nullable=True),
    sa.UniqueConstraint("promotion_id", "order_id"),
    sa.Index(None, "order_id", "status"),
)
