"""Initial schema: catalog, inventory, cart, checkout, ordering, payment, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than derived from `tables.py`, so this revision stays what it was when later
# revisions change the tables; a test compares the migrated schema with `tables.metadata`. Check
# constraint names are final (`op.f`), or the naming convention would prefix them a second time.
TIME = sa.DateTime(timezone=True)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _child_keys(table: str, parent: str, parents: str) -> list[sa.Constraint]:
    return [
        sa.PrimaryKeyConstraint(parent, "position", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(
            [parent], [f"{parents}.id"], ondelete="CASCADE",
            name=f"fk_{table}_{parent}_{parents}",
        ),
    ]


def upgrade() -> None:
    # -- catalog --------------------------------------------------------------------------------
    op.create_table(
        "products",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("slug", name="uq_products_slug"),
    )
    op.create_index("ix_products_created_at_id", "products", ["created_at", "id"])

    op.create_table(
        "product_variants",
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        *_child_keys("product_variants", "product_id", "products"),
        sa.UniqueConstraint("sku", name="uq_product_variants_sku"),
    )

    op.create_table(
        "product_categories",
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.String(), nullable=False),
        *_child_keys("product_categories", "product_id", "products"),
    )
    op.create_index(
        "ix_product_categories_category_id", "product_categories", ["category_id"]
    )

    op.create_table(
        "categories",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
        sa.UniqueConstraint("slug", name="uq_categories_slug"),
    )

    # -- inventory ------------------------------------------------------------------------------
    op.create_table(
        "warehouses",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_warehouses"),
        sa.UniqueConstraint("code", name="uq_warehouses_code"),
    )

    op.create_table(
        "stock_levels",
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("warehouse_id", sa.String(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sku", "warehouse_id", name="pk_stock_levels"),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.CheckConstraint(
            "reserved <= on_hand", name=op.f("ck_stock_levels_reserved_within_on_hand")
        ),
    )

    op.create_table(
        "reservations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("warehouse_id", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilled", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=True),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_reservations"),
    )
    op.create_index("ix_reservations_reference", "reservations", ["reference"])
    op.create_index("ix_reservations_order_id", "reservations", ["order_id"])
    op.create_index(
        "ix_reservations_status_expires_at", "reservations", ["status", "expires_at"]
    )
    op.create_index("ix_reservations_created_at_id", "reservations", ["created_at", "id"])

    # -- cart -----------------------------------------------------------------------------------
    op.create_table(
        "carts",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_carts"),
    )

    op.create_table(
        "cart_lines",
        sa.Column("cart_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("warehouse_id", sa.String(), nullable=True),
        sa.Column("added_at", TIME, nullable=False),
        *_child_keys("cart_lines", "cart_id", "carts"),
    )

    # -- checkout -------------------------------------------------------------------------------
    op.create_table(
        "checkouts",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("request_hash", sa.String(), nullable=False),
        sa.Column("cart_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("payment_method", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=True),
        sa.Column("payment_id", sa.String(), nullable=True),
        sa.Column("failure_code", sa.String(), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("lease_until", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_checkouts"),
        sa.UniqueConstraint("idempotency_key", name="uq_checkouts_idempotency_key"),
    )
    op.create_index(
        "ix_checkouts_status_lease_until", "checkouts", ["status", "lease_until"]
    )

    op.create_table(
        "checkout_lines",
        sa.Column("checkout_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("warehouse_id", sa.String(), nullable=True),
        *_child_keys("checkout_lines", "checkout_id", "checkouts"),
    )

    op.create_table(
        "checkout_reservations",
        sa.Column("checkout_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.String(), nullable=False),
        *_child_keys("checkout_reservations", "checkout_id", "checkouts"),
    )

    # -- ordering -------------------------------------------------------------------------------
    op.create_table(
        "orders",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("checkout_id", sa.String(), nullable=False),
        sa.Column("cart_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("subtotal_amount", sa.BigInteger(), nullable=False),
        sa.Column("discount_amount", sa.BigInteger(), nullable=False),
        sa.Column("shipping_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("payment_method", sa.String(), nullable=False),
        sa.Column("payment_id", sa.String(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("checkout_id", name="uq_orders_checkout_id"),
    )
    op.create_index("ix_orders_number", "orders", ["number"])
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_created_at_id", "orders", ["created_at", "id"])

    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("line_total_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("warehouse_id", sa.String(), nullable=False),
        sa.Column("reservation_id", sa.String(), nullable=False),
        *_child_keys("order_lines", "order_id", "orders"),
    )

    op.create_table(
        "order_status_history",
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=True),
        sa.Column("to_status", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("changed_at", TIME, nullable=False),
        *_child_keys("order_status_history", "order_id", "orders"),
    )

    # -- payment --------------------------------------------------------------------------------
    op.create_table(
        "payments",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("gateway", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("failure_code", sa.String(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])

    # -- messaging ------------------------------------------------------------------------------
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("aggregate_id", sa.String(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        sa.Column("correlation_id", sa.String(), nullable=True),
        sa.Column("causation_id", sa.String(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("due_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("published_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("seq", name="uq_outbox_seq"),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'failed')", name=op.f("ck_outbox_status")
        ),
    )
    op.create_index("ix_outbox_status_seq", "outbox", ["status", "seq"])

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("processed_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )


def downgrade() -> None:
    for table in (
        "inbox", "outbox", "payments", "order_status_history", "order_lines", "orders",
        "checkout_reservations", "checkout_lines", "checkouts", "cart_lines", "carts",
        "reservations", "stock_levels", "warehouses", "categories", "product_categories",
        "product_variants", "products",
    ):
        op.drop_table(table)
