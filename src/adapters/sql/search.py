"""The search index and the search log in SQL: SQLite FTS5 or PostgreSQL tsvector + GIN.

Texts are folded and tokenised in Python (`analysis.tokens`) before they are stored, so both
engines see the same words and accents never matter. Every query word is a prefix: FTS5
`"word"*` (with prefix indexes for 2 and 3 letters), PostgreSQL `word:*`. Facets count over
`search_facets` rows (one per brand, category on the path and attribute value), each facet
under every filter but its own. The vocabulary (`search_terms`) and the brand and category
labels (`search_labels`) are counted as documents come and go; spelling corrections draw
candidates from the vocabulary (narrowed by trigram similarity where pg_trgm is installed).

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
    """An engine for queries: the same one on PostgreSQL; on SQLite one whose reads take no
    write lock (the shop's engine begins every transaction IMMEDIATE)."""
    if engine.dialect.name != "sqlite":
        return engine
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


def _facet_rows(document: SearchDocument) -> list[dict[str, str]]:
    rows = {("category", c) for c in document.category_path}
    if document.brand:
        rows.add(("brand", document.brand))
    rows |= {(f"attr:{k}", v) for k, vs in document.attributes.items() for v in vs}
    return [{"facet": f, "value": v, "product_id": document.product_id} for f, v in sorted(rows)]


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
        for table in ("search_facets", "search_stock", "search_documents"):
            db.execute(q.statement(f"DELETE FROM {table} WHERE product_id IN {bound_ids}"),
                       q.params)
        if not self.is_postgres:
            db.execute(q.statement(f"DELETE FROM search_fts WHERE rowid IN {bound_seqs}"),
                       q.params)
        self._count(db, old, -1)

    def insert(self, db: SqlTransaction, documents: Sequence[SearchDocument]) -> None:
        """Add documents known to be absent (a rebuild, or after `_remove`)."""
        if not documents:
            return
        rows = []
        for d in documents:
            words = d.words()
            rows.append({
                "product_id": d.product_id, "status": d.status, "name_text": analysed(d.name),
                "price_amount": d.price.amount, "in_stock": int(d.in_stock),
                "created_us": _micros(d.created_at),
                "document": orjson.dumps(d.to_dict()).decode(),
                **{f"f_{k}": " ".join(v) for k, v in words.items()},
            })
        columns = "product_id, status, name_text, price_amount, in_stock, created_us, document"
        values = (":product_id, :status, :name_text, :price_amount, :in_stock, :created_us, "
                  ":document")
        if self.is_postgres:
            db.execute(sa.text(
                f"INSERT INTO search_documents ({columns}, tsv, name_tsv) VALUES ({values}, "
                "setweight(to_tsvector('simple', :f_name), 'A') || "
                "setweight(to_tsvector('simple', :f_brand), 'B') || "
                "setweight(to_tsvector('simple', :f_categories), 'C') || "
                "setweight(to_tsvector('simple', :f_attributes || ' ' || :f_description), 'D'), "
                "to_tsvector('simple', :f_name))"), rows)
        else:
            db.execute(sa.text(f"INSERT INTO search_documents ({columns}) VALUES ({values})"),
                       [{k: v for k, v in r.items() if not k.startswith("f_")} for r in rows])
            db.execute(sa.text(
                "INSERT INTO search_fts (rowid, name, brand, categories, attributes, "
                "description) SELECT seq, :f_name, :f_brand, :f_categories, :f_attributes, "
                ":f_description FROM search_documents WHERE product_id = :product_id"),
                [{k: v for k, v in r.items() if k.startswith("f_") or k == "product_id"}
                 for r in rows])
        facets = [row for d in documents for row in _facet_rows(d)]
        if facets:
            db.execute(sa.text("INSERT INTO search_facets (facet, value, product_id) "
                               "VALUES (:facet, :value, :product_id)"), facets)
        stock = [{"warehouse_id": w, "product_id": d.product_id, "available": n}
                 for d in documents for w, n in d.stock.items()]
        if stock:
            db.execute(sa.text("INSERT INTO search_stock (warehouse_id, product_id, available) "
                               "VALUES (:warehouse_id, :product_id, :available)"), stock)
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
        for table in ("search_facets", "search_stock", "search_terms", "search_labels",
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

    def _hits(self, q: _Sql, terms: Sequence[Term], *, scored: bool = True) -> str:
        """The CTE of active documents matching the text, with their score (facets need
        none). Documents themselves are read only for the page's hits."""
        columns = "d.seq, d.product_id, d.price_amount, d.in_stock, d.created_us"
        if not terms:
            return (f"SELECT {columns}, 0.0 AS score FROM search_documents d "
                    "WHERE d.status = 'active'")
        if not scored and self.is_postgres:
            return (f"SELECT {columns}, 0.0 AS score FROM search_documents d WHERE "
                    f"d.tsv @@ to_tsquery('simple', {q.bind(_ts_query(terms))}) "
                    "AND d.status = 'active'")
        if self.is_postgres:
            match = q.bind(_ts_query(terms))
            return (f"SELECT {columns}, ts_rank(d.tsv, to_tsquery('simple', {match})) AS score "
                    f"FROM search_documents d WHERE d.tsv @@ to_tsquery('simple', {match}) "
                    "AND d.status = 'active'")
        match = q.bind(_fts_match(terms))
        weights = ", ".join(str(w) for w in WEIGHTS)
        # CROSS JOIN: the text match drives (SQLite would otherwise walk the documents and
        # run the match once per row).
        return (f"SELECT {columns}, -bm25(search_fts, {weights}) AS score FROM search_fts "
                f"CROSS JOIN search_documents d ON d.seq = search_fts.rowid "
                f"WHERE search_fts MATCH {match} AND d.status = 'active'")

    def _conditions(self, q: _Sql, filters: Filters) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []

        def facet(name: str, key: str, values: Sequence[str]) -> None:
            found.append((name, (
                "h.product_id IN (SELECT product_id FROM search_facets "
                f"WHERE facet = {q.bind(key)} AND value IN {q.bind(values, many=True)})")))

        if filters.category_ids:
            facet("category", "category", filters.category_ids)
        if filters.brands:
            facet("brand", "brand", filters.brands)
        for key, values in sorted(filters.attributes.items()):
            facet(f"attr:{key}", f"attr:{key}", values)
        if filters.price_min is not None:
            found.append(("price", f"h.price_amount >= {q.bind(filters.price_min)}"))
        if filters.price_max is not None:
            found.append(("price", f"h.price_amount <= {q.bind(filters.price_max)}"))
        if filters.in_stock:
            found.append(("in_stock", self._in_stock(q, filters.warehouse_id)))
        return found

    def _in_stock(self, q: _Sql, warehouse_id: str | None) -> str:
        if warehouse_id is None:
            return "h.in_stock = 1"
        return ("h.product_id IN (SELECT product_id FROM search_stock WHERE "
                f"warehouse_id = {q.bind(warehouse_id)} AND available > 0)")

    @staticmethod
    def _where(conditions: Sequence[tuple[str, str]], skip: str = "") -> str:
        kept = [sql for name, sql in conditions if name != skip]
        return " AND ".join(kept) if kept else "1 = 1"

    def _keys(self, sort: SortBy) -> tuple[str, str, str]:
        if sort is SortBy.PRICE_ASC:
            return "h.price_amount", "0", "0"
        if sort is SortBy.PRICE_DESC:
            return "-h.price_amount", "0", "0"
        if sort is SortBy.NEWEST:
            return "-h.created_us", "0", "0"
        score = ("-round(CAST(h.score AS numeric), 6)" if self.is_postgres
                 else "-round(h.score, 6)")
        return score, "1 - h.in_stock", "-h.created_us"

    def search(self, query: SearchQuery) -> SearchResult:
        q = _Sql()
        hits = self._hits(q, query.terms)
        conditions = self._conditions(q, query.filters)
        text_order = ' COLLATE "C"' if self.is_postgres else ""
        k1, k2, k3 = self._keys(query.sort)
        after = ""
        if query.cursor is not None:
            c1, c2, c3, c4 = decode_cursor(query.cursor)
            first = (f"CAST({q.bind(c1)} AS numeric)" if self.is_postgres else q.bind(c1))
            after = (f"WHERE (k1, k2, k3, product_id{text_order}) > "
                     f"({first}, {q.bind(c2)}, {q.bind(c3)}, {q.bind(c4)})")
        offset = 0 if query.cursor is not None else query.offset
        page_sql = (
            f"WITH hits AS ({hits}) SELECT seq, product_id, score, k1, k2, k3 FROM ("
            f"SELECT h.seq, h.product_id, h.score, {k1} AS k1, {k2} AS k2, {k3} AS k3 "
            f"FROM hits h WHERE {self._where(conditions)}) page {after} "
            f"ORDER BY k1, k2, k3, product_id{text_order} "
            f"LIMIT {q.bind(query.limit + 1)} OFFSET {q.bind(offset)}"
        )
        rows = self._read(q.statement(page_sql), q.params)
        f = _Sql()
        facet_sql = self._facets_sql(f, self._hits(f, query.terms, scored=False),
                                     self._conditions(f, query.filters), query)
        counted = self._read(f.statement(facet_sql), f.params)
        more = len(rows) > query.limit
        rows = rows[:query.limit]
        documents = self._documents([r.seq for r in rows])
        last = rows[-1] if rows else None
        cursor = None
        if more and last is not None:
            cursor = encode_cursor((float(last.k1) if query.sort is SortBy.RELEVANCE
                                    else int(last.k1), int(last.k2), int(last.k3),
                                    last.product_id))
        total, facets = self._facets_from(counted, query)
        return SearchResult(
            total=total,
            hits=tuple(SearchHit(documents[r.seq], round(float(r.score), 6)) for r in rows),
            facets=facets, next_cursor=cursor,
        )

    def _documents(self, seqs: Sequence[int]) -> dict[int, SearchDocument]:
        if not seqs:
            return {}
        q = _Sql()
        rows = self._read(q.statement("SELECT seq, document FROM search_documents WHERE seq IN "
                                      f"{q.bind(list(seqs), many=True)}"), q.params)
        return {r.seq: SearchDocument.from_dict(orjson.loads(r.document)) for r in rows}

    def _facets_sql(self, q: _Sql, hits: str, conditions: Sequence[tuple[str, str]],
                    query: SearchQuery) -> str:
        parts = [f"SELECT 'total' AS facet, '' AS value, count(*) AS n FROM hits h "
                 f"WHERE {self._where(conditions)}"]

        # SQLite: the hits drive the join (CROSS JOIN fixes the order), else its planner walks
        # every facet row and runs the text match for each.
        join = ("JOIN search_facets f" if self.is_postgres
                else "CROSS JOIN search_facets f INDEXED BY ix_search_facets_product_id_facet")

        def terms(label: str, facet: str, skip: str) -> None:
            parts.append(
                f"SELECT {q.bind(label)} AS facet, f.value AS value, count(*) AS n FROM hits h "
                f"{join} ON f.product_id = h.product_id "
                f"AND f.facet = {q.bind(facet)} WHERE {self._where(conditions, skip)} "
                "GROUP BY f.value")

        terms("brand", "brand", "brand")
        terms("category", "category", "category")
        for key in query.facet_attributes:
            terms(f"attr:{key}", f"attr:{key}", f"attr:{key}")
        for i, r in enumerate(query.price_ranges):
            bounds = [self._where(conditions, "price")]
            if r.gte is not None:
                bounds.append(f"h.price_amount >= {q.bind(r.gte)}")
            if r.lt is not None:
                bounds.append(f"h.price_amount < {q.bind(r.lt)}")
            parts.append(f"SELECT 'price' AS facet, {q.bind(str(i))} AS value, count(*) AS n "
                         f"FROM hits h WHERE {' AND '.join(bounds)}")
        in_stock = self._in_stock(q, query.filters.warehouse_id)
        parts.append(f"SELECT 'in_stock' AS facet, '' AS value, count(*) AS n FROM hits h "
                     f"WHERE {self._where(conditions, 'in_stock')} AND {in_stock}")
        return f"WITH hits AS ({hits}) " + " UNION ALL ".join(parts)

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

    def suggest(self, words: Sequence[str], limit: int) -> list[Suggestion]:
        q = _Sql()
        order = ' COLLATE "C"' if self.is_postgres else ""
        if self.is_postgres:
            words_query = q.bind(_ts_query([(w,) for w in words]))
            match = f"d.name_tsv @@ to_tsquery('simple', {words_query})"
            source = "search_documents d"
        else:
            match = f"search_fts MATCH {q.bind(_fts_match([(w,) for w in words], 'name'))}"
            source = "search_fts CROSS JOIN search_documents d ON d.seq = search_fts.rowid"
        rows = self._read(q.statement(
            f"SELECT d.product_id, d.document FROM {source} WHERE {match} "
            f"AND d.status = 'active' ORDER BY d.in_stock DESC, d.name_text{order}, "
            f"d.product_id{order} LIMIT {q.bind(limit)}"), q.params)
        found = [Suggestion(str(orjson.loads(r.document)["name"]), SuggestionKind.PRODUCT,
                            r.product_id) for r in rows]
        if len(found) >= limit:
            return found[:limit]
        q = _Sql()
        likes = " AND ".join(f"(' ' || folded) LIKE {q.bind('% ' + w + '%')}" for w in words)
        rows = self._read(q.statement(
            f"SELECT kind, label_id, text FROM search_labels WHERE documents > 0 AND {likes} "
            f"ORDER BY CASE kind WHEN 'brand' THEN 0 ELSE 1 END, folded{order}, text{order}, "
            f"label_id{order} LIMIT {q.bind(limit - len(found))}"), q.params)
        found += [Suggestion(r.text, SuggestionKind(r.kind), r.label_id) for r in rows]
        return found

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
        if self._reader is not self._engine:
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
            documents = list(self._documents.values())
            for start in range(0, len(documents), self.CHUNK):
                self._index.insert(db, documents[start:start + self.CHUNK])
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
