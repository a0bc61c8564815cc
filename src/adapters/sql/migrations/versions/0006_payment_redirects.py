"""Redirect payments: where the shopper pays while a payment requires action, and payments
found by the reference their gateway's signals quote.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("redirect_url", sa.Text(), nullable=True))
    op.create_index("ix_payments_gateway_reference", "payments", ["gateway", "reference"])


def downgrade() -> None:
    op.drop_index("ix_payments_gateway_reference", table_name="payments")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("redirect_url")
