"""Returns rule 17 and scenario 24: a chargeback of the order pauses the refund of its return;
won, the refund is made once; lost, it is cancelled (no double refund)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from commerce_core import Commerce
from commerce_core.returns.commands import ItemInspection
from tests.shop import events_of, every_event
from tests.unit.returns.support import (
    SHIRT_M,
    clock,
    delivered_order,
    gateway,
    line_id,
    returns_shop,
)


def disputed_return(*, refund_script: tuple[str, ...] = ()) -> tuple[Commerce, str, str, str]:
    """A completed return of one shirt (350,000 ₫) of an order whose payment is disputed."""
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    (payment,) = shop.payments.for_order(order_id)
    assert payment.reference is not None
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, SHIRT_M), 1)],
                                     "defective", customer_id="c-1")
    shop.returns.receive(return_id)
    (item,) = shop.returns.get(return_id).items
    shop.returns.inspect(return_id, (ItemInspection(item.id, 1, "new", "restock"),))
    gateway(shop).refund_script = list(refund_script)
    shop.payments.record_dispute("fake", payment.reference, "dp_1", reason="fraudulent")
    shop.returns.complete(return_id)
    return shop, order_id, payment.id, return_id


def refund_calls(shop: Commerce) -> list[tuple[str, ...]]:
    return [c for c in gateway(shop).calls if c[0] == "refund"]


def test_24_with_a_chargeback_in_progress_the_refund_of_the_return_is_paused() -> None:
    shop, order_id, _, return_id = disputed_return()

    ret = shop.returns.get(return_id)
    assert ret.status.value == "completed"
    assert ret.refund_state.value == "paused"
    assert ret.refund_error is not None
    assert "chargeback_in_progress" in ret.refund_error
    assert ret.refund_attempts == 0
    assert shop.payments.refunds(order_id) == []
    assert refund_calls(shop) == []
    clock(shop).advance(timedelta(days=1))
    assert shop.returns.retry_compensations() == 0  # the job leaves it to the decision
    assert refund_calls(shop) == []


def test_17_a_won_chargeback_lets_the_refund_through_exactly_once() -> None:
    shop, order_id, payment_id, return_id = disputed_return()

    shop.payments.close_dispute(payment_id, "dp_1", "won")
    shop.payments.close_dispute(payment_id, "dp_1", "won")  # recorded once: no second refund
    clock(shop).advance(timedelta(days=1))
    shop.returns.retry_compensations()

    ret = shop.returns.get(return_id)
    assert (ret.status.value, ret.refund_state.value) == ("completed", "done")
    (refund,) = shop.payments.refunds(order_id)
    assert refund.idempotency_key == f"{return_id}:refund"
    assert refund.amount.amount == 350_000
    assert gateway(shop).moved == {refund.gateway_key: 1}
    assert [e["return_id"] for e in events_of(shop, "returns.return_refunded")] == [return_id]


def test_17_a_lost_chargeback_cancels_the_pending_refund() -> None:
    shop, order_id, payment_id, return_id = disputed_return()

    shop.payments.close_dispute(payment_id, "dp_1", "lost")
    clock(shop).advance(timedelta(days=1))
    shop.returns.retry_compensations()

    ret = shop.returns.get(return_id)
    assert (ret.status.value, ret.refund_state.value) == ("completed", "chargeback")
    assert shop.payments.refunds(order_id) == []
    assert refund_calls(shop) == []
    assert shop.payments.get(payment_id).refundable.amount == 0


def test_a_refund_asked_of_the_gateway_before_the_chargeback_is_finished_not_paused() -> None:
    # The gateway was down: the refund is pending in payment under the return's key. Asked
    # again it is finished (same key, once); a lost chargeback then counts only what was left.
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    (payment,) = shop.payments.for_order(order_id)
    assert payment.reference is not None
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, SHIRT_M), 1)],
                                     "defective", customer_id="c-1")
    shop.returns.receive(return_id)
    (item,) = shop.returns.get(return_id).items
    shop.returns.inspect(return_id, (ItemInspection(item.id, 1, "new", "restock"),))
    gateway(shop).refund_script = ["down"]
    shop.returns.complete(return_id)
    assert shop.returns.get(return_id).status.value == "refund_failed"
    shop.payments.record_dispute("fake", payment.reference, "dp_1")

    clock(shop).advance(timedelta(minutes=5))
    assert shop.returns.retry_compensations() == 1
    shop.payments.close_dispute(payment.id, "dp_1", "lost")

    ret = shop.returns.get(return_id)
    assert (ret.status.value, ret.refund_state.value) == ("completed", "done")
    (refund,) = shop.payments.refunds(order_id)
    assert gateway(shop).moved == {refund.gateway_key: 1}
    after = shop.payments.get(payment.id)
    assert after.refunded_amount == after.captured_amount  # 350,000 refunded + the rest lost
    assert after.refundable.amount == 0


def test_the_won_decision_delivered_again_refunds_nothing_more() -> None:
    shop, order_id, payment_id, return_id = disputed_return()
    shop.payments.close_dispute(payment_id, "dp_1", "won")
    with shop.ports.uow() as uow:
        (closed,) = [e for e in every_event(uow) if e.type == "payment.dispute_closed"]

    for copy_id in ("replay-1", "replay-2"):
        assert shop.bus.deliver(attrs.evolve(closed, id=copy_id)) == {}

    (refund,) = shop.payments.refunds(order_id)
    assert gateway(shop).moved == {refund.gateway_key: 1}
    assert shop.returns.get(return_id).refund_state.value == "done"


def test_a_gateway_down_when_the_refund_resumes_is_retried_by_the_job_once() -> None:
    shop, order_id, payment_id, return_id = disputed_return(refund_script=("down",))
    shop.payments.close_dispute(payment_id, "dp_1", "won")
    assert shop.returns.get(return_id).status.value == "refund_failed"

    clock(shop).advance(timedelta(minutes=5))
    assert shop.returns.retry_compensations() == 1

    ret = shop.returns.get(return_id)
    assert (ret.status.value, ret.refund_state.value) == ("completed", "done")
    (refund,) = shop.payments.refunds(order_id)
    assert gateway(shop).moved == {refund.gateway_key: 1}
