"""The schema as SQLAlchemy Core tables; `migrations/versions` creates exactly this.

Aggregates map to a root table plus one table per child collection (keyed by parent and
position); money is an integer `*_amount` in minor units next to a `currency`; every root carries
the `version` optimistic locking checks. Tables of different contexts never reference each other.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.columns import JsonText, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _id(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=True)


def _parent(name: str, table: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.String, sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True
    )


def _position() -> sa.Column[int]:
    return sa.Column("position", sa.Integer, primary_key=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False)


def _amount(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False)


def _time(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, UtcDateTime, nullable=nullable)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer, nullable=False)


# -- catalog ------------------------------------------------------------------------------------
products = sa.Table(
    "products", metadata,
    _id(),
    sa.Column("slug", sa.String, nullable=False, unique=True),
    _text("name"),
    sa.Column("description", sa.Text, nullable=False),
    _text("status"),
    sa.Column("attributes", JsonText, nullable=False),
    _time("created_at"),
    _time("updated_at"),
    _version(),
    sa.Index(None, "created_at", "id"),
)

product_variants = sa.Table(
    "product_variants", metadata,
    _parent("product_id", "products"),
    _position(),
    sa.Column("sku", sa.String, nullable=False, unique=True),
    _text("name"),
    _amount("price_amount"),
    _text("currency"),
    sa.Column("attributes", JsonText, nullable=False),
    _int("weight_grams"),
)

product_categories = sa.Table(
    "product_categories", metadata,
    _parent("product_id", "products"),
    _position(),
    _text("category_id"),
    sa.Index(None, "category_id"),
)

categories = sa.Table(
    "categories", metadata,
    _id(),
    sa.Column("slug", sa.String, nullable=False, unique=True),
    _text("name"),
    _text("parent_id", nullable=True),
    _time("created_at"),
    _version(),
)

# -- inventory ----------------------------------------------------------------------------------
warehouses = sa.Table(
    "warehouses", metadata,
    _id(),
    sa.Column("code", sa.String, nullable=False, unique=True),
    _text("name"),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    _time("created_at"),
    _version(),
)

stock_levels = sa.Table(
    "stock_levels", metadata,
    sa.Column("sku", sa.String, primary_key=True),
    sa.Column("warehouse_id", sa.String, primary_key=True),
    _int("on_hand"),
    _int("reserved"),
    sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    sa.CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
)

reservations = sa.Table(
    "reservations", metadata,
    _id(),
    _text("sku"),
    _text("warehouse_id"),
    _int("quantity"),
    _int("fulfilled"),
    _text("status"),
    _text("reference"),
    _text("order_id", nullable=True),
    _time("expires_at"),
    _time("created_at"),
    _time("updated_at"),
    _version(),
    sa.Index(None, "reference"),
    sa.Index(None, "order_id"),
    sa.Index(None, "status", "expires_at"),
    sa.Index(None, "created_at", "id"),
)

# -- cart ---------------------------------------------------------------------------------------
carts = sa.Table(
    "carts", metadata,
    _id(),
    _text("customer_id", nullable=True),
    _text("currency"),
    _text("status"),
    _text("order_id", nullable=True),
    _time("created_at"),
    _time("updated_at"),
    _version(),
)

cart_lines = sa.Table(
    "cart_lines", metadata,
    _parent("cart_id", "carts"),
    _position(),
    _text("line_id"),
    _text("sku"),
    _text("product_id"),
    _text("name"),
    _int("quantity"),
    _amount("unit_price_amount"),
    _text("currency"),
    _text("warehouse_id", nullable=True),
    _time("added_at"),
)

# -- checkout -----------------------------------------------------------------------------------
checkouts = sa.Table(
    "checkouts", metadata,
    _id(),
    sa.Column("idempotency_key", sa.String, nullable=False, unique=True),
    _text("request_hash"),
    _text("cart_id"),
    _text("customer_id", nullable=True),
    _text("email", nullable=True),
    _text("payment_method"),
    _text("currency"),
    _amount("total_amount"),
    _text("step"),
    _text("status"),
    _text("order_id", nullable=True),
    _text("payment_id", nullable=True),
    _text("failure_code", nullable=True),
    sa.Column("failure_message", sa.Text, nullable=True),
    _time("lease_until"),
    _time("created_at"),
    _time("updated_at"),
    _version(),
    sa.Index(None, "status", "lease_until"),
)

checkout_lines = sa.Table(
    "checkout_lines", metadata,
    _parent("checkout_id", "checkouts"),
    _position(),
    _text("sku"),
    _text("product_id"),
    _text("name"),
    _int("quantity"),
    _amount("unit_price_amount"),
    _text("currency"),
    _text("warehouse_id", nullable=True),
)

checkout_reservations = sa.Table(
    "checkout_reservations", metadata,
    _parent("checkout_id", "checkouts"),
    _position(),
    _text("reservation_id"),
)

# -- ordering -----------------------------------------------------------------------------------
orders = sa.Table(
    "orders", metadata,
    _id(),
    _text("number"),
    sa.Column("checkout_id", sa.String, nullable=False, unique=True),
    _text("cart_id"),
    _text("customer_id", nullable=True),
    _text("email", nullable=True),
    _text("status"),
    _text("currency"),
    _amount("subtotal_amount"),
    _amount("discount_amount"),
    _amount("shipping_amount"),
    _amount("tax_amount"),
    _amount("total_amount"),
    _text("payment_method"),
    _text("payment_id", nullable=True),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    _version(),
    sa.Index(None, "number"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "status"),
    sa.Index(None, "created_at", "id"),
)

order_lines = sa.Table(
    "order_lines", metadata,
    _parent("order_id", "orders"),
    _position(),
    _text("line_id"),
    _text("sku"),
    _text("product_id"),
    _text("name"),
    _int("quantity"),
    _amount("unit_price_amount"),
    _amount("line_total_amount"),
    _text("currency"),
    _text("warehouse_id"),
    _text("reservation_id"),
)

order_status_history = sa.Table(
    "order_status_history", metadata,
    _parent("order_id", "orders"),
    _position(),
    _text("from_status", nullable=True),
    _text("to_status"),
    sa.Column("reason", sa.Text, nullable=False),
    _text("changed_by"),
    _time("changed_at"),
)

# -- payment ------------------------------------------------------------------------------------
payments = sa.Table(
    "payments", metadata,
    _id(),
    _text("order_id"),
    _amount("amount"),
    _text("currency"),
    _text("method"),
    _text("gateway"),
    _text("idempotency_key"),
    _text("status"),
    _text("reference", nullable=True),
    _text("failure_code", nullable=True),
    _time("created_at"),
    _time("updated_at"),
    _version(),
    sa.Index(None, "order_id"),
)

# -- messaging ----------------------------------------------------------------------------------
OUTBOX_STATUSES = ("pending", "published", "failed")

outbox = sa.Table(
    "outbox", metadata,
    _id(),
    # Commit order for the relay. PostgreSQL numbers rows itself; SQLite cannot autoincrement a
    # column outside the primary key, so the adapter numbers them under its write lock.
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    _text("type"),
    _int("version"),
    _text("aggregate_id"),
    _time("occurred_at"),
    _text("correlation_id", nullable=True),
    _text("causation_id", nullable=True),
    sa.Column("payload", JsonText, nullable=False),
    _text("status"),
    _int("attempts"),
    sa.Column("last_error", sa.Text, nullable=True),
    _time("due_at", nullable=True),
    _time("created_at"),
    _time("published_at", nullable=True),
    sa.CheckConstraint("status IN ('pending', 'published', 'failed')", name="status"),
    sa.Index(None, "status", "seq"),
)

inbox = sa.Table(
    "inbox", metadata,
    sa.Column("consumer", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    _time("processed_at"),
)
