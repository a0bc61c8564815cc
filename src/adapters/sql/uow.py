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
from adapters.sql.fulfillment import (
    FULFILLMENTS,
    PICKLISTS,
    SqlFulfillmentRepository,
    SqlPicklistRepository,
)
from adapters.sql.inventory import (
    DISTRIBUTORS,
    RESERVATIONS,
    WAREHOUSES,
    SqlDistributorRepository,
    SqlReservationRepository,
    SqlWarehouseRepository,
)
from adapters.sql.movements import (
    ADJUSTMENTS,
    TRANSFERS,
    SqlAdjustmentRequestRepository,
    SqlTransferRepository,
)
from adapters.sql.ordering import ORDERS, SqlOrderRepository
from adapters.sql.outbox import SqlInbox, SqlOutbox
from adapters.sql.payment import PAYMENTS, SqlPaymentRepository
from adapters.sql.pricing import (
    PRICE_RULES,
    PRICES,
    PriceStore,
    SqlPriceRepository,
    SqlPriceRuleRepository,
)
from adapters.sql.promotion import (
    CAMPAIGNS,
    COUPONS,
    PROMOTIONS,
    CouponStore,
    SqlCampaignRepository,
    SqlCouponRepository,
    SqlPromotionRepository,
    SqlPromotionUsageLedger,
)
from adapters.sql.stock import SqlStockLedger, SqlStockLevels
from adapters.sql.tax import TAX_RULES, SqlTaxRuleRepository
from adapters.sql.transaction import SqlTransaction
from commerce_core.cart.ports import CartRepository
from commerce_core.catalog.ports import CategoryRepository, ProductRepository
from commerce_core.checkout.ports import CheckoutSagaRepository
from commerce_core.fulfillment.ports import FulfillmentRepository, PicklistRepository
from commerce_core.inventory.ports import (
    AdjustmentRequestRepository,
    DistributorRepository,
    ReservationRepository,
    StockLedger,
    StockLevels,
    TransferRepository,
    WarehouseRepository,
)
from commerce_core.ordering.ports import OrderRepository
from commerce_core.payment.ports import PaymentRepository
from commerce_core.pricing.ports import PriceRepository, PriceRuleRepository
from commerce_core.promotion.ports import (
    CampaignRepository,
    CouponRepository,
    PromotionRepository,
    PromotionUsageLedger,
)
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import DomainEvent, EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.outbox import Inbox, Outbox
from commerce_core.shared.uow import Tracker, announce_committed
from commerce_core.tax.ports import TaxRuleRepository


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
        distributors = AggregateStore(db, tracker, DISTRIBUTORS)
        adjustments = AggregateStore(db, tracker, ADJUSTMENTS)
        transfers = AggregateStore(db, tracker, TRANSFERS)
        fulfillments = AggregateStore(db, tracker, FULFILLMENTS)
        picklists = AggregateStore(db, tracker, PICKLISTS)
        carts = AggregateStore(db, tracker, CARTS)
        checkouts = AggregateStore(db, tracker, CHECKOUTS)
        orders = AggregateStore(db, tracker, ORDERS)
        payments = AggregateStore(db, tracker, PAYMENTS)
        # Typed as the ports, so the class satisfies every context's unit-of-work Protocol.
        self.products: ProductRepository = SqlProductRepository(products)
        self.categories: CategoryRepository = SqlCategoryRepository(categories)
        self.warehouses: WarehouseRepository = SqlWarehouseRepository(warehouses)
        self.distributors: DistributorRepository = SqlDistributorRepository(distributors)
        self.stock: StockLevels = SqlStockLevels(db, clock, ids)
        self.ledger: StockLedger = SqlStockLedger(db)
        self.reservations: ReservationRepository = SqlReservationRepository(reservations)
        self.adjustments: AdjustmentRequestRepository = SqlAdjustmentRequestRepository(
            adjustments)
        self.transfers: TransferRepository = SqlTransferRepository(transfers)
        self.fulfillments: FulfillmentRepository = SqlFulfillmentRepository(fulfillments)
        self.picklists: PicklistRepository = SqlPicklistRepository(picklists)
        self.carts: CartRepository = SqlCartRepository(carts)
        self.checkouts: CheckoutSagaRepository = SqlCheckoutSagaRepository(checkouts)
        self.orders: OrderRepository = SqlOrderRepository(orders)
        self.payments: PaymentRepository = SqlPaymentRepository(payments)
        prices = PriceStore(db, tracker, PRICES)
        price_rules = AggregateStore(db, tracker, PRICE_RULES)
        campaigns = AggregateStore(db, tracker, CAMPAIGNS)
        promotions = AggregateStore(db, tracker, PROMOTIONS)
        coupons = CouponStore(db, tracker, COUPONS)
        tax_rules = AggregateStore(db, tracker, TAX_RULES)
        self.prices: PriceRepository = SqlPriceRepository(prices)
        self.price_rules: PriceRuleRepository = SqlPriceRuleRepository(price_rules)
        self.campaigns: CampaignRepository = SqlCampaignRepository(campaigns)
        self.promotions: PromotionRepository = SqlPromotionRepository(promotions)
        self.coupons: CouponRepository = SqlCouponRepository(coupons)
        self.promotion_usage: PromotionUsageLedger = SqlPromotionUsageLedger(db)
        self.tax_rules: TaxRuleRepository = SqlTaxRuleRepository(tax_rules)
        self.outbox: Outbox = SqlOutbox(db, clock)
        self.inbox: Inbox = SqlInbox(db, clock)
        self.committed: list[EventEnvelope] = []
        self._stores: list[AggregateStore[Any]] = [
            products, categories, warehouses, distributors, reservations, adjustments,
            transfers, carts, checkouts, orders, payments, fulfillments, picklists,
            prices, price_rules, campaigns, promotions, coupons, tax_rules,
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

    @property
    def transaction(self) -> SqlTransaction:
        """This unit of work's transaction, for an embedder's own tables written atomically with
        the core's (a subscriber's read model commits with its inbox row)."""
        return self._db

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
