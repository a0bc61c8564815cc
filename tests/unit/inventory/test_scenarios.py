"""The inventory acceptance scenarios of the spec (inventory-fulfillment.md, 1-15)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from commerce_core import Commerce
from commerce_core.checkout.errors import CheckoutFailed
from commerce_core.inventory.errors import (
    ExtensionRefused,
    InsufficientStock,
    ReservationNotActive,
    StockBelowReserved,
)
from commerce_core.inventory.model import ReservationStatus
from commerce_core.inventory.stock import Batch, BatchTake, MovementType, StockSettings, fefo
from commerce_core.shared.errors import CommerceError
from tests.shop import (
    LAMP,
    MUG,
    SHIRT,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    events_of,
    make_commerce,
    stock_shop,
)


def shop_with_shirts(on_hand: int = 10) -> Commerce:
    commerce = make_commerce()
    stock_shop(commerce, shirts=on_hand)
    return commerce


def level(commerce: Commerce, sku: str = SHIRT) -> tuple[int, int, int]:
    (found,) = commerce.inventory.levels(sku)
    return found.on_hand, found.reserved, found.available


def confirmed_reservation(commerce: Commerce, quantity: int) -> str:
    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, quantity)],
                                                      payment_method="card")
    commerce.inventory.confirm(reservation_id, "order-1")
    return str(reservation_id)


def test_scenario_01_reserving_four_of_ten_leaves_six_available_and_one_reservation() -> None:
    commerce = shop_with_shirts(10)

    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, 4)])

    assert level(commerce) == (10, 4, 6)
    assert [r.status for r in commerce.inventory.reservations()] == [ReservationStatus.ACTIVE]
    assert [e["reservation_id"] for e in events_of(commerce, "inventory.stock_reserved")] == [
        reservation_id]
    assert [(m.type, m.reserved_change) for m in commerce.inventory.movements(
        reference_id=reservation_id)] == [(MovementType.RESERVATION, 4)]


def test_scenario_02_reserving_more_than_available_is_refused_and_nothing_changes() -> None:
    commerce = shop_with_shirts(3)
    movements_before = commerce.inventory.movements()

    with pytest.raises(InsufficientStock) as refused:
        commerce.inventory.reserve("order-1", [(SHIRT, 4)])

    assert refused.value.details["available"] == 3
    assert level(commerce) == (3, 0, 3)
    assert commerce.inventory.reservations() == []
    assert commerce.inventory.movements() == movements_before


def test_scenario_03_of_two_concurrent_reservations_of_six_of_ten_exactly_one_wins() -> None:
    commerce = shop_with_shirts(10)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def reserve(reference: str) -> None:
        barrier.wait()
        try:
            outcomes.append(commerce.inventory.reserve(reference, [(SHIRT, 6)]))
        except CommerceError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=reserve, args=(f"order-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == ["InsufficientStock", "list"]
    assert level(commerce) == (10, 6, 4)


def test_scenario_04_a_card_reservation_made_at_ten_expires_at_half_past() -> None:
    commerce = shop_with_shirts()
    clock_of(commerce).set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))

    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, 1)],
                                                      payment_method="credit_card")

    assert commerce.inventory.reservation(reservation_id).expires_at == datetime(
        2026, 3, 2, 10, 30, tzinfo=UTC)


def test_scenario_05_the_expiry_job_expires_a_due_reservation_and_frees_its_units() -> None:
    commerce = shop_with_shirts(10)
    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, 3)],
                                                      payment_method="card")
    clock_of(commerce).advance(timedelta(minutes=31))

    expired = commerce.inventory.expire_reservations()

    assert expired == 1
    assert commerce.inventory.reservation(reservation_id).status is ReservationStatus.EXPIRED
    assert level(commerce) == (10, 0, 10)
    assert [e["reservation_id"] for e in events_of(commerce, "inventory.reservation_expired")] \
        == [reservation_id]
    assert_nothing_leaked(commerce)


def test_scenario_06_extending_to_61_minutes_after_creation_is_beyond_twice_the_ttl() -> None:
    commerce = shop_with_shirts()
    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, 1)],
                                                      payment_method="card")
    created = commerce.inventory.reservation(reservation_id).created_at

    with pytest.raises(ExtensionRefused):
        commerce.inventory.extend(reservation_id, created + timedelta(minutes=61))
    commerce.inventory.extend(reservation_id, created + timedelta(minutes=60))

    assert commerce.inventory.reservation(reservation_id).expires_at == created + timedelta(
        minutes=60)


def test_scenario_07_fulfilling_two_of_five_keeps_it_confirmed_and_takes_both_counters() -> None:
    commerce = shop_with_shirts(10)
    reservation_id = confirmed_reservation(commerce, 5)

    commerce.inventory.fulfil(reservation_id, 2)

    reservation = commerce.inventory.reservation(reservation_id)
    assert (reservation.status, reservation.fulfilled) == (ReservationStatus.CONFIRMED, 2)
    assert level(commerce) == (8, 3, 5)
    (last, *_) = commerce.inventory.movements(reference_id=reservation_id)
    assert (last.type, last.on_hand_change, last.reserved_change) == (
        MovementType.FULFILLMENT, -2, -2)


def test_scenario_08_releasing_after_fulfilling_two_of_five_gives_back_three() -> None:
    commerce = shop_with_shirts(10)
    reservation_id = confirmed_reservation(commerce, 5)
    commerce.inventory.fulfil(reservation_id, 2)

    released = commerce.inventory.release(reservation_id, "order_cancelled")

    assert released == 3
    assert level(commerce) == (8, 0, 8)
    (last, *_) = commerce.inventory.movements(reference_id=reservation_id)
    assert (last.type, last.reserved_change) == (MovementType.CANCELLATION, -3)


def test_scenario_09_a_fulfilled_reservation_cannot_be_released() -> None:
    commerce = shop_with_shirts(10)
    reservation_id = confirmed_reservation(commerce, 2)
    commerce.inventory.fulfil(reservation_id, 2)
    before = (level(commerce), commerce.inventory.movements())

    with pytest.raises(ReservationNotActive):
        commerce.inventory.release(reservation_id)

    assert (level(commerce), commerce.inventory.movements()) == before
    assert commerce.inventory.reservation(reservation_id).status is ReservationStatus.FULFILLED


def test_scenario_10_releasing_a_released_reservation_succeeds_and_changes_nothing() -> None:
    commerce = shop_with_shirts(10)
    ((reservation_id,),) = commerce.inventory.reserve("order-1", [(SHIRT, 4)])
    commerce.inventory.release(reservation_id)
    before = (level(commerce), commerce.inventory.movements())

    again = commerce.inventory.release(reservation_id)

    assert again == 0
    assert (level(commerce), commerce.inventory.movements()) == before


def test_scenario_11_a_checkout_whose_third_line_is_out_of_stock_holds_nothing() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=10, mugs=10, lamps=0)

    with pytest.raises((InsufficientStock, CheckoutFailed)):
        commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1), (MUG, 2), (LAMP, 1)))

    assert [lv.reserved for lv in commerce.inventory.levels()] == [0, 0, 0]
    assert [r.status for r in commerce.inventory.reservations()] in (
        [], [ReservationStatus.RELEASED] * 2)
    assert_nothing_leaked(commerce)


def test_scenario_12_available_two_against_reorder_point_eight_raises_a_high_alert() -> None:
    commerce = shop_with_shirts(10)
    commerce.inventory.configure(SHIRT, "HCM", StockSettings(reorder_point=8))

    commerce.inventory.reserve("order-1", [(SHIRT, 8)])

    assert [(e["available"], e["reorder_point"], e["priority"]) for e in events_of(
        commerce, "inventory.low_stock_detected")] == [(2, 8, "high")]
    assert [(a.type.value, a.priority.value) for a in commerce.inventory.alerts()] == [
        ("low_stock", "high")]


def test_scenario_13_fefo_takes_the_earliest_unexpired_batches() -> None:
    today = date(2026, 3, 2)
    batches = [Batch(SHIRT, "w1", "B-2024", date(2024, 1, 1), 5),
               Batch(SHIRT, "w1", "B-2031", date(2031, 1, 1), 5),
               Batch(SHIRT, "w1", "B-2030", date(2030, 1, 1), 5)]

    takes = fefo(batches, 7, today=today)

    assert takes == [BatchTake("B-2030", date(2030, 1, 1), 5),
                     BatchTake("B-2031", date(2031, 1, 1), 2)]


def test_scenario_13_fulfilling_takes_units_from_batches_first_expiry_first_out() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=0)
    clock_of(commerce).set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    for batch, expiry in (("B-2024", date(2024, 1, 1)), ("B-2030", date(2030, 1, 1)),
                          ("B-2031", date(2031, 1, 1))):
        commerce.inventory.receive(SHIRT, "HCM", 5, batch_number=batch, expiry_date=expiry)
    reservation_id = confirmed_reservation(commerce, 7)

    commerce.inventory.fulfil(reservation_id, 7)

    assert [(b.batch_number, b.on_hand) for b in commerce.inventory.batches(sku=SHIRT)] == [
        ("B-2024", 5), ("B-2031", 3)]
    assert level(commerce) == (8, 0, 8)


def test_scenario_14_an_adjustment_request_approved_twice_changes_stock_once() -> None:
    commerce = shop_with_shirts(10)
    adjustment_id = commerce.inventory.request_adjustment(SHIRT, "HCM", 5, reason="found")

    commerce.inventory.approve_adjustment(adjustment_id, "lan")
    commerce.inventory.approve_adjustment(adjustment_id, "minh")

    assert level(commerce) == (15, 0, 15)
    assert [e["approved_by"] for e in events_of(commerce, "inventory.adjustment_approved")] == [
        "lan"]
    assert_nothing_leaked(commerce)


def test_scenario_15_an_adjustment_of_minus_eight_with_five_reserved_of_ten_is_refused() -> None:
    commerce = shop_with_shirts(10)
    commerce.inventory.reserve("order-1", [(SHIRT, 5)])

    with pytest.raises(StockBelowReserved):
        commerce.inventory.request_adjustment(SHIRT, "HCM", -8)

    assert level(commerce) == (10, 5, 5)
    assert commerce.inventory.adjustments() == []


def test_scenario_15_an_approved_adjustment_that_no_longer_fits_is_refused_at_approval() -> None:
    commerce = shop_with_shirts(10)
    adjustment_id = commerce.inventory.request_adjustment(SHIRT, "HCM", -8, reason="lost")
    commerce.inventory.reserve("order-1", [(SHIRT, 5)])

    with pytest.raises(StockBelowReserved):
        commerce.inventory.approve_adjustment(adjustment_id)

    assert level(commerce) == (10, 5, 5)
    assert [a.status.value for a in commerce.inventory.adjustments()] == ["pending"]
