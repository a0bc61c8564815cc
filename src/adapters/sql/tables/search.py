"""Tables of search, on the shared `metadata`: the product documents with their facet values
and the warehouses they are in stock in, the name prefixes autocomplete walks, the vocabulary,
and the search log.

Engine-specific objects live beside them, created by migration 0005 with dialect DDL and not
declared here: on SQLite the FTS5 table `search_fts` (rowid = `search_documents.seq`), on
PostgreSQL the `tsv` tsvector column of `search_documents` with its GIN index (without a
pending list since 0006, which also dropped the name-only `name_tsv` autocomplete no longer
reads) and a pg_trgm index over the vocabulary.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from adapters.sql.columns import JsonText, UtcDateTime
from adapters.sql.tables import metadata


def _texts() -> sa.types.TypeEngine[Any]:
    """A list of strings: `text[]` on PostgreSQL, a JSON array in a text column on SQLite."""
    return sa.Text().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


def _ordered() -> sa.types.TypeEngine[str]:
    """Text that sorts by code point, as the memory index sorts (collation "C" on PostgreSQL;
    SQLite's default, BINARY, already does), so an index on it serves `ORDER BY`."""
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


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
    # The reviews' average in hundredths of a star and their number (filter and sort).
    sa.Column("rating", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("review_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("document", sa.Text(), nullable=False),
    # The facet values, on the row so that facets count from the text matches alone: the brand,
    # the category path, attribute values as `<len(key)>:<key>:<value>` (unambiguous whatever
    # the key holds), and the warehouses with units available.
    sa.Column("facet_brand", sa.String(), nullable=True),
    sa.Column("facet_categories", _texts(), nullable=False),
    sa.Column("facet_attributes", _texts(), nullable=False),
    sa.Column("stocked_warehouses", _texts(), nullable=False),
    sa.Index("ix_search_documents_status_price_amount", "status", "price_amount"),
    sa.Index("ix_search_documents_status_created_us", "status", "created_us"),
    sa.Index("ix_search_documents_status_rating", "status", "rating"),
)

# Autocomplete: one row per active document and distinct two-letter start of a name word (the
# word itself when it has one letter), in suggestion order under each prefix, so the first
# suggestions for a typed word are the first rows of its prefix that hold every typed word.
search_name_prefixes = sa.Table(
    "search_name_prefixes", metadata,
    sa.Column("product_id", _ordered(), primary_key=True),
    sa.Column("prefix", sa.String(), primary_key=True),
    sa.Column("out_of_stock", sa.Integer(), nullable=False),
    sa.Column("name_text", _ordered(), nullable=False),
    sa.Index("ix_search_name_prefixes_suggestion_order",
              "prefix", "out_of_stock", "name_text", "product_id"),
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
    "search_fts_docsize", "search_fts_config", "tsv", "ix_search_documents_tsv",
    "ix_search_terms_term_trgm",
})
