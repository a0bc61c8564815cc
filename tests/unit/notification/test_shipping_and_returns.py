"""The shipping and returns events notify the order's customer (spec §5 trigger matrix): each
event makes its channels' messages once, however often it is delivered, and "order shipped"
is sent once per order whether the warehouse's hand-over or the carrier's pickup announces
it. Memory adapters, the fake carrier, recording notifiers."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from attrs import evolve

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.notification import FormatRenderer, RecordingNotifier, StaticDirectory
from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.inventory.warehouses import Address, WarehouseDetails
from commerce_core.notification.ports import Channel, Notification, NotificationPorts, Recipient
from commerce_core.ordering import services as ordering
from commerce_core.returns.model import ReturnPolicy, RiskFacts
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import EventEnvelope
from tests.shop import SHIRT, cart_with, every_event, two_warehouse_shop
from tests.unit.notification.support import CUSTOMER, DEVICE, EMAIL, PHONE, notifying_shop
from tests.unit.shipping.support import SHIP_TO, ready

DESK = PostalAddress("Returns desk", "0281234567", "1 Kho Hang", "Ho Chi Minh", "VN")


class FixedRisk:
    def __init__(self, score: int) -> None:
        self.score = score

    def __call__(self, facts: RiskFacts) -> int:
        return self.score


def shop(*, risk: int = 20) -> tuple[Commerce, FakeCarrier]:
    """Ships with the fake carrier, takes returns (risk below 30 approves itself), notifies by
    email, SMS and push a customer whose phone and device the directory knows."""
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    ports.notifications = NotificationPorts(
        FormatRenderer(),
        {Channel.EMAIL: RecordingNotifier("mailer"), Channel.SMS: RecordingNotifier("sms"),
         Channel.PUSH: RecordingNotifier("push")},
        StaticDirectory({CUSTOMER: Recipient(CUSTOMER, phone=PHONE, device_token=DEVICE)}),
        rng=random.Random(7),
    )
    carrier = FakeCarrier(clock=ports.clock)
    ports.carriers = CarrierRegistry([carrier])
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0),
                        return_policy=ReturnPolicy(return_address=DESK),
                        return_risk=FixedRisk(risk))
    two_warehouse_shop(commerce)
    for code, city in (("HCM", "Ho Chi Minh"), ("HN", "Ha Noi")):
        commerce.inventory.update_warehouse(code, f"{code} warehouse", WarehouseDetails(
            address=Address(line1="1 Warehouse Road", city=city, state_province=city,
                            country_code="VN"), phone="0280000000"))
    return commerce, carrier


def handed_over(commerce: Commerce, *, ship_to: PostalAddress | None = SHIP_TO) -> str:
    """The customer's paid order, picked, packed and handed over by the warehouse."""
    placed = commerce.handle(PlaceOrder(cart_with(commerce, (SHIRT, 1)), "card", email=EMAIL,
                                        customer_id=CUSTOMER, ship_to=ship_to))
    commerce.payments.capture(placed.order_id)
    commerce.fulfillment.ship(ready(commerce, placed.order_id))
    return str(placed.order_id)


def carrier_says(commerce: Commerce, carrier: FakeCarrier, order_id: str,
                 *statuses: str) -> str:
    (shipment,) = commerce.shipping.for_order(order_id)
    tn = shipment.tracking_number
    assert tn is not None
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    for status in statuses:  # reports a few minutes apart, as a carrier sends them
        clock.advance(timedelta(minutes=5))
        commerce.shipping.process_webhook("fake", *carrier.webhook(tn, status))
    return tn


def made(commerce: Commerce, template_id: str) -> list[Notification]:
    return [n for n in commerce.notifications.list(limit=500) if n.template_id == template_id]


def channels(commerce: Commerce, template_id: str) -> list[str]:
    return sorted(n.channel.value for n in made(commerce, template_id))


def events(commerce: Commerce, event_type: str, **payload: Any) -> list[EventEnvelope]:
    with commerce.ports.uow() as uow:
        return [e for e in every_event(uow) if e.type == event_type
                and all(e.payload.get(k) == v for k, v in payload.items())]


def deliver_again(commerce: Commerce, envelopes: list[EventEnvelope], times: int = 2) -> None:
    assert envelopes
    for _ in range(times):
        for envelope in envelopes:
            assert commerce.bus.deliver(envelope) == {}


def order_number(commerce: Commerce, order_id: str) -> str:
    return commerce.orders.get(order_id).number


# -- order shipped: once per order ---------------------------------------------------------


def test_with_a_shipment_the_hand_over_waits_and_the_carrier_pickup_announces_it() -> None:
    commerce, carrier = shop()
    order_id = handed_over(commerce)
    assert made(commerce, "order_shipped") == []  # the warehouse's hand-over said nothing

    tn = carrier_says(commerce, carrier, order_id, "picked_up", "in_transit")

    assert channels(commerce, "order_shipped") == ["email", "push", "sms"]
    for n in made(commerce, "order_shipped"):
        assert n.recipient_id == CUSTOMER
        assert n.source_event_type == "shipping.shipment_status_changed"
        assert n.data == {"order_number": order_number(commerce, order_id),
                          "tracking_number": tn, "tracking_path": f"/track/{tn}"}
    (sms,) = [n for n in made(commerce, "order_shipped") if n.channel is Channel.SMS]
    assert f"/track/{tn}" in sms.text


def test_both_shipped_events_three_times_still_make_one_shipped_message_per_channel() -> None:
    commerce, carrier = shop()
    order_id = handed_over(commerce)
    carrier_says(commerce, carrier, order_id, "picked_up")
    both = (events(commerce, "fulfillment.status_changed", new_status="shipped")
            + events(commerce, "shipping.shipment_status_changed", new_status="picked_up"))
    assert len(both) == 2

    deliver_again(commerce, both)

    assert channels(commerce, "order_shipped") == ["email", "push", "sms"]


def test_an_order_no_carrier_ships_is_announced_at_the_hand_over_and_only_then() -> None:
    commerce = notifying_shop()  # no carriers and no ship-to address: no shipment is drafted
    order_id = handed_over(commerce, ship_to=None)
    assert commerce.shipping.for_order(order_id) == []
    assert channels(commerce, "order_shipped") == ["email", "push", "sms"]
    hand_over = made(commerce, "order_shipped")[0]
    assert hand_over.source_event_type == "fulfillment.status_changed"
    assert (hand_over.data["tracking_number"], hand_over.data["tracking_path"]) == ("", "")

    # A pickup reported for the same order (a shipment drafted after the hand-over was
    # handled) finds the order's shipped messages and adds none.
    (template,) = events(commerce, "fulfillment.status_changed", new_status="shipped")
    pickup = evolve(template, id="evt-late-pickup", type="shipping.shipment_status_changed",
                     payload={"shipment_id": "shp-late", "order_id": order_id,
                              "fulfillment_id": template.payload["fulfillment_id"],
                              "old_status": "booked", "new_status": "picked_up",
                              "reason": "carrier", "tracking_number": "FAKE-LATE",
                              "occurred_at": template.payload["occurred_at"]})
    deliver_again(commerce, [pickup], times=3)

    assert channels(commerce, "order_shipped") == ["email", "push", "sms"]


# -- on the road -------------------------------------------------------------------------------


def test_out_for_delivery_notifies_by_push_and_sms_once() -> None:
    commerce, carrier = shop()
    order_id = handed_over(commerce)
    tn = carrier_says(commerce, carrier, order_id, "picked_up", "in_transit",
                      "out_for_delivery")

    deliver_again(commerce, events(commerce, "shipping.shipment_status_changed",
                                   new_status="out_for_delivery"))

    assert channels(commerce, "out_for_delivery") == ["push", "sms"]
    (sms,) = [n for n in made(commerce, "out_for_delivery") if n.channel is Channel.SMS]
    assert sms.address == PHONE
    assert f"/track/{tn}" in sms.text


def test_delivered_notifies_by_push_and_email_once_with_the_tracking_number() -> None:
    commerce, carrier = shop()
    order_id = handed_over(commerce)
    tn = carrier_says(commerce, carrier, order_id, "picked_up", "in_transit", "delivered")

    deliver_again(commerce, events(commerce, "shipping.shipment_delivered"))

    assert channels(commerce, "order_delivered") == ["email", "push"]
    (email,) = [n for n in made(commerce, "order_delivered") if n.channel is Channel.EMAIL]
    assert (email.address, email.recipient_id) == (EMAIL, CUSTOMER)
    assert email.data == {"order_number": order_number(commerce, order_id),
                          "tracking_number": tn, "tracking_path": f"/track/{tn}"}
    commerce.notifications.send_due()
    assert commerce.notifications.send_due().sent == 0
    assert len(made(commerce, "order_delivered")) == 2


def test_a_failed_delivery_attempt_notifies_by_sms_and_push_once_per_attempt() -> None:
    commerce, carrier = shop()
    order_id = handed_over(commerce)
    carrier_says(commerce, carrier, order_id, "picked_up", "in_transit", "out_for_delivery",
                 "delivery_failed")

    deliver_again(commerce, events(commerce, "shipping.delivery_failed"))

    assert channels(commerce, "delivery_failed") == ["push", "sms"]
    assert {n.data["attempt"] for n in made(commerce, "delivery_failed")} == {"1"}

    carrier_says(commerce, carrier, order_id, "out_for_delivery", "delivery_failed")

    assert channels(commerce, "delivery_failed") == ["push", "push", "sms", "sms"]
    assert channels(commerce, "out_for_delivery") == ["push", "push", "sms", "sms"]


# -- returns -----------------------------------------------------------------------------------


def delivered(commerce: Commerce, carrier: FakeCarrier) -> str:
    order_id = handed_over(commerce)
    carrier_says(commerce, carrier, order_id, "picked_up", "in_transit", "delivered")
    return order_id


def ask_return(commerce: Commerce, order_id: str) -> str:
    with commerce.ports.uow() as uow:
        (line,) = ordering.returnable(uow, order_id).lines
    return commerce.returns.request(order_id, [(line.line_id, 1)], "defective",
                                    customer_id=CUSTOMER)


def test_an_approved_return_notifies_by_email_and_push_once_with_its_label() -> None:
    commerce, carrier = shop(risk=20)  # a low risk approves itself and books a label
    order_id = delivered(commerce, carrier)
    ret = commerce.returns.get(ask_return(commerce, order_id))
    assert ret.status.value == "approved"
    assert ret.tracking_number

    deliver_again(commerce, events(commerce, "returns.return_approved"))

    assert channels(commerce, "return_approved") == ["email", "push"]
    (approved,) = events(commerce, "returns.return_approved")
    (email,) = [n for n in made(commerce, "return_approved") if n.channel is Channel.EMAIL]
    assert email.data == {"order_number": order_number(commerce, order_id),
                          "label_url": approved.payload["label_url"] or "",
                          "tracking_number": ret.tracking_number,
                          "tracking_path": f"/track/{ret.tracking_number}"}
    assert ret.tracking_number in email.text


def test_a_rejected_return_tells_the_customer_why_by_email_once() -> None:
    commerce, carrier = shop(risk=50)  # a middling risk waits for staff
    order_id = delivered(commerce, carrier)
    return_id = ask_return(commerce, order_id)
    commerce.returns.reject(return_id, "the shirt was worn and washed")

    deliver_again(commerce, events(commerce, "returns.return_rejected"))

    assert channels(commerce, "return_rejected") == ["email"]
    assert made(commerce, "return_approved") == []
    (email,) = made(commerce, "return_rejected")
    assert email.data["reason"] == "the shirt was worn and washed"
    assert email.text == "the shirt was worn and washed"
