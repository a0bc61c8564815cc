"""The unit of work: one transaction over the repositories, the outbox and the inbox.

Each context declares its own unit-of-work Protocol exposing only the repositories it needs
(`OrderingUnitOfWork`); adapters implement one class that satisfies all of them. The behaviour every
adapter shares lives here once: `Tracker` (the aggregates a transaction touched, which of them
changed, their recorded events as envelopes) and `TrackedUnitOfWork`, the commit sequence itself.
An adapter's unit of work declares its repositories as `Slot`s in its class body, in flush order,
and says how to begin, commit, roll back and end its transaction.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, cast, overload
from uuid import UUID

import attrs

from commerce_core.shared.clock import Clock
from commerce_core.shared.events import DomainEvent, EventEnvelope, current_causality
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.outbox import Inbox, Outbox


class Aggregate(Protocol):
    """What the unit of work needs of an aggregate: an id, a version and recorded events."""

    @property
    def id(self) -> str: ...

    version: int
    events: list[DomainEvent]


A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")


@attrs.frozen
class Held:
    """The aggregates a committed unit of work held, as committed: the next unit of work of the
    same use case adopts them instead of reading them again. Their changes are then written
    under the versions they carry, so a change made meanwhile by someone else raises
    `ConcurrencyConflict` on commit. Valid only until someone changes the objects."""

    entries: tuple[Any, ...] = ()


class UnitOfWork(Protocol):
    """`with uow: ...; uow.commit()`. Leaving the block without `commit` rolls back.

    `commit` writes every changed aggregate (optimistic version check: a concurrent change raises
    `ConcurrencyConflict`) and, in the same transaction, the outbox rows of every event recorded.
    After it returns, `committed` holds those envelopes (in-process dispatch reads them).
    """

    committed: list[EventEnvelope]

    # Read-only, as every repository of a context's unit of work is: an adapter may hold a
    # subtype of the port (its own repository class), which a mutable attribute would forbid.
    @property
    def outbox(self) -> Outbox: ...

    @property
    def inbox(self) -> Inbox: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def record(self, event: DomainEvent) -> None:
        """Record an event not owned by a tracked aggregate (stock counters, for instance)."""
        ...

    def held(self) -> Held:
        """What this unit of work holds, once it committed (see `Held`)."""
        ...

    def adopt(self, held: Held) -> None:
        """Take over what an earlier unit of work held, without reading it again."""
        ...


U_co = TypeVar("U_co", bound=UnitOfWork, covariant=True)


class UnitOfWorkFactory(Protocol[U_co]):
    """Opens a new unit of work; one per use case call, so handlers are safe across threads."""

    def __call__(self) -> U_co: ...


# Envelopes committed while the message bus handles one command, for in-process dispatch after it.
# None outside a bus call, so units of work used elsewhere (the worker's relay) collect nothing.
committed_in_context: ContextVar[list[EventEnvelope] | None] = ContextVar(
    "committed_in_context", default=None
)


# Set by the message bus while it handles a command in embedded mode: tells whether an in-process
# subscriber will act on an event. An event nobody in this process acts on has nothing left to
# deliver once committed, so its outbox row is written already published (no second write).
in_process_subscribers: ContextVar[Callable[[EventEnvelope], bool] | None] = ContextVar(
    "in_process_subscribers", default=None
)


def outbox_status(envelope: EventEnvelope) -> str:
    """The status an outbox row starts with: `pending` unless nobody will ever relay it."""
    wanted = in_process_subscribers.get()
    if wanted is not None and not wanted(envelope):
        return "published"
    return "pending"


@attrs.frozen
class Change:
    """An aggregate a transaction added or changed: the fields that changed, before and after
    (as comparable snapshots: attrs values become tuples); `before` is None for a new one."""

    kind: str
    id: str
    before: dict[str, Any] | None
    after: dict[str, Any]


class PendingWrite(Protocol):
    """A write that rides along with the next commit, given the unit of work and its changes."""

    def __call__(self, uow: Any, changes: Sequence[Change]) -> None: ...


# Set by the message bus around a command whose effect is to be recorded (the audit trail):
# the first unit of work that commits while it runs takes the write and makes it part of its
# own transaction, so the record and the change commit or roll back together.
pending_write: ContextVar[list[PendingWrite] | None] = ContextVar("pending_write", default=None)


def take_pending_write() -> PendingWrite | None:
    holder = pending_write.get()
    return holder.pop() if holder else None


def give_back_pending_write(write: PendingWrite) -> None:
    """A commit that took the write failed: the next one (a retry) takes it again."""
    holder = pending_write.get()
    if holder is not None:
        holder.append(write)


def announce_committed(envelopes: Sequence[EventEnvelope]) -> None:
    """Called by every unit of work right after a successful commit."""
    collected = committed_in_context.get()
    if collected is not None:
        collected.extend(envelopes)


# -- change detection ------------------------------------------------------------------------
# Every aggregate a transaction loads gets a fingerprint (a comparable snapshot of its state, its
# recorded events and version left out); on flush a fresh one compared with it tells whether the
# aggregate changed. That runs for every row of every aggregate a use case touches, so each type
# gets its own fingerprint function, compiled once from its attrs fields (ADR 0038).
#
# A fingerprint keeps immutable values as they are instead of unfolding them into tuples: scalars,
# and frozen attrs values whose fields are all immutable too (Money): equal values compare equal
# and nothing has to be walked. A frozen value that holds something mutable (a dict of options)
# is walked like any other object, so a change inside it is still seen. `_snapshot` unfolds a
# fingerprint into the form `changes` reports (attrs values as tuples all the way down).
_SCALARS = (str, int, float, bool, bytes, type(None), datetime, date, time, timedelta, Decimal,
            Enum, UUID)
_UNTRACKED = ("events", "version")  # the version belongs to the store, events to the transaction
_AS_IS: set[type] = set()  # types a fingerprint keeps as they are
_PRINTERS: dict[type, Callable[[Any], Any]] = {}


def _fingerprint(value: Any) -> Any:
    """A comparable snapshot of `value`'s state: tuples for its mutable parts, immutable values
    kept as they are."""
    cls = type(value)
    if cls in _AS_IS:
        return value
    printer = _PRINTERS.get(cls)
    if printer is None:
        printer = _PRINTERS[cls] = _printer(cls)
    return printer(value)


def _printer(cls: type) -> Callable[[Any], Any]:
    if _immutable(cls):
        _AS_IS.add(cls)
        return _same
    if issubclass(cls, list | tuple):
        return _print_sequence
    if issubclass(cls, dict):
        return _print_mapping
    names = _field_names(cast(Any, cls))
    if names is None:
        _AS_IS.add(cls)  # not an attrs class: compared as it is, as before
        return _same
    if not names:
        return _nothing
    # One function per class, its fields read one by one; a field of a type already known to be
    # kept as it is costs no call.
    lines = ["def print_(value):"]
    lines += [f"    v{i} = {_read(name)}" for i, name in enumerate(names)]
    parts = ", ".join(f"v{i} if type(v{i}) in as_is else fingerprint(v{i})"
                      for i in range(len(names)))
    lines.append(f"    return ({parts},)")
    scope: dict[str, Any] = {"as_is": _AS_IS, "fingerprint": _fingerprint, "type": type,
                             "getattr": getattr}
    exec(compile("\n".join(lines), f"<fingerprint of {cls.__qualname__}>", "exec"), scope)
    printer: Callable[[Any], Any] = scope["print_"]
    return printer


def _print_sequence(value: Any) -> Any:
    return tuple([v if type(v) in _AS_IS else _fingerprint(v) for v in value])


def _print_mapping(value: Any) -> Any:
    return tuple([(k, v if type(v) in _AS_IS else _fingerprint(v)) for k, v in value.items()])


def _same(value: Any) -> Any:
    return value


def _nothing(value: Any) -> Any:
    return ()


def _read(name: str) -> str:
    """The source reading field `name` of `value` (`getattr` for a name the compiler mangles)."""
    if name.isidentifier() and not name.startswith("__"):
        return f"value.{name}"
    return f"getattr(value, {name!r})"


@attrs.frozen
class _Frozen:
    value: int


# What attrs installs as `__setattr__` on every frozen class: how a frozen class is recognised.
_FROZEN_SETATTR = _Frozen.__setattr__
_IMMUTABLE: dict[type, bool] = {}


def _immutable(cls: type) -> bool:
    """Whether values of `cls` never change: scalars, and frozen attrs classes comparing by value
    whose fields are all declared immutable (anything unsure counts as mutable)."""
    known = _IMMUTABLE.get(cls)
    if known is None:
        # A type that contains itself (a tree of conditions) counts as mutable while it is being
        # decided: walking a value that never changes costs time, never a missed change.
        _IMMUTABLE[cls] = False
        known = _IMMUTABLE[cls] = _decide_immutable(cls)
    return known


def _decide_immutable(cls: type) -> bool:
    if issubclass(cls, _SCALARS):
        return True
    if not attrs.has(cls) or cls.__eq__ is object.__eq__:
        return False
    if getattr(cls, "__setattr__", None) is not _FROZEN_SETATTR:
        return False
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve here: walk the value instead
        return False
    return all(_immutable_hint(hints.get(a.name)) for a in attrs.fields(cls))


def _immutable_hint(hint: Any) -> bool:
    if hint is None or hint is Ellipsis:
        return hint is Ellipsis
    if isinstance(hint, type) and not typing.get_args(hint):
        return _immutable(hint)
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return True
    if origin in (typing.Union, types.UnionType, tuple, frozenset):
        return all(_immutable_hint(arg) for arg in typing.get_args(hint))
    return False


def _snapshot(print_: Any) -> Any:
    """A fingerprint as `changes` reports it: attrs values as tuples all the way down."""
    if isinstance(print_, list | tuple):
        return tuple(_snapshot(v) for v in print_)
    if isinstance(print_, dict):
        return tuple((k, _snapshot(v)) for k, v in print_.items())
    cls: Any = type(print_)
    names = _field_names(cls)
    if names is None:
        return print_
    return tuple(_snapshot(getattr(print_, name)) for name in names)


@functools.cache
def _field_names(cls: Any) -> tuple[str, ...] | None:
    if not attrs.has(cls):
        return None
    return tuple(a.name for a in attrs.fields(cls) if a.name not in _UNTRACKED)


@attrs.define
class _Entry:
    aggregate: Any
    fingerprint: Any  # None for a new aggregate
    written: Any = None  # the state this transaction writes, the baseline once it commits
    stored: Any = None  # what the adapter last read or wrote for it (SQL: its child rows)

    def copy(self) -> _Entry:
        # `attrs.evolve` looks the fields up on every call; a checkout copies a dozen entries.
        return _Entry(self.aggregate, self.fingerprint, self.written, self.stored)


class Tracker:
    """The aggregates one transaction added or loaded, and the events it recorded outside them."""

    def __init__(self, ids: IdGenerator, clock: Clock) -> None:
        self._ids, self._clock = ids, clock
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._loose: list[DomainEvent] = []

    def added(self, kind: str, aggregate: A) -> A:
        self._entries[(kind, aggregate.id)] = _Entry(aggregate, None)
        return aggregate

    def loaded(self, kind: str, aggregate: A) -> A:
        """Track a loaded aggregate; a second load in one transaction returns the first."""
        entry = self._entries.get((kind, aggregate.id))
        if entry is not None:
            first: A = entry.aggregate
            return first
        self._entries[(kind, aggregate.id)] = _Entry(aggregate, _fingerprint(aggregate))
        return aggregate

    def cached(self, kind: str, aggregate_id: str) -> Any | None:
        entry = self._entries.get((kind, aggregate_id))
        return None if entry is None else entry.aggregate

    def stored(self, kind: str, aggregate_id: str) -> Any:
        entry = self._entries.get((kind, aggregate_id))
        return None if entry is None else entry.stored

    def keep(self, kind: str, aggregate_id: str, stored: Any) -> None:
        """Remember what the adapter read or wrote for a tracked aggregate."""
        self._entries[(kind, aggregate_id)].stored = stored

    def held(self) -> Held:
        return Held(tuple(
            (key, entry.copy()) for key, entry in self._entries.items()
            if entry.fingerprint is not None
        ))

    def adopt(self, held: Held) -> None:
        for key, entry in held.entries:
            if key not in self._entries:
                self._entries[key] = entry.copy()

    def record(self, event: DomainEvent) -> None:
        self._loose.append(event)

    def changes(self) -> list[Change]:
        """What the transaction added or changed so far, field by field."""
        found: list[Change] = []
        for (kind, aggregate_id), entry in self._entries.items():
            cls: Any = type(entry.aggregate)
            names = _field_names(cls)
            if names is None:
                continue  # not an attrs class: no fields to name
            now = _fingerprint(entry.aggregate)
            if entry.fingerprint is None:
                found.append(Change(kind, aggregate_id, None,
                                    {n: _snapshot(v) for n, v in zip(names, now, strict=True)}))
            elif now != entry.fingerprint:
                pairs = zip(names, entry.fingerprint, now, strict=True)
                moved = [(name, _snapshot(old), _snapshot(new)) for name, old, new in pairs
                         if old != new]
                found.append(Change(kind, aggregate_id, {n: old for n, old, _ in moved},
                                    {n: new for n, _, new in moved}))
        return found

    def new(self, kind: str) -> Iterator[Any]:
        return (e.aggregate for (k, _), e in self._entries.items()
                if k == kind and e.fingerprint is None)

    def changed(self, kind: str) -> Iterator[Any]:
        for (k, _), entry in self._entries.items():
            if k != kind or entry.fingerprint is None:
                continue
            now = _fingerprint(entry.aggregate)
            if now != entry.fingerprint:
                entry.written = now
                yield entry.aggregate

    def drain_events(self) -> list[EventEnvelope]:
        """Turn every recorded event into an envelope, in recording order, and forget them."""
        events: list[DomainEvent] = []
        for entry in self._entries.values():
            events.extend(entry.aggregate.events)
            entry.aggregate.events.clear()
        events.extend(self._loose)
        self._loose.clear()
        causality = current_causality.get()
        now = self._clock.now()
        return [
            EventEnvelope(
                id=self._ids.new_id(),
                type=event.type,
                version=event.version,
                occurred_at=getattr(event, "occurred_at", now),
                aggregate_id=event.aggregate_id,
                payload=event.payload(),
                correlation_id=causality.correlation_id,
                causation_id=causality.causation_id,
            )
            for event in events
        ]

    def after_commit(self) -> None:
        """What was written is the new baseline; unchanged aggregates keep theirs."""
        for entry in self._entries.values():
            if entry.fingerprint is None:
                entry.fingerprint = _fingerprint(entry.aggregate)
            elif entry.written is not None:
                entry.fingerprint, entry.written = entry.written, None

    def after_rollback(self) -> None:
        for entry in self._entries.values():
            entry.written = None

    def clear(self) -> None:
        self._entries.clear()
        self._loose.clear()


class Staged(Protocol):
    """A repository that writes on commit (aggregate repositories); the others write at once."""

    def flush(self) -> None: ...

    def after_commit(self) -> None: ...

    def after_rollback(self) -> None: ...


class Slot(Generic[R]):
    """One repository of a unit of work, declared in the class body and built on first use.

    The declarations are the adapter's table of repositories: their order is the flush order.
    Built from the unit of work's `scope` (its transaction, tracker, clock, ids), then kept in
    the instance's `__dict__`, which shadows this (non-data) descriptor from then on.
    """

    def __init__(self, build: Callable[[Any], R]) -> None:
        self.build = build
        self.name = ""
        self.index = 0  # its place in the declarations: the flush order

    def __set_name__(self, owner: type[TrackedUnitOfWork], name: str) -> None:
        self.name, self.index = name, len(owner.slots)
        owner.slots = (*owner.slots, self)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Slot[R]: ...

    @overload
    def __get__(self, instance: TrackedUnitOfWork, owner: type[Any]) -> R: ...

    def __get__(self, instance: TrackedUnitOfWork | None, owner: type[Any]) -> Slot[R] | R:
        if instance is None:
            return self
        built = self.build(instance.scope)
        instance.__dict__[self.name] = built
        if hasattr(built, "flush"):
            instance._built_staged.append((self.index, cast(Staged, built)))
        return built


class TrackedUnitOfWork:
    """The commit sequence every adapter's unit of work shares: flush the staged repositories
    in declaration order, turn recorded events into outbox rows, commit the transaction, settle
    versions and baselines, announce what committed. Subclasses declare their repositories as
    `Slot`s (an `outbox` and an `inbox` among them) and implement the transaction hooks."""

    slots: ClassVar[tuple[Slot[Any], ...]] = ()
    scope: Any
    committed: list[EventEnvelope]
    outbox: Outbox
    inbox: Inbox

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker
        self.committed = []
        self._built_staged: list[tuple[int, Staged]] = []

    # -- the adapter's transaction --------------------------------------------------------------
    def _begin(self) -> None: ...

    def _commit_transaction(self) -> None: ...

    def _rollback_transaction(self) -> None: ...

    def _end(self) -> None: ...

    # -- the sequence ---------------------------------------------------------------------------
    def _staged(self) -> list[Staged]:
        # The staged repositories built so far, in declaration order (`Slot.__get__` lists them
        # as it builds them: a unit of work uses a few of its forty-odd repositories).
        return [r for _, r in sorted(self._built_staged, key=_first)]

    def __enter__(self) -> Self:
        self._begin()
        self._tracker.clear()
        self.committed = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._end()
        finally:
            self._tracker.clear()
            for repository in self._staged():
                repository.after_rollback()

    def record(self, event: DomainEvent) -> None:
        self._tracker.record(event)

    def commit(self) -> None:
        staged = self._staged()
        write = take_pending_write()
        try:
            for repository in staged:
                repository.flush()
            if write is not None:
                write(self, self._tracker.changes())
            envelopes = self._tracker.drain_events()
            self.outbox.add(envelopes)
            self._commit_transaction()
        except BaseException:
            self.rollback()
            if write is not None:
                give_back_pending_write(write)
            raise
        for repository in staged:
            repository.after_commit()
        self._tracker.after_commit()
        self.committed = envelopes
        announce_committed(envelopes)

    def rollback(self) -> None:
        try:
            self._rollback_transaction()
        finally:
            self._tracker.after_rollback()
            for repository in self._staged():
                repository.after_rollback()

    def held(self) -> Held:
        return self._tracker.held()

    def adopt(self, held: Held) -> None:
        self._tracker.adopt(held)


def _first(pair: tuple[int, Any]) -> int:
    return pair[0]


def retrying(
    attempt: Callable[[], Any], *, retry_on: type[BaseException], attempts: int = 5
) -> Any:
    """Run `attempt` again after an optimistic-lock conflict; the last conflict propagates."""
    for _ in range(attempts - 1):
        try:
            return attempt()
        except retry_on:
            continue
    return attempt()
