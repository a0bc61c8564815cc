"""What a checkout's gateway needs to authorize, kept with the checkout so a resumed one asks
the same: the shopper's address and the provider's token of their instrument.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("checkouts", sa.Column("client_ip", sa.String(), nullable=True))
    op.add_column("checkouts", sa.Column("payment_token", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("payment_token")
        batch.drop_column("client_ip")
