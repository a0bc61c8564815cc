"""Reference versions: one row per kind of the shop's reference data (tax rules, price rules,
promotions with their campaigns, warehouses), moved by triggers in the transaction of every
write to those tables, whichever process writes (ADR 0036).

Usage counters (`promotions.current_usage_count`, `campaigns.budget_used_amount`) move with
every order that uses a promotion: an update of those columns alone moves no version, so the
rules a checkout reads stay cached while their usage is counted.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("tax", "price_rules", "promotions", "warehouses")

# (table, kind, the columns whose update moves the version; None: any column). A column added
# to a watched table later joins its list here in a migration of its own (the test of this
# migration fails until it does).
WATCHED: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("tax_rules", "tax", None),
    ("price_rules", "price_rules", None),
    ("warehouses", "warehouses", None),
    ("promotions", "promotions", (
        "id", "campaign_id", "name", "description", "rule_kind", "discount_type", "benefit",
        "scope", "conditions", "minimum_order_amount", "maximum_discount_amount",
        "limits_currency", "customer_segments", "usage_limit_per_customer",
        "total_usage_limit", "is_stackable", "requires_coupon", "stop_rules_processing",
        "priority", "starts_at", "ends_at", "is_active", "created_at", "updated_at", "version",
    )),
    ("campaigns", "promotions", (
        "id", "name", "campaign_type", "description", "starts_at", "ends_at",
        "budget_limit_amount", "budget_currency", "priority", "target_segments", "created_by",
        "is_active", "created_at", "updated_at", "version",
    )),
)

# PostgreSQL: once per statement; the transaction's id is never reused, so a rolled-back
# change can never lend its stamp to a committed one.
_PG_FUNCTION = """
CREATE FUNCTION reference_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_versions SET version = version + 1, stamp = txid_current()
    WHERE kind = TG_ARGV[0];
    RETURN NULL;
END
$$
"""


def _update_of(columns: tuple[str, ...] | None) -> str:
    return "UPDATE" if columns is None else f"UPDATE OF {', '.join(columns)}"


def _postgres() -> None:
    op.execute(_PG_FUNCTION)
    for table, kind, columns in WATCHED:
        op.execute(
            f"CREATE TRIGGER reference_version_{table} "
            f"AFTER INSERT OR {_update_of(columns)} OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump('{kind}')"
        )


def _sqlite() -> None:
    # SQLite has row triggers only; `random()` gives 64 bits, a fresh stamp per change.
    for table, kind, columns in WATCHED:
        for event in ("INSERT", _update_of(columns), "DELETE"):
            name = event.split()[0].lower()
            op.execute(
                f"CREATE TRIGGER reference_version_{table}_{name} AFTER {event} ON {table} "
                f"BEGIN UPDATE reference_versions SET version = version + 1, stamp = random() "
                f"WHERE kind = '{kind}'; END"
            )


def upgrade() -> None:
    table = op.create_table(
        "reference_versions",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_reference_versions"),
    )
    op.bulk_insert(table, [{"kind": kind, "version": 0, "stamp": 0} for kind in KINDS])
    if op.get_bind().dialect.name == "postgresql":
        _postgres()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _, _ in WATCHED:
            op.execute(f"DROP TRIGGER reference_version_{table} ON {table}")
        op.execute("DROP FUNCTION reference_version_bump()")
    else:
        for table, _, _ in WATCHED:
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER reference_version_{table}_{name}")
    op.drop_table("reference_versions")
