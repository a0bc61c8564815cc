"""Acceptance: a Vietnamese and an English customer each order through the `Commerce` facade on
the SQL store; the fake carrier picks the parcel up and delivers it, and the customer's return
approves itself with a label. Every event is then delivered twice more, as an at-least-once
broker may. The worker's sender hands the emails to a local SMTP server: each customer gets
the shipped, delivered and return-approved emails exactly once, in their language, with the
public tracking path."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters import sql
from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.memory.notification import StaticDirectory
from adapters.notify import JinjaRenderer, SmtpEmailNotifier, SmtpSettings
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.fulfillment.model import FulfillmentPolicy, PackageSpec
from commerce_core.inventory.warehouses import Address, WarehouseDetails
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from commerce_core.ordering import services as ordering
from commerce_core.returns.model import ReturnPolicy, RiskFacts
from commerce_core.shared.address import PostalAddress
from tests.shop import every_event
from tests.smtp_server import RecordingHandler, smtp_server

CUSTOMERS = {"cus-lan": ("lan@example.vn", "vi"), "cus-john": ("john@example.com", "en")}
SUBJECTS = {
    "vi": ["Đơn hàng {n} đã được xác nhận", "Đã nhận thanh toán",
           "Đơn hàng {n} đang được giao", "Đơn hàng {n} đã được giao thành công",
           "Yêu cầu đổi trả đơn hàng {n} đã được chấp nhận"],
    "en": ["Order {n} is confirmed", "Payment received", "Order {n} is on its way",
           "Order {n} was delivered", "Your return for order {n} is approved"],
}
TRIGGERING = {"order.confirmed", "payment.captured", "fulfillment.status_changed",
              "shipping.shipment_status_changed", "shipping.shipment_delivered",
              "returns.return_approved"}
SHIP_TO = PostalAddress("Lan Nguyen", "0901234567", "12 Ly Tu Trong", "Ho Chi Minh", "VN",
                        ward="Ben Nghe")
DESK = PostalAddress("Returns desk", "0281234567", "1 Kho Hang", "Ho Chi Minh", "VN")


class LowRisk:
    def __call__(self, facts: RiskFacts) -> int:
        return 10  # approves itself and books a return label


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def mail() -> Iterator[tuple[int, RecordingHandler]]:
    with smtp_server() as server:
        yield server


def shop(url: str, smtp_port: int) -> tuple[Commerce, FakeCarrier]:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    carrier = FakeCarrier(clock=ports.clock)
    ports.carriers = CarrierRegistry([carrier])
    ports.notifications = NotificationPorts(
        JinjaRenderer(),
        {Channel.EMAIL: SmtpEmailNotifier(SmtpSettings("127.0.0.1", smtp_port,
                                                       "shop@example.vn"))},
        StaticDirectory({cid: Recipient(cid, locale=locale)
                         for cid, (_, locale) in CUSTOMERS.items()}),
        rng=random.Random(1),
    )
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0),
                        return_policy=ReturnPolicy(return_address=DESK), return_risk=LowRisk())
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.inventory.update_warehouse("HCM", "HCM warehouse", WarehouseDetails(
        address=Address(line1="1 Warehouse Road", city="Ho Chi Minh",
                        state_province="Ho Chi Minh", country_code="VN"), phone="0280000000"))
    commerce.catalog.create_product(
        "Linen shirt", "linen-shirt",
        [VariantSpec("LINEN-SHIRT-M", Money(350_000, "VND"), weight_grams=250)], publish=True)
    commerce.inventory.set_stock("LINEN-SHIRT-M", "HCM", 10)
    return commerce, carrier


def delivered_and_returned(commerce: Commerce, carrier: FakeCarrier, customer_id: str,
                           email: str) -> tuple[str, str, str]:
    """The customer's order, shipped, delivered and returned: its number, its tracking number
    and its return's."""
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    placed = commerce.handle(PlaceOrder(cart_id, "card", email=email, customer_id=customer_id,
                                        ship_to=SHIP_TO))
    commerce.payments.capture(placed.order_id)
    (fulfillment,) = commerce.fulfillment.for_order(placed.order_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment.id])
    commerce.fulfillment.confirm_picked(fulfillment.id)
    commerce.fulfillment.start_packing(fulfillment.id)
    commerce.fulfillment.confirm_packed(fulfillment.id, [PackageSpec(250, 30, 20, 5)])
    commerce.fulfillment.mark_ready(fulfillment.id)
    tn = commerce.shipping.get(commerce.fulfillment.ship(fulfillment.id)).tracking_number
    assert tn is not None
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    for status in ("picked_up", "in_transit", "delivered"):
        clock.advance(timedelta(minutes=5))
        commerce.shipping.process_webhook("fake", *carrier.webhook(tn, status))
    with commerce.ports.uow() as uow:
        (line,) = ordering.returnable(uow, placed.order_id).lines
    return_id = commerce.returns.request(placed.order_id, [(line.line_id, 1)], "defective",
                                         customer_id=customer_id)
    returned = commerce.returns.get(return_id)
    assert returned.status.value == "approved"
    assert returned.tracking_number is not None
    return commerce.orders.get(placed.order_id).number, tn, returned.tracking_number


def test_delivered_and_return_approved_emails_come_once_in_the_customers_language(
    url: str, mail: tuple[int, RecordingHandler],
) -> None:
    port, server = mail
    commerce, carrier = shop(url, port)
    orders = {cid: delivered_and_returned(commerce, carrier, cid, email)
              for cid, (email, _) in CUSTOMERS.items()}
    with commerce.ports.uow() as uow:
        again = [e for e in every_event(uow) if e.type in TRIGGERING]
    assert {e.type for e in again} == TRIGGERING

    for _ in range(2):  # the second and third delivery of every event
        for envelope in again:
            assert commerce.bus.deliver(envelope) == {}
    report = commerce.notifications.send_due(limit=100)

    assert (report.sent, report.failed, report.retrying) == (10, 0, 0)
    assert commerce.notifications.send_due().sent == 0
    for cid, (email, locale) in CUSTOMERS.items():
        number, tn, return_tn = orders[cid]
        got = sorted(str(m["Subject"]) for m in server.messages if m["To"] == email)
        assert got == sorted(s.format(n=number) for s in SUBJECTS[locale]), cid
        delivered, approved = (
            next(m for m in server.messages if m["To"] == email
                 and str(m["Subject"]) == SUBJECTS[locale][i].format(n=number))
            for i in (3, 4))
        text = delivered.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f"/track/{tn}" in text
        text = approved.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert return_tn in text
    sent = commerce.notifications.list(status="sent", limit=100)
    assert {n.recipient_id for n in sent} == set(CUSTOMERS)
    assert all(len(n.attempts) == 1 for n in sent)
