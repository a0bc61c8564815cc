"""Webhook subscriptions and deliveries in memory, and a sender that records what it was
given and answers as it is told (for tests and embedders' trials)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.webhooks.errors import DeliveryNotFound, SubscriptionNotFound, TargetRefused
from commerce_core.webhooks.ports import (
    Delivery,
    DeliveryStatus,
    OutgoingWebhook,
    SendResult,
    Subscription,
    SubscriptionStatus,
)


class InMemorySubscriptionRepository(_Repository):
    kind = "webhook_subscription"
    not_found = SubscriptionNotFound

    def active(self) -> list[Subscription]:
        return [self._load(s) for s in sorted(self._all(), key=lambda s: (s.created_at, s.id))
                if s.status is SubscriptionStatus.ACTIVE]

    def list(self, *, include_deleted: bool = False) -> list[Subscription]:
        return [self._load(s) for s in sorted(self._all(), key=lambda s: (s.created_at, s.id))
                if include_deleted or s.status is not SubscriptionStatus.DELETED]


class InMemoryDeliveryRepository(_Repository):
    kind = "webhook_delivery"
    not_found = DeliveryNotFound
    unique = (("key", lambda d: [d.dedupe_key], ConcurrencyConflict),)
    indexed = (("subscription", lambda d: [d.subscription_id]),)

    def by_key(self, dedupe_key: str) -> Delivery | None:
        rows = self._by("key", dedupe_key)
        found: Delivery | None = self._load(rows[0]) if rows else None
        return found

    def claim_due(self, now: datetime, limit: int, stale_before: datetime) -> list[Delivery]:
        # One transaction at a time holds the in-memory database, so claiming needs no lock.
        due = [d for d in self._all()
               if (d.status is DeliveryStatus.PENDING and d.next_attempt_at <= now)
               or (d.status is DeliveryStatus.SENDING and d.updated_at < stale_before)]
        due.sort(key=lambda d: (d.next_attempt_at, d.id))
        return [self._load(d) for d in due[:limit]]

    def of_subscription(self, subscription_id: str, *, status: DeliveryStatus | None = None,
                        limit: int = 50, offset: int = 0) -> list[Delivery]:
        rows = [d for d in self._by("subscription", subscription_id)
                if status is None or d.status is status]
        rows.sort(key=lambda d: (d.created_at, d.id), reverse=True)
        return [self._load(d) for d in rows[offset:offset + limit]]

    def originals_between(self, subscription_id: str, start: datetime, end: datetime,
                          limit: int) -> list[Delivery]:
        rows = [d for d in self._by("subscription", subscription_id)
                if d.replay_of is None and start <= d.occurred_at < end]
        rows.sort(key=lambda d: (d.occurred_at, d.id))
        return [self._load(d) for d in rows[:limit]]


class RecordingSender:
    """Keeps every webhook in `sent` and answers with the next of `answers` (200 once they
    run out); refuses the targets in `refused` as the real sender refuses private ones."""

    def __init__(self, answers: Iterable[int] = (), *, refused: Iterable[str] = ()) -> None:
        self.answers = list(answers)
        self.refused = set(refused)
        self.sent: list[OutgoingWebhook] = []
        self._lock = threading.Lock()

    def check_target(self, url: str) -> None:
        if url in self.refused:
            raise TargetRefused(f"{url} is not a target this shop calls", url=url)

    def send(self, webhook: OutgoingWebhook) -> SendResult:
        if webhook.url in self.refused:
            return SendResult(None, 0, error="target refused", permanent=True)
        with self._lock:
            self.sent.append(webhook)
            status = self.answers.pop(0) if self.answers else 200
        return SendResult(status, 1, response="ok" if status < 300 else "error")
