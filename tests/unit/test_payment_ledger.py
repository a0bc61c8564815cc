"""The payment ledger (spec payment §1-§3): one transaction per authorization, capture, void,
refund and expiry; captures in parts up to what was authorized; a capture whose gateway did not
answer is asked again by the retry job under the same key; holds past their window expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core import Commerce, Money
from commerce_core.payment.errors import (
    CaptureNotPossible,
    GatewayTimeout,
    GatewayUnavailable,
    InvalidPaymentState,
    RefundNotPossible,
)
from commerce_core.payment.model import PaymentStatus, TransactionKind, TransactionStatus
from tests.shop import LAMP, cart_with, clock_of, events_of, gateway_of, make_commerce, stock_shop

LAMP_PRICE = 1_250_000


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def authorized_order(commerce: Commerce) -> str:
    """An order of one lamp, 1,250,000 VND, authorized and not captured."""
    stock_shop(commerce)
    return commerce.checkout.place_order(cart_with(commerce, (LAMP, 1)),
                                         idempotency_key="order").order_id


def ledger(commerce: Commerce, order_id: str) -> list[tuple[str, str, int]]:
    (payment,) = commerce.payments.for_order(order_id)
    return [(t.kind.value, t.status.value, t.amount.amount)
            for t in commerce.payments.ledger(payment.id)]


def payment_of(commerce: Commerce, order_id: str):  # type: ignore[no-untyped-def]
    (payment,) = commerce.payments.for_order(order_id)
    return payment


def test_the_ledger_records_the_authorization_the_capture_and_each_refund() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    commerce.payments.capture(order_id)
    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(250_000))
    commerce.payments.refund(order_id, idempotency_key="r-2", amount=vnd(1_000_000))

    assert ledger(commerce, order_id) == [
        ("authorize", "succeeded", LAMP_PRICE), ("capture", "succeeded", LAMP_PRICE),
        ("refund", "succeeded", 250_000), ("refund", "succeeded", 1_000_000)]
    payment = payment_of(commerce, order_id)
    refunds = [t.refund_id for t in payment.transactions if t.kind is TransactionKind.REFUND]
    assert refunds == [r.id for r in commerce.payments.refunds(order_id)]


def test_captures_in_parts_add_up_to_the_authorization_and_no_further() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)

    commerce.payments.capture(order_id, amount=vnd(500_000), final=False)
    part = payment_of(commerce, order_id)
    with pytest.raises(CaptureNotPossible):
        commerce.payments.capture(order_id, amount=vnd(750_001), final=False)
    commerce.payments.capture(order_id, amount=vnd(750_000), final=False)

    payment = payment_of(commerce, order_id)
    assert part.status is PaymentStatus.PARTIALLY_CAPTURED
    assert part.captured_amount == 500_000
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.captured_amount == LAMP_PRICE
    assert [(e["amount"]["amount"], e["total_captured"]["amount"], e["final"])
            for e in events_of(commerce, "payment.captured")] == [
        (500_000, 500_000, False), (750_000, LAMP_PRICE, True)]
    # One gateway capture per part, each under its own key.
    captures = [key for op, key in gateway_of(commerce).calls if op == "capture"]
    assert len(captures) == len(set(captures)) == 2
    assert commerce.orders.get(order_id).status.value == "paid"


def test_a_final_capture_of_part_releases_the_rest_and_bounds_the_refunds() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)

    commerce.payments.capture(order_id, amount=vnd(400_000))
    with pytest.raises(InvalidPaymentState):
        commerce.payments.capture(order_id, amount=vnd(100_000))
    with pytest.raises(RefundNotPossible):
        commerce.payments.refund(order_id, idempotency_key="r", amount=vnd(400_001))

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.CAPTURED
    assert (payment.captured_amount, payment.refundable) == (400_000, vnd(400_000))


def test_spec_9_a_capture_above_the_authorization_is_refused_and_changes_nothing() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)

    with pytest.raises(CaptureNotPossible):
        commerce.payments.capture(order_id, amount=vnd(LAMP_PRICE + 1))

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.AUTHORIZED
    assert payment.capture_pending == 0
    assert [op for op, _ in gateway_of(commerce).calls] == ["authorize"]
    commerce.payments.capture(order_id, amount=vnd(LAMP_PRICE))
    assert payment_of(commerce, order_id).status is PaymentStatus.CAPTURED


def test_spec_10_a_captured_payment_is_not_voided() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    commerce.payments.capture(order_id)

    with pytest.raises(InvalidPaymentState):
        commerce.payments.void(order_id)
    assert payment_of(commerce, order_id).status is PaymentStatus.CAPTURED


def test_voiding_after_a_capture_in_parts_releases_the_rest() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    commerce.payments.capture(order_id, amount=vnd(300_000), final=False)

    commerce.payments.void(order_id)

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.captured_amount == 300_000
    assert ledger(commerce, order_id)[-1] == ("void", "succeeded", LAMP_PRICE - 300_000)
    (held,) = gateway_of(commerce).authorizations.values()
    assert held.state == "captured"
    assert held.captured == vnd(300_000)


def test_voiding_an_authorization_releases_the_hold() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)

    commerce.payments.void(order_id, reason="shopper asked")

    assert payment_of(commerce, order_id).status is PaymentStatus.VOIDED
    assert gateway_of(commerce).held() == []
    assert ledger(commerce, order_id)[-1] == ("void", "succeeded", LAMP_PRICE)


@pytest.mark.parametrize("failure", ["timeout", "error"])
def test_an_unanswered_capture_is_retried_by_the_job_under_the_same_key(failure: str) -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).script_captures(failure)

    with pytest.raises((GatewayTimeout, GatewayUnavailable)):
        commerce.payments.capture(order_id)

    waiting = payment_of(commerce, order_id)
    assert waiting.status is PaymentStatus.AUTHORIZED
    assert waiting.capture_pending == LAMP_PRICE
    assert ledger(commerce, order_id)[-1][:2] == ("capture", "failed")
    (failed,) = events_of(commerce, "payment.capture_failed")
    assert failed["retryable"] is True
    assert failed["attempts"] == 1
    assert commerce.payments.retry_captures() == 0  # not due yet

    clock_of(commerce).advance(timedelta(minutes=15))
    assert commerce.payments.retry_captures() == 1

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.capture_pending == 0
    keys = [key for op, key in gateway_of(commerce).calls if op == "capture"]
    assert len(keys) == 2
    assert len(set(keys)) == 1
    assert commerce.orders.get(order_id).status.value == "paid"


def test_a_capture_taken_but_unanswered_is_recorded_once_when_asked_again() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).script_captures("timeout_after_authorize")

    with pytest.raises(GatewayTimeout):
        commerce.payments.capture(order_id)
    commerce.payments.capture(order_id)  # the same command again: same key, same capture

    (held,) = gateway_of(commerce).authorizations.values()
    assert held.captured == vnd(LAMP_PRICE)
    assert [t for t in ledger(commerce, order_id) if t[:2] == ("capture", "succeeded")] == [
        ("capture", "succeeded", LAMP_PRICE)]
    assert len(events_of(commerce, "payment.captured")) == 1


def test_after_the_last_attempt_a_capture_waits_for_staff() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).script_captures("error", "error", "error")

    with pytest.raises(GatewayUnavailable):
        commerce.payments.capture(order_id)
    for minutes in (15, 30):
        clock_of(commerce).advance(timedelta(minutes=minutes))
        assert commerce.payments.retry_captures() == 0
    clock_of(commerce).advance(timedelta(days=1))
    assert commerce.payments.retry_captures() == 0

    payment = payment_of(commerce, order_id)
    assert payment.capture_attempts == 3
    assert payment.capture_retry_at is None
    assert [e["retryable"] for e in events_of(commerce, "payment.capture_failed")] == [
        True, True, False]
    commerce.payments.capture(order_id)  # staff capture by hand: the same key
    assert payment_of(commerce, order_id).status is PaymentStatus.CAPTURED


def test_a_refused_capture_is_recorded_and_not_retried() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).script_captures("decline")

    with pytest.raises(InvalidPaymentState):
        commerce.payments.capture(order_id)

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.AUTHORIZED
    assert payment.capture_pending == 0
    assert ledger(commerce, order_id)[-1] == ("capture", "failed", LAMP_PRICE)
    assert payment.transactions[-1].failure_code == "capture_declined"
    clock_of(commerce).advance(timedelta(hours=1))
    assert commerce.payments.retry_captures() == 0


def test_holds_past_their_window_expire_and_are_released() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    clock_of(commerce).advance(timedelta(days=6, hours=23))
    assert commerce.payments.expire_authorizations() == 0

    clock_of(commerce).advance(timedelta(hours=2))
    assert commerce.payments.expire_authorizations() == 1

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.EXPIRED
    assert ledger(commerce, order_id)[-1] == ("expire", "succeeded", LAMP_PRICE)
    assert gateway_of(commerce).held() == []
    assert events_of(commerce, "payment.authorization_expired")[0]["amount"]["amount"] == (
        LAMP_PRICE)
    with pytest.raises(InvalidPaymentState):
        commerce.payments.capture(order_id)


def test_the_expiry_of_a_hold_captured_in_part_keeps_what_was_captured() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    commerce.payments.capture(order_id, amount=vnd(200_000), final=False)
    clock_of(commerce).advance(timedelta(days=8))

    assert commerce.payments.expire_authorizations() == 1

    payment = payment_of(commerce, order_id)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.refundable == vnd(200_000)
    assert payment.transactions[-1].kind is TransactionKind.EXPIRE
    assert payment.transactions[-1].status is TransactionStatus.SUCCEEDED


def test_a_sale_has_no_hold_to_expire() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).authorization_window = None  # type: ignore[attr-defined]
    clock_of(commerce).advance(timedelta(days=90))

    assert commerce.payments.expire_authorizations() == 0
    assert payment_of(commerce, order_id).status is PaymentStatus.AUTHORIZED


def test_a_gateway_that_captures_once_refuses_a_capture_in_parts_before_calling() -> None:
    commerce = make_commerce()
    order_id = authorized_order(commerce)
    gateway_of(commerce).multiple_captures = False

    with pytest.raises(CaptureNotPossible, match="captures once"):
        commerce.payments.capture(order_id, amount=vnd(100_000), final=False)

    assert [op for op, _ in gateway_of(commerce).calls] == ["authorize"]
    commerce.payments.capture(order_id, amount=vnd(100_000))  # final: the rest is released
    assert payment_of(commerce, order_id).captured_amount == 100_000
