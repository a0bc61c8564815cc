"""Search reads facets from the document row and autocompletes from name prefixes.

Each document carries its facet values (`facet_brand`, `facet_categories`, `facet_attributes`)
and the warehouses it is in stock in (`stocked_warehouses`): `text[]` on PostgreSQL, a JSON
array on SQLite; they replace `search_facets` and `search_stock`, so facets count from the text
matches alone. `search_name_prefixes` holds one row per active document and distinct two-letter
start of a name word, in suggestion order, for autocomplete, which no longer reads PostgreSQL's
`name_tsv` (dropped with its index). On PostgreSQL the text index stops buffering inserts in a
pending list every query would scan (`fastupdate = off`). Existing documents are filled from
their stored JSON; a reindex (`commerce search reindex`) also lays them out in name order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, like the revisions before it, so it stays what it is when tables change later.
LISTS = ("facet_categories", "facet_attributes", "stocked_warehouses")
TEXT_INDEX = "ix_search_documents_tsv"


def _ordered(name: str, postgres: bool) -> sa.Column[str]:
    """Text in code-point order (collation "C" on PostgreSQL), so its index serves ORDER BY."""
    kind = sa.String(collation="C") if postgres else sa.String()
    return sa.Column(name, kind, nullable=False)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("search_documents", sa.Column("facet_brand", sa.String(), nullable=True))
    for column in LISTS:
        # A default fills the rows already there; PostgreSQL drops it once they are filled.
        kind, empty = ("text[]", "'{}'") if postgres else ("TEXT", "'[]'")
        op.execute(f"ALTER TABLE search_documents ADD COLUMN {column} {kind} NOT NULL "
                   f"DEFAULT {empty}")
    op.create_table(
        "search_name_prefixes", _ordered("product_id", postgres),
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("out_of_stock", sa.Integer(), nullable=False),
        _ordered("name_text", postgres),
        sa.PrimaryKeyConstraint("product_id", "prefix", name="pk_search_name_prefixes"),
    )
    op.create_index("ix_search_name_prefixes_suggestion_order",
                    "search_name_prefixes", ["prefix", "out_of_stock", "name_text", "product_id"])
    if postgres:
        # Dropped first, so that filling the rows neither copies nor indexes it.
        op.execute("DROP INDEX ix_search_documents_name_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN name_tsv")
        _fill_postgres()
        for column in LISTS:
            op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} DROP DEFAULT")
        # After the fill: its new row versions went through the pending list, emptied here.
        op.execute(f"ALTER INDEX {TEXT_INDEX} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('{TEXT_INDEX}'::regclass)")
    else:
        _fill_sqlite()
    op.drop_table("search_facets")
    op.drop_table("search_stock")


def _fill_postgres() -> None:
    op.execute("""
        UPDATE search_documents SET
          facet_brand = NULLIF(document::jsonb ->> 'brand', ''),
          facet_categories = ARRAY(SELECT DISTINCT c FROM
            jsonb_array_elements_text(document::jsonb -> 'category_path') c),
          facet_attributes = ARRAY(SELECT DISTINCT length(a.key) || ':' || a.key || ':' || v
            FROM jsonb_each(document::jsonb -> 'attributes') a,
                 jsonb_array_elements_text(a.value) v),
          stocked_warehouses = ARRAY(SELECT s.key FROM jsonb_each(document::jsonb -> 'stock') s
            WHERE (s.value)::int > 0)
    """)
    op.execute("""
        INSERT INTO search_name_prefixes (product_id, prefix, out_of_stock, name_text)
        SELECT DISTINCT d.product_id, left(w, 2), 1 - d.in_stock, d.name_text
        FROM search_documents d, regexp_split_to_table(d.name_text, ' ') w
        WHERE d.status = 'active' AND w <> ''
    """)


def _fill_sqlite() -> None:
    op.execute("""
        UPDATE search_documents SET
          facet_brand = NULLIF(json_extract(document, '$.brand'), ''),
          facet_categories = (SELECT json_group_array(DISTINCT value)
            FROM json_each(document, '$.category_path')),
          facet_attributes = (SELECT json_group_array(DISTINCT length(a.key) || ':' || a.key
            || ':' || v.value) FROM json_each(document, '$.attributes') a, json_each(a.value) v),
          stocked_warehouses = (SELECT json_group_array(key) FROM json_each(document, '$.stock')
            WHERE value > 0)
    """)
    op.execute("""
        INSERT INTO search_name_prefixes (product_id, prefix, out_of_stock, name_text)
        WITH RECURSIVE words (product_id, out_of_stock, name_text, word, rest) AS (
          SELECT product_id, 1 - in_stock, name_text, '', name_text || ' '
          FROM search_documents WHERE status = 'active'
          UNION ALL
          SELECT product_id, out_of_stock, name_text, substr(rest, 1, instr(rest, ' ') - 1),
                 substr(rest, instr(rest, ' ') + 1)
          FROM words WHERE rest <> '')
        SELECT DISTINCT product_id, substr(word, 1, 2), out_of_stock, name_text FROM words
        WHERE word <> ''
    """)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_facets", sa.Column("facet", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("facet", "value", "product_id", name="pk_search_facets"),
    )
    op.create_index("ix_search_facets_product_id_facet", "search_facets",
                    ["product_id", "facet"])
    op.create_table(
        "search_stock", sa.Column("warehouse_id", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("warehouse_id", "product_id", name="pk_search_stock"),
    )
    op.create_index("ix_search_stock_product_id", "search_stock", ["product_id"])
    if postgres:
        op.execute("""
            INSERT INTO search_facets (facet, value, product_id)
            SELECT 'category', c, d.product_id FROM search_documents d,
              unnest(d.facet_categories) c
            UNION SELECT 'brand', d.facet_brand, d.product_id FROM search_documents d
              WHERE d.facet_brand IS NOT NULL
            UNION SELECT 'attr:' || a.key, v, d.product_id FROM search_documents d,
              jsonb_each(d.document::jsonb -> 'attributes') a, jsonb_array_elements_text(a.value) v
        """)
        op.execute("""
            INSERT INTO search_stock (warehouse_id, product_id, available)
            SELECT s.key, d.product_id, (s.value)::int FROM search_documents d,
              jsonb_each(d.document::jsonb -> 'stock') s
        """)
        op.execute(f"ALTER INDEX {TEXT_INDEX} RESET (fastupdate)")
        op.execute("ALTER TABLE search_documents ADD COLUMN name_tsv tsvector")
        op.execute("UPDATE search_documents SET name_tsv = to_tsvector('simple', name_text)")
        op.execute("ALTER TABLE search_documents ALTER COLUMN name_tsv SET NOT NULL")
        op.execute("CREATE INDEX ix_search_documents_name_tsv ON search_documents "
                   "USING gin (name_tsv)")
    else:
        op.execute("""
            INSERT INTO search_facets (facet, value, product_id)
            SELECT 'category', c.value, d.product_id FROM search_documents d,
              json_each(d.facet_categories) c
            UNION SELECT 'brand', d.facet_brand, d.product_id FROM search_documents d
              WHERE d.facet_brand IS NOT NULL
            UNION SELECT 'attr:' || a.key, v.value, d.product_id FROM search_documents d,
              json_each(d.document, '$.attributes') a, json_each(a.value) v
        """)
        op.execute("""
            INSERT INTO search_stock (warehouse_id, product_id, available)
            SELECT s.key, d.product_id, s.value FROM search_documents d,
              json_each(d.document, '$.stock') s
        """)
    op.drop_index("ix_search_name_prefixes_suggestion_order",
                  "search_name_prefixes")
    op.drop_table("search_name_prefixes")
    for column in ("stocked_warehouses", "facet_attributes", "facet_categories", "facet_brand"):
        op.execute(f"ALTER TABLE search_documents DROP COLUMN {column}")
