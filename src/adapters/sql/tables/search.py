"""Tables of search, on the shared `metadata`: the product documents with their facet values,
stock and vocabulary, and the search log.

Engine-specific objects live beside them, created by migration 0005 with dialect DDL and not
declared here: on SQLite the FTS5 table `search_fts` (rowid = `search_documents.seq`), on
PostgreSQL the `tsv` and `name_tsv` tsvector columns of `search_documents` with their GIN
indexes and a pg_trgm index over the vocabulary.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.columns import JsonText, UtcDateTime
from adapters.sql.tables import metadata

search_documents = sa.Table(
    "search_documents", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("product_id", sa.String(), nullable=False, unique=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("name_text", sa.String(), nullable=False),
    sa.Column("price_amount", sa.BigInteger(), nullable=False),
    sa.Column("in_stock", sa.Integer(), nullable=False),
    sa.Column("created_us", sa.BigInteger(), nullable=False),
    sa.Column("document", sa.Text(), nullable=False),
    sa.Index("ix_search_documents_status_price_amount", "status", "price_amount"),
    sa.Index("ix_search_documents_status_created_us", "status", "created_us"),
)

search_facets = sa.Table(
    "search_facets", metadata,
    sa.Column("facet", sa.String(), primary_key=True),
    sa.Column("value", sa.String(), primary_key=True),
    sa.Column("product_id", sa.String(), primary_key=True),
    sa.Index("ix_search_facets_product_id_facet", "product_id", "facet"),
)

search_stock = sa.Table(
    "search_stock", metadata,
    sa.Column("warehouse_id", sa.String(), primary_key=True),
    sa.Column("product_id", sa.String(), primary_key=True),
    sa.Column("available", sa.Integer(), nullable=False),
    sa.Index("ix_search_stock_product_id", "product_id"),
)

search_terms = sa.Table(
    "search_terms", metadata,
    sa.Column("term", sa.String(), primary_key=True),
    sa.Column("documents", sa.Integer(), nullable=False),
)

search_labels = sa.Table(
    "search_labels", metadata,
    sa.Column("kind", sa.String(), primary_key=True),
    sa.Column("label_id", sa.String(), primary_key=True),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("folded", sa.String(), nullable=False),
    sa.Column("documents", sa.Integer(), nullable=False),
)

search_log = sa.Table(
    "search_log", metadata,
    sa.Column("query_id", sa.String(), primary_key=True),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("filters", JsonText(), nullable=False),
    sa.Column("sort", sa.String(), nullable=False),
    sa.Column("result_count", sa.Integer(), nullable=False),
    sa.Column("session", sa.String(), nullable=True),
    sa.Column("latency_ms", sa.Float(), nullable=True),
    sa.Column("product_ids", JsonText(), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Index("ix_search_log_occurred_at", "occurred_at"),
)

search_interactions = sa.Table(
    "search_interactions", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("query_id", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("product_id", sa.String(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Index("ix_search_interactions_query_id", "query_id"),
)

# Created by migration 0005 for one dialect only; schema comparisons leave them out.
ENGINE_SPECIFIC = frozenset({
    "search_fts", "search_fts_data", "search_fts_idx", "search_fts_content",
    "search_fts_docsize", "search_fts_config", "tsv", "name_tsv", "ix_search_documents_tsv",
    "ix_search_documents_name_tsv", "ix_search_terms_term_trgm",
})
