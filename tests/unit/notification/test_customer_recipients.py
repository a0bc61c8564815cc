"""Recipients come from the customer context: the profile's phone and the language of the
customer's preferences decide where an SMS goes and which template speaks; the shop's own
directory adds only what customers do not hold (a device token)."""

from __future__ import annotations

import random
from datetime import timedelta

import attrs

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.fulfillment import RecordingCarrier
from adapters.memory.notification import RecordingNotifier, StaticDirectory
from adapters.notify import JinjaRenderer
from commerce_core import Commerce
from commerce_core.fulfillment.model import FulfillmentPolicy, PackageSpec
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from tests.identity_support import PASSWORD, identity_kit
from tests.shop import SHIRT, cart_with, stock_shop

LAN, JOHN = "cus-lan", "cus-john"


def shop(directory: StaticDirectory | None = None) -> Commerce:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    ports = attrs.evolve(ports, carrier=RecordingCarrier(), notifications=NotificationPorts(
        JinjaRenderer(),
        {Channel.EMAIL: RecordingNotifier("mailer"), Channel.SMS: RecordingNotifier("sms"),
         Channel.PUSH: RecordingNotifier("push")},
        directory, rng=random.Random(5)))
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    stock_shop(commerce)
    commerce.customers.register("lan@example.vn", "Lan", "Nguyen", phone="+84901111111",
                                customer_id=LAN, email_verified=True)
    commerce.customers.register("john@example.com", "John", "Smith", phone="+84902222222",
                                customer_id=JOHN, email_verified=True)
    commerce.customers.update_preferences(JOHN, {"language": "en"})
    return commerce


def ship(commerce: Commerce, customer_id: str, email: str) -> None:
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                           customer_id=customer_id, email=email)
    commerce.payments.capture(placed.order_id)
    (fulfillment,) = commerce.fulfillment.for_order(placed.order_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment.id])
    commerce.fulfillment.confirm_picked(fulfillment.id)
    commerce.fulfillment.start_packing(fulfillment.id)
    commerce.fulfillment.confirm_packed(fulfillment.id, [PackageSpec(500, 30, 20, 10)])
    commerce.fulfillment.mark_ready(fulfillment.id)
    commerce.fulfillment.ship(fulfillment.id)


def sms_of(commerce: Commerce) -> RecordingNotifier:
    given = commerce.ports.notifications
    assert given is not None
    found = given.notifiers[Channel.SMS]
    assert isinstance(found, RecordingNotifier)
    return found


def test_a_shipment_sms_goes_to_the_customers_phone_in_their_language() -> None:
    commerce = shop()  # the shop's own directory knows nobody

    ship(commerce, LAN, "lan@example.vn")
    ship(commerce, JOHN, "john@example.com")
    commerce.notifications.send_due(limit=100)

    texts = {m.to: m.text for m in sms_of(commerce).sent}
    assert set(texts) == {"+84901111111", "+84902222222"}
    assert texts["+84901111111"].startswith("Don hang ")  # vi
    assert texts["+84902222222"].startswith("Order ")  # en
    emails = [n for n in commerce.notifications.list(recipient_id=JOHN, limit=20)
              if n.channel is Channel.EMAIL]
    assert {n.locale for n in emails} == {"en"}
    assert {n.address for n in emails} == {"john@example.com"}


def test_the_profile_wins_and_the_shops_directory_adds_the_device() -> None:
    commerce = shop(StaticDirectory({LAN: Recipient(LAN, phone="+84909999999",
                                                    device_token="lan-device", locale="en")}))

    ship(commerce, LAN, "lan@example.vn")
    commerce.notifications.send_due(limit=100)

    assert [m.to for m in sms_of(commerce).sent] == ["+84901111111"]
    shipped = [n for n in commerce.notifications.list(recipient_id=LAN, limit=20)
               if n.template_id == "order_shipped"]
    assert sorted(n.channel.value for n in shipped) == ["email", "push", "sms"]
    assert {n.locale for n in shipped} == {"vi"}  # her preferences, not the directory's


def test_a_request_without_an_address_reaches_the_customers_phone() -> None:
    commerce = shop()
    commerce.customers.update_profile(JOHN, {"phone": "+84903333333"})

    sent = commerce.notifications.request(JOHN, "sms", "promotion",
                                          {"title": "Sale", "body": "Today"})

    assert sent.address == "+84903333333"
    assert sent.locale == "en"


def test_an_erased_customer_is_no_longer_reachable_through_the_directory() -> None:
    commerce = shop()
    commerce.customers.request_deletion(LAN)
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(days=31))
    commerce.customers.process_deletions()

    ship(commerce, LAN, "lan@example.vn")

    assert [n for n in commerce.notifications.list(recipient_id=LAN, limit=20)
            if n.channel is Channel.SMS] == []


def test_the_language_chosen_at_sign_up_is_the_customers() -> None:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    commerce = Commerce(attrs.evolve(ports, identity=identity_kit()))

    account = commerce.identity.register("mai@example.com", PASSWORD, locale="en")

    assert account.customer_id is not None
    assert commerce.customers.get(account.customer_id).preferences.language == "en"
