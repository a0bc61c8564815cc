"""Review tables: one row per review, its votes, reports and moderation records as child
tables, and one rating summary per product. `live_key` (product and customer) is unique while
the review is not deleted (NULL after): one review per customer and product."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
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

reviews = sa.Table(
    "reviews", metadata,
    key(),
    text("product_id"),
    text("customer_id"),
    text("order_id"),
    integer("rating"),
    long_text("title"),
    long_text("content"),
    json_value("images"),
    long_text("pros"),
    long_text("cons"),
    sa.Column("recommended", sa.Boolean, nullable=True),
    flag("is_anonymous"),
    flag("is_verified"),
    text("status"),
    timestamp("delivered_at"),
    timestamp("created_at"),
    timestamp("updated_at"),
    sa.Column("live_key", sa.String, nullable=True, unique=True),
    integer("helpful_count"),
    integer("not_helpful_count"),
    integer("report_count"),
    integer("risk_score", nullable=True),
    long_text("moderation_reason", nullable=True),
    text("moderated_by", nullable=True),
    timestamp("moderated_at", nullable=True),
    long_text("reply", nullable=True),
    text("replied_by", nullable=True),
    timestamp("replied_at", nullable=True),
    timestamp("deleted_at", nullable=True),
    version(),
    # A product's page and its rating read by status; the queue by status and age; returns
    # find the reviews of an order; moderation counts a customer's recent reviews.
    sa.Index(None, "product_id", "status", "created_at"),
    sa.Index(None, "status", "created_at"),
    sa.Index(None, "order_id"),
    sa.Index(None, "customer_id", "created_at"),
)

review_votes = sa.Table(
    "review_votes", metadata,
    parent("review_id", "reviews"),
    position(),
    text("user_id"),
    flag("is_helpful"),
    timestamp("voted_at"),
)

review_reports = sa.Table(
    "review_reports", metadata,
    parent("review_id", "reviews"),
    position(),
    text("reporter_id"),
    text("reason"),
    long_text("description"),
    timestamp("created_at"),
)

review_moderation = sa.Table(
    "review_moderation", metadata,
    parent("review_id", "reviews"),
    position(),
    text("id"),
    text("action"),
    long_text("reason"),
    text("moderator_id", nullable=True),
    flag("is_auto"),
    integer("score", nullable=True),
    timestamp("decided_at"),
)

rating_summaries = sa.Table(
    "review_rating_summaries", metadata,
    key(),  # the product's id
    integer("rating1"),
    integer("rating2"),
    integer("rating3"),
    integer("rating4"),
    integer("rating5"),
    integer("verified_count"),
    timestamp("last_calculated_at", nullable=True),
    version(),
)
