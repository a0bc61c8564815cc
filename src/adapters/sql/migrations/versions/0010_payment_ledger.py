"""Payment ledger: an append-only transaction per authorization, capture, void, refund and
expiry; captures in parts (`captured_amount`), the capture awaiting a retry, and when the hold
was made (for its expiry).

Payments captured before this revision count their whole amount as captured; their ledger starts
empty (the history of their refunds stays in `refunds`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)

_APPEND_ONLY = """
CREATE FUNCTION payment_transactions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'payment_transactions is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payment_transactions_append_only
    BEFORE UPDATE OR DELETE ON payment_transactions
    FOR EACH ROW EXECUTE FUNCTION payment_transactions_append_only();
"""


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("captured_amount", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("capture_pending", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("capture_final", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("capture_attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("capture_retry_at", TIME, nullable=True))
        batch.add_column(sa.Column("authorized_at", TIME, nullable=True))
        batch.add_column(sa.Column("collection_difference", sa.BigInteger(), nullable=False,
                                   server_default="0"))
    op.create_index("ix_payments_capture_retry_at", "payments", ["capture_retry_at"])
    op.create_index("ix_payments_gateway_status_authorized_at", "payments",
                    ["gateway", "status", "authorized_at"])
    op.execute("UPDATE payments SET captured_amount = amount "
               "WHERE status IN ('captured', 'partially_refunded', 'refunded')")
    op.execute("UPDATE payments SET authorized_at = updated_at WHERE status = 'authorized'")
    op.create_table(
        "payment_transactions",
        sa.Column("payment_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("refund_id", sa.String(), nullable=True),
        sa.Column("failure_code", sa.String(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], ondelete="CASCADE",
                                name="fk_payment_transactions_payment_id_payments"),
        sa.PrimaryKeyConstraint("payment_id", "position", name="pk_payment_transactions"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER payment_transactions_append_only ON payment_transactions")
        op.execute("DROP FUNCTION payment_transactions_append_only()")
    op.drop_table("payment_transactions")
    op.drop_index("ix_payments_gateway_status_authorized_at", table_name="payments")
    op.drop_index("ix_payments_capture_retry_at", table_name="payments")
    with op.batch_alter_table("payments") as batch:
        for column in ("collection_difference", "authorized_at", "capture_retry_at",
                       "capture_attempts", "capture_final", "capture_pending",
                       "captured_amount"):
            batch.drop_column(column)
