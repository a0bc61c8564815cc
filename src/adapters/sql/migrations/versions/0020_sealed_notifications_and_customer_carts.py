"""A notification may carry secret variables (a one-time link) sealed until it is sent, then
erased: the column holds the ciphertext, "" once erased, NULL for ordinary messages. Carts are
found by customer and status (a guest cart merges into the customer's active cart). A session
remembers when its account last proved itself (step-up re-authentication).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("sealed_data", sa.Text(), nullable=True))
    op.create_index("ix_carts_customer_id_status", "carts", ["customer_id", "status"])
    op.add_column("sessions", sa.Column("authenticated_at", sa.DateTime(timezone=True),
                                        nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("authenticated_at")
    op.drop_index("ix_carts_customer_id_status", table_name="carts")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("sealed_data")
