"""An in-memory database with serialisable transactions, and repositories over it.

Faithful to the SQL adapter where the contract tests look: aggregates are copied in and out (no
shared references), versions are checked on update, unique keys are enforced on commit, stock
changes are conditional, and a rollback undoes exactly what its own transaction changed in the
tables, the stock counters, the outbox and the inbox (an undo journal, so a unit of work opened
inside another on the same thread keeps its commit when the outer one rolls back). One lock is
held from `__enter__` to `__exit__`, so transactions of different threads never interleave.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import attrs

from adapters.memory.base import InMemoryDatabase, Journal, OutboxRow, _Repository
from adapters.memory.fulfillment import InMemoryFulfillmentRepository, InMemoryPicklistRepository
from adapters.memory.inventory import (
    InMemoryAdjustmentRequestRepository,
    InMemoryDistributorRepository,
    InMemoryReservationRepository,
    InMemoryStockLedger,
    InMemoryStockLevels,
    InMemoryTransferRepository,
    InMemoryWarehouseRepository,
)
from adapters.memory.pricing import InMemoryPriceRepository, InMemoryPriceRuleRepository
from adapters.memory.promotion import (
    InMemoryCampaignRepository,
    InMemoryCouponRepository,
    InMemoryPromotionRepository,
    InMemoryPromotionUsageLedger,
)
from adapters.memory.tax import InMemoryTaxRuleRepository
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
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment
from commerce_core.shared.bus import backoff
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import Tracker, announce_committed, outbox_status

# The shared base lives in `base.py`; these names stay importable from here as before.
__all__ = [
    "InMemoryDatabase",
    "InMemoryUnitOfWork",
    "Journal",
    "OutboxRow",
    "_Repository",
]


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
        rows = [OutboxRow(e, status=outbox_status(e)) for e in envelopes]
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

    def claim_stream(self, prefix: str, limit: int) -> list[EventEnvelope] | None:
        # The unit of work holds the database lock: nobody else can hold the stream meanwhile.
        head = f"{prefix}."
        now = self._clock.now()
        return [
            r.envelope for r in self._db.outbox
            if r.status == "pending" and r.envelope.type.startswith(head)
            and (r.due_at is None or r.due_at <= now)
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
        self.distributors = InMemoryDistributorRepository(db, tracker, journal)
        self.stock = InMemoryStockLevels(db, journal, clock, ids)
        self.ledger = InMemoryStockLedger(db)
        self.reservations = InMemoryReservationRepository(db, tracker, journal)
        self.adjustments = InMemoryAdjustmentRequestRepository(db, tracker, journal)
        self.transfers = InMemoryTransferRepository(db, tracker, journal)
        self.fulfillments = InMemoryFulfillmentRepository(db, tracker, journal)
        self.picklists = InMemoryPicklistRepository(db, tracker, journal)
        self.carts = InMemoryCartRepository(db, tracker, journal)
        self.checkouts = InMemoryCheckoutSagaRepository(db, tracker, journal)
        self.orders = InMemoryOrderRepository(db, tracker, journal)
        self.payments = InMemoryPaymentRepository(db, tracker, journal)
        self.prices = InMemoryPriceRepository(db, tracker, journal)
        self.price_rules = InMemoryPriceRuleRepository(db, tracker, journal)
        self.campaigns = InMemoryCampaignRepository(db, tracker, journal)
        self.promotions = InMemoryPromotionRepository(db, tracker, journal)
        self.coupons = InMemoryCouponRepository(db, tracker, journal)
        self.promotion_usage = InMemoryPromotionUsageLedger(db, journal)
        self.tax_rules = InMemoryTaxRuleRepository(db, tracker, journal)
        self.outbox = InMemoryOutbox(db, clock, journal)
        self.inbox = InMemoryInbox(db, journal)
        self.committed: list[EventEnvelope] = []
        self._repositories: list[_Repository] = [
            self.products, self.categories, self.warehouses, self.distributors,
            self.reservations, self.adjustments, self.transfers, self.carts, self.checkouts,
            self.orders, self.payments, self.fulfillments, self.picklists, self.prices,
            self.price_rules, self.campaigns, self.promotions, self.coupons, self.tax_rules,
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
