"""Notifications in memory, and fakes of the ports notification consumes: a notifier that
records what it was given (and fails for the addresses it is told to), a recipient directory
from a dict, and a renderer of plain `str.format` templates."""

from __future__ import annotations

import html
import string
import threading
from collections.abc import Collection, Mapping
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.notification.errors import (
    DeliveryFailed,
    InvalidNotification,
    NotificationNotFound,
)
from commerce_core.notification.model import Category, Channel, Notification, Preferences, Status
from commerce_core.notification.ports import OutgoingMessage, Recipient, Rendered, SendReceipt
from commerce_core.shared.errors import ConcurrencyConflict


class InMemoryNotificationRepository(_Repository):
    kind = "notification"
    not_found = NotificationNotFound
    unique = (("correlation", lambda n: [n.correlation_id], ConcurrencyConflict),)
    indexed = (
        ("provider_message", lambda n: [f"{n.provider}:{n.provider_message_id}"]
         if n.provider_message_id else []),
        ("recipient", lambda n: [n.recipient_id]),
    )

    def by_correlation(self, correlation_id: str) -> Notification | None:
        rows = self._by("correlation", correlation_id)
        found: Notification | None = self._load(rows[0]) if rows else None
        return found

    def by_provider_message(self, provider: str, message_id: str) -> Notification | None:
        rows = self._by("provider_message", f"{provider}:{message_id}")
        found: Notification | None = self._load(rows[0]) if rows else None
        return found

    def claim_due(self, now: datetime, limit: int,
                  stale_before: datetime) -> list[Notification]:
        # One transaction at a time holds the in-memory database, so claiming needs no lock.
        def due_at(n: Notification) -> datetime | None:
            if n.status in (Status.PENDING, Status.SCHEDULED):
                moment = n.next_retry_at or n.scheduled_at
                return moment if moment <= now else None
            if n.status is Status.SENDING and n.updated_at < stale_before:
                return n.next_retry_at or n.scheduled_at
            return None

        due = [(at, n.id, n) for n in self._all() if (at := due_at(n)) is not None]
        due.sort(key=lambda item: (item[0], item[1]))
        return [self._load(n) for _, _, n in due[:limit]]

    def sent_since(self, recipient_id: str, channel: Channel, category: Category,
                   since: datetime) -> int:
        return sum(1 for n in self._by("recipient", recipient_id)
                   if n.channel is channel and n.category is category
                   and n.sent_at is not None and n.sent_at >= since)

    def list(self, *, status: Status | None = None, channel: Channel | None = None,
             recipient_id: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Notification]:
        rows = self._by("recipient", recipient_id) if recipient_id else self._all()
        rows = [n for n in rows if (status is None or n.status is status)
                and (channel is None or n.channel is channel)]
        rows.sort(key=lambda n: (n.created_at, n.id), reverse=True)
        return [self._load(n) for n in rows[offset:offset + limit]]


class InMemoryPreferencesRepository(_Repository):
    kind = "notification_preferences"

    def find(self, recipient_id: str) -> Preferences | None:
        cached = self._tracker.cached(self.kind, recipient_id)
        if cached is not None:
            found: Preferences = cached
            return found
        row = self._rows.get(recipient_id)
        return self._load(row) if row is not None else None


class RecordingNotifier:
    """Takes every message and keeps it in `sent`, except those to an address in
    `permanent` (refused for good) or `transient` (refused this time)."""

    def __init__(self, provider: str = "fake", *, permanent: Collection[str] = (),
                 transient: Collection[str] = ()) -> None:
        self._provider = provider
        self.permanent, self.transient = set(permanent), set(transient)
        self.sent: list[OutgoingMessage] = []
        self._lock = threading.Lock()

    @property
    def provider(self) -> str:
        return self._provider

    def send(self, message: OutgoingMessage) -> SendReceipt:
        if message.to in self.permanent:
            raise DeliveryFailed(f"{message.to} refused", permanent=True,
                                 error_code="bad_recipient")
        if message.to in self.transient:
            raise DeliveryFailed("provider unavailable", permanent=False,
                                 error_code="timeout")
        with self._lock:
            self.sent.append(message)
            number = len(self.sent)
        return SendReceipt(self._provider, f"{self._provider}-{number}", "accepted")


class StaticDirectory:
    """Recipients from a dict keyed by recipient id."""

    def __init__(self, recipients: Mapping[str, Recipient] | None = None) -> None:
        self.recipients: dict[str, Recipient] = dict(recipients or {})

    def recipient(self, recipient_id: str) -> Recipient | None:
        return self.recipients.get(recipient_id)


# (template, channel) → (subject, text, html); locale → these. `{name}` fields are required.
FormatTemplates = Mapping[str, Mapping[tuple[str, Channel], tuple[str, str, str]]]

_E, _S, _P = Channel.EMAIL, Channel.SMS, Channel.PUSH
DEFAULT_TEMPLATES: FormatTemplates = {
    locale: {
        ("order_confirmed", _E): (f"[{locale}] order {{order_number}} confirmed",
                                  "total {total}", "<p>total {total}</p>"),
        ("order_confirmed", _P): ("order {order_number}", "confirmed", ""),
        ("payment_captured", _E): (f"[{locale}] payment received", "{amount}",
                                   "<p>{amount}</p>"),
        ("order_shipped", _E): (f"[{locale}] order {{order_number}} shipped",
                                "{tracking_number}", "<p>{tracking_path}</p>"),
        ("order_shipped", _S): ("", "order {order_number} shipped {tracking_path}", ""),
        ("order_shipped", _P): ("order {order_number}", "shipped", ""),
        ("out_for_delivery", _P): ("order {order_number}", "out for delivery", ""),
        ("out_for_delivery", _S): ("", "order {order_number} out for delivery "
                                       "{tracking_path}", ""),
        ("order_delivered", _E): (f"[{locale}] order {{order_number}} delivered",
                                  "{tracking_number}", "<p>{tracking_path}</p>"),
        ("order_delivered", _P): ("order {order_number}", "delivered", ""),
        ("delivery_failed", _S): ("", "order {order_number} attempt {attempt} failed", ""),
        ("delivery_failed", _P): ("order {order_number}", "attempt {attempt} failed", ""),
        ("refund_processed", _E): (f"[{locale}] refund", "{amount}", "<p>{amount}</p>"),
        ("refund_processed", _P): ("refund", "{amount}", ""),
        ("return_approved", _E): (f"[{locale}] return for {{order_number}} approved",
                                  "{label_url} {tracking_number}", "<p>{label_url}</p>"),
        ("return_approved", _P): ("order {order_number}", "return approved", ""),
        ("return_rejected", _E): (f"[{locale}] return for {{order_number}} rejected",
                                  "{reason}", "<p>{reason}</p>"),
        ("promotion", _E): ("{title}", "{body}", "<p>{body}</p>"),
        ("promotion", _P): ("{title}", "{body}", ""),
        ("promotion", _S): ("", "{body}", ""),
    }
    for locale in ("vi", "en")
}


class FormatRenderer:
    """Renders `str.format` templates; HTML fields are escaped."""

    def __init__(self, templates: FormatTemplates = DEFAULT_TEMPLATES) -> None:
        self._templates = templates

    def render(self, template_id: str, channel: Channel, locale: str,
               data: Mapping[str, str]) -> Rendered:
        found = self._templates.get(locale, {}).get((template_id, channel))
        if found is None:
            raise InvalidNotification(
                f"no {channel.value} template {template_id!r} in {locale!r}",
                template_id=template_id, channel=channel.value, locale=locale)
        needed = {name for part in found for _, name, _, _ in string.Formatter().parse(part)
                  if name}
        missing = sorted(needed - set(data))
        if missing:
            raise InvalidNotification(
                f"template {template_id!r} needs {', '.join(missing)}",
                template_id=template_id, missing=missing)
        escaped = {k: html.escape(v) for k, v in data.items()}
        subject, text, body = found
        return Rendered(subject.format(**data), text.format(**data), body.format(**escaped))
