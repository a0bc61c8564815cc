"""The SQL unit of work: one database transaction over every repository, the outbox and inbox."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine import Engine

from adapters.sql.aggregates import AggregateStore
from adapters.sql.cart import CARTS, SqlCartRepository
from adapters.sql.catalog import (
    CATEGORIES,
    PRODUCTS,
    SqlCategoryRepository,
    SqlProductRepository,
)
from adapters.sql.checkout import CHECKOUTS, SqlCheckoutSagaRepository
from adapters.sql.inventory import (
    RESERVATIONS,
    WAREHOUSES,
    SqlReservationRepository,
    SqlStockLevels,
    SqlWarehouseRepository,
)
from adapters.sql.ordering import ORDERS, SqlOrderRepository
from adapters.sql.outbox import SqlInbox, SqlOutbox
from adapters.sql.payment import PAYMENTS, SqlPaymentRepository
from adapters.sql.transaction import SqlTransaction
from commerce_core.cart.ports import CartRepository
from commerce_core.catalog.ports import CategoryRepository, ProductRepository
from commerce_core.checkout.ports import CheckoutSagaRepository
from commerce_core.inventory.ports import (
    ReservationRepository,
    StockLevels,
    WarehouseRepository,
)
from commerce_core.ordering.ports import OrderRepository
from commerce_core.payment.ports import PaymentRepository
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import DomainEvent, EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.outbox import Inbox, Outbox
from commerce_core.shared.uow import Tracker, announce_committed


class SqlUnitOfWork:
    """Satisfies every context's unit-of-work Protocol.

    The transaction begins with the first statement (on SQLite with `BEGIN IMMEDIATE`, see
    `engine.py`) and ends with `commit`, `rollback` or the end of the `with` block, which rolls
    back whatever was not committed.
    """

    def __init__(self, engine: Engine, clock: Clock, ids: IdGenerator) -> None:
        self._db = SqlTransaction(engine)
        self._tracker = Tracker(ids, clock)
        db, tracker = self._db, self._tracker
        products = AggregateStore(db, tracker, PRODUCTS)
        categories = AggregateStore(db, tracker, CATEGORIES)
        warehouses = AggregateStore(db, tracker, WAREHOUSES)
        reservations = AggregateStore(db, tracker, RESERVATIONS)
        carts = AggregateStore(db, tracker, CARTS)
        checkouts = AggregateStore(db, tracker, CHECKOUTS)
        orders = AggregateStore(db, tracker, ORDERS)
        payments = AggregateStore(db, tracker, PAYMENTS)
        # Typed as the ports, so the class satisfies every context's unit-of-work Protocol.
        self.products: ProductRepository = SqlProductRepository(products)
        self.categories: CategoryRepository = SqlCategoryRepository(categories)
        self.warehouses: WarehouseRepository = SqlWarehouseRepository(warehouses)
        self.stock: StockLevels = SqlStockLevels(db)
        self.reservations: ReservationRepository = SqlReservationRepository(reservations)
        self.carts: CartRepository = SqlCartRepository(carts)
        self.checkouts: CheckoutSagaRepository = SqlCheckoutSagaRepository(checkouts)
        self.orders: OrderRepository = SqlOrderRepository(orders)
        self.payments: PaymentRepository = SqlPaymentRepository(payments)
        self.outbox: Outbox = SqlOutbox(db, clock)
        self.inbox: Inbox = SqlInbox(db, clock)
        self.committed: list[EventEnvelope] = []
        self._stores: list[AggregateStore[Any]] = [
            products, categories, warehouses, reservations, carts, checkouts, orders, payments,
        ]

    def __enter__(self) -> Self:
        self._reset()
        self.committed = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._db.close()
        finally:
            self._reset()

    def _reset(self) -> None:
        self._tracker.clear()
        for store in self._stores:
            store.clear()

    def record(self, event: DomainEvent) -> None:
        self._tracker.record(event)

    def commit(self) -> None:
        try:
            for store in self._stores:
                store.flush()
            envelopes = self._tracker.drain_events()
            self.outbox.add(envelopes)
            self._db.commit()
        except BaseException:
            self.rollback()
            raise
        for store in self._stores:
            store.after_commit()
        self._tracker.after_commit()
        self.committed = envelopes
        announce_committed(envelopes)

    def rollback(self) -> None:
        try:
            self._db.rollback()
        finally:
            for store in self._stores:
                store.after_rollback()


class SqlUnitOfWorkFactory:
    """Opens units of work on one engine (and its connection pool)."""

    def __init__(self, engine: Engine, clock: Clock, ids: IdGenerator) -> None:
        self.engine, self._clock, self._ids = engine, clock, ids

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self._clock, self._ids)

    def dispose(self) -> None:
        """Close the pooled connections (tests and shutdown)."""
        self.engine.dispose()
