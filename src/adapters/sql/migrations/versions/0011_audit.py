"""Audit: the hash-chained entries and the chain head, append-only by trigger.

`audit_head` holds one row (id 1) from the start: every append locks it, so appends serialise
and the chain never forks. Triggers refuse UPDATE and DELETE of entries and DELETE of the head
on both backends; the hash chain detects what someone with the rights to drop them changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
GENESIS = "0" * 64


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        _text("id"),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        _text("actor_kind"), _text("actor_id", nullable=True),
        sa.Column("actor_roles", sa.Text(), nullable=False),
        _text("action"), _text("entity_type", nullable=True), _text("entity_id", nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        _text("severity"), _text("ip", nullable=True), _text("session_id", nullable=True),
        _text("request_id", nullable=True), _text("prev_hash"), _text("hash"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
        sa.UniqueConstraint("sequence", name="uq_audit_entries_sequence"),
    )
    op.create_index("ix_audit_entries_actor_id_sequence", "audit_entries",
                    ["actor_id", "sequence"])
    op.create_index("ix_audit_entries_action_sequence", "audit_entries", ["action", "sequence"])
    op.create_index("ix_audit_entries_entity_type_entity_id_sequence", "audit_entries",
                    ["entity_type", "entity_id", "sequence"])
    op.create_index("ix_audit_entries_occurred_at", "audit_entries", ["occurred_at"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        _text("hash"), _text("entry_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(head, [{"id": 1, "sequence": 0, "hash": GENESIS, "entry_id": None}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$
        """)
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON "
                   "audit_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
        op.execute("CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
    else:
        for name, event, table in (("audit_entries_no_update", "UPDATE", "audit_entries"),
                                   ("audit_entries_no_delete", "DELETE", "audit_entries"),
                                   ("audit_head_kept", "DELETE", "audit_head")):
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN "
                       f"SELECT RAISE(ABORT, 'audit log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_head_kept ON audit_head")
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_append_only()")
    op.drop_table("audit_head")
    for index in ("occurred_at", "entity_type_entity_id_sequence", "action_sequence",
                  "actor_id_sequence"):
        op.drop_index(f"ix_audit_entries_{index}", table_name="audit_entries")
    op.drop_table("audit_entries")
