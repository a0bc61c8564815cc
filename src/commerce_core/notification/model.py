"""The notification aggregate, its delivery log, and a recipient's preferences.

A notification is enqueued `pending` (or `scheduled` for the end of quiet hours), taken by the
sender (`sending`), then `sent`; provider callbacks move it on to `delivered`, `opened`,
`clicked`, never back. A transient failure puts it back to `pending` with `next_retry_at` while
attempts remain (3 at most); a permanent one, the last attempt, or expiry make it `failed`. A
recipient who opted out at request or send time gets it `cancelled` with the reason.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import define, field, fields, frozen

from commerce_core.notification.errors import InvalidNotification, NotRetryable
from commerce_core.notification.events import (
    NotificationCancelled,
    NotificationCreated,
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
)
from commerce_core.shared.events import DomainEvent

MAX_ATTEMPTS = 3
# What a sealed variable reads as in the stored message, and what `sealed_data` becomes once
# it is no longer needed.
SEALED_PLACEHOLDER = "[sealed]"
ERASED = ""
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LOCALE = "vi"
LOCALES = ("vi", "en")


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class Category(StrEnum):
    TRANSACTIONAL = "transactional"
    MARKETING = "marketing"


class Status(StrEnum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    FAILED = "failed"
    CANCELLED = "cancelled"


WAITING = frozenset({Status.PENDING, Status.SCHEDULED})
# How far a message got once the provider took it: a callback only moves it further.
PROGRESS = {Status.SENT: 1, Status.DELIVERED: 2, Status.OPENED: 3, Status.CLICKED: 4}


def channel_of(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise InvalidNotification(f"unknown channel {value!r}", channel=value) from None


def category_of(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise InvalidNotification(f"unknown category {value!r}", category=value) from None


@frozen
class RetryPolicy:
    """Spec §5 rule 5: base 5 min, doubling, at most 1 h, ±20 % jitter, 3 attempts."""

    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.2
    max_attempts: int = MAX_ATTEMPTS

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The wait after failed attempt number `attempt` (1-based)."""
        nominal = min(self.base * (2 ** (attempt - 1)), self.cap)
        delay: timedelta = nominal * (1 + rng.uniform(-self.jitter, self.jitter))
        return delay


@frozen
class DeliveryAttempt:
    """One line of the delivery log: what one try to hand the message over gave."""

    number: int
    provider: str
    status: str  # sent | failed
    permanent: bool
    error_code: str | None
    response: str
    provider_message_id: str | None
    started_at: datetime
    finished_at: datetime


@define(eq=False)
class Notification:
    id: str
    correlation_id: str
    recipient_id: str
    channel: Channel
    category: Category
    template_id: str
    locale: str
    data: dict[str, str]
    address: str | None  # email or phone; a push token is looked up at send time, not kept
    subject: str
    text: str
    html: str
    status: Status
    scheduled_at: datetime
    expires_at: datetime | None
    source_event_id: str | None
    source_event_type: str | None
    created_at: datetime
    updated_at: datetime
    attempt_count: int = 0
    max_attempts: int = MAX_ATTEMPTS
    next_retry_at: datetime | None = None
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    attempts: list[DeliveryAttempt] = field(factory=list)
    # Variables that must not rest in clear (a one-time link), sealed by the `Sealer` port and
    # rendered into the message only when it is sent; `subject`, `text` and `html` keep a
    # placeholder instead. None: the message has none. ERASED once the message left or failed
    # for good: even the ciphertext goes.
    sealed_data: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(cls, *, notification_id: str, correlation_id: str, recipient_id: str,
               channel: Channel, category: Category, template_id: str, locale: str,
               data: dict[str, str], address: str | None, subject: str, text: str, html: str,
               send_at: datetime, expires_at: datetime | None, source_event_id: str | None,
               source_event_type: str | None, now: datetime,
               opted_out: bool = False, sealed_data: str | None = None) -> Notification:
        status = Status.SCHEDULED if send_at > now else Status.PENDING
        notification = cls(
            notification_id, correlation_id, recipient_id, channel, category, template_id,
            locale, dict(data), address, subject, text, html, status, send_at, expires_at,
            source_event_id, source_event_type, now, now, sealed_data=sealed_data,
        )
        notification.events.append(NotificationCreated(
            notification_id, correlation_id, recipient_id, channel.value, template_id,
            status.value, now))
        if opted_out:
            notification.cancel("opted_out", now=now)
        return notification

    # -- the sender ---------------------------------------------------------------------------
    def due(self, now: datetime) -> bool:
        if self.status not in WAITING:
            return False
        moment = self.next_retry_at or self.scheduled_at
        return moment <= now

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def start_sending(self, now: datetime) -> None:
        """Taken by the sender: one more attempt begins."""
        if self.status not in WAITING:
            raise InvalidNotification(f"notification {self.id} is {self.status.value}",
                                      status=self.status.value)
        self.status = Status.SENDING
        self.attempt_count += 1
        self.next_retry_at = None
        self.updated_at = now

    def expire(self, now: datetime) -> None:
        """A waiting notification past `expires_at` is not sent any more."""
        self._fail("expired", now)

    def cancel(self, reason: str, *, now: datetime) -> None:
        if self.status not in WAITING and self.status is not Status.SENDING:
            return
        self.status = Status.CANCELLED
        self._erase_sealed()
        self.error = reason
        self.next_retry_at = None
        self.updated_at = now
        self.events.append(NotificationCancelled(
            self.id, self.correlation_id, self.recipient_id, self.channel.value, reason, now))

    def defer(self, until: datetime, *, now: datetime) -> None:
        """Waits until `until` without using an attempt (quiet hours, a daily cap reached)."""
        self.status = Status.SCHEDULED
        self.scheduled_at = until
        self.next_retry_at = None
        self.updated_at = now

    def record_sent(self, provider: str, provider_message_id: str | None, response: str, *,
                    started_at: datetime, now: datetime) -> None:
        self.attempts.append(DeliveryAttempt(
            self.attempt_count, provider, "sent", False, None, response, provider_message_id,
            started_at, now))
        self.status = Status.SENT
        self._erase_sealed()
        self.provider, self.provider_message_id = provider, provider_message_id
        self.error = None
        self.sent_at = self.updated_at = now
        self.events.append(NotificationSent(
            self.id, self.correlation_id, self.recipient_id, self.channel.value,
            self.template_id, self.attempt_count, provider, provider_message_id, now))

    def record_failure(self, provider: str, error_code: str, response: str, *, permanent: bool,
                       started_at: datetime, now: datetime, policy: RetryPolicy,
                       rng: random.Random) -> None:
        """A transient failure with attempts left waits for its retry; anything else fails."""
        self.attempts.append(DeliveryAttempt(
            self.attempt_count, provider, "failed", permanent, error_code, response, None,
            started_at, now))
        self.provider = provider
        if permanent or self.attempt_count >= self.max_attempts:
            self._fail(error_code, now)
            return
        self.status = Status.PENDING
        self.error = error_code
        self.next_retry_at = now + policy.delay(self.attempt_count, rng)
        self.updated_at = now

    def _fail(self, error_code: str, now: datetime) -> None:
        self.status = Status.FAILED
        self._erase_sealed()
        self.error = error_code
        self.next_retry_at = None
        self.updated_at = now
        self.events.append(NotificationFailed(
            self.id, self.correlation_id, self.recipient_id, self.channel.value,
            self.template_id, self.attempt_count, error_code, now))

    def retry(self, now: datetime) -> None:
        """Staff send a failed notification again: a fresh round of attempts."""
        if self.status is not Status.FAILED:
            raise NotRetryable(f"notification {self.id} is {self.status.value}, not failed",
                               status=self.status.value)
        if self.sealed_data == ERASED:
            raise NotRetryable(f"notification {self.id} carried a one-time secret, erased when "
                               "it failed: the recipient asks for a new one",
                               status=self.status.value)
        self.status = Status.PENDING
        self.max_attempts = self.attempt_count + MAX_ATTEMPTS
        self.scheduled_at = now
        self.next_retry_at = None
        self.error = None
        self.updated_at = now

    def _erase_sealed(self) -> None:
        if self.sealed_data is not None:
            self.sealed_data = ERASED

    # -- provider callbacks -------------------------------------------------------------------
    def record_callback(self, status: str, *, now: datetime) -> bool:
        """A provider's delivery report; True when it changed anything. A report never moves
        the message back (`delivered` beats a late `sent`); a failure report (bounce,
        undelivered) counts only while the message is merely sent."""
        if status in ("failed", "undelivered", "bounced"):
            if self.status is not Status.SENT:
                return False
            self._fail(status, now)
            return True
        try:
            reported = Status(status)
        except ValueError:
            raise InvalidNotification(f"unknown delivery status {status!r}",
                                      status=status) from None
        if reported not in PROGRESS:
            raise InvalidNotification(f"unknown delivery status {status!r}", status=status)
        current = PROGRESS.get(self.status)
        if current is None or PROGRESS[reported] <= current:
            return False
        self.status = reported
        self.updated_at = now
        if reported is Status.DELIVERED or (self.delivered_at is None
                                            and PROGRESS[reported] > 2):
            self.delivered_at = now
        if reported is Status.DELIVERED:
            self.events.append(NotificationDelivered(
                self.id, self.correlation_id, self.recipient_id, self.channel.value,
                self.provider or "", self.provider_message_id, now))
        return True


# -- preferences ------------------------------------------------------------------------------
def parse_clock(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise InvalidNotification(f"{value!r} is not a time of day (HH:MM)",
                                  value=value) from None


def zone(name: str) -> ZoneInfo:
    # An empty zone must not silently mean UTC for Vietnamese customers (spec §5 rule 3).
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidNotification(f"unknown timezone {name!r}", timezone=name) from None


@define(eq=False)
class Preferences:
    """What a recipient accepts. Defaults (spec §3 customer preferences): every channel on,
    order updates on, marketing by email and push but not by SMS; quiet hours 22:00-08:00 in
    Asia/Ho_Chi_Minh; 10 marketing messages a day per channel; Vietnamese."""

    id: str  # the recipient id
    unsubscribed: bool = False
    email: bool = True
    sms: bool = True
    push: bool = True
    transactional: bool = True
    email_marketing: bool = True
    sms_marketing: bool = False
    push_marketing: bool = True
    quiet_start: str = "22:00"
    quiet_end: str = "08:00"
    timezone: str = DEFAULT_TIMEZONE
    max_per_day: int = 10
    locale: str = DEFAULT_LOCALE
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    def update(self, changes: dict[str, Any]) -> None:
        defaults = {a.name: a.default for a in fields(Preferences)
                    if a.name not in ("id", "version", "events")}
        for name, value in changes.items():
            if name not in defaults:
                raise InvalidNotification(f"unknown preference {name!r}", preference=name)
            # bool is an int in Python: compare exact types so `max_per_day=True` is refused.
            if type(value) is not type(defaults[name]):
                raise InvalidNotification(
                    f"{name} takes a {type(defaults[name]).__name__}", preference=name)
            setattr(self, name, value)
        self.check()

    def check(self) -> None:
        parse_clock(self.quiet_start)
        parse_clock(self.quiet_end)
        zone(self.timezone)
        if self.locale not in LOCALES:
            raise InvalidNotification(f"unsupported locale {self.locale!r}", locale=self.locale)
        if not 0 <= self.max_per_day <= 1000:
            raise InvalidNotification("max_per_day is between 0 and 1000",
                                      max_per_day=self.max_per_day)

    def allows(self, channel: Channel, category: Category) -> bool:
        """Global unsubscribe stops everything; a channel turned off stops it; a category
        needs its own opt-in (transactional messages do not need the marketing one)."""
        if self.unsubscribed or not getattr(self, channel.value):
            return False
        if category is Category.TRANSACTIONAL:
            return self.transactional
        return bool(getattr(self, f"{channel.value}_marketing"))

    def quiet_until(self, now: datetime) -> datetime | None:
        """The end of the quiet window `now` falls in (overnight windows wrap midnight), in
        UTC; None outside it."""
        start, end = parse_clock(self.quiet_start), parse_clock(self.quiet_end)
        if start == end:
            return None
        local = now.astimezone(zone(self.timezone))
        at = local.time()
        inside = start <= at < end if start < end else at >= start or at < end
        if not inside:
            return None
        end_day = local.date()
        if start > end and at >= start:
            end_day += timedelta(days=1)
        ending = datetime.combine(end_day, end, tzinfo=local.tzinfo)
        return ending.astimezone(now.tzinfo)

    def next_day(self, now: datetime) -> datetime:
        """The next local midnight (a daily cap resets there)."""
        local = now.astimezone(zone(self.timezone))
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0),
                                    tzinfo=local.tzinfo)
        return midnight.astimezone(now.tzinfo)

    def day_start(self, now: datetime) -> datetime:
        local = now.astimezone(zone(self.timezone))
        return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo).astimezone(
            now.tzinfo)
