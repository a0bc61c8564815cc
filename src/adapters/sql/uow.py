"""The SQL unit of work: one database transaction over every repository, the outbox and inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs
from sqlalchemy.engine import Engine

from adapters.sql.aggregates import AggregateMap, AggregateStore
from adapters.sql.analytics import SqlAnalyticsStore
from adapters.sql.audit import SqlAuditLog
from adapters.sql.cart import CARTS, SqlCartRepository
from adapters.sql.catalog import CATEGORIES, PRODUCTS, SqlCategoryRepository, SqlProductRepository
from adapters.sql.checkout import CHECKOUTS, SqlCheckoutSagaRepository
from adapters.sql.customer import (
    CUSTOMERS,
    SEGMENTS,
    SqlCustomerRepository,
    SqlSegmentRepository,
)
from adapters.sql.fraud import RISK_ASSESSMENTS, SqlRiskAssessmentRepository
from adapters.sql.fulfillment import (
    FULFILLMENTS,
    PICKLISTS,
    SqlFulfillmentRepository,
    SqlPicklistRepository,
)
from adapters.sql.giftcard import GIFT_CARDS, SqlGiftCardRepository
from adapters.sql.identity import (
    ACCOUNTS,
    APP_CLIENTS,
    OAUTH_LINKS,
    SESSIONS,
    SqlAccountRepository,
    SqlAppClientRepository,
    SqlOAuthLinkRepository,
    SqlSessionRepository,
)
from adapters.sql.inventory import (
    DISTRIBUTORS,
    RESERVATIONS,
    WAREHOUSES,
    SqlDistributorRepository,
    SqlReservationRepository,
    SqlWarehouseRepository,
)
from adapters.sql.ledger import SqlValueLedger
from adapters.sql.loyalty import (
    ACCOUNTS as LOYALTY_ACCOUNTS,
)
from adapters.sql.loyalty import (
    CAMPAIGNS as LOYALTY_CAMPAIGNS,
)
from adapters.sql.loyalty import (
    EARNINGS,
    ENTRIES,
    PROGRAMS,
    REFERRALS,
    SqlEarningRepository,
    SqlEntryRepository,
    SqlLoyaltyAccountRepository,
    SqlLoyaltyCampaignRepository,
    SqlProgramRepository,
    SqlReferralRepository,
)
from adapters.sql.movements import (
    ADJUSTMENTS,
    TRANSFERS,
    SqlAdjustmentRequestRepository,
    SqlTransferRepository,
)
from adapters.sql.notification import (
    NOTIFICATIONS,
    PREFERENCES,
    SqlNotificationRepository,
    SqlPreferencesRepository,
)
from adapters.sql.ordering import ORDERS, SqlOrderRepository
from adapters.sql.outbox import SqlInbox, SqlOutbox
from adapters.sql.payment import (
    PAYMENTS,
    REFUNDS,
    TENDERS,
    SqlPaymentRepository,
    SqlRefundRepository,
    SqlTenderRepository,
)
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
from adapters.sql.reference import ReferenceCache, ReferenceReads
from adapters.sql.returns import RETURNS, SqlReturnRepository
from adapters.sql.review import (
    RATING_SUMMARIES,
    REVIEWS,
    SqlRatingSummaryRepository,
    SqlReviewRepository,
)
from adapters.sql.search import SqlSearchLog
from adapters.sql.shipping import SHIPMENTS, SqlShipmentRepository
from adapters.sql.shipping_methods import (
    SHIPPING_METHODS,
    SHIPPING_QUOTES,
    SqlShippingMethodRepository,
    SqlShippingQuoteRepository,
)
from adapters.sql.stock import SqlStockLedger, SqlStockLevels
from adapters.sql.tax import TAX_RULES, SqlTaxRuleRepository
from adapters.sql.transaction import SqlTransaction
from adapters.sql.webhooks import (
    DELIVERIES,
    SUBSCRIPTIONS,
    SqlDeliveryRepository,
    SqlSubscriptionRepository,
)
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import Aggregate, Slot, TrackedUnitOfWork, Tracker

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")


@attrs.frozen
class SqlScope:
    """What every repository of one unit of work is built from."""

    db: SqlTransaction
    tracker: Tracker
    clock: Clock
    ids: IdGenerator
    reference: ReferenceReads


def stored(
    repository: Callable[[AggregateStore[A]], R],
    mapping: AggregateMap[A],
    store: type[AggregateStore[A]] = AggregateStore,
) -> Slot[R]:
    """An aggregate repository over its store: the store writes it on commit."""
    return Slot(lambda scope: repository(store(scope.db, scope.tracker, mapping)))


def referenced(
    repository: Callable[[AggregateStore[A], ReferenceReads], R], mapping: AggregateMap[A]
) -> Slot[R]:
    """A repository of reference data: the reads pricing and allocation make at every checkout
    go through the engine's cache of reference rows (ADR 0036)."""
    return Slot(lambda scope: repository(
        AggregateStore(scope.db, scope.tracker, mapping), scope.reference))


class SqlUnitOfWork(TrackedUnitOfWork):
    """Satisfies every context's unit-of-work Protocol.

    The repositories below are the adapter's table: one line per repository, flushed on commit
    in this order. The transaction begins with the first statement (on SQLite with `BEGIN
    IMMEDIATE`, see `engine.py`) and ends with `commit`, `rollback` or the end of the `with`
    block, which rolls back whatever was not committed.
    """

    products = stored(SqlProductRepository, PRODUCTS)
    categories = stored(SqlCategoryRepository, CATEGORIES)
    warehouses = referenced(SqlWarehouseRepository, WAREHOUSES)
    distributors = stored(SqlDistributorRepository, DISTRIBUTORS)
    reservations = stored(SqlReservationRepository, RESERVATIONS)
    adjustments = stored(SqlAdjustmentRequestRepository, ADJUSTMENTS)
    transfers = stored(SqlTransferRepository, TRANSFERS)
    carts = stored(SqlCartRepository, CARTS)
    checkouts = stored(SqlCheckoutSagaRepository, CHECKOUTS)
    orders = stored(SqlOrderRepository, ORDERS)
    payments = stored(SqlPaymentRepository, PAYMENTS)
    refunds = stored(SqlRefundRepository, REFUNDS)
    tenders = stored(SqlTenderRepository, TENDERS)
    risk_assessments = stored(SqlRiskAssessmentRepository, RISK_ASSESSMENTS)
    fulfillments = stored(SqlFulfillmentRepository, FULFILLMENTS)
    picklists = stored(SqlPicklistRepository, PICKLISTS)
    prices = stored(SqlPriceRepository, PRICES, PriceStore)
    price_rules = referenced(SqlPriceRuleRepository, PRICE_RULES)
    campaigns = referenced(SqlCampaignRepository, CAMPAIGNS)
    promotions = referenced(SqlPromotionRepository, PROMOTIONS)
    coupons = stored(SqlCouponRepository, COUPONS, CouponStore)
    tax_rules = referenced(SqlTaxRuleRepository, TAX_RULES)
    notifications = stored(SqlNotificationRepository, NOTIFICATIONS)
    notification_preferences = stored(SqlPreferencesRepository, PREFERENCES)
    customers = stored(SqlCustomerRepository, CUSTOMERS)
    segments = stored(SqlSegmentRepository, SEGMENTS)
    accounts = stored(SqlAccountRepository, ACCOUNTS)
    sessions = stored(SqlSessionRepository, SESSIONS)
    app_clients = stored(SqlAppClientRepository, APP_CLIENTS)
    oauth_links = stored(SqlOAuthLinkRepository, OAUTH_LINKS)
    returns = stored(SqlReturnRepository, RETURNS)
    webhook_subscriptions = stored(SqlSubscriptionRepository, SUBSCRIPTIONS)
    webhook_deliveries = stored(SqlDeliveryRepository, DELIVERIES)
    shipments = stored(SqlShipmentRepository, SHIPMENTS)
    reviews = stored(SqlReviewRepository, REVIEWS)
    rating_summaries = stored(SqlRatingSummaryRepository, RATING_SUMMARIES)
    shipping_methods = stored(SqlShippingMethodRepository, SHIPPING_METHODS)
    shipping_quotes = stored(SqlShippingQuoteRepository, SHIPPING_QUOTES)
    loyalty_programs = stored(SqlProgramRepository, PROGRAMS)
    loyalty_accounts = stored(SqlLoyaltyAccountRepository, LOYALTY_ACCOUNTS)
    loyalty_earnings = stored(SqlEarningRepository, EARNINGS)
    loyalty_entries = stored(SqlEntryRepository, ENTRIES)
    loyalty_campaigns = stored(SqlLoyaltyCampaignRepository, LOYALTY_CAMPAIGNS)
    loyalty_referrals = stored(SqlReferralRepository, REFERRALS)
    gift_cards = stored(SqlGiftCardRepository, GIFT_CARDS)
    # Written at once, in the transaction, rather than on commit.
    stock = Slot(lambda s: SqlStockLevels(s.db, s.clock, s.ids))
    ledger = Slot(lambda s: SqlStockLedger(s.db))
    promotion_usage = Slot(lambda s: SqlPromotionUsageLedger(s.db))
    value_ledger = Slot(lambda s: SqlValueLedger(s.db, s.clock, s.ids))
    search_log = Slot(lambda s: SqlSearchLog(s.db))
    analytics = Slot(lambda s: SqlAnalyticsStore(s.db))
    audit = Slot(lambda s: SqlAuditLog(s.db, s.ids))
    outbox = Slot(lambda s: SqlOutbox(s.db, s.clock))
    inbox = Slot(lambda s: SqlInbox(s.db, s.clock))

    def __init__(self, engine: Engine, clock: Clock, ids: IdGenerator,
                 reference: ReferenceCache | None = None) -> None:
        tracker = Tracker(ids, clock)
        super().__init__(tracker)
        self._db = SqlTransaction(engine)
        # Without the factory's cache, one of its own: nothing is shared with another unit of work.
        self._reference = ReferenceReads(self._db, reference or ReferenceCache())
        self.scope = SqlScope(self._db, tracker, clock, ids, self._reference)

    @property
    def transaction(self) -> SqlTransaction:
        """This unit of work's transaction, for an embedder's own tables written atomically with
        the core's (a subscriber's read model commits with its inbox row)."""
        return self._db

    def _commit_transaction(self) -> None:
        self._reference.transaction_ended()
        self._db.commit()

    def _rollback_transaction(self) -> None:
        self._reference.transaction_ended()
        self._db.rollback()

    def _end(self) -> None:
        self._reference.transaction_ended()
        self._db.close()


class SqlUnitOfWorkFactory:
    """Opens units of work on one engine (and its connection pool); they share the engine's
    cache of reference data, each checking it against the versions its transaction reads."""

    def __init__(self, engine: Engine, clock: Clock, ids: IdGenerator) -> None:
        self.engine, self._clock, self._ids = engine, clock, ids
        self.reference = ReferenceCache()

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self._clock, self._ids, self.reference)

    def dispose(self) -> None:
        """Close the pooled connections (tests and shutdown)."""
        self.engine.dispose()
