"""Fraud: the risk assessment of each order (score, decision, signals as JSON, the keys later
checks count by, and the staff review of held orders).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        _text("id"), _text("order_id"), _text("checkout_id"),
        sa.Column("amount", sa.BigInteger(), nullable=False), _text("currency"),
        sa.Column("score", sa.Integer(), nullable=False), _text("decision"),
        sa.Column("signals", sa.Text(), nullable=False),
        _text("email", nullable=True), _text("client_ip", nullable=True),
        _text("card_hash", nullable=True), _text("review"),
        _text("reviewed_by", nullable=True), sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_assessments"),
        sa.UniqueConstraint("order_id", name="uq_risk_assessments_order_id"),
    )
    op.create_index("ix_risk_assessments_email", "risk_assessments", ["email"])
    op.create_index("ix_risk_assessments_client_ip", "risk_assessments", ["client_ip"])
    op.create_index("ix_risk_assessments_card_hash", "risk_assessments", ["card_hash"])
    op.create_index("ix_risk_assessments_review_created_at", "risk_assessments",
                    ["review", "created_at"])


def downgrade() -> None:
    for index in ("review_created_at", "card_hash", "client_ip", "email"):
        op.drop_index(f"ix_risk_assessments_{index}", table_name="risk_assessments")
    op.drop_table("risk_assessments")
