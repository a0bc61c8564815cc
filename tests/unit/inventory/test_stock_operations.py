"""Receiving, damage, returns, transfers, the ledger, reconciliation, alerts and warehouses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from commerce_core import Commerce
from commerce_core.inventory.errors import (
    DefaultWarehouseRequired,
    InvalidStockChange,
    InvalidTransferStep,
    StockBelowReserved,
)
from commerce_core.inventory.model import ReservationStatus
from commerce_core.inventory.stock import MovementInfo, MovementType, StockSettings
from commerce_core.inventory.warehouses import Address, Capacity, WarehouseDetails
from tests.shop import (
    MUG,
    SHIRT,
    assert_nothing_leaked,
    clock_of,
    events_of,
    make_commerce,
    stock_shop,
    two_warehouse_shop,
)


def counters(commerce: Commerce, code: str, sku: str = SHIRT) -> tuple[int, int]:
    warehouse_id = commerce.inventory.warehouse(code).id
    (found,) = [lv for lv in commerce.inventory.levels(sku) if lv.warehouse_id == warehouse_id]
    return found.on_hand, found.reserved


def test_receiving_puts_units_in_their_batch_and_bin() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=2)

    commerce.inventory.receive(SHIRT, "HCM", 6, batch_number="lot-7",
                               expiry_date=date(2027, 5, 1), bin_location="b-4-2")

    (item,) = commerce.inventory.items(sku=SHIRT)
    assert (item.on_hand, item.bin_location) == (8, "B-04-02")
    assert [(b.batch_number, b.on_hand) for b in commerce.inventory.batches(sku=SHIRT)] == [
        ("LOT-7", 6)]
    (receipt, *_) = commerce.inventory.movements(sku=SHIRT)
    assert (receipt.type, receipt.on_hand_change, receipt.batch_number) == (
        MovementType.RECEIPT, 6, "LOT-7")


def test_a_malformed_bin_is_refused() -> None:
    with pytest.raises(InvalidStockChange):
        StockSettings(bin_location="shelf by the door")


def test_damage_takes_units_off_but_never_below_what_is_reserved() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=5)
    commerce.inventory.reserve("order-1", [(SHIRT, 3)])

    commerce.inventory.damage(SHIRT, "HCM", 2, reason="torn")
    with pytest.raises(StockBelowReserved):
        commerce.inventory.damage(SHIRT, "HCM", 1)

    assert counters(commerce, "HCM") == (3, 3)
    assert [e["quantity"] for e in events_of(commerce, "inventory.stock_damaged")] == [2]


def test_a_return_goes_back_on_the_shelf_of_the_receiving_warehouse() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=1, shirts_hn=1)

    commerce.inventory.restock_return(SHIRT, "HN", 2, order_id="order-9")

    assert counters(commerce, "HN") == (3, 0)
    (movement, *_) = commerce.inventory.movements(sku=SHIRT, warehouse="HN")
    assert (movement.type, movement.reference_id) == (MovementType.RETURN, "order-9")


def test_a_transfer_reserves_at_the_source_then_ships_and_is_received() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=10, shirts_hn=0)

    transfer_id = commerce.inventory.request_transfer(SHIRT, "HCM", "HN", 4)
    after_request = (counters(commerce, "HCM"), commerce.inventory.available(SHIRT))
    commerce.inventory.ship_transfer(transfer_id)
    after_ship = counters(commerce, "HCM")
    commerce.inventory.receive_transfer(transfer_id)
    commerce.inventory.receive_transfer(transfer_id)

    assert after_request == ((10, 4), 6)
    assert after_ship == (6, 0)
    assert counters(commerce, "HN") == (4, 0)
    assert [e["status"] for e in events_of(commerce, "inventory.transfer_status_changed")] == [
        "requested", "shipped", "received"]
    assert_nothing_leaked(commerce)


def test_a_transfer_cancelled_before_shipping_gives_the_source_units_back() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=10)
    transfer_id = commerce.inventory.request_transfer(SHIRT, "HCM", "HN", 4)

    commerce.inventory.cancel_transfer(transfer_id)

    assert counters(commerce, "HCM") == (10, 0)
    with pytest.raises(InvalidTransferStep):
        commerce.inventory.ship_transfer(transfer_id)
    assert_nothing_leaked(commerce)


def test_every_counter_change_is_in_the_ledger_and_the_ledger_sums_to_the_counters() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce, shirts_hcm=10, shirts_hn=3)
    ((held,),) = commerce.inventory.reserve("order-1", [(SHIRT, 4)])
    commerce.inventory.confirm(held, "order-1")
    commerce.inventory.fulfil(held, 1)
    commerce.inventory.release(held)
    commerce.inventory.damage(SHIRT, "HN", 1)
    commerce.inventory.request_transfer(SHIRT, "HCM", "HN", 2)

    balances = commerce.inventory.audit()

    assert [b for b in balances if b.drift] == []
    assert {(b.warehouse_id, b.on_hand, b.reserved) for b in balances if b.sku == SHIRT} == {
        (commerce.inventory.warehouse("HCM").id, 9, 2),
        (commerce.inventory.warehouse("HN").id, 2, 0)}


def test_reconciliation_corrects_reserved_to_the_live_reservations_with_a_movement() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=10)
    commerce.inventory.reserve("order-1", [(SHIRT, 3)])
    warehouse_id = commerce.inventory.warehouse("HCM").id
    with commerce.ports.uow() as uow:  # counters moved by something outside the core's rules
        uow.stock.change(SHIRT, warehouse_id, reserved=2,
                         info=MovementInfo(MovementType.ADJUSTMENT, reason="stray"))
        uow.commit()

    drifts = commerce.inventory.reconcile()

    assert [(d.reserved, d.live_units, d.corrected) for d in drifts] == [(5, 3, True)]
    assert counters(commerce, "HCM") == (10, 3)
    assert [(e["reserved_before"], e["reserved"]) for e in events_of(
        commerce, "inventory.reserved_reconciled")] == [(5, 3)]
    assert commerce.inventory.reconcile() == []
    assert_nothing_leaked(commerce)


def test_a_low_stock_alert_is_raised_once_per_band_crossed_not_on_every_movement() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=20)
    commerce.inventory.configure(SHIRT, "HCM", StockSettings(reorder_point=8))

    for _ in range(20):
        commerce.inventory.reserve("order", [(SHIRT, 1)])

    priorities = [e["priority"] for e in events_of(commerce, "inventory.low_stock_detected")]
    assert priorities == ["low", "medium", "high", "critical"]
    assert events_of(commerce, "inventory.low_stock_detected")[-1]["alert_type"] == (
        "out_of_stock")


def test_recovering_and_falling_again_raises_the_alert_again() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=10)
    commerce.inventory.configure(SHIRT, "HCM", StockSettings(reorder_point=4))
    ((first,),) = commerce.inventory.reserve("order-1", [(SHIRT, 7)])
    commerce.inventory.release(first)

    commerce.inventory.reserve("order-2", [(SHIRT, 7)])

    assert [e["priority"] for e in events_of(commerce, "inventory.low_stock_detected")] == [
        "low", "low"]


def test_alerts_list_expiring_batches_overstock_and_leaked_reservations() -> None:
    commerce = make_commerce()
    stock_shop(commerce, shirts=0, mugs=0)
    today = clock_of(commerce).now().date()
    commerce.inventory.receive(SHIRT, "HCM", 3, batch_number="old",
                               expiry_date=today - timedelta(days=1))
    commerce.inventory.receive(MUG, "HCM", 30)
    commerce.inventory.configure(MUG, "HCM", StockSettings(max_level=20))
    commerce.inventory.reserve("order-1", [(MUG, 1)], payment_method="cod")
    clock_of(commerce).advance(timedelta(hours=25))

    alerts = {(a.type.value, a.sku, a.priority.value) for a in commerce.inventory.alerts()}

    assert alerts == {("expiring", SHIRT, "high"), ("overstock", MUG, "low"),
                      ("reservation_leak", MUG, "high")}


def test_a_reservation_active_for_more_than_a_day_is_reported_as_a_leak_once() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    ((held,),) = commerce.inventory.reserve("order-1", [(SHIRT, 1)], payment_method="cod")
    clock_of(commerce).advance(timedelta(hours=23))
    early = commerce.inventory.report_leaks()
    clock_of(commerce).advance(timedelta(hours=2))

    reported = (commerce.inventory.report_leaks(), commerce.inventory.report_leaks())

    assert (early, reported) == (0, (1, 0))
    assert [e["reservation_id"] for e in events_of(commerce, "inventory.reservation_leaked")] == [
        held]


def test_an_extension_needs_an_active_reservation() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    ((held,),) = commerce.inventory.reserve("order-1", [(SHIRT, 1)])
    commerce.inventory.release(held)

    with pytest.raises(Exception, match="cannot be extended"):
        commerce.inventory.extend(held, clock_of(commerce).now() + timedelta(minutes=10))
    assert commerce.inventory.reservation(held).status is ReservationStatus.RELEASED


def test_the_default_warehouse_cannot_be_deactivated_until_another_is_default() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce)

    with pytest.raises(DefaultWarehouseRequired):
        commerce.inventory.deactivate_warehouse("HCM")
    commerce.inventory.set_default_warehouse("HN")
    commerce.inventory.deactivate_warehouse("HCM")

    assert [(w.code, w.is_default, w.active) for w in commerce.inventory.warehouses()] == [
        ("HN", True, True), ("HCM", False, False)]


def test_warehouse_details_are_kept_and_changes_are_published() -> None:
    commerce = make_commerce()
    two_warehouse_shop(commerce)
    details = WarehouseDetails(address=Address("12 Tran Hung Dao", city="Ha Noi",
                                               country_code="VN"),
                               capacity=Capacity(orders_per_day=500), cost_ratio=0.2)

    commerce.inventory.update_warehouse("HN", "Ha Noi North", details)

    warehouse = commerce.inventory.warehouse("HN")
    assert (warehouse.name, warehouse.details) == ("Ha Noi North", details)
    assert events_of(commerce, "inventory.warehouse_updated")[-1]["changed"] == [
        "name", "address", "capacity", "cost_ratio"]


def test_distributors_group_warehouses_by_region() -> None:
    commerce = make_commerce()
    distributor_id = commerce.inventory.create_distributor("north", "Northern Partners",
                                                          region_codes=["hn", "hp"])
    commerce.inventory.create_warehouse("HP", "Hai Phong",
                                        details=WarehouseDetails(distributor_id=distributor_id))

    (distributor,) = commerce.inventory.distributors()
    assert (distributor.code, distributor.region_codes) == ("NORTH", ["HN", "HP"])
    assert commerce.inventory.warehouse("HP").details.distributor_id == distributor_id
