"""Notification scenarios (spec §5; acceptance 13, 14, 15, 16, 30) on memory adapters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.memory import FrozenClock, SequentialIds, bundle
from adapters.memory.notification import FormatRenderer, RecordingNotifier, StaticDirectory
from commerce_core import Commerce
from commerce_core.fulfillment.model import PackageSpec
from commerce_core.notification.errors import InvalidNotification, NotRetryable
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from tests.shop import SHIRT, cart_with, clock_of, every_event, make_commerce, stock_shop
from tests.unit.notification.support import (
    CUSTOMER,
    DEVICE,
    EMAIL,
    PHONE,
    notifier,
    notifying_shop,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PROMO = {"title": "Flash sale", "body": "50% off <today>"}


def at_local(clock: FrozenClock, hour: int, minute: int = 0) -> None:
    clock.set(datetime(2026, 3, 10, hour, minute, tzinfo=HCM).astimezone(UTC))


def test_a_repeated_correlation_id_creates_no_second_notification() -> None:
    commerce = notifying_shop()

    first = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                           address=EMAIL, correlation_id="campaign-1:an")
    again = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                           address=EMAIL, correlation_id="campaign-1:an")

    assert again.id == first.id
    assert len(commerce.notifications.list()) == 1


def test_a_marketing_push_in_quiet_hours_is_scheduled_for_the_window_end() -> None:
    commerce = notifying_shop()
    at_local(clock_of(commerce), 23)

    push = commerce.notifications.request(CUSTOMER, "push", "promotion", PROMO,
                                          category="marketing")

    assert push.status.value == "scheduled"
    assert push.scheduled_at == datetime(2026, 3, 11, 8, 0, tzinfo=HCM)
    assert commerce.notifications.send_due().sent == 0
    clock_of(commerce).set(datetime(2026, 3, 11, 8, 0, tzinfo=HCM).astimezone(UTC))
    assert commerce.notifications.send_due().sent == 1
    assert [m.to for m in notifier(commerce, Channel.PUSH).sent] == [DEVICE]


def test_quiet_hours_after_midnight_end_the_same_morning() -> None:
    commerce = notifying_shop()
    at_local(clock_of(commerce), 2, 30)

    push = commerce.notifications.request(CUSTOMER, "push", "promotion", PROMO,
                                          category="marketing")

    assert push.scheduled_at == datetime(2026, 3, 10, 8, 0, tzinfo=HCM)


def test_a_transactional_message_in_quiet_hours_is_not_delayed() -> None:
    commerce = notifying_shop()
    at_local(clock_of(commerce), 23)

    sms = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)

    assert sms.status.value == "pending"
    assert commerce.notifications.send_due().sent == 1


def test_a_provider_timeout_retries_at_about_5_and_10_minutes_then_fails() -> None:
    commerce = notifying_shop()
    clock = clock_of(commerce)
    notifier(commerce, Channel.EMAIL).transient.add(EMAIL)
    created = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                             address=EMAIL)

    waits = []
    for _ in range(2):
        assert commerce.notifications.send_due().retrying == 1
        waiting = commerce.notifications.get(created.id)
        assert waiting.status.value == "pending"
        assert waiting.next_retry_at is not None
        waits.append(waiting.next_retry_at - clock.now())
        assert commerce.notifications.send_due().retrying == 0  # not due yet
        clock.set(waiting.next_retry_at)
    assert commerce.notifications.send_due().failed == 1

    failed = commerce.notifications.get(created.id)
    assert timedelta(minutes=4) <= waits[0] <= timedelta(minutes=6)
    assert timedelta(minutes=8) <= waits[1] <= timedelta(minutes=12)
    assert failed.status.value == "failed"
    assert failed.error == "timeout"
    assert [(a.number, a.status, a.permanent) for a in failed.attempts] == [
        (1, "failed", False), (2, "failed", False), (3, "failed", False)]
    assert notifier(commerce, Channel.EMAIL).sent == []


def test_a_permanent_failure_is_not_retried() -> None:
    commerce = notifying_shop()
    notifier(commerce, Channel.EMAIL).permanent.add("nobody@example.vn")
    created = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                             address="nobody@example.vn")

    report = commerce.notifications.send_due()
    clock_of(commerce).advance(timedelta(hours=2))

    assert report.failed == 1
    assert commerce.notifications.send_due().failed == 0
    failed = commerce.notifications.get(created.id)
    assert (failed.status.value, failed.attempt_count, failed.error) == (
        "failed", 1, "bad_recipient")
    assert failed.attempts[0].permanent


def test_staff_retry_a_failed_notification() -> None:
    commerce = notifying_shop()
    notifier(commerce, Channel.EMAIL).permanent.add(EMAIL)
    created = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                             address=EMAIL)
    commerce.notifications.send_due()
    notifier(commerce, Channel.EMAIL).permanent.clear()

    commerce.notifications.retry(created.id)

    assert commerce.notifications.send_due().sent == 1
    sent = commerce.notifications.get(created.id)
    assert [a.status for a in sent.attempts] == ["failed", "sent"]
    with pytest.raises(NotRetryable):
        commerce.notifications.retry(created.id)


def test_a_late_sent_callback_never_downgrades_delivered() -> None:
    commerce = notifying_shop()
    created = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)
    commerce.notifications.send_due()
    sent = commerce.notifications.get(created.id)
    assert sent.provider_message_id is not None

    commerce.notifications.record_delivery("sms", sent.provider_message_id, "delivered")
    commerce.notifications.record_delivery("sms", sent.provider_message_id, "sent")
    commerce.notifications.record_delivery("sms", sent.provider_message_id, "failed")

    assert commerce.notifications.get(created.id).status.value == "delivered"


def test_a_recipient_who_opted_out_of_sms_gets_none_and_the_record_says_why() -> None:
    commerce = notifying_shop()
    commerce.notifications.update_preferences(CUSTOMER, sms=False)

    sms = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)
    commerce.notifications.send_due()

    stored = commerce.notifications.get(sms.id)
    assert (stored.status.value, stored.error) == ("cancelled", "opted_out")
    assert notifier(commerce, Channel.SMS).sent == []


def test_an_opt_out_after_the_request_is_honoured_by_the_sender() -> None:
    commerce = notifying_shop()
    sms = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)
    commerce.notifications.update_preferences(CUSTOMER, unsubscribed=True)

    assert commerce.notifications.send_due().cancelled == 1
    assert commerce.notifications.get(sms.id).error == "opted_out"


def test_marketing_needs_its_own_opt_in_but_order_updates_do_not() -> None:
    commerce = notifying_shop()  # the default: no marketing by SMS

    marketing = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO,
                                               category="marketing")
    transactional = commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)

    assert marketing.status.value == "cancelled"
    assert transactional.status.value == "pending"


def test_the_daily_cap_defers_marketing_to_the_next_day() -> None:
    commerce = notifying_shop()
    commerce.notifications.update_preferences(CUSTOMER, max_per_day=1)
    for n in range(2):
        commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO, address=EMAIL,
                                       category="marketing", correlation_id=f"promo-{n}")

    report = commerce.notifications.send_due()

    assert (report.sent, report.deferred) == (1, 1)
    (deferred,) = commerce.notifications.list(status="scheduled")
    assert deferred.scheduled_at == datetime(2026, 1, 16, 0, 0, tzinfo=HCM)


def test_a_notification_past_its_expiry_fails_unsent() -> None:
    commerce = notifying_shop()
    clock = clock_of(commerce)
    created = commerce.notifications.request(
        CUSTOMER, "sms", "promotion", PROMO, send_at=clock.now() + timedelta(hours=1),
        expires_at=clock.now() + timedelta(minutes=30))
    clock.advance(timedelta(hours=1))

    assert commerce.notifications.send_due().failed == 1
    expired = commerce.notifications.get(created.id)
    assert (expired.status.value, expired.error, expired.attempt_count) == (
        "failed", "expired", 0)


def test_a_missing_template_variable_is_refused_and_nothing_is_stored() -> None:
    commerce = notifying_shop()

    with pytest.raises(InvalidNotification, match="body"):
        commerce.notifications.request(CUSTOMER, "email", "promotion", {"title": "x"},
                                       address=EMAIL)

    assert commerce.notifications.list() == []


@pytest.mark.parametrize(("field", "value"), [
    ("quiet_start", "25:00"), ("timezone", "Mars/Olympus"), ("locale", "fr"),
    ("max_per_day", -1), ("colour", "blue"), ("sms", "no"), ("max_per_day", True),
])
def test_bad_preferences_are_refused(field: str, value: object) -> None:
    commerce = notifying_shop()

    with pytest.raises(InvalidNotification):
        commerce.notifications.update_preferences(CUSTOMER, **{field: value})

    assert commerce.notifications.preferences(CUSTOMER).quiet_start == "22:00"


def test_html_is_escaped_and_text_is_not() -> None:
    commerce = notifying_shop()

    email = commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO,
                                           address=EMAIL)

    assert "&lt;today&gt;" in email.html
    assert "<today>" in email.text


def ship_order(commerce: Commerce) -> str:
    placed = commerce.checkout.place_order(
        commerce_cart(commerce), customer_id=CUSTOMER, email=EMAIL)
    commerce.payments.capture(placed.order_id)
    (fulfillment,) = commerce.fulfillment.for_order(placed.order_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment.id])
    commerce.fulfillment.confirm_picked(fulfillment.id)
    commerce.fulfillment.start_packing(fulfillment.id)
    commerce.fulfillment.confirm_packed(fulfillment.id, [PackageSpec(500, 30, 20, 10)])
    commerce.fulfillment.mark_ready(fulfillment.id)
    commerce.fulfillment.ship(fulfillment.id)
    return placed.order_id


def commerce_cart(commerce: Commerce) -> str:
    return cart_with(commerce, (SHIRT, 1))


def test_an_order_shipped_notifies_its_customer_by_email_sms_and_push() -> None:
    commerce = notifying_shop()

    ship_order(commerce)

    shipped = [n for n in commerce.notifications.list() if n.template_id == "order_shipped"]
    assert sorted(n.channel.value for n in shipped) == ["email", "push", "sms"]
    assert {n.recipient_id for n in shipped} == {CUSTOMER}
    commerce.notifications.send_due()
    assert PHONE in [m.to for m in notifier(commerce, Channel.SMS).sent]
    assert DEVICE in [m.to for m in notifier(commerce, Channel.PUSH).sent]


def test_the_order_events_enqueue_confirmation_payment_and_shipment_messages() -> None:
    commerce = notifying_shop()

    order_id = ship_order(commerce)
    commerce.payments.refund(order_id, idempotency_key="refund-1")

    by_template = sorted((n.template_id, n.channel.value)
                         for n in commerce.notifications.list(limit=100))
    assert by_template == [
        ("order_confirmed", "email"), ("order_confirmed", "push"),
        ("order_shipped", "email"), ("order_shipped", "push"), ("order_shipped", "sms"),
        ("payment_captured", "email"), ("refund_processed", "email"),
        ("refund_processed", "push"),
    ]


def test_an_event_delivered_three_times_notifies_once() -> None:
    commerce = notifying_shop()
    ship_order(commerce)
    with commerce.ports.uow() as uow:
        shipped = [e for e in every_event(uow)
                   if e.type == "fulfillment.status_changed"
                   and e.payload["new_status"] == "shipped"]
    before = len(commerce.notifications.list(limit=100))

    for _ in range(3):
        commerce.bus.deliver(shipped[0])

    assert len(commerce.notifications.list(limit=100)) == before


def test_without_a_phone_or_device_only_email_is_sent() -> None:
    commerce = notifying_shop(directory=StaticDirectory())

    ship_order(commerce)

    shipped = [n for n in commerce.notifications.list() if n.template_id == "order_shipped"]
    assert [n.channel.value for n in shipped] == ["email"]


def test_a_shop_without_notifications_refuses_requests_and_enqueues_nothing() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), email=EMAIL)

    assert commerce.notifications.list() == []
    assert commerce.notifications.send_due().sent == 0
    with pytest.raises(InvalidNotification, match="not configured"):
        commerce.notifications.request(CUSTOMER, "email", "promotion", PROMO, address=EMAIL)


def test_a_channel_without_a_provider_is_not_offered() -> None:
    ports = bundle(clock=FrozenClock(), ids=SequentialIds())
    ports.notifications = NotificationPorts(
        FormatRenderer(), {Channel.EMAIL: RecordingNotifier()},
        StaticDirectory({CUSTOMER: Recipient(CUSTOMER, phone=PHONE, device_token=DEVICE)}))
    commerce = Commerce(ports)
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), customer_id=CUSTOMER,
                                  email=EMAIL)

    assert [n.channel.value for n in commerce.notifications.list()] == ["email"]
    with pytest.raises(InvalidNotification, match="no sms provider"):
        commerce.notifications.request(CUSTOMER, "sms", "promotion", PROMO)
    with pytest.raises(InvalidNotification, match="unknown channel"):
        commerce.notifications.request(CUSTOMER, "telegram", "promotion", PROMO)
