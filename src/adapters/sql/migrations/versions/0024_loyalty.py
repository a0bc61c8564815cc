"""Loyalty: the program, accounts (referral code unique), order earnings and their lines, the
points history, campaigns and referrals (one per referee).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _long(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _big(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "loyalty_programs",
        _text("id"), _text("currency"), _long("tiers"), _long("category_multipliers"),
        _long("earn_rates"), _big("welcome_points"), _big("referrer_points"),
        _big("referee_points"), _int("referral_days"), _int("expiry_months"),
        _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_programs"),
    )
    op.create_table(
        "loyalty_accounts",
        _text("id"), _text("status"), _text("tier"), _big("rolling_spend"),
        _big("lifetime_points"), _big("pending_points"), _big("debt"),
        _text("referral_code", nullable=True), _text("referred_by", nullable=True),
        _int("orders_earned"), _time("created_at"), _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_accounts"),
        sa.UniqueConstraint("referral_code", name="uq_loyalty_accounts_referral_code"),
    )
    op.create_table(
        "loyalty_earnings",
        _text("id"), _text("customer_id"), _text("currency"), _big("eligible"), _big("spend"),
        _big("points"), _big("bonus"), _big("reversed"), _big("reversed_spend"),
        _text("status"), _time("earned_at"), _time("available_at"), _time("expires_at"),
        _long("reversals"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_earnings"),
    )
    op.create_index("ix_loyalty_earnings_status_available_at", "loyalty_earnings",
                    ["status", "available_at"])
    op.create_index("ix_loyalty_earnings_customer_id_earned_at", "loyalty_earnings",
                    ["customer_id", "earned_at"])
    op.create_table(
        "loyalty_earning_lines",
        _text("earning_id"), _int("position"), _text("line_id"), _text("sku"),
        _int("quantity"), _big("value"), _big("points"), _int("returned"),
        sa.ForeignKeyConstraint(["earning_id"], ["loyalty_earnings.id"], ondelete="CASCADE",
                                name="fk_loyalty_earning_lines_earning_id_loyalty_earnings"),
        sa.PrimaryKeyConstraint("earning_id", "position", name="pk_loyalty_earning_lines"),
    )
    op.create_table(
        "loyalty_entries",
        _text("id"), _text("customer_id"), _text("kind"), _big("points"), _text("status"),
        _big("balance_after"), _text("source"), _text("source_id"), _long("description"),
        _time("created_at"), _big("debt"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_entries"),
    )
    op.create_index("ix_loyalty_entries_customer_id_created_at", "loyalty_entries",
                    ["customer_id", "created_at"])
    op.create_table(
        "loyalty_campaigns",
        _text("id"), _long("name"), _text("kind"), _int("multiplier"), _big("bonus_points"),
        _big("min_purchase"), _text("currency"), _long("eligible_tiers"), _time("starts_at"),
        _time("ends_at"), _big("budget", nullable=True), _big("awarded"),
        sa.Column("active", sa.Boolean(), nullable=False), _time("created_at"),
        _time("updated_at"), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_campaigns"),
    )
    op.create_table(
        "loyalty_referrals",
        _text("id"), _text("referrer_id"), _text("referee_id"), _text("status"),
        _big("referrer_points"), _big("referee_points"), _time("created_at"),
        _time("expires_at"), _time("completed_at", nullable=True),
        _text("order_id", nullable=True), _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_referrals"),
        sa.UniqueConstraint("referee_id", name="uq_loyalty_referrals_referee_id"),
    )
    op.create_index("ix_loyalty_referrals_referrer_id_created_at", "loyalty_referrals",
                    ["referrer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_loyalty_referrals_referrer_id_created_at", table_name="loyalty_referrals")
    op.drop_table("loyalty_referrals")
    op.drop_table("loyalty_campaigns")
    op.drop_index("ix_loyalty_entries_customer_id_created_at", table_name="loyalty_entries")
    op.drop_table("loyalty_entries")
    op.drop_table("loyalty_earning_lines")
    op.drop_index("ix_loyalty_earnings_customer_id_earned_at", table_name="loyalty_earnings")
    op.drop_index("ix_loyalty_earnings_status_available_at", table_name="loyalty_earnings")
    op.drop_table("loyalty_earnings")
    op.drop_table("loyalty_accounts")
    op.drop_table("loyalty_programs")
