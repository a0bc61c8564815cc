"""The in-memory database every fake shares: tables, an undo journal, and the repository base.

Kept apart from the unit of work so the fakes of each context (one module per context, as in
`sql/`) build on it without importing one another.
"""

from __future__ import annotations

import copy
import functools
import itertools
import threading
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Self

import attr._make
import attrs

from commerce_core.inventory.stock import Batch, StockMovement
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import Change, Tracker, _Entry


@attrs.define
class OutboxRow:
    envelope: EventEnvelope
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    due_at: datetime | None = None
    written_at: datetime | None = None
    seq: int = 0  # commit order


# -- copying in and out, and fingerprints ------------------------------------------------------
# Aggregates are copied in on flush and out on load so no caller shares the stored state. A copy
# that follows the attrs fields and shares what cannot change (scalars, frozen attrs values) is
# several times faster than `copy.deepcopy` and keeps the fakes fast as the shop grows.
#
# Each stored row also keeps its fingerprint: the comparable snapshot the unit of work checks for
# changes, computed once when the row is written and handed out with every load (rows are never
# changed in place, so it stays true). Fingerprints here share frozen values instead of unfolding
# them into tuples: equal frozen values compare equal, and nothing has to be walked.
_IMMUTABLE = (str, int, float, bool, bytes, type(None), datetime, date, timedelta, Decimal, Enum)
_FROZEN_SETATTR = getattr(attr._make, "_frozen_setattrs", None)
_SHARE = "share"
_SEQUENCE = "sequence"
_MAPPING = "mapping"
_OTHER = "other"
_FIELDS = "fields"
# The version belongs to the store, recorded events to the transaction: neither is state.
_UNTRACKED = ("events", "version")


_Plan = tuple[str, tuple[str, ...], tuple[str, ...]]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """How values of `cls` are copied and fingerprinted: shared as they are, walked as a sequence
    or a mapping, by their attrs fields (all, and those that are state), or deep-copied."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _make_plan(cls)
    return plan


def _make_plan(cls: type) -> _Plan:
    if issubclass(cls, _IMMUTABLE):
        return _SHARE, (), ()
    if issubclass(cls, list | tuple):
        return _SEQUENCE, (), ()
    if issubclass(cls, dict):
        return _MAPPING, (), ()
    if not attrs.has(cls):
        return _OTHER, (), ()
    names = tuple(a.name for a in attrs.fields(cls))
    tracked = tuple(n for n in names if n not in _UNTRACKED)
    if _FROZEN_SETATTR is not None and getattr(cls, "__setattr__", None) is _FROZEN_SETATTR:
        return _SHARE, names, tracked
    return _FIELDS, names, tracked


def clone(value: Any) -> Any:
    """A copy sharing nothing mutable with `value`; recorded `events` are not carried over."""
    cls = type(value)
    if cls in _SHARED:
        return value
    copier = _COPIERS.get(cls)
    if copier is None:
        copier = _COPIERS[cls] = _copier(cls)
    return copier(value)


def fingerprint(value: Any) -> Any:
    """A comparable snapshot of an aggregate's state (events and version left out): tuples for
    its mutable parts, frozen values shared. `unfold` turns it into the shared tracker's form."""
    cls = type(value)
    if cls in _AS_IS:
        return value
    printer = _PRINTERS.get(cls)
    if printer is None:
        printer = _PRINTERS[cls] = _printer(cls)
    return printer(value)


# Copying and fingerprinting run for every row a unit of work loads or writes, so each type gets
# its own function once, built from its plan: an attrs class gets one written out field by field
# (Python source compiled at first use), whose fields of a type already known to be shared are
# taken as they are without a call. `_SHARED` (what `clone` shares) and `_AS_IS` (what
# `fingerprint` keeps as it is) grow as types are met.
_SHARED: set[type] = set()
_AS_IS: set[type] = set()
_COPIERS: dict[type, Callable[[Any], Any]] = {}
_PRINTERS: dict[type, Callable[[Any], Any]] = {}


def _copier(cls: type) -> Callable[[Any], Any]:
    how, names, _ = _plan(cls)
    if how is _SHARE:
        _SHARED.add(cls)
        return _same
    if how is _SEQUENCE:
        if cls is list:
            return lambda value: [v if type(v) in _SHARED else clone(v) for v in value]
        if cls is tuple:
            return lambda value: tuple([v if type(v) in _SHARED else clone(v) for v in value])
        return copy.deepcopy
    if how is _MAPPING:
        if cls is dict:
            return lambda value: {k: v if type(v) in _SHARED else clone(v)
                                  for k, v in value.items()}
        return copy.deepcopy
    if how is _OTHER:
        return copy.deepcopy
    lines = ["def copy_(value):", "    copied = new(cls)"]
    for name in names:
        if name == "events":
            lines.append("    put(copied, 'events', [])")
        else:
            lines.append(f"    v = {_read(name)}")
            lines.append(f"    put(copied, {name!r}, v if type(v) in shared else clone(v))")
    lines.append("    return copied")
    return _compiled(lines, "copy_", cls, new=object.__new__, put=object.__setattr__,
                     shared=_SHARED, clone=clone)


def _printer(cls: type) -> Callable[[Any], Any]:
    how, _, tracked = _plan(cls)
    if how is _SHARE or how is _OTHER:
        _AS_IS.add(cls)
        return _same
    if how is _SEQUENCE:
        return lambda value: tuple([v if type(v) in _AS_IS else fingerprint(v) for v in value])
    if how is _MAPPING:
        return lambda value: tuple([(k, v if type(v) in _AS_IS else fingerprint(v))
                                    for k, v in value.items()])
    if not tracked:
        return lambda value: ()
    lines = ["def print_(value):"]
    lines += [f"    v{i} = {_read(name)}" for i, name in enumerate(tracked)]
    parts = ", ".join(f"v{i} if type(v{i}) in as_is else fingerprint(v{i})"
                      for i in range(len(tracked)))
    lines.append(f"    return ({parts},)")
    return _compiled(lines, "print_", cls, as_is=_AS_IS, fingerprint=fingerprint)


def _same(value: Any) -> Any:
    return value


def _read(name: str) -> str:
    """The source reading field `name` of `value` (an attribute, or `getattr` for a name the
    compiler would mangle)."""
    if name.isidentifier() and not name.startswith("__"):
        return f"value.{name}"
    return f"getattr(value, {name!r})"


def _compiled(lines: list[str], name: str, cls: type, **names: Any) -> Callable[[Any], Any]:
    scope: dict[str, Any] = {"cls": cls, "getattr": getattr, "type": type, **names}
    exec(compile("\n".join(lines), f"<memory store: {name} {cls.__qualname__}>", "exec"), scope)
    function: Callable[[Any], Any] = scope[name]
    return function


def unfold(print_: Any) -> Any:
    """A fingerprint in the form `Tracker.changes` reports (frozen values as tuples too)."""
    cls: type = type(print_)
    how, _, tracked = _plan(cls)
    if how is _SEQUENCE:
        return tuple(unfold(v) for v in print_)
    if how is _MAPPING:
        return tuple((k, unfold(v)) for k, v in print_.items())
    if tracked:  # a frozen attrs value kept as it is
        return tuple(unfold(getattr(print_, n)) for n in tracked)
    return print_


class MemoryTracker(Tracker):
    """The shared tracker, with fingerprints the store keeps: a load takes the stored row's
    fingerprint instead of computing one, and a flush stores the one it computed to find the
    change. Only one fingerprint per written aggregate is computed per commit."""

    def loaded_with(self, kind: str, aggregate: Any, print_: Any) -> Any:
        entry = self._entries.get((kind, aggregate.id))
        if entry is not None:
            return entry.aggregate
        if print_ is None:
            print_ = fingerprint(aggregate)
        self._entries[(kind, aggregate.id)] = _Entry(aggregate, print_)
        return aggregate

    def loaded(self, kind: str, aggregate: Any) -> Any:
        return self.loaded_with(kind, aggregate, None)

    # A commit flushes forty-odd repositories, each asking for its kind's new and changed
    # aggregates; walking every tracked entry for each (a 50-line order tracks over a hundred)
    # cost more than the flushes. The keys are grouped by kind again whenever the tracked keys
    # may have changed: a new key is added last, so the count and the last key tell (a replaced
    # entry keeps its key; `clear` drops the grouping).
    _grouped: dict[str, list[tuple[str, str]]] | None = None
    _grouped_at: tuple[int, Any] = (-1, None)

    def _keys_of_kind(self, kind: str) -> list[tuple[str, str]]:
        entries = self._entries
        stamp = (len(entries), next(reversed(entries), None))
        if self._grouped is None or self._grouped_at != stamp:
            grouped: dict[str, list[tuple[str, str]]] = {}
            for key in entries:
                grouped.setdefault(key[0], []).append(key)
            self._grouped, self._grouped_at = grouped, stamp
        return self._grouped.get(kind, [])

    def tracks(self, kind: str) -> bool:
        """Whether the transaction loaded or added anything of `kind`."""
        return bool(self._keys_of_kind(kind))

    def _of_kind(self, kind: str) -> list[_Entry]:
        entries = self._entries
        found = [entries.get(key) for key in self._keys_of_kind(kind)]
        return [entry for entry in found if entry is not None]

    def new(self, kind: str) -> Iterator[Any]:
        return (entry.aggregate for entry in self._of_kind(kind) if entry.fingerprint is None)

    def changed(self, kind: str) -> Iterator[Any]:
        for entry in self._of_kind(kind):
            if entry.fingerprint is None:
                continue
            now = fingerprint(entry.aggregate)
            if now != entry.fingerprint:
                entry.written = now
                yield entry.aggregate

    def clear(self) -> None:
        super().clear()
        self._grouped = None

    def print_written(self, kind: str, aggregate: Any) -> Any:
        """The fingerprint a flush writes for a new or changed aggregate (kept as its baseline
        once the transaction commits)."""
        entry = self._entries[(kind, aggregate.id)]
        if entry.written is None:
            entry.written = fingerprint(aggregate)
        return entry.written

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for (kind, aggregate_id), entry in self._entries.items():
            if not attrs.has(type(entry.aggregate)):
                continue
            cls: type = type(entry.aggregate)
            names = _plan(cls)[2]
            now = fingerprint(entry.aggregate)
            if entry.fingerprint is None:
                found.append(Change(kind, aggregate_id, None,
                                    dict(zip(names, unfold(now), strict=True))))
            elif now != entry.fingerprint:
                pairs = zip(names, entry.fingerprint, now, strict=True)
                moved = [(n, unfold(old), unfold(new)) for n, old, new in pairs if old != new]
                found.append(Change(kind, aggregate_id, {n: old for n, old, _ in moved},
                                    {n: new for n, _, new in moved}))
        return found

    def after_commit(self) -> None:
        for entry in self._entries.values():
            if entry.written is not None:
                entry.fingerprint, entry.written = entry.written, None
            elif entry.fingerprint is None:
                entry.fingerprint = fingerprint(entry.aggregate)


class InMemoryDatabase:
    """The state every unit of work of one shop shares."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Any]] = {}
        # kind → id → the stored row's fingerprint (see `MemoryTracker`), written with the row.
        self.prints: dict[str, dict[str, Any]] = {}
        # (kind, index name) → key → ids of the rows holding it; kept with the rows, undone with
        # them, so lookups by key do not scan a table.
        self.indexes: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.stock: dict[tuple[str, str], Any] = {}  # (sku, warehouse) → its row
        self.stock_warehouses: set[str] = set()  # every warehouse a stock row was written for
        self.ledger: list[StockMovement] = []
        self.batches: dict[tuple[str, str, str], Batch] = {}  # (sku, warehouse, batch number)
        self.outbox: list[OutboxRow] = []
        self.outbox_rows: dict[str, OutboxRow] = {}  # by event id
        self.outbox_pending: dict[str, OutboxRow] = {}  # the rows waiting to be relayed
        self.outbox_seq = itertools.count()  # never reused, even after a rollback
        self.inbox: set[tuple[str, str]] = set()

    def table(self, kind: str) -> dict[str, Any]:
        return self.tables.setdefault(kind, {})


class Journal:
    """How to undo what one transaction changed, newest first."""

    def __init__(self) -> None:
        # An undo step is a callable, or for `put` the (mapping, key, previous value) to put
        # back: a tuple costs less to make than a closure, and a 50-line order puts hundreds.
        self._undo: list[Callable[[], None] | tuple[dict[Any, Any], Any, Any]] = []

    def put(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        """`mapping[key] = value`, undone by restoring the previous value (or its absence)."""
        self._undo.append((mapping, key, mapping.get(key, _ABSENT)))
        mapping[key] = value

    def then(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def rollback(self) -> None:
        while self._undo:
            step = self._undo.pop()
            if isinstance(step, tuple):
                mapping, key, previous = step
                if previous is _ABSENT:
                    mapping.pop(key, None)
                else:
                    mapping[key] = previous
            else:
                step()

    def forget(self) -> None:
        """The transaction committed: its changes stay."""
        self._undo.clear()


_ABSENT: Any = object()  # what `Journal.put` found under a key the mapping did not hold
KeysOf = Callable[[Any], Collection[str]]


class _Repository:
    """Copy-in/copy-out storage of one aggregate kind with version checks, unique keys, and
    indexes (the unique keys, and the `indexed` lookups) for finding rows by key."""

    kind = ""
    not_found: type[CommerceError] = CommerceError
    unique: tuple[tuple[str, KeysOf, type[CommerceError]], ...] = ()
    indexed: tuple[tuple[str, KeysOf], ...] = ()

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
        tracker = self._tracker
        if isinstance(tracker, MemoryTracker):
            print_ = self._db.prints.get(self.kind, {}).get(row.id)
            return tracker.loaded_with(self.kind, clone(row), print_)
        return tracker.loaded(self.kind, clone(row))

    def _index(self, name: str) -> dict[str, set[str]]:
        return self._db.indexes.setdefault((self.kind, name), {})

    def _by(self, name: str, key: str) -> list[Any]:
        """The rows an index holds under `key`, by id."""
        rows = self._rows
        return [rows[i] for i in sorted(self._index(name).get(key, ()))]

    def _keys(self) -> tuple[tuple[str, KeysOf], ...]:
        keys: tuple[tuple[str, KeysOf], ...] | None = type(self).__dict__.get("_all_keys")
        if keys is None:  # once per class: the unique keys, then the `indexed` lookups
            keys = (*((name, keys_of) for name, keys_of, _ in self.unique), *self.indexed)
            type.__setattr__(type(self), "_all_keys", keys)
        return keys

    def _written_print(self, aggregate: Any) -> Any:
        tracker = self._tracker
        if isinstance(tracker, MemoryTracker):
            return tracker.print_written(self.kind, aggregate)
        return None

    def _store(self, stored: Any, before: Any, print_: Any = None) -> None:
        """Write the row (and its fingerprint) and bring the indexes along, all undone on
        rollback. An index whose keys the row kept is left alone (most writes change a status,
        not what a row is found by)."""
        journal, row_id = self._journal, stored.id
        journal.put(self._rows, row_id, stored)
        journal.put(self._db.prints.setdefault(self.kind, {}), row_id, print_)
        for name, keys_of in self._keys():
            new = keys_of(stored)
            if type(new) is not list:
                new = list(new)  # a generator would be spent by the first look
            if before is not None:
                old = list(keys_of(before))
                if old == new:
                    continue
                gone, came = set(old) - set(new), set(new) - set(old)
            else:
                gone, came = set(), set(new)
            index = self._index(name)
            for key in gone:
                index[key].discard(row_id)
                journal.then(functools.partial(_index_add, index, key, row_id))
            for key in came:
                _index_add(index, key, row_id)
                journal.then(functools.partial(_index_discard, index, key, row_id))

    # Written on flush under the journal; nothing to settle after the transaction ends.
    def after_commit(self) -> None: ...

    def after_rollback(self) -> None: ...

    def _all(self) -> list[Any]:
        return list(self._rows.values())

    def flush(self) -> None:
        tracker = self._tracker
        if isinstance(tracker, MemoryTracker) and not tracker.tracks(self.kind):
            return  # most of a commit's repositories hold nothing of it
        for aggregate in self._tracker.new(self.kind):
            if aggregate.id in self._rows:
                raise ConcurrencyConflict(f"{self.kind} {aggregate.id} already exists")
            for name, keys_of, error in self.unique:
                index = self._index(name)
                clash = {k for k in keys_of(aggregate) if index.get(k)}
                if clash:
                    raise error(f"{name} already in use: {', '.join(sorted(clash))}",
                                keys=sorted(clash))
            self._store(clone(aggregate), None, self._written_print(aggregate))
        for aggregate in self._tracker.changed(self.kind):
            current = self._rows.get(aggregate.id)
            if current is None or current.version != aggregate.version:
                raise ConcurrencyConflict(
                    f"{self.kind} {aggregate.id} was changed by someone else", id=aggregate.id
                )
            aggregate.version += 1
            self._store(clone(aggregate), current, self._written_print(aggregate))


def _index_add(index: dict[str, set[str]], key: str, row_id: str) -> None:
    index.setdefault(key, set()).add(row_id)


def _index_discard(index: dict[str, set[str]], key: str, row_id: str) -> None:
    index.get(key, set()).discard(row_id)
