"""Webhook subscriptions and deliveries.

A subscription names a target URL and the event types it wants; its signing secret is kept
sealed (the plain `whsec_...` is shown once, when created or rotated). It is `active`,
`disabled` (by hand, or after `disable_after` deliveries in a row failed) or `deleted`.

A delivery is one event for one subscription: `pending` until due, `sending` while the worker
holds it, then `succeeded` (a 2xx answer) or, once its attempts are spent or the failure is
permanent, `failed`. Every attempt is logged with its status code, duration and error. A
failed attempt waits a backoff with full jitter: each wait is drawn uniformly between zero and
the step of `RetryPolicy.schedule` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 10 h).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from attrs import define, field, frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.events import event_types as known_event_types
from commerce_core.webhooks.errors import InvalidWebhook, SubscriptionInactive
from commerce_core.webhooks.events import SubscriptionDisabled

MAX_URL_LENGTH = 2000
MAX_EVENT_TYPES = 100
MAX_DESCRIPTION = 500
RESPONSE_KEPT = 1000  # characters of a response body the log keeps


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    DELETED = "deleted"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@frozen
class RetryPolicy:
    """How deliveries are retried and when a subscription gives up."""

    schedule: tuple[timedelta, ...] = (
        timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=5), timedelta(hours=10),
    )
    max_attempts: int = 8
    disable_after: int = 5  # failed deliveries in a row that disable the subscription
    secret_grace: timedelta = timedelta(hours=24)  # the old secret still signs after rotation

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1 or self.disable_after < 1 or not self.schedule:
            raise ValueError("max_attempts and disable_after must be positive, with a schedule")

    def step(self, attempt: int) -> timedelta:
        """The longest wait after failed attempt number `attempt` (1-based)."""
        return self.schedule[min(attempt, len(self.schedule)) - 1]

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """Full jitter: uniformly between zero and the step, so receivers recovering from an
        outage are not hit by every sender at the same instant."""
        return self.step(attempt) * rng.random()


def matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def check_event_types(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Known event types, `<context>.*` of a context with events, or `*`; sorted, unique."""
    cleaned = tuple(sorted({p.strip() for p in patterns if p.strip()}))
    if not cleaned:
        raise InvalidWebhook("name at least one event type (or `*` for every one)")
    if len(cleaned) > MAX_EVENT_TYPES:
        raise InvalidWebhook(f"at most {MAX_EVENT_TYPES} event types")
    known = known_event_types()
    unknown = [p for p in cleaned if p != "*" and not any(matches(p, t) for t in known)]
    if unknown:
        raise InvalidWebhook(f"unknown event types: {', '.join(unknown)}", unknown=unknown)
    return cleaned


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host and no credentials; where the host points is
    checked by the sender (`WebhookSender.check_target`)."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidWebhook(f"the target URL must have 1 to {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise InvalidWebhook("the target URL is malformed", url=url) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidWebhook("the target URL must be http or https", url=url)
    if not parts.hostname:
        raise InvalidWebhook("the target URL names no host", url=url)
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhook("the target URL must not carry credentials", url=url)
    if any(c.isspace() for c in url):
        raise InvalidWebhook("the target URL must not contain spaces", url=url)
    return url


def check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise InvalidWebhook(f"the description has at most {MAX_DESCRIPTION} characters")
    return description


@define(eq=False)
class Subscription:
    id: str
    url: str
    event_types: tuple[str, ...]
    description: str
    secret_sealed: str  # the signing secret, sealed by the `SecretSealer`; never in clear
    previous_secret_sealed: str | None  # still signs until `previous_secret_until`
    previous_secret_until: datetime | None
    status: SubscriptionStatus
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(cls, subscription_id: str, url: str, event_types: tuple[str, ...],
               description: str, secret_sealed: str, now: datetime) -> Subscription:
        return cls(subscription_id, check_url(url), check_event_types(event_types),
                   check_description(description), secret_sealed, None, None,
                   SubscriptionStatus.ACTIVE, None, 0, now, now)

    @property
    def active(self) -> bool:
        return self.status is SubscriptionStatus.ACTIVE

    def wants(self, event_type: str) -> bool:
        return self.active and any(matches(p, event_type) for p in self.event_types)

    def secrets(self, now: datetime) -> list[str]:
        """The sealed secrets that sign a delivery now: the current one, and the previous one
        during its grace period (receivers switch without losing a delivery)."""
        sealed = [self.secret_sealed]
        if (self.previous_secret_sealed is not None and self.previous_secret_until is not None
                and now < self.previous_secret_until):
            sealed.append(self.previous_secret_sealed)
        return sealed

    def _live(self) -> None:
        if self.status is SubscriptionStatus.DELETED:
            raise SubscriptionInactive(f"subscription {self.id} is deleted", id=self.id)

    def update(self, *, url: str | None, event_types: tuple[str, ...] | None,
               description: str | None, now: datetime) -> None:
        self._live()
        if url is not None:
            self.url = check_url(url)
        if event_types is not None:
            self.event_types = check_event_types(event_types)
        if description is not None:
            self.description = check_description(description)
        self.updated_at = now

    def rotate(self, secret_sealed: str, *, grace: timedelta, now: datetime) -> None:
        self._live()
        self.previous_secret_sealed, self.previous_secret_until = self.secret_sealed, now + grace
        self.secret_sealed, self.updated_at = secret_sealed, now

    def enable(self, now: datetime) -> None:
        self._live()
        self.status, self.disabled_reason = SubscriptionStatus.ACTIVE, None
        self.consecutive_failures, self.updated_at = 0, now

    def disable(self, reason: str, now: datetime) -> None:
        self._live()
        if self.status is SubscriptionStatus.DISABLED:
            return
        self.status, self.disabled_reason, self.updated_at = (
            SubscriptionStatus.DISABLED, reason, now)
        self.events.append(SubscriptionDisabled(self.id, self.url, reason,
                                                self.consecutive_failures, now))

    def delete(self, now: datetime) -> None:
        self.status, self.updated_at = SubscriptionStatus.DELETED, now
        self.previous_secret_sealed = self.previous_secret_until = None

    def delivery_succeeded(self, now: datetime) -> None:
        if self.consecutive_failures:
            self.consecutive_failures, self.updated_at = 0, now

    def delivery_failed(self, policy: RetryPolicy, now: datetime) -> None:
        """One more delivery failed for good; enough in a row disable the subscription."""
        self.consecutive_failures += 1
        self.updated_at = now
        if self.active and self.consecutive_failures >= policy.disable_after:
            self.disable("consecutive_failures", now)


@frozen
class Attempt:
    """One line of the delivery log. `status_code` is None when no answer came (a timeout, a
    refused connection or target); `response` is the start of the answer's body."""

    number: int
    started_at: datetime
    finished_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    response: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@define(eq=False)
class Delivery:
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    occurred_at: datetime
    body: str  # the JSON sent, fixed at enqueue time so every attempt signs the same bytes
    dedupe_key: str  # unique: `{subscription}:{event}` for the first delivery of an event
    replay_of: str | None  # the delivery this one sends again, for a replay
    status: DeliveryStatus
    attempt_count: int
    max_attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    attempts: list[Attempt] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(cls, delivery_id: str, subscription_id: str, *, event_id: str, event_type: str,
               occurred_at: datetime, body: str, max_attempts: int, now: datetime,
               replay_of: str | None = None) -> Delivery:
        key = f"{subscription_id}:{event_id}"
        if replay_of is not None:
            key = f"{key}:replay:{delivery_id}"
        return cls(delivery_id, subscription_id, event_id, event_type, occurred_at, body, key,
                   replay_of, DeliveryStatus.PENDING, 0, max_attempts, now, None, None, now, now)

    @property
    def replay(self) -> bool:
        return self.replay_of is not None

    def start(self, now: datetime) -> None:
        self.status, self.updated_at = DeliveryStatus.SENDING, now

    def cancel(self, reason: str, now: datetime) -> None:
        self.status, self.last_error, self.updated_at = DeliveryStatus.CANCELLED, reason, now

    def record(self, attempt: Attempt, *, permanent: bool, policy: RetryPolicy,
               rng: random.Random, now: datetime) -> None:
        """Log the attempt and move on: succeeded, waiting for the next try, or failed."""
        self.attempts.append(attempt)
        self.attempt_count = attempt.number
        self.last_status_code, self.last_error = attempt.status_code, attempt.error
        self.updated_at = now
        if attempt.ok:
            self.status = DeliveryStatus.SUCCEEDED
        elif permanent or self.attempt_count >= self.max_attempts:
            self.status = DeliveryStatus.FAILED
        else:
            self.status = DeliveryStatus.PENDING
            self.next_attempt_at = now + policy.delay(self.attempt_count, rng)
