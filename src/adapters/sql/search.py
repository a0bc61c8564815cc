"""The search index and the search log in SQL: SQLite FTS5 or PostgreSQL tsvector + GIN.

Texts are folded and tokenised in Python (`analysis.tokens`) before they are stored, so both
engines see the same words and accents never matter. Every query word is a prefix: FTS5
`"word"*` (with prefix indexes for 2 and 3 letters), PostgreSQL `word:*`.

A search is one statement: the text matches are read once (a materialized CTE holding, per
match, its facet values from the document row and whether it passes each filter), then the
page and every facet, each under every filter but its own, are counted from them. Autocomplete
walks `search_name_prefixes` under the two-letter start of the longest typed word, in
suggestion order, and stops at the first rows whose name holds every typed word. The
vocabulary (`search_terms`) and the brand and category labels (`search_labels`) are counted as
documents come and go; spelling corrections draw candidates from the vocabulary (narrowed by
trigram similarity where pg_trgm is installed).

Writes go through the caller's transaction when it is a SQL unit of work (`within=`), so a
document commits with the projector's inbox row; queries read on their own connections (on
SQLite without taking the write lock).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from adapters.sql.tables.search import search_interactions, search_log
from adapters.sql.transaction import SqlTransaction
from commerce_core.search.analysis import Term, analysed
from commerce_core.search.ports import LoggedInteraction, LoggedSearch
from commerce_core.search.queries import (
    FacetBucket,
    Facets,
    Filters,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchReport,
    SearchResult,
    SortBy,
    Suggestion,
    SuggestionKind,
    TermStats,
    decode_cursor,
    encode_cursor,
)
from commerce_core.shared.uow import UnitOfWork

WEIGHTS = (3.0, 2.0, 1.5, 1.0, 1.0)  # name, brand, categories, attributes, description


def read_engine(engine: Engine) -> Engine:
    """An engine for queries: on PostgreSQL the same pool in autocommit (a query is one
    statement: no BEGIN and ROLLBACK around it); on SQLite one whose reads take no write lock
    (the shop's engine begins every transaction IMMEDIATE)."""
    if engine.dialect.name != "sqlite":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    reader = sa.create_engine(engine.url, pool_size=4, max_overflow=0,
                              connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(reader, "connect")
    def configure(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: each SELECT is its own snapshot
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA query_only=ON")
        finally:
            cursor.close()

    return reader


def _micros(at: datetime) -> int:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return (aware - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class _Sql:
    """One statement's text and parameters, built piece by piece."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.expanding: set[str] = set()

    def bind(self, value: Any, *, many: bool = False) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = list(value) if many else value
        if many:
            self.expanding.add(name)
        return f":{name}"

    def statement(self, text: str) -> sa.TextClause:
        clause = sa.text(text)
        used = [n for n in sorted(self.expanding) if re.search(rf":{n}\b", text)]
        if used:
            clause = clause.bindparams(*(sa.bindparam(n, expanding=True) for n in used))
        return clause


def _fts_match(terms: Sequence[Term], column: str | None = None) -> str:
    """FTS5 syntax: every term, any alternative, every word of it a prefix."""
    def alternative(phrase: str) -> str:
        return "(" + " AND ".join(f'"{w}"*' for w in phrase.split()) + ")"

    groups = ["(" + " OR ".join(alternative(a) for a in term) + ")" for term in terms]
    body = " AND ".join(groups)
    return f"{column} : ({body})" if column else body


def _ts_query(terms: Sequence[Term]) -> str:
    """PostgreSQL `to_tsquery` syntax, from words made only of letters and digits."""
    def alternative(phrase: str) -> str:
        return "(" + " & ".join(f"{w}:*" for w in phrase.split()) + ")"

    return " & ".join("(" + " | ".join(alternative(a) for a in term) + ")" for term in terms)


def _attribute(key: str, value: str = "") -> str:
    """An attribute value as `facet_attributes` holds it (with no value: the key's prefix);
    the key's length keeps keys and values apart whatever they contain."""
    return f"{len(key)}:{key}:{value}"


def _facet_values(document: SearchDocument) -> dict[str, Any]:
    return {
        "facet_brand": document.brand or None,
        "facet_categories": sorted(set(document.category_path)),
        "facet_attributes": sorted({_attribute(k, v) for k, vs in document.attributes.items()
                                    for v in vs}),
        "stocked_warehouses": sorted(w for w, units in document.stock.items() if units > 0),
    }


PREFIX = 2  # letters of a name word's start that `search_name_prefixes` is keyed by
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # what analysed words are made of


def _prefixes(name_text: str) -> set[str]:
    return {word[:PREFIX] for word in name_text.split()}


def _walked_prefixes(words: Sequence[str]) -> list[str]:
    """The prefixes whose rows hold every name matching the typed words: the start of the
    longest word; for a single letter, every prefix that starts with it."""
    word = max(words, key=len)
    if len(word) >= PREFIX:
        return [word[:PREFIX]]
    return [word] + [word + c for c in ALPHABET]


def _labels(document: SearchDocument) -> set[tuple[str, str, str]]:
    found = {("category", cid, name) for cid, name
             in zip(document.category_path, document.category_names, strict=True)}
    if document.brand:
        found.add(("brand", document.brand, document.brand))
    return found


def _words(document: SearchDocument) -> set[str]:
    return {w for words in document.words().values() for w in words}


class SqlSearchIndex:
    """Product documents in the shop's database (tables of migration 0005)."""

    def __init__(self, engine: Engine, reader: Engine | None = None) -> None:
        self._engine = engine
        self._reader = reader or read_engine(engine)
        self.is_postgres = engine.dialect.name == "postgresql"
        self._trigrams: str | None = None

    # -- connections --------------------------------------------------------------------------
    def _write(self, within: UnitOfWork | None, work: Callable[[SqlTransaction], None]) -> None:
        db = getattr(within, "transaction", None)
        if isinstance(db, SqlTransaction):
            work(db)
            return
        own = SqlTransaction(self._engine)
        try:
            work(own)
            own.commit()
        finally:
            own.close()

    def _read(self, statement: sa.Executable, params: Mapping[str, Any] | None = None,
              within: UnitOfWork | None = None) -> list[Any]:
        db = getattr(within, "transaction", None)
        if isinstance(db, SqlTransaction):
            return list(db.execute(statement, params))
        with self._reader.connect() as connection:
            return list(connection.execute(statement, params or {}))

    # -- writing ------------------------------------------------------------------------------
    def upsert(self, documents: Sequence[SearchDocument], *,
               within: UnitOfWork | None = None) -> None:
        if documents:
            self._write(within, lambda db: self._replace(db, documents))

    def delete(self, product_ids: Collection[str], *, within: UnitOfWork | None = None) -> None:
        if product_ids:
            self._write(within, lambda db: self._remove(db, list(product_ids)))

    def _replace(self, db: SqlTransaction, documents: Sequence[SearchDocument]) -> None:
        latest = {d.product_id: d for d in documents}
        self._remove(db, list(latest))
        self.insert(db, list(latest.values()))

    def _remove(self, db: SqlTransaction, product_ids: list[str]) -> None:
        q = _Sql()
        ids = q.bind(product_ids, many=True)
        rows = list(db.execute(q.statement(
            f"SELECT seq, document FROM search_documents WHERE product_id IN {ids}"),
            q.params))
        if not rows:
            return
        old = [SearchDocument.from_dict(orjson.loads(r.document)) for r in rows]
        seqs = [r.seq for r in rows]
        gone = [d.product_id for d in old]
        q = _Sql()
        bound_ids, bound_seqs = q.bind(gone, many=True), q.bind(seqs, many=True)
        for table in ("search_name_prefixes", "search_documents"):
            db.execute(q.statement(f"DELETE FROM {table} WHERE product_id IN {bound_ids}"),
                       q.params)
        if not self.is_postgres:
            db.execute(q.statement(f"DELETE FROM search_fts WHERE rowid IN {bound_seqs}"),
                       q.params)
        self._count(db, old, -1)

    def insert(self, db: SqlTransaction, documents: Sequence[SearchDocument], *,
               count: bool = True) -> None:
        """Add documents known to be absent (a rebuild, or after `_remove`); `count=False`
        leaves the vocabulary and labels to the caller (`count_in`)."""
        if not documents:
            return
        rows, prefixes = [], []
        for d in documents:
            name_text = analysed(d.name)
            facets = _facet_values(d)
            if not self.is_postgres:  # JSON arrays
                facets = {k: v if k == "facet_brand" else orjson.dumps(v).decode()
                          for k, v in facets.items()}
            rows.append({
                "product_id": d.product_id, "status": d.status, "name_text": name_text,
                "price_amount": d.price.amount, "in_stock": int(d.in_stock),
                "created_us": _micros(d.created_at), "rating": d.rating,
                "review_count": d.review_count,
                "document": orjson.dumps(d.to_dict()).decode(), **facets,
                **{f"f_{k}": " ".join(v) for k, v in d.words().items()},
            })
            if d.status == "active":
                prefixes += [{"product_id": d.product_id, "prefix": p,
                              "out_of_stock": 0 if d.in_stock else 1, "name_text": name_text}
                             for p in sorted(_prefixes(name_text))]
        columns = ("product_id, status, name_text, price_amount, in_stock, created_us, rating, "
                   "review_count, document, facet_brand, facet_categories, facet_attributes, "
                   "stocked_warehouses")
        values = (":product_id, :status, :name_text, :price_amount, :in_stock, :created_us, "
                  ":rating, :review_count, :document, :facet_brand, :facet_categories, "
                  ":facet_attributes, :stocked_warehouses")
        if self.is_postgres:
            db.execute(sa.text(
                f"INSERT INTO search_documents ({columns}, tsv) VALUES ({values}, "
                "setweight(to_tsvector('simple', :f_name), 'A') || "
                "setweight(to_tsvector('simple', :f_brand), 'B') || "
                "setweight(to_tsvector('simple', :f_categories), 'C') || "
                "setweight(to_tsvector('simple', :f_attributes || ' ' || :f_description), 'D'))"),
                rows)
        else:
            db.execute(sa.text(f"INSERT INTO search_documents ({columns}) VALUES ({values})"),
                       [{k: v for k, v in r.items() if not k.startswith("f_")} for r in rows])
            db.execute(sa.text(
                "INSERT INTO search_fts (rowid, name, brand, categories, attributes, "
                "description) SELECT seq, :f_name, :f_brand, :f_categories, :f_attributes, "
                ":f_description FROM search_documents WHERE product_id = :product_id"),
                [{k: v for k, v in r.items() if k.startswith("f_") or k == "product_id"}
                 for r in rows])
        if prefixes:
            db.execute(sa.text(
                "INSERT INTO search_name_prefixes (product_id, prefix, out_of_stock, name_text) "
                "VALUES (:product_id, :prefix, :out_of_stock, :name_text)"), prefixes)
        if count:
            self._count(db, documents, +1)

    def count_in(self, db: SqlTransaction, documents: Iterable[SearchDocument]) -> None:
        """Count documents into the vocabulary and labels (which must not hold them yet)."""
        self._count(db, documents, +1)

    def _count(self, db: SqlTransaction, documents: Iterable[SearchDocument], sign: int) -> None:
        words: Counter[str] = Counter()
        labels: Counter[tuple[str, str, str]] = Counter()
        for document in documents:
            words.update(_words(document))
            labels.update(_labels(document))
        if words:
            db.execute(sa.text(
                "INSERT INTO search_terms (term, documents) VALUES (:term, :n) "
                "ON CONFLICT (term) DO UPDATE SET documents = search_terms.documents + :n"),
                [{"term": t, "n": sign * n} for t, n in sorted(words.items())])
        if labels:
            db.execute(sa.text(
                "INSERT INTO search_labels (kind, label_id, text, folded, documents) "
                "VALUES (:kind, :label_id, :text, :folded, :n) ON CONFLICT (kind, label_id) "
                "DO UPDATE SET documents = search_labels.documents + :n, text = :text, "
                "folded = :folded"),
                [{"kind": k, "label_id": i, "text": t, "folded": analysed(t), "n": sign * n}
                 for (k, i, t), n in sorted(labels.items())])
        if sign < 0:
            db.execute(sa.text("DELETE FROM search_terms WHERE documents <= 0"))
            db.execute(sa.text("DELETE FROM search_labels WHERE documents <= 0"))

    def clear(self, db: SqlTransaction) -> None:
        for table in ("search_name_prefixes", "search_terms", "search_labels",
                      "search_documents"):
            db.execute(sa.text(f"DELETE FROM {table}"))
        if not self.is_postgres:
            db.execute(sa.text("DELETE FROM search_fts"))

    def rebuild(self) -> SqlIndexBuild:
        return SqlIndexBuild(self, self._engine)

    # -- reading ------------------------------------------------------------------------------
    def get(self, product_id: str, *, within: UnitOfWork | None = None) -> SearchDocument | None:
        rows = self._read(sa.text("SELECT document FROM search_documents "
                                  "WHERE product_id = :p"), {"p": product_id}, within)
        return SearchDocument.from_dict(orjson.loads(rows[0].document)) if rows else None

    def count(self) -> int:
        return int(self._read(sa.text("SELECT count(*) AS n FROM search_documents"))[0].n)

    def _matches(self, q: _Sql, terms: Sequence[Term]) -> tuple[str, str, str]:
        """FROM and WHERE of the active documents `d` matching the text, and their score."""
        if not terms:
            return "search_documents d", "d.status = 'active'", "0.0"
        if self.is_postgres:
            match = f"to_tsquery('simple', {q.bind(_ts_query(terms))})"
            return ("search_documents d", f"d.tsv @@ {match} AND d.status = 'active'",
                    f"ts_rank(d.tsv, {match})")
        weights = ", ".join(str(w) for w in WEIGHTS)
        # CROSS JOIN: the text match drives (SQLite would otherwise walk the documents and
        # run the match once per row).
        return ("search_fts CROSS JOIN search_documents d ON d.seq = search_fts.rowid",
                f"search_fts MATCH {q.bind(_fts_match(terms))} AND d.status = 'active'",
                f"-bm25(search_fts, {weights})")

    def _conditions(self, q: _Sql, filters: Filters) -> list[tuple[str, str]]:
        """Each filter as (the facet it belongs to, a condition on the document row `d`)."""
        found: list[tuple[str, str]] = []

        def among(name: str, column: str, values: Sequence[str]) -> None:
            if self.is_postgres:
                found.append((name, f"d.{column} && CAST({q.bind(list(values))} AS text[])"))
            else:
                found.append((name, f"EXISTS (SELECT 1 FROM json_each(d.{column}) "
                                    f"WHERE value IN {q.bind(values, many=True)})"))

        if filters.category_ids:
            among("category", "facet_categories", filters.category_ids)
        if filters.brands:
            found.append(("brand", f"d.facet_brand IN {q.bind(filters.brands, many=True)}"))
        for key, values in sorted(filters.attributes.items()):
            among(f"attr:{key}", "facet_attributes", [_attribute(key, v) for v in values])
        if filters.price_min is not None:
            found.append(("price", f"d.price_amount >= {q.bind(filters.price_min)}"))
        if filters.price_max is not None:
            found.append(("price", f"d.price_amount <= {q.bind(filters.price_max)}"))
        if filters.in_stock:
            found.append(("in_stock", self._in_stock(q, filters.warehouse_id)))
        if filters.rating_min is not None:  # no facet of its own: every facet counts under it
            found.append(("rating", f"d.rating >= {q.bind(filters.rating_min)}"))
        return found

    def _in_stock(self, q: _Sql, warehouse_id: str | None) -> str:
        if warehouse_id is None:
            return "d.in_stock = 1"
        if self.is_postgres:
            return f"CAST({q.bind(warehouse_id)} AS text) = ANY(d.stocked_warehouses)"
        return ("EXISTS (SELECT 1 FROM json_each(d.stocked_warehouses) "
                f"WHERE value = {q.bind(warehouse_id)})")

    def _each(self, column: str) -> str:
        """The values of a list column as rows `v(value)`."""
        return f"unnest({column}) AS v(value)" if self.is_postgres else f"json_each({column}) v"

    def _keys(self, sort: SortBy) -> tuple[str, str, str]:
        if sort is SortBy.PRICE_ASC:
            return "h.price_amount", "0", "0"
        if sort is SortBy.PRICE_DESC:
            return "-h.price_amount", "0", "0"
        if sort is SortBy.NEWEST:
            return "-h.created_us", "0", "0"
        if sort is SortBy.RATING:
            return "-h.rating", "-h.review_count", "0"
        score = ("-round(CAST(h.score AS numeric), 6)" if self.is_postgres
                 else "-round(h.score, 6)")
        return score, "1 - h.in_stock", "-h.created_us"

    def search(self, query: SearchQuery) -> SearchResult:
        q = _Sql()
        source, where, score = self._matches(q, query.terms)
        conditions = self._conditions(q, query.filters)
        if query.terms and conditions:  # rank only what the page may show
            every = " AND ".join(sql for _, sql in conditions)
            score = f"CASE WHEN {every} THEN {score} ELSE 0 END"
        flags = "".join(f"{sql} AS c{i}, " for i, (_, sql) in enumerate(conditions))
        groups: dict[str, list[str]] = {}
        for name, sql in conditions:
            groups.setdefault(name, []).append(sql)
        if len(groups) > 1:
            # A match failing two filters counts nowhere: every facet lifts only its own.
            failed = " + ".join(f"CASE WHEN {' AND '.join(sqls)} THEN 0 ELSE 1 END"
                                for sqls in groups.values())
            where += f" AND {failed} <= 1"
        here = self._in_stock(q, query.filters.warehouse_id)
        matched = (
            "SELECT d.seq, d.product_id, d.price_amount, d.in_stock, d.created_us, d.rating, "
            "d.review_count, "
            "d.facet_brand, d.facet_categories, d.facet_attributes, "
            f"{here} AS here, {flags}{score} AS score FROM {source} WHERE {where}")

        def passing(skip: str = "") -> str:
            kept = [f"h.c{i}" for i, (name, _) in enumerate(conditions) if name != skip]
            return " AND ".join(kept) if kept else "1 = 1"

        text_order = ' COLLATE "C"' if self.is_postgres else ""
        k1, k2, k3 = self._keys(query.sort)
        after = ""
        if query.cursor is not None:
            c1, c2, c3, c4 = decode_cursor(query.cursor)
            first = (f"CAST({q.bind(c1)} AS numeric)" if self.is_postgres else q.bind(c1))
            after = (f"WHERE (k1, k2, k3, product_id{text_order}) > "
                     f"({first}, {q.bind(c2)}, {q.bind(c3)}, {q.bind(c4)})")
        offset = 0 if query.cursor is not None else query.offset
        page = (
            f"SELECT seq, product_id, score, k1, k2, k3 FROM ("
            f"SELECT h.seq, h.product_id, h.score, {k1} AS k1, {k2} AS k2, {k3} AS k3 "
            f"FROM matched h WHERE {passing()}) page {after} "
            f"ORDER BY k1, k2, k3, product_id{text_order} "
            f"LIMIT {q.bind(query.limit + 1)} OFFSET {q.bind(offset)}")
        # The page's rows (with their documents), then one row per facet bucket: the values
        # of brand, category and attributes grouped, the counts in one pass (`counted`).
        parts = [f"SELECT 'hit' AS facet, p.product_id AS value, 0 AS n, p.seq, p.score, p.k1, "
                 f"p.k2, p.k3, d.document FROM ({page}) p "
                 "JOIN search_documents d ON d.seq = p.seq"]
        rest = "NULL, NULL, NULL, NULL, NULL, NULL"
        counts: list[str] = []

        def count(label: str, value: str, where: str) -> None:
            parts.append(f"SELECT {label}, {value}, n{len(counts)}, {rest} FROM counted")
            counts.append(f"count(*) FILTER (WHERE {where}) AS n{len(counts)}")

        def values(label: str, value: str, where: str, source: str, group: str) -> None:
            parts.append(f"SELECT {label}, {value}, count(*), {rest} FROM {source} "
                         f"WHERE {where} GROUP BY {group}")

        count("'total'", "''", passing())
        values("'brand'", "h.facet_brand", f"{passing('brand')} AND h.facet_brand IS NOT NULL",
               "matched h", "h.facet_brand")
        values("'category'", "v.value", passing("category"),
               f"matched h, {self._each('h.facet_categories')}", "v.value")
        for key in query.facet_attributes:
            start = _attribute(key)
            values(q.bind(f"attr:{key}"), f"substr(v.value, {len(start) + 1})",
                   f"{passing(f'attr:{key}')} AND substr(v.value, 1, {len(start)}) = "
                   f"{q.bind(start)}", f"matched h, {self._each('h.facet_attributes')}",
                   "v.value")
        for i, r in enumerate(query.price_ranges):
            bounds = [passing("price")]
            if r.gte is not None:
                bounds.append(f"h.price_amount >= {q.bind(r.gte)}")
            if r.lt is not None:
                bounds.append(f"h.price_amount < {q.bind(r.lt)}")
            count("'price'", q.bind(str(i)), " AND ".join(bounds))
        count("'in_stock'", "''", f"{passing('in_stock')} AND h.here")
        rows = self._read(q.statement(
            f"WITH matched AS MATERIALIZED ({matched}), counted AS MATERIALIZED ("
            f"SELECT {', '.join(counts)} FROM matched h) " + " UNION ALL ".join(parts)),
            q.params)

        hits = sorted((r for r in rows if r.facet == "hit"),
                      key=lambda r: (r.k1, r.k2, r.k3, r.value))
        more = len(hits) > query.limit
        hits = hits[:query.limit]
        last = hits[-1] if hits else None
        cursor = None
        if more and last is not None:
            cursor = encode_cursor((float(last.k1) if query.sort is SortBy.RELEVANCE
                                    else int(last.k1), int(last.k2), int(last.k3), last.value))
        total, facets = self._facets_from((r for r in rows if r.facet != "hit"), query)
        return SearchResult(
            total=total,
            hits=tuple(SearchHit(SearchDocument.from_dict(orjson.loads(r.document)),
                                 round(float(r.score), 6)) for r in hits),
            facets=facets, next_cursor=cursor,
        )

    @staticmethod
    def _facets_from(rows: Iterable[Any], query: SearchQuery) -> tuple[int, Facets]:
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row.facet, {})[row.value] = int(row.n)

        def buckets(name: str) -> tuple[FacetBucket, ...]:
            found = sorted(((v, n) for v, n in counts.get(name, {}).items() if n),
                           key=lambda vn: (-vn[1], vn[0]))
            return tuple(FacetBucket(v, n) for v, n in found[:query.facet_size])

        prices = counts.get("price", {})
        return counts.get("total", {}).get("", 0), Facets(
            brands=buckets("brand"), categories=buckets("category"),
            prices=tuple(FacetBucket(r.key, prices.get(str(i), 0))
                         for i, r in enumerate(query.price_ranges)),
            attributes={k: buckets(f"attr:{k}") for k in query.facet_attributes},
            in_stock=counts.get("in_stock", {}).get("", 0),
        )

    WALK = 1000  # rows of a prefix a suggestion walk reads before it asks for an exact answer

    def suggest(self, words: Sequence[str], limit: int) -> list[Suggestion]:
        if not words:
            return []
        prefixes = _walked_prefixes(words)
        rows: list[Any] = []
        if len(prefixes) == 1:
            # The prefix's first rows in suggestion order, whatever the planner guesses of how
            # many hold every word: when `limit` of them do, they are the first suggestions.
            rows = self._suggestions(words, prefixes, limit, walk=self.WALK)
        if len(rows) < limit:
            rows = self._suggestions(words, prefixes, limit)
        found = [Suggestion(str(orjson.loads(r.document)["name"]), SuggestionKind.PRODUCT,
                            r.product_id) for r in rows]
        if len(found) >= limit:
            return found[:limit]
        order = ' COLLATE "C"' if self.is_postgres else ""
        q = _Sql()
        likes = " AND ".join(f"(' ' || folded) LIKE {q.bind('% ' + w + '%')}" for w in words)
        rows = self._read(q.statement(
            f"SELECT kind, label_id, text FROM search_labels WHERE documents > 0 AND {likes} "
            f"ORDER BY CASE kind WHEN 'brand' THEN 0 ELSE 1 END, folded{order}, text{order}, "
            f"label_id{order} LIMIT {q.bind(limit - len(found))}"), q.params)
        found += [Suggestion(r.text, SuggestionKind(r.kind), r.label_id) for r in rows]
        return found

    def _suggestions(self, words: Sequence[str], prefixes: Sequence[str], limit: int, *,
                     walk: int | None = None) -> list[Any]:
        """The first `limit` active documents, in suggestion order, whose name has every word
        as a prefix of one of its words: under each prefix (its rows are in that order) the
        first that match, or only among its first `walk` rows."""
        q = _Sql()
        n = q.bind(limit)
        # A word no longer than the prefix is what the prefix rows already hold.
        covered = max(words, key=len)
        likes = " AND ".join([f"(' ' || p.name_text) LIKE {q.bind('% ' + w + '%')}"
                              for w in words if not (w == covered and len(w) <= PREFIX)]
                             or ["1 = 1"])
        order = "ORDER BY p.out_of_stock, p.name_text, p.product_id"
        rows = "search_name_prefixes p WHERE p.prefix = {}"
        if walk is not None:
            rows = (f"(SELECT p.product_id, p.out_of_stock, p.name_text FROM {rows} {order} "
                    f"LIMIT {q.bind(walk)}) p WHERE 1 = 1")
        walks = " UNION ALL ".join(
            "SELECT * FROM (SELECT p.product_id, p.out_of_stock, p.name_text FROM "
            f"{rows.format(q.bind(prefix))} AND {likes} {order} LIMIT {n}) w{i}"
            for i, prefix in enumerate(prefixes))
        same = ' COLLATE "default"' if self.is_postgres else ""
        found = self._read(q.statement(
            "SELECT s.product_id, s.out_of_stock, s.name_text, d.document FROM ("
            f"SELECT DISTINCT product_id, out_of_stock, name_text FROM ({walks}) u "
            f"ORDER BY out_of_stock, name_text, product_id LIMIT {n}) s "
            f"JOIN search_documents d ON d.product_id = s.product_id{same}"), q.params)
        return sorted(found, key=lambda r: (r.out_of_stock, r.name_text, r.product_id))

    def vocabulary(self, word: str, spread: int) -> dict[str, int]:
        q = _Sql()
        sql = (f"SELECT term, documents FROM search_terms WHERE documents > 0 AND "
               f"length(term) BETWEEN {q.bind(len(word) - spread)} "
               f"AND {q.bind(len(word) + spread)}")
        schema = self._trigram_schema() if self.is_postgres else None
        if schema:
            sql += f' AND "{schema}".similarity(term, {q.bind(word)}) >= 0.1'
        return {r.term: int(r.documents) for r in self._read(q.statement(sql), q.params)}

    def _trigram_schema(self) -> str:
        """The schema pg_trgm is installed in ("" when it is not)."""
        if self._trigrams is None:
            rows = self._read(sa.text(
                "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))
            self._trigrams = rows[0].schema if rows else ""
        return self._trigrams

    def dispose(self) -> None:
        if self._reader.pool is not self._engine.pool:
            self._reader.dispose()


class SqlIndexBuild:
    """A rebuild: documents are gathered while the products are read, then replace the old
    ones in one transaction, so readers see the old index until it commits and the new one
    after (on SQLite the shop's writers wait for that transaction, as for any write)."""

    CHUNK = 1000

    def __init__(self, index: SqlSearchIndex, engine: Engine) -> None:
        self._index, self._engine = index, engine
        self._documents: dict[str, SearchDocument] = {}

    def add(self, documents: Sequence[SearchDocument]) -> None:
        self._documents.update({d.product_id: d for d in documents})

    def publish(self) -> None:
        db = SqlTransaction(self._engine)
        try:
            self._index.clear(db)
            # In name order: documents that share words share pages, so a query's matches
            # are fewer pages to read (until updates move them; the next rebuild restores it).
            documents = sorted(self._documents.values(),
                               key=lambda d: (analysed(d.name), d.product_id))
            for start in range(0, len(documents), self.CHUNK):
                self._index.insert(db, documents[start:start + self.CHUNK], count=False)
            # Counted once for all: each word and label is written once, not once a chunk.
            self._index.count_in(db, documents)
            if self._index.is_postgres:
                # Every row is new: the planner's statistics must say so before the first
                # search plans against them (autovacuum would get there, later).
                db.execute(sa.text("ANALYZE search_documents, search_name_prefixes, search_terms, "
                                   "search_labels"))
            db.commit()
        finally:
            db.close()
        self._documents = {}

    def discard(self) -> None:
        self._documents = {}


class SqlSearchLog:
    """The search log in the unit of work's transaction."""

    def __init__(self, db: SqlTransaction) -> None:
        self._db = db

    def record_search(self, search: LoggedSearch) -> None:
        self._db.execute(search_log.insert(), {
            "query_id": search.query_id, "text": search.text, "filters": dict(search.filters),
            "sort": search.sort, "result_count": search.result_count,
            "session": search.session, "latency_ms": search.latency_ms,
            "product_ids": list(search.product_ids), "occurred_at": search.occurred_at,
        })

    def record_interaction(self, interaction: LoggedInteraction) -> None:
        self._db.execute(search_interactions.insert(), {
            "query_id": interaction.query_id, "kind": interaction.kind,
            "product_id": interaction.product_id, "position": interaction.position,
            "occurred_at": interaction.occurred_at,
        })

    def has_search(self, query_id: str) -> bool:
        found = self._db.execute(sa.select(search_log.c.query_id)
                                 .where(search_log.c.query_id == query_id)).first()
        return found is not None

    def report(self, since: datetime, until: datetime, *, limit: int = 10) -> SearchReport:
        log, i = search_log.c, search_interactions.c
        per_query = (
            sa.select(i.query_id,
                      sa.func.sum(sa.case((i.kind == "click", 1), else_=0)).label("clicks"),
                      sa.func.sum(sa.case((i.kind == "add_to_cart", 1), else_=0)).label("carts"))
            .group_by(i.query_id).subquery()
        )
        clicks = sa.func.coalesce(per_query.c.clicks, 0)
        rows = self._db.execute(
            sa.select(
                log.text, sa.func.count().label("searches"),
                sa.func.sum(sa.case((log.result_count == 0, 1), else_=0)).label("zero"),
                sa.func.avg(log.result_count).label("average"),
                sa.func.sum(clicks).label("clicks"),
                sa.func.sum(sa.func.coalesce(per_query.c.carts, 0)).label("carts"),
                sa.func.sum(sa.case((clicks > 0, 1), else_=0)).label("clicked"),
            )
            .select_from(search_log.outerjoin(per_query, per_query.c.query_id == log.query_id))
            .where(log.occurred_at >= since, log.occurred_at < until)
            .group_by(log.text)
        ).all()
        stats = [TermStats(r.text, int(r.searches), int(r.zero), int(r.clicks), int(r.carts),
                           float(r.average)) for r in rows]
        return SearchReport(
            since=since, until=until, searches=sum(s.searches for s in stats),
            zero_result_searches=sum(s.zero_results for s in stats),
            clicked_searches=sum(int(r.clicked) for r in rows),
            clicks=sum(s.clicks for s in stats), add_to_carts=sum(s.add_to_carts for s in stats),
            top_terms=tuple(sorted(stats, key=lambda t: (-t.searches, t.term))[:limit]),
            zero_result_terms=tuple(sorted((t for t in stats if t.zero_results),
                                           key=lambda t: (-t.zero_results, t.term))[:limit]),
        )
