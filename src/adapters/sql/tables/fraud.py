"""Fraud tables: the risk assessment of each order, with its signals as JSON."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    amount,
    integer,
    json_value,
    key,
    long_text,
    text,
    timestamp,
    version,
)

risk_assessments = sa.Table(
    "risk_assessments", metadata,
    key(),
    sa.Column("order_id", sa.String, nullable=False, unique=True),
    text("checkout_id"),
    amount("amount"),
    text("currency"),
    integer("score"),
    text("decision"),
    json_value("signals"),  # [{name, points, explanation, available}], as assessed
    text("email", nullable=True),
    text("client_ip", nullable=True),
    text("card_hash", nullable=True),  # a digest of the gateway's fingerprint
    text("review"),
    text("reviewed_by", nullable=True),
    long_text("review_note", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    # The velocity and history read looks assessments up by each key; the queue by review.
    sa.Index(None, "email"),
    sa.Index(None, "client_ip"),
    sa.Index(None, "card_hash"),
    sa.Index(None, "review", "created_at"),
)
