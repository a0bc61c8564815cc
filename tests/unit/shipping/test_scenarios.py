"""The shipping spec's acceptance scenarios 6-19, on the memory adapters and the fake carrier."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory import FrozenClock
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.money import Money
from commerce_core.shipping.errors import (
    DuplicateTrackingNumber,
    InvalidShipmentTransition,
    ShipmentRefused,
    WebhookRejected,
)
from commerce_core.shipping.ports import Booking, CarrierUnavailable, ShipmentStatus
from tests.shop import SHIRT, events_of
from tests.unit.shipping.support import order, ready, shipped, shipping_shop

S = ShipmentStatus


def _clock(commerce: object) -> FrozenClock:
    clock = commerce.ports.clock  # type: ignore[attr-defined]
    assert isinstance(clock, FrozenClock)
    return clock


def _ready_event(payload: dict[str, object]) -> EventEnvelope:
    return EventEnvelope("evt-1", "fulfillment.package_status_changed", 1,
                         FrozenClock().now(), "pkg-1", payload)


def test_6_a_ready_package_without_an_order_id_is_refused_and_creates_nothing() -> None:
    commerce, _ = shipping_shop()
    event = _ready_event({"status": "ready", "fulfillment_id": "f1", "package_id": "p1",
                          "warehouse_id": "w1"})

    failures = commerce.bus.deliver(event)

    assert "order_id" in failures["shipping.draft_shipment_on_package_ready"]
    assert commerce.shipping.list() == []


def test_7_the_same_ready_event_twice_makes_one_shipment() -> None:
    commerce, _ = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    (payload,) = [p for p in events_of(commerce, "fulfillment.package_status_changed")
                  if p["status"] == "ready"]
    again = EventEnvelope("another-delivery", "fulfillment.package_status_changed", 1,
                          _clock(commerce).now(), str(payload["package_id"]), payload)

    assert commerce.bus.deliver(again) == {}

    (shipment,) = commerce.shipping.for_order(order_id)
    assert (shipment.status, shipment.package_id) == (S.DRAFT, payload["package_id"])


def test_8_a_booked_draft_has_a_tracking_number_and_its_creation_event() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))

    assert shipment.status is S.BOOKED
    assert shipment.tracking_number is not None
    assert carrier.status_of(shipment.tracking_number) is S.BOOKED
    (created,) = events_of(commerce, "shipping.shipment_created")
    assert (created["shipment_id"], created["status"]) == (shipment.id, "draft")


def test_a_timed_out_booking_is_found_again_by_reference() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    (draft,) = commerce.shipping.for_order(order_id)
    original_book = carrier.book

    def book_then_time_out(request: object) -> Booking:
        original_book(request)  # type: ignore[arg-type]
        raise CarrierUnavailable("timed out after booking")

    carrier.book = book_then_time_out  # type: ignore[method-assign]
    booked = commerce.shipping.book(draft.id)

    assert booked.status is S.BOOKED
    assert carrier.calls[-1] == "find_booking"


def test_a_failed_booking_keeps_the_draft_retries_with_backoff_then_flags() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    (draft,) = commerce.shipping.for_order(order_id)
    clock = _clock(commerce)

    for _ in range(3):
        carrier.fail_next(2)  # book and find_booking
        assert commerce.shipping.retry_bookings() == 0
        clock.advance(timedelta(hours=1))
    flagged = commerce.shipping.get(draft.id)

    assert (flagged.status, flagged.booking_attempts, flagged.needs_attention) == (
        S.DRAFT, 3, True)
    assert commerce.shipping.retry_bookings() == 0  # flagged drafts wait for a person
    assert events_of(commerce, "shipping.booking_failed")[-1]["flagged"] is True


def test_9_a_late_in_transit_after_delivery_is_history_only() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    tn = shipment.tracking_number
    assert tn is not None
    clock = _clock(commerce)
    early = clock.now()
    for status in ("picked_up", "in_transit", "delivered"):
        clock.advance(timedelta(minutes=10))
        commerce.shipping.process_webhook("fake", *carrier.webhook(tn, status))

    commerce.shipping.process_webhook(
        "fake", *carrier.webhook(tn, "in_transit", at=early, event_id="late"))

    after = commerce.shipping.get(shipment.id)
    assert after.status is S.DELIVERED
    assert [(e.carrier_status, e.applied) for e in after.tracking_events][-1] == (
        "in_transit", False)


def test_10_a_bad_signature_is_rejected_and_changes_nothing() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    headers, body = carrier.webhook(shipment.tracking_number, "picked_up")

    with pytest.raises(WebhookRejected):
        commerce.shipping.process_webhook("fake", {**headers, "X-Fake-Signature": "00"}, body)

    after = commerce.shipping.get(shipment.id)
    assert (after.status, after.tracking_events) == (S.BOOKED, [])


def test_11_the_same_webhook_twice_is_one_event_and_one_transition() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    headers, body = carrier.webhook(shipment.tracking_number, "picked_up")

    first = commerce.shipping.process_webhook("fake", headers, body)
    second = commerce.shipping.process_webhook("fake", headers, body)

    assert (first.applied, second.applied, second.duplicates) == (1, 0, 1)
    after = commerce.shipping.get(shipment.id)
    assert len(after.tracking_events) == 1
    changes = [e for e in events_of(commerce, "shipping.shipment_status_changed")
               if e["new_status"] == "picked_up"]
    assert len(changes) == 1


def test_12_confirm_delivery_writes_status_changed_and_delivered_together() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    for status in ("picked_up", "in_transit"):
        commerce.shipping.process_webhook("fake", *carrier.webhook(shipment.tracking_number,
                                                                   status))

    with commerce.ports.uow() as uow:  # the shipment as ConfirmDelivery's one commit sees it
        held = uow.shipments.get(shipment.id)
        held.confirm_delivery(signature_url="https://sig/1", photo_url=None,
                              notes="left with the porter", now=_clock(commerce).now())
        recorded = [type(e).__name__ for e in held.events]
    assert recorded == ["ShipmentStatusChanged", "ShipmentDelivered"]

    commerce.shipping.confirm_delivery(shipment.id, signature_url="https://sig/1",
                                       notes="left with the porter")

    changed = events_of(commerce, "shipping.shipment_status_changed")[-1]
    delivered = events_of(commerce, "shipping.shipment_delivered")[-1]
    assert (changed["old_status"], changed["new_status"]) == ("in_transit", "delivered")
    assert delivered["signature_url"] == "https://sig/1"
    after = commerce.shipping.get(shipment.id)
    assert (after.status, after.previous_status) == (S.DELIVERED, S.IN_TRANSIT)
    assert after.proof_notes == "left with the porter"


def test_13_a_stale_shipment_is_polled_and_delivered_the_webhook_way() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    tn = shipment.tracking_number
    assert tn is not None
    commerce.shipping.process_webhook("fake", *carrier.webhook(tn, "in_transit"))
    clock = _clock(commerce)
    clock.advance(timedelta(minutes=90))
    carrier.advance(tn, "delivered")  # the carrier knows; its webhook never came

    result = commerce.shipping.poll()

    assert result.applied == 1
    after = commerce.shipping.get(shipment.id)
    assert after.status is S.DELIVERED
    assert after.tracking_events[-1].source == "poll"
    assert commerce.orders.get(after.order_id).status.value == "delivered"


def test_14_a_shipment_updated_20_minutes_ago_is_not_polled() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    commerce.shipping.process_webhook("fake", *carrier.webhook(shipment.tracking_number,
                                                               "in_transit"))
    _clock(commerce).advance(timedelta(minutes=20))
    calls = len(carrier.calls)

    commerce.shipping.poll()

    assert "track" not in carrier.calls[calls:]


def test_15_cancelling_an_order_cancels_every_shipment_and_reports_the_failure() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 3))
    fulfillment_id = ready(commerce, order_id)
    (draft,) = commerce.shipping.for_order(order_id)
    for package in ("p-2", "p-3"):
        envelope = EventEnvelope(f"evt-{package}", "fulfillment.package_status_changed", 1,
                                 _clock(commerce).now(), package, {
                                     "status": "ready", "order_id": order_id,
                                     "fulfillment_id": fulfillment_id, "package_id": package,
                                     "warehouse_id": draft.warehouse_id, "weight_grams": 300,
                                     "length_cm": 10, "width_cm": 10, "height_cm": 10})
        assert commerce.bus.deliver(envelope) == {}
    first, second, third = commerce.shipping.for_order(order_id)
    for shipment in (first, second, third):
        commerce.shipping.book(shipment.id)
    real_cancel = carrier.cancel
    second_tn = commerce.shipping.get(second.id).tracking_number

    def cancel(tracking_number: str) -> None:
        if tracking_number == second_tn:
            raise CarrierUnavailable("the carrier timed out")
        real_cancel(tracking_number)

    carrier.cancel = cancel  # type: ignore[method-assign]
    report = commerce.shipping.cancel_for_order(order_id)

    assert set(report.cancelled) == {first.id, third.id}
    assert list(report.errors) == [second.id]
    statuses = [commerce.shipping.get(s.id).status for s in (first, second, third)]
    assert statuses == [S.CANCELLED, S.BOOKED, S.CANCELLED]


def test_an_order_cancelled_before_pickup_cancels_its_shipment() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    (draft,) = commerce.shipping.for_order(order_id)
    booked = commerce.shipping.book(draft.id)

    commerce.orders.cancel(order_id, "customer changed their mind")

    assert commerce.shipping.get(draft.id).status is S.CANCELLED
    assert booked.tracking_number is not None
    assert carrier.status_of(booked.tracking_number) is S.CANCELLED


def test_16_a_tracking_number_used_twice_by_one_carrier_is_refused() -> None:
    commerce, carrier = shipping_shop()
    first = shipped(commerce, (SHIRT, 1))
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    (draft,) = commerce.shipping.for_order(order_id)
    assert first.tracking_number is not None
    carrier.book = lambda request: Booking(first.tracking_number or "")  # type: ignore

    with pytest.raises(DuplicateTrackingNumber):
        commerce.shipping.book(draft.id)

    after = commerce.shipping.get(draft.id)
    assert (after.status, after.tracking_number, after.needs_attention) == (S.DRAFT, None, True)


def test_17_a_failed_attempt_then_a_reattempt() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    tn = shipment.tracking_number
    assert tn is not None
    clock = _clock(commerce)
    for status in ("picked_up", "in_transit", "out_for_delivery", "delivery_failed"):
        clock.advance(timedelta(minutes=5))
        commerce.shipping.process_webhook("fake", *carrier.webhook(tn, status))
    assert commerce.shipping.get(shipment.id).status is S.DELIVERY_FAILED

    clock.advance(timedelta(minutes=5))
    commerce.shipping.process_webhook("fake", *carrier.webhook(tn, "out_for_delivery"))

    after = commerce.shipping.get(shipment.id)
    assert (after.status, after.delivery_attempts) == (S.OUT_FOR_DELIVERY, 1)
    assert events_of(commerce, "shipping.delivery_failed")[-1]["attempt"] == 1


def test_three_failed_attempts_send_the_parcel_back() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    tn = shipment.tracking_number
    assert tn is not None
    clock = _clock(commerce)
    for status in ("picked_up", "in_transit", *(["out_for_delivery", "delivery_failed"] * 3)):
        clock.advance(timedelta(minutes=5))
        commerce.shipping.process_webhook("fake", *carrier.webhook(tn, status))

    after = commerce.shipping.get(shipment.id)
    assert (after.status, after.delivery_attempts) == (S.RETURNING, 3)


def test_18_costs_are_in_the_orders_currency() -> None:
    commerce, _ = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))

    assert shipment.currency == "VND"
    assert shipment.cost is not None
    assert shipment.cost.currency == "VND"


def test_19_cancelling_after_pickup_asks_the_carrier_and_returns_the_parcel() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    commerce.shipping.process_webhook("fake", *carrier.webhook(shipment.tracking_number,
                                                               "picked_up"))
    calls = len(carrier.calls)

    status = commerce.shipping.cancel(shipment.id)

    assert status == "returning"
    assert "cancel" in carrier.calls[calls:]
    assert commerce.shipping.get(shipment.id).status is S.RETURNING


def test_a_delivered_shipment_cannot_be_cancelled() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    for status in ("picked_up", "delivered"):
        commerce.shipping.process_webhook("fake", *carrier.webhook(shipment.tracking_number,
                                                                   status))
    with pytest.raises(InvalidShipmentTransition):
        commerce.shipping.cancel(shipment.id)


def test_an_order_without_ship_to_is_refused_and_its_fulfillment_stays_ready() -> None:
    commerce, _ = shipping_shop()
    order_id = order(commerce, (SHIRT, 1), ship_to=None)
    fulfillment_id = ready(commerce, order_id)

    with pytest.raises(ShipmentRefused, match="ship-to"):
        commerce.fulfillment.ship(fulfillment_id)

    assert commerce.fulfillment.get(fulfillment_id).status.value == "ready"
    assert commerce.shipping.for_order(order_id) == []


def test_the_order_follows_its_shipment_processing_shipped_delivered() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    assert commerce.orders.get(order_id).status.value == "processing"
    (draft,) = commerce.shipping.for_order(order_id)
    tn = commerce.shipping.book(draft.id).tracking_number
    assert tn is not None

    commerce.shipping.process_webhook("fake", *carrier.webhook(tn, "picked_up"))
    assert commerce.orders.get(order_id).status.value == "shipped"
    commerce.shipping.process_webhook("fake", *carrier.webhook(tn, "delivered"))
    assert commerce.orders.get(order_id).status.value == "delivered"


def test_cash_collected_at_delivery_settles_the_cod_payment() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1), method="cod")
    tn = shipment.tracking_number
    assert tn is not None
    assert shipment.cod_amount is not None
    commerce.shipping.process_webhook("fake", *carrier.webhook(tn, "picked_up"))

    commerce.shipping.process_webhook("fake", *carrier.webhook(
        tn, "delivered", cod_collected=shipment.cod_amount))

    (payment,) = commerce.payments.for_order(shipment.order_id)
    assert payment.status.value == "captured"
    assert commerce.shipping.get(shipment.id).cod_settled is True


def test_the_carrier_is_the_one_the_shipping_method_names() -> None:
    commerce, _ = shipping_shop()
    order_id = order(commerce, (SHIRT, 1), shipping_method="fake:express")
    ready(commerce, order_id)

    (shipment,) = commerce.shipping.for_order(order_id)
    assert (shipment.carrier, shipment.service_type) == ("fake", "express")


def test_a_label_is_rendered_by_the_carrier_and_recorded() -> None:
    commerce, _ = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))

    label = commerce.shipping.label(shipment.id)

    assert label.content is not None
    assert label.content.startswith(b"%PDF")
    assert commerce.shipping.get(shipment.id).label_format == "pdf"
    assert events_of(commerce, "shipping.label_generated")[-1]["shipment_id"] == shipment.id


def test_public_tracking_shows_no_personal_data() -> None:
    commerce, carrier = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1))
    assert shipment.tracking_number is not None
    commerce.shipping.process_webhook("fake", *carrier.webhook(shipment.tracking_number,
                                                               "picked_up"))

    view = commerce.shipping.track(shipment.tracking_number)

    assert (view.status, [e.status for e in view.events]) == ("picked_up", ["picked_up"])
    assert "Nguyen" not in repr(view)


def test_an_unreadable_verified_webhook_is_invalid_input() -> None:
    commerce, carrier = shipping_shop()
    body = b"not json"
    with pytest.raises(InvalidInput):
        commerce.shipping.process_webhook("fake", {"X-Fake-Signature": carrier.sign(body)},
                                          body)


def test_money_in_the_cod_amount_is_the_orders_total() -> None:
    commerce, _ = shipping_shop()
    shipment = shipped(commerce, (SHIRT, 1), method="cod")
    order = commerce.orders.get(shipment.order_id)
    assert shipment.cod_amount == order.totals.total
    assert isinstance(shipment.cod_amount, Money)
