"""The `Commerce` facade: the core assembled from a bundle of ports (the composition root).

An embedding app builds it from `adapters.memory.bundle()`, `adapters.sql.bundle(url)` or its own
adapters; the HTTP API, the CLI and the worker build it the same way through the container.

    commerce = Commerce(adapters.memory.bundle())
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    placed = commerce.checkout.place_order(cart_id, idempotency_key="a1")
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

from commerce_core.analytics.api import AnalyticsApi
from commerce_core.analytics.wiring import AnalyticsWiring
from commerce_core.audit.api import AuditApi
from commerce_core.audit.services import CommandAudit
from commerce_core.cart.api import CartApi
from commerce_core.cart.wiring import CartWiring
from commerce_core.catalog.api import CatalogApi
from commerce_core.catalog.commands import VariantSpec
from commerce_core.catalog.wiring import CatalogWiring
from commerce_core.checkout.api import CheckoutApi
from commerce_core.checkout.steps import StoredValue
from commerce_core.checkout.wiring import CheckoutWiring
from commerce_core.customer.api import CustomersApi
from commerce_core.customer.locations import Locations
from commerce_core.customer.wiring import CustomerWiring
from commerce_core.fraud.api import FraudApi
from commerce_core.fraud.ports import RiskSignal
from commerce_core.fraud.services import FraudPolicy, RiskScreen
from commerce_core.fraud.wiring import FraudWiring
from commerce_core.fulfillment.api import FulfillmentApi
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.fulfillment.wiring import FulfillmentWiring
from commerce_core.giftcard.api import GiftCardsApi
from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.giftcard.wiring import GiftCardWiring
from commerce_core.identity.api import IdentityApi
from commerce_core.identity.handlers import IdentityPolicy
from commerce_core.identity.ports import IdentityKit
from commerce_core.identity.wiring import IdentityWiring
from commerce_core.inventory.api import InventoryApi
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.inventory.wiring import InventoryWiring
from commerce_core.ledger.api import LedgerApi
from commerce_core.ledger.wiring import LedgerWiring
from commerce_core.loyalty.api import LoyaltyApi
from commerce_core.loyalty.ports import PointsWallet
from commerce_core.loyalty.steps import LoyaltyPolicy
from commerce_core.loyalty.wallet import LedgerWallet
from commerce_core.loyalty.wiring import LoyaltyWiring
from commerce_core.notification.api import NotificationsApi
from commerce_core.notification.links import LinkDelivery
from commerce_core.notification.model import Channel
from commerce_core.notification.wiring import NotificationWiring
from commerce_core.ordering.api import OrdersApi
from commerce_core.ordering.customers import OrdersOfCustomer
from commerce_core.ordering.wiring import OrderingWiring
from commerce_core.payment.api import PaymentsApi
from commerce_core.payment.ports import GatewayRouting, TenderPolicy
from commerce_core.payment.routing import GatewayRouter
from commerce_core.payment.wiring import PaymentWiring
from commerce_core.ports import Ports, ShopUnitOfWork
from commerce_core.pricing.api import PricingApi
from commerce_core.pricing.currency import NoExchangeRates
from commerce_core.pricing.services import CartPricer, PricingPolicy
from commerce_core.pricing.wiring import PricingWiring
from commerce_core.promotion.api import PromotionsApi
from commerce_core.promotion.services import StoredPromotions
from commerce_core.promotion.wiring import PromotionWiring
from commerce_core.returns.api import ReturnsApi
from commerce_core.returns.model import ReturnPolicy, ReturnStatus, RiskScorer
from commerce_core.returns.wiring import ReturnsWiring
from commerce_core.review import services as review_services
from commerce_core.review.api import ReviewsApi
from commerce_core.review.model import ReviewPolicy
from commerce_core.review.wiring import ReviewWiring
from commerce_core.search.analysis import Synonyms
from commerce_core.search.api import SearchApi
from commerce_core.search.model import SearchSettings
from commerce_core.search.wiring import SearchWiring
from commerce_core.shared.bus import Handlers, MessageBus, Subscriber
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping.api import ShippingApi
from commerce_core.shipping.model import ShipmentPolicy
from commerce_core.shipping.ports import ShippableGoods, ShippableLine
from commerce_core.shipping.rates import RatesPolicy
from commerce_core.shipping.rates_api import ShippingRatesApi
from commerce_core.shipping.rates_wiring import RatesWiring
from commerce_core.shipping.wiring import ShippingWiring
from commerce_core.tax.api import TaxApi
from commerce_core.tax.services import StoredTaxRules, TaxRates
from commerce_core.tax.wiring import TaxWiring
from commerce_core.webhooks.api import WebhooksApi
from commerce_core.webhooks.wiring import WebhooksWiring


class ContextWiring(Protocol):
    """What the composition root asks of each context: its command handlers and subscribers."""

    def handlers(self) -> Handlers: ...

    def subscribers(self) -> Sequence[Subscriber]: ...


class Commerce:
    """The use cases of the shop, for embedding apps and every entry point.

    `handle(command)` runs any command; the context attributes (`catalog`, `inventory`, `cart`,
    `checkout`, `orders`, `payments`, `fraud`, `fulfillment`, `pricing`, `promotions`, `tax`,
    `search`, `notifications`, `audit`, `customers`, `shipping`, `returns`, `webhooks`, `reviews`,
    `analytics`, `ledger`, `giftcards`, `loyalty`) offer the
    same use cases as plain methods, plus queries.
    """

    def __init__(
        self,
        ports: Ports,
        *,
        dispatch_in_process: bool = True,
        reservation_policy: ReservationPolicy | None = None,
        fulfillment_policy: FulfillmentPolicy | None = None,
        checkout_lease: timedelta = timedelta(seconds=30),
        idempotency_retention: timedelta = timedelta(hours=24),
        pricing_policy: PricingPolicy | None = None,
        search_settings: SearchSettings | None = None,
        synonyms: Synonyms | None = None,
        fraud_policy: FraudPolicy | None = None,
        fraud_signals: Sequence[RiskSignal] = (),
        identity_policy: IdentityPolicy | None = None,
        return_policy: ReturnPolicy | None = None,
        return_risk: RiskScorer | None = None,
        shipment_policy: ShipmentPolicy | None = None,
        shipping_rates_policy: RatesPolicy | None = None,
        review_policy: ReviewPolicy | None = None,
        loyalty_policy: LoyaltyPolicy | None = None,
        points_wallet: PointsWallet | None = None,
        tender_policy: TenderPolicy | None = None,
        gift_card_settings: GiftCardSettings | None = None,
    ) -> None:
        self.ports = ports
        self.reservation_policy = reservation_policy or ReservationPolicy()
        self.fulfillment_policy = fulfillment_policy or FulfillmentPolicy()
        uow, clock, ids = ports.uow, ports.clock, ports.ids
        # One gateway given is a router of one: every payment names the gateway it went to.
        self.gateways: GatewayRouting = ports.gateways or GatewayRouter.single(ports.gateway)
        gateway = self.gateways
        self.bus = MessageBus(uow, clock, ids, dispatch_in_process=dispatch_in_process)
        # Commands run by staff or apps leave an audit entry in their own transaction.
        self.bus.record_with(CommandAudit(uow, clock))
        # Pricing's collaborators, implemented by promotion and tax, are injected here.
        self.pricer = CartPricer(
            uow, StoredPromotions(uow), TaxRates(ports.tax_rules or StoredTaxRules(uow)),
            ports.exchange_rates or NoExchangeRates(), clock, pricing_policy,
        )
        # Fraud scores each order at checkout and holds the capture of those under review.
        self.risk_screen = RiskScreen(fraud_policy, ports.geoip, fraud_signals)
        fraud = FraudWiring(uow, clock)
        # Paying with stored value: the tender rules and the gift card codes' pepper.
        self.tender_policy = tender_policy or TenderPolicy()
        self.gift_card_settings = gift_card_settings or GiftCardSettings()
        checkout = CheckoutWiring(uow, gateway, self.pricer, clock, ids,
                                  policy=self.reservation_policy, lease=checkout_lease,
                                  retention=idempotency_retention, screen=self.risk_screen,
                                  stored_value=StoredValue(self.tender_policy,
                                                           self.gift_card_settings))
        self.checkout_runner = checkout.runner
        # Customer sits below ordering: ordering answers its question about a customer's orders.
        self.locations = Locations(ports.locations) if ports.locations is not None else None
        customer = CustomerWiring(uow, clock, ids, OrdersOfCustomer(uow), self.locations)
        # Shipping implements fulfillment's hand-over when carriers are configured (an
        # explicit `Ports.carrier` still wins).
        shipping = ShippingWiring(uow, ports.carriers, clock, ids, shipment_policy,
                                  self.handle)
        hand_over = ports.carrier or shipping.gateway()
        contexts: list[ContextWiring] = [
            PricingWiring(uow, clock, ids),
            PromotionWiring(uow, clock, ids, ports.coupon_codes),
            TaxWiring(uow, clock, ids),
            CatalogWiring(uow, clock, ids),
            InventoryWiring(uow, clock, ids, self.reservation_policy),
            OrderingWiring(uow, clock),
            PaymentWiring(uow, gateway, clock, ids, self.tender_policy),
            FulfillmentWiring(uow, clock, ids, self.fulfillment_policy, hand_over),
            CartWiring(uow, clock, ids),
            checkout,
            fraud,
            SearchWiring(uow, ports.search_index, clock, ids,
                         search_settings or SearchSettings(), self._ratings),
            self._notification_wiring(),
            customer,
            WebhooksWiring(uow, clock, ids, ports.webhooks),
            AnalyticsWiring(uow, clock, ids, ports.analytics),
            LedgerWiring(uow, clock),
            GiftCardWiring(uow, self.gift_card_settings, clock, ids),
            shipping,
            RatesWiring(uow, clock, ids, carriers=ports.carriers, cache=ports.rate_cache,
                        breakers=ports.carrier_breakers, goods=self._cart_goods,
                        policy=shipping_rates_policy),
        ]
        self.return_policy = return_policy or ReturnPolicy()
        contexts.append(ReturnsWiring(uow, clock, ids, gateway, ports.carriers,
                                      self.return_policy, return_risk, self.tender_policy,
                                      self.gift_card_settings))
        self.review_policy = review_policy or ReviewPolicy()
        contexts.append(ReviewWiring(uow, clock, ids, self.review_policy,
                                     self._returned_products))
        # Points stay pending for as long as the goods may be returned.
        self.loyalty_policy = attrs.evolve(loyalty_policy or LoyaltyPolicy(),
                                           pending_days=self.return_policy.window_days)
        # Spendable points live in the value ledger (an embedder may keep them elsewhere).
        loyalty = LoyaltyWiring(uow, clock, ids, points_wallet or LedgerWallet(),
                                self.loyalty_policy)
        contexts.append(loyalty)
        kit = self._identity_kit()
        identity = (IdentityWiring(uow, kit, clock, ids, identity_policy)
                    if kit is not None else None)
        if identity is not None:
            contexts.append(identity)
        for context in contexts:
            for command, handler in context.handlers().items():
                self.bus.register(command, fraud.guard(command, handler))
            for subscriber in context.subscribers():
                self.bus.subscribe(subscriber)

        handle, read = self.handle, self._read
        self.catalog = CatalogApi(handle, read)
        self.inventory = InventoryApi(handle, read, clock)
        self.fulfillment = FulfillmentApi(handle, read)
        self.cart = CartApi(handle, read, self.pricer)
        self.checkout = CheckoutApi(handle, read)
        self.orders = OrdersApi(handle, read)
        self.payments = PaymentsApi(handle, read)
        self.fraud = FraudApi(handle, read)
        self.customers = CustomersApi(handle, read, self.locations)
        self.pricing = PricingApi(handle, read)
        self.promotions = PromotionsApi(handle, read)
        self.tax = TaxApi(handle, read)
        self.notifications = NotificationsApi(handle, read)
        self.audit = AuditApi(read)
        self.returns = ReturnsApi(handle, read, self.return_policy)
        self.webhooks = WebhooksApi(handle, read)
        self.reviews = ReviewsApi(handle, read)
        self.analytics = AnalyticsApi(handle, read, ports.analytics)
        self.loyalty = LoyaltyApi(handle, read, loyalty.loyalty)
        self.ledger = LedgerApi(handle, read)
        self.giftcards = GiftCardsApi(handle, read, self.gift_card_settings)
        self.shipping_rates = ShippingRatesApi(handle, read)
        self.shipping = ShippingApi(handle, read, rates=self.shipping_rates)
        self.search = SearchApi(handle, read, ports.search_index, clock, ids,
                                search_settings or SearchSettings(), synonyms or Synonyms())
        self._identity = (IdentityApi(handle, read, kit, clock, identity.oidc_begin,
                                      identity_policy)
                          if identity is not None and kit is not None else None)

    @property
    def identity(self) -> IdentityApi:
        """Accounts, sign-in, tokens, MFA and roles; needs `Ports.identity`."""
        if self._identity is None:
            raise ServiceUnavailable("identity is not configured: build the ports with "
                                     "identity=adapters.identity.kit(...)")
        return self._identity

    def _notification_wiring(self) -> NotificationWiring:
        given = self.ports.notifications
        if given is None:
            return NotificationWiring(self.ports.uow, self.ports.clock, self.ports.ids, None,
                                      {}, None)
        # Identity's sealing key also seals what messages must not keep in clear.
        sealer = given.sealer or (self.ports.identity.sealer
                                  if self.ports.identity is not None else None)
        return NotificationWiring(self.ports.uow, self.ports.clock, self.ports.ids,
                                  given.renderer, given.notifiers, given.directory,
                                  rng=given.rng, policy=given.retry, sealer=sealer)

    def _identity_kit(self) -> IdentityKit | None:
        """Identity's adapters; one-time links go out as email notifications when the shop
        sends email and the kit has no delivery of its own."""
        kit, given = self.ports.identity, self.ports.notifications
        if (kit is None or kit.delivery is not None or given is None
                or Channel.EMAIL not in given.notifiers):
            return kit
        return attrs.evolve(kit, delivery=LinkDelivery(self.handle, given.links))

    @staticmethod
    def _returned_products(uow: Any, order_id: str) -> set[str]:
        """Products of the order accepted back in a completed return (reviews sit below
        returns: the composition root reads them for it)."""
        done = (ReturnStatus.COMPLETED, ReturnStatus.REFUND_FAILED)
        return {item.product_id for ret in uow.returns.for_order(order_id)
                if ret.status in done for item in ret.items if item.quantity_accepted > 0}

    @staticmethod
    def _ratings(uow: Any, product_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Products' ratings as search documents show them (search and reviews are siblings:
        the composition root translates)."""
        return {p: (r.average, r.total)
                for p, r in review_services.ratings(uow, product_ids).items()}

    def _cart_goods(self, cart_id: str) -> ShippableGoods:
        """A cart's goods as shipping quotes them (shipping and cart are siblings: the
        composition root translates)."""
        view = self.cart.get(cart_id)
        lines = tuple(ShippableLine(ln.sku, ln.quantity, ln.warehouse_id, ln.line_total)
                      for ln in view.lines)
        return ShippableGoods(view.id, view.currency, lines, view.subtotal - view.discount_total)

    @property
    def pricing_policy(self) -> PricingPolicy:
        return self.pricer.policy

    @property
    def _read(self) -> UnitOfWorkFactory[ShopUnitOfWork]:
        """Opens a unit of work for reading (queries never commit)."""
        return self.ports.uow

    def handle(self, command: Any, *, correlation_id: str | None = None) -> Any:
        """Run one command through the bus and return its handler's result."""
        return self.bus.handle(command, correlation_id=correlation_id)

    def relay_outbox(self, limit: int = 100) -> int:
        """Deliver committed events that were not dispatched yet (after a crash, or in the
        worker); returns how many were delivered."""
        return self.bus.relay_pending(limit)

    def outbox_stats(self) -> dict[str, int]:
        """Outbox rows by status; reading it also proves the database answers (readiness)."""
        with self._read() as uow:
            return dict(uow.outbox.stats())

    def outbox_oldest_pending(self) -> datetime | None:
        """When the oldest event still waiting in the outbox was written (None: none waits)."""
        with self._read() as uow:
            return uow.outbox.oldest_pending()


__all__ = ["Commerce", "Money", "Ports", "VariantSpec"]
