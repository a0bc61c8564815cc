"""Choosing warehouses: one for the whole order when it can, the best per line, else a split."""

from __future__ import annotations

import pytest

from commerce_core.inventory.allocation import (
    Destination,
    GeoPoint,
    Line,
    Part,
    Site,
    allocate,
    score,
)
from commerce_core.inventory.errors import InsufficientStock, WarehouseInactive
from commerce_core.inventory.warehouses import WarehouseDetails
from tests.shop import (
    MUG,
    SHIRT,
    assert_nothing_leaked,
    cart_with,
    make_commerce,
    two_warehouse_shop,
)

HCM, HN, DN = Site("w-hcm", "HCM", is_default=True), Site("w-hn", "HN"), Site("w-dn", "DN")
SAIGON, HANOI = GeoPoint(10.776, 106.700), GeoPoint(21.028, 105.834)


def test_one_warehouse_that_can_fill_the_whole_order_takes_it_all() -> None:
    stock = {(SHIRT, "w-hcm"): 5, (MUG, "w-hcm"): 0, (SHIRT, "w-hn"): 5, (MUG, "w-hn"): 5}

    plan = allocate([Line(SHIRT, 2), Line(MUG, 1)], [HCM, HN], stock)

    assert plan == [(Part("w-hn", 2),), (Part("w-hn", 1),)]


def test_between_warehouses_that_can_each_fill_the_order_the_default_is_preferred() -> None:
    stock = {(SHIRT, "w-hcm"): 5, (SHIRT, "w-hn"): 5}

    plan = allocate([Line(SHIRT, 2)], [HCM, HN], stock)

    assert plan == [(Part("w-hcm", 2),)]


def test_lines_no_single_warehouse_can_fill_together_go_to_the_best_warehouse_each() -> None:
    stock = {(SHIRT, "w-hcm"): 5, (MUG, "w-hn"): 5}

    plan = allocate([Line(SHIRT, 2), Line(MUG, 1)], [HCM, HN], stock)

    assert plan == [(Part("w-hcm", 2),), (Part("w-hn", 1),)]


def test_a_line_no_warehouse_can_fill_alone_is_split_best_score_first() -> None:
    stock = {(SHIRT, "w-hcm"): 3, (SHIRT, "w-hn"): 4, (SHIRT, "w-dn"): 1}

    plan = allocate([Line(SHIRT, 6)], [HCM, HN, DN], stock)

    assert plan == [(Part("w-hn", 4), Part("w-hcm", 2))]


def test_what_all_warehouses_together_lack_is_refused_with_what_they_have() -> None:
    stock = {(SHIRT, "w-hcm"): 3, (SHIRT, "w-hn"): 4}

    with pytest.raises(InsufficientStock) as refused:
        allocate([Line(SHIRT, 8)], [HCM, HN], stock)

    assert refused.value.details["available"] == 7


def test_the_nearest_warehouse_wins_when_the_destination_is_known() -> None:
    saigon = Site("w-hcm", "HCM", is_default=True, location=SAIGON)
    hanoi = Site("w-hn", "HN", location=HANOI)
    stock = {(SHIRT, "w-hcm"): 5, (SHIRT, "w-hn"): 5}

    plan = allocate([Line(SHIRT, 1)], [saigon, hanoi], stock,
                    Destination(point=GeoPoint(21.0, 105.8)))

    assert plan == [(Part("w-hn", 1),)]


def test_the_score_weighs_distance_availability_cost_and_preference_as_the_spec_says() -> None:
    site = Site("w", "W", cost_ratio=0.5)

    value = score(site, 1, 2, Destination(distances={"w": 100.0}, preferred_warehouse_id="w"))

    assert value == pytest.approx(0.4 * 900 + 0.3 * 50 + 0.2 * 25 + 0.1 * 20)


def test_a_line_naming_its_warehouse_is_served_only_there() -> None:
    stock = {(SHIRT, "w-hcm"): 1, (SHIRT, "w-hn"): 5}

    with pytest.raises(InsufficientStock):
        allocate([Line(SHIRT, 2, "w-hcm")], [HCM, HN], stock)


def test_a_split_line_keeps_a_reservation_per_warehouse_on_its_order_line() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=3, shirts_hn=4)

    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 6)))

    (line,) = commerce.orders.get(placed.order_id).lines
    assert sorted(p.quantity for p in line.parts) == [2, 4]
    assert (line.warehouse_id, line.reservation_id) in {
        (p.warehouse_id, p.reservation_id) for p in line.parts}
    assert {lv.warehouse_id: lv.reserved for lv in commerce.inventory.levels(SHIRT)} == {
        p.warehouse_id: p.quantity for p in line.parts}
    assert_nothing_leaked(commerce)


def test_cancelling_a_split_order_releases_every_part() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=3, shirts_hn=4)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 6)))

    commerce.orders.cancel(placed.order_id)

    assert [lv.reserved for lv in commerce.inventory.levels(SHIRT)] == [0, 0]
    assert_nothing_leaked(commerce)


def test_a_deactivated_warehouse_takes_no_new_reservations() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=0, shirts_hn=5)
    commerce.inventory.deactivate_warehouse("HN")

    with pytest.raises(InsufficientStock):
        commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))
    commerce.inventory.activate_warehouse("HN")
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    assert commerce.orders.get(placed.order_id).lines[0].warehouse_id == (
        commerce.inventory.warehouse("HN").id)


def test_a_transfer_cannot_leave_from_a_deactivated_warehouse() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=5, shirts_hn=5)
    commerce.inventory.deactivate_warehouse("HN")

    with pytest.raises(WarehouseInactive):
        commerce.inventory.request_transfer(SHIRT, "HN", "HCM", 1)


def test_a_cheaper_warehouse_outscores_the_default() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=5, shirts_hn=5)
    commerce.inventory.update_warehouse("HN", "Ha Noi", WarehouseDetails(cost_ratio=0.0))
    commerce.inventory.update_warehouse("HCM", "Ho Chi Minh City",
                                        WarehouseDetails(cost_ratio=1.0))

    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    # The default's preference (+2) loses to a 10-point cost advantage.
    assert commerce.orders.get(placed.order_id).lines[0].warehouse_id == (
        commerce.inventory.warehouse("HN").id)


def test_a_reservation_with_a_destination_takes_the_nearest_warehouse() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=5, shirts_hn=5)
    commerce.inventory.update_warehouse("HCM", "Ho Chi Minh City",
                                        WarehouseDetails(location=SAIGON))
    commerce.inventory.update_warehouse("HN", "Ha Noi", WarehouseDetails(location=HANOI))

    ((near_hanoi,),) = commerce.inventory.reserve("order-1", [(SHIRT, 1)],
                                                  latitude=21.0, longitude=105.8)
    ((by_distance,),) = commerce.inventory.reserve("order-2", [(SHIRT, 1)],
                                                   distances_km={"HCM": 900.0, "HN": 5.0})

    hanoi = commerce.inventory.warehouse("HN").id
    assert commerce.inventory.reservation(near_hanoi).warehouse_id == hanoi
    assert commerce.inventory.reservation(by_distance).warehouse_id == hanoi
