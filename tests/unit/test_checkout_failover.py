"""Checkout with several gateways (ADR 0011): the payment goes to the first eligible gateway,
fails over only when no money can have moved, and capture, void and refund follow the gateway
that authorized. The scripted fakes keep each provider's ledger, so "at most one charge" is
checked on the money, not on our records."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from adapters.memory import (
    FrozenClock,
    InMemoryBreakerStore,
    Outcome,
    ScriptedPaymentGateway,
    SequentialIds,
    bundle,
)
from commerce_core import Commerce, CommerceError, Money
from commerce_core.cart.model import CartStatus
from commerce_core.checkout.model import SagaStatus
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.errors import (
    CircuitOpen,
    GatewayTimeout,
    GatewayUnavailable,
    NoEligibleGateway,
)
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult
from commerce_core.payment.routing import GatewayProfile, GatewayRouter, RoutingTable
from commerce_core.pricing.ports import TaxDestination
from tests.shop import SHIRT, SimulatedCrash, cart_with, stock_shop


class Shop:
    def __init__(self, *, routes: str = "card=stripe,paypal",
                 profiles: dict[str, GatewayProfile] | None = None) -> None:
        self.clock = FrozenClock()
        self.stripe = ScriptedPaymentGateway(name="stripe")
        self.paypal = ScriptedPaymentGateway(name="paypal")
        self.router = GatewayRouter([self.stripe, self.paypal], routes=RoutingTable.parse(routes),
                                    profiles=profiles, breakers=InMemoryBreakerStore(),
                                    clock=self.clock)
        ports = bundle(gateway=self.stripe, clock=self.clock, ids=SequentialIds())
        ports.gateways = self.router
        self.commerce = Commerce(ports)
        stock_shop(self.commerce)

    def place(self, key: str) -> str:
        return self.commerce.checkout.place_order(cart_with(self.commerce, (SHIRT, 1)),
                                                  idempotency_key=key).order_id

    def payment_of(self, order_id: str) -> tuple[str, str]:
        [payment] = self.commerce.payments.for_order(order_id)
        return payment.gateway, payment.idempotency_key

    def saga(self, key: str) -> SagaStatus:
        with self.commerce.ports.uow() as uow:
            saga = uow.checkouts.by_key(key)
        assert saga is not None
        return saga.status


def _authorizations(gateway: ScriptedPaymentGateway) -> list[str]:
    return [key for op, key in gateway.calls if op == "authorize"]


def test_the_payment_goes_to_the_first_preference_and_records_it() -> None:
    shop = Shop()

    order_id = shop.place("k-1")

    assert shop.payment_of(order_id)[0] == "stripe"
    assert len(shop.stripe.held()) == 1
    assert shop.paypal.calls == []


def test_an_unavailable_gateway_fails_over_to_the_next_with_its_own_key() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)

    order_id = shop.place("k-1")

    gateway, key = shop.payment_of(order_id)
    assert gateway == "paypal"
    assert _authorizations(shop.paypal) == [key]
    assert key not in _authorizations(shop.stripe)
    assert shop.stripe.held() == []
    assert [a.key for a in shop.paypal.held()] == [key]
    assert shop.commerce.orders.get(order_id).status is OrderStatus.CONFIRMED


def test_five_failures_open_the_breaker_and_the_next_checkout_skips_stripe() -> None:
    shop = Shop()
    shop.stripe.default = Outcome.ERROR
    for n in range(5):
        shop.place(f"k-{n}")  # each fails over to PayPal
    assert shop.router.breakers()["stripe"] == "open"
    stripe_calls = len(shop.stripe.calls)

    order_id = shop.place("k-open")

    assert len(shop.stripe.calls) == stripe_calls  # Stripe was not called
    assert shop.payment_of(order_id)[0] == "paypal"

    # After 60 s, probes reach Stripe again; three successes close the breaker.
    shop.stripe.default = Outcome.APPROVE
    shop.clock.advance(timedelta(seconds=60))
    with contextlib.suppress(CircuitOpen):
        shop.router.authorize("stripe", _probe("p-0"))
    assert shop.router.breakers()["stripe"] == "half_open"
    assert shop.router.route("card", "VND", None)[0] == "stripe"
    probed = [shop.payment_of(shop.place(f"after-{n}"))[0] for n in range(2)]
    assert probed == ["stripe", "stripe"]
    assert shop.router.breakers()["stripe"] == "closed"


def _probe(key: str) -> AuthorizationRequest:
    return AuthorizationRequest(payment_id="probe", order_id="probe",
                                amount=Money(1, "VND"), method="card", idempotency_key=key)


def test_a_timeout_is_never_failed_over_and_the_possible_charge_is_voided() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.TIMEOUT_AFTER_AUTHORIZE)  # Stripe charged, the answer was lost
    cart_id = cart_with(shop.commerce, (SHIRT, 1))

    with pytest.raises(GatewayTimeout):
        shop.commerce.checkout.place_order(cart_id, idempotency_key="k-1")

    assert shop.paypal.calls == []  # no second charge anywhere
    assert len(shop.stripe.authorizations) == 1
    assert shop.stripe.held() == []  # the one charge was voided by its key
    assert shop.saga("k-1") is SagaStatus.FAILED
    assert shop.commerce.cart.get(cart_id).status == CartStatus.ACTIVE


def test_when_every_gateway_is_down_the_checkout_fails_and_nothing_is_held() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)
    shop.paypal.script(Outcome.ERROR)
    cart_id = cart_with(shop.commerce, (SHIRT, 1))

    with pytest.raises(GatewayUnavailable):
        shop.commerce.checkout.place_order(cart_id, idempotency_key="k-1")

    assert shop.stripe.held() == []
    assert shop.paypal.held() == []
    assert shop.saga("k-1") is SagaStatus.FAILED
    assert shop.commerce.cart.get(cart_id).status == CartStatus.ACTIVE


def test_a_timeout_after_failing_over_voids_at_the_gateway_that_was_asked() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)
    shop.paypal.script(Outcome.TIMEOUT_AFTER_AUTHORIZE)

    with pytest.raises(GatewayTimeout):
        shop.place("k-1")

    [key] = _authorizations(shop.paypal)
    assert shop.paypal.authorizations[key].state == "voided"
    assert ("void", key) in shop.paypal.calls


def test_no_eligible_gateway_refuses_before_anything_is_taken() -> None:
    usd_only = GatewayProfile(currencies=frozenset({"USD"}))
    shop = Shop(routes="card=paypal", profiles={"paypal": usd_only})
    cart_id = cart_with(shop.commerce, (SHIRT, 1))

    with pytest.raises(NoEligibleGateway, match="no payment gateway takes card payments in VND"):
        shop.commerce.checkout.place_order(cart_id, idempotency_key="k-1")

    assert shop.commerce.cart.get(cart_id).status == CartStatus.ACTIVE
    assert sum(lv.reserved for lv in shop.commerce.inventory.levels(SHIRT)) == 0
    with shop.commerce.ports.uow() as uow:
        assert uow.checkouts.by_key("k-1") is None
    assert shop.paypal.calls == []
    assert shop.stripe.calls == []


def test_the_shipping_country_picks_the_country_rule() -> None:
    shop = Shop(routes="card=stripe,paypal; card:*:VN=paypal,stripe")
    cart_id = cart_with(shop.commerce, (SHIRT, 1))

    placed = shop.commerce.checkout.place_order(cart_id, destination=TaxDestination("VN"))

    assert shop.payment_of(placed.order_id)[0] == "paypal"


def test_capture_and_refund_go_to_the_gateway_that_authorized() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)
    order_id = shop.place("k-1")

    shop.commerce.payments.capture(order_id)
    shop.commerce.payments.refund(order_id, idempotency_key="r-1",
                                  amount=Money(100_000, "VND"))

    [authorization] = shop.paypal.authorizations.values()
    assert authorization.state == "captured"
    assert authorization.refunded == 100_000
    assert [op for op, _ in shop.stripe.calls] == ["authorize"]


def test_cancelling_the_order_voids_at_the_gateway_that_authorized() -> None:
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)
    order_id = shop.place("k-1")

    shop.commerce.orders.cancel(order_id, "changed my mind")

    assert shop.paypal.held() == []
    assert [op for op, _ in shop.stripe.calls] == ["authorize"]


def test_a_resumed_checkout_asks_only_its_own_gateway_again() -> None:
    """A crash before the answer: the first gateway may have been called, so recovery never
    fails over, even with that gateway down; it compensates instead."""
    shop = Shop()
    shop.stripe.default = Outcome.ERROR

    def crash(point: str) -> None:
        if point == "order_created":
            raise SimulatedCrash(point)

    shop.commerce.checkout_runner.probe = crash
    with contextlib.suppress(SimulatedCrash, CommerceError):
        shop.place("k-1")
    shop.commerce.checkout_runner.probe = lambda point: None
    shop.clock.advance(timedelta(minutes=1))

    shop.commerce.checkout.recover()

    assert shop.paypal.calls == []
    assert shop.saga("k-1") is SagaStatus.FAILED


def test_the_switch_to_the_next_gateway_is_recorded_before_it_is_called() -> None:
    """The process dies while PayPal is being asked: recovery resumes at PayPal with PayPal's
    key (which may have charged), never back at Stripe."""
    shop = Shop()
    shop.stripe.script(Outcome.ERROR)
    answer = shop.paypal.authorize

    def dies_while_asking(request: AuthorizationRequest) -> GatewayResult:
        answer(request)  # PayPal authorized; the answer never arrives
        raise SimulatedCrash("mid-call")

    shop.paypal.authorize = dies_while_asking  # type: ignore[method-assign]
    with contextlib.suppress(SimulatedCrash):
        shop.place("k-1")
    shop.paypal.authorize = answer  # type: ignore[method-assign]
    shop.clock.advance(timedelta(minutes=1))

    shop.commerce.checkout.recover()

    assert shop.saga("k-1") is SagaStatus.COMPLETED
    [key] = set(_authorizations(shop.paypal))
    assert len(_authorizations(shop.stripe)) == 1
    assert [a.key for a in shop.paypal.held()] == [key]
