"""Webhooks in the core: who gets which event, signatures per the Standard Webhooks recipe,
retries with full jitter, disabling after failures, replays, and validation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import timedelta

import pytest

from adapters.memory import FrozenClock
from adapters.memory.webhooks import RecordingSender
from commerce_core.app import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope
from commerce_core.webhooks.errors import (
    InvalidWebhook,
    SubscriptionInactive,
    SubscriptionNotFound,
    TargetRefused,
    WebhooksUnavailable,
)
from commerce_core.webhooks.model import RetryPolicy
from commerce_core.webhooks.routing import SubscribedTypes
from commerce_core.webhooks.signing import headers, sign
from tests.unit.webhooks.support import Shop, add_product, shop, signature_matches

URL = "https://erp.example/hooks"


def deliveries(commerce: Commerce, subscription_id: str) -> list[tuple[str, str]]:
    return sorted((d.event_type, d.status.value)
                  for d in commerce.webhooks.deliveries(subscription_id))


def drain(s: Shop, *, step: timedelta = timedelta(hours=10), rounds: int = 20) -> None:
    """Send until nothing is pending, moving the clock past every backoff."""
    for _ in range(rounds):
        s.commerce.webhooks.send_due()
        s.clock.advance(step)


# -- signatures --------------------------------------------------------------------------------
def test_a_signature_is_hmac_sha256_of_id_timestamp_and_body_with_the_whsec_key() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    body = b'{"type":"order.paid"}'

    signed = sign(secret, "msg_1", 1_700_000_000, body)

    expected = hmac.new(key, b'msg_1.1700000000.{"type":"order.paid"}', hashlib.sha256)
    assert signed == "v1," + base64.b64encode(expected.digest()).decode()


def test_every_secret_that_signs_adds_a_space_separated_signature() -> None:
    first, second = ("whsec_" + base64.b64encode(bytes([n]) * 32).decode() for n in (1, 2))

    made = headers("msg_2", 42, b"{}", [first, second])

    assert made["webhook-id"] == "msg_2"
    assert made["webhook-timestamp"] == "42"
    assert made["webhook-signature"].split(" ") == [sign(first, "msg_2", 42, b"{}"),
                                                   sign(second, "msg_2", 42, b"{}")]
    assert signature_matches(second, made, b"{}")
    assert not signature_matches(first, made, b"{ }")


def test_a_receiver_verifies_what_the_shop_sends_with_the_secret_shown_once() -> None:
    s = shop()
    created = s.commerce.webhooks.create(URL, ["catalog.product_created"])

    add_product(s.commerce)
    s.commerce.webhooks.send_due()

    (sent,) = s.sender.sent
    assert signature_matches(created.secret, sent.headers, sent.body)
    body = json.loads(sent.body)
    assert set(body) == {"id", "type", "occurred_at", "aggregate_id", "payload"}
    assert body["type"] == "catalog.product_created"
    assert sent.headers["webhook-id"] == body["id"]
    assert sent.headers["webhook-timestamp"] == str(int(s.clock.now().timestamp()))
    assert created.secret not in repr(s.commerce.webhooks.get(created.subscription.id))


# -- who gets what -----------------------------------------------------------------------------
def test_each_subscription_gets_the_events_it_subscribed_to_and_no_others() -> None:
    s = shop()
    exact = s.commerce.webhooks.create(URL, ["catalog.product_published"]).subscription
    everything = s.commerce.webhooks.create(URL + "/all", ["catalog.*"]).subscription
    other = s.commerce.webhooks.create(URL + "/orders", ["order.*"]).subscription

    add_product(s.commerce)

    assert deliveries(s.commerce, exact.id) == [("catalog.product_published", "pending")]
    assert deliveries(s.commerce, everything.id) == [
        ("catalog.product_created", "pending"), ("catalog.product_published", "pending")]
    assert deliveries(s.commerce, other.id) == []


def test_an_event_delivered_again_is_enqueued_once_per_subscription() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)
    with s.commerce.ports.uow() as uow:
        stored = uow.webhook_deliveries.of_subscription(subscription.id)[0]
    envelope = EventEnvelope(stored.event_id, stored.event_type, 1, stored.occurred_at,
                             "p", {})

    assert s.commerce.bus.deliver(envelope) == {}
    assert len(s.commerce.webhooks.deliveries(subscription.id)) == 1


def test_disabled_and_deleted_subscriptions_get_nothing() -> None:
    s = shop()
    disabled = s.commerce.webhooks.create(URL, ["catalog.*"]).subscription
    deleted = s.commerce.webhooks.create(URL + "/x", ["catalog.*"]).subscription
    s.commerce.webhooks.disable(disabled.id)
    s.commerce.webhooks.delete(deleted.id)

    add_product(s.commerce)

    assert deliveries(s.commerce, disabled.id) == deliveries(s.commerce, deleted.id) == []
    assert [x.id for x in s.commerce.webhooks.list()] == [disabled.id]
    assert len(s.commerce.webhooks.list(include_deleted=True)) == 2


def test_events_nobody_subscribed_to_cost_no_transaction_once_the_snapshot_is_fresh() -> None:
    clock = FrozenClock()
    routes = SubscribedTypes(clock, timedelta(seconds=30))
    envelope = EventEnvelope("e1", "order.paid", 1, clock.now(), "o1", {})

    assert routes.wants(envelope)  # nothing known yet: the subscriber looks at storage
    routes.refresh([], routes.generation)
    assert not routes.wants(envelope)
    clock.advance(timedelta(seconds=30))
    assert routes.wants(envelope)  # stale: another process may have subscribed meanwhile


def test_a_refresh_read_before_a_change_does_not_hide_the_change() -> None:
    clock = FrozenClock()
    routes = SubscribedTypes(clock, timedelta(seconds=30))
    began = routes.generation
    routes.invalidate()  # a subscription was created while the subscriber was reading

    routes.refresh([], began)

    assert routes.wants(EventEnvelope("e1", "order.paid", 1, clock.now(), "o1", {}))


# -- retries, backoff, disabling ---------------------------------------------------------------
def test_a_delivery_is_retried_until_the_target_answers_2xx_and_each_attempt_is_logged() -> None:
    s = shop(RecordingSender([500, 503]))
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)

    first = s.commerce.webhooks.send_due()
    s.clock.advance(timedelta(seconds=5))
    second = s.commerce.webhooks.send_due()
    s.clock.advance(timedelta(minutes=5))
    third = s.commerce.webhooks.send_due()

    assert (first.retrying, second.retrying, third.sent) == (1, 1, 1)
    (delivery,) = s.commerce.webhooks.deliveries(subscription.id)
    assert delivery.status.value == "succeeded"
    assert [a.status_code for a in delivery.attempts] == [500, 503, 200]
    assert [a.number for a in delivery.attempts] == [1, 2, 3]
    ids = {w.headers["webhook-id"] for w in s.sender.sent}
    assert ids == {delivery.event_id}  # the same message id on every retry


def test_full_jitter_draws_each_wait_between_zero_and_the_schedule_step() -> None:
    policy = RetryPolicy()
    rng = random.Random(3)
    steps = [policy.step(n) for n in range(1, 9)]

    waits = [policy.delay(n, rng) for n in range(1, 9) for _ in range(50)]

    assert steps == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                     timedelta(hours=2), timedelta(hours=5), timedelta(hours=10),
                     timedelta(hours=10), timedelta(hours=10)]
    for n in range(8):
        batch = waits[n * 50:(n + 1) * 50]
        assert all(timedelta(0) <= w <= steps[n] for w in batch)
        assert max(batch) > steps[n] / 2 > min(batch)  # spread, not a fixed wait


def test_a_delivery_fails_after_its_attempts_and_a_run_of_failures_disables_with_a_notice(
) -> None:
    s = shop(RecordingSender([500] * 20), policy=RetryPolicy(max_attempts=2, disable_after=2))
    subscription = s.commerce.webhooks.create(URL, ["catalog.*"]).subscription
    add_product(s.commerce)  # two events, two deliveries
    notices: list[EventEnvelope] = []
    s.commerce.bus.subscribe(Subscriber("test.notices", "webhooks.subscription_disabled",
                                        lambda envelope, uow: notices.append(envelope)))

    drain(s)

    stored = s.commerce.webhooks.get(subscription.id)
    assert (stored.status.value, stored.disabled_reason, stored.consecutive_failures) == (
        "disabled", "consecutive_failures", 2)
    assert deliveries(s.commerce, subscription.id) == [
        ("catalog.product_created", "failed"), ("catalog.product_published", "failed")]
    assert len(s.sender.sent) == 4
    assert [n.payload["subscription_id"] for n in notices] == [subscription.id]

    add_product(s.commerce, "hat")
    assert len(s.commerce.webhooks.deliveries(subscription.id)) == 2  # no longer enqueued


def test_a_success_starts_the_failure_count_over() -> None:
    s = shop(RecordingSender([500, 200]), policy=RetryPolicy(max_attempts=1, disable_after=2))
    subscription = s.commerce.webhooks.create(URL, ["catalog.*"]).subscription
    add_product(s.commerce)

    drain(s)

    stored = s.commerce.webhooks.get(subscription.id)
    assert (stored.status.value, stored.consecutive_failures) == ("active", 0)


def test_deliveries_due_for_a_disabled_subscription_are_cancelled_not_sent() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)
    s.commerce.webhooks.disable(subscription.id)

    report = s.commerce.webhooks.send_due()

    assert report.cancelled == 1
    assert s.sender.sent == []
    (delivery,) = s.commerce.webhooks.deliveries(subscription.id)
    assert (delivery.status.value, delivery.last_error) == ("cancelled",
                                                            "subscription disabled")


def test_a_refused_target_fails_at_once_without_retries() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)
    s.sender.refused.add(URL)  # the host now resolves to a private address

    report = s.commerce.webhooks.send_due()

    assert report.failed == 1
    (delivery,) = s.commerce.webhooks.deliveries(subscription.id)
    assert (delivery.attempt_count, delivery.attempts[0].status_code) == (1, None)


# -- replays -----------------------------------------------------------------------------------
def test_one_delivery_is_replayed_as_a_new_delivery_of_the_same_event() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)
    drain(s, rounds=1)
    (original,) = s.commerce.webhooks.deliveries(subscription.id)

    replay = s.commerce.webhooks.replay(original.id)
    s.commerce.webhooks.send_due()

    assert (replay.replay_of, replay.event_id, replay.body) == (original.id, original.event_id,
                                                               original.body)
    assert s.commerce.webhooks.delivery(replay.id).status.value == "succeeded"
    assert [w.body for w in s.sender.sent] == [original.body.encode()] * 2


def test_a_time_range_replays_the_events_that_occurred_in_it() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    start = s.clock.now()
    add_product(s.commerce, "shirt")
    s.clock.advance(timedelta(hours=1))
    add_product(s.commerce, "hat")
    s.clock.advance(timedelta(hours=1))
    add_product(s.commerce, "scarf")
    drain(s, rounds=1)

    report = s.commerce.webhooks.replay_range(subscription.id, start,
                                              start + timedelta(hours=1, minutes=30))
    again = s.commerce.webhooks.replay_range(subscription.id, start,
                                             start + timedelta(hours=1, minutes=30))

    replayed = [s.commerce.webhooks.delivery(i) for i in report.delivery_ids]
    assert [json.loads(d.body)["payload"]["slug"] for d in replayed] == ["shirt", "hat"]
    assert again.count == 2  # replays are never replayed themselves, originals always are
    assert s.commerce.webhooks.replay_range(subscription.id, start, start).count == 0
    with pytest.raises(InvalidWebhook):
        s.commerce.webhooks.replay_range(subscription.id, start, start - timedelta(seconds=1))


def test_a_disabled_subscription_is_not_replayed_until_enabled() -> None:
    s = shop()
    subscription = s.commerce.webhooks.create(URL, ["catalog.product_created"]).subscription
    add_product(s.commerce)
    (original,) = s.commerce.webhooks.deliveries(subscription.id)
    s.commerce.webhooks.disable(subscription.id)

    with pytest.raises(SubscriptionInactive):
        s.commerce.webhooks.replay(original.id)
    s.commerce.webhooks.enable(subscription.id)
    assert s.commerce.webhooks.replay(original.id).replay_of == original.id


# -- secrets and validation --------------------------------------------------------------------
def test_a_rotated_secret_signs_beside_the_old_one_during_the_grace_period() -> None:
    s = shop()
    created = s.commerce.webhooks.create(URL, ["catalog.product_created"])
    rotated = s.commerce.webhooks.rotate_secret(created.subscription.id)
    add_product(s.commerce)
    s.commerce.webhooks.send_due()
    s.clock.advance(timedelta(hours=25))
    add_product(s.commerce, "hat")
    s.commerce.webhooks.send_due()

    during, after = s.sender.sent
    assert rotated.secret != created.secret
    assert signature_matches(created.secret, during.headers, during.body)
    assert signature_matches(rotated.secret, during.headers, during.body)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert signature_matches(rotated.secret, after.headers, after.body)
    assert not signature_matches(created.secret, after.headers, after.body)


def test_secrets_are_stored_sealed_only() -> None:
    s = shop()
    created = s.commerce.webhooks.create(URL, ["*"])

    with s.commerce.ports.uow() as uow:
        stored = uow.webhook_subscriptions.get(created.subscription.id)
    assert created.secret.startswith("whsec_")
    assert created.secret not in (stored.secret_sealed, repr(stored))
    assert created.secret[len("whsec_"):] not in stored.secret_sealed


@pytest.mark.parametrize("url", ["ftp://erp.example/x", "erp.example/x", "https://",
                                 "https://user:pw@erp.example/x", "https://erp.example:99999/",
                                 "https://erp example/x"])
def test_targets_must_be_plain_http_or_https_urls(url: str) -> None:
    with pytest.raises(InvalidWebhook):
        shop().commerce.webhooks.create(url, ["*"])


@pytest.mark.parametrize("types", [[], ["order.paidd"], ["nothing.*"], [" "]])
def test_event_types_must_be_known(types: list[str]) -> None:
    with pytest.raises(InvalidWebhook):
        shop().commerce.webhooks.create(URL, types)


def test_a_target_the_sender_refuses_is_refused_at_creation_and_update() -> None:
    s = shop(RecordingSender(refused=["http://10.0.0.1/x"]))
    subscription = s.commerce.webhooks.create(URL, ["*"]).subscription

    with pytest.raises(TargetRefused):
        s.commerce.webhooks.create("http://10.0.0.1/x", ["*"])
    with pytest.raises(TargetRefused):
        s.commerce.webhooks.update(subscription.id, url="http://10.0.0.1/x")
    assert s.commerce.webhooks.get(subscription.id).url == URL
    assert len(s.commerce.webhooks.list()) == 1


def test_unknown_ids_are_not_found_and_a_shop_without_webhook_ports_refuses() -> None:
    s = shop()
    with pytest.raises(SubscriptionNotFound):
        s.commerce.webhooks.get("nope")
    with pytest.raises(SubscriptionNotFound):
        s.commerce.webhooks.deliveries("nope")

    from adapters import memory

    with pytest.raises(WebhooksUnavailable):
        Commerce(memory.bundle()).webhooks.create(URL, ["*"])
