"""What notification consumes: a `Notifier` per channel, a template renderer, the directory of
recipients' contact details, and its storage; with the data they exchange."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from attrs import field, frozen

from commerce_core.customer.ports import CustomerUnitOfWork
from commerce_core.notification.model import (
    Category,
    Channel,
    DeliveryAttempt,
    Notification,
    Preferences,
    RetryPolicy,
    Status,
)
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shipping.ports import ShipmentRepository

__all__ = [
    "Category",
    "Channel",
    "DeliveryAttempt",
    "LinkUrls",
    "Notification",
    "NotificationPorts",
    "NotificationRepository",
    "NotificationUnitOfWork",
    "Notifier",
    "OutgoingMessage",
    "Preferences",
    "PreferencesRepository",
    "Recipient",
    "RecipientDirectory",
    "Rendered",
    "RetryPolicy",
    "Sealer",
    "SendReceipt",
    "Status",
    "TemplateRenderer",
]


@frozen
class OutgoingMessage:
    """One message as a provider gets it. `to` is an email address, an E.164 phone number or
    a device token; `key` (the notification id) lets a provider drop a duplicate."""

    key: str
    channel: Channel
    to: str
    subject: str
    text: str
    html: str
    data: Mapping[str, str]


@frozen
class SendReceipt:
    provider: str
    provider_message_id: str | None
    response: str = ""


class Notifier(Protocol):
    """Hands one message to a provider. Returns a receipt once the provider took it, or raises
    `DeliveryFailed` (`permanent` True for a refused recipient or request, False for a
    timeout, a refused connection or a provider error) and nothing else. Sending is not
    idempotent at every provider: the sender calls it once per attempt, outside any
    transaction."""

    @property
    def provider(self) -> str: ...

    def send(self, message: OutgoingMessage) -> SendReceipt: ...


@frozen
class Rendered:
    subject: str
    text: str
    html: str  # empty for channels without HTML (SMS, push)


class TemplateRenderer(Protocol):
    """Renders a template for a channel and locale (`vi` or `en`). HTML is autoescaped. Raises
    `InvalidNotification` when there is no such template or a variable it uses is missing."""

    def render(self, template_id: str, channel: Channel, locale: str,
               data: Mapping[str, str]) -> Rendered: ...


@frozen
class Recipient:
    """How to reach a customer; any part may be unknown (None)."""

    recipient_id: str
    email: str | None = None
    phone: str | None = None
    device_token: str | None = None
    locale: str | None = None

    def address(self, channel: Channel) -> str | None:
        if channel is Channel.EMAIL:
            return self.email
        if channel is Channel.SMS:
            return self.phone
        return self.device_token


class RecipientDirectory(Protocol):
    """What the shop knows of a customer beyond an order: phone, device token, locale (a
    customer context supplies it; the default knows nothing). Called outside and inside
    transactions; it must not write."""

    def recipient(self, recipient_id: str) -> Recipient | None: ...


class Sealer(Protocol):
    """Encrypts what a message must carry but not keep in clear (a one-time link) under a key
    kept out of the database (identity's `SecretSealer` fits); `open` raises a
    `CommerceError` or `ValueError` for what it cannot open."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class NotificationRepository(Protocol):
    def add(self, notification: Notification) -> None:
        """A second notification with the same `correlation_id` raises `ConcurrencyConflict`
        at the latest on commit."""
        ...

    def get(self, notification_id: str) -> Notification:
        """The notification, or `NotificationNotFound`."""
        ...

    def by_correlation(self, correlation_id: str) -> Notification | None: ...

    def by_provider_message(self, provider: str, message_id: str) -> Notification | None: ...

    def claim_due(self, now: datetime, limit: int,
                  stale_before: datetime) -> list[Notification]:
        """Waiting notifications whose time has come (`next_retry_at`, else `scheduled_at`),
        and `sending` ones untouched since `stale_before` (their sender died), oldest first,
        locked for this transaction; rows another transaction holds are skipped (`FOR UPDATE
        SKIP LOCKED` where the database has it)."""
        ...

    def sent_since(self, recipient_id: str, channel: Channel, category: Category,
                   since: datetime) -> int:
        """How many of the recipient's messages of this channel and category were sent (or
        are being sent) since `since`."""
        ...

    def list(self, *, status: Status | None = None, channel: Channel | None = None,
             recipient_id: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Notification]:
        """Newest first."""
        ...


class PreferencesRepository(Protocol):
    def add(self, preferences: Preferences) -> None: ...

    def find(self, recipient_id: str) -> Preferences | None: ...


class NotificationUnitOfWork(OrderingUnitOfWork, CustomerUnitOfWork, Protocol):
    """The triggers read the order (its customer and email), the customer (phone, language)
    and the order's shipments (tracking numbers; whether a carrier ships it) in the
    transaction that enqueues its notifications."""

    @property
    def notifications(self) -> NotificationRepository: ...

    @property
    def notification_preferences(self) -> PreferencesRepository: ...

    @property
    def shipments(self) -> ShipmentRepository: ...


@frozen
class LinkUrls:
    """Where one-time links point (the shop's pages that take the token): `{token}` is
    replaced by the token, URL-quoted."""

    password_reset: str = "http://localhost:3000/reset-password?token={token}"
    email_verification: str = "http://localhost:3000/verify-email?token={token}"


@frozen
class NotificationPorts:
    """What the shop gives notification (`Ports.notifications`); without it the context is
    off. `notifiers` has one provider per channel; a channel without one fails its messages
    permanently (`unsupported_channel`). `rng` jitters the retries (tests seed it). `sealer`
    keeps secret variables (`RequestNotification.secret_data`) encrypted until the message is
    sent; without one such requests are refused (the shop passes identity's when it has one)."""

    renderer: TemplateRenderer
    notifiers: Mapping[Channel, Notifier] = field(factory=dict)
    directory: RecipientDirectory | None = None
    rng: random.Random | None = None
    retry: RetryPolicy | None = None
    sealer: Sealer | None = None
    links: LinkUrls = field(factory=LinkUrls)
