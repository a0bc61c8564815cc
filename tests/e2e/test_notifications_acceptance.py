"""Acceptance: a Vietnamese and an English customer each place a real order through the
`Commerce` facade on the SQL store; it is confirmed, paid, shipped and refunded. Every event
is then delivered twice more, as an at-least-once broker may. The worker's sender hands the
emails to a local SMTP server: each customer gets the confirmation, payment, shipment and
refund emails exactly once, in their language, rendered from the shipped templates."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.memory.fulfillment import RecordingCarrier
from adapters.memory.notification import StaticDirectory
from adapters.notify import JinjaRenderer, SmtpEmailNotifier, SmtpSettings
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.fulfillment.model import FulfillmentPolicy, PackageSpec
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from tests.shop import every_event
from tests.smtp_server import RecordingHandler, smtp_server

CUSTOMERS = {"cus-lan": ("lan@example.vn", "vi"), "cus-john": ("john@example.com", "en")}
SUBJECTS = {
    "vi": ["Đơn hàng {n} đã được xác nhận", "Đã nhận thanh toán",
           "Đơn hàng {n} đang được giao", "Hoàn tiền đã được xử lý"],
    "en": ["Order {n} is confirmed", "Payment received", "Order {n} is on its way",
           "Your refund was processed"],
}
TRIGGERING = {"order.confirmed", "payment.captured", "fulfillment.status_changed",
              "payment.refunded"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def mail() -> Iterator[tuple[int, RecordingHandler]]:
    with smtp_server() as server:
        yield server


def shop(url: str, smtp_port: int) -> Commerce:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    ports.carrier = RecordingCarrier()
    ports.notifications = NotificationPorts(
        JinjaRenderer(),
        {Channel.EMAIL: SmtpEmailNotifier(SmtpSettings("127.0.0.1", smtp_port,
                                                       "shop@example.vn"))},
        StaticDirectory({cid: Recipient(cid, locale=locale)
                         for cid, (_, locale) in CUSTOMERS.items()}),
        rng=random.Random(1),
    )
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Linen shirt", "linen-shirt",
                                    [VariantSpec("LINEN-SHIRT-M", Money(350_000, "VND"))],
                                    publish=True)
    commerce.inventory.set_stock("LINEN-SHIRT-M", "HCM", 10)
    return commerce


def order_to_refund(commerce: Commerce, customer_id: str, email: str) -> str:
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    placed = commerce.checkout.place_order(cart_id, customer_id=customer_id, email=email)
    commerce.payments.capture(placed.order_id)
    (fulfillment,) = commerce.fulfillment.for_order(placed.order_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment.id])
    commerce.fulfillment.confirm_picked(fulfillment.id)
    commerce.fulfillment.start_packing(fulfillment.id)
    commerce.fulfillment.confirm_packed(fulfillment.id, [PackageSpec(400, 30, 20, 5)])
    commerce.fulfillment.mark_ready(fulfillment.id)
    commerce.fulfillment.ship(fulfillment.id)
    commerce.payments.refund(placed.order_id, idempotency_key=f"refund-{customer_id}")
    return commerce.orders.get(placed.order_id).number


def test_each_customer_gets_each_email_once_in_their_language(
    url: str, mail: tuple[int, RecordingHandler],
) -> None:
    port, server = mail
    commerce = shop(url, port)
    numbers = {cid: order_to_refund(commerce, cid, email)
               for cid, (email, _) in CUSTOMERS.items()}
    with commerce.ports.uow() as uow:
        delivered = [e for e in every_event(uow) if e.type in TRIGGERING]
    assert len(delivered) > 4

    for _ in range(2):  # the second and third delivery of every event
        for envelope in delivered:
            assert commerce.bus.deliver(envelope) == {}
    report = commerce.notifications.send_due(limit=100)

    assert (report.sent, report.failed, report.retrying) == (8, 0, 0)
    assert commerce.notifications.send_due().sent == 0
    for cid, (email, locale) in CUSTOMERS.items():
        got = sorted(str(m["Subject"]) for m in server.messages if m["To"] == email)
        expected = sorted(s.format(n=numbers[cid]) for s in SUBJECTS[locale])
        assert got == expected, cid
    lan = next(m for m in server.messages if m["To"] == "lan@example.vn"
               and "xác nhận" in str(m["Subject"]))
    assert "350,000 VND" in lan.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = lan.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f"<strong>{numbers['cus-lan']}</strong>" in html
    sent = commerce.notifications.list(status="sent", limit=100)
    assert {n.recipient_id for n in sent} == set(CUSTOMERS)
    assert all(len(n.attempts) == 1 for n in sent)
