"""Everything the core needs from the outside world, as one bundle an adapter set provides."""

from __future__ import annotations

from typing import Protocol

from attrs import define, field

from commerce_core.analytics.ports import AnalyticsPorts, AnalyticsUnitOfWork
from commerce_core.audit.ports import AuditUnitOfWork
from commerce_core.catalog.ports import CatalogUnitOfWork
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.customer.ports import CustomerUnitOfWork, LocationDirectory
from commerce_core.fraud.ports import GeoIp
from commerce_core.fulfillment.ports import FulfillmentUnitOfWork, ShipmentGateway
from commerce_core.giftcard.ports import GiftCardUnitOfWork
from commerce_core.identity.ports import IdentityKit, IdentityUnitOfWork
from commerce_core.ledger.ports import LedgerUnitOfWork
from commerce_core.loyalty.ports import LoyaltyUnitOfWork
from commerce_core.notification.ports import NotificationPorts, NotificationUnitOfWork
from commerce_core.payment.ports import BreakerStore, GatewayRouting, PaymentGateway
from commerce_core.pricing.ports import ExchangeRates
from commerce_core.promotion.ports import CouponCodeGenerator
from commerce_core.returns.ports import ReturnsUnitOfWork
from commerce_core.review.ports import ReviewUnitOfWork
from commerce_core.search.ports import SearchIndex, SearchUnitOfWork
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.feed import OrderTimeline
from commerce_core.shared.ids import IdGenerator, Uuid7Generator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping.ports import (
    Carriers,
    ShipmentsUnitOfWork,
    ShippingMethodsUnitOfWork,
    ShippingRateCache,
)
from commerce_core.tax.ports import TaxRuleSource, TaxUnitOfWork
from commerce_core.webhooks.ports import WebhookPorts, WebhooksUnitOfWork


class ShopUnitOfWork(
    # The contexts whose units of work extend several others come first, so the union has one
    # method resolution order.
    ReturnsUnitOfWork, LoyaltyUnitOfWork, ReviewUnitOfWork, ShipmentsUnitOfWork,
    CatalogUnitOfWork, CheckoutUnitOfWork, FulfillmentUnitOfWork, TaxUnitOfWork,
    SearchUnitOfWork, NotificationUnitOfWork, AuditUnitOfWork, CustomerUnitOfWork,
    IdentityUnitOfWork, WebhooksUnitOfWork, ShippingMethodsUnitOfWork, AnalyticsUnitOfWork,
    GiftCardUnitOfWork, LedgerUnitOfWork,
    Protocol,
):
    """One transaction over every context's repositories: an adapter's unit of work satisfies
    each context's unit-of-work Protocol, so a checkout step can coordinate several."""


@define
class Ports:
    """Everything the core needs from the outside world.

    `uow` opens a unit of work that satisfies every context's unit-of-work Protocol (one
    transaction can span the repositories a checkout step coordinates).
    """

    uow: UnitOfWorkFactory[ShopUnitOfWork]
    gateway: PaymentGateway
    clock: Clock = field(factory=SystemClock)
    ids: IdGenerator = field(factory=Uuid7Generator)
    carrier: ShipmentGateway | None = None  # none: fulfillments stop at ready to ship
    exchange_rates: ExchangeRates | None = None  # none: one-currency shop, no conversion
    tax_rules: TaxRuleSource | None = None  # none: the shop's own tax rule table
    coupon_codes: CouponCodeGenerator | None = None  # none: cryptographic random codes
    search_index: SearchIndex | None = None  # none: search is off, nothing is projected
    geoip: GeoIp | None = None  # none: the risk signals that need GeoIP are unavailable
    # Several gateways routed by method, currency and country, with circuit breakers
    # (`commerce_core.payment.routing.GatewayRouter`); `gateway` is then one of them. None:
    # every payment goes to `gateway`.
    gateways: GatewayRouting | None = None
    notifications: NotificationPorts | None = None  # none: no messages are sent
    # The location hierarchy addresses are checked against; none: addresses are refused.
    locations: LocationDirectory | None = None
    # Password hashing, token signing, TOTP and sealing (`adapters.identity.kit`). None:
    # `commerce.identity` is unavailable.
    identity: IdentityKit | None = None
    # The carriers shipments are booked with and live rates come from, by code
    # (`adapters.carriers.registry.CarrierRegistry`). None: no carrier; shipping is unavailable.
    carriers: Carriers | None = None
    # Committed events about an order, read back when a follower of its status (re)connects.
    # None: the order's event stream starts live, with nothing replayed.
    timeline: OrderTimeline | None = None
    # The sender, secret sealer and retry policy of outbound webhooks
    # (`adapters.webhooks.kit`). None: webhooks are off (`commerce.webhooks` refuses).
    webhooks: WebhookPorts | None = None
    # Carriers' rate answers by request (`adapters.memory.shipping_methods.InMemoryRateCache`,
    # `adapters.redis.shipping_rates.RedisRateCache`). None: every quote asks the carriers.
    rate_cache: ShippingRateCache | None = None
    # Where carriers' circuit breakers live (shared with the payment gateways' store, apart by
    # name). None: breakers of this process.
    carrier_breakers: BreakerStore | None = None
    # The pseudonym key and timezone of analytics (`AnalyticsPorts`). None: analytics is off
    # (no subscriber; `commerce.analytics` refuses).
    analytics: AnalyticsPorts | None = None
