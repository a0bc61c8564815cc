"""The checkout saga runner: places orders, and finishes or compensates interrupted checkouts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from commerce_core.cart.model import Cart, CartStatus
from commerce_core.checkout.commands import PlaceOrder, RecoverCheckouts
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    CheckoutNotPossible,
    IdempotencyKeyReused,
)
from commerce_core.checkout.model import (
    CheckoutLine,
    CheckoutSaga,
    SagaStatus,
    Step,
    fingerprint,
)
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.inventory import services as stock
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.inventory.services import StockRequest
from commerce_core.ordering.model import LineAllocation, Order, OrderLine, Totals, order_number
from commerce_core.payment.errors import PaymentDeclined
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import AuthorizationRequest, PaymentGateway
from commerce_core.pricing.api import PricingPolicy
from commerce_core.pricing.carts import cart_input
from commerce_core.pricing.engine import CustomerContext, PriceBreakdown, PricingStage
from commerce_core.pricing.service import CartPricingService
from commerce_core.promotion import services as promotions
from commerce_core.promotion.commands import UsageLine
from commerce_core.promotion.errors import PromotionNotApplicable
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.errors import TaxDestinationRequired
from commerce_core.tax.model import TaxDestination, TaxRuleDefinition

log = logging.getLogger("commerce.checkout")

StepProbe = Callable[[str], None]
# The points a probe is told about, in order. The first three share one commit.
PROBE_POINTS = ("priced", "stock_reserved", "order_created", "payment_authorized", "confirmed")


@frozen
class PlacedOrder:
    order_id: str
    order_number: str
    status: str
    checkout_id: str
    total: Money


@frozen
class _Found:
    """The saga an earlier request with the same idempotency key started."""

    saga: CheckoutSaga


@frozen
class _Opened:
    """What the local steps committed, kept so confirming needs not read it all back."""

    saga: CheckoutSaga
    cart: Cart
    order: Order
    payment: Payment


class CheckoutSagaRunner:
    """Runs checkout sagas. One instance serves every thread: all state lives in the persisted
    saga, never in the runner.

    `probe` is called with each point of `PROBE_POINTS` right after it took effect; tests use it
    to stop the process at exactly that point and check recovery.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[CheckoutUnitOfWork],
        gateway: PaymentGateway,
        clock: Clock,
        ids: IdGenerator,
        *,
        policy: ReservationPolicy | None = None,
        lease: timedelta = timedelta(seconds=30),
        probe: StepProbe | None = None,
        pricing: CartPricingService,
        pricing_policy: PricingPolicy | None = None,
    ) -> None:
        self._uow, self._gateway = uow, gateway
        self._pricing = pricing
        self._pricing_policy = pricing_policy or PricingPolicy()
        self._clock, self._ids = clock, ids
        self._policy = policy or ReservationPolicy()
        self._lease = lease
        self.probe: StepProbe = probe or (lambda point: None)

    # -- placing an order -----------------------------------------------------------------------
    def place(self, cmd: PlaceOrder) -> PlacedOrder:
        parts: tuple[object, ...] = (cmd.cart_id, cmd.payment_method, cmd.email, cmd.customer_id)
        if cmd.destination is not None:  # keeps the hashes of address-less requests as they were
            parts += (cmd.destination,)
        request_hash = fingerprint(*parts)
        try:
            opened = self._open(cmd, request_hash)
        except ConcurrencyConflict:
            # Another request with this key, or on this cart, committed first.
            if cmd.idempotency_key is not None:
                existing = self._by_key(cmd.idempotency_key)
                if existing is not None:
                    return self._replay(existing, request_hash)
            raise CheckoutInProgress(
                f"cart {cmd.cart_id} is being checked out", cart_id=cmd.cart_id
            ) from None
        if isinstance(opened, PlacedOrder):
            return opened
        if isinstance(opened, _Found):
            return self._replay(opened.saga, request_hash)
        for point in PROBE_POINTS[:3]:
            self.probe(point)
        return self._finish(opened.saga, opened)

    def _open(self, cmd: PlaceOrder, request_hash: str) -> _Opened | PlacedOrder | _Found:
        """The local steps, in one transaction: validate the cart, price it at today's list
        price, reserve every line (all or nothing), create the pending order and its payment.
        Any refusal rolls all of it back: nothing was taken, so nothing needs compensating.

        Returns the new saga; or, when the key was used before, the saga it started; or the
        order a key-less request's cart already became.

        Tax rules are fetched first, outside the transaction: an unreachable tax source stops
        the checkout before anything is written (tax is never assumed 0)."""
        now = self._clock.now()
        destination = cmd.destination or self._pricing_policy.tax_origin
        if destination is None:
            raise TaxDestinationRequired("placing an order needs a shipping address for tax")
        tax_rules = self._pricing.tax_rules(destination.country_code, now)
        with self._uow() as uow:
            if cmd.idempotency_key is not None:
                existing = uow.checkouts.by_key(cmd.idempotency_key)
                if existing is not None:
                    return _Found(existing)
            cart = uow.carts.get(cmd.cart_id)
            if cmd.idempotency_key is None and cart.status is CartStatus.COMPLETED:
                assert cart.order_id is not None
                return self._placed(uow.orders.get(cart.order_id))
            self._check_cart(cart, cmd)
            breakdown = self._price(uow, cart, cmd, destination, tax_rules)
            lines = self._lines(uow, cart, breakdown)
            saga = CheckoutSaga.start(
                saga_id=self._ids.new_id(),
                idempotency_key=cmd.idempotency_key or f"cart:{cart.id}:v{cart.version}",
                request_hash=request_hash, cart_id=cart.id,
                customer_id=cart.customer_id or cmd.customer_id, email=cmd.email,
                payment_method=cmd.payment_method, currency=cart.currency,
                lines=lines, total=breakdown.totals.total,
                now=now, lease=self._lease,
            )
            cart.begin_checkout(now=now)
            held = stock.reserve(
                uow, [StockRequest(ln.sku, ln.quantity, ln.warehouse_id) for ln in lines],
                reference=saga.id, expires_at=now + self._policy.ttl(saga.payment_method),
                now=now, ids=self._ids, payment_method=saga.payment_method,
                customer_id=saga.customer_id,
            )
            order_id = self._ids.new_id()
            t = breakdown.totals
            order = Order.place(
                order_id=order_id, number=order_number(order_id, now), checkout_id=saga.id,
                cart_id=cart.id, customer_id=saga.customer_id, email=saga.email,
                currency=saga.currency,
                lines=[
                    OrderLine(self._ids.new_id(), ln.sku, ln.product_id, ln.name, ln.quantity,
                              ln.unit_price, ln.line_total, h.warehouse_id, h.reservation_id,
                              tuple(LineAllocation(r.warehouse_id, r.id, r.quantity)
                                    for r in h.reservations))
                    for ln, h in zip(lines, held, strict=True)
                ],
                totals=Totals(t.subtotal, t.discount_total + t.shipping_discount, t.shipping,
                              t.tax_added, t.total),
                payment_method=saga.payment_method, payment_id=None, now=now,
            )
            payment = Payment.start(
                payment_id=self._ids.new_id(), order_id=order_id, amount=saga.total,
                method=saga.payment_method, gateway=self._gateway.name,
                idempotency_key=saga.authorization_key, now=now,
            )
            saga.order_created(order.id, payment.id,
                               [r.id for h in held for r in h.reservations])
            self._record_promotions(uow, breakdown, order_id, saga.customer_id, now)
            uow.checkouts.add(saga)
            uow.orders.add(order)
            uow.payments.add(payment)
            uow.commit()
        return _Opened(saga, cart, order, payment)

    @staticmethod
    def _check_cart(cart: Cart, cmd: PlaceOrder) -> None:
        if cmd.customer_id is not None and cart.customer_id not in (None, cmd.customer_id):
            raise CheckoutNotPossible("this cart belongs to another customer", cart_id=cart.id)
        if cart.status is CartStatus.CHECKOUT:
            raise CheckoutInProgress(f"cart {cart.id} is being checked out", cart_id=cart.id)
        if cart.status is not CartStatus.ACTIVE:
            raise CheckoutNotPossible(f"cart {cart.id} is {cart.status}", cart_id=cart.id,
                                      cart_status=cart.status.value)
        if not cart.lines:
            raise CheckoutNotPossible("the cart is empty", cart_id=cart.id)

    def _price(self, uow: CheckoutUnitOfWork, cart: Cart, cmd: PlaceOrder,
               destination: TaxDestination,
               tax_rules: Sequence[TaxRuleDefinition]) -> PriceBreakdown:
        """The price engine at the confirm stage, in this transaction: list prices, rules,
        promotions and coupons, tax by destination. A coupon on the cart that gives nothing now
        (used up, expired) stops the checkout: the shopper was shown a discount."""
        products = uow.products.by_skus({line.sku for line in cart.lines})
        for line in cart.lines:
            product = products.get(line.sku)
            if product is None or not product.is_available:
                raise CheckoutNotPossible(f"{line.sku} is no longer for sale", sku=line.sku)
        breakdown = self._pricing.price_within(
            uow, cart_input(cart, products, destination=destination,
                            payment_method=cmd.payment_method),
            CustomerContext(customer_id=cart.customer_id or cmd.customer_id),
            self._pricing_policy.context(PricingStage.CONFIRM), tax_rules,
        )
        refused = [c for c in breakdown.invalid_coupons if c.reason != "coupon.not_combinable"]
        if refused:
            first = refused[0]
            raise PromotionNotApplicable(
                f"coupon {first.code} cannot be used: {first.message}", coupon_code=first.code,
                reason=first.reason,
            )
        return breakdown

    @staticmethod
    def _lines(uow: CheckoutUnitOfWork, cart: Cart,
               breakdown: PriceBreakdown) -> list[CheckoutLine]:
        """Each cart line at the unit price the engine computed (after sale price and price
        rules; promotions are order-level and frozen in the order's totals)."""
        products = uow.products.by_skus({line.sku for line in cart.lines})
        return [
            CheckoutLine(line.sku, products[line.sku].id,
                         products[line.sku].item_name(line.sku), line.quantity,
                         breakdown.line(line.id).unit_price, line.warehouse_id)
            for line in cart.lines
        ]

    def _record_promotions(self, uow: CheckoutUnitOfWork, breakdown: PriceBreakdown,
                           order_id: str, customer_id: str | None, now: datetime) -> None:
        """Every promotion the order uses, all or none, with conditional updates of their
        counters and budgets: a refusal raises and rolls the whole checkout back."""
        if not breakdown.offers:
            return
        t = breakdown.totals
        original = t.subtotal + t.shipping
        promotions.apply_usages(
            uow, order_id=order_id, customer_id=customer_id, now=now, ids=self._ids,
            usages=[UsageLine(o.promotion_id, o.total, original, t.total, o.coupon_id)
                    for o in breakdown.offers],
        )

    def _by_key(self, key: str) -> CheckoutSaga | None:
        with self._uow() as uow:
            return uow.checkouts.by_key(key)

    def _replay(self, saga: CheckoutSaga, request_hash: str) -> PlacedOrder:
        """The same request again: its outcome, or (lease expired) take it over and finish it."""
        if saga.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request",
                idempotency_key=saga.idempotency_key,
            )
        if saga.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and not saga.is_stale(
            self._clock.now()
        ):
            raise CheckoutInProgress("this checkout is still being processed",
                                     checkout_id=saga.id)
        return self._drive(saga.id)

    # -- finishing ------------------------------------------------------------------------------
    def _drive(self, saga_id: str) -> PlacedOrder:
        """Take a persisted saga to its end: its result, its failure, or a finished run."""
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is SagaStatus.COMPLETED:
                assert saga.order_id is not None
                return self._placed(uow.orders.get(saga.order_id))
        if saga.status is SagaStatus.COMPENSATING:
            self._compensate(saga_id, saga.failure_code or "", saga.failure_message or "")
        if saga.status in (SagaStatus.COMPENSATING, SagaStatus.FAILED):
            raise CheckoutFailed(
                f"this checkout failed: {saga.failure_message}", checkout_id=saga.id,
                failure_code=saga.failure_code,
            )
        return self._finish(saga)

    def _finish(self, saga: CheckoutSaga, opened: _Opened | None = None) -> PlacedOrder:
        """Authorize, then confirm; or compensate whatever refused."""
        try:
            reference = self._authorize(saga)
            self.probe("payment_authorized")
            placed = self._confirm(saga.id, reference, opened)
            self.probe("confirmed")
        except ConcurrencyConflict:
            raise CheckoutInProgress(
                "another process took over this checkout", checkout_id=saga.id
            ) from None
        except CommerceError as error:
            self._compensate(saga.id, error.code, error.message)
            raise
        return placed

    @staticmethod
    def _placed(order: Order) -> PlacedOrder:
        return PlacedOrder(order.id, order.number, order.status.value, order.checkout_id,
                           order.totals.total)

    def _authorize(self, saga: CheckoutSaga) -> str:
        """Ask the gateway; outside any transaction, idempotent on the checkout's key."""
        assert saga.order_id is not None
        assert saga.payment_id is not None
        result = self._gateway.authorize(
            AuthorizationRequest(
                payment_id=saga.payment_id, order_id=saga.order_id, amount=saga.total,
                method=saga.payment_method, idempotency_key=saga.authorization_key,
                customer_email=saga.email,
            )
        )
        if not result.approved or result.reference is None:
            raise PaymentDeclined(
                f"the payment was declined ({result.decline_code or 'no reason given'})",
                decline_code=result.decline_code,
            )
        return result.reference

    def _confirm(self, saga_id: str, reference: str, opened: _Opened | None) -> PlacedOrder:
        """The second local transaction. Right after the first one, its aggregates are adopted
        as committed rather than read again: their versions guard against anyone (a recovery
        worker) having changed them meanwhile, which fails this commit instead."""
        now = self._clock.now()
        with self._uow() as uow:
            if opened is not None:
                saga = uow.checkouts.attach(opened.saga)
                uow.carts.attach(opened.cart)
                uow.orders.attach(opened.order)
                uow.payments.attach(opened.payment)
            else:
                saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.RUNNING or saga.step is not Step.ORDER_CREATED:
                # Another process took the saga over and moved it on; it owns the outcome.
                raise ConcurrencyConflict(f"checkout {saga_id} moved on", checkout_id=saga_id)
            assert saga.order_id is not None
            assert saga.payment_id is not None
            uow.payments.get(saga.payment_id).authorized(reference, now=now)
            uow.reservations.for_reference(saga.id)  # one read for all of them
            stock.confirm(uow, saga.reservation_ids, order_id=saga.order_id, now=now)
            order = uow.orders.get(saga.order_id)
            order.confirm(saga.payment_id, now=now)
            uow.carts.get(saga.cart_id).complete(order.id, order.totals.total, now=now)
            saga.confirmed(now=now)
            uow.commit()
        return self._placed(order)

    # -- compensation ---------------------------------------------------------------------------
    def _compensate(self, saga_id: str, code: str, message: str) -> None:
        """Give back everything the saga took. Safe to repeat: each undo is idempotent.

        The authorization is voided by key first (a timeout may have authorized). If the gateway
        cannot void right now, the saga stays `compensating` and the recovery worker tries again;
        stock is released together with the rest, in one transaction, once money is settled.
        """
        now = self._clock.now()
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status in (SagaStatus.FAILED, SagaStatus.COMPLETED):
                return
            saga.compensating(code, message, now=now, lease=self._lease)
            uow.commit()
        if code != PaymentDeclined.code:  # a decline authorized nothing
            try:
                self._gateway.void(saga.authorization_key)
            except ServiceUnavailable:
                log.warning("void of checkout %s failed; the recovery worker retries", saga_id)
                return
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.COMPENSATING:
                return  # another process finished the compensation
            stock.release(uow, saga.reservation_ids, reason="checkout_failed", now=now)
            if saga.order_id is not None:
                uow.orders.get(saga.order_id).cancel(code, changed_by="checkout", now=now)
            if saga.payment_id is not None:
                payment = uow.payments.get(saga.payment_id)
                if code == PaymentDeclined.code:
                    payment.failed(code, message, now=now)
                else:
                    payment.voided(now=now)
            uow.carts.get(saga.cart_id).reopen(code, now=now)
            saga.failed(now=now)
            uow.commit()

    # -- recovery -------------------------------------------------------------------------------
    def recover(self, cmd: RecoverCheckouts) -> dict[str, int]:
        """Claim checkouts whose lease ran out and finish them. Each has its order already (the
        local steps commit together), so it is driven forward: the gateway answers the same key
        with the same outcome, so the checkout is confirmed, or compensated, and the shopper is
        never charged twice. A checkout stuck compensating gets its void retried (ADR 0003)."""
        now = self._clock.now()
        with self._uow() as uow:
            stale = uow.checkouts.stale(now, cmd.limit)
        outcome = {"completed": 0, "compensated": 0, "retry_later": 0}
        for saga_id in stale:
            try:
                with self._uow() as uow:
                    saga = uow.checkouts.get(saga_id)
                    if not saga.is_stale(now):
                        continue
                    saga.claim(now=now, lease=self._lease)
                    uow.commit()
            except ConcurrencyConflict:
                continue  # another worker claimed it
            try:
                self._drive(saga_id)
                outcome["completed"] += 1
            except ServiceUnavailable:
                outcome["retry_later"] += 1
            except CommerceError:
                with self._uow() as uow:
                    done = uow.checkouts.get(saga_id).status is SagaStatus.FAILED
                outcome["compensated" if done else "retry_later"] += 1
        return outcome


class PlaceOrderHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: PlaceOrder) -> PlacedOrder:
        return self._runner.place(cmd)


class RecoverCheckoutsHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: RecoverCheckouts) -> dict[str, int]:
        return self._runner.recover(cmd)
