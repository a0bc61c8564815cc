"""Inventory tables: warehouses, distributors, stock levels and their ledger, batches,
reservations, adjustment requests and transfers."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    flag,
    integer,
    key,
    long_text,
    parent,
    position,
    text,
    timestamp,
    version,
)


def _setting(name: str) -> sa.Column[int]:
    """A stock threshold; rows from before 0002 read 0 (not set)."""
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


warehouses = sa.Table(
    "warehouses", metadata,
    key(),
    sa.Column("code", sa.String, nullable=False, unique=True),
    text("name"),
    flag("is_default"),
    flag("active"),
    timestamp("created_at"),
    version(),
    # 0002: details. Nullable: rows written before them read as empty.
    long_text("description", nullable=True),
    text("warehouse_type", nullable=True),
    text("address_line1", nullable=True),
    text("address_line2", nullable=True),
    text("city", nullable=True),
    text("state_province", nullable=True),
    text("postal_code", nullable=True),
    text("country_code", nullable=True),
    text("phone", nullable=True),
    text("email", nullable=True),
    text("manager_name", nullable=True),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    integer("capacity_orders_per_day", nullable=True),
    integer("capacity_items_per_hour", nullable=True),
    integer("capacity_cubic_meters", nullable=True),
    integer("capacity_weight_kg", nullable=True),
    sa.Column("cost_ratio", sa.Float, nullable=True),
    text("distributor_id", nullable=True),
    timestamp("updated_at", nullable=True),
)

distributors = sa.Table(
    "distributors", metadata,
    key(),
    sa.Column("code", sa.String, nullable=False, unique=True),
    text("name"),
    text("status"),
    text("email"),
    text("phone"),
    timestamp("created_at"),
    version(),
)

distributor_regions = sa.Table(
    "distributor_regions", metadata,
    parent("distributor_id", "distributors"),
    position(),
    text("region_code"),
)

stock_levels = sa.Table(
    "stock_levels", metadata,
    sa.Column("sku", sa.String, primary_key=True),
    sa.Column("warehouse_id", sa.String, primary_key=True),
    integer("on_hand"),
    integer("reserved"),
    sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    sa.CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    # 0002: settings of the stock item; counters above change only with a ledger row.
    _setting("reorder_point"),
    _setting("reorder_quantity"),
    _setting("min_level"),
    _setting("max_level"),
    text("bin_location", nullable=True),
)

stock_movements = sa.Table(
    "stock_movements", metadata,
    key(),
    text("sku"),
    text("warehouse_id"),
    text("movement_type"),
    integer("on_hand_change"),
    integer("reserved_change"),
    integer("on_hand_after"),
    integer("reserved_after"),
    long_text("reason"),
    text("reference_type"),
    text("reference_id"),
    text("batch_number", nullable=True),
    sa.Column("expiry_date", sa.Date, nullable=True),
    text("transfer_id", nullable=True),
    text("counterpart_warehouse_id", nullable=True),
    long_text("notes"),
    text("actor"),
    timestamp("created_at"),
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
    integer("on_hand"),
    sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
)

reservations = sa.Table(
    "reservations", metadata,
    key(),
    text("sku"),
    text("warehouse_id"),
    integer("quantity"),
    integer("fulfilled"),
    text("status"),
    text("reference"),
    text("order_id", nullable=True),
    timestamp("expires_at"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    sa.Index(None, "reference"),
    sa.Index(None, "order_id"),
    sa.Index(None, "status", "expires_at"),
    sa.Index(None, "created_at", "id"),
    # 0002
    integer("ttl_seconds", nullable=True),
    text("payment_method", nullable=True),
    text("customer_id", nullable=True),
    text("reference_type", nullable=True),
    timestamp("confirmed_at", nullable=True),
    timestamp("fulfilled_at", nullable=True),
    timestamp("released_at", nullable=True),
    text("release_reason", nullable=True),
    timestamp("leak_reported_at", nullable=True),
    sa.Index(None, "status", "created_at"),
    sa.Index(None, "sku", "warehouse_id", "status"),
)

adjustment_requests = sa.Table(
    "adjustment_requests", metadata,
    key(),
    text("sku"),
    text("warehouse_id"),
    integer("quantity_change"),
    text("reason"),
    long_text("notes"),
    text("status"),
    text("requested_by"),
    timestamp("requested_at"),
    text("decided_by", nullable=True),
    timestamp("decided_at", nullable=True),
    long_text("rejection_reason", nullable=True),
    version(),
    sa.Index(None, "requested_at", "id"),
)

stock_transfers = sa.Table(
    "stock_transfers", metadata,
    key(),
    text("sku"),
    text("from_warehouse_id"),
    text("to_warehouse_id"),
    integer("quantity"),
    text("status"),
    text("reservation_id"),
    text("reason"),
    text("requested_by"),
    timestamp("created_at"),
    timestamp("updated_at"),
    timestamp("shipped_at", nullable=True),
    timestamp("received_at", nullable=True),
    timestamp("cancelled_at", nullable=True),
    version(),
    sa.Index(None, "created_at", "id"),
)
