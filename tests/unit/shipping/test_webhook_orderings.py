"""Whatever order the carrier's reports arrive in, duplicated, late or shuffled, a shipment ends
in the state of the carrier's last report, stores each report once and enters each state of the
forward path at most once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.events import ShipmentStatusChanged
from commerce_core.shipping.model import Shipment, ShipmentPolicy
from commerce_core.shipping.ports import Booking, ShipmentStatus, TrackingUpdate

S = ShipmentStatus
T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
HOME = PostalAddress(name="A", phone="0901234567", line1="1 Street", province="Ha Noi",
                     country_code="VN")
JOURNEYS = {
    "delivered": (S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED),
    "delivered after a failed attempt": (S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY,
                                         S.DELIVERY_FAILED, S.OUT_FOR_DELIVERY, S.DELIVERED),
    "sent back": (S.PICKED_UP, S.IN_TRANSIT, S.RETURNING, S.RETURNED_TO_SENDER),
}


def _booked() -> Shipment:
    shipment = Shipment.draft(
        shipment_id="s1", order_id="o1", fulfillment_id="f1", package_id="p1",
        customer_id=None, warehouse_id="w1", carrier="fake", service_type="standard",
        origin=HOME, destination=HOME, weight_g=500, length_cm=10, width_cm=10, height_cm=10,
        currency="VND", cod_amount=None, now=T0)
    shipment.booked(Booking("FK1"), now=T0)
    return shipment


def _reports(journey: tuple[ShipmentStatus, ...]) -> list[TrackingUpdate]:
    return [TrackingUpdate("FK1", status.value, status, T0 + timedelta(minutes=10 * n),
                           f"e{n}") for n, status in enumerate(journey, start=1)]


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, list[TrackingUpdate]]:
    name = draw(st.sampled_from(sorted(JOURNEYS)))
    reports = _reports(JOURNEYS[name])
    repeated = draw(st.lists(st.sampled_from(reports), max_size=6))
    return name, draw(st.permutations(reports + repeated))


@given(deliveries())
@settings(max_examples=300, deadline=None)
def test_every_ordering_ends_where_the_carrier_ended(
        case: tuple[str, list[TrackingUpdate]]) -> None:
    name, arrivals = case
    shipment = _booked()
    shipment.events.clear()

    for n, update in enumerate(arrivals):
        shipment.track(update, ShipmentPolicy(), source="webhook",
                       now=T0 + timedelta(hours=2, seconds=n))

    assert shipment.status is JOURNEYS[name][-1]
    assert len(shipment.tracking_events) == len({u.carrier_event_id for u in arrivals})
    entered = [e.new_status for e in shipment.events if isinstance(e, ShipmentStatusChanged)]
    for state in ("picked_up", "in_transit", "delivered", "returning", "returned_to_sender"):
        assert entered.count(state) <= 1, entered
