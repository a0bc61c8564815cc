"""Pricing, promotion and tax: price rows and their event sequence, price rules, campaigns,
promotions, coupons with per-customer counters, promotion usages, tax rules, and the coupon
codes a cart carries. Every catalog variant gets its SKU-level price row, so carts and checkouts
that price through the engine find the list prices the catalog had.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, like 0001 and 0002, so it stays what it is when later revisions change tables.
TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _amount(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _json(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, TIME, nullable=nullable)


def _audit() -> list[sa.Column[Any]]:
    return [_time("created_at"), _time("updated_at"), _int("version")]


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "prices",
        _text("id"), _text("product_id"), _text("sku", nullable=True),
        _text("warehouse_id", nullable=True), _text("currency"), _amount("base_price_amount"),
        _amount("sale_price_amount", nullable=True), _time("sale_starts_at", nullable=True),
        _time("sale_ends_at", nullable=True), _amount("cost_price_amount", nullable=True),
        _time("effective_from"), _time("effective_to", nullable=True), _flag("is_active"),
        *_audit(), _pk("prices", "id"),
    )
    op.create_index("ix_prices_product_id_is_active", "prices", ["product_id", "is_active"])
    op.create_table(
        "price_sequences",
        _text("product_id"), sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        _pk("price_sequences", "product_id"),
    )
    op.create_table(
        "price_rules",
        _text("id"), _text("name"), _text("rule_type"), _json("condition"), _json("action"),
        _int("priority"), _time("starts_at", nullable=True), _time("ends_at", nullable=True),
        _flag("stop_further_rules"), _flag("is_active"), *_audit(), _pk("price_rules", "id"),
    )
    op.create_table(
        "campaigns",
        _text("id"), _text("name"), _text("campaign_type"),
        sa.Column("description", sa.Text(), nullable=False), _time("starts_at"),
        _time("ends_at", nullable=True), _amount("budget_limit_amount", nullable=True),
        _text("budget_currency", nullable=True), _counter("budget_used_amount"),
        _int("priority"), _json("target_segments"), _text("created_by", nullable=True),
        _flag("is_active"), *_audit(), _pk("campaigns", "id"),
    )
    op.create_table(
        "promotions",
        _text("id"), _text("campaign_id", nullable=True), _text("name"),
        sa.Column("description", sa.Text(), nullable=False), _text("rule_kind"),
        _text("discount_type"), _json("benefit"), _json("scope"),
        _json("conditions", nullable=True), _amount("minimum_order_amount", nullable=True),
        _amount("maximum_discount_amount", nullable=True),
        _text("limits_currency", nullable=True), _json("customer_segments"),
        _int("usage_limit_per_customer", nullable=True),
        _int("total_usage_limit", nullable=True), _counter("current_usage_count"),
        _flag("is_stackable"), _flag("requires_coupon"), _flag("stop_rules_processing"),
        _int("priority"), _time("starts_at", nullable=True), _time("ends_at", nullable=True),
        _flag("is_active"), *_audit(), _pk("promotions", "id"),
    )
    op.create_index("ix_promotions_is_active", "promotions", ["is_active"])
    op.create_index("ix_promotions_campaign_id", "promotions", ["campaign_id"])
    op.create_table(
        "promotion_customer_usage",
        _text("promotion_id"), _text("customer_id"), _int("uses"),
        _pk("promotion_customer_usage", "promotion_id", "customer_id"),
    )
    op.create_table(
        "coupons",
        _text("id"), _text("promotion_id"), _text("code"), _text("coupon_type"),
        _int("usage_limit", nullable=True), _int("usage_limit_per_customer", nullable=True),
        _counter("usage_count"), _text("customer_id", nullable=True),
        _json("customer_segments"), _amount("minimum_order_amount", nullable=True),
        _text("minimum_order_currency", nullable=True), _flag("first_order_only"),
        _time("starts_at", nullable=True), _time("expires_at", nullable=True),
        _text("batch_id", nullable=True), _flag("is_active"), *_audit(),
        _pk("coupons", "id"), sa.UniqueConstraint("code", name="uq_coupons_code"),
    )
    op.create_index("ix_coupons_promotion_id", "coupons", ["promotion_id"])
    op.create_table(
        "coupon_customer_usage",
        _text("coupon_id"), _text("customer_id"), _int("uses"),
        _pk("coupon_customer_usage", "coupon_id", "customer_id"),
    )
    op.create_table(
        "promotion_usages",
        _text("id"), _text("promotion_id"), _text("order_id"), _text("coupon_id", nullable=True),
        _text("campaign_id", nullable=True), _text("customer_id", nullable=True),
        _text("status"), _text("currency"), _amount("discount_amount"),
        _amount("original_amount"), _amount("final_amount"), _time("used_at"),
        _time("updated_at", nullable=True), _pk("promotion_usages", "id"),
        sa.UniqueConstraint("promotion_id", "order_id",
                            name="uq_promotion_usages_promotion_id_order_id"),
    )
    op.create_index("ix_promotion_usages_order_id_status", "promotion_usages",
                    ["order_id", "status"])
    op.create_table(
        "tax_rules",
        _text("id"), _text("name"), _text("country_code"), _text("region", nullable=True),
        _text("postcode", nullable=True), _text("tax_type"), _text("rate"),
        _json("tax_classes"), _json("categories"), _text("customer_group_id", nullable=True),
        _flag("is_compound"), _flag("is_inclusive"), _flag("applies_to_shipping"),
        _int("priority"), _time("effective_from", nullable=True),
        _time("effective_to", nullable=True), _flag("is_active"), *_audit(),
        _pk("tax_rules", "id"),
    )
    op.create_index("ix_tax_rules_country_code", "tax_rules", ["country_code"])
    op.create_table(
        "cart_coupons",
        _text("cart_id"), _int("position"), _text("code"),
        _pk("cart_coupons", "cart_id", "position"),
        sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE",
                                name="fk_cart_coupons_cart_id_carts"),
    )
    _backfill_list_prices()


def _backfill_list_prices() -> None:
    """One active SKU-level row per catalog variant, effective from now, event sequence 1."""
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # the adapter keeps naive UTC text on SQLite
    variants = connection.execute(sa.text(
        "SELECT product_id, sku, price_amount, currency FROM product_variants "
        "ORDER BY product_id, position")).all()
    if not variants:
        return
    prices = sa.table(
        "prices", *(sa.column(name) for name in (
            "id", "product_id", "sku", "warehouse_id", "currency", "base_price_amount",
            "is_active", "version")),
        *(sa.column(name, TIME) for name in ("effective_from", "created_at", "updated_at")))
    connection.execute(prices.insert(), [
        {"id": str(uuid.uuid4()), "product_id": v.product_id, "sku": v.sku,
         "warehouse_id": None, "currency": v.currency, "base_price_amount": v.price_amount,
         "effective_from": now, "is_active": True, "created_at": now, "updated_at": now,
         "version": 0}
        for v in variants if v.price_amount > 0
    ])
    sequences = sa.table("price_sequences", sa.column("product_id"),
                         sa.column("last_sequence"))
    connection.execute(sequences.insert(), [
        {"product_id": product_id, "last_sequence": 1}
        for product_id in sorted({v.product_id for v in variants})
    ])


def downgrade() -> None:
    for table in ("cart_coupons", "tax_rules", "promotion_usages", "coupon_customer_usage",
                  "coupons", "promotion_customer_usage", "promotions", "campaigns",
                  "price_rules", "price_sequences", "prices"):
        op.drop_table(table)
