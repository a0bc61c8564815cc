"""Chargebacks (spec payment §3.7, entity `Dispute`): recorded once from the gateway's
notification, decided by finance; a lost one counts as refunded."""

from __future__ import annotations

import pytest

from commerce_core import Commerce, Money
from commerce_core.payment.errors import (
    DisputeClosedAlready,
    DisputeNotFound,
    InvalidDisputeOutcome,
    RefundNotPossible,
)
from commerce_core.payment.model import DisputeStatus, PaymentStatus, TransactionKind
from tests.shop import LAMP, cart_with, events_of, make_commerce, stock_shop


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def captured(commerce: Commerce) -> tuple[str, str, str]:
    """A captured order of one lamp (1,250,000 VND): its id, its payment's id and reference."""
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (LAMP, 1)),
                                           idempotency_key="order")
    commerce.payments.capture(placed.order_id)
    (payment,) = commerce.payments.for_order(placed.order_id)
    assert payment.reference is not None
    return placed.order_id, payment.id, payment.reference


def test_a_dispute_is_recorded_once_however_often_it_is_reported() -> None:
    commerce = make_commerce()
    order_id, payment_id, reference = captured(commerce)

    for _ in range(3):
        assert commerce.payments.record_dispute("fake", reference, "dp_1", amount=vnd(1_250_000),
                                                reason="fraudulent") == payment_id

    (dispute,) = commerce.payments.disputes(payment_id)
    assert (dispute.id, dispute.amount, dispute.reason, dispute.status) == (
        "dp_1", vnd(1_250_000), "fraudulent", DisputeStatus.OPEN)
    assert dispute.closed_at is None
    payment = commerce.payments.get(payment_id)
    assert payment.open_dispute == dispute
    assert [t.kind for t in payment.transactions].count(TransactionKind.DISPUTE) == 1
    (opened,) = events_of(commerce, "payment.dispute_opened")
    assert (opened["order_id"], opened["dispute_id"], opened["amount"]["amount"]) == (
        order_id, "dp_1", 1_250_000)


def test_a_dispute_of_an_unknown_reference_changes_nothing() -> None:
    commerce = make_commerce()
    captured(commerce)
    assert commerce.payments.record_dispute("fake", "nobody", "dp_1") is None
    assert events_of(commerce, "payment.dispute_opened") == []


def test_a_dispute_without_an_amount_is_of_everything_captured() -> None:
    commerce = make_commerce()
    _, payment_id, reference = captured(commerce)
    commerce.payments.record_dispute("fake", reference, "dp_1")
    (dispute,) = commerce.payments.disputes(payment_id)
    assert dispute.amount == vnd(1_250_000)
    assert dispute.reason == "unknown"


def test_a_won_dispute_leaves_everything_refundable() -> None:
    commerce = make_commerce()
    order_id, payment_id, reference = captured(commerce)
    commerce.payments.record_dispute("fake", reference, "dp_1", amount=vnd(1_250_000))

    commerce.payments.close_dispute(payment_id, "dp_1", "won")
    commerce.payments.close_dispute(payment_id, "dp_1", "won")  # recorded once

    payment = commerce.payments.get(payment_id)
    assert payment.open_dispute is None
    assert payment.disputes[0].status is DisputeStatus.WON
    assert payment.disputes[0].closed_at is not None
    assert payment.refundable == vnd(1_250_000)
    assert [(t.kind, t.status.value, t.failure_code) for t in payment.transactions][-1] == (
        TransactionKind.DISPUTE, "failed", "dispute_won")
    (closed,) = events_of(commerce, "payment.dispute_closed")
    assert (closed["dispute_id"], closed["outcome"]) == ("dp_1", "won")
    commerce.payments.refund(order_id, idempotency_key="r-1")
    assert commerce.payments.get(payment_id).status is PaymentStatus.REFUNDED


def test_a_lost_dispute_counts_as_refunded_so_no_refund_can_double_it() -> None:
    commerce = make_commerce()
    order_id, payment_id, reference = captured(commerce)
    commerce.payments.refund(order_id, idempotency_key="r-1", amount=vnd(250_000))
    commerce.payments.record_dispute("fake", reference, "dp_1", amount=vnd(1_250_000))

    commerce.payments.close_dispute(payment_id, "dp_1", "lost")

    payment = commerce.payments.get(payment_id)
    assert payment.refunded_amount == 1_250_000  # the dispute gave back what was left
    assert payment.status is PaymentStatus.REFUNDED
    assert payment.refundable == vnd(0)
    with pytest.raises(RefundNotPossible):
        commerce.payments.refund(order_id, idempotency_key="r-2", amount=vnd(1))
    (closed,) = events_of(commerce, "payment.dispute_closed")
    assert closed["outcome"] == "lost"


def test_a_partly_lost_dispute_leaves_the_rest_refundable() -> None:
    commerce = make_commerce()
    _, payment_id, reference = captured(commerce)
    commerce.payments.record_dispute("fake", reference, "dp_1", amount=vnd(400_000))
    commerce.payments.close_dispute(payment_id, "dp_1", "lost")
    payment = commerce.payments.get(payment_id)
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refundable == vnd(850_000)


def test_a_decision_is_not_changed_and_bad_input_changes_nothing() -> None:
    commerce = make_commerce()
    _, payment_id, reference = captured(commerce)
    commerce.payments.record_dispute("fake", reference, "dp_1")
    with pytest.raises(InvalidDisputeOutcome):
        commerce.payments.close_dispute(payment_id, "dp_1", "open")
    with pytest.raises(DisputeNotFound):
        commerce.payments.close_dispute(payment_id, "dp_2", "won")
    assert commerce.payments.get(payment_id).open_dispute is not None
    commerce.payments.close_dispute(payment_id, "dp_1", "lost")
    with pytest.raises(DisputeClosedAlready):
        commerce.payments.close_dispute(payment_id, "dp_1", "won")
    assert commerce.payments.get(payment_id).disputes[0].status is DisputeStatus.LOST
