"""The shop's reference data (tax rules, price rules, promotions and their campaigns,
warehouses) read once per version instead of once per request (ADR 0036).

Every write to those tables moves its kind's row of `reference_versions` in the writer's own
transaction (triggers of migration 0027, so a write by any process counts). A unit of work reads
all versions in one statement, at its first reference read, and then takes the rows of each
read from its engine's `ReferenceCache` when they were read at the same version, from the
database otherwise (and keeps them for the next unit of work). What is cached are the rows a
query returned, immutable; each unit of work decodes its own aggregates from them, tracked as
if it had read them, so no object is ever shared by two units of work and a change to one is
written under the usual version check. Filters on the time of the request are applied to the
rows in each request, never cached.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence

import sqlalchemy as sa
from sqlalchemy.sql.base import Executable

from adapters.sql.aggregates import Row
from adapters.sql.tables.reference import reference_versions
from adapters.sql.transaction import Params, SqlTransaction

# (version, stamp): one committed state of a kind (the stamp of a rolled-back change is never
# given to a committed one).
Version = tuple[int, int]

TAX, PRICE_RULES, PROMOTIONS, WAREHOUSES = "tax", "price_rules", "promotions", "warehouses"
_V = reference_versions.c
_VERSIONS = sa.select(_V.kind, _V.version, _V.stamp)
# Queries kept per kind and version, at most: a query keyed by its parameters (one per country
# for tax rules) cannot fill memory.
MAX_QUERIES = 256


class ReferenceCache:
    """Per engine: for each kind, the rows its queries returned at one version. Safe to share
    between threads: a slot is replaced whole, never changed in place."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[Version, dict[Hashable, tuple[Row, ...]]]] = {}

    def get(self, kind: str, version: Version, query: Hashable) -> tuple[Row, ...] | None:
        slot = self._slots.get(kind)
        if slot is None or slot[0] != version:
            return None
        return slot[1].get(query)

    def put(self, kind: str, version: Version, query: Hashable, rows: tuple[Row, ...]) -> None:
        with self._lock:
            slot = self._slots.get(kind)
            if slot is None or slot[0] != version:
                # Another version replaces the slot, whichever is newer: every slot is right for
                # its own version, and units of work on an older one end soon.
                queries: dict[Hashable, tuple[Row, ...]] = {}
            else:
                queries = slot[1]
                if len(queries) >= MAX_QUERIES:
                    return
            self._slots[kind] = (version, {**queries, query: rows})

    def clear(self) -> None:
        with self._lock:
            self._slots = {}


class ReferenceReads:
    """One unit of work's reference reads: the versions read once per transaction, the rows from
    the cache when they were read at the same versions."""

    def __init__(self, db: SqlTransaction, cache: ReferenceCache) -> None:
        self._db, self._cache = db, cache
        self._versions: dict[str, Version] | None = None

    def rows(self, kind: str, query: Hashable, statement: Executable,
             params: Params = None) -> Sequence[Row]:
        """What `statement` returns, as the database holds it at this transaction's version of
        `kind`. `query` names the statement and its parameters within the kind."""
        versions = self._versions
        if versions is None:
            versions = self._versions = {
                row.kind: (row.version, row.stamp) for row in self._db.execute(_VERSIONS)}
        version = versions.get(kind)
        if version is None:  # a kind no trigger watches: never cached
            return self._db.execute(statement, params).all()
        found = self._cache.get(kind, version, query)
        if found is None:
            found = tuple(self._db.execute(statement, params).all())
            self._cache.put(kind, version, query, found)
        return found

    def transaction_ended(self) -> None:
        """The next transaction reads the versions again."""
        self._versions = None


def read(reference: ReferenceReads | None, db: SqlTransaction, kind: str, query: Hashable,
         statement: Executable, params: Params = None) -> Sequence[Row]:
    """Through `reference` when the repository has one, else from the database."""
    if reference is None:
        return db.execute(statement, params).all()
    return reference.rows(kind, query, statement, params)
