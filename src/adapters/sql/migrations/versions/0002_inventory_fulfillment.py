"""Multi-warehouse inventory and fulfillment: warehouse details and distributors, stock item
settings, the stock ledger (opened with each existing row's balance), batches, reservation
lifecycle columns, adjustment requests, transfers, order-line allocations, fulfillments and
pick lists.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, like 0001, so it stays what it is when later revisions change the tables.
TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, TIME, nullable=nullable)


def _version() -> sa.Column[int]:
    return _int("version")


def _child_keys(table: str, parent: str, parents: str) -> list[sa.Constraint]:
    return [
        sa.PrimaryKeyConstraint(parent, "position", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(
            [parent], [f"{parents}.id"], ondelete="CASCADE",
            name=f"fk_{table}_{parent}_{parents}",
        ),
    ]


# Functions, not lists: a Column joins the table it is added to, and one process may migrate
# many databases (the tests do).
def warehouse_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("description", sa.Text(), nullable=True),
        *(_text(name, nullable=True) for name in (
            "warehouse_type", "address_line1", "address_line2", "city", "state_province",
            "postal_code", "country_code", "phone", "email", "manager_name")),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        *(_int(name, nullable=True) for name in (
            "capacity_orders_per_day", "capacity_items_per_hour", "capacity_cubic_meters",
            "capacity_weight_kg")),
        sa.Column("cost_ratio", sa.Float(), nullable=True),
        _text("distributor_id", nullable=True),
        _time("updated_at", nullable=True),
    ]


def stock_level_columns() -> list[sa.Column[Any]]:
    return [
        *(sa.Column(name, sa.Integer(), nullable=False, server_default="0")
          for name in ("reorder_point", "reorder_quantity", "min_level", "max_level")),
        _text("bin_location", nullable=True),
    ]


def reservation_columns() -> list[sa.Column[Any]]:
    return [
        _int("ttl_seconds", nullable=True),
        _text("payment_method", nullable=True),
        _text("customer_id", nullable=True),
        _text("reference_type", nullable=True),
        _time("confirmed_at", nullable=True),
        _time("fulfilled_at", nullable=True),
        _time("released_at", nullable=True),
        _text("release_reason", nullable=True),
        _time("leak_reported_at", nullable=True),
    ]

NEW_TABLES = (
    "picklist_fulfillments", "picklist_sources", "picklist_lines", "picklists",
    "fulfillment_sla_breaches", "fulfillment_package_items", "fulfillment_packages",
    "fulfillment_items", "fulfillments", "order_line_allocations", "stock_transfers",
    "adjustment_requests", "stock_batches", "stock_movements", "distributor_regions",
    "distributors",
)


def upgrade() -> None:
    for table, columns in (("warehouses", warehouse_columns()),
                           ("stock_levels", stock_level_columns()),
                           ("reservations", reservation_columns())):
        for column in columns:
            op.add_column(table, column)
    op.create_index("ix_reservations_status_created_at", "reservations", ["status", "created_at"])
    op.create_index("ix_reservations_sku_warehouse_id_status", "reservations",
                    ["sku", "warehouse_id", "status"])

    op.create_table(
        "distributors",
        _text("id"), _text("code"), _text("name"), _text("status"), _text("email"),
        _text("phone"), _time("created_at"), _version(),
        sa.PrimaryKeyConstraint("id", name="pk_distributors"),
        sa.UniqueConstraint("code", name="uq_distributors_code"),
    )
    op.create_table(
        "distributor_regions",
        _text("distributor_id"), _int("position"), _text("region_code"),
        *_child_keys("distributor_regions", "distributor_id", "distributors"),
    )

    op.create_table(
        "stock_movements",
        _text("id"), _text("sku"), _text("warehouse_id"), _text("movement_type"),
        _int("on_hand_change"), _int("reserved_change"), _int("on_hand_after"),
        _int("reserved_after"), sa.Column("reason", sa.Text(), nullable=False),
        _text("reference_type"), _text("reference_id"), _text("batch_number", nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True), _text("transfer_id", nullable=True),
        _text("counterpart_warehouse_id", nullable=True),
        sa.Column("notes", sa.Text(), nullable=False), _text("actor"), _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_stock_movements"),
    )
    op.create_index("ix_stock_movements_sku_warehouse_id", "stock_movements",
                    ["sku", "warehouse_id"])
    op.create_index("ix_stock_movements_reference_id", "stock_movements", ["reference_id"])
    op.create_index("ix_stock_movements_created_at_id", "stock_movements", ["created_at", "id"])
    # The ledger starts with what every row holds now, so it sums to the counters from here on.
    op.execute(
        "INSERT INTO stock_movements (id, sku, warehouse_id, movement_type, on_hand_change, "
        "reserved_change, on_hand_after, reserved_after, reason, reference_type, reference_id, "
        "notes, actor, created_at) "
        "SELECT 'opening:' || sku || ':' || warehouse_id, sku, warehouse_id, 'opening', "
        "on_hand, reserved, on_hand, reserved, 'opening balance', '', '', '', 'migration', "
        "CURRENT_TIMESTAMP FROM stock_levels WHERE on_hand <> 0 OR reserved <> 0"
    )

    op.create_table(
        "stock_batches",
        _text("sku"), _text("warehouse_id"), _text("batch_number"),
        sa.Column("expiry_date", sa.Date(), nullable=True), _int("on_hand"),
        sa.PrimaryKeyConstraint("sku", "warehouse_id", "batch_number", name="pk_stock_batches"),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_batches_on_hand_not_negative")),
    )

    op.create_table(
        "adjustment_requests",
        _text("id"), _text("sku"), _text("warehouse_id"), _int("quantity_change"),
        _text("reason"), sa.Column("notes", sa.Text(), nullable=False), _text("status"),
        _text("requested_by"), _time("requested_at"), _text("decided_by", nullable=True),
        _time("decided_at", nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True), _version(),
        sa.PrimaryKeyConstraint("id", name="pk_adjustment_requests"),
    )
    op.create_index("ix_adjustment_requests_requested_at_id", "adjustment_requests",
                    ["requested_at", "id"])

    op.create_table(
        "stock_transfers",
        _text("id"), _text("sku"), _text("from_warehouse_id"), _text("to_warehouse_id"),
        _int("quantity"), _text("status"), _text("reservation_id"), _text("reason"),
        _text("requested_by"), _time("created_at"), _time("updated_at"),
        _time("shipped_at", nullable=True), _time("received_at", nullable=True),
        _time("cancelled_at", nullable=True), _version(),
        sa.PrimaryKeyConstraint("id", name="pk_stock_transfers"),
    )
    op.create_index("ix_stock_transfers_created_at_id", "stock_transfers", ["created_at", "id"])

    op.create_table(
        "order_line_allocations",
        _text("order_id"), _int("position"), _text("line_id"), _text("warehouse_id"),
        _text("reservation_id"), _int("quantity"),
        *_child_keys("order_line_allocations", "order_id", "orders"),
    )

    op.create_table(
        "fulfillments",
        _text("id"), _text("number"), _text("order_id"), _text("order_number"),
        _text("warehouse_id"), _text("status"), _text("priority"), _text("payment_method"),
        _text("currency"), sa.Column("order_value_amount", sa.BigInteger(), nullable=False),
        sa.Column("cod_amount", sa.BigInteger(), nullable=True),
        sa.Column("qc_required", sa.Boolean(), nullable=False),
        sa.Column("qc_passed", sa.Boolean(), nullable=True),
        sa.Column("qc_reason", sa.Text(), nullable=True), _text("picklist_id", nullable=True),
        _text("shipment_id", nullable=True), _text("carrier", nullable=True),
        _text("service_type"), sa.Column("cancel_reason", sa.Text(), nullable=True),
        _time("created_at"), _time("updated_at"), _time("status_since", nullable=True),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_fulfillments"),
        sa.UniqueConstraint("order_id", "warehouse_id",
                            name="uq_fulfillments_order_id_warehouse_id"),
    )
    op.create_index("ix_fulfillments_status_warehouse_id_created_at", "fulfillments",
                    ["status", "warehouse_id", "created_at"])
    op.create_index("ix_fulfillments_status_status_since", "fulfillments",
                    ["status", "status_since"])
    op.create_table(
        "fulfillment_items",
        _text("fulfillment_id"), _int("position"), _text("item_id"), _text("sku"),
        _text("product_id"), _text("name"), _int("quantity_ordered"), _int("quantity_picked"),
        _int("quantity_packed"), _text("reservation_id"),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False), _int("weight_grams"),
        *_child_keys("fulfillment_items", "fulfillment_id", "fulfillments"),
    )
    op.create_table(
        "fulfillment_packages",
        _text("fulfillment_id"), _int("position"), _text("package_id"), _text("number"),
        _int("weight_grams"), _int("length_cm"), _int("width_cm"), _int("height_cm"),
        sa.Column("declared_value_amount", sa.BigInteger(), nullable=False),
        sa.Column("insured", sa.Boolean(), nullable=False), _text("status"),
        _text("tracking_number", nullable=True),
        *_child_keys("fulfillment_packages", "fulfillment_id", "fulfillments"),
    )
    op.create_table(
        "fulfillment_package_items",
        _text("fulfillment_id"), _int("position"), _text("package_id"), _text("item_id"),
        _int("quantity"),
        *_child_keys("fulfillment_package_items", "fulfillment_id", "fulfillments"),
    )
    op.create_table(
        "fulfillment_sla_breaches",
        _text("fulfillment_id"), _int("position"), _text("status"),
        *_child_keys("fulfillment_sla_breaches", "fulfillment_id", "fulfillments"),
    )

    op.create_table(
        "picklists",
        _text("id"), _text("number"), _text("warehouse_id"), _text("status"),
        _time("created_at"), _time("expires_at"), _time("started_at", nullable=True),
        _time("completed_at", nullable=True), _version(),
        sa.PrimaryKeyConstraint("id", name="pk_picklists"),
    )
    op.create_index("ix_picklists_warehouse_id_status", "picklists", ["warehouse_id", "status"])
    op.create_index("ix_picklists_created_at_id", "picklists", ["created_at", "id"])
    op.create_table(
        "picklist_lines",
        _text("picklist_id"), _int("position"), _int("sequence"), _text("sku"),
        _text("bin_location", nullable=True), _int("quantity"), _int("quantity_picked"),
        *_child_keys("picklist_lines", "picklist_id", "picklists"),
    )
    op.create_table(
        "picklist_sources",
        _text("picklist_id"), _int("position"), _int("line_sequence"), _text("fulfillment_id"),
        _text("item_id"), _int("quantity"),
        *_child_keys("picklist_sources", "picklist_id", "picklists"),
    )
    op.create_table(
        "picklist_fulfillments",
        _text("picklist_id"), _int("position"), _text("fulfillment_id"),
        *_child_keys("picklist_fulfillments", "picklist_id", "picklists"),
    )


def downgrade() -> None:
    for table in NEW_TABLES:
        op.drop_table(table)
    op.drop_index("ix_reservations_sku_warehouse_id_status", "reservations")
    op.drop_index("ix_reservations_status_created_at", "reservations")
    for table, columns in (("reservations", reservation_columns()),
                           ("stock_levels", stock_level_columns()),
                           ("warehouses", warehouse_columns())):
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
