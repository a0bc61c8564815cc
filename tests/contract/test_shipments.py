"""ShipmentRepository contract: a shipment and its carrier reports read back as stored, the
lookups the use cases need, and the two unique keys (package, carrier tracking number)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from commerce_core.shipping.errors import DuplicateTrackingNumber, ShipmentNotFound
from commerce_core.shipping.model import Shipment, ShipmentPolicy
from commerce_core.shipping.ports import Booking, ShipmentStatus, TrackingUpdate
from tests.contract.builders import state
from tests.contract.conftest import Store

S = ShipmentStatus
HOME = PostalAddress(name="Le Van C", phone="0907654321", line1="3 Pasteur",
                     province="Ho Chi Minh", country_code="VN", ward="Ben Nghe",
                     ward_code="20308")
DEPOT = PostalAddress(name="HCM", phone="0280000000", line1="1 Depot", province="Ho Chi Minh",
                      country_code="VN")


def draft(store: Store, *, order_id: str = "o1", package_id: str = "p1",
          cod: Money | None = None) -> Shipment:
    shipment = Shipment.draft(
        shipment_id=store.ids.new_id(), order_id=order_id, fulfillment_id="f1",
        package_id=package_id, customer_id="c1", warehouse_id="w1", carrier="fake",
        service_type="standard", origin=DEPOT, destination=HOME, weight_g=750, length_cm=30,
        width_cm=20, height_cm=10, currency="VND", cod_amount=cod, now=store.clock.now())
    with store.uow() as uow:
        uow.shipments.add(shipment)
        uow.commit()
    return shipment


def book(store: Store, shipment: Shipment, tracking_number: str) -> Shipment:
    with store.uow() as uow:
        held = uow.shipments.get(shipment.id)
        held.booked(Booking(tracking_number, Money(25_000, "VND"), "ref-1"),
                    now=store.clock.now())
        uow.commit()
    return held


def test_a_shipment_with_its_reports_reads_back_as_stored(store: Store) -> None:
    shipment = book(store, draft(store, cod=Money(350_000, "VND")), "FK1")
    with store.uow() as uow:
        held = uow.shipments.get(shipment.id)
        for status, minutes in ((S.PICKED_UP, 5), (S.IN_TRANSIT, 10), (S.PICKED_UP, 1)):
            held.track(TrackingUpdate("FK1", status.value, status,
                                      store.clock.now() + timedelta(minutes=minutes),
                                      f"e{minutes}", location="HCM"),
                       ShipmentPolicy(), source="webhook", now=store.clock.now())
        held.track(TrackingUpdate("FK1", "weird", None, store.clock.now(), "e0"),
                   ShipmentPolicy(), source="poll", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        loaded = uow.shipments.get(shipment.id)

    assert state(loaded) == state(held)
    assert loaded.status is S.IN_TRANSIT
    assert [(e.carrier_status, e.applied) for e in loaded.tracking_events] == [
        ("picked_up", True), ("in_transit", True), ("picked_up", False), ("weird", False)]
    assert loaded.cost == Money(25_000, "VND")
    assert loaded.destination == HOME


def test_lookups_by_package_order_tracking_number_and_status(store: Store) -> None:
    first = book(store, draft(store, package_id="p1"), "FK1")
    second = draft(store, package_id="p2")
    other = draft(store, order_id="o2", package_id="p3")

    with store.uow() as uow:
        by_package = uow.shipments.for_package("f1", "p2")
        of_order = uow.shipments.for_order("o1")
        by_number = uow.shipments.by_tracking_number("fake", "FK1")
        anywhere = uow.shipments.find_by_tracking_number("FK1")
        drafts = uow.shipments.list(statuses=["draft"])
        due = uow.shipments.bookings_due(store.clock.now(), 10)
        stale = uow.shipments.stale(["booked"], store.clock.now(), 10)
        none_stale = uow.shipments.stale(["booked"], store.clock.now() - timedelta(hours=1), 10)
        missing = uow.shipments.for_package("f1", "nope")

    assert by_package is not None
    assert by_package.id == second.id
    assert [s.id for s in of_order] == [first.id, second.id]
    assert by_number is not None
    assert anywhere is not None
    assert by_number.id == anywhere.id == first.id
    assert {s.id for s in drafts} == {second.id, other.id}
    assert set(due) == {second.id, other.id}
    assert (stale, none_stale, missing) == ([first.id], [], None)


def test_an_unknown_shipment_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(ShipmentNotFound):
        uow.shipments.get("nope")


def test_one_shipment_per_package(store: Store) -> None:
    draft(store, package_id="p1")
    with pytest.raises(ConcurrencyConflict):
        draft(store, package_id="p1")


def test_one_shipment_per_carrier_tracking_number(store: Store) -> None:
    book(store, draft(store, package_id="p1"), "FK1")
    second = draft(store, package_id="p2")
    with pytest.raises(DuplicateTrackingNumber):
        book(store, second, "FK1")
    with store.uow() as uow:
        assert uow.shipments.get(second.id).status is S.DRAFT


def test_delivered_cash_not_yet_recorded_is_found(store: Store) -> None:
    shipment = book(store, draft(store, cod=Money(350_000, "VND")), "FK1")
    with store.uow() as uow:
        held = uow.shipments.get(shipment.id)
        for n, status in enumerate((S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED), start=1):
            held.track(TrackingUpdate("FK1", status.value, status,
                                      store.clock.now() + timedelta(minutes=n), f"e{n}",
                                      cod_collected=Money(350_000, "VND")
                                      if status is S.DELIVERED else None),
                       ShipmentPolicy(), source="webhook", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        assert uow.shipments.cod_unsettled(10) == [shipment.id]
        uow.shipments.get(shipment.id).cod_settled_now()
        uow.commit()
    with store.uow() as uow:
        assert uow.shipments.cod_unsettled(10) == []
