"""Search: product documents with their facet values, stock per warehouse, vocabulary and
labels for autocomplete, the search log; full text per dialect (SQLite FTS5, PostgreSQL
tsvector with GIN indexes and pg_trgm over the vocabulary when the extension can be created).
Documents are filled by `commerce search reindex` (or by events as products change).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _int(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("seq", SEQ, autoincrement=True), _text("product_id"), _text("status"),
        _text("name_text"), sa.Column("price_amount", sa.BigInteger(), nullable=False),
        _int("in_stock"), sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False), _pk("search_documents", "seq"),
        sa.UniqueConstraint("product_id", name="uq_search_documents_product_id"),
    )
    op.create_index("ix_search_documents_status_price_amount", "search_documents",
                    ["status", "price_amount"])
    op.create_index("ix_search_documents_status_created_us", "search_documents",
                    ["status", "created_us"])
    op.create_table(
        "search_facets", _text("facet"), _text("value"), _text("product_id"),
        _pk("search_facets", "facet", "value", "product_id"),
    )
    op.create_index("ix_search_facets_product_id_facet", "search_facets",
                    ["product_id", "facet"])
    op.create_table(
        "search_stock", _text("warehouse_id"), _text("product_id"), _int("available"),
        _pk("search_stock", "warehouse_id", "product_id"),
    )
    op.create_index("ix_search_stock_product_id", "search_stock", ["product_id"])
    op.create_table("search_terms", _text("term"), _int("documents"),
                    _pk("search_terms", "term"))
    op.create_table(
        "search_labels", _text("kind"), _text("label_id"), _text("text"), _text("folded"),
        _int("documents"), _pk("search_labels", "kind", "label_id"),
    )
    op.create_table(
        "search_log", _text("query_id"), _text("text"),
        sa.Column("filters", sa.Text(), nullable=False), _text("sort"), _int("result_count"),
        _text("session", nullable=True), sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("product_ids", sa.Text(), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False), _pk("search_log", "query_id"),
    )
    op.create_index("ix_search_log_occurred_at", "search_log", ["occurred_at"])
    op.create_table(
        "search_interactions", sa.Column("seq", SEQ, autoincrement=True), _text("query_id"),
        _text("kind"), _text("product_id"), _int("position", nullable=True),
        sa.Column("occurred_at", TIME, nullable=False), _pk("search_interactions", "seq"),
    )
    op.create_index("ix_search_interactions_query_id", "search_interactions", ["query_id"])
    if op.get_bind().dialect.name == "sqlite":
        # Columns in weight order (name, brand, categories, attributes, description); the
        # texts are folded before they arrive, so the default tokenizer needs no diacritics.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "name, brand, categories, attributes, description, prefix='2 3')"
        )
        return
    op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector NOT NULL, "
               "ADD COLUMN name_tsv tsvector NOT NULL")
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_documents_name_tsv ON search_documents "
               "USING gin (name_tsv)")
    bind = op.get_bind()
    trigrams = bind.execute(sa.text(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if trigrams:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # The extension may live in another schema than this one (`public`): name it.
        schema = bind.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar()
        op.execute(f'CREATE INDEX ix_search_terms_term_trgm ON search_terms '
                   f'USING gin (term "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    for table in ("search_interactions", "search_log", "search_labels", "search_terms",
                  "search_stock", "search_facets", "search_documents"):
        op.drop_table(table)
