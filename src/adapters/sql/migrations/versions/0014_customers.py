"""Customers: the customer with their preferences, addresses and segment memberships, and the
segment definitions.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def _child_key(table: str) -> list[Any]:
    return [
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name=f"fk_{table}_customer_id_customers"),
        sa.PrimaryKeyConstraint("customer_id", "position", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "customers",
        _text("id"), _text("email"), _text("first_name"), _text("last_name"),
        _text("phone", nullable=True), sa.Column("date_of_birth", sa.Date(), nullable=True),
        _text("gender", nullable=True), _text("customer_type"), _text("status"),
        _flag("email_verified"), _flag("phone_verified"), _text("registration_source"),
        _text("customer_group"),
        *(_flag(f"pref_{name}") for name in (
            "email_marketing", "sms_marketing", "push", "newsletter", "data_sharing",
            "analytics_tracking", "cookie_consent", "order_updates", "promotional_emails")),
        _text("pref_language"), _text("pref_currency"),
        sa.Column("pref_custom", sa.Text(), nullable=False),
        _time("last_login_at", nullable=True), _time("deletion_scheduled_at", nullable=True),
        _text("deletion_reason", nullable=True), _time("deleted_at", nullable=True),
        _time("created_at"), _time("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("email", name="uq_customers_email"),
    )
    for column in ("deletion_scheduled_at", "status", "customer_group"):
        op.create_index(f"ix_customers_{column}", "customers", [column])
    op.create_table(
        "customer_addresses",
        *_child_key("customer_addresses"),
        _text("address_id"), _text("kind"), _text("label"), _text("first_name"),
        _text("last_name"), _text("phone"), _text("line1"), _text("line2", nullable=True),
        _text("location_id"), _text("ward"), _text("district", nullable=True),
        _text("province"), _text("country_code"), _text("postal_code", nullable=True),
        _text("company", nullable=True), _flag("is_default"), _flag("is_verified"),
        _time("created_at"),
    )
    op.create_table(
        "customer_segment_members",
        *_child_key("customer_segment_members"),
        _text("segment_id"),
    )
    op.create_index("ix_customer_segment_members_segment_id", "customer_segment_members",
                    ["segment_id"])
    op.create_table(
        "customer_segments",
        _text("id"), _text("name"), sa.Column("rules", sa.Text(), nullable=False),
        _flag("is_active"), _time("created_at"), _time("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customer_segments"),
    )


def downgrade() -> None:
    op.drop_table("customer_segments")
    op.drop_index("ix_customer_segment_members_segment_id",
                  table_name="customer_segment_members")
    op.drop_table("customer_segment_members")
    op.drop_table("customer_addresses")
    for column in ("customer_group", "status", "deletion_scheduled_at"):
        op.drop_index(f"ix_customers_{column}", table_name="customers")
    op.drop_table("customers")
