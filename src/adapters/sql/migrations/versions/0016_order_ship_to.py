"""An order keeps where its goods go (the shipping address, as a JSON value object) and the
shipping method the shopper chose. Orders placed before have neither.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("ship_to", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("shipping_method", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("shipping_method")
        batch.drop_column("ship_to")
