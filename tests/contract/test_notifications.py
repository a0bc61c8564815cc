"""NotificationRepository and PreferencesRepository contract: notifications read back whole
with their delivery log, one per correlation id, the due ones claimed in order, the counts the
daily cap uses, the admin's filters; preferences read back as stored."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from commerce_core.notification.model import (
    Category,
    Channel,
    Notification,
    Preferences,
    RetryPolicy,
    Status,
)
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.conftest import Store


def make(store: Store, correlation: str, *, recipient: str = "cus-1",
         channel: Channel = Channel.EMAIL, category: Category = Category.TRANSACTIONAL,
         delay: timedelta = timedelta(0)) -> Notification:
    now = store.clock.now()
    return Notification.create(
        notification_id=store.ids.new_id(), correlation_id=correlation, recipient_id=recipient,
        channel=channel, category=category, template_id="order_confirmed", locale="vi",
        data={"order_number": "SO-1", "total": "100.000 VND"}, address="an@example.vn",
        subject="Đơn hàng SO-1", text="chào", html="<p>chào</p>", send_at=now + delay,
        expires_at=None, source_event_id="evt-1", source_event_type="order.confirmed", now=now)


def add(store: Store, *notifications: Notification) -> None:
    with store.uow() as uow:
        for notification in notifications:
            uow.notifications.add(notification)
        uow.commit()


def test_a_notification_reads_back_whole_with_its_delivery_log(store: Store) -> None:
    added = make(store, "c-1")
    add(store, added)
    now = store.clock.now()
    with store.uow() as uow:
        stored = uow.notifications.get(added.id)
        stored.start_sending(now)
        stored.record_failure("smtp", "smtp_451", "try later", permanent=False, started_at=now,
                              now=now, policy=RetryPolicy(), rng=random.Random(1))
        uow.commit()
    with store.uow() as uow:
        again = uow.notifications.get(added.id)
        again.next_retry_at = now
        again.start_sending(now)
        again.record_sent("smtp", "msg-1", "250 ok", started_at=now, now=now)
        uow.commit()

    with store.uow() as uow:
        loaded = uow.notifications.get(added.id)
        by_correlation = uow.notifications.by_correlation("c-1")
        by_message = uow.notifications.by_provider_message("smtp", "msg-1")

    assert (loaded.status, loaded.attempt_count, loaded.provider_message_id) == (
        Status.SENT, 2, "msg-1")
    assert loaded.data == {"order_number": "SO-1", "total": "100.000 VND"}
    assert (loaded.subject, loaded.html, loaded.channel, loaded.category) == (
        "Đơn hàng SO-1", "<p>chào</p>", Channel.EMAIL, Category.TRANSACTIONAL)
    assert [(a.number, a.status, a.error_code, a.provider_message_id)
            for a in loaded.attempts] == [(1, "failed", "smtp_451", None),
                                          (2, "sent", None, "msg-1")]
    assert by_correlation is not None
    assert by_correlation.id == added.id
    assert by_message is not None
    assert by_message.id == added.id


def test_a_correlation_id_is_used_once(store: Store) -> None:
    add(store, make(store, "c-1"))

    with store.uow() as uow:
        uow.notifications.add(make(store, "c-1"))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    with store.uow() as uow:
        assert len(uow.notifications.list()) == 1


def test_claim_due_takes_what_is_due_oldest_first_and_stale_sends(store: Store) -> None:
    now = store.clock.now()
    due_first, due_second = make(store, "a"), make(store, "b")
    later = make(store, "c", delay=timedelta(hours=1))
    stuck, busy = make(store, "d"), make(store, "e")  # due now, taken an hour ago / just now
    add(store, due_first, due_second, later, stuck, busy)
    with store.uow() as uow:
        uow.notifications.get(stuck.id).start_sending(now - timedelta(hours=1))
        uow.notifications.get(busy.id).start_sending(now)
        uow.commit()

    with store.uow() as uow:
        claimed = uow.notifications.claim_due(now, 10, now - timedelta(minutes=10))
        limited = uow.notifications.claim_due(now, 1, now - timedelta(minutes=10))

    # In order of the time they were due, then by id.
    assert [n.id for n in claimed] == [due_first.id, due_second.id, stuck.id]
    assert [n.id for n in limited] == [due_first.id]


def test_a_retry_is_due_at_its_retry_time(store: Store) -> None:
    now = store.clock.now()
    notification = make(store, "a")
    add(store, notification)
    with store.uow() as uow:
        stored = uow.notifications.get(notification.id)
        stored.start_sending(now)
        stored.record_failure("smtp", "timeout", "", permanent=False, started_at=now, now=now,
                              policy=RetryPolicy(), rng=random.Random(3))
        uow.commit()
    retry_at = stored.next_retry_at
    assert retry_at is not None

    with store.uow() as uow:
        before = uow.notifications.claim_due(retry_at - timedelta(seconds=1), 10, now)
        at = uow.notifications.claim_due(retry_at, 10, now)

    assert before == []
    assert [n.id for n in at] == [notification.id]


def test_sent_since_counts_the_recipients_sends_by_channel_and_category(store: Store) -> None:
    now = store.clock.now()
    mine = [make(store, f"m{i}", category=Category.MARKETING) for i in range(3)]
    other = make(store, "o", recipient="cus-2", category=Category.MARKETING)
    sms = make(store, "s", channel=Channel.SMS, category=Category.MARKETING)
    add(store, *mine, other, sms)
    with store.uow() as uow:
        for n in [*mine[:2], other, sms]:
            stored = uow.notifications.get(n.id)
            stored.start_sending(now)
            stored.record_sent("p", f"id-{n.id}", "", started_at=now, now=now)
        uow.commit()

    with store.uow() as uow:
        count = uow.notifications.sent_since("cus-1", Channel.EMAIL, Category.MARKETING,
                                             now - timedelta(hours=1))
        none_later = uow.notifications.sent_since("cus-1", Channel.EMAIL, Category.MARKETING,
                                                  now + timedelta(seconds=1))
        transactional = uow.notifications.sent_since(
            "cus-1", Channel.EMAIL, Category.TRANSACTIONAL, now - timedelta(hours=1))

    assert (count, none_later, transactional) == (2, 0, 0)


def test_list_filters_and_puts_the_newest_first(store: Store) -> None:
    first = make(store, "a")
    store.clock.advance(timedelta(seconds=1))
    second = make(store, "b", channel=Channel.SMS)
    store.clock.advance(timedelta(seconds=1))
    third = make(store, "c", recipient="cus-2")
    add(store, first, second, third)

    with store.uow() as uow:
        every = [n.id for n in uow.notifications.list()]
        sms = [n.id for n in uow.notifications.list(channel=Channel.SMS)]
        mine = [n.id for n in uow.notifications.list(recipient_id="cus-1")]
        paged = [n.id for n in uow.notifications.list(limit=1, offset=1)]
        none = uow.notifications.list(status=Status.SENT)

    assert every == [third.id, second.id, first.id]
    assert sms == [second.id]
    assert mine == [second.id, first.id]
    assert paged == [second.id]
    assert none == []


def test_preferences_read_back_as_stored_and_change(store: Store) -> None:
    with store.uow() as uow:
        assert uow.notification_preferences.find("cus-1") is None
        preferences = Preferences("cus-1")
        preferences.update({"sms": False, "quiet_start": "21:30", "locale": "en"})
        uow.notification_preferences.add(preferences)
        uow.commit()
    with store.uow() as uow:
        stored = uow.notification_preferences.find("cus-1")
        assert stored is not None
        stored.update({"max_per_day": 3})
        uow.commit()

    with store.uow() as uow:
        loaded = uow.notification_preferences.find("cus-1")

    assert loaded is not None
    assert (loaded.sms, loaded.email, loaded.quiet_start, loaded.locale, loaded.max_per_day) == (
        False, True, "21:30", "en", 3)
