"""Returns: one row per return with its items, status history, refund breakdown and exchange as
JSON, the label and the saga's retry state; `open_order_id` (the order's id while the return
is open) is unique, so an order has at most one open return.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, TIME, nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "returns",
        _text("id"), _text("number"), _text("order_id"), _text("customer_id", nullable=True),
        _text("return_type"), _text("reason"), _long("description"), _text("status"),
        _text("currency"), _long("items"), _long("refund"), _int("risk_score"),
        _long("history"), _time("created_at"), _time("updated_at"),
        _text("open_order_id", nullable=True), _time("status_changed_at", nullable=True),
        _text("payment_id", nullable=True), _text("refund_method"), _text("return_method"),
        _text("approved_by", nullable=True), _time("approved_at", nullable=True),
        _text("received_by", nullable=True), _time("received_at", nullable=True),
        _text("inspected_by", nullable=True), _time("inspected_at", nullable=True),
        _time("completed_at", nullable=True), _time("cancelled_at", nullable=True),
        _long("close_reason", nullable=True), _text("label_carrier", nullable=True),
        _text("tracking_number", nullable=True), _long("label_url", nullable=True),
        sa.Column("label_fee_amount", sa.BigInteger(), nullable=True),
        _long("label_error", nullable=True), _long("exchange", nullable=True),
        _text("refund_state"), _text("refund_id", nullable=True), _int("refund_attempts"),
        _long("refund_error", nullable=True), _time("retry_at", nullable=True),
        _long("restock_error", nullable=True), _int("restock_attempts"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        sa.UniqueConstraint("number", name="uq_returns_number"),
        sa.UniqueConstraint("open_order_id", name="uq_returns_open_order_id"),
    )
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_index("ix_returns_customer_id_created_at", "returns",
                    ["customer_id", "created_at"])
    op.create_index("ix_returns_status_status_changed_at", "returns",
                    ["status", "status_changed_at"])


def downgrade() -> None:
    for index in ("status_status_changed_at", "customer_id_created_at", "order_id"):
        op.drop_index(f"ix_returns_{index}", table_name="returns")
    op.drop_table("returns")
