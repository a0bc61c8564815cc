"""Redirect payments: the order waits, stock reserved, while the shopper pays on the provider's
page; the provider's signals (IPN or webhook, twice; the shopper's return; a status query) and
the deadline may come in any order, and every ordering ends in one outcome with at most one
hold of the shopper's money (spec payment §2-§4)."""

from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest

from adapters.memory import Outcome
from commerce_core import Commerce
from commerce_core.checkout.model import SagaStatus, Step
from commerce_core.checkout.queries import PlacedOrder, SettleOutcome
from commerce_core.inventory.model import ReservationStatus
from commerce_core.payment.model import PaymentStatus
from tests.shop import (
    SHIRT,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    events_of,
    gateway_of,
    make_commerce,
    stock_shop,
)

SIGNALS = ("return", "webhook", "webhook", "poll", "deadline")


def shop() -> Commerce:
    commerce = make_commerce()
    stock_shop(commerce)
    gateway_of(commerce).script(Outcome.REDIRECT)
    return commerce


def place(commerce: Commerce) -> PlacedOrder:
    return commerce.checkout.place_order(cart_with(commerce, (SHIRT, 2)), payment_method="card",
                                         idempotency_key="order-1")


def reference_of(commerce: Commerce, placed: PlacedOrder) -> str:
    [payment] = commerce.payments.for_order(placed.order_id)
    assert payment.reference is not None
    return payment.reference


def send(commerce: Commerce, reference: str, signal: str, paid: str) -> None:
    """One signal as the provider or the shopper's browser would send it."""
    if signal == "webhook":
        kind = {"approve": "authorized", "decline": "failed", "never": "pending"}[paid]
        commerce.checkout.settle_payment("fake", reference, kind)
    elif signal in ("return", "poll"):  # the return carries no outcome of its own here
        commerce.checkout.settle_payment("fake", reference)
    else:
        clock_of(commerce).advance(timedelta(minutes=26))  # card: 30 min of stock, 25 to pay
        commerce.checkout.recover()


def test_a_redirect_payment_leaves_the_order_pending_with_its_stock_held() -> None:
    commerce = shop()

    placed = place(commerce)
    saga = commerce.checkout.get(placed.checkout_id)
    [payment] = commerce.payments.for_order(placed.order_id)

    assert (placed.status, placed.payment_url) == (
        "pending", f"https://pay.fake.test/{payment.reference}")
    assert (saga.status, saga.step) == (SagaStatus.RUNNING, Step.AWAITING_PAYMENT)
    assert (payment.status, payment.redirect_url) == (PaymentStatus.REQUIRES_ACTION,
                                                      placed.payment_url)
    assert commerce.inventory.levels(SHIRT)[0].reserved == 2
    assert [r.status for r in commerce.inventory.reservations()] == [ReservationStatus.ACTIVE]
    assert commerce.checkout.place_order(
        commerce.checkout.get(placed.checkout_id).cart_id, payment_method="card",
        idempotency_key="order-1") == placed, "a replay answers the same payment page"
    assert commerce.checkout.recover() == {"completed": 0, "compensated": 0, "retry_later": 0}


@pytest.mark.parametrize("paid", ["approve", "decline", "never"])
def test_every_ordering_of_the_signals_ends_in_one_outcome(paid: str) -> None:
    outcomes = set()
    for ordering in sorted(set(permutations(SIGNALS))):
        commerce = shop()
        placed = place(commerce)
        reference = reference_of(commerce, placed)
        if paid != "never":
            assert gateway_of(commerce).pay(reference, approve=paid == "approve")

        for signal in ordering:
            send(commerce, reference, signal, paid)

        order = commerce.orders.get(placed.order_id)
        [payment] = commerce.payments.for_order(placed.order_id)
        outcomes.add((order.status, payment.status))
        assert len(events_of(commerce, "payment.authorized")) == (1 if paid == "approve" else 0)
        assert len(events_of(commerce, "checkout.completed")) + len(
            events_of(commerce, "checkout.failed")) == 1, ordering
        assert_nothing_leaked(commerce)
        if paid == "approve":
            assert [a.state for a in gateway_of(commerce).authorizations.values()] == ["held"]
            commerce.payments.capture(placed.order_id)
            commerce.payments.capture(placed.order_id)
            assert [a.state for a in gateway_of(commerce).authorizations.values()] == [
                "captured"]
        else:
            assert gateway_of(commerce).held() == []
            assert commerce.inventory.levels(SHIRT)[0].reserved == 0

    expected = {
        "approve": {("confirmed", PaymentStatus.AUTHORIZED)},
        "decline": {("cancelled", PaymentStatus.FAILED)},
        "never": {("cancelled", PaymentStatus.EXPIRED)},
    }[paid]
    assert outcomes == expected


def test_late_and_duplicate_signals_change_nothing() -> None:
    commerce = shop()
    placed = place(commerce)
    reference = reference_of(commerce, placed)
    gateway_of(commerce).pay(reference)

    first = commerce.checkout.settle_payment("fake", reference, "authorized")
    again = commerce.checkout.settle_payment("fake", reference, "authorized")
    backwards = commerce.checkout.settle_payment("fake", reference, "failed")
    unknown = commerce.checkout.settle_payment("fake", "pay_nobody", "authorized")

    assert (first, again, backwards, unknown) == (
        SettleOutcome.CONFIRMED, SettleOutcome.ALREADY_SETTLED, SettleOutcome.ALREADY_SETTLED,
        SettleOutcome.UNKNOWN)
    assert commerce.orders.get(placed.order_id).status == "confirmed"


def test_an_unpaid_checkout_expires_at_its_deadline_and_cancels_the_attempt() -> None:
    commerce = shop()
    placed = place(commerce)
    reference = reference_of(commerce, placed)

    clock_of(commerce).advance(timedelta(minutes=24))
    early = commerce.checkout.recover()
    clock_of(commerce).advance(timedelta(minutes=2))
    late = commerce.checkout.recover()

    assert early == {"completed": 0, "compensated": 0, "retry_later": 0}
    assert late == {"completed": 0, "compensated": 1, "retry_later": 0}
    assert commerce.orders.get(placed.order_id).status == "cancelled"
    assert not gateway_of(commerce).pay(reference), "the provider's page is closed"
    assert [e["payment_id"] for e in events_of(commerce, "payment.expired")] == [
        commerce.payments.for_order(placed.order_id)[0].id]
    assert_nothing_leaked(commerce)


def test_a_payment_made_after_the_checkout_gave_up_is_voided() -> None:
    commerce = shop()
    placed = place(commerce)
    reference = reference_of(commerce, placed)
    commerce.checkout.settle_payment("fake", reference, "failed")  # e.g. a first attempt failed
    attempt = next(iter(gateway_of(commerce).authorizations.values()))
    attempt.state = "held"  # a provider that let the shopper pay again on the same attempt

    outcome = commerce.checkout.settle_payment("fake", reference, "authorized")

    assert outcome is SettleOutcome.LATE_PAYMENT
    assert gateway_of(commerce).held() == []
    assert commerce.orders.get(placed.order_id).status == "cancelled"
