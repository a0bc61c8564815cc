"""An in-memory database with serialisable transactions, and repositories over it.

Faithful to the SQL adapter where the contract tests look: aggregates are copied in and out (no
shared references), versions are checked on update, unique keys are enforced on commit, stock
changes are conditional, and a rollback undoes exactly what its own transaction changed in the
tables, the stock counters, the outbox and the inbox (an undo journal, so a unit of work opened
inside another on the same thread keeps its commit when the outer one rolls back). One lock is
held from `__enter__` to `__exit__`, so transactions of different threads never interleave.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import attrs

from commerce_core.cart.errors import CartNotFound
from commerce_core.catalog.errors import (
    CategoryNotFound,
    DuplicateSku,
    DuplicateSlug,
    ProductNotFound,
)
from commerce_core.catalog.model import Category, Product, ProductStatus
from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import CheckoutSaga, SagaStatus
from commerce_core.inventory.errors import (
    DuplicateWarehouse,
    InvalidStockChange,
    ReservationNotFound,
    StockBelowReserved,
    WarehouseNotFound,
)
from commerce_core.inventory.model import Reservation, ReservationStatus, StockLevel, Warehouse
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment
from commerce_core.shared.bus import backoff
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import Tracker, announce_committed, outbox_status


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
        self.stock: dict[tuple[str, str], list[int]] = {}  # (sku, warehouse) → [on_hand, reserved]
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

    @property
    def _rows(self) -> dict[str, Any]:
        return self._db.table(self.kind)

    def add(self, aggregate: Any) -> None:
        self._tracker.added(self.kind, aggregate)

    def attach(self, aggregate: Any) -> Any:
        cached = self._tracker.cached(self.kind, aggregate.id)
        return cached if cached is not None else self._tracker.loaded(self.kind, aggregate)

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


class InMemoryProductRepository(_Repository):
    kind = "product"
    not_found = ProductNotFound
    unique = (
        ("SKU", lambda p: [v.sku for v in p.variants], DuplicateSku),
        ("slug", lambda p: [p.slug], DuplicateSlug),
    )

    def by_skus(self, skus: Collection[str]) -> dict[str, Product]:
        wanted = set(skus)
        found: dict[str, Product] = {}
        for row in self._all():
            hits = wanted & {v.sku for v in row.variants}
            if hits:
                product = self._load(row)
                found.update(dict.fromkeys(hits, product))
        return found

    def by_slug(self, slug: str) -> Product | None:
        row = next((r for r in self._all() if r.slug == slug), None)
        return None if row is None else self._load(row)

    def list(
        self, *, status: ProductStatus | None = None, category_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> list[Product]:
        rows = [
            r for r in self._all()
            if (status is None or r.status is status)
            and (category_id is None or category_id in r.category_ids)
        ]
        rows.sort(key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows[offset:offset + limit]]


class InMemoryCategoryRepository(_Repository):
    kind = "category"
    not_found = CategoryNotFound
    unique = (("slug", lambda c: [c.slug], DuplicateSlug),)

    def list(self) -> list[Category]:
        return [self._load(r) for r in sorted(self._all(), key=lambda c: c.slug)]


class InMemoryWarehouseRepository(_Repository):
    kind = "warehouse"
    not_found = WarehouseNotFound
    unique = (("warehouse code", lambda w: [w.code], DuplicateWarehouse),)

    def by_code(self, code: str) -> Warehouse | None:
        row = next((r for r in self._all() if r.code == code), None)
        return None if row is None else self._load(row)

    def list(self) -> list[Warehouse]:
        rows = sorted(self._all(), key=lambda w: (not w.is_default, w.code))
        return [self._load(r) for r in rows]


Counters = list[int]  # [on_hand, reserved]


def _check_quantity(sku: str, quantity: int) -> None:
    if quantity < 1:
        raise InvalidStockChange(
            f"stock moves in whole units of at least 1, got {quantity}", sku=sku,
            quantity=quantity,
        )


class InMemoryStockLevels:
    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None:
        row = self._db.stock.get((sku, warehouse_id))
        return None if row is None else StockLevel(sku, warehouse_id, row[0], row[1])

    def list(self, sku: str | None = None) -> list[StockLevel]:
        return [
            StockLevel(s, w, row[0], row[1])
            for (s, w), row in sorted(self._db.stock.items())
            if sku is None or s == sku
        ]

    def _move(self, row: Counters, on_hand: int, reserved: int) -> None:
        """Apply a change to the counters; rolling back applies the opposite change."""
        row[0] += on_hand
        row[1] += reserved

        def undo() -> None:
            row[0] -= on_hand
            row[1] -= reserved

        self._journal.then(undo)

    def set_on_hand(self, sku: str, warehouse_id: str, on_hand: int) -> StockLevel | None:
        before = self.get(sku, warehouse_id)
        reserved = before.reserved if before else 0
        if on_hand < reserved:
            raise StockBelowReserved(
                f"{reserved} units of {sku} are reserved; on hand cannot drop to {on_hand}",
                sku=sku, reserved=reserved, on_hand=on_hand,
            )
        row = self._db.stock.get((sku, warehouse_id))
        if row is None:
            self._journal.put(self._db.stock, (sku, warehouse_id), [on_hand, 0])
        else:
            self._move(row, on_hand - row[0], 0)
        return before

    def try_reserve(self, sku: str, warehouse_id: str, quantity: int) -> bool:
        _check_quantity(sku, quantity)
        row = self._db.stock.get((sku, warehouse_id))
        if row is None or row[0] - row[1] < quantity:
            return False
        self._move(row, 0, quantity)
        return True

    def unreserve(self, sku: str, warehouse_id: str, quantity: int) -> None:
        _check_quantity(sku, quantity)
        row = self._db.stock.get((sku, warehouse_id))
        if row is None or row[1] < quantity:
            raise InvalidStockChange(f"fewer than {quantity} units of {sku} are reserved",
                                     sku=sku, warehouse_id=warehouse_id)
        self._move(row, 0, -quantity)

    def commit(self, sku: str, warehouse_id: str, quantity: int) -> None:
        _check_quantity(sku, quantity)
        row = self._db.stock.get((sku, warehouse_id))
        if row is None or row[1] < quantity or row[0] < quantity:
            raise InvalidStockChange(f"fewer than {quantity} units of {sku} are reserved",
                                     sku=sku, warehouse_id=warehouse_id)
        self._move(row, -quantity, -quantity)


class InMemoryReservationRepository(_Repository):
    kind = "reservation"
    not_found = ReservationNotFound

    def for_reference(self, reference: str) -> list[Reservation]:
        rows = sorted((r for r in self._all() if r.reference == reference),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def for_order(self, order_id: str) -> list[Reservation]:
        rows = sorted((r for r in self._all() if r.order_id == order_id),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        rows = sorted(
            (r for r in self._all()
             if r.status is ReservationStatus.ACTIVE and r.expires_at <= now),
            key=lambda r: (r.expires_at, r.id),
        )
        return [r.id for r in rows[:limit]]

    def count_live(self, sku: str | None = None) -> int:
        return sum(
            1 for r in self._all()
            if r.status in (ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED)
            and (sku is None or r.sku == sku)
        )

    def list(self, *, statuses: Sequence[str] | None = None, limit: int = 100) -> list[Reservation]:
        rows = sorted(
            (r for r in self._all() if statuses is None or r.status.value in statuses),
            key=lambda r: (r.created_at, r.id), reverse=True,
        )
        return [self._load(r) for r in rows[:limit]]


class InMemoryCartRepository(_Repository):
    kind = "cart"
    not_found = CartNotFound


class InMemoryCheckoutSagaRepository(_Repository):
    kind = "checkout"
    not_found = CheckoutNotFound
    # A reused key is a concurrent duplicate of one request, exactly as the SQL unique index says.
    unique = (("idempotency key", lambda s: [s.idempotency_key], ConcurrencyConflict),)

    def by_key(self, idempotency_key: str) -> CheckoutSaga | None:
        row = next((r for r in self._all() if r.idempotency_key == idempotency_key), None)
        return None if row is None else self._load(row)

    def stale(self, now: datetime, limit: int) -> list[str]:
        rows = sorted(
            (r for r in self._all()
             if r.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING)
             and r.lease_until <= now),
            key=lambda r: (r.created_at, r.id),
        )
        return [r.id for r in rows[:limit]]


class InMemoryOrderRepository(_Repository):
    kind = "order"
    not_found = OrderNotFound
    unique = (("checkout", lambda o: [o.checkout_id], ConcurrencyConflict),)

    def by_number(self, number: str) -> Order | None:
        row = next((r for r in self._all() if r.number == number), None)
        return None if row is None else self._load(row)

    def by_checkout(self, checkout_id: str) -> Order | None:
        row = next((r for r in self._all() if r.checkout_id == checkout_id), None)
        return None if row is None else self._load(row)

    def list(
        self, *, status: OrderStatus | None = None, customer_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> list[Order]:
        rows = sorted(
            (r for r in self._all()
             if (status is None or r.status is status)
             and (customer_id is None or r.customer_id == customer_id)),
            key=lambda r: (r.created_at, r.id), reverse=True,
        )
        return [self._load(r) for r in rows[offset:offset + limit]]


class InMemoryPaymentRepository(_Repository):
    kind = "payment"
    not_found = PaymentNotFound

    def for_order(self, order_id: str) -> list[Payment]:
        rows = sorted((r for r in self._all() if r.order_id == order_id),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]


class InMemoryOutbox:
    def __init__(self, db: InMemoryDatabase, clock: Clock, journal: Journal) -> None:
        self._db, self._clock, self._journal = db, clock, journal

    def add(self, envelopes: Sequence[EventEnvelope]) -> None:
        rows = [OutboxRow(e, status=outbox_status(e.type)) for e in envelopes]
        self._db.outbox.extend(rows)
        added = {id(row) for row in rows}

        def undo() -> None:
            self._db.outbox[:] = [row for row in self._db.outbox if id(row) not in added]

        self._journal.then(undo)

    def pending(self, limit: int) -> list[EventEnvelope]:
        now = self._clock.now()
        return [
            r.envelope for r in self._db.outbox
            if r.status == "pending" and (r.due_at is None or r.due_at <= now)
        ][:limit]

    def _change(self, row: OutboxRow, **changes: Any) -> None:
        previous = attrs.asdict(row, recurse=False)
        for name, value in changes.items():
            setattr(row, name, value)

        def undo() -> None:
            for name, value in previous.items():
                setattr(row, name, value)

        self._journal.then(undo)

    def mark_published(self, event_ids: Sequence[str]) -> None:
        ids = set(event_ids)
        for row in self._db.outbox:
            if row.envelope.id in ids:
                self._change(row, status="published")

    def mark_failed(self, event_id: str, error: str, now: datetime, max_attempts: int) -> None:
        for row in self._db.outbox:
            if row.envelope.id == event_id and row.status == "pending":
                attempts = row.attempts + 1
                self._change(
                    row, attempts=attempts, last_error=error, due_at=now + backoff(attempts),
                    status="failed" if attempts >= max_attempts else "pending",
                )

    def stats(self) -> dict[str, int]:
        counts = {"pending": 0, "published": 0, "failed": 0}
        for row in self._db.outbox:
            counts[row.status] += 1
        return counts

    def all(self) -> list[EventEnvelope]:
        """Every row, oldest first (tests read what was committed)."""
        return [r.envelope for r in self._db.outbox]


class InMemoryInbox:
    """A second `record` of one event for one consumer raises `ConcurrencyConflict`, as the SQL
    inbox's primary key does: the effects of a duplicate delivery must not commit."""

    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    def seen(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self._db.inbox

    def record(self, consumer: str, event_id: str) -> None:
        key = (consumer, event_id)
        if key in self._db.inbox:
            raise ConcurrencyConflict(
                f"{consumer} already applied event {event_id}", consumer=consumer,
                event_id=event_id,
            )
        self._db.inbox.add(key)
        self._journal.then(lambda: self._db.inbox.discard(key))


class InMemoryUnitOfWork:
    """One transaction over the in-memory database; satisfies every context's unit of work."""

    def __init__(self, db: InMemoryDatabase, clock: Clock, ids: IdGenerator) -> None:
        self._db = db
        self._tracker = Tracker(ids, clock)
        self._journal = Journal()
        tracker, journal = self._tracker, self._journal
        self.products = InMemoryProductRepository(db, tracker, journal)
        self.categories = InMemoryCategoryRepository(db, tracker, journal)
        self.warehouses = InMemoryWarehouseRepository(db, tracker, journal)
        self.stock = InMemoryStockLevels(db, journal)
        self.reservations = InMemoryReservationRepository(db, tracker, journal)
        self.carts = InMemoryCartRepository(db, tracker, journal)
        self.checkouts = InMemoryCheckoutSagaRepository(db, tracker, journal)
        self.orders = InMemoryOrderRepository(db, tracker, journal)
        self.payments = InMemoryPaymentRepository(db, tracker, journal)
        self.outbox = InMemoryOutbox(db, clock, journal)
        self.inbox = InMemoryInbox(db, journal)
        self.committed: list[EventEnvelope] = []
        self._repositories: list[_Repository] = [
            self.products, self.categories, self.warehouses, self.reservations, self.carts,
            self.checkouts, self.orders, self.payments,
        ]

    def __enter__(self) -> Self:
        self._db.lock.acquire()
        self._journal.forget()
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
            self.rollback()
        finally:
            self._tracker.clear()
            self._db.lock.release()

    def record(self, event: Any) -> None:
        self._tracker.record(event)

    def commit(self) -> None:
        try:
            for repository in self._repositories:
                repository.flush()
            envelopes = self._tracker.drain_events()
            self.outbox.add(envelopes)
        except BaseException:
            self.rollback()
            raise
        self._journal.forget()
        self._tracker.after_commit()
        self.committed = envelopes
        announce_committed(envelopes)

    def rollback(self) -> None:
        self._journal.rollback()
