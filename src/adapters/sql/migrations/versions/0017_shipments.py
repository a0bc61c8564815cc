"""Shipping: shipments (one per package, one per carrier tracking number) and their carrier
reports.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _amount(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "shipments",
        _text("id"), _text("number"), _text("order_id"), _text("fulfillment_id"),
        _text("package_id"), _text("customer_id", nullable=True), _text("warehouse_id"),
        _text("carrier"), _text("service_type"), _text("status"), _long("origin"),
        _long("destination"), _int("weight_g"), _int("length_cm"), _int("width_cm"),
        _int("height_cm"), _text("currency"), _amount("cost_amount"), _amount("cod_amount"),
        _amount("cod_collected_amount"), _flag("cod_settled"),
        _text("tracking_number", nullable=True), _text("carrier_reference", nullable=True),
        _text("label_format", nullable=True), _long("label_url", nullable=True),
        _text("previous_status", nullable=True), _time("status_at", nullable=True),
        _int("delivery_attempts"), _int("booking_attempts"),
        _time("next_booking_at", nullable=True), _long("booking_error", nullable=True),
        _flag("needs_attention"), _long("signature_url", nullable=True),
        _long("photo_url", nullable=True), _long("proof_notes", nullable=True),
        _long("cancel_reason", nullable=True), _time("shipped_at", nullable=True),
        _time("delivered_at", nullable=True), _time("cancelled_at", nullable=True),
        _time("created_at"), _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
        sa.UniqueConstraint("fulfillment_id", "package_id",
                            name="uq_shipments_fulfillment_id_package_id"),
        sa.UniqueConstraint("carrier", "tracking_number",
                            name="uq_shipments_carrier_tracking_number"),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])
    op.create_index("ix_shipments_tracking_number", "shipments", ["tracking_number"])
    op.create_index("ix_shipments_status_updated_at", "shipments", ["status", "updated_at"])
    op.create_index("ix_shipments_status_next_booking_at", "shipments",
                    ["status", "next_booking_at"])
    op.create_table(
        "shipment_tracking_events",
        _text("shipment_id"), _int("position"), _text("dedupe_key"), _text("carrier_status"),
        _text("status", nullable=True), _time("occurred_at"), _time("recorded_at"),
        _flag("applied"), _text("source"), _text("carrier_event_id", nullable=True),
        _long("description", nullable=True), _text("location", nullable=True),
        _long("reason", nullable=True),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"], ondelete="CASCADE",
                                name="fk_shipment_tracking_events_shipment_id_shipments"),
        sa.PrimaryKeyConstraint("shipment_id", "position",
                                name="pk_shipment_tracking_events"),
    )


def downgrade() -> None:
    op.drop_table("shipment_tracking_events")
    op.drop_index("ix_shipments_status_next_booking_at", table_name="shipments")
    op.drop_index("ix_shipments_status_updated_at", table_name="shipments")
    op.drop_index("ix_shipments_tracking_number", table_name="shipments")
    op.drop_index("ix_shipments_order_id", table_name="shipments")
    op.drop_table("shipments")
