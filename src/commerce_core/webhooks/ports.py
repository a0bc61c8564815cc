"""What webhooks consume: a sender that posts to a target (and says which targets it refuses),
a sealer for the signing secrets, and storage; with the data they exchange."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from attrs import field, frozen

from commerce_core.shared.uow import UnitOfWork
from commerce_core.webhooks.model import (
    Attempt,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    Subscription,
    SubscriptionStatus,
)

__all__ = [
    "Attempt",
    "Delivery",
    "DeliveryRepository",
    "DeliveryStatus",
    "OutgoingWebhook",
    "RetryPolicy",
    "SecretSealer",
    "SendResult",
    "Subscription",
    "SubscriptionRepository",
    "SubscriptionStatus",
    "WebhookPorts",
    "WebhookSender",
    "WebhooksUnitOfWork",
]


@frozen
class OutgoingWebhook:
    """One POST as the sender makes it: `body` is sent byte for byte as signed."""

    url: str
    headers: Mapping[str, str]
    body: bytes


@frozen
class SendResult:
    """What one POST gave. `status_code` None: no answer (timeout, refused connection or
    target). `permanent`: trying again cannot help (a refused target)."""

    status_code: int | None
    duration_ms: int
    response: str = ""
    error: str | None = None
    permanent: bool = False


class WebhookSender(Protocol):
    """Posts webhooks to third-party targets.

    `send` never raises for what the target does: timeouts, refused connections, redirects
    (never followed) and error statuses come back as a `SendResult`; it refuses, with a
    permanent result, a target whose host resolves to an address the shop must not call
    (private, loopback, link-local, multicast, reserved) unless configured to allow them.
    `check_target` applies the same rule up front and raises `TargetRefused`. Called outside
    any transaction."""

    def send(self, webhook: OutgoingWebhook) -> SendResult: ...

    def check_target(self, url: str) -> None: ...


class SecretSealer(Protocol):
    """Encrypts secrets the shop must read back; `open(seal(x)) == x`."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class SubscriptionRepository(Protocol):
    def add(self, subscription: Subscription) -> None: ...

    def get(self, subscription_id: str) -> Subscription:
        """The subscription (deleted ones too), or `SubscriptionNotFound`."""
        ...

    def active(self) -> list[Subscription]:
        """Every active subscription."""
        ...

    def list(self, *, include_deleted: bool = False) -> list[Subscription]:
        """Oldest first."""
        ...


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> None:
        """A second delivery with the same `dedupe_key` raises `ConcurrencyConflict` at the
        latest on commit."""
        ...

    def get(self, delivery_id: str) -> Delivery:
        """The delivery, or `DeliveryNotFound`."""
        ...

    def by_key(self, dedupe_key: str) -> Delivery | None: ...

    def claim_due(self, now: datetime, limit: int, stale_before: datetime) -> list[Delivery]:
        """Pending deliveries whose `next_attempt_at` has come, and `sending` ones untouched
        since `stale_before` (their sender died), oldest due first, locked for this
        transaction; rows another transaction holds are skipped (`FOR UPDATE SKIP LOCKED`
        where the database has it)."""
        ...

    def of_subscription(self, subscription_id: str, *, status: DeliveryStatus | None = None,
                        limit: int = 50, offset: int = 0) -> list[Delivery]:
        """Newest first."""
        ...

    def originals_between(self, subscription_id: str, start: datetime, end: datetime,
                          limit: int) -> list[Delivery]:
        """The subscription's first deliveries (not replays) of events that occurred in
        [start, end), oldest event first."""
        ...


class WebhooksUnitOfWork(UnitOfWork, Protocol):
    @property
    def webhook_subscriptions(self) -> SubscriptionRepository: ...

    @property
    def webhook_deliveries(self) -> DeliveryRepository: ...


@frozen
class WebhookPorts:
    """What the shop gives webhooks (`Ports.webhooks`); without it the context is off.
    `rng` jitters the retries (tests seed it); `refresh_seconds` bounds how long another
    process's new subscription may go unnoticed by this one."""

    sender: WebhookSender
    sealer: SecretSealer
    policy: RetryPolicy = field(factory=RetryPolicy)
    rng: random.Random | None = None
    refresh_seconds: float = 30.0
    batch: int = 50
