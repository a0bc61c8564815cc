"""The checkout saga: outcomes of the payment step, idempotency, and recovery after a crash."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

import pytest

from adapters.memory import Outcome
from commerce_core import Commerce, CommerceError, Money
from commerce_core.cart.model import CartStatus
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    CheckoutNotPossible,
    IdempotencyKeyReused,
)
from commerce_core.checkout.model import SagaStatus
from commerce_core.checkout.runner import PROBE_POINTS
from commerce_core.inventory.errors import InsufficientStock, ReservationNotActive
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable, PaymentDeclined
from tests.shop import (
    LAMP,
    MUG,
    SHIRT,
    SimulatedCrash,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    gateway_of,
    make_commerce,
    stock_shop,
)


def _available(commerce: Commerce, sku: str) -> int:
    return sum(level.available for level in commerce.inventory.levels(sku))


def test_placing_an_order_confirms_it_and_keeps_its_stock_reserved() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 2), (MUG, 1))

    placed = commerce.checkout.place_order(cart_id, idempotency_key="k-1")

    order = commerce.orders.get(placed.order_id)
    assert order.status is OrderStatus.CONFIRMED
    assert order.totals.total.amount == 2 * 350_000 + 89_000
    assert [(ln.sku, ln.quantity) for ln in order.lines] == [(SHIRT, 2), (MUG, 1)]
    assert [lv.reserved for lv in commerce.inventory.levels(SHIRT)] == [2]
    assert commerce.cart.get(cart_id).status == CartStatus.COMPLETED
    assert len(gateway_of(commerce).held()) == 1
    assert_nothing_leaked(commerce)


def test_the_order_is_priced_at_todays_list_price_not_the_carts_snapshot() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (MUG, 1))
    commerce.catalog.change_price(MUG, Money(95_000, "VND"))

    placed = commerce.checkout.place_order(cart_id)

    assert placed.total == Money(95_000, "VND")
    assert commerce.orders.get(placed.order_id).lines[0].unit_price == Money(95_000, "VND")


@pytest.mark.parametrize(
    ("outcome", "error"),
    [
        (Outcome.DECLINE, PaymentDeclined),
        (Outcome.TIMEOUT, GatewayTimeout),
        (Outcome.TIMEOUT_AFTER_AUTHORIZE, GatewayTimeout),
        (Outcome.ERROR, GatewayUnavailable),
    ],
)
def test_a_failed_payment_gives_back_stock_and_money_and_reopens_the_cart(
    outcome: Outcome, error: type[Exception]
) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway_of(commerce).script(outcome)
    cart_id = cart_with(commerce, (SHIRT, 3), (LAMP, 1))

    with pytest.raises(error):
        commerce.checkout.place_order(cart_id, idempotency_key="k-fail")

    assert _available(commerce, SHIRT) == 10
    assert _available(commerce, LAMP) == 5
    assert gateway_of(commerce).held() == []
    assert commerce.cart.get(cart_id).status == CartStatus.ACTIVE
    orders = commerce.orders.list()
    assert [o.status for o in orders] == [OrderStatus.CANCELLED]
    assert_nothing_leaked(commerce)


def test_a_lost_authorization_answer_is_voided_at_the_gateway() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway = gateway_of(commerce)
    gateway.script(Outcome.TIMEOUT_AFTER_AUTHORIZE)
    cart_id = cart_with(commerce, (MUG, 1))

    with pytest.raises(GatewayTimeout):
        commerce.checkout.place_order(cart_id)

    assert [a.state for a in gateway.authorizations.values()] == ["voided"]


def test_after_a_decline_the_shopper_can_retry_with_a_new_key_and_succeed() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway_of(commerce).script(Outcome.DECLINE)
    cart_id = cart_with(commerce, (MUG, 2))
    with pytest.raises(PaymentDeclined):
        commerce.checkout.place_order(cart_id, idempotency_key="attempt-1")

    placed = commerce.checkout.place_order(cart_id, idempotency_key="attempt-2")

    assert placed.status == "confirmed"
    assert_nothing_leaked(commerce)


def test_a_replayed_failed_request_reports_the_first_failure() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway_of(commerce).script(Outcome.DECLINE)
    cart_id = cart_with(commerce, (MUG, 2))
    with pytest.raises(PaymentDeclined):
        commerce.checkout.place_order(cart_id, idempotency_key="once")

    with pytest.raises(CheckoutFailed) as failure:
        commerce.checkout.place_order(cart_id, idempotency_key="once")

    assert failure.value.details["failure_code"] == "payment.declined"


def test_insufficient_stock_reserves_nothing_and_creates_no_order() -> None:
    commerce = make_commerce()
    stock_shop(commerce, lamps=1)
    cart_id = cart_with(commerce, (MUG, 2), (LAMP, 2))

    with pytest.raises(InsufficientStock) as refusal:
        commerce.checkout.place_order(cart_id)

    assert refusal.value.details == {"sku": LAMP, "requested": 2, "available": 1}
    assert _available(commerce, MUG) == 10
    assert commerce.orders.list() == []
    assert gateway_of(commerce).calls == []
    assert commerce.cart.get(cart_id).status == CartStatus.ACTIVE


def test_a_replay_with_the_same_key_returns_the_same_order() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))

    first = commerce.checkout.place_order(cart_id, idempotency_key="same")
    second = commerce.checkout.place_order(cart_id, idempotency_key="same")

    assert first == second
    assert len(commerce.orders.list()) == 1
    assert [op for op, _ in gateway_of(commerce).calls] == ["authorize"]


def test_the_same_key_with_another_request_is_refused() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.checkout.place_order(cart_id, idempotency_key="same", payment_method="card")

    with pytest.raises(IdempotencyKeyReused):
        commerce.checkout.place_order(cart_id, idempotency_key="same", payment_method="cod")


def test_placing_a_converted_cart_again_without_a_key_returns_its_order() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))

    first = commerce.checkout.place_order(cart_id)
    second = commerce.checkout.place_order(cart_id)

    assert first.order_id == second.order_id


def test_an_empty_cart_cannot_be_checked_out() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = commerce.cart.create("VND")

    with pytest.raises(CheckoutNotPossible):
        commerce.checkout.place_order(cart_id)


def test_an_unpublished_item_cannot_be_checked_out() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (MUG, 1))
    product = commerce.catalog.by_sku(MUG)
    assert product is not None
    commerce.catalog.unpublish(product.id)

    with pytest.raises(CheckoutNotPossible):
        commerce.checkout.place_order(cart_id)

    assert commerce.cart.get(cart_id).status == CartStatus.ACTIVE


def test_a_request_still_in_flight_is_answered_with_in_progress() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.checkout_runner.probe = _crash_at("stock_reserved")
    with pytest.raises(SimulatedCrash):
        commerce.checkout.place_order(cart_id, idempotency_key="slow")
    commerce.checkout_runner.probe = lambda step: None

    with pytest.raises(CheckoutInProgress):
        commerce.checkout.place_order(cart_id, idempotency_key="slow")


def test_a_replay_after_the_lease_ran_out_resumes_the_checkout() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.checkout_runner.probe = _crash_at("stock_reserved")
    with pytest.raises(SimulatedCrash):
        commerce.checkout.place_order(cart_id, idempotency_key="resume")
    commerce.checkout_runner.probe = lambda step: None
    clock_of(commerce).advance(timedelta(minutes=1))

    placed = commerce.checkout.place_order(cart_id, idempotency_key="resume")

    assert placed.status == "confirmed"
    assert_nothing_leaked(commerce)


def test_a_reservation_that_expired_during_payment_voids_and_cancels() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    clock = clock_of(commerce)

    def slow_gateway(step: str) -> None:
        if step == "payment_authorized":
            clock.advance(timedelta(hours=1))  # the shopper took an hour on the payment page

    commerce.checkout_runner.probe = slow_gateway

    with pytest.raises(ReservationNotActive):
        commerce.checkout.place_order(cart_id)

    assert gateway_of(commerce).held() == []
    assert _available(commerce, SHIRT) == 10
    assert_nothing_leaked(commerce)


CRASH_POINTS = list(PROBE_POINTS)


def _crash_at(point: str) -> Callable[[str], None]:
    def probe(step: str) -> None:
        if step == point:
            raise SimulatedCrash(point)

    return probe


def _expected_after_recovery(point: str, outcome: Outcome) -> SagaStatus:
    """Before the gateway was asked, recovery asks it (now healthy) with the checkout's key and
    completes; after an answer, the answer stands: approved completes, anything else failed."""
    if point in ("priced", "stock_reserved", "order_created"):
        return SagaStatus.COMPLETED
    return SagaStatus.COMPLETED if outcome is Outcome.APPROVE else SagaStatus.FAILED


@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.parametrize(
    "outcome", [Outcome.APPROVE, Outcome.DECLINE, Outcome.TIMEOUT, Outcome.ERROR]
)
def test_a_crash_after_any_step_is_recovered_without_leaking_stock_or_money(
    point: str, outcome: Outcome
) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway = gateway_of(commerce)
    gateway.default = outcome
    cart_id = cart_with(commerce, (SHIRT, 2), (LAMP, 1))
    commerce.checkout_runner.probe = _crash_at(point)
    with contextlib.suppress(SimulatedCrash, CommerceError):
        commerce.checkout.place_order(cart_id, idempotency_key="crashy")
    commerce.checkout_runner.probe = lambda step: None
    gateway.default = Outcome.APPROVE  # healthy again by the time the worker runs
    clock_of(commerce).advance(timedelta(minutes=1))

    commerce.checkout.recover()

    with commerce.ports.uow() as uow:
        saga = uow.checkouts.by_key("crashy")
    assert saga is not None
    assert saga.status is _expected_after_recovery(point, outcome)
    if saga.status is SagaStatus.COMPLETED:
        assert commerce.orders.get(saga.order_id or "").status is OrderStatus.CONFIRMED
        assert commerce.cart.get(cart_id).status == CartStatus.COMPLETED
    else:
        assert commerce.cart.get(cart_id).status == CartStatus.ACTIVE
        assert _available(commerce, SHIRT) == 10
    assert_nothing_leaked(commerce)


def test_recovery_retries_a_void_the_gateway_could_not_take() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway = gateway_of(commerce)
    gateway.script(Outcome.TIMEOUT_AFTER_AUTHORIZE)
    original_void = gateway.void
    gateway.void = _failing_void  # type: ignore[method-assign]
    cart_id = cart_with(commerce, (SHIRT, 1))
    with pytest.raises(GatewayTimeout):
        commerce.checkout.place_order(cart_id, idempotency_key="void-later")
    assert len(gateway.held()) == 1  # not voided yet: the saga stays compensating
    gateway.void = original_void  # type: ignore[method-assign]
    clock_of(commerce).advance(timedelta(minutes=1))

    commerce.checkout.recover()

    assert gateway.held() == []
    assert_nothing_leaked(commerce)


def _failing_void(authorization_key: str) -> None:
    raise GatewayUnavailable("void endpoint down")
