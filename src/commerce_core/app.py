"""The `Commerce` facade: the core assembled from a bundle of ports.

An embedding app builds it from `adapters.memory.bundle()`, `adapters.sql.bundle(url)` or its own
adapters; the HTTP API, the CLI and the worker build it the same way through the container.

    commerce = Commerce(adapters.memory.bundle())
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    placed = commerce.checkout.place_order(cart_id, idempotency_key="a1")
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from attrs import define, field

from commerce_core.cart import handlers as cart_handlers
from commerce_core.cart.commands import (
    AddCartItem,
    ApplyCoupon,
    CreateCart,
    RemoveCartItem,
    RemoveCoupon,
    UpdateCartItem,
)
from commerce_core.cart.ports import SellableItem
from commerce_core.cart.queries import CartView, cart_view
from commerce_core.catalog import handlers as catalog_handlers
from commerce_core.catalog.commands import (
    ChangePrice,
    CreateCategory,
    CreateProduct,
    PublishProduct,
    UnpublishProduct,
    VariantSpec,
)
from commerce_core.catalog.model import Category, Product, ProductStatus
from commerce_core.checkout.commands import PlaceOrder, RecoverCheckouts
from commerce_core.checkout.handlers import (
    CheckoutSagaRunner,
    PlacedOrder,
    PlaceOrderHandler,
    RecoverCheckoutsHandler,
)
from commerce_core.checkout.model import CheckoutSaga
from commerce_core.fulfillment import handlers as fulfillment_handlers
from commerce_core.fulfillment.api import FulfillmentApi
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.fulfillment.ports import ShipmentGateway
from commerce_core.inventory import handlers as inventory_handlers
from commerce_core.inventory import reservation_handlers
from commerce_core.inventory.api import InventoryApi
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.ordering import handlers as ordering_handlers
from commerce_core.ordering.commands import CancelOrder
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.payment import handlers as payment_handlers
from commerce_core.payment.commands import CapturePayment
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import PaymentGateway
from commerce_core.pricing import api as pricing_api
from commerce_core.pricing.api import PricingApi, PricingPolicy, PromotionsApi, TaxApi
from commerce_core.pricing.catalog_prices import CatalogPriceBridge
from commerce_core.pricing.currency import NoExchangeRates
from commerce_core.pricing.ports import ExchangeRates
from commerce_core.pricing.service import CartPricingService
from commerce_core.promotion.ports import CouponCodeGenerator
from commerce_core.shared.bus import MessageBus, Subscriber
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.ids import IdGenerator, Uuid7Generator, normalise_sku
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.model import TaxDestination
from commerce_core.tax.ports import TaxRuleSource
from commerce_core.tax.services import StoredTaxRules


@define
class Ports:
    """Everything the core needs from the outside world.

    `uow` opens a unit of work that satisfies every context's unit-of-work Protocol (one
    transaction can span the repositories a checkout step coordinates).
    """

    uow: UnitOfWorkFactory[Any]
    gateway: PaymentGateway
    clock: Clock = field(factory=SystemClock)
    ids: IdGenerator = field(factory=Uuid7Generator)
    carrier: ShipmentGateway | None = None  # none: fulfillments stop at ready to ship
    exchange_rates: ExchangeRates | None = None  # none: one-currency shop, no conversion
    tax_rules: TaxRuleSource | None = None  # none: the shop's own tax rule table
    coupon_codes: CouponCodeGenerator | None = None  # none: cryptographic random codes


class CatalogProductLookup:
    """The cart's and checkout's view of the catalog, read through the catalog's repository."""

    def __init__(self, uow: UnitOfWorkFactory[Any]) -> None:
        self._uow = uow

    def lookup(self, skus: Collection[str]) -> dict[str, SellableItem]:
        with self._uow() as uow:
            products = uow.products.by_skus(skus)
        items = {}
        for sku, product in products.items():
            items[sku] = SellableItem(sku, product.id, product.item_name(sku),
                                      product.variant(sku).price, product.is_available)
        return items


class Commerce:
    """The use cases of the shop, for embedding apps and every entry point.

    `handle(command)` runs any command; the context attributes (`catalog`, `inventory`, `cart`,
    `checkout`, `orders`, `payments`, `fulfillment`) offer the same use cases as plain methods,
    plus queries.
    """

    def __init__(
        self,
        ports: Ports,
        *,
        dispatch_in_process: bool = True,
        reservation_policy: ReservationPolicy | None = None,
        fulfillment_policy: FulfillmentPolicy | None = None,
        checkout_lease: timedelta = timedelta(seconds=30),
        pricing_policy: PricingPolicy | None = None,
    ) -> None:
        self.ports = ports
        self.pricing_policy = pricing_policy or PricingPolicy()
        self.reservation_policy = reservation_policy or ReservationPolicy()
        self.fulfillment_policy = fulfillment_policy or FulfillmentPolicy()
        uow, clock, ids, gateway = ports.uow, ports.clock, ports.ids, ports.gateway
        self.bus = MessageBus(uow, clock, ids, dispatch_in_process=dispatch_in_process)
        self.products = CatalogProductLookup(uow)
        self.pricing_service = CartPricingService(
            uow, ports.tax_rules or StoredTaxRules(uow), ports.exchange_rates or NoExchangeRates(),
            clock,
        )
        self.checkout_runner = CheckoutSagaRunner(
            uow, gateway, clock, ids, policy=self.reservation_policy, lease=checkout_lease,
            pricing=self.pricing_service, pricing_policy=self.pricing_policy,
        )
        list_prices = CatalogPriceBridge(clock, ids)
        register = self.bus.register
        register(CreateProduct,
                 catalog_handlers.CreateProductHandler(uow, clock, ids, list_prices))
        register(PublishProduct, catalog_handlers.PublishProductHandler(uow, clock))
        register(UnpublishProduct, catalog_handlers.UnpublishProductHandler(uow, clock))
        register(ChangePrice, catalog_handlers.ChangePriceHandler(uow, clock, list_prices))
        register(CreateCategory, catalog_handlers.CreateCategoryHandler(uow, clock, ids))
        for command, handler in (
            *inventory_handlers.handlers(uow, clock, ids).items(),
            *reservation_handlers.handlers(uow, clock, ids, self.reservation_policy).items(),
            *fulfillment_handlers.handlers(uow, clock, ids, self.fulfillment_policy,
                                           ports.carrier).items(),
            *pricing_api.handlers(uow, clock, ids, ports.coupon_codes).items(),
        ):
            register(command, handler)
        register(CreateCart, cart_handlers.CreateCartHandler(uow, clock, ids))
        register(AddCartItem, cart_handlers.AddCartItemHandler(uow, self.products, clock, ids))
        register(UpdateCartItem, cart_handlers.UpdateCartItemHandler(uow, clock))
        register(RemoveCartItem, cart_handlers.RemoveCartItemHandler(uow, clock))
        register(ApplyCoupon, cart_handlers.ApplyCouponHandler(uow, clock))
        register(RemoveCoupon, cart_handlers.RemoveCouponHandler(uow, clock))
        register(PlaceOrder, PlaceOrderHandler(self.checkout_runner))
        register(RecoverCheckouts, RecoverCheckoutsHandler(self.checkout_runner))
        register(CancelOrder, ordering_handlers.CancelOrderHandler(uow, clock))
        register(CapturePayment, payment_handlers.CapturePaymentHandler(uow, gateway, clock))
        for reaction in (
            reservation_handlers.ReleaseReservationsOnOrderCancelled(clock),
            *fulfillment_handlers.subscribers(clock, ids, self.fulfillment_policy),
            ordering_handlers.CancelPendingOrderOnReservationExpired(clock),
            ordering_handlers.MarkOrderPaidOnPaymentCaptured(clock),
            payment_handlers.ReleasePaymentOnOrderCancelled(gateway, clock),
            *pricing_api.subscribers(clock),
        ):
            wants = getattr(reaction, "wants", None)
            self.bus.subscribe(
                Subscriber(reaction.name, reaction.event_type, reaction)
                if wants is None
                else Subscriber(reaction.name, reaction.event_type, reaction, wants)
            )

        self.catalog = CatalogApi(self)
        self.inventory = InventoryApi(self.handle, self._read, clock)
        self.fulfillment = FulfillmentApi(self.handle, self._read)
        self.cart = CartApi(self)
        self.checkout = CheckoutApi(self)
        self.orders = OrdersApi(self)
        self.payments = PaymentsApi(self)
        self.pricing = PricingApi(self.handle, self._read, self.pricing_service,
                                  self.pricing_policy)
        self.promotions = PromotionsApi(self.handle, self._read)
        self.tax = TaxApi(self.handle, self._read)

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

    def _read(self) -> Any:
        return self.ports.uow()


class CatalogApi:
    def __init__(self, commerce: Commerce) -> None:
        self._c = commerce

    def create_product(
        self, name: str, slug: str, variants: list[VariantSpec], *, description: str = "",
        category_ids: tuple[str, ...] = (), attributes: dict[str, str] | None = None,
        publish: bool = False,
    ) -> str:
        return str(self._c.handle(CreateProduct(
            name, slug, tuple(variants), description, category_ids, attributes or {}, publish,
        )))

    def publish(self, product_id: str) -> None:
        self._c.handle(PublishProduct(product_id))

    def unpublish(self, product_id: str) -> None:
        self._c.handle(UnpublishProduct(product_id))

    def change_price(self, sku: str, price: Money) -> None:
        self._c.handle(ChangePrice(sku, price))

    def create_category(self, slug: str, name: str, parent_id: str | None = None) -> str:
        return str(self._c.handle(CreateCategory(slug, name, parent_id)))

    def get(self, product_id: str) -> Product:
        with self._c._read() as uow:
            return uow.products.get(product_id)  # type: ignore[no-any-return]

    def by_slug(self, slug: str) -> Product | None:
        with self._c._read() as uow:
            return uow.products.by_slug(slug)  # type: ignore[no-any-return]

    def by_sku(self, sku: str) -> Product | None:
        sku = normalise_sku(sku)
        with self._c._read() as uow:
            return uow.products.by_skus([sku]).get(sku)  # type: ignore[no-any-return]

    def list(
        self, *, published_only: bool = True, category_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> builtins.list[Product]:
        with self._c._read() as uow:
            return uow.products.list(  # type: ignore[no-any-return]
                status=ProductStatus.ACTIVE if published_only else None,
                category_id=category_id, limit=limit, offset=offset,
            )

    def categories(self) -> builtins.list[Category]:
        with self._c._read() as uow:
            return uow.categories.list()  # type: ignore[no-any-return]


class CartApi:
    def __init__(self, commerce: Commerce) -> None:
        self._c = commerce

    def create(self, currency: str, customer_id: str | None = None) -> str:
        return str(self._c.handle(CreateCart(currency, customer_id)))

    def add_item(self, cart_id: str, sku: str, quantity: int,
                 warehouse_id: str | None = None) -> str:
        return str(self._c.handle(AddCartItem(cart_id, sku, quantity, warehouse_id)))

    def update_item(self, cart_id: str, line_id: str, quantity: int) -> None:
        self._c.handle(UpdateCartItem(cart_id, line_id, quantity))

    def remove_item(self, cart_id: str, line_id: str) -> None:
        self._c.handle(RemoveCartItem(cart_id, line_id))

    def apply_coupon(self, cart_id: str, code: str) -> str:
        return str(self._c.handle(ApplyCoupon(cart_id, code)))

    def remove_coupon(self, cart_id: str, code: str) -> None:
        self._c.handle(RemoveCoupon(cart_id, code))

    def get(self, cart_id: str) -> CartView:
        """The cart priced by the engine (quote stage: tax pending until the address is known)."""
        with self._c._read() as uow:
            cart = uow.carts.get(cart_id)
        breakdown = self._c.pricing.quote(cart_id) if cart.lines else None
        return cart_view(cart, self._c.products, breakdown)


class CheckoutApi:
    def __init__(self, commerce: Commerce) -> None:
        self._c = commerce

    def place_order(
        self, cart_id: str, *, payment_method: str = "card", email: str | None = None,
        customer_id: str | None = None, idempotency_key: str | None = None,
        destination: TaxDestination | None = None,
    ) -> PlacedOrder:
        result: PlacedOrder = self._c.handle(
            PlaceOrder(cart_id, payment_method, email, customer_id, idempotency_key,
                       destination),
            correlation_id=idempotency_key,
        )
        return result

    def get(self, checkout_id: str) -> CheckoutSaga:
        with self._c._read() as uow:
            return uow.checkouts.get(checkout_id)  # type: ignore[no-any-return]

    def recover(self, limit: int = 50) -> dict[str, int]:
        return dict(self._c.handle(RecoverCheckouts(limit)))


class OrdersApi:
    def __init__(self, commerce: Commerce) -> None:
        self._c = commerce

    def get(self, order_id: str) -> Order:
        with self._c._read() as uow:
            return uow.orders.get(order_id)  # type: ignore[no-any-return]

    def by_number(self, number: str) -> Order | None:
        with self._c._read() as uow:
            return uow.orders.by_number(number)  # type: ignore[no-any-return]

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             limit: int = 50, offset: int = 0) -> list[Order]:
        with self._c._read() as uow:
            return uow.orders.list(  # type: ignore[no-any-return]
                status=OrderStatus(status) if status else None, customer_id=customer_id,
                limit=limit, offset=offset,
            )

    def cancel(self, order_id: str, reason: str = "customer_request",
               changed_by: str = "customer") -> None:
        self._c.handle(CancelOrder(order_id, reason, changed_by))


class PaymentsApi:
    def __init__(self, commerce: Commerce) -> None:
        self._c = commerce

    def capture(self, order_id: str) -> str:
        return str(self._c.handle(CapturePayment(order_id)))

    def for_order(self, order_id: str) -> list[Payment]:
        with self._c._read() as uow:
            return uow.payments.for_order(order_id)  # type: ignore[no-any-return]


__all__ = ["Commerce", "Money", "Ports", "VariantSpec"]
