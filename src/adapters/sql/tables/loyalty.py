"""Loyalty tables: the program (rules and tiers as JSON), accounts (one per customer, referral
code unique), order earnings with their lines (one per order), the append-only history (its id
names the effect, so an effect happens once), campaigns and referrals (one per referee)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    flag,
    integer,
    json_value,
    key,
    long_text,
    parent,
    position,
    text,
    timestamp,
    version,
)

loyalty_programs = sa.Table(
    "loyalty_programs", metadata,
    key(),
    text("currency"),
    json_value("tiers"),
    json_value("category_multipliers"),
    json_value("earn_rates"),
    amount("welcome_points"),
    amount("referrer_points"),
    amount("referee_points"),
    integer("referral_days"),
    integer("expiry_months"),
    timestamp("updated_at"),
    version(),
)

loyalty_accounts = sa.Table(
    "loyalty_accounts", metadata,
    key(),
    text("status"),
    text("tier"),
    amount("rolling_spend"),
    amount("lifetime_points"),
    amount("pending_points"),
    amount("debt"),
    sa.Column("referral_code", sa.String, nullable=True, unique=True),
    text("referred_by", nullable=True),
    integer("orders_earned"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
)

loyalty_earnings = sa.Table(
    "loyalty_earnings", metadata,
    key(),
    text("customer_id"),
    text("currency"),
    amount("eligible"),
    amount("spend"),
    amount("points"),
    amount("bonus"),
    amount("reversed"),
    amount("reversed_spend"),
    text("status"),
    timestamp("earned_at"),
    timestamp("available_at"),
    timestamp("expires_at"),
    json_value("reversals"),
    version(),
    # The release job looks for what is due; the tier sums a customer's recent spend.
    sa.Index(None, "status", "available_at"),
    sa.Index(None, "customer_id", "earned_at"),
)

loyalty_earning_lines = sa.Table(
    "loyalty_earning_lines", metadata,
    parent("earning_id", "loyalty_earnings"),
    position(),
    text("line_id"),
    text("sku"),
    integer("quantity"),
    amount("value"),
    amount("points"),
    integer("returned"),
)

loyalty_entries = sa.Table(
    "loyalty_entries", metadata,
    key(),
    text("customer_id"),
    text("kind"),
    amount("points"),
    text("status"),
    amount("balance_after"),
    text("source"),
    text("source_id"),
    long_text("description"),
    timestamp("created_at"),
    amount("debt"),
    version(),
    sa.Index(None, "customer_id", "created_at"),
)

loyalty_campaigns = sa.Table(
    "loyalty_campaigns", metadata,
    key(),
    long_text("name"),
    text("kind"),
    integer("multiplier"),
    amount("bonus_points"),
    amount("min_purchase"),
    text("currency"),
    json_value("eligible_tiers"),
    timestamp("starts_at"),
    timestamp("ends_at"),
    amount("budget", nullable=True),
    amount("awarded"),
    flag("active"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
)

loyalty_referrals = sa.Table(
    "loyalty_referrals", metadata,
    key(),
    text("referrer_id"),
    sa.Column("referee_id", sa.String, nullable=False, unique=True),
    text("status"),
    amount("referrer_points"),
    amount("referee_points"),
    timestamp("created_at"),
    timestamp("expires_at"),
    timestamp("completed_at", nullable=True),
    text("order_id", nullable=True),
    version(),
    sa.Index(None, "referrer_id", "created_at"),
)
