"""Gift card tables: the code only as its peppered digest (unique) and last four characters;
the value lives in the card's ledger account."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import amount, key, long_text, text, timestamp, version

gift_cards = sa.Table(
    "gift_cards", metadata,
    key(),
    sa.Column("code_digest", sa.String, nullable=False, unique=True),
    text("last4"),
    text("currency"),
    amount("initial_value"),
    text("account_id"),
    text("customer_id", nullable=True),
    text("status"),
    timestamp("issued_at"),
    timestamp("expires_at", nullable=True),
    text("issued_by"),
    long_text("note"),
    version(),
    sa.Index(None, "customer_id"),
    sa.Index(None, "last4"),
)
