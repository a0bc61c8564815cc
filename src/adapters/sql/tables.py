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
def _optional_int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=True)


def _setting(name: str) -> sa.Column[int]:
    """A stock threshold; rows from before 0002 read 0 (not set)."""
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


warehouses = sa.Table(
    "warehouses", metadata,
    _id(),
    sa.Column("code", sa.String, nullable=False, unique=True),
    _text("name"),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    _time("created_at"),
    _version(),
    # 0002: details. Nullable: rows written before them read as empty.
    sa.Column("description", sa.Text, nullable=True),
    _text("warehouse_type", nullable=True),
    _text("address_line1", nullable=True),
    _text("address_line2", nullable=True),
    _text("city", nullable=True),
    _text("state_province", nullable=True),
    _text("postal_code", nullable=True),
    _text("country_code", nullable=True),
    _text("phone", nullable=True),
    _text("email", nullable=True),
    _text("manager_name", nullable=True),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    _optional_int("capacity_orders_per_day"),
    _optional_int("capacity_items_per_hour"),
    _optional_int("capacity_cubic_meters"),
    _optional_int("capacity_weight_kg"),
    sa.Column("cost_ratio", sa.Float, nullable=True),
    _text("distributor_id", nullable=True),
    _time("updated_at", nullable=True),
)

distributors = sa.Table(
    "distributors", metadata,
    _id(),
    sa.Column("code", sa.String, nullable=False, unique=True),
    _text("name"),
    _text("status"),
    _text("email"),
    _text("phone"),
    _time("created_at"),
    _version(),
)

distributor_regions = sa.Table(
    "distributor_regions", metadata,
    _parent("distributor_id", "distributors"),
    _position(),
    _text("region_code"),
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
    # 0002: settings of the stock item; counters above change only with a ledger row.
    _setting("reorder_point"),
    _setting("reorder_quantity"),
    _setting("min_level"),
    _setting("max_level"),
    _text("bin_location", nullable=True),
)

stock_movements = sa.Table(
    "stock_movements", metadata,
    _id(),
    _text("sku"),
    _text("warehouse_id"),
    _text("movement_type"),
    _int("on_hand_change"),
    _int("reserved_change"),
    _int("on_hand_after"),
    _int("reserved_after"),
    sa.Column("reason", sa.Text, nullable=False),
    _text("reference_type"),
    _text("reference_id"),
    _text("batch_number", nullable=True),
    sa.Column("expiry_date", sa.Date, nullable=True),
    _text("transfer_id", nullable=True),
    _text("counterpart_warehouse_id", nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    _text("actor"),
    _time("created_at"),
    sa.Index(None, "sku", "warehouse_id"),
    sa.Index(None, "reference_id"),
    sa.Index(None, "created_at", "id"),
)

stock_batches = sa.Table(
    "stock_batches", metadata,
    sa.Column("sku", sa.String, primary_key=True),
    sa.Column("warehouse_id", sa.String, primary_key=True),
    sa.Column("batch_number", sa.String, primary_key=True),
    sa.Column("expiry_date", sa.Date, nullable=True),
    _int("on_hand"),
    sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
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
    # 0002
    _optional_int("ttl_seconds"),
    _text("payment_method", nullable=True),
    _text("customer_id", nullable=True),
    _text("reference_type", nullable=True),
    _time("confirmed_at", nullable=True),
    _time("fulfilled_at", nullable=True),
    _time("released_at", nullable=True),
    _text("release_reason", nullable=True),
    _time("leak_reported_at", nullable=True),
    sa.Index(None, "status", "created_at"),
    sa.Index(None, "sku", "warehouse_id", "status"),
)

adjustment_requests = sa.Table(
    "adjustment_requests", metadata,
    _id(),
    _text("sku"),
    _text("warehouse_id"),
    _int("quantity_change"),
    _text("reason"),
    sa.Column("notes", sa.Text, nullable=False),
    _text("status"),
    _text("requested_by"),
    _time("requested_at"),
    _text("decided_by", nullable=True),
    _time("decided_at", nullable=True),
    sa.Column("rejection_reason", sa.Text, nullable=True),
    _version(),
    sa.Index(None, "requested_at", "id"),
)

stock_transfers = sa.Table(
    "stock_transfers", metadata,
    _id(),
    _text("sku"),
    _text("from_warehouse_id"),
    _text("to_warehouse_id"),
    _int("quantity"),
    _text("status"),
    _text("reservation_id"),
    _text("reason"),
    _text("requested_by"),
    _time("created_at"),
    _time("updated_at"),
    _time("shipped_at", nullable=True),
    _time("received_at", nullable=True),
    _time("cancelled_at", nullable=True),
    _version(),
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

order_line_allocations = sa.Table(
    "order_line_allocations", metadata,
    _parent("order_id", "orders"),
    _position(),
    _text("line_id"),
    _text("warehouse_id"),
    _text("reservation_id"),
    _int("quantity"),
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

# -- fulfillment --------------------------------------------------------------------------------
fulfillments = sa.Table(
    "fulfillments", metadata,
    _id(),
    _text("number"),
    _text("order_id"),
    _text("order_number"),
    _text("warehouse_id"),
    _text("status"),
    _text("priority"),
    _text("payment_method"),
    _text("currency"),
    _amount("order_value_amount"),
    sa.Column("cod_amount", sa.BigInteger, nullable=True),
    sa.Column("qc_required", sa.Boolean, nullable=False),
    sa.Column("qc_passed", sa.Boolean, nullable=True),
    sa.Column("qc_reason", sa.Text, nullable=True),
    _text("picklist_id", nullable=True),
    _text("shipment_id", nullable=True),
    _text("carrier", nullable=True),
    _text("service_type"),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    _time("created_at"),
    _time("updated_at"),
    _time("status_since", nullable=True),
    _version(),
    # One per order and warehouse: a duplicate `order.paid` delivery creates nothing twice.
    sa.UniqueConstraint("order_id", "warehouse_id"),
    sa.Index(None, "status", "warehouse_id", "created_at"),
    sa.Index(None, "status", "status_since"),
)

fulfillment_items = sa.Table(
    "fulfillment_items", metadata,
    _parent("fulfillment_id", "fulfillments"),
    _position(),
    _text("item_id"),
    _text("sku"),
    _text("product_id"),
    _text("name"),
    _int("quantity_ordered"),
    _int("quantity_picked"),
    _int("quantity_packed"),
    _text("reservation_id"),
    _amount("unit_price_amount"),
    _int("weight_grams"),
)

fulfillment_packages = sa.Table(
    "fulfillment_packages", metadata,
    _parent("fulfillment_id", "fulfillments"),
    _position(),
    _text("package_id"),
    _text("number"),
    _int("weight_grams"),
    _int("length_cm"),
    _int("width_cm"),
    _int("height_cm"),
    _amount("declared_value_amount"),
    sa.Column("insured", sa.Boolean, nullable=False),
    _text("status"),
    _text("tracking_number", nullable=True),
)

fulfillment_package_items = sa.Table(
    "fulfillment_package_items", metadata,
    _parent("fulfillment_id", "fulfillments"),
    _position(),
    _text("package_id"),
    _text("item_id"),
    _int("quantity"),
)

fulfillment_sla_breaches = sa.Table(
    "fulfillment_sla_breaches", metadata,
    _parent("fulfillment_id", "fulfillments"),
    _position(),
    _text("status"),
)

picklists = sa.Table(
    "picklists", metadata,
    _id(),
    _text("number"),
    _text("warehouse_id"),
    _text("status"),
    _time("created_at"),
    _time("expires_at"),
    _time("started_at", nullable=True),
    _time("completed_at", nullable=True),
    _version(),
    sa.Index(None, "warehouse_id", "status"),
    sa.Index(None, "created_at", "id"),
)

picklist_lines = sa.Table(
    "picklist_lines", metadata,
    _parent("picklist_id", "picklists"),
    _position(),
    _int("sequence"),
    _text("sku"),
    _text("bin_location", nullable=True),
    _int("quantity"),
    _int("quantity_picked"),
)

picklist_sources = sa.Table(
    "picklist_sources", metadata,
    _parent("picklist_id", "picklists"),
    _position(),
    _int("line_sequence"),
    _text("fulfillment_id"),
    _text("item_id"),
    _int("quantity"),
)

picklist_fulfillments = sa.Table(
    "picklist_fulfillments", metadata,
    _parent("picklist_id", "picklists"),
    _position(),
    _text("fulfillment_id"),
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
