"""Guest carts are reached with an access token: the cart keeps the token's SHA-256, never the
token. Carts opened before have none; only their customer (or staff, through `/admin`) reaches
them (ADR 0017).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("carts", sa.Column("access_token_hash", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("carts") as batch:
        batch.drop_column("access_token_hash")
