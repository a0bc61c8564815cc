"""Stock and reservations (spec inventory A2-A3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commerce_core.inventory.errors import (
    InvalidStockChange,
    MoreThanReserved,
    ReservationNotActive,
    StockBelowReserved,
)
from commerce_core.inventory.model import Reservation, ReservationPolicy, ReservationStatus
from commerce_core.ordering.model import OrderStatus
from tests.shop import (
    MUG,
    SHIRT,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    make_commerce,
    stock_shop,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _reservation(quantity: int = 3) -> Reservation:
    return Reservation.hold(reservation_id="r1", sku=SHIRT, warehouse_id="w1", quantity=quantity,
                            reference="c1", expires_at=NOW + timedelta(minutes=30), now=NOW)


def test_releasing_twice_gives_the_units_back_once() -> None:
    reservation = _reservation()

    assert reservation.release("order_cancelled", now=NOW) == 3
    assert reservation.release("order_cancelled", now=NOW) == 0


def test_an_expired_reservation_cannot_be_confirmed() -> None:
    reservation = _reservation()

    with pytest.raises(ReservationNotActive):
        reservation.confirm("o1", now=NOW + timedelta(minutes=30))


def test_expiry_only_takes_due_active_reservations() -> None:
    reservation = _reservation()

    assert reservation.expire(now=NOW) == 0
    assert reservation.expire(now=NOW + timedelta(minutes=31)) == 3
    assert reservation.status is ReservationStatus.EXPIRED


def test_a_confirmed_reservation_never_expires() -> None:
    reservation = _reservation()
    reservation.confirm("o1", now=NOW)

    assert reservation.expire(now=NOW + timedelta(days=2)) == 0


def test_partial_fulfilment_keeps_it_confirmed_and_full_fulfilment_closes_it() -> None:
    reservation = _reservation()
    reservation.confirm("o1", now=NOW)

    reservation.fulfil(1, now=NOW)
    after_partial = reservation.status
    reservation.fulfil(2, now=NOW)

    assert (after_partial, reservation.status) == (
        ReservationStatus.CONFIRMED, ReservationStatus.FULFILLED)
    with pytest.raises(ReservationNotActive):
        reservation.release("manual", now=NOW)


def test_fulfilling_more_than_is_left_is_refused() -> None:
    reservation = _reservation()
    reservation.confirm("o1", now=NOW)

    # What is left depends on what was fulfilled before: a refusal of state, not of input.
    with pytest.raises(MoreThanReserved):
        reservation.fulfil(4, now=NOW)
    with pytest.raises(InvalidStockChange):
        reservation.fulfil(0, now=NOW)


def test_ttl_depends_on_the_payment_method() -> None:
    policy = ReservationPolicy()

    assert policy.ttl("cod") == timedelta(hours=24)
    assert policy.ttl("e_wallet") == timedelta(minutes=15)
    assert policy.ttl("something-new") == timedelta(minutes=30)


def test_on_hand_cannot_drop_below_what_is_reserved() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=5)
    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 4)))

    with pytest.raises(StockBelowReserved):
        commerce.inventory.set_stock(SHIRT, "HCM", 3)

    assert [(lv.on_hand, lv.reserved) for lv in commerce.inventory.levels(SHIRT)] == [(5, 4)]


def test_negative_stock_is_refused() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    with pytest.raises(InvalidStockChange):
        commerce.inventory.set_stock(SHIRT, "HCM", -1)


def test_fulfilling_a_reservation_takes_units_off_the_shelf() -> None:
    commerce = make_commerce()
    stock_shop(commerce, mugs=10)
    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 3)))
    reservation_id = commerce.orders.get(placed.order_id).lines[0].reservation_id

    commerce.inventory.fulfil(reservation_id, 3)

    assert [(lv.on_hand, lv.reserved) for lv in commerce.inventory.levels(MUG)] == [(7, 0)]
    assert_nothing_leaked(commerce)


def test_expired_reservations_free_stock_and_cancel_their_pending_order() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    runner = commerce.checkout_runner

    def stop_before_payment(step: str) -> None:
        if step == "order_created":
            raise KeyboardInterrupt  # the shopper's request died before paying

    runner.probe = stop_before_payment
    with pytest.raises(KeyboardInterrupt):
        commerce.checkout.place_order(cart_with(commerce, (SHIRT, 2)), payment_method="card")
    runner.probe = lambda step: None
    clock_of(commerce).advance(timedelta(minutes=31))

    expired = commerce.inventory.expire_reservations()

    assert expired == 1
    assert [lv.reserved for lv in commerce.inventory.levels(SHIRT)] == [0]
    assert [o.status for o in commerce.orders.list()] == [OrderStatus.CANCELLED]
