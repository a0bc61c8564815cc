"""Fulfillment tables: fulfillments with their items, packages and SLA breaches; pick lists
with their lines, the fulfillment items each line carries and the fulfillments they serve."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
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

fulfillments = sa.Table(
    "fulfillments", metadata,
    key(),
    text("number"),
    text("order_id"),
    text("order_number"),
    text("warehouse_id"),
    text("status"),
    text("priority"),
    text("payment_method"),
    text("currency"),
    amount("order_value_amount"),
    sa.Column("cod_amount", sa.BigInteger, nullable=True),
    flag("qc_required"),
    sa.Column("qc_passed", sa.Boolean, nullable=True),
    long_text("qc_reason", nullable=True),
    text("picklist_id", nullable=True),
    text("shipment_id", nullable=True),
    text("carrier", nullable=True),
    text("service_type"),
    long_text("cancel_reason", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    timestamp("status_since", nullable=True),
    version(),
    # One per order and warehouse: a duplicate `order.paid` delivery creates nothing twice.
    sa.UniqueConstraint("order_id", "warehouse_id"),
    sa.Index(None, "status", "warehouse_id", "created_at"),
    sa.Index(None, "status", "status_since"),
)

fulfillment_items = sa.Table(
    "fulfillment_items", metadata,
    parent("fulfillment_id", "fulfillments"),
    position(),
    text("item_id"),
    text("sku"),
    text("product_id"),
    text("name"),
    integer("quantity_ordered"),
    integer("quantity_picked"),
    integer("quantity_packed"),
    text("reservation_id"),
    amount("unit_price_amount"),
    integer("weight_grams"),
)

fulfillment_packages = sa.Table(
    "fulfillment_packages", metadata,
    parent("fulfillment_id", "fulfillments"),
    position(),
    text("package_id"),
    text("number"),
    integer("weight_grams"),
    integer("length_cm"),
    integer("width_cm"),
    integer("height_cm"),
    amount("declared_value_amount"),
    flag("insured"),
    text("status"),
    text("tracking_number", nullable=True),
)

fulfillment_package_items = sa.Table(
    "fulfillment_package_items", metadata,
    parent("fulfillment_id", "fulfillments"),
    position(),
    text("package_id"),
    text("item_id"),
    integer("quantity"),
)

fulfillment_sla_breaches = sa.Table(
    "fulfillment_sla_breaches", metadata,
    parent("fulfillment_id", "fulfillments"),
    position(),
    text("status"),
)

picklists = sa.Table(
    "picklists", metadata,
    key(),
    text("number"),
    text("warehouse_id"),
    text("status"),
    timestamp("created_at"),
    timestamp("expires_at"),
    timestamp("started_at", nullable=True),
    timestamp("completed_at", nullable=True),
    version(),
    sa.Index(None, "warehouse_id", "status"),
    sa.Index(None, "created_at", "id"),
)

picklist_lines = sa.Table(
    "picklist_lines", metadata,
    parent("picklist_id", "picklists"),
    position(),
    integer("sequence"),
    text("sku"),
    text("bin_location", nullable=True),
    integer("quantity"),
    integer("quantity_picked"),
)

picklist_sources = sa.Table(
    "picklist_sources", metadata,
    parent("picklist_id", "picklists"),
    position(),
    integer("line_sequence"),
    text("fulfillment_id"),
    text("item_id"),
    integer("quantity"),
)

picklist_fulfillments = sa.Table(
    "picklist_fulfillments", metadata,
    parent("picklist_id", "picklists"),
    position(),
    text("fulfillment_id"),
)
