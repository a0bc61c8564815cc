"""Reviews: one row per review (one live review per customer and product: `live_key` unique),
its votes, reports and moderation records, and one rating summary per product; search
documents gain the rating and review count they are filtered and sorted by.

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
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


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _child(table: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        table,
        _text("review_id"), _int("position"), *columns,
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], ondelete="CASCADE",
                                name=f"fk_{table}_review_id_reviews"),
        sa.PrimaryKeyConstraint("review_id", "position", name=f"pk_{table}"),
    )


_INDEXES = (("product_id", "status", "created_at"), ("status", "created_at"), ("order_id",),
            ("customer_id", "created_at"))


def upgrade() -> None:
    # Search documents carry the reviews' average and count, to filter and sort by rating.
    with op.batch_alter_table("search_documents") as batch:
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("review_count", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.create_index("ix_search_documents_status_rating", "search_documents",
                    ["status", "rating"])
    op.create_table(
        "reviews",
        _text("id"), _text("product_id"), _text("customer_id"), _text("order_id"),
        _int("rating"), _long("title"), _long("content"), _long("images"), _long("pros"),
        _long("cons"), sa.Column("recommended", sa.Boolean(), nullable=True),
        _flag("is_anonymous"), _flag("is_verified"), _text("status"), _time("delivered_at"),
        _time("created_at"), _time("updated_at"), _text("live_key", nullable=True),
        _int("helpful_count"), _int("not_helpful_count"), _int("report_count"),
        _int("risk_score", nullable=True), _long("moderation_reason", nullable=True),
        _text("moderated_by", nullable=True), _time("moderated_at", nullable=True),
        _long("reply", nullable=True), _text("replied_by", nullable=True),
        _time("replied_at", nullable=True), _time("deleted_at", nullable=True),
        _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("live_key", name="uq_reviews_live_key"),
    )
    for columns in _INDEXES:
        op.create_index(f"ix_reviews_{'_'.join(columns)}", "reviews", list(columns))
    _child("review_votes", _text("user_id"), _flag("is_helpful"), _time("voted_at"))
    _child("review_reports", _text("reporter_id"), _text("reason"), _long("description"),
           _time("created_at"))
    _child("review_moderation", _text("id"), _text("action"), _long("reason"),
           _text("moderator_id", nullable=True), _flag("is_auto"),
           _int("score", nullable=True), _time("decided_at"))
    op.create_table(
        "review_rating_summaries",
        _text("id"), _int("rating1"), _int("rating2"), _int("rating3"), _int("rating4"),
        _int("rating5"), _int("verified_count"), _time("last_calculated_at", nullable=True),
        _int("version"),
        sa.PrimaryKeyConstraint("id", name="pk_review_rating_summaries"),
    )


def downgrade() -> None:
    op.drop_table("review_rating_summaries")
    for table in ("review_moderation", "review_reports", "review_votes"):
        op.drop_table(table)
    for columns in _INDEXES:
        op.drop_index(f"ix_reviews_{'_'.join(columns)}", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_search_documents_status_rating", table_name="search_documents")
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("review_count")
        batch.drop_column("rating")
