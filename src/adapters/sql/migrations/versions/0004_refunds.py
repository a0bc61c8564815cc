"""Refunds: partial and repeated refunds of a captured payment, each with the gateway's answer,
and the amount a payment has refunded (or is refunding) so far.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, like the revisions before it, so it stays what it is when tables change later.
TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    # Payments refunded in full before this revision count their whole amount as refunded.
    op.add_column("payments", sa.Column("refunded_amount", sa.BigInteger(), nullable=False,
                                        server_default="0"))
    op.execute("UPDATE payments SET refunded_amount = amount WHERE status = 'refunded'")
    op.create_table(
        "refunds",
        _text("id"), _text("payment_id"), _text("order_id"),
        sa.Column("amount", sa.BigInteger(), nullable=False), _text("currency"),
        _text("idempotency_key"), sa.Column("reason", sa.Text(), nullable=False),
        _text("status"), _text("reference", nullable=True),
        _text("decline_code", nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.UniqueConstraint("idempotency_key", name="uq_refunds_idempotency_key"),
    )
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id"])


def downgrade() -> None:
    op.drop_index("ix_refunds_payment_id", table_name="refunds")
    op.drop_table("refunds")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("refunded_amount")
