"""Tables of pricing, promotion and tax (and the cart's coupon codes), on the shared `metadata`.

Scalar fields are columns; the polymorphic parts of a definition (a promotion's benefit, scope
and condition tree, a price rule's condition and action) are tagged JSON written by
`adapters.sql.terms`, because a column per variant would be mostly empty and change with every
new benefit kind. Usage counters and budget spent are columns beside the rows they count, moved
only by the usage ledger's conditional UPDATEs; aggregate saves never write them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.columns import JsonText, UtcDateTime
from adapters.sql.tables import metadata


def _id(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=nullable)


def _amount(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=nullable)


def _counter(name: str) -> sa.Column[int]:
    """Starts at 0 when the row is inserted; only the usage ledger moves it."""
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False)


def _json(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, JsonText, nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, UtcDateTime, nullable=nullable)


def _audit() -> list[sa.Column[Any]]:
    return [_time("created_at"), _time("updated_at"), _int("version")]


# -- pricing ------------------------------------------------------------------------------------
prices = sa.Table(
    "prices", metadata,
    _id(),
    _text("product_id"),
    _text("sku", nullable=True),
    _text("warehouse_id", nullable=True),
    _text("currency"),
    _amount("base_price_amount"),
    _amount("sale_price_amount", nullable=True),
    _time("sale_starts_at", nullable=True),
    _time("sale_ends_at", nullable=True),
    _amount("cost_price_amount", nullable=True),
    _time("effective_from"),
    _time("effective_to", nullable=True),
    _flag("is_active"),
    *_audit(),
    sa.Index(None, "product_id", "is_active"),
)

price_sequences = sa.Table(
    "price_sequences", metadata,
    _id("product_id"),
    sa.Column("last_sequence", sa.BigInteger, nullable=False),
)

price_rules = sa.Table(
    "price_rules", metadata,
    _id(),
    _text("name"),
    _text("rule_type"),
    _json("condition"),
    _json("action"),
    _int("priority"),
    _time("starts_at", nullable=True),
    _time("ends_at", nullable=True),
    _flag("stop_further_rules"),
    _flag("is_active"),
    *_audit(),
)

# -- promotion ----------------------------------------------------------------------------------
campaigns = sa.Table(
    "campaigns", metadata,
    _id(),
    _text("name"),
    _text("campaign_type"),
    sa.Column("description", sa.Text, nullable=False),
    _time("starts_at"),
    _time("ends_at", nullable=True),
    _amount("budget_limit_amount", nullable=True),
    _text("budget_currency", nullable=True),
    _counter("budget_used_amount"),
    _int("priority"),
    _json("target_segments"),
    _text("created_by", nullable=True),
    _flag("is_active"),
    *_audit(),
)

promotions = sa.Table(
    "promotions", metadata,
    _id(),
    _text("campaign_id", nullable=True),
    _text("name"),
    sa.Column("description", sa.Text, nullable=False),
    _text("rule_kind"),
    _text("discount_type"),
    _json("benefit"),
    _json("scope"),
    _json("conditions", nullable=True),
    _amount("minimum_order_amount", nullable=True),
    _amount("maximum_discount_amount", nullable=True),
    _text("limits_currency", nullable=True),
    _json("customer_segments"),
    _int("usage_limit_per_customer", nullable=True),
    _int("total_usage_limit", nullable=True),
    _counter("current_usage_count"),
    _flag("is_stackable"),
    _flag("requires_coupon"),
    _flag("stop_rules_processing"),
    _int("priority"),
    _time("starts_at", nullable=True),
    _time("ends_at", nullable=True),
    _flag("is_active"),
    *_audit(),
    sa.Index(None, "is_active"),
    sa.Index(None, "campaign_id"),
)

promotion_customer_usage = sa.Table(
    "promotion_customer_usage", metadata,
    _id("promotion_id"),
    _id("customer_id"),
    sa.Column("uses", sa.Integer, nullable=False),
)

coupons = sa.Table(
    "coupons", metadata,
    _id(),
    _text("promotion_id"),
    sa.Column("code", sa.String, nullable=False, unique=True),
    _text("coupon_type"),
    _int("usage_limit", nullable=True),
    _int("usage_limit_per_customer", nullable=True),
    _counter("usage_count"),
    _text("customer_id", nullable=True),
    _json("customer_segments"),
    _amount("minimum_order_amount", nullable=True),
    _text("minimum_order_currency", nullable=True),
    _flag("first_order_only"),
    _time("starts_at", nullable=True),
    _time("expires_at", nullable=True),
    _text("batch_id", nullable=True),
    _flag("is_active"),
    *_audit(),
    sa.Index(None, "promotion_id"),
)

coupon_customer_usage = sa.Table(
    "coupon_customer_usage", metadata,
    _id("coupon_id"),
    _id("customer_id"),
    sa.Column("uses", sa.Integer, nullable=False),
)

promotion_usages = sa.Table(
    "promotion_usages", metadata,
    _id(),
    _text("promotion_id"),
    _text("order_id"),
    _text("coupon_id", nullable=True),
    _text("campaign_id", nullable=True),
    _text("customer_id", nullable=True),
    _text("status"),
    _text("currency"),
    _amount("discount_amount"),
    _amount("original_amount"),
    _amount("final_amount"),
    _time("used_at"),
    _time("updated_at", nullable=True),
    sa.UniqueConstraint("promotion_id", "order_id"),
    sa.Index(None, "order_id", "status"),
)

# -- tax ----------------------------------------------------------------------------------------
tax_rules = sa.Table(
    "tax_rules", metadata,
    _id(),
    _text("name"),
    _text("country_code"),
    _text("region", nullable=True),
    _text("postcode", nullable=True),
    _text("tax_type"),
    _text("rate"),  # a Decimal percentage as text: exact on every backend
    _json("tax_classes"),
    _json("categories"),
    _text("customer_group_id", nullable=True),
    _flag("is_compound"),
    _flag("is_inclusive"),
    _flag("applies_to_shipping"),
    _int("priority"),
    _time("effective_from", nullable=True),
    _time("effective_to", nullable=True),
    _flag("is_active"),
    *_audit(),
    sa.Index(None, "country_code"),
)

# -- cart coupon codes --------------------------------------------------------------------------
cart_coupons = sa.Table(
    "cart_coupons", metadata,
    sa.Column("cart_id", sa.String, sa.ForeignKey("carts.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    _text("code"),
)
