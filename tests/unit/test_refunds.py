"""Refunds of a captured payment (spec payment §3.4 and scenarios 11-12): partial and repeated,
never above what was captured, once per idempotency key."""

from __future__ import annotations

import pytest

from commerce_core import Commerce, Money
from commerce_core.payment.errors import (
    GatewayTimeout,
    InvalidPaymentState,
    RefundNotPossible,
    RefundRefused,
)
from commerce_core.payment.model import PaymentStatus, RefundStatus
from commerce_core.payment.ports import GatewayResult
from tests.shop import LAMP, cart_with, events_of, gateway_of, make_commerce, stock_shop


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def paid_order(commerce: Commerce) -> str:
    """An order of one lamp, 1,250,000 VND, captured."""
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (LAMP, 1)),
                                           idempotency_key="order")
    commerce.payments.capture(placed.order_id)
    return placed.order_id


def test_partial_refunds_add_up_to_a_full_refund_and_then_nothing_is_left() -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)

    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(500_000))
    (partly,) = commerce.payments.for_order(order_id)
    commerce.payments.refund(order_id, idempotency_key="r-2", amount=vnd(750_000))
    with pytest.raises(RefundNotPossible):
        commerce.payments.refund(order_id, idempotency_key="r-3", amount=vnd(1))

    (payment,) = commerce.payments.for_order(order_id)
    assert partly.status is PaymentStatus.PARTIALLY_REFUNDED
    assert payment.status is PaymentStatus.REFUNDED
    assert [(r.amount, r.status) for r in commerce.payments.refunds(order_id)] == [
        (vnd(500_000), RefundStatus.COMPLETED), (vnd(750_000), RefundStatus.COMPLETED)]
    refunded = events_of(commerce, "payment.refunded")
    assert [(e["amount"]["amount"], e["total_refunded"]["amount"], e["full"])
            for e in refunded] == [(500_000, 500_000, False), (750_000, 1_250_000, True)]
    assert gateway_of(commerce).calls.count(("refund", "refund:" + refunded[0]["refund_id"])) == 1


def test_without_an_amount_everything_left_is_refunded() -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)
    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(250_000))

    commerce.payments.refund(order_id, idempotency_key="r-all")

    assert [r.amount for r in commerce.payments.refunds(order_id)] == [vnd(250_000),
                                                                       vnd(1_000_000)]


def test_the_same_key_is_the_same_refund_and_moves_money_once() -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)

    first = commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(100_000))
    again = commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(100_000))

    assert first == again
    assert len(commerce.payments.refunds(order_id)) == 1
    assert commerce.payments.for_order(order_id)[0].refunded_amount == 100_000
    assert [c for c in gateway_of(commerce).calls if c[0] == "refund"] == [
        ("refund", f"refund:{first}")]


@pytest.mark.parametrize("amount", [0, -5, 1_250_001])
def test_a_refund_of_nothing_or_of_more_than_was_captured_is_refused(amount: int) -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)

    with pytest.raises(RefundNotPossible):
        commerce.payments.refund(order_id, idempotency_key="r", amount=vnd(amount))

    assert commerce.payments.refunds(order_id) == []
    assert commerce.payments.for_order(order_id)[0].refunded_amount == 0


def test_an_uncaptured_payment_is_not_refunded() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (LAMP, 1)),
                                           idempotency_key="order")

    with pytest.raises(InvalidPaymentState):
        commerce.payments.refund(placed.order_id, idempotency_key="r")


def test_a_refused_refund_gives_its_amount_back_to_refund_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)
    gateway = gateway_of(commerce)
    with monkeypatch.context() as patched:
        patched.setattr(gateway, "refund", lambda *_: GatewayResult(
            approved=False, decline_code="insufficient_funds"))
        with pytest.raises(RefundRefused):
            commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(300_000))
    commerce.payments.refund(order_id, idempotency_key="r-2", amount=vnd(1_250_000))

    statuses = [r.status for r in commerce.payments.refunds(order_id)]
    assert statuses == [RefundStatus.FAILED, RefundStatus.COMPLETED]
    assert commerce.payments.for_order(order_id)[0].status is PaymentStatus.REFUNDED
    assert [e["decline_code"] for e in events_of(commerce, "payment.refund_failed")] == [
        "insufficient_funds"]


def test_a_lost_answer_keeps_the_refund_pending_and_its_retry_finishes_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)
    gateway = gateway_of(commerce)
    real = gateway.refund

    def answer_lost(reference: str, amount: Money, key: str) -> GatewayResult:
        real(reference, amount, key)  # the provider acted; the answer never arrived
        raise GatewayTimeout("no answer")

    with monkeypatch.context() as patched:
        patched.setattr(gateway, "refund", answer_lost)
        with pytest.raises(GatewayTimeout):
            commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(400_000))
    (pending,) = commerce.payments.refunds(order_id)
    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(400_000))

    (done,) = commerce.payments.refunds(order_id)
    assert pending.status is RefundStatus.PENDING
    assert done.status is RefundStatus.COMPLETED
    assert commerce.payments.for_order(order_id)[0].refunded_amount == 400_000
    authorization = next(iter(gateway.authorizations.values()))
    assert authorization.refunded == 400_000  # given back once


def test_cancelling_a_partly_refunded_order_refunds_what_is_left() -> None:
    commerce = make_commerce()
    order_id = paid_order(commerce)
    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(250_000))

    commerce.orders.cancel(order_id, "customer_request")

    (payment,) = commerce.payments.for_order(order_id)
    assert payment.status is PaymentStatus.REFUNDED
    assert [e["amount"]["amount"] for e in events_of(commerce, "payment.refunded")] == [
        250_000, 1_000_000]
    assert next(iter(gateway_of(commerce).authorizations.values())).refunded == 1_250_000
