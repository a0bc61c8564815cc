"""The webhook repositories' contract, on every adapter: subscriptions and deliveries read back
as written (with the attempt log), the dedupe key is unique, the sender's claim takes what is
due or stale, the log and the replay range read in their orders."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import cast

import pytest

from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.webhooks.errors import DeliveryNotFound, SubscriptionNotFound
from commerce_core.webhooks.ports import (
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    Subscription,
    WebhooksUnitOfWork,
)
from tests.contract.conftest import Store


def uow(store: Store) -> WebhooksUnitOfWork:
    return cast(WebhooksUnitOfWork, store.uow())


def subscription(store: Store, sid: str = "sub-1", types: tuple[str, ...] = ("order.*",)
                 ) -> Subscription:
    made = Subscription.create(sid, f"https://erp.example/{sid}", types, "ERP",
                               "sealed-secret", store.clock.now())
    with uow(store) as u:
        u.webhook_subscriptions.add(made)
        u.commit()
    return made


def delivery(store: Store, did: str, *, event: str | None = None, sub: str = "sub-1",
             occurred_minutes: int = 0, replay_of: str | None = None) -> Delivery:
    now = store.clock.now()
    made = Delivery.create(did, sub, event_id=event or f"evt-{did}", event_type="order.paid",
                           occurred_at=now + timedelta(minutes=occurred_minutes),
                           body='{"id":"x"}', max_attempts=3, now=now, replay_of=replay_of)
    with uow(store) as u:
        u.webhook_deliveries.add(made)
        u.commit()
    return made


def test_a_subscription_reads_back_as_written_and_changes_are_kept(store: Store) -> None:
    made = subscription(store, types=("order.paid", "catalog.*"))

    with uow(store) as u:
        loaded = u.webhook_subscriptions.get("sub-1")
        loaded.rotate("new-sealed", grace=timedelta(hours=1), now=store.clock.now())
        loaded.delivery_failed(RetryPolicy(disable_after=1), store.clock.now())
        u.commit()
    with uow(store) as u:
        again = u.webhook_subscriptions.get("sub-1")

    assert (loaded.url, loaded.event_types, loaded.description) == (
        made.url, ("catalog.*", "order.paid"), "ERP")
    assert (again.secret_sealed, again.previous_secret_sealed) == ("new-sealed", "sealed-secret")
    assert again.previous_secret_until == store.clock.now() + timedelta(hours=1)
    assert (again.status.value, again.disabled_reason, again.consecutive_failures) == (
        "disabled", "consecutive_failures", 1)
    assert again.version == 1
    assert "webhooks.subscription_disabled" in store.event_types()


def test_active_and_list_leave_out_what_they_should(store: Store) -> None:
    subscription(store, "sub-1")
    store.clock.advance(timedelta(seconds=1))
    subscription(store, "sub-2")
    store.clock.advance(timedelta(seconds=1))
    subscription(store, "sub-3")
    with uow(store) as u:
        u.webhook_subscriptions.get("sub-2").disable("manual", store.clock.now())
        u.webhook_subscriptions.get("sub-3").delete(store.clock.now())
        u.commit()

    with uow(store) as u:
        active = [s.id for s in u.webhook_subscriptions.active()]
        live = [s.id for s in u.webhook_subscriptions.list()]
        every = [s.id for s in u.webhook_subscriptions.list(include_deleted=True)]
        with pytest.raises(SubscriptionNotFound):
            u.webhook_subscriptions.get("nope")

    assert (active, live, every) == (["sub-1"], ["sub-1", "sub-2"],
                                     ["sub-1", "sub-2", "sub-3"])


def test_a_delivery_keeps_its_attempt_log_and_its_key_is_unique(store: Store) -> None:
    subscription(store)
    delivery(store, "d1", event="evt-1")
    now = store.clock.now()
    with uow(store) as u:
        loaded = u.webhook_deliveries.get("d1")
        loaded.start(now)
        loaded.record(Attempt(1, now, now + timedelta(milliseconds=40), 500, 40, "HTTP 500",
                              "oops"), permanent=False, policy=RetryPolicy(),
                      rng=random.Random(1), now=now)
        u.commit()
    with uow(store) as u:
        again = u.webhook_deliveries.get("d1")
        by_key = u.webhook_deliveries.by_key("sub-1:evt-1")
        with pytest.raises(DeliveryNotFound):
            u.webhook_deliveries.get("nope")

    assert by_key is not None
    assert by_key.id == "d1"
    assert (again.status, again.attempt_count, again.last_status_code) == (
        DeliveryStatus.PENDING, 1, 500)
    assert again.attempts == [Attempt(1, now, now + timedelta(milliseconds=40), 500, 40,
                                      "HTTP 500", "oops")]
    assert now < again.next_attempt_at <= now + timedelta(seconds=5)
    with pytest.raises(ConcurrencyConflict):
        delivery(store, "d2", event="evt-1")
    replay = delivery(store, "d3", event="evt-1", replay_of="d1")
    assert replay.dedupe_key == "sub-1:evt-1:replay:d3"


def test_the_claim_takes_due_and_stale_deliveries_oldest_first(store: Store) -> None:
    subscription(store)
    start = store.clock.now()
    delivery(store, "d-late")
    with uow(store) as u:
        u.webhook_deliveries.get("d-late").next_attempt_at = start + timedelta(hours=1)
        u.commit()
    delivery(store, "d-sending")
    with uow(store) as u:
        u.webhook_deliveries.get("d-sending").start(start)
        u.commit()
    store.clock.advance(timedelta(minutes=1))
    delivery(store, "d-due")
    delivery(store, "d-done")
    with uow(store) as u:
        u.webhook_deliveries.get("d-done").cancel("test", store.clock.now())
        u.commit()

    now = store.clock.now()
    with uow(store) as u:
        fresh = [d.id for d in u.webhook_deliveries.claim_due(now, 10, now - timedelta(hours=1))]
        stale = [d.id for d in u.webhook_deliveries.claim_due(now, 10, now)]
        one = [d.id for d in u.webhook_deliveries.claim_due(now, 1, now)]

    assert fresh == ["d-due"]
    assert stale == ["d-sending", "d-due"]
    assert one == ["d-sending"]


def test_the_log_is_newest_first_and_the_replay_range_reads_originals_by_event_time(
        store: Store) -> None:
    subscription(store)
    subscription(store, "sub-2")
    delivery(store, "d1", occurred_minutes=0)
    store.clock.advance(timedelta(seconds=1))
    delivery(store, "d2", occurred_minutes=10)
    store.clock.advance(timedelta(seconds=1))
    delivery(store, "d3", occurred_minutes=20)
    delivery(store, "d4", occurred_minutes=10, event="evt-d2", replay_of="d2")
    delivery(store, "d5", sub="sub-2", occurred_minutes=10)
    start = store.clock.now() - timedelta(seconds=2)
    with uow(store) as u:
        u.webhook_deliveries.get("d3").cancel("test", store.clock.now())
        u.commit()

    with uow(store) as u:
        log = [d.id for d in u.webhook_deliveries.of_subscription("sub-1")]
        page = [d.id for d in u.webhook_deliveries.of_subscription("sub-1", limit=2, offset=1)]
        cancelled = [d.id for d in u.webhook_deliveries.of_subscription(
            "sub-1", status=DeliveryStatus.CANCELLED)]
        between = [d.id for d in u.webhook_deliveries.originals_between(
            "sub-1", start + timedelta(minutes=5), start + timedelta(minutes=25), 10)]
        capped = [d.id for d in u.webhook_deliveries.originals_between(
            "sub-1", start, start + timedelta(hours=1), 2)]

    assert log == ["d4", "d3", "d2", "d1"]
    assert page == ["d3", "d2"]
    assert cancelled == ["d3"]
    assert between == ["d2", "d3"]
    assert capped == ["d1", "d2"]
