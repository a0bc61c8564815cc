"""The checkout saga's steps: open (the local steps, one transaction), authorize (the gateway),
confirm (one transaction) and compensate. Each step calls one published function per context it
coordinates; none builds another context's aggregates. The runner (`runner.py`) decides which
step comes next.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from attrs import field, frozen

from commerce_core.cart import services as carts
from commerce_core.cart.queries import CartSnapshot
from commerce_core.catalog import services as catalog
from commerce_core.catalog.queries import SellableItem
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.errors import (
    CheckoutInProgress,
    CheckoutNotPossible,
    ShippingAddressRequired,
)
from commerce_core.checkout.model import (
    KEYLESS_KEY_PREFIX,
    CheckoutLine,
    CheckoutSaga,
    SagaStatus,
    Step,
)
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.fraud import services as fraud
from commerce_core.fraud.errors import FraudBlocked
from commerce_core.fraud.ports import GeoFacts, RiskRequest
from commerce_core.fraud.queries import Decision, RiskVerdict
from commerce_core.giftcard import services as giftcards
from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.inventory import services as stock
from commerce_core.inventory.services import ReservationPolicy, StockRequest
from commerce_core.ledger import services as ledger
from commerce_core.ledger.ports import AccountKind
from commerce_core.ordering import services as orders
from commerce_core.ordering.queries import OrderSummary
from commerce_core.payment import services as payments
from commerce_core.payment.errors import PaymentDeclined, PaymentNotCompleted, TenderRefused
from commerce_core.payment.ports import (
    AuthorizationRequest,
    GatewayRouting,
    TenderKind,
    TenderPolicy,
)
from commerce_core.pricing.errors import TaxDestinationRequired
from commerce_core.pricing.ports import TaxCalculator, TaxDestination
from commerce_core.pricing.queries import CustomerContext, PriceBreakdown, ShippingSelection
from commerce_core.pricing.services import CartPricer
from commerce_core.promotion import services as promotions
from commerce_core.promotion.commands import UsageLine
from commerce_core.promotion.errors import PromotionNotApplicable
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import Held, UnitOfWorkFactory
from commerce_core.shipping.ports import content_key

log = logging.getLogger("commerce.checkout")

PAYMENT_DEADLINE_MARGIN = timedelta(minutes=5)
POINTS = "points"
# The payment an order paid in full with stored value names (it has no gateway payment).
STORED_VALUE = "stored_value"


@frozen
class StoredValue:
    """What paying with stored value needs: the tender rules and the gift card settings (the
    pepper the codes are digested under)."""

    policy: TenderPolicy = field(factory=TenderPolicy)
    gift_cards: GiftCardSettings = field(factory=GiftCardSettings)


@frozen
class Opened:
    """The saga the local steps committed, and what their transaction held: the confirm step
    adopts it rather than reading the saga, order, payment and cart again."""

    saga: CheckoutSaga
    held: Held
    route: tuple[str, ...] = ()  # the gateways the payment may fail over to, its own first
    verdict: RiskVerdict | None = None


@frozen
class Screening:
    """What the risk check knows of the request before any transaction: the shopper's
    details, checked, and the GeoIP answers for their address."""

    request: RiskRequest
    geo: GeoFacts


# Codes of failures that held no money: compensation has nothing to void.
NOTHING_AUTHORIZED = (PaymentDeclined.code, FraudBlocked.code)


def placed(order: OrderSummary, payment_url: str | None = None) -> PlacedOrder:
    return PlacedOrder(order.order_id, order.number, order.status, order.checkout_id,
                       order.total, payment_url)


class CheckoutSteps:
    """The steps, sharing the collaborators every checkout needs. Stateless between calls."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[CheckoutUnitOfWork],
        gateway: GatewayRouting,
        pricer: CartPricer,
        clock: Clock,
        ids: IdGenerator,
        *,
        policy: ReservationPolicy,
        lease: timedelta,
        retention: timedelta = timedelta(hours=24),
        screen: fraud.RiskScreen | None = None,
        stored_value: StoredValue | None = None,
    ) -> None:
        self.uow, self._gateway, self._pricer = uow, gateway, pricer
        self._value = stored_value or StoredValue()
        self._clock, self._ids = clock, ids
        self._policy, self.lease, self.retention = policy, lease, retention
        self._screen = screen if screen is not None and screen.enabled else None

    # -- open -----------------------------------------------------------------------------------
    def taxes(self, cmd: PlaceOrder) -> TaxCalculator | None:
        """Tax rules for the order's destination. A tax source outside the shop's database is
        asked before any transaction opens: when it is unreachable the checkout stops before
        anything is written (tax is never assumed 0). The shop's own rule table answers None
        here and is read by `open`, in its transaction, before it writes anything. Without an
        address the shop's tax origin applies; without one, refused."""
        destination = self._destination(cmd)
        if self._pricer.has_local_taxes:
            return None
        return self._pricer.taxes_for(destination, self._clock.now())

    def _destination(self, cmd: PlaceOrder) -> TaxDestination:
        destination = cmd.destination or self._pricer.policy.tax_origin
        if destination is None:
            raise TaxDestinationRequired("placing an order needs a shipping address for tax")
        return destination

    def _taxes_within(self, uow: CheckoutUnitOfWork, cmd: PlaceOrder,
                      now: datetime) -> TaxCalculator:
        destination = self._destination(cmd)
        found = self._pricer.taxes_within(uow, destination, now)
        return found if found is not None else self._pricer.taxes_for(destination, now)

    def open(self, cmd: PlaceOrder, request_hash: str, taxes: TaxCalculator | None,
             screening: Screening | None = None) -> Opened | PlacedOrder:
        """The local steps, in one transaction: validate the cart, price it at today's list
        price, reserve every line (all or nothing), create the pending order and its payment,
        record promotion usage. Any refusal rolls all of it back: nothing was taken, so nothing
        needs compensating.

        Returns the new saga, or the order a key-less request's cart already became. A key
        used before is not looked up here: the request fails (its cart moved on, or the saga's
        unique key refuses it at commit) and the runner answers it with the saga the key
        started."""
        now = self._clock.now()
        with self.uow() as uow:
            cart = carts.for_checkout(uow, cmd.cart_id)
            if cmd.idempotency_key is None and cart.is_completed:
                assert cart.order_id is not None
                return placed(orders.summary(uow, cart.order_id))
            _check_cart(cart, cmd)
            items = catalog.sellable(uow, {line.sku for line in cart.lines})
            for line in cart.lines:
                item = items.get(line.sku)
                if item is None or not item.available:
                    raise CheckoutNotPossible(f"{line.sku} is no longer for sale", sku=line.sku)
            customer_id = cart.customer_id or cmd.customer_id
            shipping, shipping_method = self._shipping(uow, cart, cmd, now)
            if taxes is None:
                taxes = self._taxes_within(uow, cmd, now)
            breakdown = self._price(uow, cart, items, cmd, taxes, customer_id, shipping)
            priced = {ln.line_id: ln for ln in breakdown.lines}  # one lookup per line, not a scan
            lines = [
                CheckoutLine(line.sku, items[line.sku].product_id, items[line.sku].name,
                             line.quantity, priced[line.id].unit_price, line.warehouse_id)
                for line in cart.lines
            ]
            saga = CheckoutSaga.start(
                saga_id=self._ids.new_id(),
                idempotency_key=cmd.idempotency_key
                or f"{KEYLESS_KEY_PREFIX}{cart.id}:v{cart.version}",
                request_hash=request_hash, cart_id=cart.id, customer_id=customer_id,
                email=cmd.email, payment_method=cmd.payment_method, currency=cart.currency,
                lines=lines, total=breakdown.totals.total, now=now, lease=self.lease,
                client_ip=cmd.client_ip, payment_token=cmd.payment_token,
            )
            carts.begin_checkout(uow, cart.id, now=now)
            held = stock.reserve(
                uow, [StockRequest(ln.sku, ln.quantity, ln.warehouse_id) for ln in lines],
                reference=saga.id, expires_at=now + self._policy.ttl(saga.payment_method),
                now=now, ids=self._ids, payment_method=saga.payment_method,
                customer_id=saga.customer_id,
            )
            t = breakdown.totals
            order_id = orders.place_pending(
                uow, checkout_id=saga.id, cart_id=cart.id, customer_id=saga.customer_id,
                email=saga.email, currency=saga.currency,
                lines=[
                    orders.PendingLine(
                        ln.sku, ln.product_id, ln.name, ln.quantity, ln.unit_price,
                        ln.line_total,
                        tuple(orders.LineAllocation(r.warehouse_id, r.id, r.quantity)
                              for r in h.reservations))
                    for ln, h in zip(lines, held, strict=True)
                ],
                totals=orders.Totals(t.subtotal, t.discount_total + t.shipping_discount,
                                     t.shipping, t.tax_added, t.total),
                payment_method=saga.payment_method, now=now, ids=self._ids,
                ship_to=cmd.ship_to,
                shipping_method=shipping_method,
            )
            stored = (self._hold_tenders(uow, cmd, saga, order_id, now) if cmd.has_tenders
                      else 0)
            route: tuple[str, ...] = ()
            payment_id = None
            if stored < saga.total.amount:
                route = payments.route(
                    self._gateway, method=saga.payment_method, currency=saga.currency,
                    country=cmd.destination.country_code if cmd.destination else None)
                payment_id = payments.start(
                    uow, order_id=order_id, amount=saga.total - Money(stored, saga.currency),
                    method=saga.payment_method, gateway=route[0],
                    idempotency_key=saga.authorization_key, now=now, ids=self._ids,
                )
            saga.order_created(order_id, payment_id,
                               [r.id for h in held for r in h.reservations], stored)
            self._record_promotions(uow, breakdown, order_id, saga.customer_id)
            verdict = self._assess(uow, screening, saga, order_id)
            uow.checkouts.add(saga)
            uow.commit()
            return Opened(saga, uow.held(), route, verdict)

    def _hold_tenders(self, uow: CheckoutUnitOfWork, cmd: PlaceOrder, saga: CheckoutSaga,
                      order_id: str, now: datetime) -> int:
        """Hold the stored value the shopper pays with, in this transaction (all or nothing):
        points first, then the gift card (as much as it covers of what is left, unless told),
        then store credit. Returns the value held; the card pays the rest."""
        total, customer = saga.total, saga.customer_id
        left = total.amount
        holds: list[payments.TenderHold] = []
        value = self._value
        if cmd.points:
            if customer is None:
                raise TenderRefused("paying with points needs a signed-in customer")
            account = ledger.open_account(uow, AccountKind.POINTS, customer, POINTS)
            worth = cmd.points * value.policy.point_value
            holds.append(payments.TenderHold(TenderKind.POINTS, account.id, cmd.points, worth))
            left -= worth
        if cmd.gift_card_code is not None:
            card = giftcards.card_account(uow, value.gift_cards, cmd.gift_card_code, customer,
                                          now=now)
            amount = (cmd.gift_card_amount if cmd.gift_card_amount is not None
                      else min(card.available, max(left, 0)))
            if amount <= 0:
                raise TenderRefused("the gift card has nothing left to pay with",
                                    available=card.available)
            holds.append(payments.TenderHold(TenderKind.GIFT_CARD, card.id, amount, amount))
            left -= amount
        if cmd.store_credit_amount:
            if customer is None:
                raise TenderRefused("paying with store credit needs a signed-in customer")
            account = giftcards.store_credit_account(uow, customer, total.currency)
            holds.append(payments.TenderHold(TenderKind.STORE_CREDIT, account.id,
                                             cmd.store_credit_amount, cmd.store_credit_amount))
        return payments.hold_tenders(
            uow, order_id=order_id, checkout_id=saga.id, total=total, holds=holds,
            policy=value.policy, expires_at=now + self._policy.ttl(saga.payment_method),
            now=now, ids=self._ids)

    def _shipping(self, uow: CheckoutUnitOfWork, cart: CartSnapshot, cmd: PlaceOrder,
                  now: datetime) -> tuple[ShippingSelection | None, str | None]:
        """The chosen shipping quote, read once and checked: this cart's, unexpired, for these
        contents and this address (ADR 0022). Its amount is what the order is charged; the
        engine sees the shop's method code (shipping promotions name methods), the order keeps
        `<carrier or method>:<service>`."""
        if cmd.shipping_quote_id is None:
            return None, None
        quote = uow.shipping_quotes.get(cmd.shipping_quote_id)
        if cmd.ship_to is None:  # tax and the order follow the address the quote was for
            raise ShippingAddressRequired(
                "an order with a shipping quote names the address it ships to",
                quote_id=quote.id)
        quote.usable_for(
            cart_id=cart.id, now=now, destination=cmd.ship_to,
            content_key=content_key(cart.currency, ((ln.sku, ln.warehouse_id, ln.quantity)
                                                    for ln in cart.lines)))
        return ShippingSelection(quote.method_code, quote.amount), quote.shipping_method

    def _price(self, uow: CheckoutUnitOfWork, cart: CartSnapshot,
               items: dict[str, SellableItem], cmd: PlaceOrder, taxes: TaxCalculator,
               customer_id: str | None,
               shipping: ShippingSelection | None = None) -> PriceBreakdown:
        """The price engine at the confirm stage, in this transaction: list prices, rules,
        promotions and coupons, tax by destination. A coupon on the cart that gives nothing now
        (used up, expired) stops the checkout: the shopper was shown a discount."""
        breakdown = self._pricer.price_within(
            uow,
            carts.pricing_input(cart, items,
                                destination=cmd.destination or self._pricer.policy.tax_origin,
                                shipping=shipping, payment_method=cmd.payment_method),
            CustomerContext(customer_id=customer_id),
            promotions=promotions.load_snapshot(uow, coupon_codes=cart.coupon_codes,
                                                customer_id=customer_id,
                                                at=self._clock.now()),
            taxes=taxes,
        )
        refused = [c for c in breakdown.invalid_coupons if c.reason != "coupon.not_combinable"]
        if refused:
            first = refused[0]
            raise PromotionNotApplicable(
                f"coupon {first.code} cannot be used: {first.message}", coupon_code=first.code,
                reason=first.reason,
            )
        return breakdown

    def _record_promotions(self, uow: CheckoutUnitOfWork, breakdown: PriceBreakdown,
                           order_id: str, customer_id: str | None) -> None:
        """Every promotion the order uses, all or none, with conditional updates of their
        counters and budgets: a refusal raises and rolls the whole checkout back."""
        if not breakdown.offers:
            return
        t = breakdown.totals
        original = t.subtotal + t.shipping
        promotions.apply_usages(
            uow, order_id=order_id, customer_id=customer_id, now=self._clock.now(),
            ids=self._ids,
            usages=[UsageLine(o.promotion_id, o.total, original, t.total, o.coupon_id)
                    for o in breakdown.offers],
        )

    # -- risk -----------------------------------------------------------------------------------
    def screening(self, cmd: PlaceOrder) -> Screening | None:
        """The risk request, checked (bad input stops here, before anything is written), and
        its GeoIP answers, outside any transaction. None when the risk check is off."""
        if self._screen is None:
            return None
        request = self._screen.request(
            email=cmd.email, client_ip=cmd.client_ip, billing_country=cmd.billing_country,
            shipping_country=cmd.destination.country_code if cmd.destination else None,
            card_fingerprint=cmd.card_fingerprint, customer_id=cmd.customer_id)
        return Screening(request, self._screen.locate(request))

    def _assess(self, uow: CheckoutUnitOfWork, screening: Screening | None,
                saga: CheckoutSaga, order_id: str) -> RiskVerdict | None:
        """Score the priced order and store its assessment in the local steps' transaction.
        A blocked order is still committed with its stock held: `screen` then stops it before
        the gateway and compensation gives everything back, so the refusal stays on record."""
        if self._screen is None or screening is None:
            return None
        return self._screen.assess(uow, screening.request, screening.geo, order_id=order_id,
                                   checkout_id=saga.id, amount=saga.total,
                                   now=self._clock.now(), ids=self._ids)

    def screen(self, saga: CheckoutSaga, verdict: RiskVerdict | None) -> None:
        """Stop a blocked order before the gateway: nothing is authorized. A review goes on
        (its capture is held until staff decide). A resumed checkout reads its verdict."""
        if self._screen is None:
            return
        assert saga.order_id is not None
        if verdict is None:
            with self.uow() as uow:
                verdict = fraud.verdict(uow, saga.order_id)
        if verdict is not None and verdict.decision is Decision.BLOCK:
            raise FraudBlocked("this order cannot be accepted; please contact the shop",
                               checkout_id=saga.id, order_id=saga.order_id)

    # -- authorize and confirm ------------------------------------------------------------------
    def authorize(self, saga: CheckoutSaga, route: tuple[str, ...] = ()) -> payments.Authorized:
        """Ask the gateway; outside any transaction, idempotent on the checkout's key. Fails
        over along `route` only when no money can have moved (ADR 0011); a resumed checkout
        (no route) asks its payment's gateway again and nothing else. A redirect gateway
        answers `pending` with the page where the shopper pays."""
        assert saga.order_id is not None
        assert saga.payment_id is not None
        return payments.authorize(self._gateway, self.uow, AuthorizationRequest(
            payment_id=saga.payment_id, order_id=saga.order_id, amount=saga.card_total,
            method=saga.payment_method, idempotency_key=saga.authorization_key,
            customer_email=saga.email, payment_token=saga.payment_token,
            client_ip=saga.client_ip,
        ), route=route, clock=self._clock)

    def deadline(self, saga: CheckoutSaga) -> datetime:
        """Until when the shopper may pay: the stock hold's time less a margin (a sixth, at
        most 5 minutes), so a payment the provider reports at the deadline still finds its
        stock held and confirms."""
        ttl = self._policy.ttl(saga.payment_method)
        return saga.created_at + ttl - min(ttl / 6, PAYMENT_DEADLINE_MARGIN)

    def await_payment(self, saga_id: str, authorization: payments.Authorized) -> PlacedOrder:
        """The gateway waits for the shopper: the payment requires action and the saga sleeps
        until a signal or its deadline; the order stays pending with its stock reserved."""
        now = self._clock.now()
        with self.uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.RUNNING or saga.step is not Step.ORDER_CREATED:
                raise ConcurrencyConflict(f"checkout {saga_id} moved on", checkout_id=saga_id)
            assert saga.order_id is not None
            assert saga.payment_id is not None
            payments.requires_action(uow, saga.payment_id, authorization, now=now)
            saga.awaiting_payment(deadline=self.deadline(saga), now=now)
            order = orders.summary(uow, saga.order_id)
            uow.commit()
        return placed(order, authorization.redirect_url)

    def waiting(self, saga: CheckoutSaga) -> PlacedOrder:
        """A checkout waiting for the shopper, as its request is answered again."""
        assert saga.order_id is not None
        assert saga.payment_id is not None
        with self.uow() as uow:
            return placed(orders.summary(uow, saga.order_id),
                          payments.redirect_url(uow, saga.payment_id))

    def reference(self, saga: CheckoutSaga) -> str | None:
        assert saga.payment_id is not None
        with self.uow() as uow:
            return payments.reference(uow, saga.payment_id)

    def poll(self, saga: CheckoutSaga, reference: str) -> tuple[payments.Settlement, str]:
        """Ask the provider of the payment's attempt how it ended (outside any transaction)."""
        assert saga.payment_id is not None
        with self.uow() as uow:
            gateway, key = payments.attempt(uow, saga.payment_id)
        return payments.poll(self._gateway.gateway(gateway), reference, f"{key}:complete")

    def find(self, gateway: str, reference: str) -> CheckoutSaga | None:
        """The checkout whose payment the gateway knows by `reference`."""
        with self.uow() as uow:
            payment = payments.by_reference(uow, gateway, reference)
            if payment is None:
                return None
            checkout_id = orders.summary(uow, payment.order_id).checkout_id
            return uow.checkouts.get(checkout_id) if checkout_id else None

    def seen(self, inbox: str, event_id: str) -> bool:
        """Whether a provider's notification was applied already."""
        with self.uow() as uow:
            return uow.inbox.seen(inbox, event_id)

    def record(self, inbox: str, event_id: str) -> None:
        try:
            with self.uow() as uow:
                if not uow.inbox.seen(inbox, event_id):
                    uow.inbox.record(inbox, event_id)
                    uow.commit()
        except ConcurrencyConflict:
            pass  # the same notification, delivered twice at once, was recorded by the other

    def void_late(self, saga: CheckoutSaga, reference: str | None) -> None:
        """Money given after the checkout gave up (the shopper paid past the deadline) goes
        back: a hold is voided, a sale refunded (see `payments.release_late`)."""
        assert saga.payment_id is not None
        payments.release_late(self._gateway, self.uow, saga.payment_id, reference,
                              clock=self._clock)

    def confirm(self, saga_id: str, reference: str | None,
                held: Held | None = None) -> PlacedOrder:
        """The second local transaction: payment, reservations, order and cart confirmed. A saga
        someone else moved on meanwhile fails it with `ConcurrencyConflict` (also when adopted
        from `held`: every adopted aggregate is written under the version it was read at)."""
        now = self._clock.now()
        with self.uow() as uow:
            if held is not None:
                uow.adopt(held)
            saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.RUNNING or saga.step not in (
                    Step.ORDER_CREATED, Step.AWAITING_PAYMENT):
                # Another process took the saga over and moved it on; it owns the outcome.
                raise ConcurrencyConflict(f"checkout {saga_id} moved on", checkout_id=saga_id)
            assert saga.order_id is not None
            if saga.payment_id is not None:
                assert reference is not None
                payments.authorized(uow, saga.payment_id, reference, now=now)
            if saga.stored_value:
                payments.capture_tenders(uow, saga.order_id, now=now)
            stock.confirm(uow, saga.reservation_ids, order_id=saga.order_id, now=now,
                          reference=saga.id)
            order = orders.confirm(uow, saga.order_id,
                                   saga.payment_id or f"{STORED_VALUE}:{saga.id}", now=now)
            if saga.payment_id is None:  # captured with the holds: nothing left to capture
                order = orders.mark_paid(uow, saga.order_id, now=now)
            carts.complete(uow, saga.cart_id, order.order_id, order.total, now=now)
            saga.confirmed(now=now)
            uow.commit()
        return placed(order)

    # -- idempotency keys -----------------------------------------------------------------------
    def release_keys(self, limit: int) -> int:
        """Free the keys of checkouts finished longer ago than the retention, in one
        transaction; returns how many."""
        now = self._clock.now()
        with self.uow() as uow:
            ids = uow.checkouts.keys_to_release(now - self.retention, limit)
            for saga_id in ids:
                uow.checkouts.get(saga_id).release_key(now=now)
            uow.commit()
        return len(ids)

    def release_key(self, saga_id: str) -> None:
        """Free one expired key now (a request bearing it came before the worker did)."""
        now = self._clock.now()
        with self.uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.key_expired(now, self.retention):
                saga.release_key(now=now)
                uow.commit()

    # -- compensate -----------------------------------------------------------------------------
    def compensate(self, saga_id: str, code: str, message: str) -> None:
        """Give back everything the saga took. Safe to repeat: each undo is idempotent.

        The authorization is voided by key first (a timeout may have authorized). If the gateway
        cannot void right now, the saga stays `compensating` and the recovery worker tries again;
        stock is released together with the rest, in one transaction, once money is settled.
        """
        now = self._clock.now()
        with self.uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status in (SagaStatus.FAILED, SagaStatus.COMPLETED):
                return
            saga.compensating(code, message, now=now, lease=self.lease)
            gateway, key = (payments.attempt(uow, saga.payment_id) if saga.payment_id
                            else (None, saga.authorization_key))
            uow.commit()
        if code not in NOTHING_AUTHORIZED and gateway:
            # An expired redirect payment is voided too: the shopper may have paid at the
            # last moment.
            try:
                self._gateway.gateway(gateway).void(key)
            except ServiceUnavailable:
                log.warning("void of checkout %s failed; the recovery worker retries", saga_id)
                return
        with self.uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.COMPENSATING:
                return  # another process finished the compensation
            stock.release(uow, saga.reservation_ids, reason="checkout_failed", now=now)
            if saga.order_id is not None and saga.stored_value:
                payments.release_tenders(uow, saga.order_id, now=now)
            if saga.order_id is not None:
                orders.cancel(uow, saga.order_id, code, changed_by="checkout", now=now)
            if saga.payment_id is not None:
                if code in NOTHING_AUTHORIZED:
                    payments.failed(uow, saga.payment_id, code, message, now=now)
                elif code == PaymentNotCompleted.code:
                    payments.expired(uow, saga.payment_id, now=now)
                else:
                    payments.voided(uow, saga.payment_id, now=now)
            carts.reopen(uow, saga.cart_id, code, now=now)
            saga.failed(now=now)
            uow.commit()


def _check_cart(cart: CartSnapshot, cmd: PlaceOrder) -> None:
    if cmd.customer_id is not None and cart.customer_id not in (None, cmd.customer_id):
        raise CheckoutNotPossible("this cart belongs to another customer", cart_id=cart.id)
    if cart.in_checkout:
        raise CheckoutInProgress(f"cart {cart.id} is being checked out", cart_id=cart.id)
    if not cart.is_active:
        raise CheckoutNotPossible(f"cart {cart.id} is {cart.status}", cart_id=cart.id,
                                  cart_status=cart.status)
    if not cart.lines:
        raise CheckoutNotPossible("the cart is empty", cart_id=cart.id)
