"""The in-memory database every fake shares: tables, an undo journal, and the repository base.

Kept apart from the unit of work so the fakes of each context (one module per context, as in
`sql/`) build on it without importing one another.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Self

import attrs

from commerce_core.inventory.stock import Batch, StockMovement
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import Tracker


@attrs.define
class OutboxRow:
    envelope: EventEnvelope
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    due_at: datetime | None = None


class InMemoryDatabase:
    """The state every unit of work of one shop shares."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Any]] = {}
        self.stock: dict[tuple[str, str], Any] = {}  # (sku, warehouse) → its row
        self.ledger: list[StockMovement] = []
        self.batches: dict[tuple[str, str, str], Batch] = {}  # (sku, warehouse, batch number)
        self.outbox: list[OutboxRow] = []
        self.inbox: set[tuple[str, str]] = set()

    def table(self, kind: str) -> dict[str, Any]:
        return self.tables.setdefault(kind, {})


class Journal:
    """How to undo what one transaction changed, newest first."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def put(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        """`mapping[key] = value`, undone by restoring the previous value (or its absence)."""
        if key in mapping:
            previous = mapping[key]
            self._undo.append(lambda: mapping.__setitem__(key, previous))
        else:
            self._undo.append(lambda: mapping.pop(key, None))
        mapping[key] = value

    def then(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()

    def forget(self) -> None:
        """The transaction committed: its changes stay."""
        self._undo.clear()


class _Repository:
    """Copy-in/copy-out storage of one aggregate kind with version checks and unique keys."""

    kind = ""
    not_found: type[CommerceError] = CommerceError
    unique: tuple[tuple[str, Callable[[Any], Collection[str]], type[CommerceError]], ...] = ()

    def __init__(self, db: InMemoryDatabase, tracker: Tracker, journal: Journal) -> None:
        self._db, self._tracker, self._journal = db, tracker, journal

    @classmethod
    def over(cls, scope: Any) -> Self:
        """The repository in a unit of work's scope (its `Slot` builds it with this)."""
        return cls(scope.db, scope.tracker, scope.journal)

    @property
    def _rows(self) -> dict[str, Any]:
        return self._db.table(self.kind)

    def add(self, aggregate: Any) -> None:
        self._tracker.added(self.kind, aggregate)

    def get(self, aggregate_id: str) -> Any:
        cached = self._tracker.cached(self.kind, aggregate_id)
        if cached is not None:
            return cached
        row = self._rows.get(aggregate_id)
        if row is None:
            raise self.not_found(f"{self.kind} {aggregate_id} not found", id=aggregate_id)
        return self._load(row)

    def _load(self, row: Any) -> Any:
        cached = self._tracker.cached(self.kind, row.id)
        if cached is not None:
            return cached
        return self._tracker.loaded(self.kind, copy.deepcopy(row))

    # Written on flush under the journal; nothing to settle after the transaction ends.
    def after_commit(self) -> None: ...

    def after_rollback(self) -> None: ...

    def _all(self) -> list[Any]:
        return list(self._rows.values())

    def flush(self) -> None:
        for aggregate in self._tracker.new(self.kind):
            if aggregate.id in self._rows:
                raise ConcurrencyConflict(f"{self.kind} {aggregate.id} already exists")
            for name, keys_of, error in self.unique:
                taken = {k for row in self._rows.values() for k in keys_of(row)}
                clash = set(keys_of(aggregate)) & taken
                if clash:
                    raise error(f"{name} already in use: {', '.join(sorted(clash))}",
                                keys=sorted(clash))
            stored = copy.deepcopy(aggregate)
            stored.events = []
            self._journal.put(self._rows, aggregate.id, stored)
        for aggregate in self._tracker.changed(self.kind):
            current = self._rows.get(aggregate.id)
            if current is None or current.version != aggregate.version:
                raise ConcurrencyConflict(
                    f"{self.kind} {aggregate.id} was changed by someone else", id=aggregate.id
                )
            aggregate.version += 1
            stored = copy.deepcopy(aggregate)
            stored.events = []
            self._journal.put(self._rows, aggregate.id, stored)
