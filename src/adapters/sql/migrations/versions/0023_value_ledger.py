"""The value ledger (accounts, postings and their legs, lots, holds), gift cards, and the
stored-value tenders of a checkout.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _amount(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "value_accounts",
        _text("id"), _text("kind"), _text("owner"), _text("unit"), _amount("balance"),
        _amount("held"), _time("created_at"),
        sa.CheckConstraint("kind = 'system' OR (held >= 0 AND balance >= held)",
                           name=op.f("ck_value_accounts_covered")),
        sa.PrimaryKeyConstraint("id", name="pk_value_accounts"),
        sa.UniqueConstraint("kind", "owner", "unit", name="uq_value_accounts_kind_owner_unit"),
    )
    op.create_table(
        "value_postings",
        _text("id"), _text("account_id"), _text("kind"), _amount("amount"),
        _text("from_account"), _text("to_account"), _text("source"), _text("source_id"),
        sa.Column("memo", sa.Text(), nullable=False), _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_value_postings"),
        sa.UniqueConstraint("account_id", "source", "source_id", "kind",
                            name="uq_value_postings_account_id_source_source_id_kind"),
    )
    op.create_table(
        "value_entries",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        _text("id"), _text("posting_id"), _text("account_id"), _amount("amount"),
        _amount("balance_after"), _text("kind"), _text("source"), _text("source_id"),
        sa.Column("memo", sa.Text(), nullable=False), _time("created_at"),
        sa.PrimaryKeyConstraint("seq", name="pk_value_entries"),
    )
    op.create_index("ix_value_entries_account_id_seq", "value_entries", ["account_id", "seq"])
    op.create_table(
        "value_lots",
        _text("id"), _text("account_id"), _text("posting_id"), _amount("amount"),
        _amount("remaining"), _time("expires_at", True), _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_value_lots"),
    )
    op.create_index("ix_value_lots_account_id", "value_lots", ["account_id"])
    op.create_index("ix_value_lots_expires_at", "value_lots", ["expires_at"])
    op.create_table(
        "value_holds",
        _text("id"), _text("account_id"), _text("reference"), _amount("amount"),
        _text("status"), _time("expires_at", True), _time("created_at"),
        _time("settled_at", True),
        sa.PrimaryKeyConstraint("id", name="pk_value_holds"),
        sa.UniqueConstraint("account_id", "reference",
                            name="uq_value_holds_account_id_reference"),
    )
    op.create_index("ix_value_holds_reference", "value_holds", ["reference"])
    op.create_table(
        "gift_cards",
        _text("id"), _text("code_digest"), _text("last4"), _text("currency"),
        _amount("initial_value"), _text("account_id"), _text("customer_id", True),
        _text("status"), _time("issued_at"), _time("expires_at", True), _text("issued_by"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gift_cards"),
        sa.UniqueConstraint("code_digest", name="uq_gift_cards_code_digest"),
    )
    op.create_index("ix_gift_cards_customer_id", "gift_cards", ["customer_id"])
    op.create_index("ix_gift_cards_last4", "gift_cards", ["last4"])
    op.create_table(
        "payment_tenders",
        _text("id"), _text("order_id"), _text("checkout_id"), _text("kind"),
        _text("account_id"), _amount("units"), _amount("value"), _text("currency"),
        _text("status"), _time("created_at"), _time("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_tenders"),
    )
    op.create_index("ix_payment_tenders_order_id", "payment_tenders", ["order_id"])
    op.create_table(
        "payment_tender_refunds",
        _text("tender_id"), sa.Column("position", sa.Integer(), nullable=False),
        _text("source_id"), _amount("units"), _amount("value"),
        sa.ForeignKeyConstraint(["tender_id"], ["payment_tenders.id"], ondelete="CASCADE",
                                name="fk_payment_tender_refunds_tender_id_payment_tenders"),
        sa.PrimaryKeyConstraint("tender_id", "position", name="pk_payment_tender_refunds"),
    )
    op.add_column("checkouts", sa.Column("stored_value", sa.BigInteger(), nullable=False,
                                         server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch:
        batch.drop_column("stored_value")
    for table in ("payment_tender_refunds", "payment_tenders", "gift_cards"):
        op.drop_table(table)
    for table in ("value_holds", "value_lots", "value_entries", "value_postings",
                  "value_accounts"):
        op.drop_table(table)
