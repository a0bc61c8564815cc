"""An in-memory database with serialisable transactions, and the unit of work over it.

Faithful to the SQL adapter where the contract tests look: aggregates are copied in and out (no
shared references), versions are checked on update, unique keys are enforced on commit, stock
changes are conditional, and a rollback undoes exactly what its own transaction changed in the
tables, the stock counters, the outbox and the inbox (an undo journal, so a unit of work opened
inside another on the same thread keeps its commit when the outer one rolls back). One lock is
held from `__enter__` to `__exit__`, so transactions of different threads never interleave.
The repositories live in one module per context, as in the SQL adapter.
"""

from __future__ import annotations

import attrs

from adapters.memory.analytics import InMemoryAnalyticsStore
from adapters.memory.audit import InMemoryAuditLog
from adapters.memory.base import InMemoryDatabase, Journal, MemoryTracker
from adapters.memory.cart import InMemoryCartRepository
from adapters.memory.catalog import InMemoryCategoryRepository, InMemoryProductRepository
from adapters.memory.checkout import InMemoryCheckoutSagaRepository
from adapters.memory.customer import InMemoryCustomerRepository, InMemorySegmentRepository
from adapters.memory.fraud import InMemoryRiskAssessmentRepository
from adapters.memory.fulfillment import InMemoryFulfillmentRepository, InMemoryPicklistRepository
from adapters.memory.giftcard import InMemoryGiftCardRepository
from adapters.memory.identity import (
    InMemoryAccountRepository,
    InMemoryAppClientRepository,
    InMemoryOAuthLinkRepository,
    InMemorySessionRepository,
)
from adapters.memory.inventory import (
    InMemoryAdjustmentRequestRepository,
    InMemoryDistributorRepository,
    InMemoryReservationRepository,
    InMemoryStockLedger,
    InMemoryStockLevels,
    InMemoryTransferRepository,
    InMemoryWarehouseRepository,
)
from adapters.memory.ledger import InMemoryValueLedger
from adapters.memory.loyalty import (
    InMemoryEarningRepository,
    InMemoryEntryRepository,
    InMemoryLoyaltyAccountRepository,
    InMemoryLoyaltyCampaignRepository,
    InMemoryProgramRepository,
    InMemoryReferralRepository,
)
from adapters.memory.notification import (
    InMemoryNotificationRepository,
    InMemoryPreferencesRepository,
)
from adapters.memory.ordering import InMemoryOrderRepository
from adapters.memory.outbox import InMemoryInbox, InMemoryOutbox
from adapters.memory.payment import (
    InMemoryPaymentRepository,
    InMemoryRefundRepository,
    InMemoryTenderRepository,
)
from adapters.memory.pricing import InMemoryPriceRepository, InMemoryPriceRuleRepository
from adapters.memory.promotion import (
    InMemoryCampaignRepository,
    InMemoryCouponRepository,
    InMemoryPromotionRepository,
    InMemoryPromotionUsageLedger,
)
from adapters.memory.returns import InMemoryReturnRepository
from adapters.memory.review import InMemoryRatingSummaryRepository, InMemoryReviewRepository
from adapters.memory.search import InMemorySearchLog
from adapters.memory.shipping import InMemoryShipmentRepository
from adapters.memory.shipping_methods import (
    InMemoryShippingMethodRepository,
    InMemoryShippingQuoteRepository,
)
from adapters.memory.tax import InMemoryTaxRuleRepository
from adapters.memory.webhooks import InMemoryDeliveryRepository, InMemorySubscriptionRepository
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import Slot, TrackedUnitOfWork, Tracker


@attrs.frozen
class MemoryScope:
    """What every repository of one unit of work is built from."""

    db: InMemoryDatabase
    tracker: Tracker
    journal: Journal
    clock: Clock
    ids: IdGenerator


class InMemoryUnitOfWork(TrackedUnitOfWork):
    """One transaction over the in-memory database; satisfies every context's unit of work.

    The repositories below are the adapter's table, in flush order (as in the SQL adapter)."""

    products = Slot(InMemoryProductRepository.over)
    categories = Slot(InMemoryCategoryRepository.over)
    warehouses = Slot(InMemoryWarehouseRepository.over)
    distributors = Slot(InMemoryDistributorRepository.over)
    reservations = Slot(InMemoryReservationRepository.over)
    adjustments = Slot(InMemoryAdjustmentRequestRepository.over)
    transfers = Slot(InMemoryTransferRepository.over)
    carts = Slot(InMemoryCartRepository.over)
    checkouts = Slot(InMemoryCheckoutSagaRepository.over)
    orders = Slot(InMemoryOrderRepository.over)
    payments = Slot(InMemoryPaymentRepository.over)
    refunds = Slot(InMemoryRefundRepository.over)
    tenders = Slot(InMemoryTenderRepository.over)
    risk_assessments = Slot(InMemoryRiskAssessmentRepository.over)
    fulfillments = Slot(InMemoryFulfillmentRepository.over)
    picklists = Slot(InMemoryPicklistRepository.over)
    prices = Slot(InMemoryPriceRepository.over)
    price_rules = Slot(InMemoryPriceRuleRepository.over)
    campaigns = Slot(InMemoryCampaignRepository.over)
    promotions = Slot(InMemoryPromotionRepository.over)
    coupons = Slot(InMemoryCouponRepository.over)
    tax_rules = Slot(InMemoryTaxRuleRepository.over)
    notifications = Slot(InMemoryNotificationRepository.over)
    notification_preferences = Slot(InMemoryPreferencesRepository.over)
    customers = Slot(InMemoryCustomerRepository.over)
    segments = Slot(InMemorySegmentRepository.over)
    accounts = Slot(InMemoryAccountRepository.over)
    sessions = Slot(InMemorySessionRepository.over)
    app_clients = Slot(InMemoryAppClientRepository.over)
    oauth_links = Slot(InMemoryOAuthLinkRepository.over)
    returns = Slot(InMemoryReturnRepository.over)
    webhook_subscriptions = Slot(InMemorySubscriptionRepository.over)
    webhook_deliveries = Slot(InMemoryDeliveryRepository.over)
    shipments = Slot(InMemoryShipmentRepository.over)
    reviews = Slot(InMemoryReviewRepository.over)
    rating_summaries = Slot(InMemoryRatingSummaryRepository.over)
    shipping_methods = Slot(InMemoryShippingMethodRepository.over)
    shipping_quotes = Slot(InMemoryShippingQuoteRepository.over)
    loyalty_programs = Slot(InMemoryProgramRepository.over)
    loyalty_accounts = Slot(InMemoryLoyaltyAccountRepository.over)
    loyalty_earnings = Slot(InMemoryEarningRepository.over)
    loyalty_entries = Slot(InMemoryEntryRepository.over)
    loyalty_campaigns = Slot(InMemoryLoyaltyCampaignRepository.over)
    loyalty_referrals = Slot(InMemoryReferralRepository.over)
    gift_cards = Slot(InMemoryGiftCardRepository.over)
    stock = Slot(lambda s: InMemoryStockLevels(s.db, s.journal, s.clock, s.ids))
    ledger = Slot(lambda s: InMemoryStockLedger(s.db))
    promotion_usage = Slot(lambda s: InMemoryPromotionUsageLedger(s.db, s.journal))
    value_ledger = Slot(lambda s: InMemoryValueLedger(s.db, s.journal, s.clock, s.ids))
    search_log = Slot(InMemorySearchLog.over)
    analytics = Slot(InMemoryAnalyticsStore.over)
    audit = Slot(InMemoryAuditLog.over)
    outbox = Slot(lambda s: InMemoryOutbox(s.db, s.clock, s.journal))
    inbox = Slot(lambda s: InMemoryInbox(s.db, s.journal))

    def __init__(self, db: InMemoryDatabase, clock: Clock, ids: IdGenerator) -> None:
        tracker = MemoryTracker(ids, clock)
        super().__init__(tracker)
        self._db, self._journal = db, Journal()
        self.scope = MemoryScope(db, tracker, self._journal, clock, ids)

    def _begin(self) -> None:
        self._db.lock.acquire()
        self._journal.forget()

    def _commit_transaction(self) -> None:
        self._journal.forget()

    def _rollback_transaction(self) -> None:
        self._journal.rollback()

    def _end(self) -> None:
        try:
            self._journal.rollback()
        finally:
            self._db.lock.release()


class InMemoryUnitOfWorkFactory:
    def __init__(self, db: InMemoryDatabase, clock: Clock, ids: IdGenerator) -> None:
        self.db, self._clock, self._ids = db, clock, ids

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.db, self._clock, self._ids)
