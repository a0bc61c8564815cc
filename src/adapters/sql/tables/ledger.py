"""Value ledger tables: accounts with their counters, postings (unique per account, source,
source id and kind, which makes every movement idempotent), their legs, lots and holds. The
check on `value_accounts` is the last line behind the guarded updates: a value account's
active holds never exceed its balance, nor go below zero."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import amount, key, long_text, text, timestamp

value_accounts = sa.Table(
    "value_accounts", metadata,
    key(),
    text("kind"),
    text("owner"),
    text("unit"),
    amount("balance"),
    amount("held"),
    timestamp("created_at"),
    sa.UniqueConstraint("kind", "owner", "unit"),
    sa.CheckConstraint("kind = 'system' OR (held >= 0 AND balance >= held)", name="covered"),
)

value_postings = sa.Table(
    "value_postings", metadata,
    key(),
    text("account_id"),
    text("kind"),
    amount("amount"),
    text("from_account"),
    text("to_account"),
    text("source"),
    text("source_id"),
    long_text("memo"),
    timestamp("created_at"),
    sa.UniqueConstraint("account_id", "source", "source_id", "kind"),
)

value_entries = sa.Table(
    "value_entries", metadata,
    # The order legs were written in: a statement lists them newest first by it.
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    text("id"),
    text("posting_id"),
    text("account_id"),
    amount("amount"),
    amount("balance_after"),
    text("kind"),
    text("source"),
    text("source_id"),
    long_text("memo"),
    timestamp("created_at"),
    sa.Index("ix_value_entries_account_id_seq", "account_id", "seq"),
)

value_lots = sa.Table(
    "value_lots", metadata,
    key(),
    text("account_id"),
    text("posting_id"),
    amount("amount"),
    amount("remaining"),
    timestamp("expires_at", nullable=True),
    timestamp("created_at"),
    sa.Index("ix_value_lots_account_id", "account_id"),
    sa.Index("ix_value_lots_expires_at", "expires_at"),
)

value_holds = sa.Table(
    "value_holds", metadata,
    key(),
    text("account_id"),
    text("reference"),
    amount("amount"),
    text("status"),
    timestamp("expires_at", nullable=True),
    timestamp("created_at"),
    timestamp("settled_at", nullable=True),
    sa.UniqueConstraint("account_id", "reference"),
    sa.Index("ix_value_holds_reference", "reference"),
)
