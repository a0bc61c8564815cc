"""Notification commands."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen


@frozen
class RequestNotification:
    """Enqueue one message (sent later by the worker). A repeated `correlation_id` returns the
    notification it created first. `address` overrides the directory's email or phone.
    `secret_data` are variables never stored in clear (a one-time link): sealed at rest,
    rendered only when the message is sent, erased once it is sent or failed for good."""

    recipient_id: str
    channel: str
    template_id: str
    data: Mapping[str, str] = field(factory=dict)
    category: str = "transactional"
    correlation_id: str | None = None
    locale: str | None = None
    address: str | None = None
    send_at: datetime | None = None
    expires_at: datetime | None = None
    secret_data: Mapping[str, str] = field(factory=dict, repr=False)


@frozen
class SendDueNotifications:
    """The worker's job: send what is due, at most `limit` messages."""

    limit: int = 50


@frozen
class RetryNotification:
    notification_id: str


@frozen
class RecordDeliveryStatus:
    """A provider's delivery report for the message it knows as `provider_message_id`."""

    provider: str
    provider_message_id: str
    status: str


@frozen
class UpdatePreferences:
    recipient_id: str
    changes: Mapping[str, Any]
