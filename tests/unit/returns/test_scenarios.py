"""The returns spec's acceptance scenarios 1-22 (spec returns.md), on memory adapters."""

from __future__ import annotations

import threading
from datetime import timedelta

import attrs
import pytest

from commerce_core.ordering.queries import ReturnableLine, ReturnableOrder
from commerce_core.payment.errors import RefundAboveLimit
from commerce_core.returns.commands import ItemInspection
from commerce_core.returns.errors import (
    InvalidReturn,
    ItemsNotReturnable,
    NotOrderOwner,
    QuantityExceeded,
    ReplacementOutOfStock,
    ReturnAlreadyOpen,
    ReturnWindowExpired,
    TooManyReturns,
)
from commerce_core.returns.model import Reason, ReturnPolicy, compute_refund
from commerce_core.shared.errors import Conflict
from commerce_core.shared.money import Money
from tests.shop import events_of, every_event
from tests.unit.returns.support import (
    MUG,
    POLICY,
    SHIRT_L,
    SHIRT_M,
    clock,
    delivered_order,
    gateway,
    line_id,
    on_hand,
    order_status,
    returns_shop,
)


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def carrier_calls(commerce, name: str) -> int:  # type: ignore[no-untyped-def]
    carrier = commerce.ports.carriers.get("fake")
    return sum(1 for call in carrier.calls if call == name)


def ask(commerce, order_id: str, sku: str, quantity: int = 1,  # type: ignore[no-untyped-def]
        reason: str = "defective", **kwargs):
    return commerce.returns.request(order_id, [(line_id(commerce, order_id, sku), quantity)],
                                    reason, customer_id="c-1", **kwargs)


def walk_to_processing(commerce, return_id: str, results=()) -> None:  # type: ignore[no-untyped-def]
    ret = commerce.returns.get(return_id)
    if ret.status.value == "pending":
        commerce.returns.approve(return_id)
    commerce.returns.receive(return_id)
    commerce.returns.inspect(return_id, results)


def good(commerce, return_id: str, accepted: int | None = None,  # type: ignore[no-untyped-def]
         condition: str = "new", disposition: str = "restock") -> tuple[ItemInspection, ...]:
    (item,) = commerce.returns.get(return_id).items
    return (ItemInspection(item.id, item.quantity if accepted is None else accepted, condition,
                           disposition),)


# -- 1-6: eligibility -----------------------------------------------------------------------------
def test_1_a_return_within_the_window_is_pending_with_its_requested_event() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 2), days_ago=29)
    return_id = ask(shop, order_id, SHIRT_M)
    ret = shop.returns.get(return_id)
    assert ret.status.value == "pending"
    assert ret.number.startswith("RET-")
    (requested,) = events_of(shop, "returns.return_requested")
    assert requested["return_id"] == return_id
    assert requested["items"][0]["quantity"] == 1
    assert [h.to_status for h in ret.history] == ["pending"]


def test_1_the_last_day_of_the_window_is_included() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1), days_ago=30)
    assert shop.returns.get(ask(shop, order_id, SHIRT_M)).status.value == "pending"


def test_2_after_the_window_nothing_is_stored() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1), days_ago=31)
    with pytest.raises(ReturnWindowExpired):
        ask(shop, order_id, SHIRT_M)
    assert shop.returns.for_order(order_id) == []
    assert events_of(shop, "returns.return_requested") == []


def test_3_an_order_of_someone_else_is_forbidden() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1), customer="c-2")
    with pytest.raises(NotOrderOwner):
        ask(shop, order_id, SHIRT_M)
    assert shop.returns.for_order(order_id) == []


def test_4_a_second_return_while_one_is_open_is_refused() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 2))
    ask(shop, order_id, SHIRT_M)
    with pytest.raises(ReturnAlreadyOpen):
        ask(shop, order_id, SHIRT_M)
    assert len(shop.returns.for_order(order_id)) == 1


def test_5_units_already_returned_cannot_be_returned_again() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 2))
    first = ask(shop, order_id, SHIRT_M, 2)
    walk_to_processing(shop, first, good(shop, first))
    shop.returns.complete(first)
    with pytest.raises(QuantityExceeded) as refused:
        ask(shop, order_id, SHIRT_M, 1)
    assert refused.value.details["returnable"] == 0


def test_5_an_open_return_counts_against_the_quantity_too() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 2))
    with pytest.raises(QuantityExceeded):
        ask(shop, order_id, SHIRT_M, 3)


def test_6_a_request_without_items_is_invalid() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    with pytest.raises(InvalidReturn):
        shop.returns.request(order_id, [], "defective", customer_id="c-1")
    with pytest.raises(InvalidReturn):
        ask(shop, order_id, SHIRT_M, 0)
    with pytest.raises(InvalidReturn):
        ask(shop, order_id, SHIRT_M, reason="bored")
    assert shop.returns.for_order(order_id) == []


def test_non_returnable_skus_and_at_most_three_returns_per_order() -> None:
    shop = returns_shop(risk=50, policy=attrs.evolve(POLICY, non_returnable_skus=frozenset({MUG})))
    order_id = delivered_order(shop, (SHIRT_M, 5), (MUG, 1))
    with pytest.raises(ItemsNotReturnable):
        ask(shop, order_id, MUG)
    for _ in range(3):
        shop.returns.reject(ask(shop, order_id, SHIRT_M), "not eligible")
    with pytest.raises(TooManyReturns):
        ask(shop, order_id, SHIRT_M)


# -- 7-9: approval -----------------------------------------------------------------------------
def test_7_a_low_risk_return_approves_itself_and_books_one_label() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    ret = shop.returns.get(ask(shop, order_id, SHIRT_M))
    assert ret.status.value == "approved"
    assert ret.approved_by == "system"
    assert ret.tracking_number is not None
    assert ret.label_carrier == "fake"
    assert carrier_calls(shop, "book") == 1
    (approved,) = events_of(shop, "returns.return_approved")
    assert approved["tracking_number"] == ret.tracking_number


def test_8_a_middling_score_waits_for_staff_and_a_high_one_is_rejected() -> None:
    waiting = returns_shop(risk=50)
    order_id = delivered_order(waiting, (SHIRT_M, 1))
    assert waiting.returns.get(ask(waiting, order_id, SHIRT_M)).status.value == "pending"
    assert carrier_calls(waiting, "book") == 0
    refused = returns_shop(risk=80)
    order_id = delivered_order(refused, (SHIRT_M, 1))
    ret = refused.returns.get(ask(refused, order_id, SHIRT_M))
    assert ret.status.value == "rejected"
    assert ret.close_reason == "risk_score"
    assert carrier_calls(refused, "book") == 0


def test_the_default_score_reads_the_reason_history_and_value() -> None:
    shop = returns_shop(risk=None)
    order_id = delivered_order(shop, (SHIRT_M, 2))
    # The seller's fault, part of the order, a first return: 0 → approved at once.
    first = shop.returns.get(ask(shop, order_id, SHIRT_M))
    assert first.risk_score == 0
    assert first.status.value == "approved"
    shop.returns.cancel(first.id)
    # A change of mind of the rest, after an earlier return: 15 + 20 → staff decide.
    second = shop.returns.get(ask(shop, order_id, SHIRT_M, reason="changed_mind"))
    assert second.risk_score == 35
    assert second.status.value == "pending"


def test_9_of_two_concurrent_approvals_one_wins_and_one_label_exists() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def approve() -> None:
        start.wait()
        try:
            outcomes.append(shop.returns.approve(return_id))
        except Conflict as error:
            outcomes.append(error)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes).count("str") == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert carrier_calls(shop, "book") == 1
    assert len(events_of(shop, "returns.return_approved")) == 1


# -- 10-11: the stale job -------------------------------------------------------------------------
def test_10_a_return_pending_for_a_week_is_cancelled_and_the_order_keeps_its_status() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    clock(shop).advance(timedelta(days=6, hours=23))
    assert shop.returns.expire_stale() == 0
    clock(shop).advance(timedelta(hours=1))
    assert shop.returns.expire_stale() == 1
    ret = shop.returns.get(return_id)
    assert ret.status.value == "cancelled"
    assert ret.close_reason == "stale_pending"
    assert order_status(shop, order_id) == "delivered"  # nothing moved it; nothing to restore


def test_11_an_approved_return_not_shipped_in_14_days_is_cancelled() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    clock(shop).advance(timedelta(days=13))
    assert shop.returns.expire_stale() == 0
    clock(shop).advance(timedelta(days=1))
    assert shop.returns.expire_stale() == 1
    assert shop.returns.get(return_id).close_reason == "not_shipped"
    (cancelled,) = events_of(shop, "returns.return_cancelled")
    assert cancelled["return_id"] == return_id


# -- 12-14: the refund arithmetic ----------------------------------------------------------------
def order_of(subtotal: int, *, tax: int = 0, shipping: int = 0, discount: int = 0,
             total: int | None = None) -> ReturnableOrder:
    line = ReturnableLine("l-1", "SKU", "p-1", "Thing", 1, vnd(subtotal), vnd(subtotal), "w-1")
    return ReturnableOrder(
        "o-1", "ORD-1", "delivered", "c-1", None, "VND", (line,), vnd(subtotal), vnd(discount),
        vnd(shipping), vnd(tax),
        vnd(total if total is not None else subtotal - discount + shipping + tax),
        "pay-1", "card", None)


def refund_of(order: ReturnableOrder, reason: Reason, value: int, *,
              refunded_before: int = 0) -> Money:
    return compute_refund(order, vnd(value), reason, ReturnPolicy(),
                          shipping_refunded_before=False, refunded_before=vnd(refunded_before),
                          return_shipping_fee=vnd(0)).total


def test_12_a_change_of_mind_pays_a_15_percent_restocking_fee() -> None:
    assert refund_of(order_of(1_000_000), Reason.CHANGED_MIND, 1_000_000) == vnd(850_000)
    assert refund_of(order_of(1_000_000), Reason.DEFECTIVE, 1_000_000) == vnd(1_000_000)


def test_13_a_defective_item_gets_its_tax_and_shipping_back_less_its_promotion_share() -> None:
    order = order_of(299_000, tax=29_900, shipping=25_000, discount=15_000)
    breakdown = compute_refund(order, vnd(299_000), Reason.DEFECTIVE, ReturnPolicy(),
                               shipping_refunded_before=False, refunded_before=vnd(0),
                               return_shipping_fee=vnd(0))
    assert breakdown.total == vnd(338_900)
    assert (breakdown.tax, breakdown.shipping, breakdown.promotion) == (
        vnd(29_900), vnd(25_000), vnd(15_000))


def test_14_the_refund_is_capped_at_the_order_total_and_what_is_left_of_it() -> None:
    # An order whose total is below its parts (a gift card paid some of it, say).
    order = order_of(500_000, tax=50_000, shipping=30_000, total=400_000)
    assert refund_of(order, Reason.DEFECTIVE, 500_000) == vnd(400_000)
    assert refund_of(order, Reason.DEFECTIVE, 500_000, refunded_before=300_000) == vnd(100_000)


def test_a_customer_paid_return_label_is_deducted_end_to_end() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M, reason="changed_mind")
    walk_to_processing(shop, return_id, good(shop, return_id))
    ret = shop.returns.get(return_id)
    fee = ret.label_fee
    assert fee is not None
    assert fee.amount > 0
    assert ret.refund.restocking_fee == vnd(52_500)
    assert ret.refund.total == vnd(350_000 - 52_500) - fee


# -- 15-19: completion, refund and restock ------------------------------------------------------
def test_15_one_unit_of_two_accepted_refunds_one_and_the_order_is_partially_returned() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 2))
    return_id = ask(shop, order_id, SHIRT_M, 2)
    walk_to_processing(shop, return_id, good(shop, return_id, accepted=1))
    shop.returns.complete(return_id)
    ret = shop.returns.get(return_id)
    assert ret.refund.total == vnd(350_000)
    (refund,) = shop.payments.refunds(order_id)
    assert refund.amount == vnd(350_000)
    assert refund.idempotency_key == f"{return_id}:refund"
    assert order_status(shop, order_id) == "partially_returned"


def test_a_full_return_marks_the_order_returned() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.returns.complete(return_id)
    assert order_status(shop, order_id) == "returned"
    (completed,) = events_of(shop, "returns.return_completed")
    assert completed["is_full_return"] is True


def complete_with_refund_script(*script: str):  # type: ignore[no-untyped-def]
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id, good(shop, return_id))
    gateway(shop).refund_script = list(script)
    shop.returns.complete(return_id)
    return shop, order_id, return_id


def test_16_the_refund_is_made_once_when_the_completed_event_comes_three_times() -> None:
    # The first delivery times out after the gateway moved the money; the event is then
    # delivered again as it was (the inbox) and as copies under new ids (a broker's replay).
    shop, order_id, return_id = complete_with_refund_script("timeout")
    assert shop.returns.get(return_id).status.value == "refund_failed"
    with shop.ports.uow() as uow:
        (completed,) = [e for e in every_event(uow) if e.type == "returns.return_completed"]
    assert shop.bus.deliver(completed) == {}
    for copy_id in ("replay-1", "replay-2"):
        assert shop.bus.deliver(attrs.evolve(completed, id=copy_id)) == {}
    ret = shop.returns.get(return_id)
    assert ret.status.value == "completed"
    assert ret.refund_state.value == "done"
    (refund,) = shop.payments.refunds(order_id)
    assert refund.status.value == "completed"
    assert refund.amount == vnd(350_000)
    assert gateway(shop).moved == {refund.gateway_key: 1}
    assert shop.payments.for_order(order_id)[-1].refunded_amount == 350_000
    assert shop.returns.retry_compensations() == 0


def test_17_a_failed_refund_is_retried_by_the_job_and_completes() -> None:
    shop, order_id, return_id = complete_with_refund_script("down")
    ret = shop.returns.get(return_id)
    assert ret.status.value == "refund_failed"
    assert ret.refund_attempts == 1
    assert shop.returns.retry_compensations() == 0  # not due before the interval
    clock(shop).advance(timedelta(minutes=5))
    assert shop.returns.retry_compensations() == 1
    ret = shop.returns.get(return_id)
    assert ret.status.value == "completed"
    assert ret.refund_state.value == "done"
    assert len(shop.payments.refunds(order_id)) == 1
    assert [h.to_status for h in ret.history][-3:] == ["completed", "refund_failed", "completed"]


def test_17_after_five_failures_the_refund_is_dead_lettered() -> None:
    shop, order_id, return_id = complete_with_refund_script(*["down"] * 5)
    for _ in range(4):
        clock(shop).advance(timedelta(minutes=5))
        shop.returns.retry_compensations()
    ret = shop.returns.get(return_id)
    assert ret.refund_attempts == 5
    assert ret.refund_state.value == "dlq"
    clock(shop).advance(timedelta(hours=1))
    assert shop.returns.retry_compensations() == 0
    failed = events_of(shop, "returns.refund_failed")
    assert [f["dead_lettered"] for f in failed] == [False] * 4 + [True]
    # Staff take it out of the dead letters; the same key refunds once.
    shop.returns.retry_refund(return_id)
    assert shop.returns.get(return_id).status.value == "completed"
    (refund,) = shop.payments.refunds(order_id)
    assert refund.status.value == "completed"


def test_18_damaged_goods_are_quarantined_not_restocked() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    before = on_hand(shop, SHIRT_M, "HCM")
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id, good(shop, return_id, condition="damaged"))
    shop.returns.complete(return_id)
    (item,) = shop.returns.get(return_id).items
    assert item.disposition == "quarantine"
    assert item.quantity_restocked == 0
    assert on_hand(shop, SHIRT_M, "HCM") == before


def test_an_item_nobody_inspected_is_quarantined() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id)
    (item,) = shop.returns.get(return_id).items
    assert item.disposition == "quarantine"
    assert item.quantity_accepted == 1


def test_19_restock_goes_to_the_warehouse_the_line_shipped_from() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (MUG, 2))  # the mug is stocked in HN only
    hn, hcm = on_hand(shop, MUG, "HN"), on_hand(shop, MUG, "HCM")
    return_id = ask(shop, order_id, MUG, 2)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.returns.complete(return_id)
    assert on_hand(shop, MUG, "HN") == hn + 2
    assert on_hand(shop, MUG, "HCM") == hcm
    assert shop.returns.get(return_id).items[0].quantity_restocked == 2


def test_a_restock_into_an_inactive_warehouse_fails_and_is_retried() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (MUG, 1))
    return_id = ask(shop, order_id, MUG)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.inventory.deactivate_warehouse("HN")
    shop.returns.complete(return_id)
    ret = shop.returns.get(return_id)
    assert ret.status.value == "restock_failed"
    assert ret.restock_error
    assert shop.payments.refunds(order_id) == []  # nothing announced, nothing refunded
    shop.inventory.activate_warehouse("HN")
    assert shop.returns.retry_compensations() == 0  # not due before the interval
    clock(shop).advance(timedelta(minutes=5))
    assert shop.returns.retry_compensations() == 1
    assert shop.returns.get(return_id).status.value == "completed"
    assert len(shop.payments.refunds(order_id)) == 1


def test_20_a_rejected_return_refunds_and_restocks_nothing() -> None:
    shop = returns_shop(risk=50)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    before = on_hand(shop, SHIRT_M, "HCM")
    return_id = ask(shop, order_id, SHIRT_M)
    shop.returns.reject(return_id, "worn")
    assert shop.returns.get(return_id).status.value == "rejected"
    assert order_status(shop, order_id) == "delivered"
    assert shop.payments.refunds(order_id) == []
    assert on_hand(shop, SHIRT_M, "HCM") == before
    (rejected,) = events_of(shop, "returns.return_rejected")
    assert rejected["reason"] == "worn"


def test_inspection_that_accepts_nothing_rejects_the_return() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id, good(shop, return_id, accepted=0))
    ret = shop.returns.get(return_id)
    assert ret.status.value == "rejected"
    assert ret.items[0].disposition == "return_to_customer"
    assert shop.payments.refunds(order_id) == []


# -- 21-22: exchanges --------------------------------------------------------------------------
def test_21_an_exchange_out_of_stock_offers_a_refund_and_creates_no_order() -> None:
    shop = returns_shop(risk=50)
    shop.inventory.set_stock(SHIRT_L, "HCM", 0)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M, exchange_sku=SHIRT_L)
    with pytest.raises(ReplacementOutOfStock) as refused:
        shop.returns.approve(return_id)
    assert refused.value.details["offer"] == "refund"
    ret = shop.returns.get(return_id)
    assert ret.status.value == "pending"
    assert ret.exchange is not None
    assert len(shop.orders.list()) == 1
    shop.returns.approve(return_id, refund_instead=True)
    ret = shop.returns.get(return_id)
    assert ret.status.value == "approved"
    assert ret.exchange is None
    assert ret.refund.total == vnd(350_000)


def test_22_an_exchange_for_a_dearer_variant_charges_the_difference() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    available = shop.inventory.available(SHIRT_L)
    return_id = ask(shop, order_id, SHIRT_M, exchange_sku=SHIRT_L)
    ret = shop.returns.get(return_id)
    assert ret.status.value == "approved"
    assert ret.exchange is not None
    replacement = shop.orders.get(str(ret.exchange.order_id))
    assert replacement.totals.total == vnd(50_000)
    assert shop.inventory.available(SHIRT_L) == available - 1  # reserved at approval
    (charge,) = shop.payments.for_order(replacement.id)
    assert charge.amount == vnd(50_000)
    assert charge.status.value == "pending"
    (approved,) = events_of(shop, "returns.exchange_approved")
    assert approved["price_difference"]["amount"] == 50_000
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.returns.complete(return_id)
    assert shop.payments.refunds(order_id) == []  # nothing is given back on a dearer swap
    assert len(events_of(shop, "returns.exchange_completed")) == 1


def test_an_exchange_for_a_cheaper_variant_refunds_the_difference() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_L, 1))
    return_id = ask(shop, order_id, SHIRT_L, exchange_sku=SHIRT_M)
    ret = shop.returns.get(return_id)
    assert ret.exchange is not None
    replacement = shop.orders.get(str(ret.exchange.order_id))
    assert replacement.totals.total == vnd(0)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.returns.complete(return_id)
    (refund,) = shop.payments.refunds(order_id)
    assert refund.amount == vnd(50_000)
    assert shop.orders.get(replacement.id).status.value == "confirmed"


def test_cancelling_an_exchange_releases_its_replacement() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    available = shop.inventory.available(SHIRT_L)
    return_id = ask(shop, order_id, SHIRT_M, exchange_sku=SHIRT_L)
    shop.returns.cancel(return_id)
    ret = shop.returns.get(return_id)
    assert ret.exchange is not None
    assert shop.orders.get(str(ret.exchange.order_id)).status.value == "cancelled"
    assert shop.inventory.available(SHIRT_L) == available


def test_a_staff_member_completes_only_refunds_within_their_ceiling() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    walk_to_processing(shop, return_id, good(shop, return_id))
    with pytest.raises(RefundAboveLimit):
        shop.returns.complete(return_id, limit=300_000)
    assert shop.returns.get(return_id).status.value == "processing"
    assert shop.payments.refunds(order_id) == []
    shop.returns.complete(return_id, limit=2_000_000)
    assert shop.returns.get(return_id).refund_state.value == "done"


def test_a_restock_that_keeps_failing_is_left_to_staff_after_five_attempts() -> None:
    shop = returns_shop(risk=20)
    order_id = delivered_order(shop, (MUG, 1))
    return_id = ask(shop, order_id, MUG)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.inventory.deactivate_warehouse("HN")
    shop.returns.complete(return_id)
    for _ in range(6):
        clock(shop).advance(timedelta(minutes=5))
        shop.returns.retry_compensations()
    ret = shop.returns.get(return_id)
    assert ret.status.value == "restock_failed"
    assert ret.restock_attempts == 5
    assert ret.retry_at is None
    shop.returns.cancel(return_id, reason="goods written off", by="staff")
    assert shop.returns.get(return_id).status.value == "cancelled"


def test_a_label_the_carrier_could_not_book_is_booked_by_the_job_and_announced_then() -> None:
    shop = returns_shop(risk=20)
    carrier = shop.ports.carriers.get("fake")  # type: ignore[union-attr]
    carrier.fail_next()  # type: ignore[union-attr]
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = ask(shop, order_id, SHIRT_M)
    ret = shop.returns.get(return_id)
    assert ret.status.value == "approved"
    assert ret.tracking_number is None
    assert ret.label_error is not None
    assert events_of(shop, "returns.return_approved") == []
    assert shop.returns.retry_compensations() == 1
    ret = shop.returns.get(return_id)
    assert ret.tracking_number is not None
    assert ret.label_error is None
    (approved,) = events_of(shop, "returns.return_approved")
    assert approved["tracking_number"] == ret.tracking_number
    assert carrier_calls(shop, "book") == 1
