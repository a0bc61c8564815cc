"""Shipping: the shop's shipping methods (code unique) and the rate quotes issued to carts.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _amount(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "shipping_methods",
        _text("id"), _text("code"), _text("name"), _text("method_type"), _text("currency"),
        _amount("rate_amount", nullable=True), _amount("min_order_amount", nullable=True),
        _text("band_basis", nullable=True), _long("bands"), _text("carrier", nullable=True),
        _text("service", nullable=True), _int("markup_percent"),
        _amount("fallback_amount", nullable=True), _long("description"), _int("display_order"),
        _int("estimated_days_min", nullable=True), _int("estimated_days_max", nullable=True),
        _long("countries"), _long("provinces"), _int("max_weight_g", nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_shipping_methods"),
        sa.UniqueConstraint("code", name="uq_shipping_methods_code"),
    )
    op.create_table(
        "shipping_quotes",
        _text("id"), _text("cart_id"), _text("content_key"), _long("destination"),
        _text("method_code"), _text("method_name"), _amount("amount_amount"),
        _text("currency"), _text("source"), sa.Column("issued_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False), _text("carrier", nullable=True),
        _text("service", nullable=True), _int("estimated_days_min", nullable=True),
        _int("estimated_days_max", nullable=True),
        sa.Column("selected", sa.Boolean(), nullable=False), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_shipping_quotes"),
    )
    op.create_index("ix_shipping_quotes_cart_id", "shipping_quotes", ["cart_id"])


def downgrade() -> None:
    op.drop_index("ix_shipping_quotes_cart_id", table_name="shipping_quotes")
    op.drop_table("shipping_quotes")
    op.drop_table("shipping_methods")
