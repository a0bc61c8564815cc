"""Webhook use cases: managing subscriptions, enqueueing deliveries in the transaction of the
event's subscriber, sending what is due (the worker, outside any transaction), replays."""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from attrs import frozen

from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.webhooks.commands import (
    CreateSubscription,
    DeleteSubscription,
    DisableSubscription,
    EnableSubscription,
    ReplayDelivery,
    ReplayRange,
    RotateSecret,
    SendDueWebhooks,
    UpdateSubscription,
)
from commerce_core.webhooks.errors import InvalidWebhook, SubscriptionInactive
from commerce_core.webhooks.model import (
    RESPONSE_KEPT,
    Attempt,
    Delivery,
    DeliveryStatus,
    Subscription,
    check_url,
)
from commerce_core.webhooks.ports import OutgoingWebhook, SendResult, WebhookPorts
from commerce_core.webhooks.ports import WebhooksUnitOfWork as Uow
from commerce_core.webhooks.queries import ReplayReport, SendReport, SubscriptionWithSecret
from commerce_core.webhooks.routing import SubscribedTypes
from commerce_core.webhooks.signing import SECRET_BYTES, encode_secret, headers

log = logging.getLogger("commerce.webhooks")

# A delivery taken by a sender that never reported back (it died) is tried again after this;
# longer than a batch of sends at their timeouts, so a slow batch is not sent twice.
SENDING_LEASE = timedelta(minutes=30)
REPLAY_LIMIT = 1000  # deliveries one range replay enqueues at most
RECORD_TRIES = 3

T = TypeVar("T")


def body_of(envelope: EventEnvelope) -> str:
    """The JSON a receiver gets: the event's public fields (no causality ids)."""
    return json.dumps({
        "id": envelope.id, "type": envelope.type,
        "occurred_at": envelope.occurred_at.isoformat(),
        "aggregate_id": envelope.aggregate_id, "payload": envelope.payload,
    }, separators=(",", ":"), ensure_ascii=False)


class WebhookContext:
    """What every webhook handler is built from."""

    def __init__(self, uow: UnitOfWorkFactory[Uow], clock: Clock, ids: IdGenerator,
                 ports: WebhookPorts, routes: SubscribedTypes) -> None:
        self.uow, self.clock, self.ids, self.ports, self.routes = uow, clock, ids, ports, routes
        self.rng = ports.rng or random.Random()

    def new_secret(self) -> tuple[str, str]:
        """A fresh secret, in clear and sealed."""
        plain = encode_secret(secrets.token_bytes(SECRET_BYTES))
        return plain, self.ports.sealer.seal(plain)

    def check_target(self, url: str) -> str:
        url = check_url(url)
        self.ports.sender.check_target(url)
        return url

    def change(self, subscription_id: str,
               act: Callable[[Subscription, datetime], T]) -> tuple[Subscription, T]:
        """Apply `act` to the subscription in one transaction; this process's routing then
        looks at stored subscriptions again."""
        with self.uow() as uow:
            subscription = uow.webhook_subscriptions.get(subscription_id)
            result = act(subscription, self.clock.now())
            uow.commit()
        self.routes.invalidate()
        return subscription, result


class CreateSubscriptionHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: CreateSubscription) -> SubscriptionWithSecret:
        c = self._c
        url = c.check_target(cmd.url)
        plain, sealed = c.new_secret()
        subscription = Subscription.create(c.ids.new_id(), url, tuple(cmd.event_types),
                                           cmd.description, sealed, c.clock.now())
        with c.uow() as uow:
            uow.webhook_subscriptions.add(subscription)
            uow.commit()
        c.routes.invalidate()
        return SubscriptionWithSecret(subscription, plain)


class UpdateSubscriptionHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: UpdateSubscription) -> Subscription:
        url = self._c.check_target(cmd.url) if cmd.url is not None else None
        event_types = tuple(cmd.event_types) if cmd.event_types is not None else None
        subscription, _ = self._c.change(cmd.subscription_id, lambda s, now: s.update(
            url=url, event_types=event_types, description=cmd.description, now=now))
        return subscription


class RotateSecretHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: RotateSecret) -> SubscriptionWithSecret:
        plain, sealed = self._c.new_secret()
        grace = self._c.ports.policy.secret_grace
        subscription, _ = self._c.change(cmd.subscription_id, lambda s, now: s.rotate(
            sealed, grace=grace, now=now))
        return SubscriptionWithSecret(subscription, plain)


class EnableHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: EnableSubscription) -> Subscription:
        return self._c.change(cmd.subscription_id, lambda s, now: s.enable(now))[0]


class DisableHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: DisableSubscription) -> Subscription:
        return self._c.change(cmd.subscription_id, lambda s, now: s.disable("manual", now))[0]


class DeleteHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: DeleteSubscription) -> Subscription:
        return self._c.change(cmd.subscription_id, lambda s, now: s.delete(now))[0]


class EnqueueDeliveries:
    """The subscriber of every event type: one delivery per active subscription that wants
    the event, written in the subscriber's transaction (its inbox row makes it once per
    event; the delivery's unique key guards a race). Never calls a target."""

    name = "webhooks.deliveries"

    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        c = self._c
        generation = c.routes.generation
        active = uow.webhook_subscriptions.active()
        c.routes.refresh(active, generation)
        wanting = [s for s in active if s.wants(envelope.type)]
        if not wanting:
            return
        body, now = body_of(envelope), c.clock.now()
        for subscription in wanting:
            if uow.webhook_deliveries.by_key(f"{subscription.id}:{envelope.id}") is not None:
                continue
            uow.webhook_deliveries.add(Delivery.create(
                c.ids.new_id(), subscription.id, event_id=envelope.id,
                event_type=envelope.type, occurred_at=envelope.occurred_at, body=body,
                max_attempts=c.ports.policy.max_attempts, now=now))


@frozen
class _Claimed:
    delivery_id: str
    subscription_id: str
    url: str
    message_id: str
    body: bytes
    sealed: tuple[str, ...]
    attempt: int


class SendDueHandler:
    """Claims what is due in one short transaction (rows held by another sender skipped),
    posts outside any transaction, then records each outcome in a transaction of its own."""

    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: SendDueWebhooks) -> SendReport:
        counts = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
        for claimed in self._claim(cmd.limit, counts):
            counts[self._send(claimed)] += 1
        return SendReport(**counts)

    def _claim(self, limit: int, counts: dict[str, int]) -> list[_Claimed]:
        c = self._c
        now = c.clock.now()
        taken: list[_Claimed] = []
        with c.uow() as uow:
            for delivery in uow.webhook_deliveries.claim_due(now, limit, now - SENDING_LEASE):
                subscription = uow.webhook_subscriptions.get(delivery.subscription_id)
                if delivery.status is DeliveryStatus.SENDING:
                    # Its sender never reported back: the attempt counts as a transient failure.
                    attempt = Attempt(delivery.attempt_count + 1, delivery.updated_at, now, None,
                                      0, "interrupted: no outcome was recorded", "")
                    counts[self._settle(delivery, subscription, attempt, False, now)] += 1
                    continue
                if not subscription.active:
                    delivery.cancel(f"subscription {subscription.status.value}", now)
                    counts["cancelled"] += 1
                    continue
                delivery.start(now)
                taken.append(_Claimed(
                    delivery.id, subscription.id, subscription.url, delivery.event_id,
                    delivery.body.encode(), tuple(subscription.secrets(now)),
                    delivery.attempt_count + 1))
            uow.commit()
        return taken

    def _send(self, claimed: _Claimed) -> str:
        c = self._c
        started = c.clock.now()
        try:
            plain = [c.ports.sealer.open(s) for s in claimed.sealed]
            webhook = OutgoingWebhook(claimed.url, headers(
                claimed.message_id, int(started.timestamp()), claimed.body, plain), claimed.body)
            result = c.ports.sender.send(webhook)
        except Exception as exc:  # a misbehaving adapter must not lose the attempt
            log.exception("webhook sender raised for delivery %s", claimed.delivery_id)
            result = SendResult(None, 0, error=f"sender error: {type(exc).__name__}")
        finished = c.clock.now()
        attempt = Attempt(claimed.attempt, started, finished, result.status_code,
                          result.duration_ms, (result.error or "")[:500] or None,
                          result.response[:RESPONSE_KEPT])
        for _ in range(RECORD_TRIES):
            try:
                with c.uow() as uow:
                    delivery = uow.webhook_deliveries.get(claimed.delivery_id)
                    subscription = uow.webhook_subscriptions.get(claimed.subscription_id)
                    outcome = self._settle(delivery, subscription, attempt, result.permanent,
                                           finished)
                    uow.commit()
                return outcome
            except ConcurrencyConflict:
                continue  # the subscription changed meanwhile: read it again
        # Left `sending`: once the lease runs out the attempt counts as interrupted.
        log.warning("the outcome of webhook delivery %s could not be recorded",
                    claimed.delivery_id)
        return "retrying"

    def _settle(self, delivery: Delivery, subscription: Subscription, attempt: Attempt,
                permanent: bool, now: datetime) -> str:
        c = self._c
        delivery.record(attempt, permanent=permanent, policy=c.ports.policy, rng=c.rng,
                        now=now)
        if delivery.status is DeliveryStatus.SUCCEEDED:
            subscription.delivery_succeeded(now)
            return "sent"
        if delivery.status is DeliveryStatus.FAILED:
            was_active = subscription.active
            subscription.delivery_failed(c.ports.policy, now)
            if was_active and not subscription.active:
                log.warning("webhook subscription %s disabled after %d failed deliveries",
                            subscription.id, subscription.consecutive_failures)
                c.routes.invalidate()
            return "failed"
        return "retrying"


def _replay(c: WebhookContext, uow: Uow, original: Delivery, now: datetime) -> Delivery:
    replay = Delivery.create(
        c.ids.new_id(), original.subscription_id, event_id=original.event_id,
        event_type=original.event_type, occurred_at=original.occurred_at, body=original.body,
        max_attempts=c.ports.policy.max_attempts, now=now, replay_of=original.id)
    uow.webhook_deliveries.add(replay)
    return replay


def _require_active(subscription: Subscription) -> None:
    if not subscription.active:
        raise SubscriptionInactive(
            f"subscription {subscription.id} is {subscription.status.value}: enable it first",
            id=subscription.id, status=subscription.status.value)


class ReplayDeliveryHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: ReplayDelivery) -> Delivery:
        c = self._c
        with c.uow() as uow:
            original = uow.webhook_deliveries.get(cmd.delivery_id)
            _require_active(uow.webhook_subscriptions.get(original.subscription_id))
            replay = _replay(c, uow, original, c.clock.now())
            uow.commit()
        return replay


class ReplayRangeHandler:
    def __init__(self, context: WebhookContext) -> None:
        self._c = context

    def __call__(self, cmd: ReplayRange) -> ReplayReport:
        c = self._c
        if cmd.start.tzinfo is None or cmd.end.tzinfo is None:
            raise InvalidWebhook("the replay range needs times with a time zone")
        if cmd.start > cmd.end:  # an empty range (start == end) replays nothing
            raise InvalidWebhook("the replay range must not end before it starts")
        with c.uow() as uow:
            _require_active(uow.webhook_subscriptions.get(cmd.subscription_id))
            originals = uow.webhook_deliveries.originals_between(
                cmd.subscription_id, cmd.start, cmd.end, REPLAY_LIMIT + 1)
            if len(originals) > REPLAY_LIMIT:
                raise InvalidWebhook(
                    f"more than {REPLAY_LIMIT} events in the range: replay a shorter one",
                    limit=REPLAY_LIMIT)
            now = c.clock.now()
            replays = [_replay(c, uow, d, now) for d in originals]
            uow.commit()
        return ReplayReport(cmd.subscription_id, tuple(r.id for r in replays))
